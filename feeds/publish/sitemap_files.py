"""The sitemap set on disk: output/sitemap.xml (index) over output/sitemaps/*.xml.

Article shards are named by the UTC month of publication (articles-2023-07.xml, then
articles-2023-07-2.xml ... when a month outgrows 50,000 URLs or the byte limit), so a new
article only ever touches its own month. A manifest in the store's publish_state remembers
each shard's URL count and lastmod plus the newest `changed_at` already published; the next
publish asks the store which months changed since then (changed_at index) and re-renders
only those. Anything unexpected (no manifest, a shard missing on disk, other settings, row
counts that no longer add up) falls back to one streamed full rebuild.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import Config, Site
from ..store import Store
from .sitemap import (
    BAIDU_MAX_BYTES,
    MAX_BYTES,
    MAX_URLS,
    SITEMAP_XSL,
    Cut,
    Tally,
    article_shards,
    news_entry,
    render_index,
    render_urlset,
    url_entry,
    urlset_head,
)
from .writer import BackgroundSync, StreamWriter, commit_all, remove_if_exists, write_if_changed

__all__ = ["SitemapSet", "news_language", "portal_prefix", "publish_sitemaps"]

log = logging.getLogger("feeds.publish.sitemaps")

STATE = "sitemaps"
FORMAT_VERSION = 2  # bump when the shard bytes change (2: ties by id): one full rebuild
NEWS_WINDOW = timedelta(hours=48)
NEWS_MAX = 1000
DIR = "sitemaps"


@dataclass
class SitemapSet:
    """What was published: every sitemap URL (index first) and the files written/kept."""

    index_url: str = ""
    shard_urls: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    full: bool = False
    pending: list[StreamWriter] = field(default_factory=list, repr=False)
    syncer: BackgroundSync = field(default_factory=BackgroundSync, repr=False)


def portal_prefix(site: Site) -> str:
    """scheme://host/ of the portal: the only URLs a sitemap may list (same-host rule)."""
    parts = urlsplit(site.home_url)
    return f"{parts.scheme}://{parts.netloc.lower()}/"


def news_language(language: str) -> str:
    """news:language as the news XSD wants it: zh-cn, zh-tw or a bare 2-3 letter code."""
    lang = language.lower().replace("_", "-")
    if lang in ("zh-cn", "zh-tw"):
        return lang
    if lang.startswith("zh"):
        return "zh-tw" if lang in ("zh-hant", "zh-hk", "zh-mo") else "zh-cn"
    return lang.split("-")[0]


def publish_sitemaps(config: Config, store: Store, now: datetime,
                     mark: tuple[str, list[str] | None]) -> SitemapSet:
    """Bring the sitemap set up to date with the store; `mark` is changes.read_mark() taken
    before rendering (saved so that the next publish starts there)."""
    ctx = _Context(config)
    manifest = store.get_state("publish_state", STATE)
    result = SitemapSet()
    try:
        if not _incremental(ctx, store, manifest, result):
            result.syncer.pool.shutdown()  # let queued fsyncs finish before their files go
            _discard(result)
            result.pending.clear()
            result.syncer = BackgroundSync()
            manifest = _full(ctx, store, manifest, result)
        commit_all(result.pending, result.syncer)
    finally:
        result.syncer.pool.shutdown()
        _discard(result)
    for writer in result.pending:
        ctx.after_write(writer.path.relative_to(ctx.out).as_posix(), writer.changed, result)
    manifest["mark"], manifest["mark_ids"] = mark
    _pages(ctx, manifest, result)
    news = _news(ctx, store, now, result)
    _index(ctx, manifest, news, result)
    store.put_state("publish_state", STATE, manifest)
    return result


class _Context:
    """Settings derived once per publish."""

    def __init__(self, config: Config):
        opts, site = config.sitemaps, config.site
        self.config, self.site, self.opts = config, site, opts
        self.out = config.output_path
        self.prefix = portal_prefix(site)
        self.max_bytes = BAIDU_MAX_BYTES if opts.baidu else MAX_BYTES
        self.head = urlset_head(f"../{SITEMAP_XSL}")  # relative: shards are in sitemaps/
        self.fingerprint = hashlib.sha256(json.dumps(
            [FORMAT_VERSION, self.prefix, site.base_url, self.max_bytes, opts.images, opts.gzip]
        ).encode()).hexdigest()[:16]

    def write(self, rel: str, data: bytes, result: SitemapSet) -> None:
        changed = write_if_changed(self.out / rel, data)
        self.after_write(rel, changed, result)

    def after_write(self, rel: str, changed: bool, result: SitemapSet) -> None:
        (result.written if changed else result.unchanged).append(rel)
        gz = self.out / f"{rel}.gz"
        if self.opts.gzip and (changed or not gz.exists()):
            # mtime=0: the same XML always gives the same .gz bytes
            write_if_changed(gz, gzip.compress((self.out / rel).read_bytes(), 6, mtime=0))

    def remove(self, rel: str) -> None:
        remove_if_exists(self.out / rel)
        remove_if_exists(self.out / f"{rel}.gz")


def _discard(result: SitemapSet) -> None:
    """Drop temp files that were not committed (a failed or abandoned pass)."""
    for writer in result.pending:
        if writer.changed and Path(writer.tmp).exists():
            writer.abort()


# --- article shards ---------------------------------------------------------------------

