"""A source's health across polls and the transitions ops are told about (pure; JSON-able).

A transition is a change of state, recovery included; a poll in the same state is none, so
ops hear once per episode (plus a reminder every `remind_every` while it stays unresolved).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from .baseline import Baseline
from .judge import Verdict

__all__ = ["Health", "Transition", "advance"]


@dataclass(frozen=True)
class Transition:
    """One state change (or a reminder of an unresolved one), as the webhook sends it."""

    source: str
    old: str
    new: str
    reason: str
    at: str
    first_bad: str = ""  # the first bad poll of this episode
    sample: dict[str, Any] = field(default_factory=dict)
    reminder: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Health:
    """The stored health of one source (times ISO 8601, '' when never)."""

    state: str = "ok"
    reason: str = ""
    since: str = ""  # when the current state began
    first_bad: str = ""  # the first poll of the current bad episode
    last_good: str = ""  # the last poll judged ok (its items published)
    last_poll: str = ""
    last_alert: str = ""
    manual_hold: bool = False  # `feeds hold`: every poll is held until `feeds release`
    baseline: Baseline = field(default_factory=Baseline)
    signals: dict[str, float] = field(default_factory=dict)  # the last poll's values
    good_item: dict[str, str] = field(default_factory=dict)  # an item of the last good poll
    bad_item: dict[str, str] = field(default_factory=dict)  # an item of the current bad poll

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["baseline"] = self.baseline.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Health:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["baseline"] = Baseline.from_dict(data.get("baseline") or {})
        return cls(**known)


def advance(health: Health, source: str, verdict: Verdict, now: datetime,
            remind_every: timedelta | None = None, sample: dict[str, Any] | None = None
            ) -> tuple[Health, Transition | None]:
    """The health after a poll judged `verdict`, and the transition to report (or None)."""
    at = now.isoformat()
    good = verdict.state == "ok"
    changed = verdict.state != health.state
    # one bad episode runs from leaving ok to coming back, whatever bad states it passes
    continues = health.state != "ok" and health.first_bad
    first_bad = "" if good else (health.first_bad if continues else at)
    updated = replace(
        health, state=verdict.state, reason=verdict.reason, last_poll=at,
        since=at if changed or not health.since else health.since, first_bad=first_bad,
        last_good=at if good else health.last_good)
    if changed:
        note = Transition(source, health.state, verdict.state, verdict.reason or "healthy again",
                          at, health.first_bad if good else first_bad, sample or {})
        return replace(updated, last_alert=at), note
    if not good and remind_every and health.last_alert and \
            now - datetime.fromisoformat(health.last_alert) >= remind_every:
        note = Transition(source, health.state, verdict.state, verdict.reason, at, first_bad,
                          sample or {}, reminder=True)
        return replace(updated, last_alert=at), note
    return updated, None
