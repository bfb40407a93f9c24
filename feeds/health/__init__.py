"""Source health: a poll's signals judged against the source's own learned baseline.

    signals.py   what one poll looked like: fill rates ("really filled"), body lengths,
                 URL shapes, how many items each configured selector matched
    baseline.py  rolling median and MAD of the last good polls; the publishing cadence
    judge.py     ok / degraded / broken / stale / failing, each with its reason in words
    record.py    the stored health of a source and the transitions ops are told about

All of it is pure (no store, no clock, no network); the pipeline stores it and gates
publishing on it.
"""

from __future__ import annotations

from .baseline import Baseline, learn, usual, usual_shapes
from .judge import BAD_STATES, STATES, Thresholds, Verdict, judge_error, judge_poll, judge_quiet
from .record import Health, Transition, advance
from .signals import FIELDS, PollSignals, item_values, measure

__all__ = ["BAD_STATES", "FIELDS", "STATES", "Baseline", "Health", "PollSignals", "Thresholds",
           "Transition", "Verdict", "advance", "item_values", "judge_error", "judge_poll",
           "judge_quiet", "learn", "measure", "usual", "usual_shapes"]
