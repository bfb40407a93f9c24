"""Change stamps under concurrent writers (one store object each, as on several machines):
unique, strictly increasing, and in commit order, so a publisher paging by stamp while others
write misses nothing. Also: two writers offering the same article make one row."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from feeds.model import Article
from feeds.store import open_store

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
WRITERS, EACH = 4, 40


def make(n: int, writer: int, source: str = "s1") -> Article:
    return Article(id=f"id-{writer}-{n}", url=f"http://a.example/{writer}/{n}", title=f"t{n}",
                   summary="", content_html=f"<p>{n}</p>", published=NOW, updated=NOW,
                   source_id=source, channel="news")


def test_a_reader_paging_by_stamp_during_concurrent_writes_misses_nothing(store_url):
    open_store(store_url).close()
    done = threading.Event()
    seen: list[tuple[str, str]] = []
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        db = open_store(store_url)
        try:
            for n in range(EACH):
                db.upsert(make(n, writer), NOW)
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)
        finally:
            db.close()

    def read() -> None:
        db = open_store(store_url)
        mark = ("", "")
        try:
            while True:
                finished = done.is_set()  # after the writers are done: read to the end
                page = db.changed_after(mark, 7)
                for stamp, article_id, _ in page:
                    seen.append((stamp, article_id))
                    mark = (stamp, article_id)
                if finished and not page:
                    return
        finally:
            db.close()

    reader = threading.Thread(target=read)
    writers = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    reader.start()
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    reader.join()
    assert errors == []
    stamps = [s for s, _ in seen]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert {i for _, i in seen} == {f"id-{w}-{n}" for w in range(WRITERS) for n in range(EACH)}


def test_writers_offering_the_same_article_at_once_store_it_once(store_url):
    open_store(store_url).close()
    outcomes: list[str] = []

    def write(writer: int) -> None:
        db = open_store(store_url)
        try:
            for n in range(10):
                outcomes.append(db.upsert(make(n, 0, source=f"s{writer}"), NOW)[0])
        finally:
            db.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db = open_store(store_url)
    try:
        assert db.count() == 10 and outcomes.count("new") == 10
        assert len({a.source_id for a in db.recent(20)}) >= 1
    finally:
        db.close()


def test_the_store_reconnects_after_its_connections_were_cut(pg_url):
    """What a PostgreSQL restart does to idle connections: the next call gets a new one."""
    from contextlib import ExitStack

    import psycopg

    db = open_store(pg_url)
    try:
        db.upsert(make(1, 0), NOW)
        with ExitStack() as held:  # four connections in the pool, all idle afterwards
            for _ in range(4):
                held.enter_context(db.pool.connection()).execute("SELECT 1")
        with psycopg.connect(pg_url, autocommit=True) as admin:
            cut = admin.execute("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                                ).fetchone()
        assert cut and cut[0] >= 4
        assert db.upsert(make(2, 0), NOW)[0] == "new"
        assert db.count() == 2 and list(db.sitemap_rows())
    finally:
        db.close()


def test_a_write_cut_off_mid_transaction_is_run_again_on_a_new_connection(pg_url):
    """An upsert waiting inside its transaction loses its connection (as in a server restart):
    it is retried on a fresh connection and stored once."""
    import zlib

    import psycopg

    from feeds.store.postgres import LOCK_ARTICLE

    db = open_store(pg_url)
    article = make(1, 0)
    key = zlib.crc32(article.url.encode("utf-8")) - 2**31
    result: list[str] = []
    try:
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_advisory_lock(%s::int, %s::int)", (LOCK_ARTICLE, key))
            writer = threading.Thread(target=lambda: result.append(db.upsert(article, NOW)[0]))
            writer.start()
            for _ in range(100):  # until the upsert waits on our lock, inside its transaction
                waiting = admin.execute("SELECT pid FROM pg_stat_activity WHERE "
                                        "wait_event_type = 'Lock' AND datname = "
                                        "current_database()").fetchall()
                if waiting:
                    break
                threading.Event().wait(0.05)
            assert waiting
            admin.execute("SELECT pg_terminate_backend(%s)", (waiting[0][0],))
            threading.Event().wait(0.3)
            admin.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", (LOCK_ARTICLE, key))
            writer.join(30)
        assert result == ["new"] and db.count() == 1
    finally:
        db.close()
