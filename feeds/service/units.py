"""What a worker's jobs do, in plain blocking code: which sources are due, collect one source,
publish everything. The same units `feeds run` calls, through one Runtime per worker process
(its store and fetcher shared by the job threads; host gates in PostgreSQL).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from .. import decide
from ..config import Config, Source
from ..fetch.client import Fetcher
from ..fetch.hosts import host_of, shared_gates
from ..health import hold as held_items
from ..health import track
from ..runtime import Runtime
from ..state import SourceState, all_states, load_state, record_failure
from .metrics import Metrics

__all__ = ["Units", "interleave_hosts"]

log = logging.getLogger("feeds.worker")
EARLY = 1.0  # seconds: a source due within a second counts as due (ticks are coarse)


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
        self.metrics = metrics
        self.runtime = Runtime.open(config)
        self.store = self.runtime.store
        self.publish_lock = threading.Lock()
        self.held: dict[str, str] = {}  # source -> why the scheduler holds it back, as logged
        self.running = 0  # jobs in this process's threads (a stop may leave some behind)
        self._running_lock = threading.Lock()
        self.retired: list[Fetcher] = []  # replaced on reload, still used by running jobs

    @property
    def config(self) -> Config:
        return self.runtime.config

    @config.setter
    def config(self, config: Config) -> None:  # SIGHUP: same store, new sources and settings
        old = self.runtime.config
        self.runtime.config = config
        if (config.fetch, config.site.contact_url, config.site.base_url) != (
                old.fetch, old.site.contact_url, old.site.base_url):
            self._replace_fetcher(config)

    def _replace_fetcher(self, config: Config) -> None:
        """fetch: or the User-Agent changed: the next jobs use a new fetcher; running ones
        finish on the old one, closed once no job runs."""
        try:
            fetcher = Fetcher.from_config(config, self.store,
                                          shared_gates(config.store_url, config.fetch))
        except Exception as e:
            log.error("reload: cannot rebuild the fetcher (%s); fetching as before", e)
            return
        with self._running_lock:
            self.retired.append(self.runtime.fetcher)
            self.runtime.fetcher = fetcher
        self._close_retired()
        log.info("reload: fetch settings or User-Agent changed; new fetcher for the next jobs")

    def _close_retired(self) -> None:
        with self._running_lock:
            idle, self.retired = (self.retired, []) if not self.running else ([], self.retired)
        for fetcher in idle:
            fetcher.close()

    def due_sources(self, now: datetime, busy: Collection[str] = ()) -> list[str]:
        """The enabled sources due now and not already queued or running (`busy`),
        interleaved by host (the order they are queued in)."""
        config = self.config
        states = all_states(self.store)
        due = [s for s in config.sources if s.enabled and s.id not in busy and decide.due(
            states.get(s.id, SourceState(s.id)), s, now, EARLY)]
        self._log_held(config, states, now)
        return [s.id for s in interleave_hosts(due)]

    def _log_held(self, config: Config, states: dict[str, SourceState], now: datetime) -> None:
        """Say once (not every tick) why a source is not queued: gone, or backing off."""
        for source in config.sources:
            state = states.get(source.id, SourceState(source.id))
            reason = decide.skip_reason(state, source, now, False, EARLY) if source.enabled else ""
            kind = reason.split(" (")[0].split(" after")[0]
            if kind and self.held.get(source.id) != kind:
                log.info("%s: skipped, %s", source.id, reason)
            self.held[source.id] = kind

    def collect(self, source_id: str, now: datetime, worker: str) -> dict[str, Any]:
        """Collect one source if it is still due; return counts (or why it was skipped)."""
        with self._counted():
            return self._collect(source_id, now, worker)

    @contextmanager
    def _counted(self) -> Iterator[None]:
        with self._running_lock:
            self.running += 1
        try:
            yield
        finally:
            with self._running_lock:
                self.running -= 1
            self._close_retired()

    def _collect(self, source_id: str, now: datetime, worker: str) -> dict[str, Any]:
        config = self.config
        source = config.source(source_id)
        if source is None or not source.enabled:
            return {"skipped": "not in the config or disabled"}
        state = load_state(self.store, source_id)
        if not decide.due(state, source, now, EARLY):
            # another queued run of this period got here first, or it is gone / backing off
            return {"skipped": f"not due until {state.next_attempt}"}
        started = time.monotonic()
        result = self.runtime.collect(source, now)
        seconds = time.monotonic() - started
        kind = result.error.kind if result.error else "ok"
        self.metrics.collected(source_id, kind, seconds, result.new, result.updated,
                               now if result.ok else None)
        health = track.load(self.store, source_id)  # as stored: what /status shows too
        self.metrics.source_health(source_id, health.state, health.signals,
                                   len(held_items.held(self.store, source_id)))
        return {"new": result.new, "updated": result.updated, "unchanged": result.unchanged,
                "error": kind if result.error else "", "worker": worker,
                "seconds": round(seconds, 3), "health": result.health, "held": result.held}

    def publish(self, now: datetime) -> dict[str, Any]:
        started = time.monotonic()
        try:
            with self._counted(), self.publish_lock:
                result = self.runtime.publish(now)
        except Exception:
            self.metrics.published("failed", time.monotonic() - started, self.config.output_path)
            raise
        seconds = time.monotonic() - started
        self.metrics.published("ok", seconds, self.config.output_path)
        log.info("publish: %d written, %d unchanged in %.2fs", len(result.written),
                 len(result.unchanged), seconds)
        return {"written": len(result.written), "unchanged": len(result.unchanged)}

    def overdue(self, what: str, now: datetime | None, seconds: float, deadline: float) -> None:
        """A job ran past its deadline (its thread still runs): say so once, count it and,
        for a collection, record a failure, so the source backs off as in the daemon."""
        message = f"job exceeded its {deadline:g}s deadline; failed (its thread is left to finish)"
        log.warning("%s: %s", what, message)
        if now is None:
            self.metrics.published("deadline", seconds, self.config.output_path)
            return
        source = self.config.source(what)
        per = decide.period(source.schedule, self.config.site.tz, now) if source else 0.0
        record_failure(self.store, what, now, per, "deadline", source.url if source else "",
                       message)
        self.metrics.collected(what, "deadline", seconds, 0, 0, None)

    def ready(self) -> tuple[bool, str]:
        try:
            self.store.count()
        except Exception as e:
            return False, f"store unreachable: {e}"
        return True, f"ready: {self.config.path.name}, {len(self.config.sources)} sources"

    def close(self) -> None:
        for fetcher in self.retired:
            fetcher.close()
        self.runtime.close()
