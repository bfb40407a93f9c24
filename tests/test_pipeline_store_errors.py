"""A store that fails on one item skips that item; a store that fails a whole source fails that
source (class `store`, traceback logged); either way the other sources and the publish run."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA
from helpers import NOW, parse_feed

from feeds import config as config_mod
from feeds.pipeline import run_once
from feeds.runtime import Runtime
from feeds.state import load_state

BAD_ITEM = "http://partner.example.com/news/1002.html"


class FailingStore:
    """The real store, but `upsert` raises a driver error for one URL and for one source."""

    def __init__(self, store: Any, bad_url: str = "", bad_source: str = ""):
        self.store, self.bad_url, self.bad_source = store, bad_url, bad_source

    def upsert(self, article: Any, now: Any) -> Any:
        if article.url == self.bad_url or article.source_id == self.bad_source:
            raise sqlite3.OperationalError("disk I/O error")
        return self.store.upsert(article, now)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.fixture
def two_sources(http_server, write_config) -> Path:
    for name in ("rss2.xml", "atom.xml"):
        http_server.add(f"/{name}", (DATA / "feeds" / name).read_bytes(), "application/xml")
    return write_config("sources:\n" + "".join(
        f"  - id: {sid}\n    kind: feed\n    url: {http_server.url(f'/{sid}.xml')}\n"
        "    channel: news\n    allow_private: true\n" for sid in ("rss2", "atom")))


def test_a_store_error_skips_one_item_and_fails_one_source_but_the_run_publishes(
        two_sources: Path, caplog: pytest.LogCaptureFixture) -> None:
    cfg = config_mod.load(two_sources)
    with Runtime.open(cfg) as rt, caplog.at_level(logging.INFO, "feeds.pipeline"):
        store = FailingStore(rt.store, bad_url=BAD_ITEM, bad_source="atom")
        result = run_once(cfg, store, rt.fetcher, NOW)  # type: ignore[arg-type]
        rss2, atom = result.collected
        assert rss2.ok and rss2.skipped == 1 and rss2.new >= 1
        assert [w for w in caplog.messages if w.startswith("rss2: skipped item")] == [
            f"rss2: skipped item {BAD_ITEM}: disk I/O error"]
        assert not atom.ok and atom.error.kind == "store" and atom.new == 0
        broke = [r for r in caplog.records if "the store failed while collecting" in r.message]
        assert len(broke) == 1 and broke[0].exc_info and "atom" in broke[0].message
        assert load_state(rt.store, "atom").last_error["kind"] == "store"
        assert load_state(rt.store, "rss2").failures == 0
    assert result.published is not None
    links = {e.link for e in parse_feed(two_sources.parent / "output" / "rss.xml").entries}
    assert links and BAD_ITEM not in links
    # the skipped item is not lost: the next run (store healthy) fetches whole and stores it
    with Runtime.open(cfg) as rt:
        again = run_once(cfg, rt.store, rt.fetcher, NOW)
        assert again.collected[0].new == 1 and not again.collected[0].not_modified
        assert rt.store.find_id(BAD_ITEM) is not None


def test_a_store_that_fails_every_source_still_publishes(two_sources: Path) -> None:
    cfg = config_mod.load(two_sources)
    with Runtime.open(cfg) as rt:
        store = FailingStore(rt.store, bad_source="*")
        store.upsert = _always_fails  # type: ignore[method-assign]
        result = run_once(cfg, store, rt.fetcher, NOW)  # type: ignore[arg-type]
    assert [r.error.kind for r in result.collected if r.error] == ["store", "store"]
    assert result.published is not None


def _always_fails(article: Any, now: Any) -> Any:
    raise sqlite3.DatabaseError("database disk image is malformed")
