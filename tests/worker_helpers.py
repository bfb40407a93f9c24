"""Helpers for the worker tests: a throwaway PostgreSQL database, feed servers on 127.0.0.x
that count requests in flight per host, and `feeds worker` processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import service_helpers

ROOT = Path(__file__).parent.parent
FEEDS = str(Path(sys.executable).parent / "feeds")


def wait_for(check: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    """service_helpers.wait_for with the longer wait a cluster of worker processes needs."""
    return service_helpers.wait_for(check, timeout, what)


@dataclass
class WorkerProcess:
    """One `feeds worker` in a process of its own, its log in a file."""

    config: Path
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def start(self) -> WorkerProcess:
        self.log_path = self.config.parent / f"worker-{time.monotonic_ns()}.log"
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(
                [FEEDS, "worker", "-c", str(self.config), *self.args], cwd=self.config.parent,
                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **self.env})
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def stop(self, timeout: float = 20) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def workers() -> Iterator[Callable[..., WorkerProcess]]:
    """Start `feeds worker` processes; every one still running is killed at the end."""
    started: list[WorkerProcess] = []

    def start(config: Path, *args: str, env: dict[str, str] | None = None) -> WorkerProcess:
        worker = WorkerProcess(config, args, env or {}).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def feeds_cli(config: Path, *args: str, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FEEDS, *args, "-c", str(config)], cwd=config.parent, text=True,
                          capture_output=True, env={**os.environ, **(env or {})}, timeout=120)


def cluster_config(path: Path, sources: list[tuple[str, str]], store: str, schedule: str,
                   extra: str = "") -> Path:
    """sources.yaml with the repository's site and channels and `sources` (id, url)."""
    base = (ROOT / "sources.yaml").read_text(encoding="utf-8").split("\nsources:")[0]
    base = base.replace("store: data/feeds.db", f"store: {store}")
    listed = "".join(f"  - id: {sid}\n    kind: feed\n    url: {url}\n    channel: industry\n"
                     f"    schedule: {schedule}\n    allow_private: true\n"
                     for sid, url in sources)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{base}\nsources:\n{listed}{extra}", encoding="utf-8")
    return path


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every published file under `root` by relative path. Dot-files are left out: they are
    the publisher's own bookkeeping (share/.mark.json holds store change stamps), never served
    (deploy/nginx.conf refuses them)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)}


@dataclass
class ThrowawayCluster:
    """A PostgreSQL server of our own (initdb in a temp folder, its own port), so a test can
    restart it without touching the shared server other people's tests use."""

    folder: Path
    port: int
    bin: Path

    @classmethod
    def create(cls, folder: Path) -> ThrowawayCluster:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not bins:
            if os.environ.get("FEEDS_REQUIRE_SYSTEM_TESTS"):
                pytest.fail("initdb is required in CI (the postgresql package) but was not found")
            pytest.skip("initdb not installed (the Debian postgresql package provides it)")
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o777)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cluster = cls(folder, port, bins[-1].parent)
        cluster._run("initdb", "-D", str(folder / "data"), "-U", "postgres", "--auth=trust",
                     "-E", "UTF8", "--no-sync")
        cluster.start()
        return cluster

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def _ctl(self, action: str, *extra: str) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={self.folder} -c fsync=off")
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "log"),
                  "-o", options, "-w", *extra, action)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._ctl("stop", "-m", "immediate")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def throwaway_pg() -> Iterator[ThrowawayCluster]:
    # not under pytest's tmp folder: that one is private to root, and the server runs as postgres
    folder = Path(tempfile.mkdtemp(prefix="feeds-pg-"))
    try:
        cluster = ThrowawayCluster.create(folder)
        yield cluster
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)
