"""A source's baseline, learned from its own recent good polls (pure; JSON-able).

Each signal's usual value is the median of the last `window` good polls and its spread the
median absolute deviation (MAD): both ignore the odd outlier poll that a mean and a standard
deviation would chase. The publishing cadence is learned from the items' own dates.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from .signals import PollSignals

__all__ = ["Baseline", "Usual", "learn", "quiet_limit", "quiet_since", "usual", "usual_shapes"]

WINDOW = 20  # good polls remembered
DATES_KEPT = 21  # newest distinct item dates kept: 20 gaps between publications
SHAPE_SHARE = 0.05  # a URL shape is usual when at least this share of recent links had it
MIN_GAPS = 3  # publication gaps needed before a cadence is trusted


@dataclass(frozen=True)
class Usual:
    """A signal's usual value and spread (MAD scaled to a normal's standard deviation)."""

    median: float
    spread: float
    polls: int


@dataclass(frozen=True)
class Baseline:
    """What a source's good polls looked like, newest last."""

    polls: list[dict[str, float]] = field(default_factory=list)
    shapes: list[dict[str, int]] = field(default_factory=list)  # URL shapes of each good poll
    published: list[str] = field(default_factory=list)  # newest distinct item dates, ISO 8601
    last_new: str = ""  # when a poll last brought a new item
    good_polls: int = 0  # every good poll ever, not only the window

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Baseline:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def learn(baseline: Baseline, signals: PollSignals, dates: Iterable[datetime], new: int,
          now: datetime, window: int = WINDOW) -> Baseline:
    """The baseline after one more good poll: its signals, URL shapes and item dates."""
    known = {datetime.fromisoformat(d) for d in baseline.published}
    newest = sorted(known | set(dates))[-DATES_KEPT:]
    return replace(
        baseline,
        polls=[*baseline.polls, dict(signals.values)][-window:],
        shapes=[*baseline.shapes, dict(signals.shapes)][-window:],
        published=[d.isoformat() for d in newest],
        last_new=now.isoformat() if new else baseline.last_new,
        good_polls=baseline.good_polls + 1,
    )


def usual(baseline: Baseline, name: str) -> Usual | None:
    """The signal's median and MAD over the good polls that measured it (None: never)."""
    values = [p[name] for p in baseline.polls if name in p]
    if not values:
        return None
    middle = statistics.median(values)
    mad = statistics.median(abs(v - middle) for v in values)
    return Usual(middle, 1.4826 * mad, len(values))


def usual_shapes(baseline: Baseline) -> frozenset[str]:
    """URL shapes that at least SHAPE_SHARE of the links of recent good polls had."""
    totals: dict[str, int] = {}
    for poll in baseline.shapes:
        for shape, count in poll.items():
            totals[shape] = totals.get(shape, 0) + count
    links = sum(totals.values())
    return frozenset(s for s, c in totals.items() if links and c / links >= SHAPE_SHARE)


def quiet_limit(baseline: Baseline, factor: float, interval: timedelta) -> timedelta | None:
    """How long without a new item is far longer than usual for this source: `factor` times
    its median publication gap, and never less than 1.5 times its longest recent gap (nights,
    weekends) nor `factor` polls. None while fewer than MIN_GAPS gaps are known."""
    dates = [datetime.fromisoformat(d) for d in baseline.published]
    gaps = [b - a for a, b in zip(dates, dates[1:])]
    if len(gaps) < MIN_GAPS:
        return None
    median_gap = timedelta(seconds=statistics.median(g.total_seconds() for g in gaps))
    return max(median_gap * factor, max(gaps) * 1.5, interval * factor)


def quiet_since(baseline: Baseline) -> datetime | None:
    """The later of the newest item's date and the last poll that brought a new item."""
    marks = [datetime.fromisoformat(d) for d in (baseline.published[-1:] + [baseline.last_new])
             if d]
    return max(marks) if marks else None
