"""Share metadata for every article: output/share/<id>.html, <id>.json and <id>.head.html.

Incremental: a manifest (output/share/.manifest.json) records each article's store version
(changed_at + content hash) and a digest of the settings that shape the pages (site, channels,
feed formats, renderer version). A publish renders only articles whose version differs or that
are new, and removes the files of articles no longer in the store; with nothing changed it
reads one cheap column list from the store and writes nothing. The manifest is written last,
so a crash mid-publish only means some articles are rendered again (byte-identical files are
not rewritten, see writer.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree

from ..config import Config
from ..model import Article
from .feedset import FORMATS
from .share_html import render_head, render_json, render_page
from .share_meta import build_meta, feed_links
from .writer import remove_if_exists, write_if_changed

__all__ = ["OUTPUTS", "SHARE_DIR", "ShareResult", "plan", "publish_share", "render_article"]

log = logging.getLogger("feeds.publish.share")

SHARE_DIR = "share"
MANIFEST = ".manifest.json"
RENDER_VERSION = "1"  # bump when the renderers' output changes, to re-render every article
OUTPUTS = {".html": render_page, ".json": render_json, ".head.html": render_head}
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")  # ids become file names: no dots, no '/'


@dataclass
class ShareResult:
    """Share files rewritten, found identical, removed; how many articles were up to date."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    up_to_date: int = 0
    failed: list[str] = field(default_factory=list)


def plan(current: dict[str, str], previous: dict[str, str]) -> tuple[list[str], list[str]]:
    """(ids to render, ids to remove): new or changed versions, and ids gone from the store."""
    render = [i for i, version in current.items() if previous.get(i) != version]
    remove = [i for i in previous if i not in current]
    return sorted(render), sorted(remove)


def render_article(config: Config, article: Article) -> dict[str, bytes]:
    """Every share output of one article, keyed by file suffix."""
    site = config.site
    channel = config.channel(article.channel) if article.channel else None
    page_url = site.absolute(f"{SHARE_DIR}/{article.id}.html")
    meta = build_meta(site, channel, article, page_url, feed_links(site, channel))
    return {suffix: render(meta) for suffix, render in OUTPUTS.items()}


def publish_share(config: Config, store, now: datetime) -> ShareResult:
    """Bring output/share/ up to date with the store; only changed articles are rendered."""
    folder = config.output_path / SHARE_DIR
    settings = _settings_digest(config)
    manifest = _load_manifest(folder)
    known = manifest.get("articles", {})
    previous = known if manifest.get("settings") == settings else {}  # new settings: render all
    current = _safe_versions(store)
    to_render, _ = plan(current, previous)
    _, to_remove = plan(current, known)
    if not manifest:  # first run or lost manifest: files on disk are the only record
        to_remove = sorted(set(_ids_on_disk(folder)) - set(current))
    result = ShareResult(up_to_date=len(current) - len(to_render))
    rendering = set(to_render)
    done = {i: v for i, v in previous.items() if i in current and i not in rendering}
    for article_id in to_render:
        if _publish_one(config, store, folder, article_id, result):
            done[article_id] = current[article_id]
    for article_id in to_remove:
        for suffix in OUTPUTS:
            if remove_if_exists(folder / f"{article_id}{suffix}"):
                result.removed.append(f"{SHARE_DIR}/{article_id}{suffix}")
    _save_manifest(folder, settings, done)
    return result


def _safe_versions(store) -> dict[str, str]:
    """Store versions of articles whose id can be a file name (others are logged, skipped)."""
    versions = {}
    for article_id, version in store.article_versions():
        if _SAFE_ID.fullmatch(article_id):
            versions[article_id] = version
        else:
            log.warning("publish share: article id %r cannot be a file name; skipped", article_id)
    return versions


def _publish_one(config: Config, store, folder: Path, article_id: str,
                 result: ShareResult) -> bool:
    """Render and write one article's files; a bad article is logged and skipped."""
    stored = store.get(article_id)
    if stored is None:  # deleted between the two queries
        return False
    try:
        outputs = render_article(config, stored.article)
    except (ValueError, TypeError, LookupError, etree.LxmlError) as e:
        log.warning("publish share: article %s (%s): %s", article_id, stored.article.url, e)
        result.failed.append(article_id)
        return False
    for suffix, data in outputs.items():
        rel = f"{SHARE_DIR}/{article_id}{suffix}"
        changed = write_if_changed(folder / f"{article_id}{suffix}", data)
        (result.written if changed else result.unchanged).append(rel)
    return True


def _settings_digest(config: Config) -> str:
    """Changes when anything besides the article itself changes what its pages say."""
    parts = [RENDER_VERSION, repr(config.site), repr(config.channels), repr(sorted(FORMATS))]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _load_manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("articles"), dict) else {}


def _save_manifest(folder: Path, settings: str, versions: dict[str, str]) -> None:
    data = {"settings": settings, "articles": dict(sorted(versions.items()))}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    write_if_changed(folder / MANIFEST, text.encode("utf-8"))


def _ids_on_disk(folder: Path) -> list[str]:
    """Article ids that have share files in `folder` (longest suffix first: .head.html)."""
    if not folder.is_dir():
        return []
    suffixes = sorted(OUTPUTS, key=len, reverse=True)
    ids = set()
    for path in folder.iterdir():
        for suffix in suffixes:
            if path.name.endswith(suffix) and not path.name.startswith("."):
                ids.add(path.name[: -len(suffix)])
                break
    return sorted(ids)
