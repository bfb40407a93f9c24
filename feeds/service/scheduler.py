"""Scheduling decisions (pure, taking `now`) and their APScheduler 3 wiring.

Each enabled source gets one job: an interval (`15m`) or a 5-field cron trigger, with jitter so
that sources do not fire in lockstep, `max_instances=1` (never two runs of one source at once),
`coalesce=True` (a backlog of missed runs collapses into one) and a misfire grace time near the
interval (APScheduler's default of 1 s silently drops runs that start a little late).

Where a restarted daemon starts is decided from the state in the store: a source fetched
recently waits for its `next_attempt`; overdue ones are spread over a short window instead of
all being refetched at the same instant.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ..config import Source, parse_duration
from ..state import SourceState

__all__ = [
    "Plan",
    "build_trigger",
    "cron_period",
    "first_run",
    "misfire_grace",
    "plan_source",
    "publish_at",
    "should_run",
    "spread_offset",
    "sync_jobs",
]

MIN_GRACE = 30.0  # seconds: even 2-second test intervals tolerate a busy start


@dataclass(frozen=True)
class Plan:
    """How one source is scheduled: its trigger, first run and APScheduler job options."""

    source_id: str
    schedule: str
    trigger: BaseTrigger
    first_run: datetime
    grace: float
    signature: tuple[Any, ...]  # what, when changed, means the job must be rebuilt


def build_trigger(schedule: str, tz: ZoneInfo, jitter: float, start: datetime | None = None
                  ) -> BaseTrigger:
    """An IntervalTrigger for '15m'-style schedules, else a CronTrigger in the site's zone.

    Jitter is a fraction of the period (0.1 = up to 10% later), in whole seconds as APScheduler
    wants, and zero for very short periods where it would only blur tests and logs."""
    seconds = parse_duration(schedule)
    if seconds is not None:
        return IntervalTrigger(seconds=seconds, start_date=start, timezone=tz,
                               jitter=_jitter(seconds, jitter))
    trigger = CronTrigger.from_crontab(schedule, timezone=tz)
    trigger.jitter = _jitter(cron_period(schedule, tz, start or datetime.now(tz)), jitter)
    return trigger


def _jitter(period: float, fraction: float) -> int | None:
    value = int(period * fraction)
    return value if value >= 1 else None


def cron_period(schedule: str, tz: ZoneInfo, now: datetime) -> float:
    """Seconds between the next two fire times of a cron expression (its typical period)."""
    trigger = CronTrigger.from_crontab(schedule, timezone=tz)
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1)) if first else None
    return (second - first).total_seconds() if first and second else 86400.0


def period(schedule: str, tz: ZoneInfo, now: datetime) -> float:
    """The source's nominal period in seconds, whichever form its schedule takes."""
    seconds = parse_duration(schedule)
    return seconds if seconds is not None else cron_period(schedule, tz, now)


def misfire_grace(period_seconds: float) -> float:
    """Grace for a late start: most of one period (a later start would overlap the next)."""
    return max(MIN_GRACE, period_seconds * 0.9)


def spread_offset(source_id: str, window: float) -> float:
    """A stable offset in [0, window) for an overdue source, so restarts stagger fetches."""
    if window <= 0:
        return 0.0
    return (zlib.crc32(source_id.encode()) % 1000) / 1000 * window


def first_run(state: SourceState, schedule: str, tz: ZoneInfo, now: datetime,
              spread: float) -> datetime:
    """When a (re)started daemon should first run a source.

    A pending `next_attempt` (next interval, or backoff after failures) is honoured; a source
    never fetched, or overdue, runs soon, spread over `spread` seconds (capped at its period)."""
    per = period(schedule, tz, now)
    due = _due_time(state, schedule, tz, now)
    if due is not None and due > now:
        return due
    return now + timedelta(seconds=spread_offset(state.source_id, min(spread, per)))


def _due_time(state: SourceState, schedule: str, tz: ZoneInfo, now: datetime) -> datetime | None:
    if state.next_attempt and (state.failures or parse_duration(schedule) is not None):
        return datetime.fromisoformat(state.next_attempt)
    if state.last_attempt:  # cron: its first fire after the last attempt (missed -> overdue)
        last = datetime.fromisoformat(state.last_attempt)
        return CronTrigger.from_crontab(schedule, timezone=tz).get_next_fire_time(None, last)
    return None


def should_run(state: SourceState, now: datetime, slack: float) -> bool:
    """True unless a backoff after failures is still pending (beyond `slack` seconds).

    After a success the trigger is the authority: `next_attempt` only holds a source back
    while it is failing, so a cron source is never skipped for its nominal interval."""
    if not state.failures or not state.next_attempt:
        return True
    return datetime.fromisoformat(state.next_attempt) <= now + timedelta(seconds=slack)


def publish_at(first_pending: datetime, now: datetime, delay: float, max_wait: float
               ) -> datetime:
    """When a debounced publish runs: `delay` after the latest finished source, but no later
    than `max_wait` after the first one, so a steady stream of collections still publishes."""
    return min(now + timedelta(seconds=delay), first_pending + timedelta(seconds=max_wait))


def plan_source(source: Source, state: SourceState, tz: ZoneInfo, now: datetime,
                jitter: float, spread: float) -> Plan:
    """The whole scheduling decision for one source (pure; takes `now`)."""
    start = first_run(state, source.schedule, tz, now, spread)
    interval = parse_duration(source.schedule) is not None
    trigger = build_trigger(source.schedule, tz, jitter, start if interval else None)
    return Plan(source.id, source.schedule, trigger, start,
                misfire_grace(period(source.schedule, tz, now)),
                (source.schedule, jitter, dataclasses.replace(source, line=0)))


def sync_jobs(scheduler: BaseScheduler, plans: list[Plan], current: dict[str, tuple[Any, ...]],
              run: Callable[[str], None]) -> dict[str, list[str]]:
    """Make the scheduler's source jobs match `plans`; return the ids added/removed/changed.

    `current` maps a scheduled source id to its plan signature and is updated in place."""
    wanted = {p.source_id: p for p in plans}
    done: dict[str, list[str]] = {"added": [], "removed": [], "changed": []}
    for sid in sorted(set(current) - set(wanted)):
        scheduler.remove_job(_job_id(sid))
        del current[sid]
        done["removed"].append(sid)
    for sid, plan in wanted.items():
        if current.get(sid) == plan.signature:
            continue
        done["changed" if sid in current else "added"].append(sid)
        scheduler.add_job(run, plan.trigger, args=[sid], id=_job_id(sid), name=sid,
                          max_instances=1, coalesce=True, misfire_grace_time=int(plan.grace),
                          next_run_time=plan.first_run, replace_existing=True)
        current[sid] = plan.signature
    return done


def _job_id(source_id: str) -> str:
    return f"source:{source_id}"
