"""Per-source bookkeeping kept in the store, so a restart picks up where it left off.

`SourceState` is what `feeds status`, `/status` and the scheduler read; `record_success` and
`record_failure` are the only writers. `backoff` is a pure decision that takes `now`.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

__all__ = ["SourceState", "load_state", "record_success", "record_failure", "backoff",
           "all_states"]

TABLE = "source_state"
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class SourceState:
    """What we know of one source across runs (timestamps as ISO 8601 strings)."""

    source_id: str
    last_attempt: str = ""
    last_success: str = ""
    next_attempt: str = ""
    failures: int = 0
    last_error: dict[str, Any] = field(default_factory=dict)  # at, kind, url, message
    gone: bool = False
    counts: dict[str, int] = field(default_factory=dict)  # new/updated/unchanged of the last run

    def due(self, now: datetime) -> bool:
        """True when the source may be fetched now (no backoff pending)."""
        return not self.next_attempt or datetime.fromisoformat(self.next_attempt) <= now


def backoff(failures: int, interval: timedelta, now: datetime, rng: random.Random | None = None
            ) -> datetime:
    """When to try again after `failures` consecutive failures: interval * 2^(n-1), capped,
    with up to 10% jitter so that many failing sources do not retry in lockstep."""
    if failures <= 0:
        return now + interval
    delay = min(interval * (2 ** (failures - 1)), max(MAX_BACKOFF, interval))
    jitter = (rng or random).uniform(0, 0.1) * delay.total_seconds()
    return now + delay + timedelta(seconds=jitter)


def load_state(store: Any, source_id: str) -> SourceState:
    data = store.get_state(TABLE, source_id)
    known = {k: v for k, v in data.items() if k in SourceState.__dataclass_fields__}
    return SourceState(**{**known, "source_id": source_id})


def all_states(store: Any) -> dict[str, SourceState]:
    return {sid: load_state(store, sid) for sid in store.all_states(TABLE)}


def _save(store: Any, state: SourceState) -> SourceState:
    data = asdict(state)
    data.pop("source_id")
    store.put_state(TABLE, state.source_id, data)
    return state


def record_success(store: Any, source_id: str, now: datetime, interval: timedelta,
                   counts: dict[str, int] | None = None) -> SourceState:
    state = load_state(store, source_id)
    return _save(store, replace(
        state, last_attempt=now.isoformat(), last_success=now.isoformat(), failures=0,
        next_attempt=(now + interval).isoformat(), counts=counts or {}, gone=False))


def record_failure(store: Any, source_id: str, now: datetime, interval: timedelta, kind: str,
                   url: str, message: str, gone: bool = False,
                   transient: bool = True) -> SourceState:
    """A failed attempt; a transient one backs off, a layout change (not `transient`) is
    tried again on the source's own schedule (retrying sooner or later changes nothing)."""
    state = load_state(store, source_id)
    failures = state.failures + 1
    return _save(store, replace(
        state, last_attempt=now.isoformat(), failures=failures, gone=gone or state.gone,
        next_attempt=backoff(failures if transient else 0, interval, now).isoformat(),
        last_error={"at": now.isoformat(), "kind": kind, "url": url, "message": message}))
