"""`feeds status`, log formats, `feeds run` progress and the `daemon:` config section."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from feeds import config as config_mod
from feeds import logs
from feeds.cli import main
from feeds.errors import ConfigError
from feeds.progress import Progress
from feeds.service.status import ago, render_table, source_rows
from feeds.state import SourceState

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_ago_is_relative_to_now() -> None:
    assert ago("", NOW) == "-"
    assert ago((NOW - timedelta(minutes=5, seconds=3)).isoformat(), NOW) == "5m ago"
    assert ago((NOW + timedelta(hours=2)).isoformat(), NOW) == "in 2h"


def test_status_rows_and_table(write_config) -> None:
    config = config_mod.load(write_config("""
        sources:
          - {id: ok-src, kind: feed, url: "http://a.example.cn/rss", channel: news}
          - {id: bad-src, kind: feed, url: "http://b.example.cn/rss", channel: news}
        """))
    states = {
        "ok-src": SourceState("ok-src", last_success=(NOW - timedelta(minutes=3)).isoformat(),
                              next_attempt=(NOW + timedelta(minutes=27)).isoformat(),
                              counts={"new": 4, "updated": 1}),
        "bad-src": SourceState("bad-src", failures=2, last_error={
            "kind": "timeout", "message": "fetch timeout: http://b.example.cn/rss: read timed out"}),
        "old-src": SourceState("old-src"),
    }
    rows = source_rows(config, states, {"ok-src": 12}, {})
    assert [r["source"] for r in rows] == ["ok-src", "bad-src", "old-src"]
    assert rows[1]["last_error"]["kind"] == "timeout" and not rows[2]["configured"]
    table = render_table(rows, NOW).splitlines()
    assert table[0].split()[:2] == ["SOURCE", "STATE"]
    assert "3m ago" in table[1] and "in 27m" in table[1] and "+4 ~1" in table[1]
    assert "failing x2" in table[2] and "timeout: fetch timeout" in table[2]
    assert "removed" in table[3]


def test_feeds_status_json_after_a_run(write_config, tmp_path, capsys) -> None:
    feed = tmp_path / "a.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                    "<link>http://a.example.cn/</link><description>d</description><item>"
                    "<title>一</title><link>http://a.example.cn/1.html</link>"
                    "<pubDate>Sun, 01 Mar 2026 10:00:00 +0800</pubDate></item></channel></rss>",
                    encoding="utf-8")
    path = write_config("""
        sources:
          - {id: a, kind: feed, url: "file:a.xml", channel: news}
          - {id: missing, kind: feed, url: "file:nope.xml", channel: news}
        """)
    assert main(["run", "-c", str(path)]) == 1
    capsys.readouterr()
    assert main(["status", "--json", "-c", str(path)]) == 1  # a source is failing
    rows = {r["source"]: r for r in json.loads(capsys.readouterr().out)["sources"]}
    assert rows["a"]["articles"] == 1 and rows["a"]["last_success"]
    assert rows["missing"]["failures"] == 1 and rows["missing"]["last_error"]["kind"]


def _record(msg: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("feeds.daemon", logging.WARNING, __file__, 1, msg, (), None)
    record.__dict__.update(extra)
    return record


def test_log_lines_human_and_json() -> None:
    human = logs.HumanFormatter().format(_record("collect timeout: a\nb", source="s1"))
    assert human.endswith("WARNING feeds.daemon: s1: collect timeout: a | b")
    assert "\n" not in human
    data = json.loads(logs.JsonFormatter().format(_record("collect timeout", source="s1")))
    assert (data["level"], data["source"], data["message"]) == ("warning", "s1",
                                                                 "collect timeout")
    try:
        raise RuntimeError("bug")
    except RuntimeError:
        import sys
        record = logging.LogRecord("feeds", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    assert "RuntimeError: bug" in json.loads(logs.JsonFormatter().format(record))["traceback"]


def test_progress_plain_lines_and_tty_bar() -> None:
    plain = io.StringIO()
    p = Progress(plain, tty=False)
    p.stage("collect", 2)
    p.step("a", True, "1 new")
    p.step("b", False, "fetch timeout")
    p.done("1 ok, 1 failed")
    assert plain.getvalue().splitlines() == [
        "collect: 2 to do", "collect 1/2 a: ok (1 new)", "collect 2/2 b: FAILED (fetch timeout)",
        "collect: 1 ok, 1 failed"]
    tty = io.StringIO()
    p = Progress(tty, tty=True)
    p.stage("collect", 4)
    p.step("a")
    assert "collect [######------------------] 1/4 a" in tty.getvalue()


def test_daemon_config_section(write_config) -> None:
    config = config_mod.load(write_config("daemon:\n  listen: '9108'\n  job_timeout: 2m\n"))
    assert config.daemon.listen_address == ("127.0.0.1", 9108)
    assert config.daemon.seconds("job_timeout") == 120
    assert config_mod.load(write_config("")).daemon.listen_address is None
    with pytest.raises(ConfigError) as e:
        config_mod.load(write_config("daemon:\n  listen: anywhere\n  publish_delay: soon\n"
                                     "  jitter: 2\n"))
    assert [p.split(": ")[1] for p in e.value.problems] == [
        "daemon.listen", "daemon.publish_delay", "daemon.jitter"]


def test_queue_cell_says_where_a_source_is_in_the_queue():
    from feeds.service.status import _queue_cell

    now = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    later = (now + timedelta(seconds=4)).isoformat()
    assert _queue_cell({"queue": {"running_on": "w1:42", "queued": True}}, now) == "running on w1:42"
    assert _queue_cell({"queue": {"queued": True, "queued_for": later}}, now).startswith("queued (")
    assert _queue_cell({"queue": {"queued": True, "queued_for": now.isoformat()}}, now) == "queued"
    assert _queue_cell({}, now) == "-"
