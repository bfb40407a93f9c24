"""Source kind `sitemap`: article URLs from a sitemap, sitemap index or Google News sitemap
(gzip aware; plain-text URL lists too), newest first, then extracted like `html` pages.

A news sitemap's <news:publication_date> and <news:title> fill in what a page lacks.
"""

from __future__ import annotations

import dataclasses
import gzip
import heapq
import io
import itertools
import logging
import re
import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from lxml import etree

from ..config import SitemapOptions, Source
from ..errors import ExtractError
from ..fetch import Fetcher
from ..model import RawArticle
from ..urls import clean_url, fetchable_link
from .page import fetch_articles

__all__ = ["collect", "parse_sitemap", "iter_sitemap", "SitemapEntry", "discover"]

log = logging.getLogger("feeds.sources.sitemap")

MAX_DEPTH = 2          # index -> sitemap -> urls; deeper nesting is not in the protocol
MAX_CHILDREN = 50      # child sitemaps read per index (newest first when lastmod is given)
MAX_ENTRIES = 200_000  # entries read per traversal, all files together (4 full sitemaps)
MAX_UNZIPPED = 60 * 1024 * 1024  # the protocol's 50 MB per file, with room


@dataclasses.dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: str = ""
    news_date: str = ""
    news_title: str = ""
    is_index: bool = False


def collect(source: Source, fetcher: Fetcher, now: datetime) -> list[RawArticle]:
    opts: SitemapOptions = source.options
    entries = discover(source, fetcher)
    by_url = {clean_url(e.loc): e for e in entries}
    raws = fetch_articles(source, fetcher, list(by_url), opts.rules, opts.remove)
    return [_with_news(raw, by_url.get(clean_url(raw.url))) for raw in raws]


def discover(source: Source, fetcher: Fetcher) -> list[SitemapEntry]:
    """Article entries, newest first (lastmod or news date), at most `max_urls`."""
    opts: SitemapOptions = source.options
    walk = _Walk(source, fetcher, opts.max_urls, opts.url_pattern)
    walk.visit(source.url, 0)
    entries = walk.newest()
    if not entries:
        raise ExtractError("no-items", source.url, f"source {source.id}: sitemap lists no URLs")
    return entries


def _newness(entry: SitemapEntry) -> str:
    return entry.news_date or entry.lastmod


class _Walk:
    """One traversal of a sitemap (index) tree. Bounded three ways: every sitemap URL is read
    at most once (an index that lists itself, or a cycle of indexes, ends there), nesting
    stops at MAX_DEPTH, and at most MAX_ENTRIES entries are read in all. Entries stream into a
    heap that keeps only the newest `limit`; children are read newest first, and a child whose
    lastmod is older than everything kept is not fetched at all."""

    def __init__(self, source: Source, fetcher: Fetcher, limit: int, pattern: str):
        self.source, self.fetcher, self.limit = source, fetcher, limit
        self.pattern = re.compile(pattern) if pattern else None
        self.seen: set[str] = set()
        self.read = 0
        self.order = itertools.count()
        self.kept: list[tuple[str, int, SitemapEntry]] = []  # min-heap: oldest kept on top

    def visit(self, url: str, depth: int) -> None:
        if clean_url(url) in self.seen:
            log.warning("%s: sitemap %s listed again (a cycle): not read twice", self.source.id, url)
            return
        self.seen.add(clean_url(url))
        try:
            children = self._read(url)
        except Exception as e:  # the top sitemap is the source; a child costs only itself
            if depth == 0:
                raise
            log.warning("%s: child sitemap %s failed: %s", self.source.id, url, e)
            return
        if children and depth >= MAX_DEPTH:
            log.warning("%s: sitemap %s nests deeper than %d levels: not followed",
                        self.source.id, url, MAX_DEPTH)
            return
        for child in sorted(children, key=lambda e: e.lastmod, reverse=True)[:MAX_CHILDREN]:
            if self.read >= MAX_ENTRIES or self._older_than_kept(child.lastmod):
                return
            self.visit(child.loc, depth + 1)

    def _read(self, url: str) -> list[SitemapEntry]:
        """Stream one sitemap's entries into the heap; return the child sitemaps it lists."""
        fetched = self.fetcher.get(url)
        children: list[SitemapEntry] = []
        for entry in iter_sitemap(fetched.body, fetched.url):
            self.read += 1
            if self.read > MAX_ENTRIES:
                log.warning("%s: more than %d sitemap entries: the rest are not read",
                            self.source.id, MAX_ENTRIES)
                break
            if entry.is_index:
                children.append(entry)
            elif self.pattern is None or self.pattern.search(entry.loc):
                self._keep(entry)
        return children

    def _keep(self, entry: SitemapEntry) -> None:
        item = (_newness(entry), -next(self.order), entry)  # ties: the earlier entry wins
        if len(self.kept) < self.limit:
            heapq.heappush(self.kept, item)
        elif item[:2] > self.kept[0][:2]:
            heapq.heapreplace(self.kept, item)

    def _older_than_kept(self, lastmod: str) -> bool:
        return bool(lastmod) and len(self.kept) >= self.limit and lastmod < self.kept[0][0]

    def newest(self) -> list[SitemapEntry]:
        return [e for _, _, e in sorted(self.kept, key=lambda i: i[:2], reverse=True)]


