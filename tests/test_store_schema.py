"""Schema versions on both stores: a fresh store is at the latest version, a store behind is
refused with one line saying what to run, `feeds migrate` brings it up, numbering is checked."""

from __future__ import annotations

import shutil
import sqlite3
import threading

import pytest

from feeds.cli import main
from feeds.store import migrate_store, open_store, schema

EXTRA = {"sqlite": "CREATE TABLE held_test (k TEXT PRIMARY KEY, data TEXT NOT NULL);\n",
         "postgres": "CREATE TABLE held_test (k TEXT PRIMARY KEY, data JSONB NOT NULL);\n"}


@pytest.fixture
def extra_migration(tmp_path, monkeypatch):
    """The real migrations plus one more (the next number), as a helper adding a table would."""
    folder = tmp_path / "migrations"
    shutil.copytree(schema.DIR, folder)
    nxt = schema.latest("sqlite") + 1
    for dialect, sql in EXTRA.items():
        (folder / f"{nxt:04d}_held_test.{dialect}.sql").write_text(sql, "utf-8")
    schema.migrations.cache_clear()
    monkeypatch.setattr(schema, "DIR", folder)
    yield nxt
    schema.migrations.cache_clear()


def test_every_migration_exists_for_both_dialects_numbered_without_gaps():
    steps = {d: [(m.version, m.name) for m in schema.migrations(d)] for d in schema.DIALECTS}
    assert steps["sqlite"] == steps["postgres"]
    assert [v for v, _ in steps["sqlite"]] == list(range(1, schema.latest("sqlite") + 1))


def test_a_fresh_store_is_created_at_the_latest_version(store):
    assert store.schema_version() == schema.latest(store.dialect)


def test_a_store_behind_is_refused_until_migrated(store_url, write_config, capsys,
                                                  extra_migration):
    cfg = write_config(f"store: {store_url}\nsources: []\n")
    old = extra_migration - 1
    open_store(store_url).close()  # fresh: created at the latest version, then one step undone
    _forget_last_migration(store_url)
    assert open_store(store_url, check=False).schema_version() == old
    for command in ("run", "publish", "status"):
        capsys.readouterr()
        assert main([command, "-c", str(cfg)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"store {_where(store_url)}: schema version {old}, this feeds needs "
                       f"{extra_migration}; run: feeds migrate -c {cfg}"]
    assert main(["migrate", "-c", str(cfg)]) == 0
    assert f"{old} -> {extra_migration}" in capsys.readouterr().out
    assert main(["publish", "-c", str(cfg)]) == 0
    assert main(["migrate", "-c", str(cfg)]) == 0
    assert f"already at version {extra_migration}" in capsys.readouterr().out
    reopened = open_store(store_url)
    reopened.close()


def _forget_last_migration(location: str) -> None:
    """Turn a latest-version store into one a version behind: drop the last step's table and
    its schema_version row."""
    if location.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute("DROP TABLE held_test")
            conn.execute("DELETE FROM schema_version WHERE version = "
                         "(SELECT MAX(version) FROM schema_version)")
        return
    with sqlite3.connect(location) as conn:
        conn.execute("DROP TABLE held_test")
        conn.execute("DELETE FROM schema_version WHERE version = "
                     "(SELECT MAX(version) FROM schema_version)")


def _where(location: str) -> str:
    if location.startswith("postgresql://"):
        from feeds.store.postgres import describe

        return describe(location)
    return location


def test_a_store_made_before_versions_counts_as_version_1(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(schema.migrations("sqlite")[0].sql)
    db = open_store(str(path), check=False)
    assert db.schema_version() == 1
    db.close()
    before, applied = migrate_store(str(path))
    assert before == 1 and len(applied) == schema.latest("sqlite") - 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT MIN(version) FROM schema_version").fetchone() == (1,)


def test_a_store_ahead_of_this_code_is_refused(store_url):
    db = open_store(store_url)
    db.close()
    _insert_version(store_url, 999)
    with pytest.raises(schema.SchemaAhead, match="999 is newer"):
        open_store(store_url)


def _insert_version(location: str, version: int) -> None:
    sql = f"INSERT INTO schema_version VALUES ({version}, 'later', 'x')"
    if location.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute(sql)
        return
    with sqlite3.connect(location) as conn:
        conn.execute(sql)


def test_processes_creating_one_store_at_once_apply_each_step_once(store_url):
    opened, errors = [], []

    def start() -> None:
        try:
            opened.append(open_store(store_url))
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(opened) == 4
    assert opened[0].schema_version() == schema.latest(opened[0].dialect)
    for db in opened:
        db.close()


def test_migration_3_fills_the_sitemap_table_from_existing_articles(tmp_path):
    """A store of version 1 holding articles gets them all in sitemap_entries when migrated."""
    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(schema.migrations("sqlite")[0].sql)
        conn.execute("INSERT INTO articles VALUES ('id1', 'url|http://a.example/1', "
                     "'http://a.example/1', 's', 'news', '2026-10-01T00:00:00Z', "
                     "'2026-10-02T00:00:00Z', 'x', 'x', 'h', ?)",
                     ('{"image": {"url": "http://img.example/1.jpg"}}',))
    migrate_store(str(path))
    db = open_store(str(path))
    try:
        assert list(db.sitemap_rows()) == [("http://a.example/1", "2026-10-01T00:00:00Z",
                                            "2026-10-02T00:00:00Z", "news",
                                            "http://img.example/1.jpg")]
    finally:
        db.close()


def test_long_running_commands_check_the_version_before_they_start(store_url, write_config):
    """The daemon and workers (in a process of their own, as ops start them) refuse a store
    they do not know the schema of, in one line, exit 2, instead of running against it."""
    import subprocess
    import sys
    from pathlib import Path

    cfg = write_config(f"store: {store_url}\nsources: []\n")
    open_store(store_url).close()
    _insert_version(store_url, 999)
    feeds = str(Path(sys.executable).parent / "feeds")
    commands = ["daemon", "status", "remove"] + (["worker"] if "://" in store_url else [])
    for command in commands:
        extra = ["no-such-id"] if command == "remove" else []
        done = subprocess.run([feeds, command, "-c", str(cfg), *extra], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 2, (command, done.stderr)
        [line] = done.stderr.strip().splitlines()
        assert line.endswith("schema version 999 is newer than this feeds knows "
                             f"({schema.latest('sqlite')}); run the newer feeds"), command
