"""The parity harness: the same misbehaving sources, driven through every entry point that runs
collections, must make the same requests and leave the same state (issue 10).

`Scenario` serves five feed sources and a robots.txt on one 127.0.0.1 host and records every
request it answers; `Scenario.seen()` and `Scenario.recorded(config)` reduce what the server saw
and what the store holds to values that do not depend on timing or on how many rounds ran
(a run of requests of one shape counts as "1" or "2+"). `EXPECTED_SEEN`/`EXPECTED_RECORDED` say,
by hand, what every entry point must produce.

Adding an entry point (e.g. `feeds worker`) is one class and one line:

    class WorkerEntry:
        name = "worker-postgres"
        def store(self, request) -> str:           # where its store lives:
            return _store("postgres", request)     # a fresh PostgreSQL schema
        def drive(self, config: Path, scenario: Scenario) -> None:
            # start `feeds worker -c config` (and what schedules for it) as subprocesses,
            # wait_for(scenario.done) and wait_for(scenario.held_logged(log_text)),
            # then SIGTERM and assert a clean exit
    ENTRY_POINTS.append(WorkerEntry())

`drive` must run every source of the config round after round (each on its `1s` schedule)
until `scenario.done()` holds, then stop cleanly; the test then compares.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Protocol

import pytest
from conftest import BASE_CONFIG, LocalServer
from fetch_helpers import FAST_FETCH, RSS_TYPE, rss
from service_helpers import Running, free_port, wait_for

from feeds import config as config_mod
from feeds.cli import main
from feeds.state import load_state
from feeds.store import open_store

CONTACT = "https://feeds.example.cn/contact"
ETAG, MODIFIED = '"c1"', "Wed, 25 Nov 2026 01:00:00 GMT"
CONDITIONAL = ("If-Modified-Since", "If-None-Match")
ROUNDS = 3  # the always-fetched sources are requested at least this often
SOURCES = {  # id -> path on the scenario's server
    "cond": "/cond.xml",  # ETag + Last-Modified, then 304 for the validators
    "busy": "/busy.xml",  # 503 with Retry-After: 1 (waited for within the run), then 200
    "gone": "/gone.xml",  # 410: marked gone, never asked again
    "held": "/held.xml",  # 503 with Retry-After: 3600 (beyond retry_after_cap): backs off 1 h
    "private": "/private/feed.xml",  # disallowed by robots.txt: never asked
}
HELD = ("gone", "held")  # sources an entry point must skip (and log that it skipped)


class EntryPoint(Protocol):
    name: str

    def store(self, request: pytest.FixtureRequest) -> str: ...

    def drive(self, config: Path, scenario: Scenario) -> None: ...


@dataclass
class Scenario:
    """The misbehaving server and what it answered: (path, headers, status, time) per request."""

    server: LocalServer
    answered: list[tuple[str, dict[str, str], int, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        busy = iter([(503, {"Retry-After": "1"}, b"")])
        routes = {
            "/robots.txt": lambda h: (200, {"Content-Type": "text/plain"},
                                      b"User-agent: *\nDisallow: /private/\n"),
            "/cond.xml": lambda h: (304, {"ETag": ETAG}, b"") if h.headers.get(
                "If-None-Match") == ETAG else (200, {"Content-Type": RSS_TYPE, "ETag": ETAG,
                                                     "Last-Modified": MODIFIED}, rss("cond")),
            "/busy.xml": lambda h: next(busy, (200, {"Content-Type": RSS_TYPE}, rss("busy"))),
            "/gone.xml": lambda h: (410, {"Content-Type": "text/plain"}, b"gone"),
            "/held.xml": lambda h: (503, {"Retry-After": "3600"}, b"busy"),
            "/private/feed.xml": lambda h: (200, {"Content-Type": RSS_TYPE}, rss("private")),
        }
        for path, route in routes.items():
            self.server.routes[path] = self._recorded(path, route)

    def _recorded(self, path: str, route: Any) -> Any:
        def answer(h: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
            with self.lock:
                status, headers, body = route(h)
                self.answered.append((path, dict(h.headers), status, time.monotonic()))
            return status, headers, body
        return answer

    def config(self, folder: Path, store: str) -> Path:
        """sources.yaml: the sources on `1s` schedules, fast fetch limits, a contact URL."""
        base = BASE_CONFIG.replace("  description: 测试\n",
                                   f"  description: 测试\n  contact_url: {CONTACT}\n")
        sources = "".join(
            f"  - id: {sid}\n    kind: feed\n    url: {self.server.url(path)}\n"
            f"    channel: news\n    allow_private: true\n    schedule: 1s\n"
            for sid, path in SOURCES.items())
        daemon = (f"daemon:\n  listen: 127.0.0.1:{free_port()}\n  publish_delay: 0.3s\n"
                  f"  startup_spread: 1s\n  shutdown_timeout: 6s\n  job_timeout: 20s\n")
        path = folder / "sources.yaml"
        path.write_text(f"{base}store: {store}\n{FAST_FETCH}{daemon}sources:\n{sources}",
                        encoding="utf-8")
        return path

    def _count(self, path: str, status: int) -> int:
        with self.lock:
            return sum(1 for p, _, s, _ in self.answered if p == path and s == status)

    def done(self) -> bool:
        """Every always-fetched source has been requested ROUNDS times."""
        return (self._count("/cond.xml", 200) + self._count("/cond.xml", 304) >= ROUNDS
                and self._count("/busy.xml", 200) >= ROUNDS - 1)

    @staticmethod
    def held_logged(log: str) -> bool:
        """The log says every held source was skipped at least once (so it was asked)."""
        return all(f"{sid}: skipped, " in log for sid in HELD)

    def seen(self) -> dict[str, Any]:
        """Per path, its runs of requests of one shape as (conditional headers, status, "1" or
        "2+"); whether the in-run Retry-After wait happened; whether every request named the
        contact URL in its User-Agent."""
        with self.lock:
            answered = list(self.answered)
        runs: dict[str, list[list[Any]]] = {}
        for path, headers, status, _ in answered:
            shape = [",".join(h for h in CONDITIONAL if h in headers), status]
            path_runs = runs.setdefault(path, [])
            if path_runs and path_runs[-1][:2] == shape:
                path_runs[-1][2] = "2+"
            else:
                path_runs.append([*shape, "1"])
        busy = [at for path, _, _, at in answered if path == "/busy.xml"]
        return {"requests": {p: [tuple(r) for r in rs] for p, rs in sorted(runs.items())},
                "retry_after_waited": len(busy) >= 2 and busy[1] - busy[0] >= 0.9,
                "agent_names_contact": all(f"(+{CONTACT})" in h.get("User-Agent", "")
                                           for _, h, _, _ in answered)}

    def recorded(self, config_path: Path) -> dict[str, Any]:
        """Per source: failing?, gone?, last error class, held back over 30 min?, last run's
        counts, articles stored; and the HTTP cache's validators and robots.txt entry."""
        config = config_mod.load(config_path)
        store = open_store(config.store_url)
        try:
            out: dict[str, Any] = {}
            for sid in SOURCES:
                state = load_state(store, sid)
                held = bool(state.next_attempt) and (
                    datetime.fromisoformat(state.next_attempt)
                    - datetime.fromisoformat(state.last_attempt)).total_seconds() > 1800
                out[sid] = {"failing": state.failures > 0, "gone": state.gone,
                            "error": state.last_error.get("kind", "") if state.failures else "",
                            "held": held, "counts": state.counts, "articles": store.count(sid)}
            cond = store.get_state("http_cache", self.server.url("/cond.xml"))
            robots = store.get_state("http_cache", self.server.url("/robots.txt"))
            out["http_cache"] = {"cond": (cond.get("etag"), cond.get("last_modified")),
                                 "robots": robots.get("robots_status")}
            return out
        finally:
            store.close()


