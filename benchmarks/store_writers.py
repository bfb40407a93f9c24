"""Store write throughput: 1, 2 and 4 writer processes upserting distinct articles at once,
on PostgreSQL (127.0.0.1:5432, a throwaway database) and on SQLite; then a re-run of the same
articles (all "unchanged"). Prints upserts/s per case and checks the change stamps are unique.

    .venv/bin/python benchmarks/store_writers.py [ARTICLES_PER_WRITER]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from multiprocessing import Barrier, Process, Queue
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feeds.model import Article  # noqa: E402 (after the sys.path line)
from feeds.store import open_store  # noqa: E402

ADMIN = os.environ.get("FEEDS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def article(writer: int, n: int) -> Article:
    return Article(id=f"{writer}-{n}", url=f"http://a.example/{writer}/{n}.html",
                   title=f"第{n}篇", summary="摘要" * 20, content_html="<p>" + "正文" * 200 + "</p>",
                   published=NOW, updated=NOW, source_id=f"s{writer}", channel="news",
                   tags=("科技",))


def write(location: str, writer: int, count: int, expect: str, ready: Barrier,
          failures: Queue) -> None:
    """Open the store, wait for every writer to be ready, then upsert `count` articles."""
    store = open_store(location)
    try:
        ready.wait()
        wrong = [o for n in range(count) if (o := store.upsert(article(writer, n), NOW)[0])
                 != expect]
        failures.put(len(wrong))
    finally:
        store.close()


def run(location: str, writers: int, count: int) -> None:
    open_store(location).close()
    for label in ("new", "unchanged"):
        ready, failures = Barrier(writers + 1), Queue()
        procs = [Process(target=write, args=(location, w, count, label, ready, failures))
                 for w in range(writers)]
        for p in procs:
            p.start()
        ready.wait()  # every writer has its store open: time only the upserts
        start = time.perf_counter()
        for p in procs:
            p.join()
        took = time.perf_counter() - start
        assert sum(failures.get() for _ in procs) == 0, f"not all {label}"
        print(f"  {writers} writer(s), {label:9}: {writers * count / took:7.0f} upserts/s "
              f"({writers * count} in {took:.2f} s)")
    store = open_store(location)
    stamps = [c for c, _, _ in store.changed_after(("", ""), 10**9)]
    store.close()
    assert len(stamps) == len(set(stamps)) == writers * count, "stamps not unique"


def postgres_case(writers: int, count: int) -> None:
    import psycopg

    name = f"feeds_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        run(ADMIN.rsplit("/", 1)[0] + f"/{name}", writers, count)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}, "
          f"{os.cpu_count()} cores; {count} articles per writer")
    for writers in (1, 2, 4):
        print("PostgreSQL")
        postgres_case(writers, count)
        with tempfile.TemporaryDirectory() as tmp:
            print("SQLite")
            run(str(Path(tmp) / "feeds.db"), writers, count)


if __name__ == "__main__":
    main()
