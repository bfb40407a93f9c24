"""A source's fetcher that counts the pages lost to fetch failures during one poll.

An html source whose article pages time out offers fewer items, and that is a transient
failure, not a shorter list on the site: the health gate leaves `offered` unjudged then.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import FetchError

__all__ = ["CountingFetcher"]


class CountingFetcher:
    """Wraps a SourceFetcher; `failures` counts failed fetches other than the source's URL
    (that one failing fails the whole poll, which is judged `failing` on its own)."""

    def __init__(self, bound: Any, own_url: str):
        self.bound, self.own_url, self.failures = bound, own_url, 0

    def get(self, url: str, **kwargs: Any) -> Any:
        try:
            return self.bound.get(url, **kwargs)
        except FetchError:
            if url != self.own_url:
                self.failures += 1
            raise

    def get_many(self, urls: list[str]) -> Iterator[tuple[str, Any]]:
        for url, got in self.bound.get_many(urls):
            if isinstance(got, FetchError):
                self.failures += 1
            yield url, got

    def __getattr__(self, name: str) -> Any:  # commit, settings, policy, source ...
        return getattr(self.bound, name)
