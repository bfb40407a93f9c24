"""PostgreSQL restarted under load: workers and their schedulers reconnect and go on, and no
job is lost. The restart is of a throwaway server of the test's own (initdb on another port),
never of the shared server other people's tests are using."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import psycopg
import pytest
from feed_farm import Farm
from worker_helpers import cluster_config, feeds_cli, wait_for

PERIOD = 3.0
SETTINGS = ("worker:\n  tick: 0.5s\n  heartbeat: 0.5s\n  stalled_after: 3s\n"
            "daemon:\n  publish_delay: 0.5s\nfetch:\n  min_delay: 0.05\n  retries: 0\n")


def _starts(farm: Farm) -> dict[str, list[float]]:
    by_path: dict[str, list[float]] = defaultdict(list)
    for host, path, start, _ in farm.stats()["requests"]:
        if path != "/robots.txt":
            by_path[host + path].append(start)
    return by_path


def _unfinished(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return [(r[0], r[1]) for r in conn.execute(
            "SELECT queueing_lock, status::text FROM procrastinate_jobs "
            "WHERE status = 'doing'")]


@pytest.mark.slow
def test_workers_go_on_after_postgresql_restarts(tmp_path: Path, throwaway_pg, workers) -> None:
    farm = Farm(2, latency=0.3, items=2).start()  # slow answers: jobs in flight at the restart
    try:
        sources = [(f"h{h}-f{f}", farm.url(h, f)) for h in (1, 2) for f in range(1, 5)]
        url = throwaway_pg.url
        config = cluster_config(tmp_path / "sources.yaml", sources, url, f"{PERIOD:g}s",
                                SETTINGS)
        assert feeds_cli(config, "migrate").returncode == 0
        running = [workers(config, "--concurrency", "3") for _ in range(2)]
        wait_for(lambda: len(_starts(farm)) == len(sources), what="a first round")
        wait_for(lambda: _unfinished(url), what="jobs in flight")
        throwaway_pg.restart()  # under load: jobs running, schedulers ticking
        restarted = farm.stats()["requests"][-1][2]
        # every source collected again after the restart, twice: the queue goes on
        wait_for(lambda: all(sum(1 for t in v if t > restarted) >= 2
                             for v in _starts(farm).values()), timeout=60,
                 what="two rounds after the restart")
        for worker in running:
            assert worker.proc is not None and worker.proc.poll() is None, worker.log[-3000:]
        for worker in running:
            assert worker.stop() == 0
        logs = "".join(w.log for w in running)
        assert "queue connection lost" in logs or "schedule:" in logs
        # nothing left half-done: a job cut off by the restart was recovered and finished
        wait_for(lambda: not _unfinished(url), timeout=10, what="no job left running")
    finally:
        farm.stop()
