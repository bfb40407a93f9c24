"""`feeds hold SOURCE` and `feeds release SOURCE [--drop]`: the gate worked by hand."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from ..store import Store
from . import hold as hold_mod
from . import track
from .baseline import Baseline

__all__ = ["hold_source", "release_source"]

log = logging.getLogger("feeds.health")


def hold_source(store: Store, source_id: str) -> None:
    """Hold every later poll of the source until it is released (e.g. a known bad migration
    on the site); its published items stay as they are."""
    track.save(store, source_id, replace(track.load(store, source_id), manual_hold=True))
    log.warning("health %s: held by hand", source_id, extra={"source": source_id})


def release_source(store: Store, source_id: str, now: datetime, drop: bool = False,
                   relearn: bool = False) -> tuple[int, int]:
    """End a hold by hand and store (or, with `drop`, discard) every held item, whatever the
    baseline says: a person looked. `relearn` forgets the baseline (the site changed for good:
    its new shape is learned in a fresh warm-up). Return (stored, discarded)."""
    health = replace(track.load(store, source_id), manual_hold=False)
    if relearn:
        health = replace(health, baseline=Baseline())
        log.warning("health %s: baseline forgotten by hand; warming up again", source_id,
                    extra={"source": source_id})
    track.save(store, source_id, health)
    items = hold_mod.take(store, source_id)
    if drop:
        log.warning("health %s: %d held item(s) dropped by hand", source_id, len(items),
                    extra={"source": source_id})
        return 0, len(items)
    stored = 0
    for item in items:
        outcome, _ = store.upsert(item.article, now)
        stored += outcome in ("new", "updated", "unchanged")
    log.warning("health %s: %d held item(s) released by hand", source_id, stored,
                extra={"source": source_id})
    return stored, len(items) - stored
