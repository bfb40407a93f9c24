"""Health tracking around one poll, for `pipeline.collect_source` (the store is the memory).

    gate = judge(store, source, pairs, fetch_failures)  # before anything is stored
    if gate.holds: hold the items, else upsert them
    finish(store, settings, gate, now, new=..., held=...)  # learn, advance, announce

A poll judged degraded or broken learns nothing: the baseline is made of good polls only, so
the source's next healthy poll is judged as if the bad one never happened.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..config import HealthSettings, Source, parse_duration
from ..model import Article, RawArticle
from ..store import Store
from . import hold as hold_mod
from .alerts import announce
from .baseline import learn, usual_shapes
from .judge import Thresholds, Verdict, judge_poll, judge_quiet
from .record import Health, advance
from .signals import PollSignals, item_values, measure

__all__ = ["HEALTH", "Gate", "load", "save", "judge", "finish", "failed", "unchanged",
           "release"]

HEALTH = "source_health"
SAMPLE_CHARS = 200


@dataclass(frozen=True)
class Gate:
    """A judged poll, before its items are stored or held."""

    source: Source
    health: Health
    verdict: Verdict
    signals: PollSignals
    articles: list[Article]
    values: list[dict[str, str]]  # item_values of each article

    @property
    def holds(self) -> bool:
        """Whether the poll's items must be held back (a bad poll, or a hold by hand)."""
        return self.verdict.bad or self.health.manual_hold


def load(store: Store, source_id: str) -> Health:
    return Health.from_dict(store.get_state(HEALTH, source_id))


def save(store: Store, source_id: str, health: Health) -> None:
    store.put_state(HEALTH, source_id, health.to_dict())


def thresholds(source: Source) -> Thresholds:
    return Thresholds.with_overrides(source.health)


def judge(store: Store, source: Source, pairs: list[tuple[RawArticle, Article]],
          fetch_failures: int = 0) -> Gate:
    """Measure the poll and judge it against the source's stored baseline."""
    health = load(store, source.id)
    rules = {name: rule.css for name, rule in getattr(source.options, "rules", {}).items()}
    raws, articles = [p[0] for p in pairs], [p[1] for p in pairs]
    signals = measure(raws, articles, rules, usual_shapes(health.baseline))
    if fetch_failures:  # pages lost to a transient failure are not a shorter list
        signals = replace(signals, values={k: v for k, v in signals.values.items()
                                           if k != "offered"})
    verdict = judge_poll(signals, health.baseline, thresholds(source))
    values = [item_values(r, a) for r, a in pairs]
    return Gate(source, health, verdict, signals, articles, values)


def finish(store: Store, settings: HealthSettings, gate: Gate, now: datetime, new: int,
           interval: timedelta) -> Health:
    """Record the judged poll: a good one joins the baseline (and may be stale), a bad one
    keeps a sample of what it looked like; a state change is announced."""
    health, sample = gate.health, _sample(gate.values)
    verdict = gate.verdict
    if not verdict.bad:
        dates = [a.published for a in gate.articles]
        health = replace(health, baseline=learn(health.baseline, gate.signals, dates, new, now),
                         good_item=sample or health.good_item, bad_item={})
        verdict = judge_quiet(health.baseline, now, interval, thresholds(gate.source)) or verdict
    else:
        health = replace(health, bad_item=sample)
    health = replace(health, signals=dict(gate.signals.values))
    return _advance(store, settings, gate.source.id, health, verdict, now)


def failed(store: Store, settings: HealthSettings, source: Source, verdict: Verdict,
           now: datetime) -> Health:
    """Record a poll that raised (failing or broken); the baseline is left as it was."""
    return _advance(store, settings, source.id, load(store, source.id), verdict, now)


def unchanged(store: Store, settings: HealthSettings, source: Source, now: datetime,
              interval: timedelta) -> Health:
    """Record a poll that found nothing changed (304 or the same body): only staleness and
    recovery are judged."""
    health = load(store, source.id)
    quiet = judge_quiet(health.baseline, now, interval, thresholds(source))
    # a bad poll never saves its validators, so "not modified" means "as the last good poll"
    return _advance(store, settings, source.id, health, quiet or Verdict("ok"), now)


def release(store: Store, health: Health, source_id: str, offered: set[str], now: datetime,
            hold_for: timedelta) -> list[Article]:
    """The held items to store now that the source is healthy: those that pass its baseline
    and that this poll did not offer again (it stored their fresh versions). Expired ones are
    dropped; the others stay held."""
    items = hold_mod.take(store, source_id)
    if not items:
        return []
    keep = [h for h in items if h.article.url not in offered
            and not hold_mod.expired(h, now, hold_for)]
    out = [h.article for h in keep if hold_mod.passes(h, health.baseline)]
    rest = [h for h in keep if not hold_mod.passes(h, health.baseline)]
    if rest:
        hold_mod.put(store, source_id, rest)
    return out


def _advance(store: Store, settings: HealthSettings, source_id: str, health: Health,
             verdict: Verdict, now: datetime) -> Health:
    remind = timedelta(seconds=parse_duration(settings.remind_every) or 86400)
    sample = {"last_good": health.good_item, "now": health.bad_item} \
        if verdict.bad else {}
    health, note = advance(health, source_id, verdict, now, remind, sample)
    save(store, source_id, health)
    if note is not None:
        announce(store, settings, note)
    return health


def _sample(values: list[dict[str, str]]) -> dict[str, str]:
    """The first item's fields, cut short: the side-by-side view of `feeds status`."""
    if not values:
        return {}
    return {k: v if len(v) <= SAMPLE_CHARS else v[: SAMPLE_CHARS - 1] + "…"
            for k, v in values[0].items()}
