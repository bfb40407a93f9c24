"""A bounded list of output paths for publish reports.

A first publish of a million articles touches three million share files; reports only need
how many and a sample, not three million strings (~300 MB). `Paths` keeps the first `LIMIT`
paths and counts every one: `len()` is the count, iteration yields the sample.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["LIMIT", "Paths"]

LIMIT = 10_000


class Paths(list[str]):
    """Paths of files a publish wrote (or kept, or removed): the first LIMIT, and the count."""

    def __init__(self, paths: Iterable[str] = ()) -> None:
        super().__init__()
        self.total = 0
        self += paths

    def append(self, path: str) -> None:
        self.total += 1
        if super().__len__() < LIMIT:
            super().append(path)

    def __iadd__(self, paths: Iterable[str]) -> Paths:  # type: ignore[override,misc]
        kept = list.__len__(paths) if isinstance(paths, Paths) else 0
        for path in paths:  # a Paths yields its sample; its count carries the rest
            self.append(path)
        if isinstance(paths, Paths):
            self.total += paths.total - kept
        return self

    def __len__(self) -> int:
        return self.total
