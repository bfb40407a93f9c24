"""What we remember per URL in the store's `http_cache` table: validators (ETag,
Last-Modified) and a body hash for conditional GET, and permanent redirects (`moved_to`)."""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["HttpCache", "body_hash"]

MAX_MOVES = 10
TABLE = "http_cache"


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class HttpCache:
    """Per-URL entries in `store`, or in memory without one."""

    def __init__(self, store: Store | None = None):
        self.store = store
        self._memory: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> dict[str, Any]:
        with self._lock:
            if self.store is None:
                return dict(self._memory.get(url, {}))
            return self.store.get_state(TABLE, url)

    def put(self, url: str, entry: dict[str, Any]) -> None:
        with self._lock:
            if self.store is None:
                self._memory[url] = dict(entry)
            else:
                self.store.put_state(TABLE, url, entry)

    def update(self, url: str, **changes: Any) -> None:
        entry = self.get(url)
        entry.update(changes)
        self.put(url, entry)

    def resolve(self, url: str) -> str:
        """Follow recorded permanent redirects (at most MAX_MOVES, stopping at a cycle)."""
        seen = {url}
        for _ in range(MAX_MOVES):
            target = self.get(url).get("moved_to")
            if not target or target in seen:
                break
            seen.add(target)
            url = target
        return url

    @staticmethod
    def validators(entry: dict[str, Any]) -> dict[str, str]:
        """Request headers for a conditional GET from a stored entry."""
        headers = {}
        if entry.get("etag"):
            headers["If-None-Match"] = entry["etag"]
        if entry.get("last_modified"):
            headers["If-Modified-Since"] = entry["last_modified"]
        return headers
