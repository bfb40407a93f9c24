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
                finished = done.is_set()  # read once more after the writers are done
                for stamp, article_id, _ in db.changed_after(mark, 7):
                    seen.append((stamp, article_id))
                    mark = (stamp, article_id)
                if finished:
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
