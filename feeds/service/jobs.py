"""The daemon's two units of work, each self-contained so it can run in a child process (or,
on another machine, in a worker): collect one source, publish everything.

Each opens its own Runtime (store + fetcher from the config, feeds/runtime.py), calls the same
pipeline units as `feeds run` and returns a plain, picklable dict.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..config import Config
from ..runtime import Runtime

__all__ = ["JOBS", "collect_job", "publish_job"]


def collect_job(config: Config, source_id: str, now: datetime) -> dict[str, Any]:
    """Collect one source unless it is held back (gone, backing off: `waiting` says why);
    return its counts and, when it failed, the error's class and text."""
    source = config.source(source_id)
    if source is None:
        return {"error_kind": "removed", "error": f"{source_id}: no longer in the config"}
    started = time.monotonic()
    with Runtime.open(config) as rt:
        result = rt.collect(source, now, jitter=config.daemon.jitter)
    return {"new": result.new, "updated": result.updated, "unchanged": result.unchanged,
            "skipped": result.skipped, "seconds": time.monotonic() - started,
            "waiting": result.waiting, "not_modified": result.not_modified,
            "error_kind": result.error.kind if result.error else "",
            "error": str(result.error) if result.error else ""}


def publish_job(config: Config, now: datetime) -> dict[str, Any]:
    """Publish every output from the store; return the files written and left unchanged."""
    started = time.monotonic()
    with Runtime.open(config) as rt:
        result = rt.publish(now)
    return {"written": list(result.written), "unchanged": list(result.unchanged),
            "seconds": time.monotonic() - started}


JOBS: dict[str, Callable[..., dict[str, Any]]] = {"collect": collect_job, "publish": publish_job}
