"""The store contract (every test runs on SQLite and on PostgreSQL): ids fixed at first sight,
first_seen kept, content hash decides 'updated', takedowns stay, queries agree."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from feeds.model import RawArticle
from feeds.normalise import Context, normalise

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def article(raw: RawArticle, now: datetime = T0, source: str = "s1"):
    return normalise(raw, Context(source, "news", TZ, now))


def test_upsert_new_unchanged_updated(store):
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


def test_id_is_fixed_at_first_sight_even_when_the_guid_appears_later(store):
    first = article(RawArticle(url="http://a.example/2", title="t", published="2026-10-30"))
    _, stored = store.upsert(first, T0)
    later = article(RawArticle(url="http://a.example/2", title="t2", published="2026-10-30",
                               guid="now-with-guid"))
    assert later.id != stored.id  # a fresh computation would differ ...
    _, again = store.upsert(later, T0 + timedelta(days=1))
    assert again.id == stored.id  # ... but the stored id wins
    assert store.count() == 1


def test_undated_article_keeps_its_first_seen_time(store):
    raw = RawArticle(url="http://a.example/3", title="无日期", content_html="<p>x</p>")
    _, first = store.upsert(article(raw, T0), T0)
    later = T0 + timedelta(hours=5)
    outcome, again = store.upsert(article(raw, later), later)
    assert outcome == "unchanged"
    assert again.published == first.published == T0.astimezone(TZ)


def test_recent_is_newest_first_and_per_channel(store):
    for day in (3, 1, 2):
        raw = RawArticle(url=f"http://a.example/d{day}", title=f"d{day}",
                         published=f"2026-10-0{day} 09:00")
        store.upsert(article(raw), T0)
    assert [a.title for a in store.recent(10)] == ["d3", "d2", "d1"]
    assert [a.title for a in store.recent(2, "news")] == ["d3", "d2"]
    assert store.recent(10, "other") == []


def test_removed_article_stays_removed_and_leaves_the_feeds(write_config, tmp_path, store_url):
    from feeds.cli import main

    export = tmp_path / "export.xml"
    export.write_bytes((Path(__file__).parent / "data/feeds/rss2.xml").read_bytes())
    cfg = write_config(f"""\
store: {store_url}
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


def test_queries_by_tag_source_id_and_url(store):
    a = store.upsert(article(RawArticle(url="http://a.example/t1", title="t1", tags=("科技",),
                                        published="2026-10-01 09:00")), T0)[1]
    store.upsert(article(RawArticle(url="http://a.example/t2", title="t2", tags=("财经",),
                                    published="2026-10-02 09:00"), source="s2"), T0)
    assert [x.title for x in store.recent_tagged(10, "科技")] == ["t1"]
    assert [x.title for x in store.recent_from(10, "s2")] == ["t2"]
    assert (store.count(), store.count("s1"), store.count("nobody")) == (2, 1, 0)
    assert store.find_id(a.id) == store.find_id("http://a.example/t1") == a.id
    assert store.find_id("http://a.example/none") is None


def test_changes_page_by_stamp_and_removals_are_listed(store):
    ids = [store.upsert(article(RawArticle(url=f"http://a.example/c{i}", title=f"c{i}",
                                           published=f"2026-10-0{i} 09:00")), T0)[1].id
           for i in range(1, 6)]
    first = store.changed_after(("", ""), 2)
    rest = store.changed_after(first[-1][:2], 10)
    assert [i for _, i, _ in first + rest] == ids  # in write order, none missed
    stamps = [c for c, _, _ in first + rest]
    assert stamps == sorted(set(stamps)) and store.last_change() == stamps[-1]
    assert store.ids_changed_at(stamps[2], 10) == [ids[2]]
    assert [i for i, _, _ in store.changed_since(stamps[2], None, 10)] == ids[:2:-1]
    assert {i for i, _, _ in store.changed_since(stamps[2], [ids[2]], 10)} == set(ids[3:])
    assert {i for i, _, _ in store.changed_since(stamps[2], [], 10)} == set(ids[2:])
    assert store.changed_months(stamps[2], None) == {"2026-10": 2}
    assert set(store.changed_channels("", None)) == {"news"}
    removed = store.remove(ids[0])
    assert removed is not None and removed.id == ids[0] and store.remove(ids[0]) is None
    [(removed_at, removed_id)] = store.removed_after(("", ""), 10)
    assert removed_id == ids[0] and removed_at > stamps[-1]
    assert store.removed_after((removed_at, removed_id), 10) == []


