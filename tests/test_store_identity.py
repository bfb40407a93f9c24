"""Article identity through both stores' upsert: an id is fixed at first sight and never
recomputed. A guid is the feed's own text (not feedparser's form resolved against the feed's
URL); a row keyed by its URL takes the guid key when one arrives; one URL is one article; the
row a URL finds is the same in both stores."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from store_helpers import bulk_insert

from feeds.fetch import Fetched
from feeds.model import RawArticle
from feeds.normalise import Context, normalise
from feeds.sources.feed import parse

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def article(raw: RawArticle, now: datetime = T0, source: str = "s"):
    return normalise(raw, Context(source, "news", TZ, now))


def rss(link: str, guid: str = "12345", title: str = "标题") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>t</title><link>http://e.com/</link><description>d</description>
<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>
<description>正文。</description><pubDate>Sat, 31 Oct 2026 02:00:00 GMT</pubDate></item>
</channel></rss>""".encode()


def read_feed(store, feed_url: str, body: bytes, now: datetime = T0) -> list[tuple[str, object]]:
    """Parse `body` as fetched from `feed_url` and upsert every entry: [(outcome, article)]."""
    raws = parse(Fetched(feed_url, 200, body, {"content-type": "application/rss+xml"}), "", "s")
    return [store.upsert(article(raw, now), now) for raw in raws]


def test_a_relative_guid_is_kept_as_written_in_the_feed():
    [raw] = parse(Fetched("http://e.com/rss/f.xml", 200, rss("http://e.com/a/1.html")), "", "s")
    assert raw.guid == "12345"  # not http://e.com/rss/12345


def test_an_atom_id_and_a_json_feed_id_are_kept_as_written():
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>t</title><id>urn:x</id><updated>2026-10-31T02:00:00Z</updated>
<entry><title>a</title><id>entries/7</id><link href="http://e.com/a/7.html"/>
<updated>2026-10-31T02:00:00Z</updated></entry></feed>"""
    [raw] = parse(Fetched("http://e.com/atom/f.xml", 200, atom), "", "s")
    assert (raw.guid, raw.legacy_guid) == ("entries/7", "http://e.com/atom/entries/7")
    json_feed = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "t",
    "items": [{"id": "42", "url": "http://e.com/a/42.html", "title": "x"}]}"""
    [raw] = parse(Fetched("http://e.com/feed.json", 200, json_feed), "", "s")
    assert (raw.guid, raw.legacy_guid) == ("42", "")


def test_a_feed_read_under_a_new_base_url_keeps_every_id(store):
    """The site moves to https: the feed answers from a new URL and item links change."""
    [(outcome, first)] = read_feed(store, "http://e.com/rss/f.xml", rss("http://e.com/a/1.html"))
    assert outcome == "new"
    later = T0 + timedelta(hours=1)
    [(outcome, moved)] = read_feed(store, "https://e.com/feed/f.xml",
                                   rss("https://e.com/a/1.html"), later)
    assert outcome == "updated" and moved.id == first.id
    assert moved.url == "https://e.com/a/1.html"
    assert store.count() == 1


def test_a_store_holding_resolved_guids_finds_its_articles_after_the_upgrade(store):
    """Older feeds stored feedparser's resolved guid (http://e.com/rss/12345) in the key."""
    [raw] = parse(Fetched("http://e.com/rss/f.xml", 200, rss("http://e.com/a/1.html")), "", "s")
    legacy = article(dataclasses.replace(raw, guid="http://e.com/rss/12345"))
    _, stored = store.upsert(legacy, T0)
    gone = article(RawArticle(url="http://e.com/a/2.html", title="撤下", published="2026-10-31",
                              guid="http://e.com/rss/666"))
    store.upsert(gone, T0)
    store.remove(store.find_id("http://e.com/a/2.html"))
    later = T0 + timedelta(hours=1)
    [(outcome, again)] = read_feed(store, "http://e.com/rss/f.xml", rss("http://e.com/a/1.html"),
                                   later)
    assert outcome == "unchanged" and again.id == stored.id  # the upgrade re-identifies nothing
    assert store.changed_after(("", ""), 10)[0][1] == stored.id  # and rewrites nothing
    # a takedown recorded under the old key stays down
    [(outcome, _)] = read_feed(store, "http://e.com/rss/f.xml",
                               rss("http://e.com/a/2-moved.html", guid="666"), later)
    assert outcome == "removed"
    # after one read under the new code, the site may move
    [(outcome, moved)] = read_feed(store, "https://e.com/feed/f.xml",
                                   rss("https://e.com/a/1.html"), later + timedelta(hours=1))
    assert moved.id == stored.id and store.count() == 1


