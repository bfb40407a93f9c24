"""Benchmark: one round of 200 `feed` sources spread over 20 local hosts (127.0.0.1..20, each
answering after 50 ms), with `fetch.per_host: 2`, by 1, 2 and 4 `feeds worker` processes on
one PostgreSQL database; and the same round by `feeds run` on SQLite as the reference line.

Per line: wall time, sources/s, the ratio to the ideal the per-host limits imply (per host:
its feeds plus one robots.txt, at most `per_host` in flight, starts `min_delay` apart), the
highest number of requests in flight seen per host (counted by the servers) and double runs
(a feed requested more than once). Targets: 4 workers within 1.3x of the ideal; double runs 0;
the per-host limit never exceeded.

The workers are started and ready before the clock starts; the round is the 200 collections
queued at once (host-interleaved, as the scheduler queues them) until the queue is empty.

    python benchmarks/scale_workers.py [--sources 200] [--hosts 20] [--workers 1,2,4]
        [--concurrency 12] [--pg postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from feed_farm import Farm  # noqa: E402
from worker_helpers import cluster_config, feeds_cli, wait_for  # noqa: E402

from feeds import config as config_mod  # noqa: E402
from feeds.service.queue import build_app, defer_collect  # noqa: E402
from feeds.service.units import interleave_hosts  # noqa: E402

LATENCY, PER_HOST, MIN_DELAY = 0.05, 2, 0.2  # the figures; --min-delay to diagnose
FEEDS = str(Path(sys.executable).parent / "feeds")


def ideal_seconds(feeds_per_host: int, min_delay: float) -> float:
    requests = feeds_per_host + 1  # and its robots.txt
    by_slots = math.ceil(requests / PER_HOST) * LATENCY
    by_delay = (requests - 1) * min_delay + LATENCY
    return max(by_slots, by_delay)


def _settings(concurrency: int, min_delay: float) -> str:
    return (f"fetch:\n  per_host: {PER_HOST}\n  min_delay: {min_delay}\n  retries: 0\n"
            f"worker:\n  concurrency: {concurrency}\n  tick: 1s\n")


def _database(admin: str) -> str:
    name = f"feeds_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + f"/{name}"


def _drop(admin: str, url: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _pending(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name = "
                           "'feeds.collect' AND status IN ('todo', 'doing')").fetchone()
    return int(row[0]) if row else 0


def _queue_all(url: str, config_path: Path) -> tuple[float, float]:
    """Queue every source's collection at once; return when that began (monotonic, wall):
    the config is loaded and the connection opened before, so they are not in the round."""
    config = config_mod.load(config_path)
    ids = [s.id for s in interleave_hosts(list(config.sources))]

    async def defer() -> tuple[float, float]:
        app = build_app(url)
        async with app.open_async():
            began = time.monotonic(), time.time()
            await defer_collect(app, ids)
        return began

    return asyncio.run(defer())


def _round_with_workers(farm: Farm, sources: list[tuple[str, str]], admin: str, count: int,
                        concurrency: int, min_delay: float, folder: Path) -> tuple[float, dict]:
    url = _database(admin)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        config = cluster_config(folder / f"w{count}" / "sources.yaml", sources, url, "1h",
                                _settings(concurrency, min_delay))
        migrated = feeds_cli(config, "migrate")
        if migrated.returncode != 0:
            raise SystemExit(f"feeds migrate failed: {migrated.stderr}")
        env = dict(os.environ)
        ports = []
        for n in range(count):
            port = 19300 + n
            ports.append(port)
            log = (config.parent / f"worker{n}.log").open("wb")
            procs.append(subprocess.Popen(
                [FEEDS, "worker", "-c", str(config), "--no-scheduler", "--listen", str(port)],
                cwd=config.parent, env=env, stdout=log, stderr=subprocess.STDOUT))
        for port in ports:
            wait_for(lambda p=port: _ready(p), timeout=60, what=f"worker on {port}")
        farm.reset()
        cpu = sum(_cpu_seconds(p.pid) for p in procs)
        started, started_at = _queue_all(url, config)
        wait_for(lambda: _pending(url) == 0, timeout=600, what="the round")
        wall = time.monotonic() - started
        stats = farm.stats()
        stats["cpu"] = sum(_cpu_seconds(p.pid) for p in procs) - cpu
        stats["started_at"] = started_at
        return wall, stats
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        _drop(admin, url)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ready(port: int) -> bool:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
        return r.status == 200


def _round_with_run(farm: Farm, sources: list[tuple[str, str]], min_delay: float,
                    folder: Path) -> tuple[float, dict]:
    config = cluster_config(folder / "run" / "sources.yaml", sources, "data/feeds.db", "1h",
                            _settings(1, min_delay))
    farm.reset()
    started = time.monotonic()
    result = feeds_cli(config, "run")
    wall = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"feeds run failed: {result.stderr[-2000:]}")
    return wall, farm.stats()


def _span(stats: dict) -> str:
    """When the first and the last request started, after the round began (seconds)."""
    starts = sorted(start - stats["started_at"] for _, _, start, _ in stats["requests"])
    return f"{starts[0]:.2f}-{starts[-1]:.2f} s" if starts else "-"


def _line(label: str, wall: float, stats: dict, sources: int, ideal: float, peak: int) -> str:
    feeds = [path for _, path, _, _ in stats["requests"] if path != "/robots.txt"]
    hosts_paths = [(h, p) for h, p, _, _ in stats["requests"] if p != "/robots.txt"]
    doubles = len(hosts_paths) - len(set(hosts_paths))
    missing = sources - len(set(hosts_paths))
    return (f"  {label:<22} {wall:7.2f} s  {sources / wall:7.1f} sources/s  "
            f"{wall / ideal:5.2f}x ideal  peak in flight/host {peak}  double runs {doubles}"
            + (f"  cpu {stats['cpu'] * 1000 / sources:.0f} ms/source" if "cpu" in stats else "")
            + (f"  requests {_span(stats)}" if "started_at" in stats else "")
            + (f"  MISSING {missing}" if missing else "") + ("" if feeds else "  NO REQUESTS"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--no-run", action="store_true", help="skip the `feeds run` line")
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--min-delay", type=float, default=MIN_DELAY,
                        help="fetch.min_delay; a larger one shows whether CPU or design binds")
    parser.add_argument("--pg", default=os.environ.get(
        "FEEDS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()

    per_host = math.ceil(args.sources / args.hosts)
    ideal = ideal_seconds(per_host, args.min_delay)
    print(f"scale_workers: {args.sources} feed sources over {args.hosts} hosts "
          f"({LATENCY * 1000:.0f} ms each), per_host={PER_HOST}, min_delay={args.min_delay}s; "
          f"ideal {ideal:.2f} s; load {os.getloadavg()[0]:.2f}")
    farm = Farm(args.hosts, latency=LATENCY, items=3).start()
    sources = [(f"h{n % args.hosts + 1}-f{n}", farm.url(n % args.hosts + 1, n))
               for n in range(args.sources)]
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="scale_workers-") as tmp:
            folder = Path(tmp)
            for count in (int(n) for n in args.workers.split(",")):
                wall, stats = _round_with_workers(farm, sources, args.pg, count,
                                                  args.concurrency, args.min_delay, folder)
                results.append((f"{count} worker(s) x {args.concurrency}", wall, stats))
            if not args.no_run:
                wall, stats = _round_with_run(farm, sources, args.min_delay, folder)
                results.append(("feeds run (SQLite)", wall, stats))
    finally:
        farm.stop()
    worst_peak = 0
    for label, wall, stats in results:
        peak = max(stats["peak"].values(), default=0)
        worst_peak = max(worst_peak, peak) if "worker" in label else worst_peak
        print(_line(label, wall, stats, args.sources, ideal, peak))
    four = next((w for label, w, _ in results if label.startswith("4 ")), None)
    if four is not None:
        print(f"  target: 4 workers <= 1.3x ideal: {four / ideal:.2f}x "
              f"{'OK' if four / ideal <= 1.3 else 'MISSED'}; per-host limit "
              f"{'held' if worst_peak <= PER_HOST else 'EXCEEDED'} (peak {worst_peak})")


if __name__ == "__main__":
    main()
