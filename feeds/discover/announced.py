"""What a site offers ready-made: the feeds it announces, the usual feed paths that answer
with a real feed, and the sitemaps named in robots.txt or found at /sitemap.xml.

Every candidate is fetched through the project's fetcher (robots.txt, politeness, address
guard) and parsed by the same parsers collection uses, so "a real feed" means one the `feed`
kind would accept; each finding carries its item count and newest date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import urlsplit

from lxml import etree

from ..dates import parse as parse_date
from ..errors import FeedsError
from ..fetch import Fetched, Fetcher
from ..sources.feed import parse as parse_feed
from ..sources.sitemap import parse_sitemap
from ..urls import absolute

__all__ = ["FEED_PATHS", "Offer", "announced_feeds", "describe_feed", "describe_sitemap",
           "linked_feeds", "sitemap_urls"]

FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/json", "application/rdf+xml", "application/xml", "text/xml"}
FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/feed.json")


@dataclass(frozen=True)
class Offer:
    """A feed or sitemap the site offers, as found."""

    kind: str  # "feed" | "sitemap"
    url: str
    title: str
    how: str  # where we found it
    items: int
    newest: datetime | None
    index: bool = False  # a sitemap index (items are child sitemaps)


def announced_feeds(root: etree._Element, page_url: str) -> list[tuple[str, str]]:
    """(absolute URL, title) of every <link rel="alternate"> feed in the page's head."""
    out: dict[str, str] = {}
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rels and kind in FEED_TYPES and link.get("href"):
            out.setdefault(absolute(page_url, link.get("href", "").strip()),
                           link.get("title") or "")
    return list(out.items())


_FEED_LINK_TEXT = re.compile(r"^\s*(?:rss|atom|feed|订阅|rss订阅)\s*$", re.I)
_FEED_HREF = re.compile(r"(?:rss|feed|atom)[^/]*$|\.(?:rss|atom)$", re.I)


def linked_feeds(root: etree._Element, page_url: str, limit: int = 10) -> list[str]:
    """Links on the page that look like feeds (text RSS/订阅, or a feed-like file name): many
    portals link their feeds in the page instead of announcing them in the head."""
    out: dict[str, None] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:", "mailto:")) and (
                _FEED_LINK_TEXT.match(a.text_content()) or _FEED_HREF.search(href.split("?")[0])):
            out.setdefault(absolute(page_url, href), None)
    return list(out)[:limit]


def describe_feed(fetcher: Fetcher, url: str, how: str, tz: tzinfo, now: datetime,
                  title: str = "") -> Offer | None:
    """The feed at `url` with its item count and newest date; None when it is not a feed."""
    try:
        fetched = fetcher.get(url)
        raws = parse_feed(fetched)
    except FeedsError:
        return None
    if not raws:
        return None
    return Offer("feed", fetched.url, title or _feed_title(fetched), how, len(raws),
                 _newest([d for r in raws for d in (r.published, r.updated)], tz, now))


def _feed_title(fetched: Fetched) -> str:
    import feedparser

    parsed = feedparser.parse(fetched.body)
    return str(parsed.feed.get("title", "")) if not parsed.bozo else ""


def sitemap_urls(fetcher: Fetcher, page_url: str) -> list[tuple[str, str]]:
    """(sitemap URL, how found): the `Sitemap:` lines of robots.txt, then /sitemap.xml."""
    root = f"{urlsplit(page_url).scheme}://{urlsplit(page_url).netloc}"
    out: dict[str, str] = {}
    try:
        text = fetcher.get(root + "/robots.txt").body.decode("utf-8", "replace")
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and value.strip():
                out.setdefault(absolute(root + "/", value.strip()), "robots.txt Sitemap: line")
    except FeedsError:
        pass
    out.setdefault(root + "/sitemap.xml", "/sitemap.xml")
    return list(out.items())


def describe_sitemap(fetcher: Fetcher, url: str, how: str, tz: tzinfo,
                     now: datetime) -> Offer | None:
    """The sitemap at `url` with its URL count (or child count) and newest lastmod."""
    try:
        fetched = fetcher.get(url)
        entries = parse_sitemap(fetched.body, fetched.url)
    except FeedsError:
        return None
    if not entries:
        return None
    stamps = [e.news_date or e.lastmod for e in entries if e.news_date or e.lastmod]
    return Offer("sitemap", fetched.url, "", how, len(entries), _newest(stamps, tz, now),
                 index=entries[0].is_index)


def _newest(values: list, tz: tzinfo, now: datetime) -> datetime | None:
    parsed = [p.value for p in (parse_date(v, tz, now) for v in values if v) if p is not None]
    return max(parsed, default=None)
