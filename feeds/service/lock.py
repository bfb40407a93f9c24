"""One daemon per store: an exclusive `flock` on a file beside the SQLite store.

APScheduler 3 has no cross-process coordination, so two daemons on one store would run every
job twice. The kernel drops the lock when the process dies (even on `kill -9`), so a stale
lock file never blocks a restart; the pid written into it is only for the error message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from ..config import Config
from ..errors import FeedsError

__all__ = ["AlreadyRunning", "DaemonLock", "lock_path"]


class AlreadyRunning(FeedsError):
    kind = "locked"


def lock_path(config: Config) -> Path:
    """`<store>.lock` for an SQLite store; `.feeds-daemon.lock` beside the config otherwise."""
    if "://" in config.store_url:
        return config.root / ".feeds-daemon.lock"
    return Path(config.store_url + ".lock")


class DaemonLock:
    """Context manager holding the lock; raises AlreadyRunning naming the holder's pid."""

    def __init__(self, path: Path):
        self.path = path
        self.file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        f = open(self.path, "a+", encoding="ascii")  # noqa: SIM115 (held open: it is the lock)
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            holder = f.read().strip() or "unknown"
            f.close()
            raise AlreadyRunning(
                f"daemon: another feeds daemon (pid {holder}) is already running on this store; "
                f"lock held on {self.path}") from None
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        self.file = f

    def release(self) -> None:
        if self.file is not None:
            fcntl.flock(self.file.fileno(), fcntl.LOCK_UN)
            self.file.close()
            self.file = None

    def __enter__(self) -> DaemonLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()
