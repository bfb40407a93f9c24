"""`feeds store copy FROM TO` between SQLite and PostgreSQL, both ways and a round trip: no id,
change stamp, takedown or source state lost; new changes sort after the copied ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from feeds.cli import main
from feeds.errors import StoreError
from feeds.model import Article
from feeds.store import open_store
from feeds.store.copy import copy_store

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
STATES = {"source_state": {"s1": {"failures": 2, "gone": False, "文": "状态"}},
          "http_cache": {"http://a.example/feed": {"etag": "\"x\"", "last_modified": "y"}},
          "publish_state": {"changes": {"mark": ["2026", "id"], "ids": []}}}


def make(n: int) -> Article:
    published = NOW - timedelta(hours=n)
    return Article(id=f"id-{n:03d}", url=f"http://a.example/{n}", title=f"第{n}篇",
                   summary="摘要", content_html=f"<p>{n}</p>", published=published,
                   updated=published, source_id="s1", channel="news", tags=("科技",))


def fill(location: str) -> None:
    db = open_store(location)
    for n in range(12):
        db.upsert(make(n), NOW)
    db.remove("id-003")  # a takedown
    for table, rows in STATES.items():
        for key, data in rows.items():
            db.put_state(table, key, data)
    db.close()


def snapshot(location: str) -> dict:
    """Everything the copy must keep, read through the Store Protocol."""
    db = open_store(location)
    try:
        return {"changes": [(c, i, a) for c, i, a in db.changed_after(("", ""), 1000)],
                "removed": db.removed_after(("", ""), 1000),
                "states": {t: db.all_states(t) for t in STATES},
                "sitemap": [tuple(r) for r in db.sitemap_rows()],
                "months": db.month_counts(), "last": db.last_change()}
    finally:
        db.close()


def assert_same_site_and_takedown_holds(a: str, b: str) -> None:
    assert snapshot(a) == snapshot(b)
    db = open_store(b)
    try:
        assert db.upsert(make(3), NOW)[0] == "removed"  # the takedown survived the move
        last = db.last_change()
        assert db.upsert(make(99), NOW)[0] == "new"
        assert db.last_change() > last  # new changes sort after the copied ones
    finally:
        db.close()


@pytest.mark.parametrize("direction", ["sqlite-to-postgres", "postgres-to-sqlite"])
def test_copy_moves_every_id_stamp_takedown_and_state(direction, tmp_path, pg_url):
    sqlite_path = str(tmp_path / "feeds.db")
    src, dst = (sqlite_path, pg_url) if direction.startswith("sqlite") else (pg_url, sqlite_path)
    fill(src)
    counts = copy_store(src, dst)
    assert counts["articles"] == 11 and counts["removed_articles"] == 1
    assert counts["source_state"] == counts["http_cache"] == counts["publish_state"] == 1
    assert_same_site_and_takedown_holds(src, dst)


def test_round_trip_through_postgres_gives_back_the_same_site(tmp_path, pg_url, capsys):
    first, back = str(tmp_path / "first.db"), str(tmp_path / "back.db")
    fill(first)
    before = snapshot(first)
    assert main(["store", "copy", first, pg_url]) == 0
    assert "11 articles" in capsys.readouterr().out
    assert main(["store", "copy", pg_url, back]) == 0
    assert snapshot(back) == before
    import sqlite3

    with sqlite3.connect(first) as a, sqlite3.connect(back) as b:
        query = ("SELECT id, ident, url, source_id, channel, published, updated, first_seen, "
                 "changed_at, content_hash, data FROM articles ORDER BY id")
        rows_a, rows_b = a.execute(query).fetchall(), b.execute(query).fetchall()
        assert [r[:10] for r in rows_a] == [r[:10] for r in rows_b]
        assert [json.loads(r[10]) for r in rows_a] == [json.loads(r[10]) for r in rows_b]


def test_copy_refuses_a_store_that_already_holds_data(tmp_path, pg_url, capsys):
    src = str(tmp_path / "feeds.db")
    fill(src)
    fill(pg_url)
    with pytest.raises(StoreError, match="is not empty"):
        copy_store(src, pg_url)
    assert main(["store", "copy", src, pg_url]) == 1
    assert "is not empty (11 articles" in capsys.readouterr().err


def test_copy_from_nothing_is_refused_and_creates_nothing(tmp_path, pg_url, capsys):
    missing = tmp_path / "missing.db"
    assert main(["store", "copy", str(missing), pg_url]) == 1
    assert "no such file" in capsys.readouterr().err and not missing.exists()
    assert main(["store", "copy", pg_url, str(tmp_path / "x.db")]) == 1
    assert "holds no feeds store" in capsys.readouterr().err


def test_a_site_moved_to_postgres_publishes_the_same_bytes(write_config, tmp_path, pg_url):
    """Collect on SQLite, copy to PostgreSQL, publish from there into an empty folder: every
    file is byte-identical to what SQLite published."""
    from pathlib import Path

    data = Path(__file__).parent / "data/feeds"
    for name in ("rss2.xml", "atom.xml", "feed.json"):
        (tmp_path / name).write_bytes((data / name).read_bytes())
    sources = "".join(f"  - {{id: s{i}, kind: feed, url: 'file:{name}', channel: news}}\n"
                      for i, name in enumerate(("rss2.xml", "atom.xml", "feed.json")))
    cfg = write_config("sources:\n" + sources)
    assert main(["run", "-c", str(cfg)]) == 0
    assert main(["store", "copy", str(tmp_path / "data/feeds.db"), pg_url]) == 0
    moved = write_config(f"store: {pg_url}\noutput_dir: from-pg\nsources:\n" + sources)
    assert main(["publish", "-c", str(moved)]) == 0
    sqlite_out, pg_out = tmp_path / "output", tmp_path / "from-pg"
    files = sorted(p.relative_to(sqlite_out) for p in sqlite_out.rglob("*") if p.is_file())
    assert len(files) > 20
    assert files == sorted(p.relative_to(pg_out) for p in pg_out.rglob("*") if p.is_file())
    assert [f for f in files if (sqlite_out / f).read_bytes() != (pg_out / f).read_bytes()] == []


@pytest.mark.parametrize("direction", ["sqlite-to-postgres", "postgres-to-sqlite"])
def test_a_copy_that_fails_midway_leaves_the_target_empty_and_can_be_retried(
        direction, tmp_path, pg_url, monkeypatch):
    """One transaction for the whole load: a failure after some tables were loaded (here the
    source breaks while its source_state is read) leaves nothing behind, so a retry is taken."""
    from feeds.store import copy as copy_mod

    sqlite_path = str(tmp_path / "feeds.db")
    src, dst = (sqlite_path, pg_url) if direction.startswith("sqlite") else (pg_url, sqlite_path)
    fill(src)
    side = copy_mod._SQLite if direction.startswith("sqlite") else copy_mod._Postgres
    real_dump = side.dump

    def broken(self, table, columns):
        if table == "source_state":
            raise StoreError("store: read error in the middle of the copy")
        yield from real_dump(self, table, columns)

    monkeypatch.setattr(side, "dump", broken)
    with pytest.raises(StoreError, match="read error"):
        copy_store(src, dst)
    db = open_store(dst)
    try:
        assert db.count() == 0 and db.removed_after(("", ""), 10) == []
        assert all(db.all_states(t) == {} for t in STATES)
    finally:
        db.close()
    monkeypatch.setattr(side, "dump", real_dump)
    copy_store(src, dst)  # the retry is not refused
    assert_same_site_and_takedown_holds(src, dst)


def test_only_the_stores_own_tables_are_copied(pg_database):
    """PostgreSQL to PostgreSQL: the queue's and the host gates' tables (procrastinate_*,
    feeds_host_*) live beside the store but are no part of it."""
    import uuid

    import psycopg

    urls = []
    for _ in range(2):
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(pg_database, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
            conn.execute(f"CREATE TABLE {schema}.procrastinate_jobs (id int)")
            conn.execute(f"CREATE TABLE {schema}.feeds_host_slot (host text)")
        urls.append(f"{pg_database}?options=-csearch_path%3D{schema}")
    src, dst = urls
    fill(src)
    with psycopg.connect(src, autocommit=True) as conn:
        conn.execute("INSERT INTO procrastinate_jobs VALUES (1)")
        conn.execute("INSERT INTO feeds_host_slot VALUES ('a.example')")
    counts = copy_store(src, dst)
    assert not any(t.startswith(("procrastinate_", "feeds_host_")) for t in counts)
    with psycopg.connect(dst) as conn:
        assert conn.execute("SELECT COUNT(*) FROM procrastinate_jobs").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM feeds_host_slot").fetchone()[0] == 0
    assert_same_site_and_takedown_holds(src, dst)


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_every_table_a_migration_creates_is_copied(dialect, tmp_path, pg_url):
    """The allow-list is read from the migrations: every table of a fresh store except the
    version table and PostgreSQL's clock, so a table a new migration adds is copied too."""
    from feeds.store import copy as copy_mod
    from feeds.store.schema import own_tables

    db = open_store(str(tmp_path / "x.db") if dialect == "sqlite" else pg_url)
    try:
        present = set(copy_mod._side(db).tables())
    finally:
        db.close()
    assert set(own_tables(dialect)) == present - {"schema_version", "change_clock"}
