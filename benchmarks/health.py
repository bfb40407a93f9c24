"""What source health costs: a `feeds run` of the example portal with and without it, and the
baseline update of one source per poll.

Runs: the example portal's sources.yaml in a temp folder (its own store and output), ROUNDS
runs each way, alternated so that load on the shared machine hits both alike; the "without"
runs swap the health calls of the pipeline for stand-ins that store every item as before
(no signals, no baseline, no state). Prints the median seconds of each and the share added,
and, since two runs on a shared machine differ by more than health costs, the share of each
run spent inside the health calls (a stopwatch around them), which is the cost itself.

Baseline update: for each example-portal source, a baseline warmed with 20 good polls of its
own items, then `learn` + `judge_poll` (what every poll adds once its signals are measured)
timed over many polls; `measure` (the signals) and the store round trip of the health row are
printed apart.

    python benchmarks/health.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from health_helpers import portal_items, rotating_polls, rules_of  # noqa: E402

from feeds import config as config_mod  # noqa: E402
from feeds import pipeline  # noqa: E402
from feeds.health import Thresholds, judge_poll, learn, measure, track, usual_shapes  # noqa: E402
from feeds.health.baseline import Baseline  # noqa: E402
from feeds.runtime import Runtime  # noqa: E402
from feeds.store import open_store  # noqa: E402

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


class NoHealth:
    """Stand-ins for feeds.health.track: every poll stored as before health existed."""

    @staticmethod
    def judge(store: Any, source: Any, pairs: list, fetch_failures: int = 0) -> Any:
        return SimpleNamespace(holds=False, articles=[a for _, a in pairs], health=None)

    @staticmethod
    def release(*args: Any) -> list:
        return []

    @staticmethod
    def finish(*args: Any) -> Any:
        return SimpleNamespace(state="")

    unchanged = failed = finish


class TimedHealth:
    """feeds.health.track with a stopwatch around each call the pipeline makes."""

    def __init__(self) -> None:
        self.seconds = 0.0
        for name in ("judge", "release", "finish", "unchanged", "failed"):
            setattr(self, name, self._timed(getattr(track, name)))

    def _timed(self, fn: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
        return call


def portal_copy(folder: Path) -> Path:
    """The example portal's config and files under `folder` (so store and output are ours)."""
    shutil.copytree(ROOT / "examples", folder / "examples")
    shutil.copy(ROOT / "sources.yaml", folder / "sources.yaml")
    return folder / "sources.yaml"


def one_run(path: Path, now: datetime) -> float:
    cfg = config_mod.load(path)
    started = time.perf_counter()
    with Runtime.open(cfg) as rt:
        pipeline.run_once(cfg, rt.store, rt.fetcher, now)
    return time.perf_counter() - started


def run_cost(rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        with_path = portal_copy(Path(tmp) / "with")
        without_path = portal_copy(Path(tmp) / "without")
        real = pipeline.track
        timings: dict[str, list[float]] = {"with": [], "without": [], "inside": []}
        for i in range(rounds + 1):  # the first round fills the stores: not counted
            now = NOW + timedelta(minutes=30 * i)
            order = (("with", with_path), ("without", without_path))
            for name, path in order if i % 2 else order[::-1]:
                timed = TimedHealth()
                pipeline.track = timed if name == "with" else NoHealth  # type: ignore[assignment]
                try:
                    seconds = one_run(path, now)
                finally:
                    pipeline.track = real
                if i:
                    timings[name].append(seconds)
                    if name == "with":
                        timings["inside"].append(timed.seconds / seconds)
    with_s, without_s = (statistics.median(timings[k]) for k in ("with", "without"))
    return {"run_with_s": with_s, "run_without_s": without_s,
            "added_pct": 100 * (with_s - without_s) / without_s,
            "inside_health_pct": 100 * statistics.median(timings["inside"])}


def baseline_cost(polls: int = 200) -> dict[str, float]:
    """Median per-poll cost (ms) of measure, of learn + judge, and of the store round trip."""
    measure_ms, update_ms, store_ms = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "h.db"))
        for source_id, (source, raws) in portal_items().items():
            history = rotating_polls(source_id, raws, count=20 + polls)
            baseline = Baseline()
            for now, (items, articles) in history[:20]:
                signals = measure(items, articles, rules_of(source), usual_shapes(baseline))
                baseline = learn(baseline, signals, [a.published for a in articles], 1, now)
            for now, (items, articles) in history[20:]:
                t0 = time.perf_counter()
                signals = measure(items, articles, rules_of(source), usual_shapes(baseline))
                t1 = time.perf_counter()
                judge_poll(signals, baseline, Thresholds())
                baseline = learn(baseline, signals, [a.published for a in articles], 1, now)
                t2 = time.perf_counter()
                health = track.load(store, source_id)
                track.save(store, source_id, health.__class__(baseline=baseline))
                t3 = time.perf_counter()
                measure_ms.append((t1 - t0) * 1000)
                update_ms.append((t2 - t1) * 1000)
                store_ms.append((t3 - t2) * 1000)
        store.close()
    return {"measure_ms": statistics.median(measure_ms),
            "baseline_update_ms": statistics.median(update_ms),
            "baseline_update_p99_ms": sorted(update_ms)[int(len(update_ms) * 0.99)],
            "store_round_trip_ms": statistics.median(store_ms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    figures = {**run_cost(args.rounds), **baseline_cost()}
    print(json.dumps({k: round(v, 4) for k, v in figures.items()}))
    print(f"feeds run of the example portal: {figures['run_with_s']:.3f} s with health, "
          f"{figures['run_without_s']:.3f} s without: {figures['added_pct']:+.1f}% "
          "(target: under 5%); time inside the health calls of the runs with it: "
          f"{figures['inside_health_pct']:.1f}% of the run")
    print(f"baseline update per source and poll: {figures['baseline_update_ms']:.3f} ms "
          f"(p99 {figures['baseline_update_p99_ms']:.3f} ms; target: under 1 ms); signals "
          f"{figures['measure_ms']:.3f} ms; store round trip {figures['store_round_trip_ms']:.3f} ms")


if __name__ == "__main__":
    main()
