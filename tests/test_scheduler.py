"""Pure scheduling decisions: triggers, jitter, grace, first run after restart, backoff, debounce."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from feeds.config import Source
from feeds.service.scheduler import (
    build_trigger,
    cron_period,
    first_run,
    misfire_grace,
    plan_source,
    publish_at,
    should_run,
    spread_offset,
    sync_jobs,
)
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


def test_cron_period_is_the_gap_between_fires() -> None:
    assert cron_period("*/5 * * * *", TZ, NOW) == 300
    assert cron_period("0 6 * * *", TZ, NOW) == 86400


def test_misfire_grace_is_near_the_period_never_the_one_second_default() -> None:
    assert misfire_grace(900) == 810
    assert misfire_grace(2) == 30


def test_first_run_honours_a_pending_next_attempt() -> None:
    state = SourceState("a", last_success=NOW.isoformat(),
                        next_attempt=(NOW + timedelta(minutes=10)).isoformat())
    assert first_run(state, "15m", TZ, NOW + timedelta(minutes=1), 30) == NOW + timedelta(minutes=10)


def test_overdue_and_new_sources_are_spread_not_fetched_at_once() -> None:
    starts = {first_run(SourceState(sid), "15m", TZ, NOW, 30) for sid in "abcdefgh"}
    assert len(starts) > 4
    assert all(NOW <= s < NOW + timedelta(seconds=30) for s in starts)
    # the window never exceeds the period (a 2 s source starts within 2 s)
    assert first_run(SourceState("x"), "2s", TZ, NOW, 30) < NOW + timedelta(seconds=2)
    assert spread_offset("x", 30) == spread_offset("x", 30)  # stable across restarts


def test_backoff_pending_after_failures_delays_the_first_run() -> None:
    later = NOW + timedelta(hours=2)
    state = SourceState("a", failures=3, next_attempt=later.isoformat())
    assert first_run(state, "*/5 * * * *", TZ, NOW, 30) == later


def test_cron_source_missed_during_downtime_is_overdue() -> None:
    state = SourceState("a", last_attempt=(NOW - timedelta(days=2)).isoformat(),
                        next_attempt=(NOW + timedelta(hours=1)).isoformat())
    assert first_run(state, "0 6 * * *", TZ, NOW, 30) < NOW + timedelta(seconds=30)
    recent = SourceState("a", last_attempt=(NOW - timedelta(minutes=1)).isoformat())
    assert first_run(recent, "0 6 * * *", TZ, NOW, 30) > NOW + timedelta(hours=1)


def test_should_run_only_holds_back_failing_sources() -> None:
    future = (NOW + timedelta(minutes=30)).isoformat()
    assert should_run(SourceState("a", next_attempt=future), NOW, 1)  # success: trigger decides
    assert not should_run(SourceState("a", failures=2, next_attempt=future), NOW, 1)
    assert should_run(SourceState("a", failures=2, next_attempt=future), NOW, 1800)


def test_publish_debounce_waits_for_quiet_but_not_forever() -> None:
    first = NOW
    assert publish_at(first, NOW + timedelta(seconds=3), 5, 60) == NOW + timedelta(seconds=8)
    assert publish_at(first, NOW + timedelta(seconds=58), 5, 60) == NOW + timedelta(seconds=60)


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
