"""Per-source bookkeeping kept in the store, so a restart picks up where it left off.

`SourceState` is what `feeds status`, `/status` and the schedulers read; `record_success` and
`record_failure` are the only writers. What the state means for the next attempt (due? backing
off? gone?) is decided in feeds/decide.py, never here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .decide import backoff

if TYPE_CHECKING:
    from .store import Store

__all__ = ["SourceState", "load_state", "record_success", "record_failure", "all_states"]

TABLE = "source_state"


@dataclass(frozen=True)
class SourceState:
    """What we know of one source across runs (timestamps as ISO 8601 strings)."""

    source_id: str
    last_attempt: str = ""
    last_success: str = ""
    next_attempt: str = ""
    failures: int = 0
    last_error: dict[str, Any] = field(default_factory=dict)  # at, kind, url, message[, retry_after]
    gone: bool = False
    gone_url: str = ""  # the configured URL that answered 410 ('' in states from before)
    counts: dict[str, int] = field(default_factory=dict)  # new/updated/unchanged of the last run


def load_state(store: Store, source_id: str) -> SourceState:
    data = store.get_state(TABLE, source_id)
    known = {k: v for k, v in data.items() if k in SourceState.__dataclass_fields__}
    return SourceState(**{**known, "source_id": source_id})


def all_states(store: Store) -> dict[str, SourceState]:
    return {sid: load_state(store, sid) for sid in store.all_states(TABLE)}


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