def test_a_row_found_by_url_takes_the_guid_key_so_a_later_move_finds_it(store):
    url = "http://e.com/a/1.html"
    raw = RawArticle(url=url, title="标题", content_html="<p>正文。</p>",
                     published="2026-10-31 10:00")
    _, first = store.upsert(article(raw), T0)  # the feed had no guid yet
    raw = RawArticle(**{**raw.__dict__, "guid": "g1"})
    assert store.upsert(article(raw), T0)[0] == "unchanged"  # same article, now with a guid
    moved = RawArticle(**{**raw.__dict__, "url": "https://e.com/a/1.html"})
    outcome, stored = store.upsert(article(moved), T0 + timedelta(hours=1))
    assert (outcome, stored.id, stored.url) == ("updated", first.id, "https://e.com/a/1.html")
    assert store.count() == 1


def test_another_sources_guid_never_rekeys_the_owners_row(store):
    url = "http://x.com/u.html"
    _, owned = store.upsert(article(RawArticle(url=url, title="甲", published="2026-10-31"),
                                    source="a"), T0)
    store.upsert(article(RawArticle(url=url, title="乙", published="2026-10-31", guid="g1"),
                         source="b"), T0)
    # b's g1 elsewhere is b's own article, not a's
    outcome, other = store.upsert(article(RawArticle(url="http://y.com/v.html", title="乙",
                                                     published="2026-10-31", guid="g1"),
                                          source="b"), T0)
    assert outcome == "new" and other.id != owned.id
    assert store.upsert(article(RawArticle(url=url, title="甲", published="2026-10-31"),
                                source="a"), T0)[0] == "unchanged"


def test_one_url_is_one_article_even_when_a_guid_moves_onto_it(store):
    """Source b's guid g1 moves onto a URL source a already published: b keeps its own URL."""
    taken = "http://x.com/u.html"
    _, owned = store.upsert(article(RawArticle(url=taken, title="甲的文章", published="2026-10-31"),
                                    source="a"), T0)
    _, mine = store.upsert(article(RawArticle(url="http://y.com/v.html", title="乙的文章",
                                              published="2026-10-31", guid="g1"), source="b"), T0)
    later = T0 + timedelta(hours=1)
    outcome, kept = store.upsert(article(RawArticle(url=taken, title="乙的文章",
                                                    published="2026-10-31", guid="g1"),
                                         later, source="b"), later)
    assert outcome == "unchanged" and kept.id == mine.id and kept.url == "http://y.com/v.html"
    urls = [a.url for a in store.recent(10)]
    assert sorted(urls) == ["http://x.com/u.html", "http://y.com/v.html"]
    assert store.find_id(taken) == owned.id


def test_the_row_a_url_finds_is_the_same_in_both_stores(store):
    """Two rows on one URL (a store copied from an older feeds may hold them): an article found
    by that URL is always merged into the one with the smallest id."""
    url, when = "http://e.com/dup.html", "2026-10-31T02:00:00Z"
    base = article(RawArticle(url=url, title="重复", content_html="<p>x</p>",
                              published="2026-10-31 10:00"))
    rows = []
    for ident, article_id in (("s|guid|zz", "ffff-zz"), ("s|guid|aa", "0000-aa")):
        data = {**json.loads(json.dumps(base.__dict__, default=str)), "id": article_id,
                "image": None, "published": base.published.isoformat(),
                "updated": base.updated.isoformat()}
        rows.append((article_id, ident, url, "s", "news", when, when, when,
                     f"2026-11-01T00:00:00.00000{len(rows)}Z", "hash", json.dumps(data)))
    bulk_insert(store, "articles", rows)  # the larger id first: insertion order is not the rule
    _, merged = store.upsert(base, T0)
    assert merged.id == "0000-aa"
