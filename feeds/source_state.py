"""`SourceState`: what we know of one source across runs, as plain data.

A leaf module (it imports nothing of ours) so both feeds/decide.py, which reads it to make
every scheduling decision, and feeds/state.py, which keeps it in the store and asks decide for
the backoff, can use it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["SourceState"]


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

    @classmethod
    def from_data(cls, source_id: str, data: dict[str, Any]) -> SourceState:
        """The state from its stored JSON; keys this version does not know are ignored."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**known, "source_id": source_id})
