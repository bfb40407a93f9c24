"""Share metadata for every article: output/share/<id>.html, <id>.json and <id>.head.html.

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
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from ...config import Config
from ...model import Article
from ...store import Store
from ..formats import FORMATS
from ..writer import remove_if_exists, write_if_changed
from .html import render_head, render_json, render_page
from .meta import build_meta, feed_links

__all__ = ["OUTPUTS", "SHARE_DIR", "ShareResult", "publish_share", "render_article"]

log = logging.getLogger("feeds.publish.share")

SHARE_DIR = "share"
MARK = ".mark.json"
BATCH = 500  # articles rendered between two saves of the mark
RENDER_VERSION = "1"  # bump when the renderers' output changes, to re-render every article
OUTPUTS = {".html": render_page, ".json": render_json, ".head.html": render_head}
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")  # ids become file names: no dots, no '/'


@dataclass
class ShareResult:
    """Share files rewritten, found identical, removed; articles that failed to render."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def render_article(config: Config, article: Article) -> dict[str, bytes]:
    """Every share output of one article, keyed by file suffix."""
    site = config.site
    channel = config.channel(article.channel) if article.channel else None
    page_url = site.absolute(f"{SHARE_DIR}/{article.id}.html")
    meta = build_meta(site, channel, article, page_url, feed_links(site, channel))
    return {suffix: render(meta) for suffix, render in OUTPUTS.items()}


def publish_share(config: Config, store: Store, now: datetime) -> ShareResult:
    """Bring output/share/ up to date with the store; only changed articles are rendered."""
    folder = config.output_path / SHARE_DIR
    settings = _settings_digest(config)
    state = _load(folder)
    fresh = state.get("settings") != settings
    mark = Mark(("", "") if fresh else tuple(state.get("after", ("", ""))),  # type: ignore[arg-type]
                tuple(state.get("removed", ("", ""))))  # type: ignore[arg-type]
    result = ShareResult()
    while batch := store.changed_after(mark.after, BATCH):  # stamps are unique and increasing
        for _changed_at, article_id, article in batch:
            _publish_one(config, folder, article_id, article, result)
        mark = mark._replace(after=batch[-1][:2])
        _save(folder, settings, mark)
    while removed := store.removed_after(mark.removed, BATCH):
        for _removed_at, article_id in removed:
            _remove_files(folder, article_id, result)
        mark = mark._replace(removed=(removed[-1][0], removed[-1][1]))
        _save(folder, settings, mark)
    _save(folder, settings, mark)
    return result


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


def _publish_one(config: Config, folder: Path, article_id: str, article: Article,
                 result: ShareResult) -> None:
    """Render and write one article's files; a bad article is logged and skipped."""
    if not _SAFE_ID.fullmatch(article_id):
        log.warning("publish share: article id %r cannot be a file name; skipped", article_id)
        return
    try:
        outputs = render_article(config, article)
    except (ValueError, TypeError, LookupError, etree.LxmlError) as e:
        log.warning("publish share: article %s (%s): %s", article_id, article.url, e)
        result.failed.append(article_id)
        return
    for suffix, data in outputs.items():
        rel = f"{SHARE_DIR}/{article_id}{suffix}"
        changed = write_if_changed(folder / f"{article_id}{suffix}", data)
        (result.written if changed else result.unchanged).append(rel)


def _remove_files(folder: Path, article_id: str, result: ShareResult) -> None:
    if not _SAFE_ID.fullmatch(article_id):
        return
    for suffix in OUTPUTS:
        if remove_if_exists(folder / f"{article_id}{suffix}"):
            result.removed.append(f"{SHARE_DIR}/{article_id}{suffix}")


def _settings_digest(config: Config) -> str:
    """Changes when anything besides the article itself changes what its pages say."""
    parts = [RENDER_VERSION, repr(config.site), repr(config.channels), repr(sorted(FORMATS))]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
