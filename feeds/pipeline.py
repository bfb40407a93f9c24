"""The flow, one source at a time: fetch -> extract -> normalise -> store; then publish.

`collect_due` (decide whether to attempt, then `collect_source`) and `publish` are the units
`feeds run`, the daemon's jobs and workers all call, through feeds/runtime.py. One bad source
or one bad article never stops a run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import decide
from .config import Config, Source, parse_duration
from .errors import ExtractError, FeedsError, FetchError, StoreError
from .fetch import Fetcher, NotModified
from .fetch.hosts import host_of
from .health import hold as held_items
from .health import judge_error, track
from .health.alerts import deliver_after_run
from .health.counting import CountingFetcher
from .model import Article, RawArticle
from .normalise import Context, normalise
from .publish import PublishResult, publish
from .sources import KINDS
from .state import load_state, record_failure, record_success
from .store import Store

__all__ = ["CollectResult", "RunResult", "collect_due", "collect_source", "run_once"]

log = logging.getLogger("feeds.pipeline")
STORE_DRIVERS = ("sqlite3", "psycopg", "psycopg_pool")  # their errors are the store failing


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
    health: str = ""  # the source's health state after this poll (feeds/health/)

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


def collect_due(config: Config, source: Source, store: Store, fetcher: Fetcher, now: datetime,
                force: bool = False, jitter: float = 0.0) -> CollectResult:
    """`collect_source` unless decide.skip_reason holds the source back (then `waiting` says
    why and nothing is fetched or recorded). `jitter` is the caller's own tick jitter as a
    fraction of the period (the daemon's `daemon.jitter`; 0 for `feeds run`): see decide.slack."""
    try:
        state = load_state(store, source.id)
    except Exception as e:  # the store is down: this source fails, the others still run
        return _broken(config, store, source, CollectResult(source.id), e, now)
    slack = decide.slack(decide.period(source.schedule, config.site.tz, now), jitter)
    reason = decide.skip_reason(state, source, now, force, slack)
    if reason:
        log.info("%s: skipped, %s", source.id, reason)
        return CollectResult(source.id, waiting=reason)
    return collect_source(config, source, store, fetcher, now)


def collect_source(config: Config, source: Source, store: Store, fetcher: Fetcher,
                   now: datetime) -> CollectResult:
    """Fetch, extract, normalise and store one source; record its state. Never raises.

    A source that yields no items is a `no-items` failure: nothing stored is touched (the store
    never deletes), so what was published stays published. The health gate judges the poll
    before anything is stored: the items of a degraded or broken poll are held, not stored.
    A store that fails the source as a whole (or a bug) is that source's failure (class
    `store` or `internal`, traceback in the log); the other sources go on.
    """
    result = CollectResult(source.id)
    try:
        return _collect(config, source, store, fetcher, now, result)
    except Exception as e:  # neither a bug nor a broken store may stop the other sources
        return _broken(config, store, source, result, e, now)


def _collect(config: Config, source: Source, store: Store, fetcher: Fetcher, now: datetime,
             result: CollectResult) -> CollectResult:
    kind = KINDS[source.kind]
    bound = CountingFetcher(fetcher.for_source(source, kind.conditional), source.url)
    try:
        raws = kind.collect(source, bound, now)
        if not raws:
            raise ExtractError("no-items", source.url, "no items found (published items are kept)")
    except NotModified as e:
        result.not_modified = e.reason
        return _unchanged(config, source, store, bound, now, result)
    except FeedsError as e:
        return _failed(store, source, result, e, now, config)
    ctx = Context(source.id, source.channel, config.site.tz, now, config.site.language,
                  config.feeds.summary_length)
    gate = track.judge(store, source, _normalised(raws, ctx, result), bound.failures)
    if gate.holds:  # nothing stored, no validators saved: the next poll is judged afresh
        result.held = held_items.hold(store, source.id, list(zip(gate.articles, gate.values)),
                                      gate.signals.repeated, now)
    elif _store_poll(config, store, gate, source.id, now, result):
        if any(raw.partial for raw in raws):  # a full_text page failed: read the feed again
            log.info("%s: some items are partial; the feed's validators are not saved",
                     source.id)
        else:
            bound.commit()  # every item stored; else no validators, so the next poll retries them
    record_success(store, source.id, now, _next_due(config, source, now),
                   {"new": result.new, "updated": result.updated, "unchanged": result.unchanged,
                    "held": result.held})
    result.health = track.finish(store, config.health, gate, now, result.new,
                                 _period(config, source, now)).state
    log.info("%s", result.summary())
    return result


def _unchanged(config: Config, source: Source, store: Store, bound: CountingFetcher,
               now: datetime, result: CollectResult) -> CollectResult:
    """A poll that found nothing new (304 or the same body): a success that parsed nothing."""
    bound.commit()
    record_success(store, source.id, now, _next_due(config, source, now),
                   {"new": 0, "updated": 0, "unchanged": 0, "not_modified": 1})
    result.health = track.unchanged(store, config.health, source, now,
                                    _period(config, source, now)).state
    log.info("%s", result.summary())
    return result


def _store_poll(config: Config, store: Store, gate: track.Gate, source_id: str, now: datetime,
                result: CollectResult) -> bool:
    """Store a passing poll's articles, then release the held items it no longer offers.

    False when the store refused some item (a driver error): it was skipped with a warning.
    Raises when the store refused every item, or gave up (StoreError): the source failed."""
    tried, refused = 0, list[Exception]()
    for article in gate.articles:
        tried += 1
        _store(store, article, now, result, refused)
    hold_for = timedelta(seconds=parse_duration(config.health.hold_for) or 0)
    offered = {a.url for a in gate.articles}
    for article in track.release(store, gate.health, source_id, offered, now, hold_for):
        tried += 1
        result.released += _store(store, article, now, result, refused)
    if refused and len(refused) == tried:
        raise refused[-1]
    return not refused


def _normalised(raws: list[RawArticle], ctx: Context, result: CollectResult
                ) -> list[tuple[RawArticle, Article]]:
    """Each raw item with its article; one bad item is skipped, never the source."""
    pairs = []
    for raw in raws:
        try:
            pairs.append((raw, normalise(raw, ctx)))
        except Exception as e:  # one bad item never stops the source, whatever it holds
            result.skipped += 1
            log.warning("%s: skipped item %s: %s", ctx.source_id, _item_name(raw), e)
    return pairs


def _store(store: Store, article: Article, now: datetime, result: CollectResult,
           refused: list[Exception]) -> int:
    """Upsert one article and count its outcome; return 1 when it was stored. A driver error
    on this one row skips it too, and is added to `refused`."""
    try:
        outcome, _ = store.upsert(article, now)
    except (ValueError, TypeError) as e:  # one bad item never stops the source
        result.skipped += 1
        log.warning("%s: skipped item %s: %s", article.source_id, article.url, e)
        return 0
    except StoreError:  # the store gave up after its retries: the whole source fails
        raise
    except Exception as e:  # the store refused this one row
        refused.append(e)
        result.skipped += 1
        log.warning("%s: skipped item %s: %s", article.source_id, article.url, e)
        return 0
    if outcome == "removed":  # taken down with `feeds remove`: stays down
        result.skipped += 1
        return 0
    setattr(result, outcome, getattr(result, outcome) + 1)
    return 1


def _item_name(raw: Any) -> str:
    """How a log line names an item: its link, else its guid, else its title."""
    return repr((raw.url or raw.guid or raw.title or "(no link, guid or title)")[:120])


def _broken(config: Config, store: Store, source: Source, result: CollectResult,
            e: Exception, now: datetime) -> CollectResult:
    """The source failed on something other than its own input: the store, or a bug."""
    if isinstance(e, StoreError) or type(e).__module__.split(".")[0] in STORE_DRIVERS:
        log.exception("%s: the store failed while collecting %s", source.id, source.url)
        error: FeedsError = e if isinstance(e, StoreError) else StoreError(
            f"store: {source.id}: {type(e).__name__}: {e}")
    else:
        log.exception("%s: internal error (a bug) while collecting %s", source.id, source.url)
        error = ExtractError("internal", source.url, f"internal error: {e!r}")
    return _failed(store, source, result, error, now, config)


def _failed(store: Store, source: Source, result: CollectResult, e: FeedsError,
            now: datetime, config: Config) -> CollectResult:
    """Record a failed poll: a fetch failure is transient (backoff); bytes that gave no item
    are a layout change (`broken`), polled again on the source's own schedule."""
    result.error = e
    gone = getattr(e, "gone", False)
    transient = isinstance(e, FetchError)
    try:
        record_failure(store, source.id, now, decide.period(source.schedule, config.site.tz, now),
                       e.kind, getattr(e, "url", source.url), str(e), gone_url=source.url
                       if gone else "", retry_after=getattr(e, "retry_after", None),
                       transient=transient)
        verdict = judge_error(e.kind, str(e).split(": ", 2)[-1], transient)
        result.health = track.failed(store, config.health, source, verdict, now).state
    except Exception:  # the store is down too: the failure is logged, the run goes on
        log.exception("%s: could not record this failure in the store", source.id)
    log.warning("%s: %s", source.id, e)
    return result


def _next_due(config: Config, source: Source, now: datetime) -> datetime:
    return decide.next_due(source.schedule, config.site.tz, now)


def _period(config: Config, source: Source, now: datetime) -> timedelta:
    return timedelta(seconds=decide.period(source.schedule, config.site.tz, now))


def run_once(config: Config, store: Store, fetcher: Fetcher, now: datetime,
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
            collected = collect_due(config, source, store, fetcher, now, force)
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
    deliver_after_run(store, config.health, now)
    return result
