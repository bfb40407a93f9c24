"""A worker's SIGHUP reload reaches its fetcher: new fetch settings and User-Agent apply to the
next jobs, while a running job finishes on the old fetcher (closed once no job runs)."""

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
