"""Per-host politeness shared by the processes of one machine through lock files: the daemon on
SQLite runs each job in a child process, and without this every child believed it owned the
host.

A host has `per_host` slot files; holding an exclusive `flock` on one is holding the slot. The
kernel drops a dead process's locks, so a SIGKILLed child never keeps a slot. A pace file,
updated under its own lock, holds the wall-clock time before which no request may start.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["FileHostGates"]

POLL = 0.01  # seconds between tries while every slot of a host is taken


class FileHostGates:
    """HostGates whose state lives in `folder` (one machine, any number of processes)."""

    def __init__(self, folder: Path, per_host: int):
        self.folder = folder
        self.per_host = per_host
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, host: str, suffix: str) -> Path:
        return self.folder / f"{hashlib.sha1(host.encode()).hexdigest()[:16]}.{suffix}"

    @contextmanager
    def slot(self, host: str, delay: float) -> Iterator[None]:
        fd = self._take_slot(host)
        try:
            start = self._book(host, delay)
            wait = start - time.time()
            if wait > 0:
                time.sleep(wait)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases its flock

    def defer(self, host: str, seconds: float) -> None:
        """Hold every request to `host` for `seconds` (after a 429/503 or a connection error)."""
        with self._pace(host) as (current, write):
            write(max(current, time.time() + seconds))

    def close(self) -> None:
        pass

    def _take_slot(self, host: str) -> int:
        paths = [self._path(host, f"slot{n}") for n in range(self.per_host)]
        while True:
            for path in paths:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except BlockingIOError:
                    os.close(fd)
            time.sleep(POLL)

    def _book(self, host: str, delay: float) -> float:
        """Reserve the next start time for `host`; return it (wall clock)."""
        with self._pace(host) as (current, write):
            start = max(current, time.time())
            write(start + delay)
        return start

    @contextmanager
    def _pace(self, host: str) -> Iterator[tuple[float, Callable[[float], None]]]:
        fd = os.open(self._path(host, "pace"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            try:
                current = float(text or 0)
            except ValueError:
                current = 0.0

            def write(value: float) -> None:
                data = f"{value:.6f}".encode().ljust(32)
                os.pwrite(fd, data, 0)

            yield current, write
        finally:
            os.close(fd)

