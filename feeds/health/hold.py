"""Held items: what a degraded or broken poll offered, kept in the store and never published.

One row per source (`held_items`), the newest held version of each URL, so a source that stays
bad for days holds one copy of each item, not one per poll. Items are released on a healthy
poll when they pass the source's baseline, dropped after `health.hold_for`, or released or
dropped by hand (`feeds release SOURCE [--drop]`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..model import Article
from ..store import Store
from ..store.codec import from_row, to_row
from .baseline import Baseline, usual
from .signals import FIELDS

__all__ = ["HELD", "Held", "hold", "held", "take", "put", "passes", "expired"]

HELD = "held_items"
USUALLY_FILLED = 0.9  # a field the baseline fills this often must be filled in a released item


@dataclass(frozen=True)
class Held:
    """One held item: the article as normalised, when it was held, and the values every item
    of its poll shared (a site name as every title), which no released item may carry."""

    article: Article
    at: str
    repeated: dict[str, str]
    values: dict[str, str]  # its watched fields as the source gave them (item_values)


def held(store: Store, source_id: str) -> list[Held]:
    """The source's held items, oldest first."""
    rows = store.get_state(HELD, source_id).get("items", [])
    return [Held(from_row(r["article"]), r["at"], r.get("repeated", {}), r.get("values", {}))
            for r in rows]


def hold(store: Store, source_id: str, items: list[tuple[Article, dict[str, str]]],
         repeated: dict[str, str], now: datetime) -> int:
    """Hold a poll's articles, each with its item_values (replacing older held versions of
    the same URLs); return how many the source holds now."""
    urls = {a.url for a, _ in items}
    kept = [h for h in held(store, source_id) if h.article.url not in urls]
    kept += [Held(a, now.isoformat(), repeated, v) for a, v in items]
    put(store, source_id, kept)
    return len(kept)


def take(store: Store, source_id: str) -> list[Held]:
    """Remove and return every held item of the source."""
    items = held(store, source_id)
    if items:
        put(store, source_id, [])
    return items


def put(store: Store, source_id: str, items: list[Held]) -> None:
    """Replace the source's held items with `items`."""
    store.put_state(HELD, source_id, {"items": [
        {"article": to_row(h.article), "at": h.at, "repeated": h.repeated, "values": h.values}
        for h in items]})


def expired(item: Held, now: datetime, hold_for: timedelta) -> bool:
    return now - datetime.fromisoformat(item.at) >= hold_for


def passes(item: Held, baseline: Baseline) -> bool:
    """Whether a held item looks like the source's good items: every field the baseline
    usually fills is filled, and not with the value its whole bad poll shared; its body is
    not far shorter than the shortest usual bodies."""
    values = {name: item.values.get(name, "") for name in FIELDS}
    for name in FIELDS:
        seen = usual(baseline, f"fill.{name}")
        if not seen or seen.median < USUALLY_FILLED:
            continue  # a field this source often leaves empty (or always repeats) says nothing
        if not values[name].strip() or values[name] == item.repeated.get(name):
            return False
    low = usual(baseline, "body.low")
    return not (low and len(values["body"]) < low.median / 2)
