"""The PostgreSQL store: the Store Protocol over a psycopg 3 connection pool, for several
processes on several machines writing at once.

Same tables and text encodings as SQLite (UTC timestamp texts, the article as JSON beside the
queried columns, "C" collation so texts sort as bytes), so `feeds store copy` moves rows as
they are. What an update may change is decided by `merge` (shared with SQLite).

Concurrency (docs/design.md, "Stores: SQLite and PostgreSQL"):
- An upsert first takes transaction-level advisory locks on its identity key and URL, so two
  writers offering the same article are serialised (no duplicate row, no lost merge) while
  writers of different articles run in parallel.
- Change stamps come from the one-row `change_clock` table. The stamping UPDATE locks that row
  until commit, so stamps are strictly increasing and handed out in commit order: a publisher
  that has seen stamp S has seen every change stamped before S. (A sequence would give unique
  numbers but not in commit order: a change could commit after a publisher read past its stamp
  and be skipped.) The stamp is the database server's clock, one clock for every machine.
"""

from __future__ import annotations

import functools
import logging
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from ..errors import StoreError
from ..model import Article
from . import merge, pg_text, schema
from .codec import from_row, parse_utc, to_row, utc_text

__all__ = ["PostgresStore", "describe"]

log = logging.getLogger("feeds.store")
T = TypeVar("T")
ATTEMPTS = 3  # a lost connection (server restart, failover) is retried on a fresh one

STATE_KEYS = {"source_state": "source_id", "http_cache": "url", "publish_state": "name",
              "source_health": "source_id", "held_items": "source_id", "health_outbox": "key"}
LOCK_ARTICLE, LOCK_MIGRATE = 0x66656564, 0x66656565  # advisory lock classes ("feed", "feee")

# The next stamp: the server clock, or 1 µs after the last stamp if the clock is not ahead of it.
STAMP = """UPDATE change_clock SET last = to_char(GREATEST(clock_timestamp(),
    CASE WHEN last = '' THEN '-infinity' ELSE last::timestamptz + interval '1 microsecond' END)
    AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') RETURNING last"""
# After the key locks (a statement of its own: its snapshot must be taken after the wait):
# is it taken down? the stored row (merge.FIND_ORDER: key, old key, URL, then id), locked until
# commit; does another row hold the incoming URL?
FIND = """SELECT EXISTS (SELECT 1 FROM removed_articles
        WHERE ident IN (%(ident)s, %(legacy)s) OR url = %(url)s),
    a.id, a.ident, a.content_hash, a.first_seen, a.data,
    a.url <> %(url)s AND EXISTS (SELECT 1 FROM articles WHERE url = %(url)s AND id <> a.id)
    FROM (VALUES (1)) AS one LEFT JOIN LATERAL (
        SELECT id, ident, url, content_hash, first_seen, data FROM articles
        WHERE ident IN (%(ident)s, %(legacy)s) OR url = %(url)s
        """ + merge.FIND_ORDER.format("%(ident)s", "%(legacy)s") + """ LIMIT 1 FOR UPDATE
    ) AS a ON true"""


def _reconnecting(method: Callable[..., T]) -> Callable[..., T]:
    """Run a one-transaction store method again when its connection was lost mid-way: the
    transaction was rolled back, so running it again is safe (a commit whose answer was lost
    makes the second run see its own write: an upsert then says "unchanged"). The pool waits
    for the server to be back (up to its 30 s timeout) before handing out a connection."""
    @functools.wraps(method)
    def run(self: PostgresStore, *args: Any, **kwargs: Any) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return method(self, *args, **kwargs)
            except psycopg.OperationalError as e:
                if attempt == ATTEMPTS:
                    raise StoreError(f"store {self.where}: {_first_line(e)}") from e
                log.warning("store %s: %s; retrying on a new connection", self.where,
                            _first_line(e))
                time.sleep(0.2 * attempt)
                self.pool.check()  # drop every idle connection the same restart broke
        raise AssertionError("unreachable")
    return run


