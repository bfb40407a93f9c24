"""Article storage behind a small Protocol: SQLite (a file path) or PostgreSQL (a URL).

`open_store(location)` picks the implementation from the location string and checks the schema
version (`schema.py`); `migrate_store(location)` applies pending migrations. Both stores share
the merge rules (`merge.py`) and pass the same contract suite (tests/test_store*.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

from ..errors import StoreError
from ..model import Article

__all__ = ["Store", "open_store", "migrate_store", "is_postgres", "UpsertResult"]

UpsertResult = str  # "new" | "updated" | "unchanged" | "removed"
Mark = tuple[str, str]  # (changed_at or removed_at, id): a position in the store's change list


class Store(Protocol):
    """Everything the pipeline, publishers, scheduler and CLI use; sqlite.py and postgres.py
    implement it."""

    # articles
    def upsert(self, article: Article, now: datetime) -> tuple[UpsertResult, Article]: ...
    def remove(self, article_id: str) -> Article | None: ...
    def find_id(self, id_or_url: str) -> str | None: ...
    def recent(self, limit: int, channel: str | None = None) -> list[Article]: ...
    def recent_tagged(self, limit: int, tag: str) -> list[Article]: ...
    def recent_from(self, limit: int, source_id: str) -> list[Article]: ...
    def count(self, source_id: str | None = None) -> int: ...
    def by_ids(self, ids: list[str]) -> list[Article]: ...

    # topic feeds: the text topics look in, newest first, streamed
    def topic_rows(self, body: bool, channels: tuple[str, ...] = (),
                   sources: tuple[str, ...] = ()) -> Iterator[tuple[Any, ...]]: ...

    # changes, in stamp order (publishers page through them from a saved mark)
    def changed_after(self, after: Mark, limit: int) -> list[tuple[str, str, Article]]: ...
    def changed_keys(self, after: Mark, limit: int) -> list[tuple[str, str]]: ...
    def removed_after(self, after: Mark, limit: int) -> list[tuple[str, str]]: ...
    def changed_since(self, since: str, seen: list[str] | None,
                      limit: int) -> list[tuple[str, str, str]]: ...
    def changed_months(self, since: str, seen: list[str] | None) -> dict[str, int]: ...
    def changed_channels(self, since: str, seen: list[str] | None) -> dict[str, str]: ...
    def ids_changed_at(self, moment: str, limit: int) -> list[str]: ...
    def last_change(self) -> str: ...

    # sitemaps
    def sitemap_rows(self, since: str = "", until: str = "") -> Iterator[tuple[str, ...]]: ...
    def news_rows(self, since: str, limit: int, url_prefix: str) -> list[tuple[str, ...]]: ...
    def month_counts(self) -> dict[str, int]: ...

    # small key/JSON state: source_state, http_cache, publish_state, source_health,
    # held_items, health_outbox
    def get_state(self, table: str, key: str) -> dict[str, Any]: ...
    def put_state(self, table: str, key: str, data: dict[str, Any]) -> None: ...
    def delete_state(self, table: str, key: str) -> bool: ...
    def all_states(self, table: str) -> dict[str, dict[str, Any]]: ...

    def close(self) -> None: ...


def is_postgres(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


def open_store(location: str, check: bool = True) -> Store:
    """Open the store at `location` (a PostgreSQL URL, else an SQLite file path); a store that
    does not exist yet is created at the latest schema version. With `check` (the default) a
    store whose schema is behind raises `schema.SchemaBehind` (run `feeds migrate`)."""
    if is_postgres(location):
        try:
            from .postgres import PostgresStore
        except ImportError as e:  # pragma: no cover - psycopg is a dependency
            raise StoreError(f"store: PostgreSQL needs psycopg 3 installed: {e}") from e
        return PostgresStore(location, check=check)
    from .sqlite import SQLiteStore

    return SQLiteStore(location, check=check)


def migrate_store(location: str) -> tuple[int, list[str]]:
    """Apply the pending migrations; return (the version before, the names applied)."""
    from .schema import upgrade

    store = open_store(location, check=False)
    try:
        before = store.schema_version()  # type: ignore[attr-defined]
        applied = upgrade(store)  # type: ignore[arg-type]
    finally:
        store.close()
    return before, [f"{m.version:04d}_{m.name}" for m in applied]
