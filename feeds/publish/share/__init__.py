"""Share metadata for every article: output/share/<id[:3]>/<id>.html, .json and .head.html.

Files are sharded by the first three characters of the id (ids are UUIDs, so 4,096 folders of
about 250 articles each at a million articles): no folder grows past a few thousand entries.

Incremental and resumable: the store stamps every write with a unique, increasing `changed_at`,
and we keep a mark (the last (changed_at, id) rendered, plus a digest of the settings that shape
the pages) in output/share/.mark.json, beside the files it describes: wiping output/ can never
leave a stale "already rendered" record. A publish walks the changes after the mark in batches, oldest first,
saving the mark after each batch, so memory stays flat in the number of articles and a publish
that is killed half-way resumes where it stopped. Settings that change the pages (site,
channels, feed formats, renderer version) reset the mark: everything is rendered again, and
byte-identical files are not rewritten (writer.py). Removed articles (`store.remove`) leave
tombstones, walked the same way, whose files are deleted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from ...config import Config
from ...model import Article, Channel
from ...store import Store
from ..formats import FORMATS
from ..paths import Paths
from ..writer import BatchWriter, remove_if_exists, write_if_changed
from .html import STYLE, STYLESHEET, render_all
from .meta import FeedLink, build_meta, feed_links, feed_pages

__all__ = ["OUTPUTS", "SHARD", "SHARE_DIR", "ShareResult", "publish_share", "render_article",
           "share_path"]

log = logging.getLogger("feeds.publish.share")

SHARE_DIR = "share"
MARK = ".mark.json"
BATCH = 500  # articles rendered between two saves of the mark
PARALLEL = 4 * BATCH  # a backlog at least this long is rendered by share.workers processes
RENDER_VERSION = "2"  # bump when the renderers' output changes, to re-render every article
SHARD = 3  # leading characters of the id that name its folder
OUTPUTS = (".html", ".json", ".head.html")
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")  # ids become file names: no dots, no '/'
_FLAT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.(?:html|json|head\.html)")  # the old layout


def share_path(article_id: str, suffix: str = ".html") -> str:
    """Where an article's share file lives under output/: share/<id[:3]>/<id><suffix>."""
    return f"{SHARE_DIR}/{article_id[:SHARD]}/{article_id}{suffix}"


@dataclass
class ShareResult:
    """Share files rewritten, found identical, removed; articles that failed to render."""

    written: list[str] = field(default_factory=Paths)  # a sample and the count (paths.py)
    unchanged: list[str] = field(default_factory=Paths)
    removed: list[str] = field(default_factory=Paths)
    failed: list[str] = field(default_factory=list)


class _Renderer:
    """What every article of one publish shares: the config and, per channel, its feed links
    and feed pages."""

    def __init__(self, config: Config):
        self.config = config
        self.share_url = config.site.absolute(f"{SHARE_DIR}/")  # + "<shard>/<id>.html"
        self.channels: dict[str, tuple[Channel | None, tuple[FeedLink, ...],
                                       tuple[tuple[str, str], ...]]] = {}

    def channel(self, channel_id: str) -> tuple[Channel | None, tuple[FeedLink, ...],
                                                tuple[tuple[str, str], ...]]:
        if channel_id not in self.channels:
            site = self.config.site
            channel = self.config.channel(channel_id) if channel_id else None
            self.channels[channel_id] = (channel, feed_links(site, channel),
                                         feed_pages(site, channel))
        return self.channels[channel_id]

    def render(self, article: Article) -> dict[str, bytes]:
        site = self.config.site
        channel, feeds, pages = self.channel(article.channel)
        page_url = self.share_url + share_path(article.id).removeprefix(f"{SHARE_DIR}/")
        return render_all(build_meta(site, channel, article, page_url, feeds, pages))


def render_article(config: Config, article: Article) -> dict[str, bytes]:
    """Every share output of one article, keyed by file suffix."""
    return _Renderer(config).render(article)


