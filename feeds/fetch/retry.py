"""Pure retry decisions: which failures are worth another attempt and after how long."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RETRY_STATUSES", "parse_retry_after", "retry_delay"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_delay(attempt: int, retry_after: str | None, now: datetime, base: float, cap: float,
                rng: random.Random | None = None) -> float | None:
    """Seconds to wait before attempt `attempt + 1`, or None when waiting is not worth it.

    A server's Retry-After is obeyed when it is within `cap` (beyond it we give up now and let
    the source's own backoff take over). Otherwise exponential backoff `base * 2^attempt` with
    "equal jitter" (half fixed, half random) so that many clients do not retry in lockstep.
    """
    asked = parse_retry_after(retry_after, now)
    if asked is not None:
        return asked if asked <= cap else None
    delay = min(cap, base * (2 ** attempt))
    return delay / 2 + (rng or random).uniform(0, delay / 2)
