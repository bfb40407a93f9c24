"""The daemon's APScheduler wiring: triggers, jitter, grace, job sync (decisions: test_decide.py)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from feeds.config import Source
from feeds.service.scheduler import build_trigger, misfire_grace, plan_source, sync_jobs
from feeds.state import SourceState

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def _source(sid: str = "a", schedule: str = "15m") -> Source:
    return Source(id=sid, kind="feed", url="http://example.cn/rss.xml", schedule=schedule)


def test_interval_trigger_has_period_and_jitter_as_a_fraction() -> None:
    trigger = build_trigger("15m", TZ, 0.1, NOW)
    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval == timedelta(minutes=15)
    assert trigger.jitter == 90
    assert build_trigger("2s", TZ, 0.1, NOW).jitter is None  # under a second: none


def test_cron_trigger_runs_in_the_site_zone_with_jitter() -> None:
    trigger = build_trigger("0 6 * * *", TZ, 0.1)
    assert isinstance(trigger, CronTrigger)
    assert trigger.jitter == 8640
    trigger.jitter = None
    fire = trigger.get_next_fire_time(None, NOW)
    assert fire.astimezone(TZ).hour == 6 and fire > NOW


def test_misfire_grace_is_near_the_period_never_the_one_second_default() -> None:
    assert misfire_grace(900) == 810
    assert misfire_grace(2) == 30


def test_sync_jobs_adds_changes_and_removes() -> None:
    scheduler = BackgroundScheduler(timezone=TZ)
    scheduler.start(paused=True)  # a running (but paused) scheduler replaces jobs in place
    current: dict = {}
    plans = [plan_source(_source(s), SourceState(s), TZ, NOW, 0.1, 30) for s in "abc"]
    done = sync_jobs(scheduler, plans, current, print)
    assert done == {"added": ["a", "b", "c"], "removed": [], "changed": []}
    job = scheduler.get_job("source:a")
    assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 810)
    moved = dataclasses.replace(_source("a"), line=99)  # only moved in the file: unchanged
    plans = [plan_source(moved, SourceState("a"), TZ, NOW, 0.1, 30),
             plan_source(_source("b", "1h"), SourceState("b"), TZ, NOW, 0.1, 30),
             plan_source(_source("d"), SourceState("d"), TZ, NOW, 0.1, 30)]
    done = sync_jobs(scheduler, plans, current, print)
    assert done == {"added": ["d"], "removed": ["c"], "changed": ["b"]}
    assert sorted(j.id for j in scheduler.get_jobs()) == ["source:a", "source:b", "source:d"]
    assert scheduler.get_job("source:b").trigger.interval == timedelta(hours=1)
    scheduler.shutdown(wait=False)
