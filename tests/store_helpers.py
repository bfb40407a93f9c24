"""Test helpers over both stores: fast bulk fills shaped like the stores' own inserts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["bulk_insert"]


def bulk_insert(store: Any, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert raw rows (every column, in table order; JSON columns as text) in one transaction:
    executemany on SQLite, COPY on PostgreSQL."""
    if hasattr(store, "db"):  # SQLite
        rows = list(rows)
        marks = ",".join("?" * len(rows[0])) if rows else ""
        store.db.execute("BEGIN")
        store.db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        store.db.execute("COMMIT")
        return
    with store.pool.connection() as conn, conn.cursor() as cur, \
            cur.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
