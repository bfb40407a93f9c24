"""A worker between jobs: a SIGHUP reload reaches its fetcher (new fetch settings and User-Agent
for the next jobs; a running job finishes on the old one, closed once no job runs), and after a
lost queue connection the running jobs are drained (bounded) before a new queue worker starts."""

from __future__ import annotations

from feeds import config as config_mod
from feeds.service.metrics import Metrics
from feeds.service.units import Units

SOURCE = """\
sources:
  - id: partner
    kind: feed
    url: http://partner.example.com/rss.xml
    channel: news
"""


def test_reload_rebuilds_the_fetcher_between_jobs(write_config) -> None:
    path = write_config(SOURCE)
    units = Units(config_mod.load(path), Metrics(), concurrency=2)
    try:
        old = units.runtime.fetcher
        unchanged = config_mod.load(path)
        units.config = unchanged  # same fetch settings: the fetcher is kept
        assert units.runtime.fetcher is old
        path.write_text(path.read_text(encoding="utf-8").replace(
            "site:\n", "site:\n  contact_url: https://ops.example.cn/contact\n", 1)
            + "fetch:\n  per_host: 3\n", encoding="utf-8")
        with units._counted():  # a job is running on the old fetcher
            units.config = config_mod.load(path)
            new = units.runtime.fetcher
            assert new is not old and units.retired == [old]
        assert units.retired == []  # closed once the job ended
        assert "https://ops.example.cn/contact" in new.session.headers["User-Agent"]
        assert new.settings.per_host == 3 and old.settings.per_host != 3
    finally:
        units.close()


def test_a_lost_queue_worker_drains_its_jobs_before_a_new_one_starts() -> None:
    import asyncio
    import threading
    import time

    from feeds.service.worker import drain

    running = [1]

    async def scenario() -> tuple[int, float, int, float]:
        stopping = asyncio.Event()
        threading.Timer(0.5, running.__setitem__, (0, 0)).start()  # the job thread ends
        started = time.monotonic()
        drained = await drain(lambda: running[0], 5.0, stopping)
        waited = time.monotonic() - started
        running[0] = 2  # jobs that never end: the wait is bounded
        started = time.monotonic()
        stuck = await drain(lambda: running[0], 0.6, stopping)
        return drained, waited, stuck, time.monotonic() - started

    drained, waited, stuck, bounded = asyncio.run(scenario())
    assert drained == 0 and 0.4 < waited < 3.0
    assert stuck == 2 and 0.5 < bounded < 3.0
