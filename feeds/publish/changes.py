"""Which article URLs changed since the last publish (for notifications), exactly once.

The store stamps every insert/update with `changed_at` (whole seconds). We remember the newest
stamp already published plus the ids carrying exactly that stamp, so a row written later in
the same second is still caught and none is announced twice.
"""

from __future__ import annotations

__all__ = ["changed_urls", "read_mark", "save_mark", "MAX_ANNOUNCED"]

STATE = "changes"
MAX_ANNOUNCED = 10_000  # newest changes announced per publish (IndexNow's per-call limit)
MAX_IDS = 10_000


def changed_urls(store, prefix: str) -> list[str]:
    """URLs on the portal's host changed since the saved mark, newest first (first publish:
    the newest MAX_ANNOUNCED articles)."""
    state = store.get_state("publish_state", STATE)
    since, seen = state.get("mark", ""), set(state.get("ids", ()))
    urls: dict[str, None] = {}
    for article_id, url, changed_at in store.changed_since(since, MAX_ANNOUNCED + len(seen)):
        if changed_at == since and article_id in seen:
            continue
        if url.startswith(prefix):
            urls[url] = None
    return list(urls)[:MAX_ANNOUNCED]


def read_mark(store) -> tuple[str, list[str]]:
    """The store's newest change stamp and the ids carrying it; read before rendering."""
    mark = store.last_change()
    return mark, (store.ids_changed_at(mark, MAX_IDS) if mark else [])


def save_mark(store, mark: tuple[str, list[str]]) -> None:
    """Remember the mark read before rendering: the next publish announces what came after."""
    store.put_state("publish_state", STATE, {"mark": mark[0], "ids": mark[1]})
