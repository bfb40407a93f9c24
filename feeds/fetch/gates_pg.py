"""Per-host politeness shared by every process on one PostgreSQL database (feeds workers on any
number of machines).

Two small tables: `feeds_host_slot` has `per_host` rows per host, each free or leased to one
holder until `lease_until`; `feeds_host_pace` holds the earliest time the next request to the
host may start. Taking a slot is one statement that locks the host's pace row (so
takers of one host queue up there, takers of other hosts do not meet), claims a free or expired
slot and books the next start. A holder that dies (SIGKILL, lost machine) never releases its
slot: every process beats in `feeds_host_holder` every few seconds, and a slot whose holder has
not beaten for HOLDER_TIMEOUT is free again (the lease, the longest a request may take, is the
backstop should a live holder forget a slot).
Times come from the database clock, so machines with skewed clocks still space requests right.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["PgHostGates", "SCHEMA", "create_tables"]

log = logging.getLogger("feeds.fetch")
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds_host_slot (
    host text NOT NULL,
    slot integer NOT NULL,
    holder text,
    lease_until timestamptz,
    PRIMARY KEY (host, slot)
);
CREATE TABLE IF NOT EXISTS feeds_host_holder (
    holder text PRIMARY KEY,
    beat timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS feeds_host_pace (
    host text PRIMARY KEY,
    next_start timestamptz NOT NULL
);
"""

_PREPARE = """
INSERT INTO feeds_host_pace (host, next_start) VALUES (%(host)s, clock_timestamp())
ON CONFLICT DO NOTHING;
INSERT INTO feeds_host_slot (host, slot) SELECT %(host)s, n FROM generate_series(0, %(n)s - 1) n
ON CONFLICT DO NOTHING
"""

_CLAIM = """
WITH pace AS (
    SELECT next_start FROM feeds_host_pace WHERE host = %(host)s FOR UPDATE
), free AS (
    SELECT slot FROM feeds_host_slot
    WHERE host = %(host)s AND slot < %(n)s
      AND (holder IS NULL OR lease_until < clock_timestamp() OR NOT EXISTS (
          SELECT 1 FROM feeds_host_holder h WHERE h.holder = feeds_host_slot.holder
          AND h.beat > clock_timestamp() - make_interval(secs => %(timeout)s)))
    ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE feeds_host_slot s SET holder = %(holder)s,
        lease_until = clock_timestamp() + make_interval(secs => %(lease)s)
    FROM free WHERE s.host = %(host)s AND s.slot = free.slot
    RETURNING s.slot
), start AS (
    SELECT greatest((SELECT next_start FROM pace), clock_timestamp()) AS at
), booked AS (
    UPDATE feeds_host_pace SET next_start = (SELECT at FROM start)
        + make_interval(secs => %(delay)s)
    WHERE host = %(host)s AND EXISTS (SELECT 1 FROM claimed)
    RETURNING next_start
)
SELECT (SELECT slot FROM claimed),
       extract(epoch FROM (SELECT at FROM start) - clock_timestamp()),
       extract(epoch FROM (SELECT next_start FROM pace) - clock_timestamp()),
       (SELECT count(*) FROM booked)
"""

_RELEASE = "UPDATE feeds_host_slot SET holder = NULL, lease_until = NULL " \
           "WHERE host = %(host)s AND slot = %(slot)s AND holder = %(holder)s"

_DEFER = """
INSERT INTO feeds_host_pace (host, next_start)
VALUES (%(host)s, clock_timestamp() + make_interval(secs => %(seconds)s))
ON CONFLICT (host) DO UPDATE SET next_start = greatest(feeds_host_pace.next_start,
    excluded.next_start)
"""

_BEAT = """
INSERT INTO feeds_host_holder (holder, beat) VALUES (%(holder)s, clock_timestamp())
ON CONFLICT (holder) DO UPDATE SET beat = excluded.beat
"""

BEAT_EVERY, HOLDER_TIMEOUT = 2.0, 10.0  # seconds: a silent holder's slots are taken back
OUTAGE = 60.0  # seconds a gate keeps trying through a database restart before it gives up
MIN_POLL, MAX_POLL = 0.01, 0.1  # seconds between tries while every slot of a host is taken


