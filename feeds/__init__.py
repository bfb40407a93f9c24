"""feeds: collect articles from portals and partner feeds, publish feeds, sitemaps and share metadata."""

__version__ = "0.1.0"
