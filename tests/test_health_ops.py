"""Working the health gate: holds and releases by hand, held items released on recovery or
dropped after `hold_for`, webhook retries that never hold up a run, metrics and status."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from health_site import SITE_NAME, ChannelSite
from test_health_gate import EVERY, SOURCES, T0, WARM_UP, outputs, poll, status

from feeds import cli
from feeds import config as config_mod
from feeds.health import Health, Verdict
from feeds.health import hold as held_items
from feeds.health.alerts import retry_delay
from feeds.service.metrics import Metrics
from feeds.store import open_store


def setup_site(http_server, write_config, extra: str = "", hook: str = "/hook"):  # type: ignore[no-untyped-def]
    site = ChannelSite()
    site.serve(http_server)
    text = SOURCES.format(base=http_server.url("").rstrip("/"), hook=http_server.url(hook))
    path = write_config(text.replace("health: {", "health: {" + extra, 1))
    now = T0
    for _ in range(WARM_UP):
        poll(path, now)
        site.newest += 1
        now += EVERY
    return site, path, now


def test_hold_and_release_by_hand(http_server, write_config, capsys):
    site, path, now = setup_site(http_server, write_config)
    assert cli.main(["hold", "channel", "-c", str(path)]) == 0
    before = outputs(path)
    site.newest += 1
    poll(path, now)
    rows = status(path, capsys)
    assert rows["channel"]["manual_hold"] and rows["channel"]["held"] == 20
    assert rows["channel"]["health"] == "ok"  # a healthy poll, held because ops asked
    assert {k: v for k, v in outputs(path).items() if "channels/news" in k} == {
        k: v for k, v in before.items() if "channels/news" in k}
    assert cli.main(["release", "channel", "-c", str(path)]) == 0
    assert "20 held item(s) released" in capsys.readouterr().out
    feed = outputs(path)["channels/news/rss.xml"]
    assert f"/{site.newest}.html".encode() in feed
    rows = status(path, capsys)
    assert not rows["channel"]["manual_hold"] and rows["channel"]["held"] == 0


def test_release_drop_discards(http_server, write_config, capsys):
    site, path, now = setup_site(http_server, write_config)
    site.mode, site.newest = "site-title", site.newest + 1
    poll(path, now)
    assert status(path, capsys)["channel"]["held"] == 20
    assert cli.main(["release", "channel", "--drop", "-c", str(path)]) == 0
    assert "0 held item(s) released, 20 dropped" in capsys.readouterr().out
    assert SITE_NAME.encode() not in outputs(path)["channels/news/rss.xml"].split(b"<item>")[1]


def test_release_relearn_accepts_a_new_shape(http_server, write_config, capsys):
    site, path, now = setup_site(http_server, write_config)
    site.mode = "half"  # the site shows 10 a page from now on
    poll(path, now)
    assert status(path, capsys)["channel"]["health"] == "degraded"
    assert cli.main(["release", "channel", "--relearn", "-c", str(path)]) == 0
    rows = status(path, capsys)
    assert rows["channel"]["warm_up"] == 0 and rows["channel"]["held"] == 0
    for i in range(1, 7):
        site.newest += 1
        poll(path, now + EVERY * i)
        assert status(path, capsys)["channel"]["health"] == "ok"


def test_held_items_released_when_they_pass_or_dropped_in_time(http_server, write_config,
                                                               capsys):
    site, path, now = setup_site(http_server, write_config, "hold_for: 2h, ")
    site.mode, site.newest = "half", site.newest + 1
    poll(path, now)  # 10 items held: each one fine, the list was short
    half = site.listed()
    site.mode, site.newest = "ok", site.newest + 30  # the held ones are no longer listed
    site.start -= 30 * site.gap  # (and every date stays in the past)
    result = poll(path, now + EVERY)
    channel = next(r for r in result.collected if r.source_id == "channel")
    assert channel.released == 10 and status(path, capsys)["channel"]["held"] == 0
    feed = outputs(path)["channels/news/rss.xml"]
    assert all(f"/{n}.html".encode() in feed for n in half[:3])

    site.mode, site.newest = "site-title", site.newest + 1
    poll(path, now + EVERY * 2)  # 20 held, every title the site name: none may pass
    site.mode, site.newest = "ok", site.newest + 30
    site.start -= 30 * site.gap
    poll(path, now + EVERY * 3)
    assert status(path, capsys)["channel"]["held"] == 20  # waiting for hold_for
    poll(path, now + EVERY * 2 + timedelta(hours=2))
    assert status(path, capsys)["channel"]["held"] == 0  # dropped, never published
    assert SITE_NAME.encode() not in outputs(path)["channels/news/rss.xml"].split(b"<item>")[1]


def test_webhook_failures_are_retried_with_backoff(http_server, write_config):
    answers = iter([500, 500])

    def flaky(handler):  # type: ignore[no-untyped-def]
        return next(answers, 200), {"Content-Type": "text/plain"}, b""

    http_server.routes["/flaky"] = flaky
    site, path, now = setup_site(http_server, write_config, hook="/flaky")
    site.mode = "half"
    poll(path, now)  # two transitions: each POST answered 500
    posts = lambda: [json.loads(b)["source"] for p, _, b in http_server.posts if p == "/flaky"]  # noqa: E731
    assert sorted(posts()) == ["channel", "partner"]
    poll(path, now + timedelta(seconds=10))  # not due yet: no POST
    assert len(posts()) == 2
    poll(path, now + retry_delay(1) + timedelta(seconds=1))  # due: delivered now (200)
    assert sorted(posts()) == ["channel", "channel", "partner", "partner"]
    poll(path, now + timedelta(hours=2))
    assert len(posts()) == 4  # delivered ones are not sent again
    assert retry_delay(1) == timedelta(seconds=30) and retry_delay(20) == timedelta(hours=1)


def test_a_hanging_webhook_never_holds_up_a_run(http_server, write_config):
    def hang(handler):  # type: ignore[no-untyped-def]
        time.sleep(6)
        return 200, {"Content-Type": "text/plain"}, b""

    http_server.routes["/hang"] = hang
    site, path, now = setup_site(http_server, write_config, hook="/hang")
    site.mode = "503"
    started = time.monotonic()
    result = poll(path, now, force=True)
    assert time.monotonic() - started < 5.5  # the run waits at most its 3 s grace
    assert len(result.collected) == 2 and result.published is not None


def test_status_table_shows_reason_and_side_by_side(http_server, write_config, capsys):
    site, path, now = setup_site(http_server, write_config)
    site.mode = "site-title"
    poll(path, now)
    capsys.readouterr()
    assert cli.main(["status", "-c", str(path)]) == 1
    text = capsys.readouterr().out
    assert "degraded" in text and "title filled 0%" in text
    assert "LAST GOOD" in text and SITE_NAME in text.split("LAST GOOD", 1)[1]


def test_metrics_per_source():
    metrics = Metrics()
    metrics.source_health("channel", "degraded", {"offered": 20, "fill.date": 0.0}, 20)
    text = metrics.render().decode()
    assert 'feeds_source_health{source="channel",state="degraded"} 1.0' in text
    assert 'feeds_source_health{source="channel",state="ok"} 0.0' in text
    assert 'feeds_source_fill_ratio{field="date",source="channel"} 0.0' in text
    assert 'feeds_source_held_items{source="channel"} 20.0' in text
    assert 'feeds_source_poll_items{source="channel"} 20.0' in text
    metrics.forget("channel")
    assert "channel" not in metrics.render().decode()


def test_health_config_is_checked(write_config):
    path = write_config("health: {webhook: not-a-url, remind_every: soon}\nsources: []\n")
    with pytest.raises(config_mod.ConfigError) as e:
        config_mod.load(path)
    assert "health.webhook: not an absolute http(s) URL" in str(e.value)
    assert "health.remind_every" in str(e.value)


def test_held_items_keep_one_copy_per_url(tmp_path):
    from test_health import NOW

    from feeds.model import Article

    store = open_store(str(tmp_path / "s.db"))
    art = Article("i", "http://x.test/1.html", "t", "", "", NOW, NOW)
    assert held_items.hold(store, "s", [(art, {})], {}, NOW) == 1
    assert held_items.hold(store, "s", [(art, {})], {}, NOW + timedelta(hours=1)) == 1
    assert held_items.held(store, "s")[0].at == (NOW + timedelta(hours=1)).isoformat()
    assert Health().state == "ok" and Verdict("broken").bad
    store.close()


def test_the_courier_thread_delivers_what_any_process_wrote(http_server, tmp_path):
    """The daemon's and workers' delivery loop: an alert written to the outbox (by a child
    job, say) goes out from the Courier thread with its own store, once."""
    from feeds.config import HealthSettings
    from feeds.health.alerts import OUTBOX, Courier, announce
    from feeds.health.record import Transition

    http_server.routes["/hook"] = (200, {"Content-Type": "text/plain"}, b"ok")
    location = str(tmp_path / "feeds.db")
    settings = HealthSettings(webhook=http_server.url("/hook"))
    store = open_store(location)
    announce(store, settings, Transition("src", "ok", "broken", "no-items", T0.isoformat()))
    courier = Courier(lambda: open_store(location), settings, every=0.1).start()
    deadline = time.monotonic() + 10
    while not http_server.posts and time.monotonic() < deadline:
        time.sleep(0.05)
    courier.stop()
    assert [json.loads(b)["new"] for p, _, b in http_server.posts if p == "/hook"] == ["broken"]
    assert store.all_states(OUTBOX) == {}
    store.close()
