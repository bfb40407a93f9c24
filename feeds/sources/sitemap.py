"""Source kind `sitemap`: article URLs from a sitemap, sitemap index or Google News sitemap
(gzip aware; plain-text URL lists too), newest first, then extracted like `html` pages.

A news sitemap's <news:publication_date> and <news:title> fill in what a page lacks.
"""

from __future__ import annotations

import dataclasses
import gzip
import logging
import re
import zlib
from datetime import datetime

from lxml import etree

from ..config import SitemapOptions, Source
from ..errors import ExtractError, FeedsError
from ..fetch import Fetcher
from ..model import RawArticle
from ..urls import clean_url, fetchable_link
from .page import fetch_articles

__all__ = ["collect", "parse_sitemap", "SitemapEntry", "discover"]

log = logging.getLogger("feeds.sources.sitemap")

MAX_DEPTH = 2          # index -> sitemap -> urls; deeper nesting is not in the protocol
MAX_CHILDREN = 50      # child sitemaps read per index (newest first when lastmod is given)
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
    entries = _walk(fetcher, source.url, 0, source)
    if opts.url_pattern:
        entries = [e for e in entries if re.search(opts.url_pattern, e.loc)]
    entries.sort(key=lambda e: e.news_date or e.lastmod, reverse=True)  # stable: order kept on ties
    if not entries:
        raise ExtractError("no-items", source.url, f"source {source.id}: sitemap lists no URLs")
    return entries[: opts.max_urls]


def _walk(fetcher: Fetcher, url: str, depth: int, source: Source) -> list[SitemapEntry]:
    try:
        fetched = fetcher.get(url)
    except FeedsError as e:
        if depth == 0:
            raise
        log.warning("%s: child sitemap %s failed: %s", source.id, url, e)
        return []
    entries = parse_sitemap(fetched.body, fetched.url)
    out = [e for e in entries if not e.is_index]
    children = sorted((e for e in entries if e.is_index), key=lambda e: e.lastmod, reverse=True)
    if depth < MAX_DEPTH:
        for child in children[:MAX_CHILDREN]:
            out.extend(_walk(fetcher, child.loc, depth + 1, source))
    return out


def parse_sitemap(body: bytes, url: str) -> list[SitemapEntry]:
    """Entries of a sitemap, sitemap index (is_index=True) or plain-text list of URLs."""
    body = _gunzip(body, url)
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:4].lower().startswith(b"http"):
        lines = stripped.decode("utf-8", "replace").splitlines()
        return [SitemapEntry(loc) for loc in (fetchable_link(line, url) for line in lines) if loc]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(stripped, parser)
    except etree.XMLSyntaxError as e:
        raise ExtractError("parse-error", url, f"not a sitemap: {e}") from e
    if root is None or etree.QName(root).localname not in ("urlset", "sitemapindex"):
        raise ExtractError("not-a-sitemap", url, "no <urlset> or <sitemapindex> element")
    is_index = etree.QName(root).localname == "sitemapindex"
    entries = (_entry(node, is_index, url) for node in root if isinstance(node.tag, str))
    return [e for e in entries if e.loc]


def _entry(node: etree._Element, is_index: bool, base: str) -> SitemapEntry:
    """One <url> or <sitemap>; a relative <loc> (against the protocol, but seen) is resolved."""
    news = next((c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == "news"), None)
    return SitemapEntry(
        loc=fetchable_link(_child(node, "loc"), base), lastmod=_child(node, "lastmod"),
        news_date=_child(news, "publication_date") if news is not None else "",
        news_title=_child(news, "title") if news is not None else "", is_index=is_index)


def _child(node: etree._Element, name: str) -> str:
    for child in node:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
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
