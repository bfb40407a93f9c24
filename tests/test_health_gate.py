"""The health gate end to end: a channel site and a partner feed on 127.0.0.1 change between
polls after a healthy warm-up; each change is judged on its first bad poll, nothing of the bad
poll reaches any output, and the webhook hears exactly once at the change and once at recovery.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from health_site import LOGIN, SITE_NAME, ChannelSite
from helpers import parse_feed, snapshot

from feeds import cli
from feeds import config as config_mod
from feeds.fetch import Fetcher
from feeds.pipeline import RunResult, run_once
from feeds.store import open_store

T0 = datetime(2026, 11, 21, 0, 5, tzinfo=UTC)
EVERY = timedelta(minutes=30)
WARM_UP = 6

SOURCES = """\
fetch: {{min_delay: 0, retries: 0}}
health: {{webhook: "{hook}"}}
sources:
  - id: channel
    kind: html
    url: {base}/news/
    channel: news
    schedule: 30m
    allow_private: true
    links: ul.news a
    rules:
      title: h1
      published: .info span.time
      body: div.content
  - id: partner
    kind: feed
    url: {base}/partner.xml
    channel: tech
    schedule: 30m
    allow_private: true
"""


def poll(path: Path, now: datetime, force: bool = False) -> RunResult:
    cfg = config_mod.load(path)
    store = open_store(cfg.store_url)
    fetcher = Fetcher.from_config(cfg, store)
    try:
        return run_once(cfg, store, fetcher, now, force=force)
    finally:
        fetcher.close()
        store.close()


def status(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:
    capsys.readouterr()
    cli.main(["status", "--json", "-c", str(path)])
    return {row["source"]: row for row in json.loads(capsys.readouterr().out)["sources"]}


def hooks(server) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(body) for path, _, body in server.posts if path == "/hook"]


def outputs(path: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in snapshot(path.parent / "output").items()}


@pytest.fixture
def portal(http_server, write_config):  # type: ignore[no-untyped-def]
    """A warmed-up site: WARM_UP healthy polls, one new article each; returns (site, config,
    the time of the next poll)."""
    return warmed_up(http_server, write_config)


def warmed_up(http_server, write_config, store: str = ""):  # type: ignore[no-untyped-def]
    site = ChannelSite()
    site.serve(http_server)
    text = SOURCES.format(base=http_server.url("").rstrip("/"), hook=http_server.url("/hook"))
    path = write_config((f'store: "{store}"\n' if store else "") + text)
    now = T0
    for _ in range(WARM_UP):
        result = poll(path, now)
        assert not result.failed, [r.summary() for r in result.failed]
        site.newest += 1
        now += EVERY
    return site, path, now


CHANGES = [  # mode, channel's state and reason, partner's state and reason
    ("renamed", "broken", "`ul.news a` matched no article link", "broken", "not-a-feed"),
    ("date-moved", "degraded", "date rule `.info span.time` matched 0 of 20 items",
     "degraded", "date filled 0% (usually 100%)"),
    ("site-title", "degraded",
     f"title filled 0% (usually 100%): every item has the same title '{SITE_NAME}'",
     "degraded", f"title filled 0% (usually 100%): every item has the same title '{SITE_NAME}'"),
    ("login", "degraded", "body filled 0% (usually 100%)",
     "degraded", "body filled 0% (usually 100%)"),
    ("half", "degraded", "items offered 10 (usually 20)",
     "degraded", "items offered 10 (usually 20)"),
]


@pytest.mark.parametrize("mode, channel_state, channel_reason, partner_state, partner_reason",
                         CHANGES, ids=[c[0] for c in CHANGES])
def test_layout_change_is_held_and_told_once(portal, http_server, capsys, mode, channel_state,
                                             channel_reason, partner_state, partner_reason):
    site, path, now = portal
    assert hooks(http_server) == []  # warm-up and healthy polls tell nobody
    before = outputs(path)
    site.mode, site.newest = mode, site.newest + 1
    bad_item = site.newest
    poll(path, now)

    rows = status(path, capsys)
    assert (rows["channel"]["health"], rows["partner"]["health"]) == (channel_state,
                                                                       partner_state)
    assert channel_reason in rows["channel"]["health_reason"]
    assert partner_reason in rows["partner"]["health_reason"]
    assert rows["channel"]["last_good_poll"] == (now - EVERY).isoformat()
    if channel_state == "degraded":
        assert rows["channel"]["held"] == (10 if mode == "half" else 20)
        assert set(rows["channel"]["side_by_side"]) >= {"title", "date", "body"}
    after = outputs(path)
    assert after == before, "a bad poll changed an output"
    assert not any(f"/{bad_item}.html".encode() in data for data in after.values())
    assert not any(LOGIN.encode() in data for data in after.values())
    sent = hooks(http_server)
    assert sorted((h["source"], h["old"], h["new"]) for h in sent) == [
        ("channel", "ok", channel_state), ("partner", "ok", partner_state)]
    assert all(h["first_bad"] == now.isoformat() and h["reason"] for h in sent)

    site.mode = "ok"
    poll(path, now + EVERY)
    rows = status(path, capsys)
    assert rows["channel"]["health"] == rows["partner"]["health"] == "ok"
    assert rows["channel"]["held"] == rows["partner"]["held"] == 0
    recovered = hooks(http_server)[len(sent):]
    assert sorted((h["source"], h["old"], h["new"]) for h in recovered) == [
        ("channel", channel_state, "ok"), ("partner", partner_state, "ok")]
    feed = parse_feed(path.parent / "output" / "channels/news/rss.xml")
    titles = {e.link.rsplit("/", 1)[-1]: e.title for e in feed.entries}
    assert titles[f"{bad_item}.html"] == site.title(bad_item) != SITE_NAME  # its healthy self
    assert SITE_NAME not in titles.values() and len(titles) == len(set(titles))


def test_503_is_failing_not_a_layout_change(portal, http_server, capsys):
    site, path, now = portal
    before = outputs(path)
    site.mode = "503"
    for i in range(3):
        result = poll(path, now + EVERY * i, force=True)  # force: past the backoff
        assert {r.source_id for r in result.failed} == {"channel", "partner"}
        rows = status(path, capsys)
        assert rows["channel"]["health"] == rows["partner"]["health"] == "failing"
        assert "http-5xx" in rows["channel"]["health_reason"]
        assert rows["channel"]["warm_up"] == WARM_UP  # the baseline learned nothing
    assert outputs(path) == before
    assert sorted((h["source"], h["new"]) for h in hooks(http_server)) == [
        ("channel", "failing"), ("partner", "failing")]
    site.mode, site.newest = "ok", site.newest + 1
    poll(path, now + EVERY * 3, force=True)
    rows = status(path, capsys)
    assert rows["channel"]["health"] == rows["partner"]["health"] == "ok"
    assert sorted((h["source"], h["old"], h["new"]) for h in hooks(http_server)[2:]) == [
        ("channel", "failing", "ok"), ("partner", "failing", "ok")]


QUIET = """\
fetch: {{min_delay: 0, retries: 0}}
health: {{webhook: "{hook}"}}
sources:
  - {{id: weekly, kind: feed, url: "{base}/weekly/partner.xml", channel: news, schedule: 30m,
     allow_private: true}}
  - {{id: hourly, kind: feed, url: "{base}/hourly/partner.xml", channel: tech, schedule: 30m,
     allow_private: true}}