def parse_sitemap(body: bytes, url: str) -> list[SitemapEntry]:
    """Entries of a sitemap, sitemap index (is_index=True) or plain-text list of URLs."""
    return list(iter_sitemap(body, url))


def iter_sitemap(body: bytes, url: str) -> Iterator[SitemapEntry]:
    """The entries of one sitemap file, one at a time (the tree is never held whole)."""
    body = _gunzip(body, url)
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:4].lower().startswith(b"http"):
        for line in stripped.decode("utf-8", "replace").splitlines():
            if loc := fetchable_link(line, url):
                yield SitemapEntry(loc)
        return
    events = etree.iterparse(io.BytesIO(stripped), events=("start", "end"), recover=True,
                             resolve_entities=False, no_network=True, huge_tree=False)
    try:
        yield from _entries(events, url)
    except etree.XMLSyntaxError as e:
        raise ExtractError("parse-error", url, f"not a sitemap: {e}") from e


def _entries(events: Iterator[tuple[str, Any]], url: str) -> Iterator[SitemapEntry]:
    root_name, is_index = "", False
    for event, node in events:
        if not isinstance(node.tag, str):
            continue
        name = _local(node.tag)
        if not root_name:
            root_name = name
            if name not in ("urlset", "sitemapindex"):
                raise ExtractError("not-a-sitemap", url, "no <urlset> or <sitemapindex> element")
            is_index = name == "sitemapindex"
            continue
        if event == "end" and node.getparent() is not None and node.getparent().getparent() is None:
            entry = _entry(node, is_index, url)
            node.clear()
            while node.getprevious() is not None:  # free what was read: memory stays flat
                del node.getparent()[0]
            if entry.loc:
                yield entry
    if not root_name:
        raise ExtractError("parse-error", url, "not a sitemap: empty document")


def _entry(node: etree._Element, is_index: bool, base: str) -> SitemapEntry:
    """One <url> or <sitemap>; a relative <loc> (against the protocol, but seen) is resolved."""
    news = next((c for c in node if isinstance(c.tag, str) and _local(c.tag) == "news"), None)
    return SitemapEntry(
        loc=fetchable_link(_child(node, "loc"), base), lastmod=_child(node, "lastmod"),
        news_date=_child(news, "publication_date") if news is not None else "",
        news_title=_child(news, "title") if news is not None else "", is_index=is_index)


def _local(tag: str) -> str:
    """A tag's local name ('{ns}url' -> 'url'); never raises, unlike etree.QName on the odd
    names a recovering parser makes of broken markup ('http:')."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _child(node: etree._Element, name: str) -> str:
    for child in node:
        if isinstance(child.tag, str) and _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _gunzip(body: bytes, url: str) -> bytes:
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = inflater.decompress(body, MAX_UNZIPPED)
    except (zlib.error, gzip.BadGzipFile) as e:
        raise ExtractError("parse-error", url, f"bad gzip sitemap: {e}") from e
    if inflater.unconsumed_tail:
        raise ExtractError("too-large", url, "sitemap exceeds 50 MB unzipped")
    return out


def _with_news(raw: RawArticle, entry: SitemapEntry | None) -> RawArticle:
    if entry is None:
        return raw
    return dataclasses.replace(
        raw, title=raw.title or entry.news_title,
        published=raw.published or entry.news_date or None,
        updated=raw.updated or entry.lastmod or None,
        provenance={**raw.provenance, **({"published": "news sitemap"} if not raw.published
                                         and entry.news_date else {})})
