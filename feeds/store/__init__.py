"""Article storage behind a small Protocol; SQLite by default, PostgreSQL later (same SQL).

`open_store(location)` picks the implementation from the location string.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from ..errors import StoreError
from ..model import Article, StoredArticle

__all__ = ["Store", "SourceState", "open_store", "UpsertResult"]

UpsertResult = str  # "new" | "updated" | "unchanged"


class SourceState(Protocol):
    source_id: str


class Store(Protocol):
    """What the pipeline, publishers and scheduler need from storage."""

    def upsert(self, article: Article, now: datetime) -> tuple[UpsertResult, Article]:
        """Insert or update by identity; return what happened and the article as stored."""

    def recent(self, limit: int, channel: str | None = None) -> list[Article]:
        """The newest `limit` articles (by published), optionally of one channel."""

    def iter_articles(self) -> Iterator[StoredArticle]:
        """Every article, oldest first, streamed (for sitemaps)."""

    def get(self, article_id: str) -> StoredArticle | None: ...

    def count(self, source_id: str | None = None) -> int: ...

    def close(self) -> None: ...


def open_store(location: str) -> Store:
    """Open the store at `location` (a file path for SQLite)."""
    if location.startswith(("postgresql://", "postgres://")):
        raise StoreError(f"store: {location.split('@')[-1]}: PostgreSQL is not supported yet; "
                         "use an SQLite file path")
    from .sqlite import SQLiteStore

    return SQLiteStore(location)