def test_sitemap_and_news_rows(store):
    image = "http://img.example/1.jpg"
    for day, url in ((3, "http://a.example/n3"), (1, "http://b.example/n1")):
        store.upsert(article(RawArticle(url=url, title=f"n{day}", image=image,
                                        published=f"2026-10-0{day} 09:00")), T0)
    store.upsert(article(RawArticle(url="http://a.example/old", title="old",
                                    published="2026-08-01 09:00")), T0)
    rows = list(store.sitemap_rows())
    assert [r[0] for r in rows] == ["http://a.example/old", "http://b.example/n1",
                                    "http://a.example/n3"]
    assert rows[1][1:] == ("2026-10-01T01:00:00Z", "2026-10-01T01:00:00Z", "news", image)
    assert [r[0] for r in store.sitemap_rows("2026-10", "2026-11")] == [r[0] for r in rows[1:]]
    assert store.month_counts() == {"2026-08": 1, "2026-10": 2}
    news = store.news_rows("2026-09-01T00:00:00Z", 10, "http://a.example/")
    assert news == [("http://a.example/n3", "2026-10-03T09:00:00+08:00", "n3")]


def test_sitemap_rows_follow_every_write_through_the_narrow_table(store):
    """sitemap_entries (migration 3) is kept by triggers: an edit that moves the publication
    date or changes the image moves the row; a takedown removes it."""
    first = article(RawArticle(url="http://a.example/m", title="m", guid="gm",
                               image="http://img.example/a.jpg", published="2026-10-05 09:00"))
    store.upsert(first, T0)
    other = article(RawArticle(url="http://a.example/o", title="o", published="2026-10-04 09:00"))
    store.upsert(other, T0)
    assert [(r[0], r[4]) for r in store.sitemap_rows()] == [
        ("http://a.example/o", None), ("http://a.example/m", "http://img.example/a.jpg")]
    moved = article(RawArticle(url="http://a.example/m", title="m", guid="gm",
                               image="http://img.example/b.jpg", published="2026-10-03 09:00"))
    assert store.upsert(moved, T0 + timedelta(hours=1))[0] == "updated"
    rows = list(store.sitemap_rows())
    assert [(r[0], r[1], r[4]) for r in rows] == [
        ("http://a.example/m", "2026-10-03T01:00:00Z", "http://img.example/b.jpg"),
        ("http://a.example/o", "2026-10-04T01:00:00Z", None)]
    store.remove(store.find_id("http://a.example/m"))
    assert [r[0] for r in store.sitemap_rows()] == ["http://a.example/o"]
    assert sum(store.month_counts().values()) == len(list(store.sitemap_rows()))


def test_state_tables_keep_json_per_key(store):
    for table in ("source_state", "http_cache", "publish_state"):
        assert store.get_state(table, "k") == {}
        store.put_state(table, "k", {"n": 1, "文": ["a", None]})
        store.put_state(table, "k", {"n": 2, "文": ["b"]})
        store.put_state(table, "k2", {})
        assert store.get_state(table, "k") == {"n": 2, "文": ["b"]}
        assert store.all_states(table) == {"k": {"n": 2, "文": ["b"]}, "k2": {}}
    try:
        store.get_state("articles", "k")
    except ValueError:
        pass
    else:
        raise AssertionError("only the three state tables are key/JSON tables")


def test_the_store_key_is_a_file_path_or_a_postgresql_url(write_config, capsys):
    from feeds.cli import main

    for value, message in (("mysql://u@h/db", "mysql:// is not a store"),
                           ("postgresql://u@h/db?bogus=1", "not a valid PostgreSQL URL"),
                           ('""', "must be an SQLite file path")):
        cfg = write_config(f"store: {value}\nsources: []\n")
        assert main(["check", "-c", str(cfg)]) == 2
        [line] = capsys.readouterr().err.strip().splitlines()
        assert line.startswith("sources.yaml:") and f": store: {message}" in line
    cfg = write_config("store: postgresql://u@127.0.0.1:1/db\nsources: []\n")
    assert main(["check", "-c", str(cfg)]) == 0
    assert main(["publish", "-c", str(cfg)]) == 1  # nothing answers there: one line, exit 1
    [line] = capsys.readouterr().err.strip().splitlines()[-1:]
    assert line.startswith("error: store postgresql://127.0.0.1/db: cannot connect:")


def test_a_nul_character_fails_no_write(store):
    """PostgreSQL text cannot hold U+0000 (SQLite can): it is stored as U+FFFD there."""
    from feeds.model import Article

    url = "http://a.example/nul\x00.html"
    odd = Article(id="nul-1", url=url, title="t\x00", summary="", content_html="<p>x</p>",
                  published=T0, updated=T0, guid="g\x00", source_id="s1", channel="news",
                  tags=("a\x00",))
    assert store.upsert(odd, T0)[0] == "new"
    assert store.upsert(odd, T0)[0] == "unchanged"
    other = dataclasses.replace(odd, source_id="s2", guid="")
    assert store.upsert(other, T0)[0] == "unchanged"
    [got] = store.recent(5)
    assert got.url in (url, url.replace("\x00", "\ufffd")) and store.find_id(got.url) == "nul-1"
    store.put_state("http_cache", url, {"etag": "\x00", "\x00": 1})
    assert store.get_state("http_cache", got.url) in (
        {"etag": "\x00", "\x00": 1}, {"etag": "\ufffd", "\ufffd": 1})