"""


def test_quiet_is_stale_only_against_the_source_own_cadence(http_server, write_config, capsys):
    weekly = ChannelSite(gap=timedelta(days=7), start=T0 - timedelta(days=1))
    hourly = ChannelSite(gap=timedelta(hours=1), start=T0 - timedelta(hours=1))
    weekly.serve(http_server, "/weekly")
    hourly.serve(http_server, "/hourly")
    path = write_config(QUIET.format(base=http_server.url("").rstrip("/"),
                                     hook=http_server.url("/hook")))
    for i in range(WARM_UP):  # within the hour: the hourly source is not quiet yet
        poll(path, T0 + timedelta(minutes=10) * i)
    assert hooks(http_server) == []
    quiet = T0 + timedelta(days=3)
    poll(path, quiet)
    rows = status(path, capsys)
    assert rows["weekly"]["health"] == "ok"
    assert rows["hourly"]["health"] == "stale"
    assert rows["hourly"]["health_reason"].startswith("no new item for 3d")
    poll(path, quiet + EVERY)  # still quiet: no second alert
    assert [(h["source"], h["new"]) for h in hooks(http_server)] == [("hourly", "stale")]
    hourly.newest += 1
    hourly.start += timedelta(days=3)  # a fresh article, published just now
    poll(path, quiet + EVERY * 2)
    assert status(path, capsys)["hourly"]["health"] == "ok"
    assert [(h["source"], h["new"]) for h in hooks(http_server)] == [
        ("hourly", "stale"), ("hourly", "ok")]


def test_the_gate_holds_on_every_store(store_url, http_server, write_config, capsys):
    """The same judgement, hold and recovery on SQLite and on PostgreSQL."""
    site, path, now = warmed_up(http_server, write_config, store_url)
    before = outputs(path)
    site.mode, site.newest = "login", site.newest + 1
    poll(path, now)
    rows = status(path, capsys)
    assert rows["channel"]["health"] == "degraded" and rows["channel"]["held"] == 20
    assert outputs(path) == before
    site.mode = "ok"
    poll(path, now + EVERY)
    assert status(path, capsys)["channel"]["health"] == "ok"
    assert [(h["source"], h["new"]) for h in hooks(http_server) if h["source"] == "channel"] == [
        ("channel", "degraded"), ("channel", "ok")]


def test_thirty_polls_of_the_example_portal_raise_no_alarm(http_server, tmp_path, capsys):
    """The real example portal through the real pipeline, 30 polls 15 minutes apart: the
    later polls find nothing new, which is neither stale (its items are days apart) nor
    degraded; no webhook, every source ok and warmed up. (Rotating items, a poll with one new
    item and one with none: test_health.py's thirty-poll test on the same items.)"""
    root = Path(__file__).resolve().parent.parent
    shutil.copytree(root / "examples", tmp_path / "examples")
    text = (root / "sources.yaml").read_text(encoding="utf-8")
    path = tmp_path / "sources.yaml"
    path.write_text(text.replace("store: data/feeds.db", "store: data/feeds.db\nhealth: "
                                 f'{{webhook: "{http_server.url("/hook")}"}}'),
                    encoding="utf-8")
    http_server.routes["/hook"] = (200, {"Content-Type": "text/plain"}, b"ok")
    for i in range(30):
        result = poll(path, T0 + timedelta(minutes=15) * i)
        assert not result.failed and all(r.health == "ok" for r in result.collected
                                          if not r.waiting), [r.summary() for r in result.collected]
    rows = status(path, capsys)
    assert len(rows) == 6 and {r["health"] for r in rows.values()} == {"ok"}
    assert hooks(http_server) == []
    assert all(r["warm_up"] >= 5 for r in rows.values())
