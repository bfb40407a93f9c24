"""The flow, one source at a time: fetch -> extract -> normalise -> store; then publish.

`collect_source` and `publish` are the units the CLI, the daemon and a later multi-machine
driver all call. One bad source or one bad article never stops a run.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .config import Config, Source, parse_duration
from .errors import ExtractError, FeedsError, FetchError
from .fetch import Fetcher, NotModified
from .fetch.hosts import host_of
from .health import hold as held_items
from .health import judge_error, track
from .health.alerts import deliver_due
from .model import Article, RawArticle
from .normalise import Context, normalise
from .publish import PublishResult, publish
from .sources import KINDS
from .state import SourceState, load_state, record_failure, record_success

__all__ = ["CollectResult", "RunResult", "collect_source", "deliver_alerts", "run_once"]

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
    not_modified: str = ""  # why nothing was parsed: "304" or "same body"
    waiting: str = ""  # why the source was not attempted this run (backoff, gone)
    held: int = 0  # items held back by the health gate (the source holds this many now)
    released: int = 0  # held items stored now that the source is healthy again
    health: str = ""  # the source's health state after this poll

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        if self.error:
            return f"{self.source_id}: {self.error}"
        if self.waiting:
            return f"{self.source_id}: skipped, {self.waiting}"
        if self.not_modified:
            return f"{self.source_id}: not modified ({self.not_modified})"
        if self.held:
            return f"{self.source_id}: {self.health}, {self.held} item(s) held back"
        return (f"{self.source_id}: {self.new} new, {self.updated} updated, "
                f"{self.unchanged} unchanged" + (f", {self.skipped} skipped" if self.skipped else "")
                + (f", {self.released} released" if self.released else ""))


@dataclass
class RunResult:
    collected: list[CollectResult] = field(default_factory=list)
    published: PublishResult | None = None

    @property
    def failed(self) -> list[CollectResult]:
        return [r for r in self.collected if not r.ok]


def collect_source(config: Config, source: Source, store, fetcher: Fetcher,
                   now: datetime) -> CollectResult:
    """Fetch, extract, normalise and store one source; record its state. Never raises FeedsError.

    A source that yields no items is a `no-items` failure: nothing stored is touched (the store
    never deletes), so what was published stays published.
    """
    result = CollectResult(source.id)
    kind = KINDS[source.kind]
    bound = _Counting(fetcher.for_source(source, kind.conditional), source.url)
    try:
        raws = kind.collect(source, bound, now)
        if not raws:
            raise ExtractError("no-items", source.url, "no items found (published items are kept)")
    except NotModified as e:
        result.not_modified = e.reason
        bound.commit()
        record_success(store, source.id, now, _interval(source), {"new": 0, "updated": 0,
                       "unchanged": 0, "not_modified": 1})
        result.health = track.unchanged(store, config.health, source, now, _interval(source)).state
        log.info("%s", result.summary())
        return result
    except FeedsError as e:
        return _failed(config, store, source, result, e, now)
    except Exception as e:  # a bug in an extractor must not stop the other sources
        log.exception("%s: unexpected error", source.id)
        return _failed(config, store, source, result,
                       ExtractError("parse-error", source.url, f"internal error: {e!r}"), now)
    ctx = Context(source.id, source.channel, config.site.tz, now, config.site.language,
                  config.feeds.summary_length)
    gate = track.judge(store, source, _normalised(raws, ctx, result), bound.failures)
    if gate.holds:  # nothing stored, no validators saved: the next poll is judged afresh
        result.held = held_items.hold(store, source.id, list(zip(gate.articles, gate.values)),
                                      gate.signals.repeated, now)
    else:
        for article in gate.articles:
            _store(store, article, now, result)
        hold_for = timedelta(seconds=parse_duration(config.health.hold_for) or 0)
        offered = {a.url for a in gate.articles}
        for article in track.release(store, gate.health, source.id, offered, now, hold_for):
            result.released += _store(store, article, now, result)
        bound.commit()
    record_success(store, source.id, now, _interval(source),
                   {"new": result.new, "updated": result.updated, "unchanged": result.unchanged,
                    "held": result.held})
    result.health = track.finish(store, config.health, gate, now, result.new,
                                 _interval(source)).state
    log.info("%s", result.summary())
    return result


def _normalised(raws: list[RawArticle], ctx: Context, result: CollectResult
                ) -> list[tuple[RawArticle, Article]]:
    """Each raw item with its article; one bad item is skipped, never the source."""
    pairs = []
    for raw in raws:
        try:
            pairs.append((raw, normalise(raw, ctx)))
        except (ValueError, TypeError) as e:
            result.skipped += 1
            log.warning("%s: skipped item %s: %s", ctx.source_id, raw.url, e)
    return pairs


def _store(store, article: Article, now: datetime, result: CollectResult) -> int:
    """Upsert one article and count its outcome; return 1 when it was stored."""
    try:
        outcome, _ = store.upsert(article, now)
    except (ValueError, TypeError) as e:  # one bad item never stops the source
        result.skipped += 1
        log.warning("%s: skipped item %s: %s", article.source_id, article.url, e)
        return 0
    if outcome == "removed":  # taken down with `feeds remove`: stays down
        result.skipped += 1
        return 0
    setattr(result, outcome, getattr(result, outcome) + 1)
    return 1


class _Counting:
    """A source's fetcher that counts the pages (other than the source's own URL) lost to a
    fetch failure: fewer items because pages failed is not a shorter list on the site."""

    def __init__(self, bound: Any, own_url: str):
        self.bound, self.own_url, self.failures = bound, own_url, 0

    def get(self, url: str, **kwargs: Any) -> Any:
        try:
            return self.bound.get(url, **kwargs)
        except FetchError:
            if url != self.own_url:
                self.failures += 1
            raise

    def get_many(self, urls: list[str]) -> Any:
        for url, got in self.bound.get_many(urls):
            if isinstance(got, FetchError):
                self.failures += 1
            yield url, got

    def __getattr__(self, name: str) -> Any:  # commit, settings, source ...
        return getattr(self.bound, name)


def _failed(config: Config, store, source: Source, result: CollectResult, e: FeedsError,
            now: datetime) -> CollectResult:
    """Record a failed poll: a fetch failure is transient (backoff); bytes that gave no item
    are a layout change, polled again on the source's own schedule."""
    result.error = e
    transient = isinstance(e, FetchError)
    record_failure(store, source.id, now, _interval(source), e.kind,
                   getattr(e, "url", source.url), str(e), gone=getattr(e, "gone", False),
                   transient=transient)
    message = str(e).split(": ", 2)[-1]
    result.health = track.failed(store, config.health, source,
                                 judge_error(e.kind, message, transient), now).state
    log.warning("%s: %s", source.id, e)
    return result