def create_tables(conn: Any) -> None:
    """Create the gate tables unless they exist (`feeds migrate` does it too); an advisory
    lock keeps processes starting together from racing on CREATE TABLE IF NOT EXISTS."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('feeds_host_gates'))")
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)


class PgHostGates:
    """HostGates with the state in PostgreSQL; `slot(host, delay)` blocks until a request to
    `host` may start, across every process using the same database."""

    def __init__(self, conninfo: str, per_host: int, lease: float, pool_size: int = 4,
                 holder_timeout: float = HOLDER_TIMEOUT):
        from psycopg_pool import ConnectionPool  # only workers on PostgreSQL need it

        self.per_host = per_host
        self.lease = lease
        self.holder_timeout = holder_timeout
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.pool = ConnectionPool(conninfo, min_size=1, max_size=pool_size, open=True,
                                   kwargs={"autocommit": True}, name="feeds-host-gates")
        self._prepared: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        with self.pool.connection() as conn:
            create_tables(conn)
            conn.execute(_BEAT, {"holder": self.holder})
        self._beater = threading.Thread(target=self._beat, name="host-gates-beat", daemon=True)
        self._beater.start()

    def _beat(self) -> None:
        """Say this holder is alive; a failed beat (database restarting) is tried again."""
        while not self._stop.wait(min(BEAT_EVERY, self.holder_timeout / 4)):
            try:
                self._run(_BEAT, {"holder": self.holder})
            except Exception as e:
                log.warning("host gates: heartbeat failed (%s); trying again", e)

    @contextmanager
    def slot(self, host: str, delay: float) -> Iterator[None]:
        slot = self._take(host, delay)
        try:
            yield
        finally:
            self._run(_RELEASE, {"host": host, "slot": slot, "holder": self.holder})

    def defer(self, host: str, seconds: float) -> None:
        """Hold every request to `host` for `seconds` (after a 429/503 or a connection error)."""
        self._run(_DEFER, {"host": host, "seconds": seconds})

    def close(self) -> None:
        self._stop.set()
        try:  # one try: a closing process does not wait out a database outage
            with self.pool.connection(timeout=2) as conn:
                conn.execute("DELETE FROM feeds_host_holder WHERE holder = %(holder)s",
                             {"holder": self.holder})
        except Exception:
            pass  # the database is gone: the silent holder times out on its own
        self.pool.close()

    def _take(self, host: str, delay: float) -> int:
        self._prepare(host)
        args = {"host": host, "n": self.per_host, "holder": self.holder, "lease": self.lease,
                "delay": delay, "timeout": self.holder_timeout}
        while True:
            slot, wait, pace = self._retrying(lambda: self._claim(args))
            if slot is not None:
                if wait > 0:
                    time.sleep(float(wait))
                return int(slot)
            # every slot is taken: a holder frees one after its request, not before its start
            time.sleep(min(MAX_POLL, max(MIN_POLL, float(pace or 0))))

    def _claim(self, args: dict[str, Any]) -> tuple[Any, Any, Any]:
        """One statement, one round trip: lock the host's pace row, claim a free slot and, if
        one was claimed, book the next start."""
        with self.pool.connection() as conn:
            slot, wait, pace, _booked = conn.execute(_CLAIM, args).fetchone()  # type: ignore[misc]
        return slot, wait, pace

    def _retrying(self, work: Callable[[], T]) -> T:
        """Run `work`, trying again while the database restarts (the pool reconnects), so a
        restart delays requests instead of failing the sources they belong to."""
        import psycopg

        deadline = time.monotonic() + OUTAGE
        delay = 0.1
        while True:
            try:
                return work()
            except psycopg.OperationalError as e:
                if time.monotonic() > deadline or self._stop.is_set():  # closed: no retry
                    raise
                log.warning("host gates: database unavailable (%s); trying again", e)
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def _prepare(self, host: str) -> None:
        with self._lock:
            if host in self._prepared:
                return
        self._run(_PREPARE, {"host": host, "n": self.per_host})
        with self._lock:
            self._prepared.add(host)

    def _run(self, query: str, args: dict[str, Any]) -> None:
        def run() -> None:
            with self.pool.connection() as conn:
                for statement in query.split(";"):
                    if statement.strip():
                        conn.execute(statement, args)

        self._retrying(run)
