"""Publishing: every output rendered from the store by pure renderers, written in one place.

Feed formats are registered in formats.py. `publish` writes the
feeds, the XSL stylesheets, the sitemap set, the feed directory, 网站地图 and robots.txt,
then (only if URLs were added or changed) notifies hubs and search engines.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

from ..config import Config
from ..errors import PublishError
from ..store import Store
from . import directory, feedpage, robots, sitemap_html
from .changes import Mark, changed_urls, read_mark, save_mark
from .feedset import FeedSpec, feed_specs
from .formats import FORMATS
from .notify import Outcome, notify
from .paths import Paths
from .share import publish_share
from .sitemap_files import SitemapSet, portal_prefix, publish_sitemaps
from .topics import publish_topics
from .variants import Variant, open_variants, render_variant_feeds
from .writer import write_if_changed

__all__ = ["PublishResult", "publish"]

log = logging.getLogger("feeds.publish")

STYLESHEETS = ("feed.xsl", "feed.css", "sitemap.xsl")


@dataclass
class PublishResult:
    """Which output files were rewritten and which were already up to date, and who was told."""

    written: list[str] = field(default_factory=Paths)  # Paths: a sample and the count
    unchanged: list[str] = field(default_factory=Paths)
    removed: list[str] = field(default_factory=Paths)
    changed_urls: list[str] = field(default_factory=list)
    notified: list[Outcome] = field(default_factory=list)
    sitemaps: SitemapSet | None = None

    def write(self, out: Path, rel: str, data: bytes) -> bool:
        changed = write_if_changed(out / rel, data)
        (self.written if changed else self.unchanged).append(rel)
        return changed


def publish(config: Config, store: Store, now: datetime, send: bool = True) -> PublishResult:
    """Render every output from the store into config.output_path, writing only what changed;
    then notify (when `send` and something changed). Notifications never fail a publish.
    An output that cannot be written (a file where a folder should be, no permission, disk
    full) is one PublishError line naming output_dir and the path, not a traceback."""
    try:
        return _publish(config, store, now, send)
    except OSError as e:
        where = e.filename or config.output_path
        raise PublishError(f"publish: output_dir {config.output_dir!r}: cannot write "
                           f"{where}: {e.strerror or e}") from e


def _publish(config: Config, store: Store, now: datetime, send: bool) -> PublishResult:
    result, out, site = PublishResult(), config.output_path, config.site
    mark = read_mark(store)  # read first: whatever changes while we render is seen next time
    specs = feed_specs(config, store)
    changed_feeds = [site.absolute(spec.path(fmt)) for spec in specs
                     for fmt in FORMATS.values()
                     if result.write(out, spec.path(fmt), fmt.render(site, spec))]
    variants = open_variants(config)  # 繁體 copies under zh-hant-tw/ ...
    changed_feeds += render_variant_feeds(variants, specs, lambda rel, data: result.write(
        out, rel, data))
    topic_specs, topic_files = publish_topics(config, store, lambda rel, data: result.write(
        out, rel, data), variants)  # topic feeds: only those whose articles changed are rendered
    changed_feeds += [site.absolute(rel) for rel in topic_files]
    for name in STYLESHEETS:
        data = resources.files(__package__).joinpath("style", name).read_bytes()
        result.write(out, f"style/{name}", data)
        for variant in variants:  # variant feeds point at their own (converted) stylesheet
            result.write(out, f"{variant.prefix}style/{name}", variant.page(f"style/{name}", data))
    _sitemaps(config, store, now, mark, result)
    _pages(config, specs + topic_specs, result, variants)
    for variant in variants:
        variant.save()
    if config.share.enabled:  # per-article share pages, only what changed
        shared = publish_share(config, store, now)
        result.written += shared.written
        result.unchanged += shared.unchanged
        result.removed += shared.removed
    result.changed_urls = changed_urls(store, portal_prefix(site))
    save_mark(store, mark)
    if send and (changed_feeds or result.changed_urls):
        result.notified = notify(config, changed_feeds, result.changed_urls)
    return result


def _sitemaps(config: Config, store: Store, now: datetime, mark: Mark, result: PublishResult) -> None:
    out, opts = config.output_path, config.sitemaps
    sitemaps = publish_sitemaps(config, store, now, mark) if opts.enabled else SitemapSet()
    result.sitemaps = sitemaps
    result.written += sitemaps.written
    result.unchanged += sitemaps.unchanged
    own = (config.root / opts.robots_file) if opts.robots_file else None
    result.write(out, "robots.txt", robots.render(sitemaps.index_url, sitemaps.shard_urls,
                                                  opts.baidu, own))
    if opts.baidu and sitemaps.shard_urls:  # for 搜索资源平台 > 普通收录 > sitemap, one per line
        result.write(out, "sitemaps/baidu.txt", ("\n".join(sitemaps.shard_urls) + "\n").encode())
    if config.notify.indexnow_key:  # IndexNow checks this file before accepting any URL
        result.write(out, f"{config.notify.indexnow_key}.txt", config.notify.indexnow_key.encode())


def _pages(config: Config, specs: list[FeedSpec], result: PublishResult,
           variants: list[Variant]) -> None:
    """feeds.html, feeds.opml and sitemap.html; the originals list every variant's feeds too,
    and each variant gets its own converted copies."""
    listed = specs + [v.listed(s) for v in variants for s in specs]
    _write_pages(config, listed, specs, result, None)
    for variant in variants:
        _write_pages(dataclasses.replace(config, site=variant.site), specs, specs, result,
                     variant)


def _write_pages(config: Config, listed: list[FeedSpec], specs: list[FeedSpec],
                 result: PublishResult, variant: Variant | None) -> None:
    out, site, n = config.output_path, config.site, config.sitemaps.html_latest
    latest = {s.key.split(":", 1)[1]: list(s.articles[:n]) for s in specs
              if s.key.startswith("channel:")}
    urls = result.sitemaps.shard_urls if result.sitemaps else []
    index = [result.sitemaps.index_url] if result.sitemaps and result.sitemaps.index_url else []
    pages = {"feeds.html": directory.render_html(site, listed),
             "feeds.opml": directory.render_opml(site, listed),
             "sitemap.html": sitemap_html.render(config, specs, latest, index + urls)}
    pages.update({spec.page: feedpage.render(site, spec) for spec in specs})  # index.html
    for rel, data in pages.items():
        if variant is not None:
            rel, data = variant.prefix + rel, variant.page(rel, data)
        result.write(out, rel, data)
