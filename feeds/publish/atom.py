"""Atom 1.0 (RFC 4287) via feedgen."""

from __future__ import annotations

from ..config import Site
from .common import base_generator, guid, image_type, seconds, serialise
from .feedset import FeedSpec, categories

__all__ = ["render"]


def render(site: Site, spec: FeedSpec) -> bytes:
    """Return the Atom document for `spec`, newest entry first."""
    fg = base_generator(site, spec, "atom")
    fg.author(name=site.title)
    if site.logo:
        fg.icon(site.logo)
    for article in spec.articles:
        entry = fg.add_entry(order="append")
        entry.id(guid(article.id))
        entry.title(article.title)
        entry.link(href=article.url, rel="alternate", type="text/html")
        if article.image:
            mime = image_type(article.image)
            link = {"href": article.image.url, "rel": "enclosure"}
            if mime:
                link["type"] = mime
            if article.image.length:
                link["length"] = str(article.image.length)
            entry.link(link)
        entry.published(seconds(article.published))
        entry.updated(seconds(article.updated))
        if article.summary:
            entry.summary(article.summary)
        if article.content_html:
            entry.content(article.content_html, type="html")
        for name in article.authors:
            entry.author(name=name)
        for term in categories(spec, article):
            entry.category(term=term)
    root, _ = fg._create_atom()
    return serialise(root, site)
