"""`feeds store copy FROM TO`: move a site between stores (SQLite <-> PostgreSQL) row by row.

The store's own tables (those its migrations create: `schema.own_tables`) are copied as they
are (articles with their ids, identity keys, first-seen times, change stamps and content
hashes; the takedown tombstones; every state table; tables later migrations add). Not copied:
`schema_version` (each store has its own), PostgreSQL's `change_clock` (moved past the newest
copied stamp so new changes sort after the copied ones), and whatever else shares the database
(the task queue's `procrastinate_*`, the host gates' `feeds_host_*`). Both stores must be at the
latest schema version; TO must be empty. The whole load is one transaction in TO: a copy that
fails midway leaves TO empty, so it can simply be run again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import StoreError
from . import is_postgres, open_store, pg_text
from .postgres import PostgresStore
from .schema import check_version, own_tables
from .sqlite import SQLiteStore

__all__ = ["copy_store"]

Loader = Callable[[str, list[str], Iterator[tuple[Any, ...]]], int]  # table, columns, rows
DERIVED = {"sitemap_entries"}  # filled by the articles' triggers as they are copied

def copy_store(source: str, target: str) -> dict[str, int]:
    """Copy every row of the store at `source` into the empty store at `target`; return the
    rows copied per table."""
    src = _side(_open_existing(source))
    try:
        dst = _side(open_store(target))
    except BaseException:
        src.store.close()
        raise
    try:
        tables = [t for t in own_tables(src.store.dialect)
                  if t in src.tables() and t in dst.tables() and t not in DERIVED]
        held = {t: n for t in tables if (n := dst.count(t))}
        if held:
            raise StoreError(f"store copy: {dst.store.where} is not empty ({_list(held)}); "
                             "copy into a new store")
        counts = {}
        with dst.loading() as load:
            for table in tables:
                columns = [c for c in src.tables()[table] if c in dst.tables()[table]]
                counts[table] = load(table, columns, src.dump(table, columns))
        return counts
    finally:
        src.store.close()
        dst.store.close()


def _open_existing(location: str) -> Any:
    """Open FROM, which must already be a feeds store (opening never creates it)."""
    if not is_postgres(location) and not Path(location).is_file():
        raise StoreError(f"store copy: {location}: no such file")
    store = open_store(location, check=False)
    try:
        if store.schema_version() == 0:  # type: ignore[attr-defined]
            raise StoreError(f"store copy: {store.where} holds no feeds store")  # type: ignore[attr-defined]
        check_version(store)  # type: ignore[arg-type]
    except BaseException:
        store.close()
        raise
    return store


def _list(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counts.items())


def _side(store: Any) -> _SQLite | _Postgres:
    if isinstance(store, SQLiteStore):
        return _SQLite(store)
    if isinstance(store, PostgresStore):
        return _Postgres(store)
    raise StoreError(f"store copy: cannot copy {type(store).__name__}")


class _SQLite:
    """Rows of an SQLite store; JSON columns are text here."""

    def __init__(self, store: SQLiteStore):
        self.store, self.db = store, store.db
        self._tables: dict[str, list[str]] | None = None

    def tables(self) -> dict[str, list[str]]:
        if self._tables is None:
            names = [r[0] for r in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            self._tables = {n: [c[1] for c in self.db.execute(f"PRAGMA table_info({n})")]
                            for n in names if not n.startswith("sqlite_")}
        return self._tables

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def dump(self, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
        yield from self.db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid")

    @contextmanager
    def loading(self) -> Iterator[Loader]:
        """One BEGIN IMMEDIATE for every table (stamps come from MAX(changed_at): already past
        the copied ones, nothing to do after)."""
        def load(table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
            sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
                   f"VALUES ({', '.join('?' * len(columns))})")
            n = 0
            for row in rows:
                self.db.execute(sql, tuple(_as_text(v) for v in row))
                n += 1
            return n

        with self.store.lock, self.store._transaction():
            yield load


class _Postgres:
    """Rows of a PostgreSQL store; JSONB columns are Python values here."""

    def __init__(self, store: PostgresStore):
        self.store = store
        self._tables: dict[str, list[str]] | None = None
        self._json: set[tuple[str, str]] = set()

    def tables(self) -> dict[str, list[str]]:
        if self._tables is None:
            self._tables = {}
            with self.store._tx() as conn:
                for table, column, kind in conn.execute(
                        "SELECT table_name, column_name, data_type FROM information_schema.columns "
                        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"):
                    self._tables.setdefault(table, []).append(column)
                    if kind in ("json", "jsonb"):
                        self._json.add((table, column))
        return self._tables

    def count(self, table: str) -> int:
        return int(self.store._one(f"SELECT COUNT(*) FROM {table}")[0])

    def dump(self, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
        order = ", ".join(columns[:1])
        yield from self.store._stream(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}",
                                      ())

    @contextmanager
    def loading(self) -> Iterator[Loader]:
        """One transaction: COPY every table in (fast: a million articles in well under a
        minute), then move the clock past the newest copied stamp."""
        with self.store._tx() as conn:
            def load(table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
                as_json = [(table, c) in self._json for c in columns]
                n = 0
                with conn.cursor() as cur, \
                        cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([_as_json_text(v) if j else _as_text(v)
                                        for v, j in zip(row, as_json, strict=True)])
                        n += 1
                return n

            yield load
            conn.execute("UPDATE change_clock SET last = GREATEST(last, "
                         "(SELECT COALESCE(MAX(changed_at), '') FROM articles), "
                         "(SELECT COALESCE(MAX(removed_at), '') FROM removed_articles))")


def _as_text(value: Any) -> Any:
    """A JSON value read from PostgreSQL as the text SQLite keeps (other values as they are)."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _as_json_text(value: Any) -> Any:
    """What COPY takes for a JSONB column: JSON text, without the NULs JSONB refuses."""
    if value is None:
        return None
    return pg_text.json_text(json.loads(value) if isinstance(value, str) else value)
