"""A Fetcher bound to one source, and the notes `feeds check` prints about fetch policies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..config import Config, Source
from ..errors import FetchError
from .client import Fetcher, Policy
from .response import Fetched

__all__ = ["SourceFetcher", "policy_notes"]


class SourceFetcher:
    """A Fetcher bound to one source's policy; its own URL is fetched conditionally (when its
    kind asks for it) and new validators are saved only on `commit()`, so that a failed
    extraction is retried in full next time."""

    def __init__(self, fetcher: Fetcher, source: Source, conditional: bool = False):
        self.fetcher = fetcher
        self.source = source
        self.conditional = conditional
        self.settings = fetcher.settings
        self.policy = Policy(source.allow_private, source.respect_robots)
        self.pending: dict[str, dict[str, Any]] = {}

    def get(self, url: str, *, conditional: bool | None = None) -> Fetched:
        if conditional is None:
            conditional = self.conditional and url == self.source.url
        return self.fetcher.get(url, policy=self.policy, conditional=conditional,
                                pending=self.pending)

    def get_many(self, urls: list[str]) -> Iterator[tuple[str, Fetched | FetchError]]:
        return self.fetcher.get_many(urls, policy=self.policy)

    def commit(self) -> None:
        """Save the validators of this run's conditional fetches (call after success)."""
        for url, entry in self.pending.items():
            self.fetcher.cache.update(url, **entry)
        self.pending.clear()


def policy_notes(config: Config) -> list[str]:
    """One line per source whose fetch policy departs from the defaults (for `feeds check`)."""
    notes = []
    for s in config.sources:
        where = f"{config.path.name}:{s.line}: source {s.id}"
        if not s.respect_robots and not s.url.startswith("file:"):
            notes.append(f"{where}: respect_robots: false, robots.txt is NOT consulted")
        if s.allow_private:
            notes.append(f"{where}: allow_private: true, may fetch private/loopback addresses")
    return notes
