"""The SQLite store: one file, WAL mode, one writer at a time (BEGIN IMMEDIATE).

Identity: an article is found by its identity key, else by its URL; what an update may change is
decided by `merge` (shared with the PostgreSQL store). The schema comes from the numbered
migrations in `migrations/` (`schema.py`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..model import Article
from . import merge, schema
from .codec import from_row, parse_utc, to_row, utc_text

__all__ = ["SQLiteStore", "STAMP_FORMAT"]

STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: sorts as text, in SQLite and PostgreSQL


class SQLiteStore:
    """Articles and per-source state in one SQLite file (WAL mode, one writer)."""

    dialect = "sqlite"

    def __init__(self, path: str, check: bool = True):
        """Open (or create, at the latest schema version) the store at `path`; with `check`,
        refuse a store whose schema is behind or ahead (`schema.SchemaBehind`)."""
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = self.where = self.location = path
        self.lock = threading.RLock()
        try:
            self.db = sqlite3.connect(path, timeout=30, check_same_thread=False,
                                      isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            if check:
                schema.check_version(self)
        except sqlite3.Error as e:
            raise StoreError(f"store: cannot open {path}: {e}") from e

    # --- schema versions (schema.py runs them) --------------------------------------------

    def schema_version(self) -> int:
        """The newest applied migration; 1 for a store made before versions were recorded."""
        tables = {r[0] for r in self.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name IN ('schema_version', 'articles')")}
        if "schema_version" in tables:
            return int(self.db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
                       or 0)
        return 1 if "articles" in tables else 0

    def apply_migrations(self, steps: list[schema.Migration]) -> list[schema.Migration]:
        """Apply the steps newer than the store, all in one transaction with their
        schema_version rows (SQLite DDL is transactional): BEGIN IMMEDIATE makes a second
        migrating process wait, then skip, and no process ever sees a store half way up (one
        opening it then would take it for an old store and refuse it)."""
        applied = []
        with self.lock, self._transaction():
            have = self.schema_version()
            self.db.execute(schema.VERSION_TABLE)
            if have and not self.db.execute("SELECT 1 FROM schema_version").fetchone():
                self._record(1, "articles")  # made before versions were recorded
            for step in steps:
                if step.version <= have:
                    continue
                for statement in schema.statements(step.sql, sqlite3.complete_statement):
                    self.db.execute(statement)
                self._record(step.version, step.name)
                applied.append(step)
        return applied

    def _record(self, version: int, name: str) -> None:
        self.db.execute("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                        (version, name, utc_text(datetime.now(UTC))))

    # --- articles ------------------------------------------------------------------------

    def upsert(self, article: Article, now: datetime) -> tuple[str, Article]:
        """Insert or update; return ("new" | "updated" | "unchanged" | "removed", the article
        as stored). A removed article (`remove`) stays removed when its source offers it again."""
        found = merge.keys(article)
        with self.lock, self._transaction():
            if self._was_removed(found):
                return "removed", article
            row = self._find(found)
            if row is None:
                outcome = merge.first_sight(article)
                self._insert(found.ident, outcome.article, outcome.digest, now)
                return outcome.kind, outcome.article
            stored = from_row(json.loads(row["data"]))
            taken = row["url"] != article.url and self._url_held(article.url, row["id"])
            outcome = merge.merge(stored, row["content_hash"], parse_utc(row["first_seen"]),
                                  article, now, taken)
            ident = merge.key_for_row(row["ident"], stored, article, found)
            if outcome.changed:
                self._update(row["id"], outcome.article, outcome.digest)
            if ident != row["ident"]:  # no new stamp: nothing readers see has changed
                self.db.execute("UPDATE articles SET ident = ? WHERE id = ?", (ident, row["id"]))
            return outcome.kind, outcome.article

    def _find(self, found: merge.Keys) -> dict[str, Any] | None:
        """The stored row by identity key, else the old form of the key, else URL (ties: the
        smallest id): `merge.FIND_ORDER`, as in PostgreSQL."""
        cur = self.db.execute(
            "SELECT id, ident, url, content_hash, first_seen, data FROM articles "
            "WHERE ident IN (?, ?) OR url = ? " + merge.FIND_ORDER.format("?", "?") + " LIMIT 1",
            (found.ident, found.legacy, found.url, found.ident, found.legacy))
        return _as_dict(cur, cur.fetchone())

    def _url_held(self, url: str, other_than: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE url = ? AND id != ? LIMIT 1",
                               (url, other_than)).fetchone() is not None

    def _was_removed(self, found: merge.Keys) -> bool:
        return self.db.execute(
            "SELECT 1 FROM removed_articles WHERE ident IN (?, ?) OR url = ? LIMIT 1",
            (found.ident, found.legacy, found.url)).fetchone() is not None

    def remove(self, article_id: str) -> Article | None:
        """Take an article down for good (a tombstone keeps it from coming back); return it."""
        with self.lock, self._transaction():
            row = self.db.execute("SELECT ident, url, data FROM articles WHERE id = ?",
                                  (article_id,)).fetchone()
            if row is None:
                return None
            self.db.execute("INSERT INTO removed_articles (id, ident, url, removed_at) "
                            "VALUES (?, ?, ?, ?)", (article_id, row[0], row[1], self._stamp("removed_articles", "removed_at")))
            self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            return from_row(json.loads(row[2]))

    def find_id(self, id_or_url: str) -> str | None:
        """The id of the article with this id or URL."""
        row = self.db.execute("SELECT id FROM articles WHERE id = ? OR url = ? LIMIT 1",
                              (id_or_url, id_or_url)).fetchone()
        return row[0] if row else None

    def changed_after(self, after: tuple[str, str], limit: int
                      ) -> list[tuple[str, str, Article]]:
        """(changed_at, id, article) of the next `limit` changes after the (changed_at, id) key,
        oldest first: keyset pagination over the changed_at index."""
        cur = self.db.execute(
            "SELECT changed_at, id, data FROM articles WHERE (changed_at, id) > (?, ?) "
            "ORDER BY changed_at, id LIMIT ?", (*after, limit))
        return [(c, i, from_row(json.loads(d))) for c, i, d in cur.fetchall()]

    def changed_keys(self, after: tuple[str, str], limit: int) -> list[tuple[str, str]]:
        """(changed_at, id) of the next `limit` changes after the key, without the articles
        (the changed_at index alone): where batches start, for parallel renderers."""
        return self.db.execute(
            "SELECT changed_at, id FROM articles WHERE (changed_at, id) > (?, ?) "
            "ORDER BY changed_at, id LIMIT ?", (*after, limit)).fetchall()

    def removed_after(self, after: tuple[str, str], limit: int) -> list[tuple[str, str]]:
        """(removed_at, id) of the next `limit` removals after the (removed_at, id) key."""
        return self.db.execute(
            "SELECT removed_at, id FROM removed_articles WHERE (removed_at, id) > (?, ?) "
            "ORDER BY removed_at, id LIMIT ?", (*after, limit)).fetchall()

    def _stamp(self, table: str = "articles", column: str = "changed_at") -> str:
        """A change stamp: the wall-clock time of the write (not the caller's `now`: a collection
        that began before a publish must not stamp its changes behind that publish's mark), in
        microseconds, and strictly after every earlier stamp (writes are serialised by
        BEGIN IMMEDIATE), so publishers can page through changes by stamp and miss none."""
        stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
        last = self.db.execute(f"SELECT MAX({column}) FROM {table}").fetchone()[0] or ""
        if stamp <= last:
            after = datetime.strptime(last, STAMP_FORMAT).replace(tzinfo=UTC)
            stamp = (after + timedelta(microseconds=1)).strftime(STAMP_FORMAT)
        return stamp

    def _insert(self, ident: str, article: Article, digest: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO articles (id, ident, url, source_id, channel, published, updated, "
            "first_seen, changed_at, content_hash, data) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (article.id, ident, article.url, article.source_id, article.channel,
             utc_text(article.published), utc_text(article.updated), utc_text(now), self._stamp(),
             digest, json.dumps(to_row(article), ensure_ascii=False)),
        )

    def _update(self, article_id: str, article: Article, digest: str) -> None:
        self.db.execute(
            "UPDATE articles SET url = ?, channel = ?, published = ?, updated = ?, changed_at = ?, "
            "content_hash = ?, data = ? WHERE id = ?",
            (article.url, article.channel, utc_text(article.published), utc_text(article.updated),
             self._stamp(), digest, json.dumps(to_row(article), ensure_ascii=False), article_id),
        )

    def recent(self, limit: int, channel: str | None = None) -> list[Article]:
        """The newest `limit` articles by published date (ties broken by id for stability)."""
        where, args = ("WHERE channel = ?", (channel,)) if channel else ("", ())
        cur = self.db.execute(
            f"SELECT data FROM articles {where} ORDER BY published DESC, id DESC LIMIT ?",
            (*args, limit),
        )
        return [from_row(json.loads(r[0])) for r in cur.fetchall()]

    def count(self, source_id: str | None = None) -> int:
        if source_id is None:
            return int(self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
        return int(self.db.execute("SELECT COUNT(*) FROM articles WHERE source_id = ?",
                                   (source_id,)).fetchone()[0])

    # --- publishing queries (sitemaps stream; feeds per tag/source; changes since) ----------

    def sitemap_rows(self, since: str = "", until: str = "") -> Iterator[tuple[str, ...]]:
        """(url, published, updated, channel, image url) ordered by published, then id; streamed.

        `since`/`until` bound the UTC `published` text (e.g. '2023-07' .. '2023-08') so one
        month is read through the published index without touching the others.
        """
        where, args = _published_range(since, until)
        return iter(self.db.execute(  # the narrow table (migration 3), in its key order
            "SELECT url, published, updated, channel, image_url "
            f"FROM sitemap_entries {where} ORDER BY published, id", args))

    def news_rows(self, since: str, limit: int, url_prefix: str) -> list[tuple[str, ...]]:
        """(url, published as stored, title) of the newest articles published since `since`."""
        return self.db.execute(
            "SELECT url, json_extract(data, '$.published'), json_extract(data, '$.title') "
            "FROM articles WHERE published >= ? AND substr(url, 1, ?) = ? "
            "ORDER BY published DESC, id DESC LIMIT ?",
            (since, len(url_prefix), url_prefix, limit)).fetchall()

    def month_counts(self) -> dict[str, int]:
        """Articles per UTC month of publication ('YYYY-MM' -> count)."""
        cur = self.db.execute("SELECT substr(published, 1, 7), COUNT(*) FROM articles GROUP BY 1")
        return dict(cur.fetchall())

    def changed_since(self, since: str, seen: list[str] | None,
                      limit: int) -> list[tuple[str, str, str]]:
        """(id, url, changed_at) of at most `limit` articles changed after the mark (`since`,
        `seen`), newest change first; uses the changed_at index."""
        where, args = _after_mark(since, seen)
        return self.db.execute(f"SELECT id, url, changed_at FROM articles WHERE {where} "
                               "ORDER BY changed_at DESC LIMIT ?", (*args, limit)).fetchall()

    def changed_months(self, since: str, seen: list[str] | None) -> dict[str, int]:
        """UTC months of publication of the articles changed after the mark -> how many."""
        where, args = _after_mark(since, seen)
        cur = self.db.execute("SELECT substr(published, 1, 7), COUNT(*) FROM articles "
                              f"WHERE {where} GROUP BY 1", args)
        return dict(cur.fetchall())

    def changed_channels(self, since: str, seen: list[str] | None) -> dict[str, str]:
        """channel -> newest `updated` among its articles changed after the mark."""
        where, args = _after_mark(since, seen)
        # `channel || ''`: grouping by an expression keeps the planner on the changed_at
        # range instead of walking the whole channel index (3 s at 1M rows)
        cur = self.db.execute("SELECT channel || '' AS ch, MAX(updated) FROM articles "
                              f"WHERE {where} GROUP BY ch", args)
        return dict(cur.fetchall())

    def ids_changed_at(self, moment: str, limit: int) -> list[str]:
        """Ids of the articles whose changed_at is exactly `moment` (at most `limit`)."""
        cur = self.db.execute("SELECT id FROM articles WHERE changed_at = ? LIMIT ?",
                              (moment, limit))
        return [r[0] for r in cur.fetchall()]

    def last_change(self) -> str:
        """The newest changed_at (UTC text), '' for an empty store."""
        return self.db.execute("SELECT MAX(changed_at) FROM articles").fetchone()[0] or ""

    def recent_tagged(self, limit: int, tag: str) -> list[Article]:
        """The newest `limit` articles carrying `tag` (walks the published index newest first)."""
        cur = self.db.execute(
            "SELECT data FROM articles WHERE EXISTS (SELECT 1 FROM json_each(data, '$.tags') "
            "WHERE value = ?) ORDER BY published DESC, id DESC LIMIT ?", (tag, limit))
        return [from_row(json.loads(r[0])) for r in cur.fetchall()]

    def recent_from(self, limit: int, source_id: str) -> list[Article]:
        """The newest `limit` articles of one source."""
        cur = self.db.execute(
            "SELECT data FROM articles WHERE source_id = ? ORDER BY published DESC, id DESC LIMIT ?",
            (source_id, limit))
        return [from_row(json.loads(r[0])) for r in cur.fetchall()]

    def topic_rows(self, body: bool, channels: tuple[str, ...] = (),
                   sources: tuple[str, ...] = ()) -> Iterator[tuple[Any, ...]]:
        """(id, published, channel, source_id, title, summary, tags as JSON text, content_html
        or None) newest first (published, then id), streamed; only the given channels and
        sources when any are given (topic matching reads only the text it looks in)."""
        where: list[str] = []
        args: list[str] = []
        for column, values in (("channel", channels), ("source_id", sources)):
            if values:
                where.append(f"{column} IN ({','.join('?' * len(values))})")
                args.extend(values)
        body_sql = "json_extract(data, '$.content_html')" if body else "NULL"
        return iter(self.db.execute(
            "SELECT id, published, channel, source_id, json_extract(data, '$.title'), "
            f"json_extract(data, '$.summary'), json_extract(data, '$.tags'), {body_sql} "
            f"FROM articles {'WHERE ' + ' AND '.join(where) if where else ''} "
            "ORDER BY published DESC, id DESC", args))

    def by_ids(self, ids: list[str]) -> list[Article]:
        """The articles with these ids, in the order given (missing ids are left out)."""
        found: dict[str, Article] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            cur = self.db.execute(f"SELECT id, data FROM articles WHERE id IN "
                                  f"({','.join('?' * len(chunk))})", chunk)
            found.update((i, from_row(json.loads(d))) for i, d in cur.fetchall())
        return [found[i] for i in ids if i in found]

    # --- key/value state (per source, per URL) --------------------------------------------

    def get_state(self, table: str, key: str) -> dict[str, Any]:
        with self.lock:  # sources are collected in parallel threads sharing this connection
            row = self.db.execute(f"SELECT data FROM {_table(table)} WHERE {_key(table)} = ?",
                                  (key,)).fetchone()
        return json.loads(row[0]) if row else {}

    def put_state(self, table: str, key: str, data: dict[str, Any]) -> None:
        with self.lock:
            self.db.execute(
                f"INSERT INTO {_table(table)} ({_key(table)}, data) VALUES (?, ?) "
                f"ON CONFLICT ({_key(table)}) DO UPDATE SET data = excluded.data",
                (key, json.dumps(data, ensure_ascii=False, sort_keys=True)),
            )

    def delete_state(self, table: str, key: str) -> bool:
        """Delete one row; True when it was there."""
        with self.lock:
            cur = self.db.execute(f"DELETE FROM {_table(table)} WHERE {_key(table)} = ?", (key,))
        return cur.rowcount > 0

    def all_states(self, table: str) -> dict[str, dict[str, Any]]:
        with self.lock:
            cur = self.db.execute(f"SELECT {_key(table)}, data FROM {_table(table)}")
            rows = cur.fetchall()
        return {k: json.loads(v) for k, v in rows}

    # --- plumbing -------------------------------------------------------------------------

    def _transaction(self) -> _Tx:
        return _Tx(self.db)

    def close(self) -> None:
        self.db.close()


_TABLES = {"source_state": "source_id", "http_cache": "url", "publish_state": "name",
           "source_health": "source_id", "held_items": "source_id", "health_outbox": "key"}


def _table(name: str) -> str:
    if name not in _TABLES:
        raise ValueError(f"unknown state table {name!r}")
    return name


def _key(name: str) -> str:
    return _TABLES[name]


class _Tx:
    """BEGIN IMMEDIATE ... COMMIT/ROLLBACK: one writer at a time, never half an upsert."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _as_dict(cur: sqlite3.Cursor, row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {d[0]: v for d, v in zip(cur.description, row)}


def _after_mark(since: str, seen: list[str] | None) -> tuple[str, tuple[str, ...]]:
    """Rows changed after a publish mark: later than `since`, or at `since` but not among the
    `seen` ids (None: every row stamped `since` was already seen)."""
    if seen is None:
        return "changed_at > ?", (since,)
    return ("changed_at >= ? AND (changed_at > ? OR id NOT IN (SELECT value FROM json_each(?)))",
            (since, since, json.dumps(seen)))  # the leading range keeps the index usable


def _published_range(since: str, until: str) -> tuple[str, tuple[str, ...]]:
    clauses, args = [], []
    if since:
        clauses.append("published >= ?")
        args.append(since)
    if until:
        clauses.append("published < ?")
        args.append(until)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(args)
