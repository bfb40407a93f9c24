"""Pure scheduling decisions (feeds/decide.py): periods, next due, backoff, gone, due, first run
after a restart, publish debounce; and that the pipeline records what they decide."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from feeds import decide
from feeds.config import Source
from feeds.state import SourceState

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)  # a Sunday, 20:00 in Shanghai
NO_JITTER = random.Random()
NO_JITTER.uniform = lambda a, b: a  # type: ignore[method-assign]


def _source(url: str = "http://example.cn/rss.xml", schedule: str = "15m") -> Source:
    return Source(id="a", kind="feed", url=url, schedule=schedule)


@pytest.mark.parametrize("schedule, seconds", [
    ("15m", 900), ("2s", 2), ("1d", 86400), ("90", 90),
    ("*/5 * * * *", 300), ("0 6 * * *", 86400), ("0 9 * * 1", 7 * 86400),
    ("0 */6 * * *", 6 * 3600), ("0 0 1 * *", 30 * 86400),  # Apr 1st -> May 1st
])
def test_period_is_the_real_period_of_an_interval_or_a_cron_expression(schedule, seconds):
    assert decide.period(schedule, TZ, NOW) == seconds


def test_a_cron_expression_that_never_fires_has_no_made_up_period():
    # config validation refuses it (tests/test_schedule_check.py); decide never invents a period
    for ask in (decide.period, decide.next_due):
        with pytest.raises(ValueError, match="never fires"):
            ask("0 0 30 2 *", TZ, NOW)  # Feb 30th never comes
    assert decide.period("0 0 29 2 *", TZ, NOW) == 1461 * 86400  # leap days do come (4 years)


def test_next_due_is_one_interval_later_or_the_next_cron_fire_in_the_site_zone():
    assert decide.next_due("15m", TZ, NOW) == NOW + timedelta(minutes=15)
    tomorrow_6 = datetime(2026, 3, 2, 6, 0, tzinfo=TZ)
    assert decide.next_due("0 6 * * *", TZ, NOW) == tomorrow_6
    assert decide.next_due("0 6 * * *", TZ, tomorrow_6) == tomorrow_6 + timedelta(days=1)


def test_backoff_doubles_per_failure_and_is_capped():
    delays = [(decide.backoff(n, 900, NOW, rng=NO_JITTER) - NOW).total_seconds()
              for n in range(0, 8)]
    assert delays == [900, 900, 1800, 3600, 7200, 14400, 21600, 21600]  # cap: 6 h


def test_backoff_of_a_daily_cron_source_is_at_least_its_period_not_one_hour():
    period = decide.period("0 6 * * *", TZ, NOW)
    assert decide.backoff(1, period, NOW, rng=NO_JITTER) == NOW + timedelta(days=1)
    assert decide.backoff(5, period, NOW, rng=NO_JITTER) == NOW + timedelta(days=1)


def test_backoff_jitter_is_at_most_a_tenth_and_varies():
    rng = random.Random(7)
    delays = {(decide.backoff(3, 900, NOW, rng=rng) - NOW).total_seconds() for _ in range(50)}
    assert len(delays) > 40 and min(delays) >= 3600 and max(delays) <= 3960


def test_backoff_never_undercuts_a_servers_retry_after():
    assert decide.backoff(1, 60, NOW, retry_after=3600, rng=NO_JITTER) == NOW + timedelta(hours=1)
    assert decide.backoff(1, 60, NOW, retry_after=5, rng=NO_JITTER) == NOW + timedelta(minutes=1)
    # beyond the 6 h cap too: the server asked
    assert decide.backoff(9, 60, NOW, retry_after=86400, rng=NO_JITTER) == NOW + timedelta(days=1)


def test_a_gone_source_waits_for_force_or_a_new_url():
    source = _source()
    gone = SourceState("a", failures=1, gone=True, gone_url=source.url,
                       next_attempt=(NOW - timedelta(days=1)).isoformat())
    assert decide.skip_reason(gone, source, NOW).startswith("gone (HTTP 410)")
    assert decide.skip_reason(gone, source, NOW + timedelta(days=365)).startswith("gone")
    assert decide.skip_reason(gone, source, NOW, force=True) == ""
    assert decide.skip_reason(gone, _source("http://example.cn/new.xml"), NOW) == ""
    legacy = SourceState("a", failures=1, gone=True)  # stored before gone_url existed
    assert decide.skip_reason(legacy, _source("http://example.cn/new.xml"), NOW) != ""


def test_a_failing_source_waits_out_its_backoff_less_the_slack():
    until = NOW + timedelta(minutes=30)
    failing = SourceState("a", failures=2, next_attempt=until.isoformat(),
                          last_error={"kind": "http-5xx"})
    reason = decide.skip_reason(failing, _source(), NOW)
    assert reason == (f"backing off after 2 failure(s) (http-5xx) until {until.isoformat()}; "
                      "--force to try now")
    assert decide.skip_reason(failing, _source(), until) == ""
    assert decide.skip_reason(failing, _source(), NOW, slack_seconds=1800) == ""
    assert decide.skip_reason(failing, _source(), NOW, slack_seconds=1799) != ""
    assert decide.skip_reason(failing, _source(), NOW, force=True) == ""


def test_a_healthy_source_is_always_due_its_schedule_is_the_callers():
    healthy = SourceState("a", last_success=NOW.isoformat(),
                          next_attempt=(NOW + timedelta(hours=1)).isoformat())
    assert decide.skip_reason(healthy, _source(), NOW) == ""
    assert decide.skip_reason(SourceState("a"), _source(), NOW) == ""


def test_slack_covers_the_backoff_jitter_and_the_callers_tick_jitter():
    assert decide.slack(900) == pytest.approx(900 * 0.1 + 1)
    assert decide.slack(900, 0.2) == pytest.approx(900 * 0.3 + 1)


def test_first_run_honours_a_pending_next_attempt():
    state = SourceState("a", last_success=NOW.isoformat(),
                        next_attempt=(NOW + timedelta(minutes=10)).isoformat())
    later = NOW + timedelta(minutes=1)
    assert decide.first_run(state, "15m", TZ, later, 30) == NOW + timedelta(minutes=10)


def test_overdue_and_new_sources_are_spread_not_fetched_at_once():
    starts = {decide.first_run(SourceState(sid), "15m", TZ, NOW, 30) for sid in "abcdefgh"}
    assert len(starts) > 4
    assert all(NOW <= s < NOW + timedelta(seconds=30) for s in starts)
    # the window never exceeds the period (a 2 s source starts within 2 s)
    assert decide.first_run(SourceState("x"), "2s", TZ, NOW, 30) < NOW + timedelta(seconds=2)
    assert decide.spread_offset("x", 30) == decide.spread_offset("x", 30)  # stable


def test_backoff_pending_after_failures_delays_the_first_run():
    later = NOW + timedelta(hours=2)
    state = SourceState("a", failures=3, next_attempt=later.isoformat())
    assert decide.first_run(state, "*/5 * * * *", TZ, NOW, 30) == later


def test_cron_source_missed_during_downtime_is_overdue():
    state = SourceState("a", last_attempt=(NOW - timedelta(days=2)).isoformat(),
                        next_attempt=(NOW + timedelta(hours=1)).isoformat())
    assert decide.first_run(state, "0 6 * * *", TZ, NOW, 30) < NOW + timedelta(seconds=30)
    recent = SourceState("a", last_attempt=(NOW - timedelta(minutes=1)).isoformat())
    assert decide.first_run(recent, "0 6 * * *", TZ, NOW, 30) > NOW + timedelta(hours=1)
    on_the_dot = SourceState("a", last_attempt=datetime(2026, 3, 1, 6, tzinfo=TZ).isoformat())
    assert decide.first_run(on_the_dot, "0 6 * * *", TZ, NOW, 30) == datetime(
        2026, 3, 2, 6, tzinfo=TZ)  # a run at the fire time is not overdue again at once


def test_publish_debounce_waits_for_quiet_but_not_forever():
    assert decide.publish_at(NOW, NOW + timedelta(seconds=3), 5, 60) == NOW + timedelta(seconds=8)
    assert decide.publish_at(NOW, NOW + timedelta(seconds=58), 5, 60) == NOW + timedelta(
        seconds=60)


def test_no_slack_undercuts_a_servers_retry_after():
    asked = SourceState("a", failures=1, next_attempt=(NOW + timedelta(hours=1)).isoformat(),
                        last_error={"at": NOW.isoformat(), "kind": "http-5xx",
                                    "retry_after": 3600})
    just_before = NOW + timedelta(minutes=59)
    assert decide.skip_reason(asked, _source(), just_before, slack_seconds=300) != ""
    assert decide.skip_reason(asked, _source(), NOW + timedelta(hours=1), slack_seconds=300) == ""
    ours = SourceState("a", failures=1, next_attempt=(NOW + timedelta(hours=1)).isoformat())
    assert decide.skip_reason(ours, _source(), just_before, slack_seconds=300) == ""


def test_due_for_a_polling_scheduler_waits_for_the_next_attempt_and_never_runs_gone():
    source = _source()
    soon = (NOW + timedelta(minutes=10)).isoformat()
    assert decide.due(SourceState("a"), source, NOW)  # never run
    assert not decide.due(SourceState("a", next_attempt=soon), source, NOW)
    assert decide.due(SourceState("a", next_attempt=soon), source, NOW + timedelta(minutes=10))
    assert decide.due(SourceState("a", next_attempt=soon), source, NOW, slack_seconds=600)
    gone = SourceState("a", failures=1, gone=True, gone_url=source.url, next_attempt=soon)
    assert not decide.due(gone, source, NOW + timedelta(days=1))
