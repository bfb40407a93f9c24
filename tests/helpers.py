"""Small helpers shared by tests: run the pipeline at a fixed time, read outputs back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser

from feeds import config as config_mod
from feeds.pipeline import RunResult, run_once
from feeds.runtime import Runtime

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def run(config_path: Path, now: datetime = NOW) -> RunResult:
    """Collect every source and publish, as `feeds run` does, at a fixed `now`."""
    cfg = config_mod.load(config_path)
    with Runtime.open(cfg) as rt:
        return run_once(cfg, rt.store, rt.fetcher, now)


def parse_feed(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
    return parsed


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` with its bytes and mtime (ns)."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}