def publish_share(config: Config, store: Store, now: datetime) -> ShareResult:
    """Bring output/share/ up to date with the store; only changed articles are rendered."""
    folder = config.output_path / SHARE_DIR
    settings = _settings_digest(config)
    state = _load(folder)
    fresh = state.get("settings") != settings
    if fresh:
        _drop_flat_files(folder)
    write_if_changed(folder / STYLESHEET, (STYLE + "\n").encode("utf-8"))
    mark = Mark(("", "") if fresh else tuple(state.get("after", ("", ""))),  # type: ignore[arg-type]
                tuple(state.get("removed", ("", ""))))  # type: ignore[arg-type]
    result, renderer = ShareResult(), _Renderer(config)
    if config.share.workers > 1 and len(store.changed_keys(mark.after, PARALLEL)) == PARALLEL:
        from .parallel import render_parallel

        def save(last: tuple[str, str]) -> None:
            _save(folder, settings, mark._replace(after=last))

        after = render_parallel(config, store, mark.after, BATCH,
                                lambda part: _merge(result, part), save)
        mark = mark._replace(after=after)
    with _Syncer(folder, settings) as syncer:
        while batch := store.changed_after(mark.after, BATCH):  # stamps unique, increasing
            writer = BatchWriter()
            for _changed_at, article_id, article in batch:
                _publish_one(renderer, writer, article_id, article, result)
            mark = mark._replace(after=batch[-1][:2])
            syncer.submit(writer, mark)  # flushed while the next batch renders, then saved
    while removed := store.removed_after(mark.removed, BATCH):
        for _removed_at, article_id in removed:
            _remove_files(config.output_path, article_id, result)
        mark = mark._replace(removed=(removed[-1][0], removed[-1][1]))
        _save(folder, settings, mark)
    _save(folder, settings, mark)
    return result


def _merge(result: ShareResult, part: ShareResult) -> None:
    result.written += part.written
    result.unchanged += part.unchanged
    result.failed += part.failed


class _Syncer:
    """Flushes each batch's files to disk on a worker thread, then saves the mark that covers
    them, while the next batch renders: the disk and the CPU work at once. One batch in
    flight at a time; leaving the block (even by an exception) waits for it."""

    def __init__(self, folder: Path, settings: str):
        self.folder, self.settings = folder, settings
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="feeds-share-sync")
        self.future: Future[None] | None = None

    def submit(self, writer: BatchWriter, mark: Mark) -> None:
        self.wait()
        self.future = self.pool.submit(self._flush, writer, mark)

    def _flush(self, writer: BatchWriter, mark: Mark) -> None:
        writer.sync()
        _save(self.folder, self.settings, mark)

    def wait(self) -> None:
        if self.future is not None:
            future, self.future = self.future, None
            future.result()

    def __enter__(self) -> _Syncer:
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self.wait()
        finally:
            self.pool.shutdown()


class Mark(NamedTuple):
    """Where the last publish stopped: (changed_at, id) of articles and of removals."""

    after: tuple[str, str]
    removed: tuple[str, str]


def _load(folder: Path) -> dict:
    try:
        data = json.loads((folder / MARK).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(folder: Path, settings: str, mark: Mark) -> None:
    data = {"settings": settings, "after": list(mark.after), "removed": list(mark.removed)}
    write_if_changed(folder / MARK, json.dumps(data).encode("utf-8"))


def _publish_one(renderer: _Renderer, writer: BatchWriter, article_id: str, article: Article,
                 result: ShareResult) -> None:
    """Render and stage one article's files; a bad article is logged and skipped."""
    if not _SAFE_ID.fullmatch(article_id):
        log.warning("publish share: article id %r cannot be a file name; skipped", article_id)
        return
    try:
        outputs = renderer.render(article)
    except (ValueError, TypeError, LookupError) as e:
        log.warning("publish share: article %s (%s): %s", article_id, article.url, e)
        result.failed.append(article_id)
        return
    out = str(renderer.config.output_path)
    for suffix, data in outputs.items():
        rel = share_path(article_id, suffix)
        (result.written if writer.write(f"{out}/{rel}", data) else result.unchanged).append(rel)


def _remove_files(out: Path, article_id: str, result: ShareResult) -> None:
    if not _SAFE_ID.fullmatch(article_id):
        return
    for suffix in OUTPUTS:
        rel = share_path(article_id, suffix)
        if remove_if_exists(out / rel):
            result.removed.append(rel)


def _drop_flat_files(folder: Path) -> None:
    """Remove share files of the old flat layout (share/<id>.html): they are rendered again
    into their shard folders, and nginx redirects the old addresses (deploy/nginx.conf)."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        if _FLAT.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)


def _settings_digest(config: Config) -> str:
    """Changes when anything besides the article itself changes what its pages say."""
    parts = [RENDER_VERSION, repr(config.site), repr(config.channels), repr(sorted(FORMATS))]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
