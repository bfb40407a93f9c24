"""Polls for the health tests: the example portal's own items, rotated as a live site rotates."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from feeds import config as config_mod
from feeds.fetch import Fetcher
from feeds.model import Article, RawArticle
from feeds.normalise import Context, normalise
from feeds.sources import KINDS

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
Poll = tuple[list[RawArticle], list[Article]]


def portal_items() -> dict[str, tuple[config_mod.Source, list[RawArticle]]]:
    """Every example-portal source with the raw items its real collector finds."""
    cfg = config_mod.load(ROOT / "sources.yaml")
    fetcher = Fetcher()
    try:
        out = {}
        for source in cfg.sources:
            kind = KINDS[source.kind]
            out[source.id] = (source, kind.collect(source, fetcher.for_source(source), NOW))
        return out
    finally:
        fetcher.close()


def rules_of(source: config_mod.Source) -> dict[str, str]:
    return {name: rule.css for name, rule in getattr(source.options, "rules", {}).items()}


def renumbered(raw: RawArticle, serial: int, when: datetime) -> RawArticle:
    """The same kind of article under a new number and date: what a site publishes next."""
    url = re.sub(r"(\d+)(\.s?html?)$", lambda m: f"{int(m.group(1)) + serial * 1000}{m.group(2)}",
                 raw.url)
    return dataclasses.replace(raw, url=url, guid=f"{raw.guid}-{serial}" if raw.guid else "",
                               title=f"{raw.title} 之{serial}", published=when.isoformat())


def rotating_polls(source_id: str, raws: list[RawArticle], count: int = 30,
                   every: timedelta = timedelta(minutes=30)) -> list[tuple[datetime, Poll]]:
    """`count` polls of a list that keeps its length while new articles push old ones out:
    mostly one new item a poll, sometimes two, one poll with none (the item pool cycles
    through the source's real items, each reissued under a new number)."""
    size = len(raws)
    polls, newest = [], 0
    for i in range(count):
        newest += 0 if i == 12 else (2 if i % 7 == 3 else 1)
        now = NOW + every * i
        items = [renumbered(raws[(newest - k) % size], newest - k, now - every * k)
                 for k in range(size)]
        ctx = Context(source_id, "", UTC, now)
        polls.append((now, (items, [normalise(r, ctx) for r in items])))
    return polls
