"""The daemon's two units of work, each self-contained so it can run in a child process (or,
later, on another machine against PostgreSQL): collect one source, publish everything.

Each opens its own store and fetcher, calls the pipeline and returns a plain, picklable dict.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..config import Config
from ..fetch import Fetcher
from ..pipeline import collect_source
from ..publish import publish
from ..store import open_store

__all__ = ["JOBS", "collect_job", "publish_job"]


def collect_job(config: Config, source_id: str, now: datetime) -> dict[str, Any]:
    """Collect one source; return its counts and, when it failed, the error's class and text."""
    source = config.source(source_id)
    if source is None:
        return {"error_kind": "removed", "error": f"{source_id}: no longer in the config"}
    store = open_store(config.store_url)
    fetcher = Fetcher()
    started = time.monotonic()
    try:
        result = collect_source(config, source, store, fetcher, now)
    finally:
        fetcher.close()
        store.close()
    return {"new": result.new, "updated": result.updated, "unchanged": result.unchanged,
            "skipped": result.skipped, "seconds": time.monotonic() - started,
            "error_kind": result.error.kind if result.error else "",
            "error": str(result.error) if result.error else ""}


def publish_job(config: Config, now: datetime) -> dict[str, Any]:
    """Publish every output from the store; return the files written and left unchanged."""
    store = open_store(config.store_url)
    started = time.monotonic()
    try:
        result = publish(config, store, now)
    finally:
        store.close()
    return {"written": list(result.written), "unchanged": list(result.unchanged),
            "seconds": time.monotonic() - started}


JOBS: dict[str, Callable[..., dict[str, Any]]] = {"collect": collect_job, "publish": publish_job}
