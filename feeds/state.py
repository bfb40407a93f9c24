"""Per-source bookkeeping kept in the store, so a restart picks up where it left off.

`SourceState` (defined in feeds/source_state.py) is what `feeds status`, `/status` and the
schedulers read; `record_success` and `record_failure` are the only writers. What the state
means for the next attempt (due? backing off? gone?) is decided in feeds/decide.py, never here.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime
from typing import TYPE_CHECKING

from .decide import backoff
from .source_state import SourceState

if TYPE_CHECKING:
    from .store import Store

__all__ = ["SourceState", "load_state", "record_success", "record_failure", "all_states"]

TABLE = "source_state"


def load_state(store: Store, source_id: str) -> SourceState:
    return SourceState.from_data(source_id, store.get_state(TABLE, source_id))


def all_states(store: Store) -> dict[str, SourceState]:
    """Every stored state from one read of the table (one consistent snapshot, one query)."""
    return {sid: SourceState.from_data(sid, data) for sid, data in store.all_states(TABLE).items()}


def _save(store: Store, state: SourceState) -> SourceState:
    data = asdict(state)
    data.pop("source_id")
    store.put_state(TABLE, state.source_id, data)
    return state


def record_success(store: Store, source_id: str, now: datetime, next_attempt: datetime,
                   counts: dict[str, int] | None = None) -> SourceState:
    """A run that worked: failures reset, gone cleared, next attempt as the schedule says."""
    state = load_state(store, source_id)
    return _save(store, replace(
        state, last_attempt=now.isoformat(), last_success=now.isoformat(), failures=0,
        next_attempt=next_attempt.isoformat(), counts=counts or {}, gone=False, gone_url=""))


def record_failure(store: Store, source_id: str, now: datetime, period: float, kind: str,
                   url: str, message: str, *, gone_url: str = "",
                   retry_after: float | None = None, transient: bool = True) -> SourceState:
    """A failed run: one more failure, next attempt after the backoff (decide.backoff).

    `gone_url` is the configured URL when the failure was HTTP 410; `retry_after` the
    server's Retry-After in seconds, which the backoff never undercuts. A failure that is
    not `transient` (a layout change) is tried again on the source's own schedule: retrying
    sooner changes nothing."""
    state = load_state(store, source_id)
    failures = state.failures + 1
    gone = bool(gone_url) or state.gone
    return _save(store, replace(
        state, last_attempt=now.isoformat(), failures=failures, gone=gone,
        gone_url=gone_url or state.gone_url,
        next_attempt=backoff(failures if transient else 0, period, now,
                             retry_after).isoformat(),
        last_error={"at": now.isoformat(), "kind": kind, "url": url, "message": message,
                    **({"retry_after": retry_after} if retry_after else {})}))
