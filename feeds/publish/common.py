"""Helpers shared by the feed renderers: channel-level fields, dates, images, serialising."""

from __future__ import annotations

import html
import mimetypes
from datetime import UTC, datetime
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator
from lxml import etree

from .. import __version__
from ..config import Site
from ..model import Image
from .feedset import FeedFormat, FeedSpec, newest_change

__all__ = [
    "EPOCH",
    "FEED_CSS",
    "FEED_XSL",
    "GENERATOR",
    "base_generator",
    "build_date",
    "guid",
    "html_text",
    "image_type",
    "logo_url",
    "seconds",
    "serialise",
]

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # build date of a feed with no items yet
GENERATOR = ("feeds", __version__, "https://github.com/feeds/feeds")
FEED_XSL = "style/feed.xsl"
FEED_CSS = "style/feed.css"
ATOM_NS = "http://www.w3.org/2005/Atom"


def guid(article_id: str) -> str:
    """The feed-level identity of an article: a URN made from its stored id, forever."""
    return f"urn:uuid:{article_id}"


def seconds(value: datetime) -> datetime:
    """Whole seconds: some readers drop the zone of fractional-second dates."""
    return value.replace(microsecond=0)


def build_date(spec: FeedSpec) -> datetime:
    """lastBuildDate/updated: the newest item change (a fixed epoch for an empty feed)."""
    return seconds(newest_change(spec.articles, EPOCH))


def image_type(image: Image) -> str | None:
    """The image's MIME type as known, else guessed from its URL's extension."""
    if image.type:
        return image.type
    guessed, _ = mimetypes.guess_type(image.url.split("?")[0])
    return guessed if guessed and guessed.startswith("image/") else None




def logo_url(site: Site) -> str:
    """The logo as an absolute URL (feed validators reject relative icon/logo/image URLs)."""
    return urljoin(site.home_url, site.logo) if site.logo else ""


def html_text(text: str) -> str:
    """Plain text made safe for an HTML-typed field (RSS description, Atom type="html")."""
    return html.escape(text, quote=False)


def base_generator(site: Site, spec: FeedSpec, fmt: FeedFormat) -> FeedGenerator:
    """A FeedGenerator with the channel-level fields every format shares."""
    fg = FeedGenerator()
    self_url = site.absolute(spec.path(fmt))
    fg.id(self_url)
    fg.title(spec.title)
    fg.description(spec.description)
    fg.subtitle(spec.description)
    fg.link(href=self_url, rel="self", type=fmt.mime)
    for hub in spec.hubs:
        fg.link(href=hub, rel="hub")
    fg.link(href=spec.link, rel="alternate")  # last: feedgen's RSS <link> is the last one set
    fg.language(site.language)
    fg.generator(*GENERATOR)
    if site.logo:
        fg.logo(logo_url(site))
        fg.image(url=logo_url(site), title=spec.title, link=spec.link)
    fg.updated(build_date(spec))
    return fg


def serialise(root: etree._Element, site: Site, spec: FeedSpec) -> bytes:
    """The document, pretty UTF-8, with two stylesheet PIs and a link to the feed's page.

    Browsers with XSLT render the feed through style/feed.xsl; browsers without it (they are
    dropping XSLT) skip that PI and apply style/feed.css, which shows the title, a sentence
    and the address of the feed's own page (the `related` link, also added here). Both hrefs
    are relative to the feed, so a copy of output/ served from anywhere finds them.
    """
    _page_link(root, site, spec)
    for kind, href in (("text/xsl", FEED_XSL), ("text/css", FEED_CSS)):
        root.addprevious(etree.ProcessingInstruction(
            "xml-stylesheet", f'type="{kind}" href="{spec.up}{href}"'))
    return etree.tostring(root.getroottree(), pretty_print=True, xml_declaration=True,
                          encoding="UTF-8")


def _page_link(root: etree._Element, site: Site, spec: FeedSpec) -> None:
    """<atom:link rel="related" type="text/html"> (RSS) or <link ...> (Atom) to the feed's page."""
    href = site.absolute(spec.page)
    if root.tag == "rss":
        channel = root.find("channel")
        links = channel.findall(f"{{{ATOM_NS}}}link")
        link = etree.Element(f"{{{ATOM_NS}}}link", href=href, rel="related", type="text/html")
    else:  # feedgen's Atom elements carry no namespace (xmlns is a plain attribute)
        channel, links = root, root.findall("link")
        link = etree.Element("link", href=href, rel="related", type="text/html")
    if links:
        links[-1].addnext(link)
    else:
        channel.append(link)
