"""The flow, one source at a time: fetch -> extract -> normalise -> store; then publish.

`collect_source` and `publish` are the units the CLI, the daemon and a later multi-machine
driver all call. One bad source or one bad article never stops a run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
    ctx = Context(source.id, source.channel, config.site.tz, now, config.site.language,
                  config.feeds.summary_length)
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


def run_once(config: Config, store, fetcher: Fetcher, now: datetime) -> RunResult:
    """Collect every enabled source once, then publish from the store."""
    result = RunResult()
    for source in config.sources:
        if source.enabled:
            result.collected.append(collect_source(config, source, store, fetcher, now))
    result.published = publish(config, store, now)
    return result
