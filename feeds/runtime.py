"""The one place that builds what a unit of work needs from a Config.

Every entry point (`feeds run`, the daemon's child jobs, `feeds worker`, `publish`, `status`,
`remove`, `preview`) opens a Runtime and calls the units through it, so a source behaves the
same under each: same fetch settings, same User-Agent (with `site.contact_url`), HTTP
validators, remembered redirects and robots.txt kept in the store (so a process that exits
loses nothing), same scheduling decisions (feeds/decide.py).

    with Runtime.open(config) as rt:            # opens the store and builds the fetcher
        result = rt.collect(source, now)        # skipped if gone/backing off, else collected
        rt.publish(now)                         # every output from the store
        rt.store                                # the Store (SQLite or PostgreSQL)
        rt.fetcher                              # the shared Fetcher (thread-safe)
        rt.for_source(source)                   # the fetcher bound to a source's policy

Never build a `Fetcher()` or open a store apart from this module in code that runs a unit of
work: a fetcher built apart silently loses the config and the store (no conditional GET, no
`fetch:` settings, robots.txt fetched again by every process).

One store is deliberately opened outside a Runtime: the daemon parent's own
(feeds/service/daemon.py: its state reads to plan the schedule, the failures it records when a
child misses its deadline, and `/status`). The parent never fetches or collects, so it needs no
fetcher; its work runs in child processes that each open a Runtime, and a child killed at its
deadline could not record its own failure, so the parent, which outlives it, must.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

from .config import Config, Source
from .fetch import Fetcher, SourceFetcher
from .fetch.hosts import shared_gates
from .pipeline import CollectResult, collect_due
from .publish import PublishResult, publish
from .sources import KINDS
from .store import Store, open_store

__all__ = ["Runtime"]


@dataclass
class Runtime:
    """A config with its open store and its fetcher; close it (or use `with`) when done."""

    config: Config
    store: Store
    fetcher: Fetcher

    @classmethod
    def open(cls, config: Config) -> Runtime:
        """Open `config.store_url` and build the fetcher from the config and that store, with
        per-host politeness shared by every process on that store (fetch/hosts.shared_gates)."""
        store = open_store(config.store_url)
        try:
            gates = shared_gates(config.store_url, config.fetch)
            return cls(config, store, Fetcher.from_config(config, store, gates))
        except BaseException:
            store.close()
            raise

    def for_source(self, source: Source, conditional: bool | None = None) -> SourceFetcher:
        """The fetcher bound to `source`'s policy (allow_private, respect_robots); its own URL
        is fetched conditionally when its kind says so, unless `conditional` overrides that."""
        if conditional is None:
            conditional = KINDS[source.kind].conditional
        return self.fetcher.for_source(source, conditional)

    def collect(self, source: Source, now: datetime, force: bool = False,
                jitter: float = 0.0) -> CollectResult:
        """Collect one source unless decide.skip_reason holds it back (gone, or backing off;
        `waiting` in the result says why). `jitter`: the caller's tick jitter, a fraction of
        the period (the daemon passes `daemon.jitter`), so a retry due just after a tick runs."""
        return collect_due(self.config, source, self.store, self.fetcher, now, force, jitter)

    def publish(self, now: datetime) -> PublishResult:
        """Publish every output from the store."""
        return publish(self.config, self.store, now)

    def close(self) -> None:
        try:
            self.fetcher.close()
        finally:
            self.store.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