def describe(url: str) -> str:
    """The store as messages name it: host/dbname, never the password."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error as e:
        raise StoreError(f"store: not a valid PostgreSQL URL: {_first_line(e)}") from e
    return f"postgresql://{info.get('host', 'localhost')}/{info.get('dbname', '')}"


class PostgresStore:
    """Articles and per-source state in a PostgreSQL database."""

    dialect = "postgres"

    def __init__(self, url: str, check: bool = True, pool_size: int = 8):
        """Connect (one clear error when the server does not answer); create the schema in an
        empty database; with `check`, refuse a schema that is behind or ahead."""
        self.where = describe(url)
        self.location = url  # what open_store() takes, e.g. for worker processes
        try:
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.Error as e:
            raise StoreError(f"store {self.where}: cannot connect: {_first_line(e)}") from e
        # No check on every checkout (a round trip per call): a connection broken by a server
        # restart fails its first statement, and `_reconnecting` then checks the whole pool.
        self.pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=True,
                                   configure=pg_text.configure, name="feeds-store")
        if check:
            schema.check_version(self)

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[Any]]:
        with self.pool.connection() as conn, conn.transaction():
            yield conn

    # --- schema versions ----------------------------------------------------------------

    def schema_version(self) -> int:
        with self._tx() as conn:
            if _scalar(conn, "SELECT to_regclass('schema_version')") is None:
                return 0
            return int(_scalar(conn, "SELECT MAX(version) FROM schema_version") or 0)

    def apply_migrations(self, steps: list[schema.Migration]) -> list[schema.Migration]:
        """Apply the steps newer than the store in one transaction under an advisory lock, so
        concurrent starters apply each step once; DDL is transactional, so all or nothing."""
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s::int, 0)", (LOCK_MIGRATE,))
            conn.execute(schema.VERSION_TABLE)
            have = int(_scalar(conn, "SELECT MAX(version) FROM schema_version") or 0)
            pending = [step for step in steps if step.version > have]
            for step in pending:
                conn.execute(step.sql.encode("utf-8"))  # no parameters: may hold many statements
                conn.execute("INSERT INTO schema_version VALUES (%s, %s, now()::text)",
                             (step.version, step.name))
        return pending

    # --- articles -----------------------------------------------------------------------

    @_reconnecting
    def upsert(self, article: Article, now: datetime) -> tuple[str, Article]:
        """Insert or update by the merge rules; a removed article stays removed."""
        article = pg_text.nul_free(article)  # as it will be stored: hashes compare alike
        found = merge.keys(article)
        with self._tx() as conn:
            _lock_keys(conn, *found.all)
            hit = conn.execute(FIND, {"ident": found.ident, "legacy": found.legacy,
                                      "url": found.url}).fetchone()
            assert hit is not None  # the one-row VALUES always gives a row
            removed, article_id, ident, digest, first_seen, data, taken = hit
            if removed:
                return "removed", article
            if article_id is None:
                outcome = merge.first_sight(article)
                _insert(conn, found.ident, outcome, utc_text(now))
                return outcome.kind, outcome.article
            stored = from_row(data)
            outcome = merge.merge(stored, digest, parse_utc(first_seen), article, now,
                                  bool(taken))
            if outcome.changed:
                _update(conn, article_id, outcome)
            rekeyed = merge.key_for_row(ident, stored, article, found)
            if rekeyed != ident:  # no new stamp: nothing readers see has changed
                conn.execute("UPDATE articles SET ident = %s WHERE id = %s", (rekeyed, article_id))
            return outcome.kind, outcome.article

    @_reconnecting
    def remove(self, article_id: str) -> Article | None:
        """Take an article down for good (a tombstone keeps it from coming back); return it."""
        with self._tx() as conn:
            row = conn.execute("SELECT ident, url FROM articles WHERE id = %s",
                               (article_id,)).fetchone()
            if row is None:
                return None
            _lock_keys(conn, *row)
            row = conn.execute("SELECT ident, url, data FROM articles WHERE id = %s FOR UPDATE",
                               (article_id,)).fetchone()
            if row is None:
                return None
            conn.execute(f"WITH stamp AS ({STAMP}) INSERT INTO removed_articles "
                         "SELECT %s, %s, %s, last FROM stamp", (article_id, row[0], row[1]))
            conn.execute("DELETE FROM articles WHERE id = %s", (article_id,))
            return from_row(row[2])

    def find_id(self, id_or_url: str) -> str | None:
        row = self._one("SELECT id FROM articles WHERE id = %s OR url = %s LIMIT 1",
                        (id_or_url, id_or_url))
        return row[0] if row else None

    def recent(self, limit: int, channel: str | None = None) -> list[Article]:
        where, args = ("WHERE channel = %s", (channel,)) if channel else ("", ())
        return self._articles(f"SELECT data FROM articles {where} "
                              "ORDER BY published DESC, id DESC LIMIT %s", (*args, limit))

    def recent_tagged(self, limit: int, tag: str) -> list[Article]:
        return self._articles("SELECT data FROM articles WHERE data->'tags' ? %s "
                              "ORDER BY published DESC, id DESC LIMIT %s", (tag, limit))

    def recent_from(self, limit: int, source_id: str) -> list[Article]:
        return self._articles("SELECT data FROM articles WHERE source_id = %s "
                              "ORDER BY published DESC, id DESC LIMIT %s", (source_id, limit))

    def count(self, source_id: str | None = None) -> int:
        if source_id is None:
            return int(self._one("SELECT COUNT(*) FROM articles")[0])
        return int(self._one("SELECT COUNT(*) FROM articles WHERE source_id = %s", (source_id,))[0])

    # --- changes, in stamp order ----------------------------------------------------------

    def changed_after(self, after: tuple[str, str], limit: int
                      ) -> list[tuple[str, str, Article]]:
        rows = self._all("SELECT changed_at, id, data FROM articles WHERE (changed_at, id) > "
                         "(%s, %s) ORDER BY changed_at, id LIMIT %s", (*after, limit))
        return [(c, i, from_row(d)) for c, i, d in rows]

    def changed_keys(self, after: tuple[str, str], limit: int) -> list[tuple[str, str]]:
        return self._all("SELECT changed_at, id FROM articles WHERE (changed_at, id) > "
                         "(%s, %s) ORDER BY changed_at, id LIMIT %s", (*after, limit))

    def removed_after(self, after: tuple[str, str], limit: int) -> list[tuple[str, str]]:
        return self._all("SELECT removed_at, id FROM removed_articles WHERE (removed_at, id) > "
                         "(%s, %s) ORDER BY removed_at, id LIMIT %s", (*after, limit))

    def changed_since(self, since: str, seen: list[str] | None,
                      limit: int) -> list[tuple[str, str, str]]:
        where, args = _after_mark(since, seen)
        return self._all(f"SELECT id, url, changed_at FROM articles WHERE {where} "
                         "ORDER BY changed_at DESC LIMIT %s", (*args, limit))

    def changed_months(self, since: str, seen: list[str] | None) -> dict[str, int]:
        where, args = _after_mark(since, seen)
        return dict(self._all("SELECT substr(published, 1, 7), COUNT(*) FROM articles "
                              f"WHERE {where} GROUP BY 1", args))

    def changed_channels(self, since: str, seen: list[str] | None) -> dict[str, str]:
        where, args = _after_mark(since, seen)
        return dict(self._all(f"SELECT channel, MAX(updated) FROM articles WHERE {where} "
                              "GROUP BY channel", args))

    def ids_changed_at(self, moment: str, limit: int) -> list[str]:
        return [r[0] for r in self._all("SELECT id FROM articles WHERE changed_at = %s LIMIT %s",
                                        (moment, limit))]

    def last_change(self) -> str:
        return self._one("SELECT MAX(changed_at) FROM articles")[0] or ""

    # --- sitemaps -------------------------------------------------------------------------

    def sitemap_rows(self, since: str = "", until: str = "") -> Iterator[tuple[str, ...]]:
        """(url, published, updated, channel, image url) by published, then id; streamed
        through a server-side cursor, so a month of a million articles is never all in memory."""
        clauses = [c for c, v in (("published >= %s", since), ("published < %s", until)) if v]
        where = "WHERE " + " AND ".join(clauses) if clauses else ""
        return self._stream("SELECT url, published, updated, channel, image_url "
                            f"FROM sitemap_entries {where} ORDER BY published, id",
                            tuple(v for v in (since, until) if v))

    def topic_rows(self, body: bool, channels: tuple[str, ...] = (),
                   sources: tuple[str, ...] = ()) -> Iterator[tuple[Any, ...]]:
        """Topic matching's text, newest first, streamed (see SQLiteStore.topic_rows)."""
        clauses, args = [], []
        for column, values in (("channel", channels), ("source_id", sources)):
            if values:
                clauses.append(f"{column} = ANY(%s)")
                args.append(list(values))
        where = "WHERE " + " AND ".join(clauses) if clauses else ""
        body_sql = "data->>'content_html'" if body else "NULL"
        return self._stream("SELECT id, published, channel, source_id, data->>'title', "
                            f"data->>'summary', (data->'tags')::text, {body_sql} "
                            f"FROM articles {where} ORDER BY published DESC, id DESC", tuple(args))

    def by_ids(self, ids: list[str]) -> list[Article]:
        """The articles with these ids, in the order given (missing ids are left out)."""
        found = {i: from_row(d) for i, d in self._all(
            "SELECT id, data FROM articles WHERE id = ANY(%s)", (list(ids),))}
        return [found[i] for i in ids if i in found]

    def news_rows(self, since: str, limit: int, url_prefix: str) -> list[tuple[str, ...]]:
        return self._all("SELECT url, data->>'published', data->>'title' FROM articles "
                         "WHERE published >= %s AND starts_with(url, %s) "
                         "ORDER BY published DESC, id DESC LIMIT %s", (since, url_prefix, limit))

    def month_counts(self) -> dict[str, int]:
        return dict(self._all("SELECT substr(published, 1, 7), COUNT(*) FROM articles GROUP BY 1"))

    # --- key/JSON state -------------------------------------------------------------------

    def get_state(self, table: str, key: str) -> dict[str, Any]:
        row = self._one(f"SELECT data FROM {table} WHERE {_key(table)} = %s", (key,))
        return row[0] if row else {}

    @_reconnecting
    def put_state(self, table: str, key: str, data: dict[str, Any]) -> None:
        with self._tx() as conn:
            conn.execute(f"INSERT INTO {table} ({_key(table)}, data) VALUES (%s, %s) "
                         f"ON CONFLICT ({_key(table)}) DO UPDATE SET data = excluded.data",
                         (key, pg_text.jsonb(data)))

    def delete_state(self, table: str, key: str) -> bool:
        """Delete one row; True when it was there."""
        with self._tx() as conn:
            cur = conn.execute(f"DELETE FROM {table} WHERE {_key(table)} = %s", (key,))
            return cur.rowcount > 0

    def all_states(self, table: str) -> dict[str, dict[str, Any]]:
        return dict(self._all(f"SELECT {_key(table)}, data FROM {table}"))

    def close(self) -> None:
        self.pool.close()

    # --- plumbing -------------------------------------------------------------------------

    @_reconnecting
    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        with self._tx() as conn:
            return conn.execute(sql, args).fetchone()

    @_reconnecting
    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        with self._tx() as conn:
            return conn.execute(sql, args).fetchall()

    def _articles(self, sql: str, args: tuple[Any, ...]) -> list[Article]:
        return [from_row(r[0]) for r in self._all(sql, args)]

    def _stream(self, sql: str, args: tuple[Any, ...]) -> Iterator[tuple[str, ...]]:
        """Rows through a server-side cursor; a connection lost before the first row is
        replaced once (a half-read stream cannot be resumed: then the error rises)."""
        for attempt in (1, 2):
            started = False
            try:
                with self._tx() as conn, conn.cursor(name="feeds_stream") as cur:
                    cur.itersize = 2000
                    cur.execute(sql, args)
                    for row in cur:
                        started = True
                        yield row
                return
            except psycopg.OperationalError:
                if started or attempt == 2:
                    raise
                self.pool.check()


