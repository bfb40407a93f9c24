"""Every scheduling decision, pure (each takes `now`), in one place.

`feeds run`, the daemon and workers ask the same questions and get the same answers:

    period(schedule, tz, now)        a schedule's period: '15m' -> 900 s; cron -> its real gap
    next_due(schedule, tz, now)      when a healthy source is next due after a run at `now`
    backoff(failures, period, now)   when a failing source may be tried again (Retry-After too)
    skip_reason(state, source, now)  why not to attempt a source now ('' = attempt): gone
                                     (HTTP 410, until --force or a new URL), or backing off
    due(state, source, now)          for a scheduler polling the store: not held back, and
                                     its next attempt has come
    first_run(state, schedule, ...)  when a (re)started scheduler first runs a source
    publish_at(first, now, ...)      when a debounced publish runs after a burst of collections

Schedules are parsed by `config.parse_duration` (intervals) and APScheduler's crontab parser
(5-field cron, in the site's zone): the same parsers the config check and the scheduler use.
"""

from __future__ import annotations

import random
import zlib
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from .config import Source, parse_duration
from .source_state import SourceState

__all__ = ["BACKOFF_JITTER", "MAX_BACKOFF", "backoff", "due", "first_run", "next_due", "period",
           "publish_at", "skip_reason", "slack", "spread_offset"]

MAX_BACKOFF = timedelta(hours=6)  # a failing source is still tried a few times a day
BACKOFF_JITTER = 0.1  # up to 10% later, so failing sources do not retry in lockstep


@lru_cache(maxsize=512)
def _cron(schedule: str, tz: ZoneInfo) -> CronTrigger:
    """The 5-field cron expression as a trigger in the site's zone (raises ValueError).
    Cached and shared: only ever asked for fire times, never changed."""
    return CronTrigger.from_crontab(schedule, timezone=tz)


def period(schedule: str, tz: ZoneInfo, now: datetime) -> float:
    """The schedule's period in seconds: an interval's length, or the gap between a cron
    expression's next two fire times after `now` (never a made-up nominal hour)."""
    seconds = parse_duration(schedule)
    if seconds is not None:
        return seconds
    trigger = _cron(schedule, tz)
    first = _fire_after(trigger, schedule, now)
    return (_fire_after(trigger, schedule, first + timedelta(seconds=1)) - first).total_seconds()


def next_due(schedule: str, tz: ZoneInfo, now: datetime) -> datetime:
    """When a source that was just run at `now` is due again: one interval later, or the cron
    expression's next fire time."""
    seconds = parse_duration(schedule)
    if seconds is not None:
        return now + timedelta(seconds=seconds)
    return _fire_after(_cron(schedule, tz), schedule, now + timedelta(seconds=1))


def _fire_after(trigger: CronTrigger, schedule: str, at: datetime) -> datetime:
    """The trigger's first fire time at or after `at`. A 5-field cron expression that fires
    once fires every year, and config validation refuses one that never fires (Feb 30), so
    there is always one: no made-up fallback period."""
    fire: datetime | None = trigger.get_next_fire_time(None, at)
    if fire is None:
        raise ValueError(f"schedule {schedule!r} never fires")
    return fire


def backoff(failures: int, period_seconds: float, now: datetime,
            retry_after: float | None = None, rng: random.Random | None = None) -> datetime:
    """When to try again after `failures` consecutive failures: period * 2^(n-1), capped at
    MAX_BACKOFF (or the period when that is longer), plus up to 10% jitter; never before a
    server's Retry-After (seconds), which may exceed the cap: the server asked."""
    interval = timedelta(seconds=period_seconds)
    if failures <= 0:
        return now + interval
    delay = min(interval * (2 ** (failures - 1)), max(MAX_BACKOFF, interval))
    jitter = (rng or random).uniform(0, BACKOFF_JITTER) * delay.total_seconds()
    at = now + delay + timedelta(seconds=jitter)
    if retry_after is not None:
        at = max(at, now + timedelta(seconds=retry_after))
    return at


