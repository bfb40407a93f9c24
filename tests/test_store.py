"""The store: ids fixed at first sight, first_seen kept, content hash decides 'updated'."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from feeds.model import RawArticle
from feeds.normalise import Context, normalise
from feeds.store import open_store

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def article(raw: RawArticle, now: datetime = T0, source: str = "s1"):
    return normalise(raw, Context(source, "news", TZ, now))


def test_upsert_new_unchanged_updated(tmp_path):
    store = open_store(str(tmp_path / "feeds.db"))
    raw = RawArticle(url="http://a.example/1", title="标题", content_html="<p>正文。</p>",
                     published="2026-10-31 10:00", guid="g1")
    assert store.upsert(article(raw), T0)[0] == "new"
    assert store.upsert(article(raw, T0 + timedelta(hours=1)), T0 + timedelta(hours=1))[0] == \
        "unchanged"
    edited = dataclasses.replace(raw, content_html="<p>新正文。</p>")
    outcome, stored = store.upsert(article(edited), T0 + timedelta(hours=2))
    assert outcome == "updated"
    assert stored.updated == (T0 + timedelta(hours=2)).astimezone(TZ)
    assert store.count() == 1


def test_id_is_fixed_at_first_sight_even_when_the_guid_appears_later(tmp_path):
    store = open_store(str(tmp_path / "feeds.db"))
    first = article(RawArticle(url="http://a.example/2", title="t", published="2026-10-30"))
    _, stored = store.upsert(first, T0)
    later = article(RawArticle(url="http://a.example/2", title="t2", published="2026-10-30",
                               guid="now-with-guid"))
    assert later.id != stored.id  # a fresh computation would differ ...
    _, again = store.upsert(later, T0 + timedelta(days=1))
    assert again.id == stored.id  # ... but the stored id wins
    assert store.count() == 1


def test_undated_article_keeps_its_first_seen_time(tmp_path):
    store = open_store(str(tmp_path / "feeds.db"))
    raw = RawArticle(url="http://a.example/3", title="无日期", content_html="<p>x</p>")
    _, first = store.upsert(article(raw, T0), T0)
    later = T0 + timedelta(hours=5)
    outcome, again = store.upsert(article(raw, later), later)
    assert outcome == "unchanged"
    assert again.published == first.published == T0.astimezone(TZ)


def test_recent_is_newest_first_and_per_channel(tmp_path):
    store = open_store(str(tmp_path / "feeds.db"))
    for day in (3, 1, 2):
        raw = RawArticle(url=f"http://a.example/d{day}", title=f"d{day}",
                         published=f"2026-10-0{day} 09:00")
        store.upsert(article(raw), T0)
    assert [a.title for a in store.recent(10)] == ["d3", "d2", "d1"]
    assert [a.title for a in store.recent(2, "news")] == ["d3", "d2"]
    assert store.recent(10, "other") == []


def test_removed_article_stays_removed_and_leaves_the_feeds(write_config, tmp_path):
    from feeds.cli import main

    export = tmp_path / "export.xml"
    export.write_bytes((Path(__file__).parent / "data/feeds/rss2.xml").read_bytes())
    cfg = write_config("""\
sources:
  - id: export
    kind: feed
    url: file:export.xml
    channel: news
""")
    assert main(["run", "-c", str(cfg)]) == 0
    feed = (tmp_path / "output/rss.xml").read_text("utf-8")
    assert "广州发布新一轮稳增长措施" in feed
    assert main(["remove", "-c", str(cfg), "http://partner.example.com/news/1001.html"]) == 0
    assert main(["run", "-c", str(cfg)]) == 0  # the source still offers it: it stays down
    feed = (tmp_path / "output/rss.xml").read_text("utf-8")
    assert "广州发布新一轮稳增长措施" not in feed and "没有日期的文章" in feed
    assert main(["remove", "-c", str(cfg), "no-such-id"]) == 1
