"""Atom 1.0 (RFC 4287) via feedgen."""

from __future__ import annotations

from ..config import Site
from .common import base_generator, guid
from .feedset import FeedSpec

__all__ = ["render"]


def render(site: Site, spec: FeedSpec) -> bytes:
    """Return the Atom document for `spec`, newest entry first."""
    fg = base_generator(site, spec, "atom")
    fg.author(name=site.title)
    for article in spec.articles:
        entry = fg.add_entry(order="append")
        entry.id(guid(article.id))
        entry.title(article.title)
        entry.link(href=article.url, rel="alternate")
        entry.published(article.published)
        entry.updated(article.updated)
        if article.summary:
            entry.summary(article.summary)
        if article.content_html:
            entry.content(article.content_html, type="html")
        for name in article.authors:
            entry.author(name=name)
        for tag in ((article.channel,) if article.channel else ()) + article.tags:
            entry.category(term=tag)
    return fg.atom_str(pretty=True)
