"""Atom 1.0 (RFC 4287) via feedgen."""

from __future__ import annotations

import re

from lxml import etree

from ..config import Site
from ..model import Article
from .common import (
    base_generator,
    guid,
    html_text,
    image_type,
    logo_url,
    seconds,
    serialise,
)
from .feedset import FeedFormat, FeedSpec, categories

__all__ = ["render"]

# feedgen builds Atom elements without a namespace and sets xmlns as a plain attribute


def render(site: Site, spec: FeedSpec) -> bytes:
    """Return the Atom document for `spec`, newest entry first."""
    fg = base_generator(site, spec, FORMAT)
    fg.author(name=site.title)
    if site.logo:
        fg.icon(logo_url(site))
    for article in spec.articles:
        entry = fg.add_entry(order="append")
        entry.id(guid(article.id))
        entry.title(article.title)
        entry.link(href=article.url, rel="alternate")
        entry.published(seconds(article.published))
        entry.updated(seconds(article.updated))
        # a summary always: an entry without content needs textual content (RFC 4287 4.1.1.1)
        entry.summary(article.summary or article.title)
        if article.content_html:
            entry.content(article.content_html, type="html")
        for name in article.authors:
            entry.author(name=name)
        for term in categories(spec, article):
            entry.category(term=term)
    root, _ = fg._create_atom()
    for element, article in zip(root.iterfind("entry"), spec.articles):
        _enclosure(element, article)
        for url in spec.also_at.get(article.id, ()):  # the same story under its other URLs
            etree.SubElement(element, "link", href=url, rel="related")
        for name in ("title", "summary"):
            _text_type(element.find(name))
    return serialise(root, site, spec)


def _enclosure(entry: etree._Element, article: Article) -> None:
    """<link rel="enclosure"> for the lead image, added to the tree: feedgen 1.0 drops the rel,
    type and length of entry links (its loop variable shadows the link dict)."""
    if not article.image:
        return
    link = etree.SubElement(entry, "link", href=article.image.url, rel="enclosure")
    if mime := image_type(article.image):
        link.set("type", mime)
    if article.image.length:
        link.set("length", str(article.image.length))


def _text_type(field: etree._Element) -> None:
    """A title/summary whose text looks like markup (an HTML end tag or entity) goes out as
    type="html", escaped, so readers show it literally instead of guessing."""
    text = field.text or ""
    if re.search(r"</\w+>|&#?\w+;", text):
        field.set("type", "html")
        field.text = html_text(text)


FORMAT = FeedFormat("atom", "atom.xml", "application/atom+xml", "Atom 1.0", "Atom", render)
