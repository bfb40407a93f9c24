"""Which article URLs changed since the last publish (for notifications), exactly once.

The store stamps every insert/update with `changed_at` (UTC, in microseconds, each stamp
strictly after the last: see the stores' `_stamp`/`STAMP`). We remember the newest stamp
already published plus the ids carrying exactly that stamp, so a row stamped the same moment
(a bulk copy keeps its source's stamps) is still caught and none is announced twice.
"""

from __future__ import annotations

from ..store import Store

__all__ = ["MAX_ANNOUNCED", "changed_urls", "read_mark", "save_mark"]

STATE = "changes"
MAX_ANNOUNCED = 10_000  # newest changes announced per publish (IndexNow's per-call limit)
MAX_IDS = 10_000


def changed_urls(store: Store, prefix: str) -> list[str]:
    """URLs on the portal's host changed since the saved mark, newest first (first publish:
    the newest MAX_ANNOUNCED articles)."""
    state = store.get_state("publish_state", STATE)
    since, seen = state.get("mark", ""), state.get("ids", [])
    urls: dict[str, None] = {}
    for _id, url, _changed_at in store.changed_since(since, seen, MAX_ANNOUNCED):
        if url.startswith(prefix):
            urls[url] = None
    return list(urls)


Mark = tuple[str, "list[str] | None"]


def read_mark(store: Store) -> Mark:
    """The store's newest change stamp and the ids carrying it, read before rendering. None
    instead of ids when a bulk import stamped more than MAX_IDS rows with that one stamp: they
    count as seen (at worst an update with that very stamp waits for the next change)."""
    mark = store.last_change()
    if not mark:
        return "", []
    ids = store.ids_changed_at(mark, MAX_IDS + 1)
    return mark, (ids if len(ids) <= MAX_IDS else None)


def save_mark(store: Store, mark: Mark) -> None:
    """Remember the mark read before rendering: the next publish announces what came after."""
    store.put_state("publish_state", STATE, {"mark": mark[0], "ids": mark[1]})
