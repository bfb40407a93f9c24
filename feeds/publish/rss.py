"""RSS 2.0 (https://www.rssboard.org/rss-specification) via feedgen, with content:encoded,
dc:creator, media:content and the WebSub hub link that feedgen does not write for RSS."""

from __future__ import annotations

from feedgen.entry import FeedEntry
from lxml import etree

from ..config import Site
from ..model import Article
from .common import (
    base_generator,
    build_date,
    guid,
    html_text,
    image_type,
    seconds,
    serialise,
)
from .feedset import FeedFormat, FeedSpec, categories

__all__ = ["render"]

ATOM_NS = "http://www.w3.org/2005/Atom"


def render(site: Site, spec: FeedSpec) -> bytes:
    """Return the RSS 2.0 document for `spec`, newest item first."""
    fg = base_generator(site, spec, FORMAT)
    fg.load_extension("dc", atom=False, rss=True)
    fg.load_extension("media", atom=False, rss=True)
    fg.lastBuildDate(build_date(spec))
    if spec.articles:
        fg.pubDate(seconds(max(a.published for a in spec.articles)))
    fg.ttl(spec.ttl)
    for article in spec.articles:
        _item(fg.add_entry(order="append"), spec, article)
    root, _ = fg._create_rss()  # the tree, so that we can add what feedgen leaves out
    _add_hubs(root, spec.hubs)
    return serialise(root, site, spec)


def _item(entry: FeedEntry, spec: FeedSpec, article: Article) -> None:
    entry.guid(guid(article.id), permalink=False)
    entry.title(article.title)
    entry.link(href=article.url)
    entry.description(html_text(article.summary or article.title))  # description is HTML
    if article.content_html:
        entry.content(article.content_html)  # escaped text inside content:encoded
    entry.pubDate(seconds(article.published))
    if article.authors:
        entry.dc.dc_creator(list(article.authors))
    for term in categories(spec, article):
        entry.category(term=term)
    if article.image:
        _lead_image(entry, article)


def _lead_image(entry: FeedEntry, article: Article) -> None:
    image, mime = article.image, image_type(article.image) if article.image else None
    assert image is not None
    if mime:  # enclosure needs a type; length 0 when unknown (as the RSS Advisory Board advises)
        entry.enclosure(image.url, str(image.length or 0), mime)
    media = {"url": image.url, "medium": "image"}
    for key, value in (("type", mime), ("fileSize", image.length), ("width", image.width),
                       ("height", image.height)):
        if value:
            media[key] = str(value)
    entry.media.content(media, group=None)


def _add_hubs(root: etree._Element, hubs: tuple[str, ...]) -> None:
    """<atom:link rel="hub"> after the self link (WebSub 1.0, section 4)."""
    channel = root.find("channel")
    anchor = channel.find(f"{{{ATOM_NS}}}link")
    for hub in reversed(hubs):
        link = etree.Element(f"{{{ATOM_NS}}}link", href=hub, rel="hub")
        anchor.addnext(link)


FORMAT = FeedFormat("rss", "rss.xml", "application/rss+xml", "RSS 2.0", "RSS", render)