def skip_reason(state: SourceState, now: datetime, force: bool) -> str:
    """Why a run should not attempt this source now ('' to attempt it): a source marked gone
    (HTTP 410) waits for --force; one that keeps failing waits out its backoff. A healthy
    source is always attempted (its schedule is the daemon's business; a 304 costs little)."""
    if force:
        return ""
    if state.gone:
        return "gone (HTTP 410); fix its URL and run with --force"
    if state.failures and not state.due(now):
        error = state.last_error.get("kind", "error")
        return (f"backing off after {state.failures} failure(s) ({error}) until "
                f"{state.next_attempt}; --force to try now")
    return ""


def _interval(source: Source) -> timedelta:
    """The source's nominal interval (cron schedules count as 1 hour for backoff purposes)."""
    return timedelta(seconds=parse_duration(source.schedule) or 3600)


def run_once(config: Config, store, fetcher: Fetcher, now: datetime,
             force: bool = False, progress: Any = None) -> RunResult:
    """Collect every enabled source once, then publish from the store.

    Sources on different hosts are collected in parallel (at most `fetch.workers` hosts at a
    time); sources of one host go one after another, and the fetcher's per-host limits apply.
    `progress` (optional, see feeds/progress.py) is told about each stage and step.
    """
    result = RunResult()
    by_host: dict[str, list[Source]] = defaultdict(list)
    for source in config.sources:
        if source.enabled:
            by_host[host_of(source.url)].append(source)
    if progress:
        progress.stage("collect", sum(map(len, by_host.values())))

    def collect_host(sources: list[Source]) -> list[CollectResult]:
        out = []
        for source in sources:
            reason = skip_reason(load_state(store, source.id), now, force)
            collected = (CollectResult(source.id, waiting=reason) if reason
                         else collect_source(config, source, store, fetcher, now))
            if progress:
                progress.step(source.id, collected.ok, collected.summary().split(": ", 1)[-1])
            out.append(collected)
        return out

    workers = max(1, min(config.fetch.workers, len(by_host)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect") as pool:
        done = {r.source_id: r for rs in pool.map(collect_host, by_host.values()) for r in rs}
    result.collected = [done[s.id] for s in config.sources if s.id in done]
    if progress:
        progress.done(f"{len(done) - len(result.failed)} ok, {len(result.failed)} failed")
        progress.stage("publish", 1)
    result.published = publish(config, store, now)
    if progress:
        progress.done(f"{len(result.published.written)} written, "
                      f"{len(result.published.unchanged)} unchanged")
    deliver_alerts(config, store, now)
    return result


def deliver_alerts(config: Config, store, now: datetime, grace: float = 3.0) -> None:
    """Send the health alerts that are due, waiting at most `grace` seconds: an alert that
    is not through by then stays in the outbox (leased) for the next run or the daemon."""
    if not config.health.webhook:
        return

    def deliver() -> None:
        try:
            deliver_due(store, config.health, now)
        except Exception:  # the run is over; a store closed under us must not crash it
            log.exception("health: alert delivery failed; retried next run")

    sender = threading.Thread(target=deliver, name="health-alerts", daemon=True)
    sender.start()
    sender.join(grace)