NOT_MODIFIED = {"new": 0, "updated": 0, "unchanged": 0, "not_modified": 1}
EXPECTED_SEEN = {
    "requests": {
        "/busy.xml": [("", 503, "1"), ("", 200, "2+")],
        "/cond.xml": [("", 200, "1"), (",".join(CONDITIONAL), 304, "2+")],
        "/gone.xml": [("", 410, "1")],
        "/held.xml": [("", 503, "1")],
        "/robots.txt": [("", 200, "1")],
    },
    "retry_after_waited": True,
    "agent_names_contact": True,
}
FAILING = {"failing": True, "counts": {}, "articles": 0}
EXPECTED_RECORDED = {
    "cond": {"failing": False, "gone": False, "error": "", "held": False,
             "counts": NOT_MODIFIED, "articles": 2},
    "busy": {"failing": False, "gone": False, "error": "", "held": False,
             "counts": NOT_MODIFIED, "articles": 2},  # not modified: "same body"
    "gone": {**FAILING, "gone": True, "error": "http-4xx", "held": False},
    "held": {**FAILING, "gone": False, "error": "http-5xx", "held": True},
    "private": {**FAILING, "gone": False, "error": "robots-disallowed", "held": False},
    "http_cache": {"cond": (ETAG, MODIFIED), "robots": 200},
}


