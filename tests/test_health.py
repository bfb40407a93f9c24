"""The health core: signals ("really filled"), baselines, verdicts with reasons, transitions."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from health_helpers import portal_items, rotating_polls, rules_of

from feeds.health import (
    Baseline,
    Health,
    Thresholds,
    Verdict,
    advance,
    judge_error,
    judge_poll,
    judge_quiet,
    learn,
    measure,
    usual,
    usual_shapes,
)
from feeds.health.baseline import quiet_limit
from feeds.model import RawArticle
from feeds.normalise import Context, normalise

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
RULES = {"title": "h1", "published": ".info span.time", "body": "div.content"}


def raw(n: int, **changes: object) -> RawArticle:
    """Article n of a healthy channel page, as the rules above extract it."""
    base = RawArticle(
        url=f"http://site.test/news/2026/{1000 + n}.html", title=f"第{n}条新闻 企业动态",
        content_html=f"<p>{'正文内容' * (40 + n % 7)}第{n}段。</p>",
        published=(NOW - timedelta(hours=n)).isoformat(), authors=(f"记者{n % 3}",),
        origin="新华社" if n % 2 else "人民网", image=f"http://site.test/img/{n}.jpg",
        provenance={"title": "rule h1", "published": "rule .info span.time",
                    "body": "rule div.content"})
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def signals_of(raws: list[RawArticle], baseline: Baseline | None = None):
    ctx = Context("src", "news", UTC, NOW)
    shapes = usual_shapes(baseline) if baseline else frozenset()
    return measure(raws, [normalise(r, ctx) for r in raws], RULES, shapes)


def warmed(polls: int = 6, size: int = 20) -> Baseline:
    baseline = Baseline()
    for p in range(polls):
        s = signals_of([raw(p + i) for i in range(size)], baseline)
        baseline = learn(baseline, s, [NOW - timedelta(hours=p + i) for i in range(size)], 1,
                         NOW + timedelta(hours=p))
    return baseline


# --- signals -------------------------------------------------------------------------------

def test_healthy_poll_is_filled_everywhere():
    s = signals_of([raw(i) for i in range(20)])
    assert {k: s.values[f"fill.{k}"] for k in ("title", "link", "date", "body", "image",
                                               "origin", "author")} == dict.fromkeys(
        ("title", "link", "date", "body", "image", "origin", "author"), 1.0)
    assert s.offered == 20 and s.values["rule.published"] == 1.0
    assert s.values["body.low"] <= s.values["body.median"]


def test_whitespace_and_repeated_values_count_as_empty():
    raws = [raw(i, title="中国企业新闻网", origin="  ", content_html="<p>请登录后阅读全文</p>")
            for i in range(20)]
    s = signals_of(raws)
    assert s.values["fill.title"] == 0.0
    assert s.values["fill.origin"] == 0.0
    assert s.values["fill.body"] == 0.0
    assert s.repeated["title"] == "中国企业新闻网"


def test_a_few_items_may_share_a_value():
    s = signals_of([raw(1, title="同题"), raw(2, title="同题")])
    assert s.values["fill.title"] == 1.0


def test_date_only_items_of_one_day_are_not_repeated():
    raws = [raw(i, published="2026-11-27") for i in range(5)]
    assert signals_of(raws).values["fill.date"] == 1.0


def test_rule_hits_come_from_provenance():
    raws = [raw(i, provenance={"title": "rule h1"}, published=None) for i in range(10)]
    s = signals_of(raws)
    assert s.rule_hits["published"] == 0 and s.values["rule.published"] == 0.0
    assert s.values["fill.date"] == 0.0


# --- baseline ------------------------------------------------------------------------------

def test_baseline_keeps_a_window_with_median_and_mad():
    baseline = warmed(polls=30)
    assert len(baseline.polls) == 20 and baseline.good_polls == 30
    seen = usual(baseline, "offered")
    assert seen is not None and seen.median == 20 and seen.spread == 0


def test_usual_shapes_ignore_a_stray_link():
    baseline = warmed()
    assert usual_shapes(baseline) == frozenset({"site.test/news/0/0.html"})


# --- verdicts ------------------------------------------------------------------------------

def test_warm_up_judges_nothing_but_a_poll_with_no_item():
    baseline = warmed(polls=4)
    bad = signals_of([raw(i, published=None, provenance={}) for i in range(20)], baseline)
    assert judge_poll(bad, baseline, Thresholds()).state == "ok"
    assert "warming up: 4 of 5" in judge_poll(bad, baseline, Thresholds()).reason
    empty = measure([], [], RULES)
    assert judge_poll(empty, baseline, Thresholds()).state == "broken"


def test_date_node_moved_names_the_selector():
    baseline = warmed()
    bad = signals_of([raw(i, published=None, provenance={"title": "rule h1",
                                                         "body": "rule div.content"})
                      for i in range(20)], baseline)
    verdict = judge_poll(bad, baseline, Thresholds())
    assert verdict.state == "degraded"
    assert verdict.reason == ("date filled 0% (usually 100%): `.info span.time` matched 0 of "
                              "20 items")


def test_site_name_as_every_title():
    baseline = warmed()
    bad = signals_of([raw(i, title="中国企业新闻网") for i in range(20)], baseline)
    verdict = judge_poll(bad, baseline, Thresholds())
    assert verdict.state == "degraded"
    assert verdict.reason.startswith("title filled 0% (usually 100%)")


def test_login_wall_bodies():
    baseline = warmed()
    notice = "<p>" + "请登录后阅读全文，" * 4 + "</p>"
    bad = signals_of([raw(i, content_html=notice) for i in range(20)], baseline)
    verdict = judge_poll(bad, baseline, Thresholds())
    assert verdict.state == "degraded" and "body filled 0% (usually 100%)" in verdict.reason
    assert "median body length" in verdict.reason


def test_half_the_list_gone():
    baseline = warmed()
    verdict = judge_poll(signals_of([raw(i) for i in range(10)], baseline), baseline,
                         Thresholds())
    assert verdict.state == "degraded" and verdict.reason == "items offered 10 (usually 20)"


def test_links_off_the_usual_pattern():
    baseline = warmed()
    odd = [raw(i, url=f"http://site.test/login?next=news{i}") for i in range(20)]
    verdict = judge_poll(signals_of(odd, baseline), baseline, Thresholds())
    assert "0% of links follow the usual URL pattern (usually 100%)" in verdict.reason


def test_natural_variation_is_not_flagged():
    baseline = warmed()
    varied = [raw(i) for i in range(18)] + [raw(40, image=None, authors=()), raw(41)]
    assert judge_poll(signals_of(varied, baseline), baseline, Thresholds()).state == "ok"


def test_threshold_override_per_source():
    baseline = warmed()
    signals = signals_of([raw(i) for i in range(13)], baseline)
    assert judge_poll(signals, baseline, Thresholds()).state == "ok"  # 35% fewer: within floor
    strict = Thresholds.with_overrides({"count_drop": 0.2, "unknown": 1})
    assert judge_poll(signals, baseline, strict).state == "degraded"


def test_errors_are_failing_or_broken_never_both():
    assert judge_error("http-5xx", "503", transient=True).state == "failing"
    assert judge_error("no-items", "ul.news matched nothing", transient=False).state == "broken"


# --- stale: the source's own cadence -------------------------------------------------------

def cadence(gap: timedelta, items: int = 20) -> Baseline:
    dates = [NOW - gap * i for i in range(items)]
    return learn(Baseline(), signals_of([raw(1)]), dates, 1, NOW)


def test_weekly_source_quiet_for_three_days_is_not_stale():
    weekly = cadence(timedelta(days=7))
    assert judge_quiet(weekly, NOW + timedelta(days=3), timedelta(hours=1), Thresholds()) is None


def test_hourly_source_quiet_for_three_days_is_stale():
    hourly = cadence(timedelta(hours=1))
    verdict = judge_quiet(hourly, NOW + timedelta(days=3), timedelta(minutes=30), Thresholds())
    assert verdict is not None and verdict.state == "stale"
    assert verdict.reason == "no new item for 3d (usually one every 1h; stale after 3h)"


def test_cadence_needs_a_few_gaps_and_respects_nights():
    assert quiet_limit(cadence(timedelta(hours=1), items=3), 3, timedelta(minutes=5)) is None
    dates = [NOW - timedelta(hours=h) for h in (0, 1, 2, 3, 14, 15, 16)]  # a night's pause
    nightly = learn(Baseline(), signals_of([raw(1)]), dates, 1, NOW)
    assert quiet_limit(nightly, 3, timedelta(minutes=5)) == timedelta(hours=16, minutes=30)


# --- transitions ---------------------------------------------------------------------------

def test_one_transition_per_change_and_reminders():
    health, steps = Health(), []
    verdicts = ["ok", "ok", "degraded", "degraded", "broken", "ok", "ok"]
    for i, state in enumerate(verdicts):
        health, note = advance(health, "src", Verdict(state, f"r{i}"), NOW + timedelta(hours=i))
        steps.append(note and (note.old, note.new, note.first_bad))
    bad_at = (NOW + timedelta(hours=2)).isoformat()
    assert steps == [None, None, ("ok", "degraded", bad_at), None,
                     ("degraded", "broken", bad_at), ("broken", "ok", bad_at), None]
    assert health.last_good == (NOW + timedelta(hours=6)).isoformat() and not health.first_bad


def test_reminder_after_remind_every():
    health, _ = advance(Health(), "src", Verdict("failing", "503"), NOW)
    day = timedelta(days=1)
    health, note = advance(health, "src", Verdict("failing", "503"), NOW + timedelta(hours=5), day)
    assert note is None
    health, note = advance(health, "src", Verdict("failing", "503"), NOW + day, day)
    assert note is not None and note.reminder and note.first_bad == NOW.isoformat()


def test_health_round_trips_through_json():
    import json

    health = Health(state="degraded", baseline=warmed(), good_item={"title": "x"})
    assert Health.from_dict(json.loads(json.dumps(health.to_dict()))) == health


# --- false alarms --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def portal():
    return portal_items()


def test_thirty_healthy_polls_of_every_portal_source_stay_ok(portal):
    """Items rotating, one poll with a single new item, one with none: no transition."""
    assert len(portal) == 6
    for source_id, (source, raws) in portal.items():
        health = Health()
        for now, (items, articles) in rotating_polls(source_id, raws):
            signals = measure(items, articles, rules_of(source), usual_shapes(health.baseline))
            verdict = judge_poll(signals, health.baseline, Thresholds())
            verdict = judge_quiet(health.baseline, now, timedelta(minutes=30),
                                  Thresholds()) or verdict
            health, note = advance(health, source_id, verdict, now)
            assert note is None, f"{source_id} at {now}: {verdict.reason}"
            health = dataclasses.replace(health, baseline=learn(
                health.baseline, signals, [a.published for a in articles], 1, now))
        assert health.baseline.good_polls == 30
