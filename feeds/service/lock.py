"""One daemon per store: `daemon_lock(config)` is the lock `feeds daemon` holds while it runs.

APScheduler 3 has no cross-process coordination, so two daemons on one store would run every
job twice. On SQLite: an exclusive `flock` on a file beside the store (an SQLite file lives on
one host); the kernel drops it when the process dies (even on `kill -9`), so a stale lock file
never blocks a restart; the pid written into it is only for the error message. On PostgreSQL
the daemons may be on different machines, so a file proves nothing: a session-level advisory
lock keyed on the store (its database and schema), held on a connection of the daemon's own;
PostgreSQL drops it when that session ends, however the daemon ends.
"""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path
from typing import IO, Any

from ..config import Config
from ..errors import FeedsError, StoreError
from ..store import is_postgres

__all__ = ["AlreadyRunning", "DaemonLock", "PgDaemonLock", "daemon_lock", "lock_path"]

LOCK_DAEMON = 0x66656566  # advisory lock class ("feef"); the key within it: the store's schema


class AlreadyRunning(FeedsError):
    kind = "locked"


def daemon_lock(config: Config) -> DaemonLock | PgDaemonLock:
    """The daemon's lock for `config.store_url`: advisory on PostgreSQL, a file on SQLite."""
    if is_postgres(config.store_url):
        return PgDaemonLock(config.store_url)
    return DaemonLock(lock_path(config))


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


class PgDaemonLock:
    """`pg_try_advisory_lock` on a connection of its own, held until release (or the session
    ends); raises AlreadyRunning naming the holder (pid and host) when another daemon has it."""

    def __init__(self, url: str):
        self.url = url
        self.conn: Any = None

    def acquire(self) -> None:
        import psycopg

        me = f"feeds daemon pid {os.getpid()} on {socket.gethostname()}"[:63]
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10,
                                   application_name=me)
        except psycopg.Error as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise StoreError(f"daemon: cannot connect to the store for its lock: {first}") from e
        got = conn.execute("SELECT pg_try_advisory_lock(%s::int, hashtext(current_schema()))",
                           (LOCK_DAEMON,)).fetchone()
        if got and got[0]:
            self.conn = conn
            return
        holder, where = _holder(conn)
        conn.close()
        raise AlreadyRunning(
            f"daemon: another feeds daemon ({holder}) is already running on this store "
            f"(PostgreSQL advisory lock on {where}); a daemon and `feeds worker`s must not "
            "share a database either")

    def release(self) -> None:
        if self.conn is not None:
            self.conn.close()  # ending the session releases its advisory locks
            self.conn = None

    def __enter__(self) -> PgDaemonLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def _holder(conn: Any) -> tuple[str, str]:
    """Who holds the daemon lock (its application_name, else its pid), and on what store."""
    row = conn.execute(
        "SELECT a.application_name, a.pid, current_database() || '/' || current_schema() "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND l.classid = %s::int::oid AND l.objsubid = 2 "
        "AND l.objid = (hashtext(current_schema())::bigint & 4294967295)::oid",
        (LOCK_DAEMON,)).fetchone()
    if row is None:  # it was released meanwhile, or we may not see its session
        return "holder unknown", conn.execute(
            "SELECT current_database() || '/' || current_schema()").fetchone()[0]
    name, pid, where = row
    return (name.removeprefix("feeds daemon ") if name.startswith("feeds daemon ")
            else f"server pid {pid}"), where
