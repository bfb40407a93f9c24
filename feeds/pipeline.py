"""The flow, one source at a time: fetch -> extract -> normalise -> store; then publish.

`collect_source` and `publish` are the units the CLI, the daemon and a later multi-machine
driver all call. One bad source or one bad article never stops a run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .config import Config, Source, parse_duration
from .errors import FeedsError
from .normalise import Context, normalise
from .publish import PublishResult, publish
from .sources import KINDS
from .sources.fetch import Fetcher
from .state import record_failure, record_success

__all__ = ["CollectResult", "RunResult", "collect_source", "run_once"]

log = logging.getLogger("feeds.pipeline")


@dataclass
class CollectResult:
    """What collecting one source did; `error` is set when the source failed as a whole."""

    source_id: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    error: FeedsError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        if self.error:
            return f"{self.source_id}: {self.error}"
        return (f"{self.source_id}: {self.new} new, {self.updated} updated, "
                f"{self.unchanged} unchanged" + (f", {self.skipped} skipped" if self.skipped else ""))


@dataclass
class RunResult:
    collected: list[CollectResult] = field(default_factory=list)
    published: PublishResult | None = None

    @property
    def failed(self) -> list[CollectResult]:
        return [r for r in self.collected if not r.ok]


def collect_source(config: Config, source: Source, store, fetcher: Fetcher,
                   now: datetime) -> CollectResult:
    """Fetch, extract, normalise and store one source; record its state. Never raises FeedsError."""
    result = CollectResult(source.id)
    try:
        raws = KINDS[source.kind](source, fetcher, now)
    except FeedsError as e:
        result.error = e
        record_failure(store, source.id, now, _interval(source), e.kind, getattr(e, "url", source.url),
                       str(e))
        log.warning("%s: %s", source.id, e)
        return result
    ctx = Context(source.id, source.channel, config.site.tz, now, config.site.language)
    for raw in raws:
        try:
            outcome, _ = store.upsert(normalise(raw, ctx), now)
        except (ValueError, TypeError) as e:  # one bad item never stops the source
            result.skipped += 1
            log.warning("%s: skipped item %s: %s", source.id, raw.url, e)
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    record_success(store, source.id, now, _interval(source),
                   {"new": result.new, "updated": result.updated, "unchanged": result.unchanged})
    log.info("%s", result.summary())
    return result


def _interval(source: Source) -> timedelta:
    """The source's nominal interval (cron schedules count as 1 hour for backoff purposes)."""
    return timedelta(seconds=parse_duration(source.schedule) or 3600)


def run_once(config: Config, store, fetcher: Fetcher, now: datetime,
             progress: Any = None) -> RunResult:
    """Collect every enabled source once, then publish from the store.

    `progress` (optional, see feeds/progress.py) is told about each stage and step."""
    result = RunResult()
    sources = [s for s in config.sources if s.enabled]
    if progress:
        progress.stage("collect", len(sources))
    for source in sources:
        collected = collect_source(config, source, store, fetcher, now)
        result.collected.append(collected)
        if progress:
            progress.step(source.id, collected.ok, collected.summary().split(": ", 1)[-1])
    if progress:
        progress.done(f"{len(sources) - len(result.failed)} ok, {len(result.failed)} failed")
        progress.stage("publish", 1)
    result.published = publish(config, store, now)
    if progress:
        progress.done(f"{len(result.published.written)} written, "
                      f"{len(result.published.unchanged)} unchanged")
    return result
