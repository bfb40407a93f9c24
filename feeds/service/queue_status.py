"""`feeds status` and a worker's `/status` on PostgreSQL: the per-source rows of status.py,
each with what the queue holds for it (queued, running on which worker, attempts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..config import Config
from .queue import PUBLISH_LOCK, queue_rows, source_lock
from .status import collect_rows

__all__ = ["queue_text", "status_payload"]


def status_payload(config: Config, store: Any) -> dict[str, Any]:
    """{'sources': rows with a 'queue' entry each, 'publish': the publish job's entry}."""
    rows = collect_rows(config, store)
    queue = queue_rows(config.store_url)
    empty = {"queued": False, "queued_for": "", "running_on": "", "heartbeat": "",
             "attempts": 0}
    for row in rows:
        row["queue"] = queue.get(source_lock(row["source"]), empty)
    return {"sources": rows, "publish": queue.get(PUBLISH_LOCK, empty)}


def queue_text(entry: dict[str, Any], now: datetime | None = None) -> str:
    """'running on host:pid', 'queued', 'queued (in 4s)' or '-' for one queue entry."""
    if entry.get("running_on"):
        return f"running on {entry['running_on']}"
    if entry.get("queued"):
        when = entry.get("queued_for", "")
        if when and datetime.fromisoformat(when) > (now or datetime.now(UTC)):
            from .status import ago

            return f"queued ({ago(when, now or datetime.now(UTC))})"
        return "queued"
    return "-"
