"""Long-running entry points as real subprocesses: a `feeds daemon` with its log and ops
endpoint, and waiting for a condition with a deadline."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Running:
    """A `feeds daemon` subprocess with its log file and ops endpoint."""

    def __init__(self, config: Path, name: str = "daemon"):
        self.config = config
        self.log_path = config.parent / f"{name}.log"
        self.port = int(config.read_text().split("listen: 127.0.0.1:")[1].split()[0])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "feeds.cli", "daemon", "-c", str(config)],
            stdout=subprocess.DEVNULL, stderr=open(self.log_path, "wb"),  # noqa: SIM115
            cwd=config.parent)

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def status(self) -> dict:
        return json.loads(self.get("/status")[1])

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_for(check: Callable[[], object], timeout: float = 15, what: str = "") -> object:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = check()
        except (OSError, ValueError, KeyError):
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}")


