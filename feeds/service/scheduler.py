"""The APScheduler 3 wiring of the daemon: one job per enabled source.

Each enabled source gets one job: an interval (`15m`) or a 5-field cron trigger, with jitter so
that sources do not fire in lockstep, `max_instances=1` (never two runs of one source at once),
`coalesce=True` (a backlog of missed runs collapses into one) and a misfire grace time near the
period (APScheduler's default of 1 s silently drops runs that start a little late).

What to decide (a schedule's period, where a restarted daemon starts, backoff, debounce) is
asked of feeds/decide.py, the same module `feeds run` and workers ask.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .. import decide
from ..config import Source, parse_duration
from ..state import SourceState

__all__ = ["Plan", "build_trigger", "misfire_grace", "plan_source", "sync_jobs"]

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
    trigger.jitter = _jitter(decide.period(schedule, tz, start or datetime.now(tz)), jitter)
    return trigger


def _jitter(period: float, fraction: float) -> int | None:
    value = int(period * fraction)
    return value if value >= 1 else None


def misfire_grace(period_seconds: float) -> float:
    """Grace for a late start: most of one period (a later start would overlap the next)."""
    return max(MIN_GRACE, period_seconds * 0.9)


def plan_source(source: Source, state: SourceState, tz: ZoneInfo, now: datetime,
                jitter: float, spread: float) -> Plan:
    """The whole scheduling decision for one source (pure; takes `now`)."""
    start = decide.first_run(state, source.schedule, tz, now, spread)
    interval = parse_duration(source.schedule) is not None
    trigger = build_trigger(source.schedule, tz, jitter, start if interval else None)
    return Plan(source.id, source.schedule, trigger, start,
                misfire_grace(decide.period(source.schedule, tz, now)),
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
