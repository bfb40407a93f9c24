"""One daemon per PostgreSQL store, whatever machine it runs on: the second daemon is refused
with one line naming the first (a file lock beside each config would let both run)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from service_helpers import Running, wait_for
from test_daemon import portal_config

from feeds.service.lock import AlreadyRunning, PgDaemonLock


@pytest.fixture
def daemons() -> Iterator[Callable[..., Running]]:
    started: list[Running] = []
    yield lambda config, name="daemon": started.append(Running(config, name)) or started[-1]
    for d in started:
        d.close()


def _on_store(folder: Path, store: str) -> Path:
    """The example portal's config in its own folder (as on its own host), on `store`."""
    path = portal_config(folder)
    text = path.read_text(encoding="utf-8")
    assert "\nstore: data/feeds.db\n" in text
    path.write_text(text.replace("\nstore: data/feeds.db\n", f"\nstore: '{store}'\n"),
                    encoding="utf-8")
    return path


def test_a_second_daemon_on_the_same_postgresql_store_is_refused(tmp_path: Path, pg_url: str,
                                                                 daemons) -> None:
    first = daemons(_on_store(tmp_path / "host-a", pg_url))
    wait_for(lambda: "daemon: started" in first.log, timeout=60, what="first daemon")
    second = daemons(_on_store(tmp_path / "host-b", pg_url), "second")
    assert second.proc.wait(30) == 1, second.log
    refused = [line for line in second.log.splitlines() if "another feeds daemon" in line]
    assert len(refused) == 1 and f"pid {first.proc.pid} on " in refused[0], second.log
    assert "daemon: started" not in second.log and "Traceback" not in second.log
    assert first.proc.poll() is None
    assert first.stop() == 0
    third = daemons(_on_store(tmp_path / "host-c", pg_url), "third")  # the lock went with it
    wait_for(lambda: "daemon: started" in third.log, timeout=60, what="a daemon after the first")
    assert third.stop() == 0


def test_the_lock_is_per_store_and_released_with_its_session(pg_url: str, pg_database: str
                                                             ) -> None:
    held = PgDaemonLock(pg_url)
    held.acquire()
    try:
        try:
            PgDaemonLock(pg_url).acquire()
            raise AssertionError("a second lock on one store was granted")
        except AlreadyRunning as e:
            assert "already running on this store" in str(e)
        other = PgDaemonLock(pg_database)  # the same database, another schema: another store
        other.acquire()
        other.release()
    finally:
        held.release()
    again = PgDaemonLock(pg_url)
    again.acquire()
    again.release()
