"""One SIGHUP reload for daemon and worker (service/reload.py): a bad file or a moved store
keeps the old config, each problem one logged line, counted by outcome."""

from __future__ import annotations

import logging

import pytest

from feeds import config as config_mod
from feeds.service.metrics import Metrics
from feeds.service.reload import reload_config

SOURCE = """\
sources:
  - id: partner
    kind: feed
    url: http://partner.example.com/rss.xml
    channel: news
"""


def _count(metrics: Metrics, outcome: str) -> float:
    return metrics.reloads.labels(outcome)._value.get()


@pytest.mark.parametrize("process", ["daemon", "worker"])
def test_reload_keeps_the_old_config_on_any_problem(write_config, caplog, process) -> None:
    path = write_config(SOURCE)
    old, metrics = config_mod.load(path), Metrics()
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("schedule", "x").replace("kind: feed", "kind: nope"),
                    encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        assert reload_config(old, metrics, process) is None
    assert any("sources[0].kind" in r.getMessage() for r in caplog.records)
    path.write_text(good + "store: elsewhere.db\n", encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        assert reload_config(old, metrics, process) is None
    assert [r.getMessage() for r in caplog.records] == [
        f"reload: the store location changed; restart the {process} to move it "
        "(still running on the previous config)"]
    assert _count(metrics, "invalid") == 2 and _count(metrics, "ok") == 0
    path.write_text(good.replace("partner", "other"), encoding="utf-8")
    new = reload_config(old, metrics, process)
    assert new is not None and [s.id for s in new.sources] == ["other"]
    assert _count(metrics, "ok") == 1
