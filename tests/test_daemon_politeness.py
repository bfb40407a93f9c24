"""The daemon on SQLite runs each job in a child process; the children share the host gates
through lock files beside the store, so together they keep `fetch.per_host` and `min_delay`
(before, every child believed it owned the host)."""

from __future__ import annotations

from pathlib import Path

from feed_farm import Farm
from service_helpers import Running, free_port, wait_for
from worker_helpers import cluster_config


def test_daemon_children_share_the_per_host_limit(tmp_path: Path) -> None:
    farm = Farm(1, latency=0.4, items=2).start()  # slow answers: jobs overlap on the host
    try:
        sources = [(f"s{n}", farm.url(1, n)) for n in range(1, 7)]
        config = cluster_config(tmp_path / "sources.yaml", sources, "data/feeds.db", "1h",
                                f"daemon:\n  listen: 127.0.0.1:{free_port()}\n"
                                "  startup_spread: 0s\n  publish_delay: 0.3s\n"
                                "fetch:\n  per_host: 2\n  min_delay: 0.1\n")
        daemon = Running(config)
        try:
            wait_for(lambda: sum(1 for r in farm.stats()["requests"]
                                 if r[1].startswith("/feed/")) == 6, timeout=40,
                     what="every source collected")
            assert daemon.stop() == 0
        finally:
            daemon.close()
        stats = farm.stats()
    finally:
        farm.stop()
    assert stats["peak"]["127.0.0.1"] == 2  # six children at once, two requests in flight
    starts = sorted(r[2] for r in stats["requests"])
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # min_delay across children: starts are booked 0.1 s apart; one that woke late on a
    # loaded machine shortens the gap after it, so the span is the robust measure
    assert starts[-1] - starts[0] >= 0.1 * len(gaps) - 0.03, gaps
    assert min(gaps) >= 0.03, gaps  # without shared gates: six children start at once
    assert (tmp_path / "data" / ".feeds.db.hosts").is_dir()
