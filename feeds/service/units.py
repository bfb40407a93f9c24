"""What a worker's jobs do, in plain blocking code: which sources are due, collect one source,
publish everything. The same pipeline units `feeds run` calls, on one store and one fetcher
per worker process (shared by its job threads).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from ..config import Config, Source
from ..fetch import Fetcher
from ..fetch.hosts import gates_for, host_of
from ..pipeline import collect_source
from ..publish import publish
from ..state import SourceState, all_states, load_state
from ..store import open_store
from .metrics import Metrics
from .queue import queue_url

__all__ = ["Units", "due_now", "interleave_hosts"]

log = logging.getLogger("feeds.worker")
SLACK = timedelta(seconds=1)  # a source due within a second counts as due (ticks are coarse)


def due_now(state: SourceState, now: datetime) -> bool:
    """True when a source should be collected now: never gone (HTTP 410), and its next attempt
    (its next period after a success, its backoff after failures) has come."""
    if state.gone:
        return False
    return not state.next_attempt or datetime.fromisoformat(state.next_attempt) <= now + SLACK


def interleave_hosts(sources: list[Source]) -> list[Source]:
    """Round-robin over hosts, so that the queue's order spreads work over hosts instead of
    filling every worker's slots with sources of one host, which would wait on its gate."""
    by_host: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_host[host_of(source.url)].append(source)
    lanes = list(by_host.values())
    return [lane[n] for n in range(max(map(len, lanes), default=0)) for lane in lanes
            if n < len(lane)]


class Units:
    """One worker process's store, fetcher and metrics, and the three things its jobs do."""

    def __init__(self, config: Config, metrics: Metrics, concurrency: int):
        self.config = config
        self.metrics = metrics
        self.store = open_store(config.store_url)
        settings = config.fetch
        lease = settings.connect_timeout + settings.total_timeout + 10
        gates = gates_for(queue_url(config), settings.per_host, lease)
        self.fetcher = Fetcher.from_config(config, self.store)
        self.fetcher.gates = gates
        self.publish_lock = threading.Lock()

    def due_sources(self, now: datetime) -> list[str]:
        states = all_states(self.store)
        due = [s for s in self.config.sources
               if s.enabled and due_now(states.get(s.id, SourceState(s.id)), now)]
        return [s.id for s in interleave_hosts(due)]

    def collect(self, source_id: str, now: datetime, worker: str) -> dict[str, Any]:
        """Collect one source if it is still due; return counts (or why it was skipped)."""
        config = self.config
        source = config.source(source_id)
        if source is None or not source.enabled:
            return {"skipped": "not in the config or disabled"}
        state = load_state(self.store, source_id)
        if not due_now(state, now):  # another queued run of this period got here first
            return {"skipped": f"not due until {state.next_attempt}"}
        started = time.monotonic()
        result = collect_source(config, source, self.store, self.fetcher, now)
        seconds = time.monotonic() - started
        kind = result.error.kind if result.error else "ok"
        self.metrics.collected(source_id, kind, seconds, result.new, result.updated,
                               now if result.ok else None)
        return {"new": result.new, "updated": result.updated, "unchanged": result.unchanged,
                "error": kind if result.error else "", "worker": worker,
                "seconds": round(seconds, 3)}

    def publish(self, now: datetime) -> dict[str, Any]:
        started = time.monotonic()
        try:
            with self.publish_lock:
                result = publish(self.config, self.store, now)
        except Exception:
            self.metrics.published("failed", time.monotonic() - started, self.config.output_path)
            raise
        seconds = time.monotonic() - started
        self.metrics.published("ok", seconds, self.config.output_path)
        log.info("publish: %d written, %d unchanged in %.2fs", len(result.written),
                 len(result.unchanged), seconds)
        return {"written": len(result.written), "unchanged": len(result.unchanged)}

    def ready(self) -> tuple[bool, str]:
        try:
            self.store.count()
        except Exception as e:
            return False, f"store unreachable: {e}"
        return True, f"ready: {self.config.path.name}, {len(self.config.sources)} sources"

    def close(self) -> None:
        self.fetcher.close()
        self.store.close()
