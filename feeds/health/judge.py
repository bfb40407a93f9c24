"""A poll's verdict: its state and the reason in words (pure: signals, baseline, `now` in).

    ok        nothing far from the baseline (or still warming up)
    degraded  a signal far below its baseline: the poll's items are held, not published
    broken    a page or feed came back but no item survived: judged at once, no baseline needed
    stale     no new item for far longer than the source's own publishing cadence
    failing   the fetch itself failed (transient: retried with backoff, never a layout change)

"Far" is `k` scaled MADs below the usual value and at least a fixed floor, so that a source
whose signal never varied (MAD 0) is not alarmed by one item without an image.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from .baseline import Baseline, quiet_limit, quiet_since, usual
from .signals import RULE_FIELDS, PollSignals

__all__ = ["STATES", "BAD_STATES", "Thresholds", "Verdict", "judge_poll", "judge_error",
           "judge_quiet", "duration_text"]

STATES = ("ok", "degraded", "broken", "stale", "failing")
BAD_STATES = ("degraded", "broken")  # the states whose items are held back


@dataclass(frozen=True)
class Thresholds:
    """Every threshold, overridable per source (`health:` of a source); defaults suit the
    example portal and are meant to need no tuning."""

    warmup: int = 5  # good polls before signals are judged
    k: float = 4.0  # scaled MADs below the usual value that count as far
    rate_drop: float = 0.3  # and at least this much lower, for fill and match rates (0..1)
    count_drop: float = 0.4  # and at least this share lower, for item counts and body lengths
    stale_factor: float = 3.0  # quiet for this many usual publication gaps is stale

    @classmethod
    def with_overrides(cls, overrides: dict[str, Any] | None) -> Thresholds:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (overrides or {}).items() if k in names})


@dataclass(frozen=True)
class Verdict:
    state: str
    reason: str = ""
    flagged: tuple[str, ...] = ()  # the signals that were far from their baseline

    @property
    def bad(self) -> bool:
        return self.state in BAD_STATES


_RATES = ("fill.", "rule.", "links.")
_LABELS = {"offered": "items offered", "body.median": "median body length",
           "body.low": "shortest bodies (10th percentile)"}


def judge_poll(signals: PollSignals, baseline: Baseline, th: Thresholds) -> Verdict:
    """The verdict on a poll that returned items (see judge_error for one that did not)."""
    if signals.offered == 0:
        return Verdict("broken", "no item survived extraction", ("offered",))
    if baseline.good_polls < th.warmup:
        return Verdict("ok", f"warming up: {baseline.good_polls} of {th.warmup} good polls")
    flagged = [(name, drop) for name, value in signals.values.items()
               if (drop := _drop(name, value, baseline, th)) is not None]
    if not flagged:
        return Verdict("ok")
    flagged.sort(key=lambda f: -f[1])
    names = [name for name, _ in flagged]
    reasons = _reasons(names, signals, baseline)
    return Verdict("degraded", "; ".join(reasons), tuple(names))


def _drop(name: str, value: float, baseline: Baseline, th: Thresholds) -> float | None:
    """How far below usual `value` is, as a share of usual; None when not far."""
    seen = usual(baseline, name)
    if seen is None or seen.polls < min(th.warmup, baseline.good_polls) or seen.median <= 0:
        return None
    gap = seen.median - value
    floor = th.rate_drop if name.startswith(_RATES) else th.count_drop * seen.median
    if gap < max(th.k * seen.spread, floor) or gap <= 0:
        return None
    return gap / seen.median


def _reasons(names: list[str], signals: PollSignals, baseline: Baseline,
             most: int = 3) -> list[str]:
    """One phrase per flagged signal, worst first (at most `most`, then how many more); a
    field's phrase says why: the value every item shared, or its rule's matches."""
    out: list[str] = []
    done: set[str] = set()
    for name in names:
        if name in done:
            continue
        done.add(name)
        text = _phrase(name, signals, baseline)
        field_name = name.split(".", 1)[1] if name.startswith("fill.") else ""
        rule = next((r for r, f in RULE_FIELDS.items() if f == field_name and
                     r in signals.rule_css), "")
        if rule:
            done.add(f"rule.{rule}")
        if field_name in signals.repeated:
            text += f": every item has the same {field_name} {_quote(signals.repeated[field_name])}"
        elif rule:
            text += ": " + _rule_phrase(rule, signals)
        out.append(text)
    return out[:most] + ([f"and {len(out) - most} more"] if len(out) > most else [])


def _phrase(name: str, signals: PollSignals, baseline: Baseline) -> str:
    now, seen = signals.values[name], usual(baseline, name)
    was = seen.median if seen else 0.0
    if name.startswith("fill."):
        return f"{name[5:]} filled {now:.0%} (usually {was:.0%})"
    if name.startswith("rule."):
        rule = name[5:]
        return f"{RULE_FIELDS.get(rule, rule)} rule {_rule_phrase(rule, signals)} " \
               f"(usually {was:.0%})"
    if name == "links.usual":
        return f"{now:.0%} of links follow the usual URL pattern (usually {was:.0%})"
    unit = "" if name == "offered" else " characters"
    return f"{_LABELS.get(name, name)} {now:.0f}{unit} (usually {was:.0f})"


def _rule_phrase(rule: str, signals: PollSignals) -> str:
    return (f"`{signals.rule_css[rule]}` matched {signals.rule_hits.get(rule, 0)} "
            f"of {signals.offered} items")


def _quote(value: str, width: int = 40) -> str:
    return repr(value if len(value) <= width else value[: width - 1] + "…")


def judge_error(kind: str, message: str, transient: bool) -> Verdict:
    """A poll that raised: a fetch failure is `failing` (retried with backoff); bytes that
    arrived but gave no item (a renamed list, a feed that is no longer one) are `broken`."""
    if transient:
        return Verdict("failing", f"fetch {kind}: {message}")
    return Verdict("broken", f"{kind}: {message}")


def judge_quiet(baseline: Baseline, now: datetime, interval: timedelta,
                th: Thresholds) -> Verdict | None:
    """`stale` when the source has brought nothing new for far longer than its cadence."""
    limit = quiet_limit(baseline, th.stale_factor, interval)
    since = quiet_since(baseline)
    if limit is None or since is None or now - since <= limit:
        return None
    return Verdict("stale", f"no new item for {duration_text(now - since)} "
                            f"(usually one every {duration_text(_median_gap(baseline))}; "
                            f"stale after {duration_text(limit)})")


def _median_gap(baseline: Baseline) -> timedelta:
    dates = [datetime.fromisoformat(d) for d in baseline.published]
    gaps = sorted((b - a) for a, b in zip(dates, dates[1:]))
    return gaps[len(gaps) // 2] if gaps else timedelta(0)


def duration_text(delta: timedelta) -> str:
    """'3d 4h', '2h 5m', '40m', '12s': the two largest units."""
    seconds = int(delta.total_seconds())
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size or (unit == "s" and not parts):
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return " ".join(parts[:2])
