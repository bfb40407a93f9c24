"""`feeds status` and a worker's `/status` on PostgreSQL: the per-source rows of status.py,
each with what the queue holds for it (queued, running on which worker, attempts)."""

from __future__ import annotations

from typing import Any

from ..config import Config
from ..store import Store
from .queue import PUBLISH_LOCK, queue_rows, source_lock
from .status import collect_rows

__all__ = ["status_payload"]


def status_payload(config: Config, store: Store) -> dict[str, Any]:
    """{'sources': rows with a 'queue' entry each, 'publish': the publish job's entry}."""
    rows = collect_rows(config, store)
    queue = queue_rows(config.store_url)
    empty = {"queued": False, "queued_for": "", "running_on": "", "heartbeat": "",
             "attempts": 0}
    for row in rows:
        row["queue"] = queue.get(source_lock(row["source"]), empty)
    return {"sources": rows, "publish": queue.get(PUBLISH_LOCK, empty)}

