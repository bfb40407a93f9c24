"""A Fetcher bound to one source, and the notes `feeds check` prints about fetch policies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..config import Config, Source
from ..errors import FetchError
from ..urls import absolute
from .client import Fetcher, Policy
from .response import Fetched

__all__ = ["SourceFetcher", "local_files", "policy_notes"]


class SourceFetcher:
    """A Fetcher bound to one source's policy; its own URL is fetched conditionally (when its
    kind asks for it) and new validators are saved only on `commit()`, so that a failed
    extraction is retried in full next time."""

    def __init__(self, fetcher: Fetcher, source: Source, conditional: bool = False):
        self.fetcher = fetcher
        self.source = source
        self.conditional = conditional
        self.settings = fetcher.settings
        self.policy = Policy(source.allow_private, source.respect_robots, local_files(source))
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


def local_files(source: Source) -> tuple[str, ...]:
    """The local files a source may read: its own configured file: URLs; for an `html` source
    whose listing is a local file (an offline copy of a site), the files in that folder too,
    since its article and next-page links point there. Nothing for an http(s) source."""
    own = [source.url, *(getattr(source.options, "urls", ()) if source.kind == "html" else ())]
    files = [str(Path(unquote(urlsplit(absolute(source.url, u)).path)))
             for u in own if absolute(source.url, u).startswith("file:")]
    if source.kind == "html" and source.url.startswith("file:"):
        files.append(str(Path(files[0]).parent) + "/")
    return tuple(files)


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