def _store(kind: str, request: pytest.FixtureRequest) -> str:
    """An SQLite file beside the config, or a fresh PostgreSQL schema (conftest's pg_url)."""
    return "data/feeds.db" if kind == "sqlite" else str(request.getfixturevalue("pg_url"))


class RunEntry:
    """`feeds run`, once per round, as a timer would start it (in this process)."""

    def __init__(self, store: str = "sqlite"):
        self.kind = store
        self.name = f"run-{store}"

    def store(self, request: pytest.FixtureRequest) -> str:
        return _store(self.kind, request)

    def drive(self, config: Path, scenario: Scenario) -> None:
        for _ in range(ROUNDS + 2):
            assert main(["run", "-c", str(config)]) in (0, 1)  # 1: a source failed, by design
            if scenario.done():
                return
        raise AssertionError(f"`feeds run` x{ROUNDS + 2} did not finish the scenario")


class DaemonEntry:
    """A real `feeds daemon` subprocess, stopped with SIGTERM once the scenario is done."""

    def __init__(self, store: str = "sqlite"):
        self.kind = store
        self.name = f"daemon-{store}"

    def store(self, request: pytest.FixtureRequest) -> str:
        return _store(self.kind, request)

    def drive(self, config: Path, scenario: Scenario) -> None:
        daemon = Running(config)
        try:
            wait_for(scenario.done, timeout=40, what="the daemon's rounds")
            wait_for(lambda: scenario.held_logged(daemon.log), timeout=10,
                     what="the daemon skipping the held sources")
            assert daemon.stop() == 0
            assert "Traceback" not in daemon.log, daemon.log
        finally:
            daemon.close()


class WorkerEntry:
    """Two `feeds worker` subprocesses (each with its scheduler) on PostgreSQL, after
    `feeds migrate`, stopped with SIGTERM once the scenario is done."""

    name = "worker-postgres"

    def store(self, request: pytest.FixtureRequest) -> str:
        return _store("postgres", request)

    def drive(self, config: Path, scenario: Scenario) -> None:
        from worker_helpers import WorkerProcess, feeds_cli

        with config.open("a", encoding="utf-8") as f:
            f.write("worker:\n  tick: 0.3s\n")
        assert feeds_cli(config, "migrate").returncode == 0
        running = [WorkerProcess(config, ("--concurrency", "2")).start() for _ in range(2)]
        try:
            wait_for(scenario.done, timeout=40, what="the workers' rounds")
            wait_for(lambda: scenario.held_logged("".join(w.log for w in running)),
                     timeout=10, what="the workers skipping the held sources")
            for worker in running:
                assert worker.stop() == 0
                assert "Traceback" not in worker.log, worker.log
        finally:
            for worker in running:
                worker.kill()


ENTRY_POINTS: list[EntryPoint] = [RunEntry("sqlite"), DaemonEntry("sqlite"),
                                  RunEntry("postgres"), DaemonEntry("postgres"), WorkerEntry()]
