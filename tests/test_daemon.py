"""The daemon as a real subprocess on a copy of the example portal, with 2-second schedules."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from conftest import ROOT
from fetch_helpers import rss
from lxml import etree
from prometheus_client.parser import text_string_to_metric_families
from service_helpers import Running, free_port, wait_for

SOURCES = {"innovation-rss": "innovation", "industry-rss": "industry", "brand-rss": "brand"}


def portal_config(tmp_path: Path, schedule: str = "2s", extra_sources: str = "",
                  limit: int = 50, daemon: str = "") -> Path:
    """A copy of examples/portal with its own store/output and short schedules."""
    if not (tmp_path / "examples").exists():
        shutil.copytree(ROOT / "examples", tmp_path / "examples")
    base = (ROOT / "sources.yaml").read_text(encoding="utf-8").split("\nsources:")[0]
    base = base.replace("limit: 50", f"limit: {limit}")
    # 繁體 copies (feeds.variants) are not what these tests are about: publish the originals
    base = "".join(line for line in base.splitlines(keepends=True) if "variants:" not in line)
    sources = "".join(
        f"  - id: {sid}\n    kind: feed\n    url: file:examples/portal/rss/{channel}.xml\n"
        f"    channel: {channel}\n    schedule: {schedule}\n" for sid, channel in SOURCES.items())
    port = free_port()
    text = (f"{base}\nsources:\n{sources}{extra_sources}\ndaemon:\n  listen: 127.0.0.1:{port}\n"
            f"  publish_delay: 0.3s\n  startup_spread: 1s\n{daemon or '  shutdown_timeout: 6s'}\n")
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def daemons() -> Callable[..., Running]:
    started: list[Running] = []

    def start(config: Path, name: str = "daemon") -> Running:
        started.append(Running(config, name))
        return started[-1]

    yield start
    for d in started:
        d.close()


def _all_succeeded(d: Running) -> bool:
    return all(r["last_success"] for r in d.status()["sources"])


def _outputs_whole(output: Path) -> list[Path]:
    files = sorted(p for p in output.rglob("*") if p.is_file() and not p.name.startswith("."))
    for path in files:  # each raises on a truncated file
        if path.suffix == ".json":
            json.loads(path.read_bytes())
        elif path.suffix == ".html":  # a page ends with </html>, a head fragment with a tag
            end = b">" if path.name.endswith(".head.html") else b"</html>"
            assert path.read_bytes().rstrip().endswith(end), path
        elif path.suffix in (".xml", ".xsl", ".opml"):
            etree.fromstring(path.read_bytes())
    assert not [p for p in output.rglob(".*.tmp")], "temp files left behind"
    return files


def test_publishes_serves_ops_endpoint_and_stops_cleanly(tmp_path: Path, daemons) -> None:
    d = daemons(portal_config(tmp_path))
    wait_for(lambda: (tmp_path / "output/channels/brand/rss.xml").exists(), what="output")
    wait_for(lambda: _all_succeeded(d), what="every source collected")
    assert d.get("/healthz")[0] == 200
    assert d.get("/readyz") == (200, b"ready: sources.yaml, 3 sources scheduled\n")
    rows = {r["source"]: r for r in d.status()["sources"]}
    assert rows["innovation-rss"]["articles"] == 3 and rows["brand-rss"]["next_attempt"]
    wait_for(lambda: b'feeds_publishes_total{outcome="ok"}' in d.get("/metrics")[1],
             what="a publish")
    families = {f.name: f for f in text_string_to_metric_families(d.get("/metrics")[1].decode())}
    fetches = {(s.labels["source"], s.labels["outcome"]): s.value
               for s in families["feeds_fetches"].samples if s.name == "feeds_fetches_total"}
    assert all(fetches[(sid, "ok")] >= 1 for sid in SOURCES)
    sizes = {s.labels["file"]: s.value for s in families["feeds_output_file_bytes"].samples}
    assert sizes["rss.xml"] == (tmp_path / "output/rss.xml").stat().st_size
    assert {"feeds_fetch_duration_seconds", "feeds_publish_duration_seconds", "feeds_articles",
            "feeds_last_success_timestamp_seconds"} <= set(families)
    assert d.stop() == 0
    assert "daemon: stopped" in d.log and "Traceback" not in d.log
    _outputs_whole(tmp_path / "output")


def test_sighup_keeps_old_config_when_broken_and_schedules_new_sources(tmp_path: Path,
                                                                       daemons) -> None:
    config = portal_config(tmp_path)
    good = config.read_text(encoding="utf-8")
    d = daemons(config)
    wait_for(lambda: _all_succeeded(d), what="first collections")
    # five fields, yet no valid cron (minute 61): refused by the scheduler's own parser
    config.write_text(good.replace("schedule: 2s", "schedule: 61 * * * *", 1), encoding="utf-8")
    d.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "still running on the previous one" in d.log, what="reload refused")
    line = config.read_text().splitlines().index("    schedule: 61 * * * *") + 1
    assert f"reload: sources.yaml:{line}: sources[0].schedule: not a valid cron" in d.log
    assert d.proc.poll() is None and d.get("/readyz")[0] == 200
    _big_feed(tmp_path / "extra.xml", 2)
    extra = ("  - id: extra-rss\n    kind: feed\n    url: file:extra.xml\n"
             "    channel: brand\n    schedule: 2s\n")
    config.write_text(portal_config(tmp_path, extra_sources=extra).read_text().replace(
        f"127.0.0.1:{_port(config)}", f"127.0.0.1:{d.port}"), encoding="utf-8")
    d.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "extra-rss: schedule: added" in d.log, what="new source scheduled")
    rows = wait_for(lambda: [r for r in d.status()["sources"]
                             if r["source"] == "extra-rss" and r["last_success"]], what="extra")
    assert rows[0]["articles"] == 2
    assert d.stop() == 0


def _port(config: Path) -> int:
    return int(config.read_text().split("listen: 127.0.0.1:")[1].split()[0])


def _big_feed(path: Path, items: int) -> None:
    entries = "".join(
        f"<item><title>第{i}条 大新闻</title><link>http://www.cenn.cn/big/{i}.html</link>"
        f"<description>{'内容' * 200}</description>"
        f"<pubDate>Sun, 22 Nov 2026 {i % 24:02d}:{i % 60:02d}:00 +0800</pubDate></item>"
        for i in range(items))
    path.write_text(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                    f"<title>big</title><link>http://www.cenn.cn/</link><description>big"
                    f"</description>{entries}</channel></rss>", encoding="utf-8")


# A small publish finishes within its grace; a big one (several seconds) is killed.
@pytest.mark.parametrize("grace, items", [("6s", 200), ("0.05s", 1500)])
def test_sigterm_during_a_publish_exits_0_with_whole_files(tmp_path: Path, daemons,
                                                           grace: str, items: int) -> None:
    config = portal_config(tmp_path, schedule="1h", limit=3000, extra_sources=(
        "  - id: big-rss\n    kind: feed\n    url: file:big.xml\n    channel: industry\n"
        "    schedule: 1h\n"), daemon=f"  shutdown_timeout: {grace}\n")
    _big_feed(tmp_path / "big.xml", items)
    d = daemons(config)
    wait_for(lambda: d.log.count("publish: started") >= 1 and f"big-rss: {items} new" in d.log,
             timeout=30, what="big source collected")
    wait_for(lambda: d.log.rstrip().endswith("publish: started"), timeout=30,
             what="a publish of the big source")
    started = time.monotonic()
    assert d.stop(timeout=10) == 0
    assert time.monotonic() - started < 10
    log = d.log
    stopping = log.index("daemon: stopping")
    assert log.rindex("publish: started") < stopping  # the signal came mid-publish
    files = _outputs_whole(tmp_path / "output")
    assert len([f for f in files if f.name in ('rss.xml', 'atom.xml')]) == 8
    assert ("abandoned 1 unfinished jobs" in log) == (grace == "0.05s")


def _published_after_collections(d: Running) -> bool:
    status = d.status()
    last = max(datetime.fromisoformat(r["last_success"]) for r in status["sources"])
    publish = status["daemon"]["last_publish"]
    return bool(publish) and datetime.fromisoformat(publish["at"]) > last


def _states(db: Path) -> dict[str, dict]:
    with sqlite3.connect(db) as conn:
        return {k: json.loads(v) for k, v in conn.execute("SELECT source_id, data FROM source_state")}


def test_kill_9_then_restart_loses_nothing_and_refetches_nothing(tmp_path: Path, daemons) -> None:
    config = portal_config(tmp_path, schedule="30s")
    d = daemons(config)
    wait_for(lambda: _all_succeeded(d), what="first collections")
    wait_for(lambda: _published_after_collections(d), what="publish after the collections")
    db, output = tmp_path / "data/feeds.db", tmp_path / "output"
    before = _states(db)
    published = {p: p.read_bytes() for p in _outputs_whole(output)}
    d.proc.kill()
    d.proc.wait()
    again = daemons(config, "restarted")
    wait_for(lambda: again.get("/readyz")[0] == 200, what="restart")
    time.sleep(2.5)
    assert _states(db) == before  # nothing was refetched at once
    assert {p: p.read_bytes() for p in _outputs_whole(output)} == published
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 7
    first_runs = [line for line in again.log.splitlines() if "schedule: added" in line]
    assert len(first_runs) == 3
    assert again.stop() == 0


def test_a_second_daemon_on_the_same_store_is_refused(tmp_path: Path, daemons) -> None:
    config = portal_config(tmp_path)
    first = daemons(config)
    wait_for(lambda: "daemon: started" in first.log, what="first daemon")
    other = tmp_path / "other.yaml"
    other.write_text(config.read_text().replace(f":{first.port}", f":{free_port()}"))
    second = daemons(other, "second")
    assert second.proc.wait(10) == 1
    assert "another feeds daemon (pid" in second.log and str(first.proc.pid) in second.log
    assert first.proc.poll() is None
    assert first.stop() == 0


def test_a_hung_source_is_killed_at_its_deadline_and_retried(tmp_path: Path, daemons,
                                                             http_server) -> None:
    def hang(handler) -> tuple[int, dict, bytes]:
        time.sleep(4)
        return 0, {}, b""  # answer nothing: the daemon killed the fetch long ago

    http_server.routes["/slow.xml"] = hang
    extra = (f"  - id: slow-rss\n    kind: feed\n    url: {http_server.url('/slow.xml')}\n"
             f"    channel: brand\n    schedule: 2s\n    allow_private: true\n")
    d = daemons(portal_config(tmp_path, extra_sources=extra, daemon="  job_timeout: 1s\n"))

    def slow_failures() -> int:
        row = next(r for r in d.status()["sources"] if r["source"] == "slow-rss")
        return row["failures"] >= 2 and row["last_error"]["kind"] == "deadline"

    wait_for(slow_failures, timeout=20, what="two deadline failures")
    assert "slow-rss: collect deadline: job exceeded its 1s deadline" in d.log
    assert _all_succeeded(d) is False  # slow-rss never succeeded, but the others did:
    assert all(r["last_success"] for r in d.status()["sources"] if r["source"] in SOURCES)
    assert d.stop() == 0


def test_a_gone_source_is_skipped_until_its_url_is_fixed_and_reloaded(tmp_path: Path, daemons,
                                                                      http_server) -> None:
    http_server.add("/old.xml", b"gone", "text/plain", status=410)
    http_server.add("/new.xml", rss("moved"), "application/rss+xml")
    extra = (f"  - id: moved-rss\n    kind: feed\n    url: {http_server.url('/old.xml')}\n"
             f"    channel: brand\n    schedule: 1s\n    allow_private: true\n")
    config = portal_config(tmp_path, extra_sources=extra)
    d = daemons(config)
    wait_for(lambda: d.log.count("moved-rss: skipped, gone (HTTP 410)") >= 2, timeout=20,
             what="the gone source skipped twice")
    assert [p for _, p, _ in http_server.requests].count("/old.xml") == 1
    config.write_text(config.read_text().replace("/old.xml", "/new.xml"), encoding="utf-8")
    d.proc.send_signal(signal.SIGHUP)
    rows = wait_for(lambda: [r for r in d.status()["sources"]
                             if r["source"] == "moved-rss" and r["last_success"]], what="fixed")
    assert rows[0]["articles"] == 2 and not rows[0]["gone"] and rows[0]["failures"] == 0
    assert d.stop() == 0