def _incremental(ctx: _Context, store: Store, manifest: dict[str, Any], result: SitemapSet) -> bool:
    """Re-render only the months changed since the manifest's mark; False if a full rebuild
    is needed instead."""
    if manifest.get("fingerprint") != ctx.fingerprint or "mark" not in manifest:
        return False
    months = manifest["months"]
    if any(not (ctx.out / DIR / f["name"]).exists() for m in months.values() for f in m["files"]):
        return False
    since, seen = manifest["mark"], manifest.get("mark_ids")
    for channel, newest in store.changed_channels(since, seen).items():
        if newest > manifest["channels"].get(channel, ""):
            manifest["channels"][channel] = newest
    for month in sorted(store.changed_months(since, seen)):
        rows = store.sitemap_rows(month, _next_month(month))
        months[month] = _write_month(ctx, month, rows, months.get(month), result, Tally())
    if sum(m["rows"] for m in months.values()) != store.count():
        log.info("sitemaps: article months moved; rebuilding every shard")
        return False
    return True


def _full(ctx: _Context, store: Store, old: dict[str, Any], result: SitemapSet) -> dict[str, Any]:
    """Stream every article once, month by month, rewriting only shards whose bytes change."""
    result.full = True
    old_months = old.get("months", {}) if old.get("fingerprint") == ctx.fingerprint else {}
    months: dict[str, Any] = {}
    tally = Tally()
    for month in sorted(store.month_counts()):  # one indexed range query per month
        rows = store.sitemap_rows(month, _next_month(month))
        months[month] = _write_month(ctx, month, rows, old_months.get(month), result, tally)
    keep = {f["name"] for m in months.values() for f in m["files"]}
    for path in (ctx.out / DIR).glob("articles-*.xml*"):
        if path.name.removesuffix(".gz") not in keep or (path.suffix == ".gz" and not ctx.opts.gzip):
            path.unlink()
    return {"fingerprint": ctx.fingerprint, "months": months, "channels": tally.channels}


def _write_month(ctx: _Context, month: str, rows: Iterable[tuple[str, ...]],
                 old: dict[str, Any] | None, result: SitemapSet,
                 tally: Tally) -> dict[str, Any]:
    """Write one month's shards; return its manifest entry {rows, files: [{name, lastmod, urls}]}."""
    seen_before = tally.rows
    events = article_shards(rows, ctx.head, ctx.prefix, ctx.opts.images, tally, MAX_URLS,
                            ctx.max_bytes)
    files: list[dict[str, Any]] = []
    writer: StreamWriter | None = None
    try:
        for event in events:
            if isinstance(event, Cut):
                assert writer is not None
                name = _shard_name(month, len(files) + 1)
                writer.close()
                result.pending.append(writer)
                files.append({"name": name, "lastmod": event.lastmod, "urls": event.count})
                writer = None
            else:
                if writer is None:
                    writer = StreamWriter(ctx.out / DIR / _shard_name(month, len(files) + 1),
                                          result.syncer)
                writer.write(event)
    finally:
        if writer is not None:
            writer.abort()
    for stale in (old or {}).get("files", [])[len(files):]:
        ctx.remove(f"{DIR}/{stale['name']}")
    return {"rows": tally.rows - seen_before, "files": files}


def _shard_name(month: str, part: int) -> str:
    return f"articles-{month}.xml" if part == 1 else f"articles-{month}-{part}.xml"


def _next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


# --- pages, news, index -------------------------------------------------------------------

def _pages(ctx: _Context, manifest: dict[str, Any], result: SitemapSet) -> None:
    """pages.xml: the portal's home page and every channel page on its host."""
    lastmods = manifest.get("channels", {})
    entries = [url_entry(ctx.site.home_url, max(lastmods.values(), default=""), None,
                         "hourly", "1.0")]
    for channel in ctx.config.channels:
        if channel.url.startswith(ctx.prefix):
            entries.append(url_entry(channel.url, lastmods.get(channel.id, ""), None,
                                     "hourly", "0.8"))
    if ctx.site.home_url.startswith(ctx.prefix):
        ctx.write(f"{DIR}/pages.xml", render_urlset(entries, f"../{SITEMAP_XSL}"),
                  result)
    manifest["pages_lastmod"] = max(lastmods.values(), default="")


def _news(ctx: _Context, store: Store, now: datetime, result: SitemapSet) -> str:
    """news.xml of the last 48 hours (at most 1,000 URLs); its lastmod, '' when there is none."""
    rel = f"{DIR}/news.xml"
    if not ctx.opts.news:
        ctx.remove(rel)
        return ""
    since = (now - NEWS_WINDOW).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = store.news_rows(since, NEWS_MAX, ctx.prefix)
    name = ctx.opts.news_name or ctx.site.title
    lang = news_language(ctx.site.language)
    entries, newest = [], ""
    for url, published, title in rows:
        stamp = datetime.fromisoformat(published).replace(microsecond=0).isoformat()
        entries.append(news_entry(url, name, lang, stamp, title or url))
        newest = max(newest, stamp)
    if not entries:  # an empty urlset is invalid: publish no news sitemap at all
        ctx.remove(rel)
        return ""
    ctx.write(rel, render_urlset(entries, f"../{SITEMAP_XSL}"), result)
    return newest


def _index(ctx: _Context, manifest: dict[str, Any], news_lastmod: str,
           result: SitemapSet) -> None:
    shards: list[tuple[str, str]] = []
    if (ctx.out / DIR / "pages.xml").exists():
        shards.append((f"{DIR}/pages.xml", manifest.get("pages_lastmod", "")))
    if news_lastmod:
        shards.append((f"{DIR}/news.xml", news_lastmod))
    for month in sorted(manifest["months"]):
        shards += [(f"{DIR}/{f['name']}", f["lastmod"]) for f in manifest["months"][month]["files"]]
    urls = [(ctx.site.absolute(rel), lastmod) for rel, lastmod in shards]
    ctx.write("sitemap.xml", render_index(urls, SITEMAP_XSL), result)
    result.index_url = ctx.site.absolute("sitemap.xml")
    result.shard_urls = [u for u, _ in urls]
