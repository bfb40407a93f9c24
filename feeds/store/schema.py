"""Schema versions: numbered forward migrations, one SQL file per store dialect.

A migration is two files in `feeds/store/migrations/`: `NNNN_name.sqlite.sql` and
`NNNN_name.postgres.sql` (the next free number, both dialects; a test checks the numbering has
no gap and no dialect is missing). A fresh store is built by applying every migration in order, so
a new store and a migrated one are the same. The applied versions are rows of `schema_version`.

`open_store` refuses a store whose version is behind (`SchemaBehind`: run `feeds migrate`) or
ahead of this code (`SchemaAhead`); `feeds migrate` applies what is pending.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from ..errors import StoreError

__all__ = ["Migration", "migrations", "latest", "SchemaBehind", "SchemaAhead", "Migratable",
           "check_version", "upgrade", "VERSION_TABLE", "own_tables", "statements"]

DIR = Path(__file__).with_name("migrations")
DIALECTS = ("sqlite", "postgres")
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(sqlite|postgres)\.sql$")
_TABLE = re.compile(r"\b(CREATE|DROP)\s+TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?\"?(\w+)", re.I)
# Tables of the store that are not its data: the version rows (each store has its own) and
# PostgreSQL's change clock (set past the copied stamps instead).
NOT_DATA = {"schema_version", "change_clock"}

VERSION_TABLE = ("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                 "name TEXT NOT NULL, applied_at TEXT NOT NULL)")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


@cache
def migrations(dialect: str) -> tuple[Migration, ...]:
    """Every migration of `dialect`, in version order (versions 1..N, no gaps)."""
    found: dict[int, Migration] = {}
    for path in sorted(DIR.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise StoreError(f"store: migration file {path.name}: expected NNNN_name.DIALECT.sql")
        if match[3] == dialect:
            version = int(match[1])
            if version in found:
                raise StoreError(f"store: two {dialect} migrations numbered {version}")
            found[version] = Migration(version, match[2], path.read_text("utf-8"))
    if sorted(found) != list(range(1, len(found) + 1)):
        raise StoreError(f"store: {dialect} migrations must be numbered 1..N: {sorted(found)}")
    return tuple(found[v] for v in sorted(found))


@cache
def own_tables(dialect: str) -> tuple[str, ...]:
    """The store's data tables, as its migrations create (and drop) them, in creation order:
    what `feeds store copy` moves. Other tables in the same database (the task queue's, the
    host gates') are no part of the store."""
    tables: dict[str, None] = {}
    for step in migrations(dialect):
        for verb, name in _TABLE.findall(_without_comments(step.sql)):
            if verb.upper() == "DROP":
                tables.pop(name.lower(), None)
            elif name.lower() not in NOT_DATA:
                tables[name.lower()] = None
    return tuple(tables)


def _without_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def statements(script: str, complete: Callable[[str], bool]) -> Iterator[str]:
    """The statements of a migration script, one at a time (`complete` tells when one ends;
    SQLite's executescript would commit first, so each runs in our own transaction)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if complete(pending):
            yield pending
            pending = ""
    if pending.strip() and not all(ln.strip().startswith("--") or not ln.strip()
                                   for ln in pending.splitlines()):
        raise StoreError(f"store: migration ends in an incomplete statement: {pending[:60]!r}")


def latest(dialect: str) -> int:
    return len(migrations(dialect))


class SchemaBehind(StoreError):
    """The store's schema is older than this code: `feeds migrate` brings it up to date."""

    def __init__(self, where: str, have: int, want: int):
        super().__init__(f"store {where}: schema version {have}, this feeds needs {want}")
        self.where, self.have, self.want = where, have, want


class SchemaAhead(StoreError):
    """The store was migrated by a newer feeds than this one."""

    def __init__(self, where: str, have: int, want: int):
        super().__init__(f"store {where}: schema version {have} is newer than this feeds knows "
                         f"({want}); run the newer feeds")


class Migratable(Protocol):
    """What a store offers the runner: its dialect, its version, and a way to apply one step."""

    dialect: str
    where: str  # how messages name the store (file path, or host/dbname without a password)

    def schema_version(self) -> int: ...
    def apply_migrations(self, pending: list[Migration]) -> list[Migration]: ...


def check_version(store: Migratable) -> None:
    """Create a fresh store at the latest version; refuse one that is behind or ahead."""
    have, want = store.schema_version(), latest(store.dialect)
    if have == 0:  # nothing there yet: build it from the migrations (applied under a lock)
        upgrade(store)
    elif have < want:
        raise SchemaBehind(store.where, have, want)
    elif have > want:
        raise SchemaAhead(store.where, have, want)


def upgrade(store: Migratable) -> list[Migration]:
    """Apply every pending migration; return those applied (the store re-checks its version
    under its write lock, so two processes migrating at once apply each step once)."""
    have = store.schema_version()
    if have > latest(store.dialect):
        raise SchemaAhead(store.where, have, latest(store.dialect))
    return store.apply_migrations(list(migrations(store.dialect)))
