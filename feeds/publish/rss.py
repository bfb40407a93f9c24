"""RSS 2.0 (https://www.rssboard.org/rss-specification) via feedgen."""

from __future__ import annotations

from ..config import Site
from .common import base_generator, guid
from .feedset import FeedSpec, newest_change
from .common import EPOCH

__all__ = ["render"]


def render(site: Site, spec: FeedSpec) -> bytes:
    """Return the RSS 2.0 document for `spec`, newest item first."""
    fg = base_generator(site, spec, "rss")
    fg.lastBuildDate(newest_change(spec.articles, EPOCH))
    for article in spec.articles:
        entry = fg.add_entry(order="append")
        entry.guid(guid(article.id), permalink=False)
        entry.title(article.title)
        entry.link(href=article.url)
        entry.description(article.summary or article.title)
        if article.content_html:
            entry.content(article.content_html, type="CDATA")
        entry.pubDate(article.published)
        for tag in ((article.channel,) if article.channel else ()) + article.tags:
            entry.category(term=tag)
    return fg.rss_str(pretty=True)
