"""Per-host politeness: at most `per_host` requests in flight to one host and request starts
spaced by at least a delay (the configured minimum or the host's Crawl-delay); `lanes` runs
many URLs over a bounded thread pool so that different hosts proceed in parallel.

`HostGates` keeps the state in this process's memory; `gates_for(store_location)` picks the
backend that every process sharing the store also sees: PostgreSQL tables (gates_pg.py) for
workers on several machines, lock files beside an SQLite store (gates_file.py) for the daemon's
child processes."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from ..config import FetchSettings

__all__ = ["Gates", "HostGates", "gates_for", "host_of", "run_lanes", "shared_gates"]

T = TypeVar("T")


def host_of(url: str) -> str:
    """The politeness key of a URL: scheme and authority, lower case ('' for file: URLs)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.netloc else ""


class Gates(Protocol):
    """What the fetcher asks of a politeness backend."""

    def slot(self, host: str, delay: float) -> AbstractContextManager[None]: ...

    def defer(self, host: str, seconds: float) -> None: ...

    def close(self) -> None: ...


def shared_gates(store_location: str, settings: FetchSettings) -> Gates:
    """The gates every process on `store_location` shares, for the `fetch:` settings; a slot's
    lease is the longest one request may take (connect + total timeout, and a margin)."""
    lease = settings.connect_timeout + settings.total_timeout + 10
    return gates_for(store_location, settings.per_host, lease)


def gates_for(store_location: str, per_host: int, lease: float) -> Gates:
    """The gates every process using `store_location` shares (`lease`: the longest a request
    may hold a slot, the backstop should its holder forget it; PostgreSQL only)."""
    if store_location.startswith(("postgresql://", "postgres://")):
        from .gates_pg import PgHostGates

        return PgHostGates(store_location, per_host, lease)
    if store_location and store_location != ":memory:":
        from .gates_file import FileHostGates

        path = Path(store_location)
        return FileHostGates(path.parent / f".{path.name}.hosts", per_host)
    return HostGates(per_host)


class _Gate:
    def __init__(self, per_host: int):
        self.slots = threading.Semaphore(per_host)
        self.next_start = 0.0  # monotonic time before which no request may start


class HostGates:
    """One gate per host; `slot(host, delay)` blocks until a request to `host` may start."""

    def __init__(self, per_host: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.per_host = per_host
        self.clock = clock
        self.sleep = sleep
        self._gates: dict[str, _Gate] = {}
        self._lock = threading.Lock()

    def _gate(self, host: str) -> _Gate:
        with self._lock:
            return self._gates.setdefault(host, _Gate(self.per_host))

    @contextmanager
    def slot(self, host: str, delay: float) -> Iterator[None]:
        gate = self._gate(host)
        with gate.slots:
            with self._lock:
                start = max(self.clock(), gate.next_start)
                gate.next_start = start + delay
            wait = start - self.clock()
            if wait > 0:
                self.sleep(wait)
            yield

    def defer(self, host: str, seconds: float) -> None:
        """Hold every request to `host` for `seconds` (after a 429/503 or a connection error)."""
        gate = self._gate(host)
        with self._lock:
            gate.next_start = max(gate.next_start, self.clock() + seconds)

    def close(self) -> None:
        pass


def run_lanes(items: Iterable[str], work: Callable[[str], T], per_host: int, workers: int
              ) -> Iterator[tuple[str, T]]:
    """Apply `work` to every URL, `per_host` lanes per host, on at most `workers` threads.

    Each lane takes its host's URLs one after another, so a thread never waits on a host that
    is already saturated while another host has work: the pool stays busy with distinct hosts.
    Results are yielded as they complete.
    """
    queues: dict[str, deque[str]] = defaultdict(deque)
    for url in items:
        queues[host_of(url)].append(url)
    # Round-robin over hosts: with fewer workers than lanes, spread them over distinct hosts.
    lanes = [q for n in range(per_host) for q in queues.values() if n < len(q)]
    if not lanes:
        return
    done: deque[tuple[str, T]] = deque()
    cond = threading.Condition()

    def lane(queue: deque[str]) -> None:
        while True:
            try:
                url = queue.popleft()  # deque.popleft is atomic
            except IndexError:
                return
            result = work(url)
            with cond:
                done.append((url, result))
                cond.notify()

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(lanes))),
                            thread_name_prefix="fetch-lane") as pool:
        futures = [pool.submit(lane, q) for q in lanes]
        while True:
            with cond:
                while not done and not all(f.done() for f in futures):
                    cond.wait(0.05)
                batch = list(done)
                done.clear()
            yield from batch
            if not batch and all(f.done() for f in futures):
                break
        for f in futures:
            f.result()  # re-raise a lane's unexpected exception
