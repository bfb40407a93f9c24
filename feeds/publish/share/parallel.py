"""Share pages of a large backlog (a first publish) rendered by several processes.

The parent only lists where each batch starts (`store.changed_keys`: the changed_at index, no
article read) and hands the batches to `share.workers` processes; each opens its own store,
renders and writes its batch, flushes it to disk (syncfs) and returns its counts. The parent
takes the results in batch order and saves the mark after each, so the mark only ever covers
batches whose files are on disk, and a publish killed half-way resumes after the last of them.
Processes are spawned (not forked): a PostgreSQL store's pool threads must not be copied.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from ...config import Config
from ...store import Store, open_store

__all__ = ["render_parallel"]

_WORKER: dict[str, Any] = {}  # per worker process: its store and renderer


def render_parallel(config: Config, store: Store, after: tuple[str, str], batch: int,
                    merge: Callable[[Any], None],
                    save: Callable[[tuple[str, str]], None]) -> tuple[str, str]:
    """Render every change after `after` on `config.share.workers` processes; `merge` gets each
    batch's ShareResult and `save` its last key, in order. Returns the last key rendered."""
    workers = config.share.workers
    context = multiprocessing.get_context("spawn")
    location = getattr(store, "location", config.store_url)  # this store, not a namesake
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start,
                             initargs=(config, location)) as pool:
        pending: deque[Future[tuple[tuple[str, str], Any]]] = deque()
        cursor = after
        while True:
            keys = store.changed_keys(cursor, batch)
            if keys:
                pending.append(pool.submit(_work, cursor, len(keys)))
                cursor = keys[-1]
            while pending and (len(pending) > 2 * workers or not keys):
                last, part = pending.popleft().result()
                merge(part)
                save(last)
                after = max(after, last)
            if not keys:
                return after


def _start(config: Config, location: str) -> None:
    from . import _Renderer

    _WORKER["store"] = open_store(location)
    _WORKER["renderer"] = _Renderer(config)


def _work(after: tuple[str, str], limit: int) -> tuple[tuple[str, str], Any]:
    from ..writer import BatchWriter
    from . import ShareResult, _publish_one

    rows = _WORKER["store"].changed_after(after, limit)
    part, writer = ShareResult(), BatchWriter()
    for _changed_at, article_id, article in rows:
        _publish_one(_WORKER["renderer"], writer, article_id, article, part)
    writer.sync()
    return (rows[-1][0], rows[-1][1]) if rows else after, part
