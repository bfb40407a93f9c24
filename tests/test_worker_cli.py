"""`feeds worker` as ops meet it: refuses SQLite and an unmigrated database in one line;
serves /metrics and /status with the queue; SIGHUP reloads (a bad file keeps the old config);
a --no-publish worker never writes output/; `feeds status` shows the queue column."""

from __future__ import annotations

import json
import signal
import socket
import time
import urllib.request
from pathlib import Path

from feed_farm import Farm
from worker_helpers import cluster_config, feeds_cli, wait_for

from feeds import config as config_mod
from feeds.service.queue import queue_rows

SETTINGS = ("worker:\n  tick: 0.5s\n  heartbeat: 0.5s\n  stalled_after: 2s\n"
            "daemon:\n  publish_delay: 0.3s\nfetch:\n  min_delay: 0.01\n")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return bytes(r.read())


def test_worker_refuses_sqlite_and_an_unmigrated_database(tmp_path: Path, pg_url: str) -> None:
    sqlite = cluster_config(tmp_path / "a" / "sources.yaml", [("s", "http://127.0.0.1/")],
                            "data/feeds.db", "1h")
    run = feeds_cli(sqlite, "worker")
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "worker: sources.yaml: store: needs a PostgreSQL store (postgresql://...); "
        "with SQLite run `feeds daemon`"]
    fresh = cluster_config(tmp_path / "b" / "sources.yaml", [("s", "http://127.0.0.1/")],
                           pg_url, "1h")
    run = feeds_cli(fresh, "worker")
    assert run.returncode == 2 and "run `feeds migrate -c sources.yaml` first" in run.stderr


def test_no_publish_worker_metrics_status_and_sighup(tmp_path: Path, pg_url: str,
                                                     workers) -> None:
    farm = Farm(1, latency=0.01, items=2).start()
    try:
        sources = [("one", farm.url(1, 1))]
        config = cluster_config(tmp_path / "sources.yaml", sources, pg_url, "1h", SETTINGS)
        assert feeds_cli(config, "migrate").returncode == 0
        port = _port()
        collector = workers(config, "--no-publish", "--listen", str(port))
        output = config_mod.load(config).output_path
        wait_for(lambda: b'feeds_fetches_total{outcome="ok",source="one"} 1.0'
                 in _get(port, "/metrics"), what="a collection counted in /metrics")
        assert queue_rows(pg_url)["publish"]["queued"]  # waiting for a publishing worker
        assert not (output / "rss.xml").exists()
        status = json.loads(_get(port, "/status"))
        assert status["worker"]["queues"] == ["collect"]
        assert status["publish"]["queued"] and status["sources"][0]["queue"]["queued"] is False
        table = feeds_cli(config, "status")
        assert table.stdout.splitlines()[0].split()[:3] == ["SOURCE", "STATE", "QUEUE"]

        publisher = workers(config, "--no-scheduler")
        wait_for(lambda: (output / "rss.xml").is_file(), what="the publishing worker")
        assert "Host 1 feed 1 item 0" in (output / "rss.xml").read_text(encoding="utf-8")

        good = config.read_text(encoding="utf-8")
        config.write_text(good.replace("schedule: 1h", "schedule: never"), encoding="utf-8")
        assert collector.proc is not None
        collector.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "config invalid; still running on the previous one" in collector.log,
                 what="the bad reload refused")
        config.write_text(good.replace("sources:\n", "sources:\n  - id: two\n    kind: feed\n"
                                       f"    url: {farm.url(1, 2)}\n    channel: industry\n"
                                       "    schedule: 1h\n    allow_private: true\n"),
                          encoding="utf-8")
        collector.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: b'source="two"} 1.0' in _get(port, "/metrics"), what="the new source")
        assert b'feeds_config_reloads_total{outcome="invalid"} 1.0' in _get(port, "/metrics")
        assert collector.stop() == 0 and publisher.stop() == 0
    finally:
        farm.stop()


def test_sigterm_mid_collection_exits_0_and_the_source_runs_again(tmp_path: Path, pg_url: str,
                                                                  workers) -> None:
    farm = Farm(1, latency=0.01, items=2, slow={"/feed/2.xml": 8.0}).start()
    try:
        sources = [("quick", farm.url(1, 1)), ("slow", farm.url(1, 2))]
        config = cluster_config(tmp_path / "sources.yaml", sources, pg_url, "1h",
                                SETTINGS.replace("daemon:\n", "daemon:\n  shutdown_timeout: 1s\n"))
        assert feeds_cli(config, "migrate").returncode == 0
        first = workers(config)
        wait_for(lambda: "127.0.0.1/feed/2.xml" in farm.stats()["active"], what="slow fetch")
        started = time.monotonic()
        assert first.stop(timeout=15) == 0
        assert time.monotonic() - started < 6  # shutdown_timeout, not the 8 s fetch
        assert "abandoned 1 unfinished jobs" in first.log
        second = workers(config)
        wait_for(lambda: sum(1 for r in farm.stats()["requests"] if r[1] == "/feed/2.xml") >= 2,
                 timeout=30, what="the slow source collected by the next worker")
        assert second.stop(timeout=20) == 0
    finally:
        farm.stop()


def test_a_job_past_its_deadline_is_failed_and_counted(tmp_path: Path, pg_url: str,
                                                       workers) -> None:
    # the fetch (6 s) is within the fetch timeouts but past daemon.job_timeout (1 s)
    farm = Farm(1, latency=0.01, items=2, slow={"/feed/2.xml": 6.0}).start()
    try:
        sources = [("quick", farm.url(1, 1)), ("slow", farm.url(1, 2))]
        config = cluster_config(tmp_path / "sources.yaml", sources, pg_url, "1h",
                                SETTINGS.replace("daemon:\n", "daemon:\n  job_timeout: 1s\n"))
        assert feeds_cli(config, "migrate").returncode == 0
        port = _port()
        worker = workers(config, "--listen", str(port))
        wait_for(lambda: b'feeds_fetches_total{outcome="deadline",source="slow"} 1.0'
                 in _get(port, "/metrics"), timeout=20, what="the deadline counted")
        assert worker.log.count("slow: job exceeded its 1s deadline") == 1
        assert b'feeds_fetches_total{outcome="ok",source="quick"} 1.0' in _get(port, "/metrics")
        # the job is failed at once (its 6 s thread still runs): source:slow is no longer held
        # (the metric is counted just before the job fails: wait briefly, well within the 6 s)
        wait_for(lambda: not queue_rows(pg_url).get("source:slow", {}).get("running_on"),
                 timeout=2, what="the source:slow job failed while its thread runs")
        assert worker.stop(timeout=20) == 0
    finally:
        farm.stop()