def _scalar(conn: psycopg.Connection[Any], sql: str) -> Any:
    row = conn.execute(sql).fetchone()
    return row[0] if row else None


def _lock_keys(conn: psycopg.Connection[Any], *keys: str) -> None:
    """Advisory locks, held to commit, on the article's keys (sorted: no deadlock between two
    writers locking two keys each; a hash collision only serialises two writers)."""
    hashes = sorted({zlib.crc32(k.encode("utf-8")) - 2**31 for k in keys})
    conn.execute("SELECT pg_advisory_xact_lock(%s::int, k) FROM unnest(%s::int[]) WITH ORDINALITY "
                 "AS t(k, n) ORDER BY n", (LOCK_ARTICLE, hashes))


def _insert(conn: psycopg.Connection[Any], ident: str, outcome: merge.Outcome,
            first_seen: str) -> None:
    a = outcome.article
    conn.execute(
        f"WITH stamp AS ({STAMP}) INSERT INTO articles (id, ident, url, source_id, channel, "
        "published, updated, first_seen, changed_at, content_hash, data) "
        "SELECT %s, %s, %s, %s, %s, %s, %s, %s, last, %s, %s FROM stamp",
        (a.id, ident, a.url, a.source_id, a.channel, utc_text(a.published), utc_text(a.updated),
         first_seen, outcome.digest, _json(a)))


def _update(conn: psycopg.Connection[Any], article_id: str, outcome: merge.Outcome) -> None:
    a = outcome.article
    conn.execute(
        f"WITH stamp AS ({STAMP}) UPDATE articles SET url = %s, channel = %s, published = %s, "
        "updated = %s, changed_at = stamp.last, content_hash = %s, data = %s "
        "FROM stamp WHERE id = %s",
        (a.url, a.channel, utc_text(a.published), utc_text(a.updated), outcome.digest,
         _json(a), article_id))


def _json(article: Article) -> Any:
    return pg_text.jsonb(to_row(article))


def _key(table: str) -> str:
    if table not in STATE_KEYS:
        raise ValueError(f"unknown state table {table!r}")
    return STATE_KEYS[table]


def _after_mark(since: str, seen: list[str] | None) -> tuple[str, tuple[Any, ...]]:
    """Rows changed after a publish mark: later than `since`, or at `since` but not among the
    `seen` ids (None: every row stamped `since` was already seen)."""
    if seen is None:
        return "changed_at > %s", (since,)
    return "changed_at >= %s AND (changed_at > %s OR NOT (id = ANY(%s)))", (since, since, seen)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