def slack(period_seconds: float, trigger_jitter: float = 0.0) -> float:
    """How early (seconds) an attempt may come before a pending backoff and still go ahead.

    Both a backoff (BACKOFF_JITTER) and a scheduler's trigger (`trigger_jitter`) are jittered
    fractions of the period; without this slack a retry due a moment after a tick would wait
    a whole extra period."""
    return period_seconds * (BACKOFF_JITTER + trigger_jitter) + 1.0


def skip_reason(state: SourceState, source: Source, now: datetime, force: bool = False,
                slack_seconds: float = 0.0) -> str:
    """Why `source` should not be attempted now ('' to attempt it).

    A source marked gone (HTTP 410) waits for --force or a new URL in the config; one that
    keeps failing waits out its backoff (less `slack_seconds`, but never less the server's
    Retry-After). A healthy source is always attempted: when it runs is the caller's schedule
    (a 304 costs little)."""
    if force:
        return ""
    if state.gone and state.gone_url in ("", source.url):
        return "gone (HTTP 410); fix its URL in the config or run with --force"
    if state.failures and state.next_attempt:
        until = datetime.fromisoformat(state.next_attempt)
        if until > now + timedelta(seconds=slack_seconds) or _asked_until(state) > now:
            error = state.last_error.get("kind", "error")
            return (f"backing off after {state.failures} failure(s) ({error}) until "
                    f"{state.next_attempt}; --force to try now")
    return ""


def due(state: SourceState, source: Source, now: datetime, slack_seconds: float = 0.0) -> bool:
    """True when a scheduler that polls the store (rather than firing triggers) should run
    `source` now: nothing holds it back (skip_reason) and its next attempt (the next period
    after a success, the backoff after failures) is at most `slack_seconds` away."""
    if skip_reason(state, source, now, False, slack_seconds):
        return False
    return (not state.next_attempt
            or datetime.fromisoformat(state.next_attempt) <= now + timedelta(seconds=slack_seconds))


def _asked_until(state: SourceState) -> datetime:
    """The end of the server's Retry-After: no slack undercuts what the server asked."""
    error = state.last_error
    if not error.get("retry_after") or not error.get("at"):
        return datetime.min.replace(tzinfo=UTC)
    return datetime.fromisoformat(error["at"]) + timedelta(seconds=float(error["retry_after"]))


def spread_offset(source_id: str, window: float) -> float:
    """A stable offset in [0, window) for an overdue source, so restarts stagger fetches."""
    if window <= 0:
        return 0.0
    return (zlib.crc32(source_id.encode()) % 1000) / 1000 * window


def first_run(state: SourceState, schedule: str, tz: ZoneInfo, now: datetime,
              spread: float) -> datetime:
    """When a (re)started scheduler should first run a source.

    A pending `next_attempt` (next interval, or backoff after failures) is honoured; a source
    never run, or overdue, runs soon, spread over `spread` seconds (capped at its period)."""
    due = _due_time(state, schedule, tz)
    if due is not None and due > now:
        return due
    window = min(spread, period(schedule, tz, now))
    return now + timedelta(seconds=spread_offset(state.source_id, window))


def _due_time(state: SourceState, schedule: str, tz: ZoneInfo) -> datetime | None:
    if state.next_attempt and (state.failures or parse_duration(schedule) is not None):
        return datetime.fromisoformat(state.next_attempt)
    if state.last_attempt:  # cron: its first fire after the last attempt (missed -> overdue)
        last = datetime.fromisoformat(state.last_attempt) + timedelta(seconds=1)
        return _cron(schedule, tz).get_next_fire_time(None, last)
    return None


def publish_at(first_pending: datetime, now: datetime, delay: float, max_wait: float
               ) -> datetime:
    """When a debounced publish runs: `delay` after the latest finished source, but no later
    than `max_wait` after the first one, so a steady stream of collections still publishes."""
    return min(now + timedelta(seconds=delay), first_pending + timedelta(seconds=max_wait))
