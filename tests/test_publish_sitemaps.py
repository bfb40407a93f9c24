"""Sitemaps: every file validates against shared/specs, same-host rule, news window, 120,000
articles split into shards by count, size split, incremental publish touches only what changed."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

from publish_helpers import NOW, TZ, article, assert_valid_sitemap, fill
from store_helpers import bulk_insert

from feeds.publish import publish
from feeds.publish.sitemap import Cut, Tally, article_shards, url_entry, urlset_head
from feeds.publish.sitemap_files import news_language


def all_sitemaps(out):
    return [out / "sitemap.xml", *sorted((out / "sitemaps").glob("*.xml"))]


def test_every_sitemap_validates(make_config, store, schemas):
    config = make_config("sitemaps:\n  gzip: true\n")
    recent = NOW.astimezone(TZ) - timedelta(hours=3)
    fill(store, [article(n) for n in range(1, 8)] + [
        article(20, published=recent, title="新闻 <快讯> & 'x'"),
        article(21, url="https://partner.example.com/p/1.html", published=recent),
        article(22, url="http://www.example.cn/a?x=1&y=<2>", published=datetime(
            2025, 12, 31, 20, 0, tzinfo=TZ).replace(hour=12))])
    publish(config, store, NOW, send=False)
    out = config.output_path
    for path in all_sitemaps(out):
        assert_valid_sitemap(path, schemas)
        assert gzip.decompress((out / f"{path.relative_to(out)}.gz").read_bytes()) == \
            path.read_bytes() or path.name == "sitemap.xml"
    text = "".join(p.read_text() for p in all_sitemaps(out))
    assert "partner.example.com" not in text  # the same-host rule
    assert "http://www.example.cn/a?x=1&amp;y=&lt;2&gt;" in text
    assert "<image:loc>http://img.example.cn/1.jpg</image:loc>" in text
    news = (out / "sitemaps" / "news.xml").read_text()
    assert news.count("<url>") == 8 and "<news:language>zh-cn</news:language>" in news
    assert "<news:name>测试新闻网</news:name>" in news and "新闻 &lt;快讯&gt; &amp;" in news
    pages = (out / "sitemaps" / "pages.xml").read_text()
    assert "<loc>http://www.example.cn/</loc>" in pages and "http://www.example.cn/news/" in pages
    index = (out / "sitemap.xml").read_text()
    assert "sitemaps/articles-2026-03.xml" in index and "sitemaps/articles-2025-12.xml" in index


def test_lastmod_is_the_shards_newest_change(make_config, store, schemas):
    config = make_config()
    changed = datetime(2026, 3, 9, 10, 15, 7, tzinfo=TZ)
    fill(store, [article(1), article(2, updated=changed)])
    publish(config, store, NOW, send=False)
    index = (config.output_path / "sitemap.xml").read_text()
    assert "<lastmod>2026-03-09T02:15:07Z</lastmod>" in index


def test_120000_articles_split_by_count_and_indexed(make_config, store, schemas):
    config = make_config("sitemaps:\n  news: false\nshare:\n  enabled: false\n")
    insert_rows(store, 120_000, datetime(2026, 1, 1, tzinfo=UTC), "2026-01")
    insert_rows(store, 500, datetime(2025, 11, 1, tzinfo=UTC), "2025-11", start=200_000)
    publish(config, store, NOW, send=False)
    folder = config.output_path / "sitemaps"
    counts = {p.name: p.read_text().count("<url>") for p in folder.glob("articles-*.xml")}
    assert counts == {"articles-2026-01.xml": 50_000, "articles-2026-01-2.xml": 50_000,
                      "articles-2026-01-3.xml": 20_000, "articles-2025-11.xml": 500}
    root = assert_valid_sitemap(config.output_path / "sitemap.xml", schemas)
    locs = [e.text for e in root.iter("{*}loc")]
    assert len(locs) == 5 and all(loc.startswith("https://feeds.example.cn/sitemaps/") for loc in locs)
    assert_valid_sitemap(folder / "articles-2026-01-3.xml", schemas)


def test_incremental_publish_rewrites_only_the_changed_month(make_config, store):
    config = make_config()
    fill(store, [article(1, published=datetime(2025, 6, 1, tzinfo=TZ).replace(hour=12)),
                 article(2, published=datetime(2026, 3, 1, tzinfo=TZ).replace(hour=12))])
    publish(config, store, NOW, send=False)
    folder = config.output_path / "sitemaps"
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("articles-*.xml")}
    fill(store, [article(3, published=datetime(2026, 3, 9, tzinfo=TZ).replace(hour=12))], NOW + timedelta(hours=1))
    result = publish(config, store, NOW + timedelta(hours=1), send=False)
    assert not result.sitemaps.full
    assert "sitemaps/articles-2026-03.xml" in result.written
    assert "sitemaps/articles-2025-06.xml" not in result.written + result.unchanged
    assert (folder / "articles-2025-06.xml").stat().st_mtime_ns == before["articles-2025-06.xml"]
    assert "/news/3.html" in (folder / "articles-2026-03.xml").read_text()
    assert result.changed_urls == ["http://www.example.cn/news/3.html"]


def test_moved_article_and_lost_shard_trigger_a_full_rebuild(make_config, store):
    config = make_config()
    fill(store, [article(1, published=datetime(2025, 6, 1, tzinfo=TZ).replace(hour=12))])
    publish(config, store, NOW, send=False)
    (config.output_path / "sitemaps" / "articles-2025-06.xml").unlink()
    assert publish(config, store, NOW, send=False).sitemaps.full
    fill(store, [article(1, published=datetime(2025, 8, 1, tzinfo=TZ).replace(hour=12))], NOW + timedelta(hours=1))
    result = publish(config, store, NOW + timedelta(hours=1), send=False)
    assert result.sitemaps.full
    names = sorted(p.name for p in (config.output_path / "sitemaps").glob("articles-*"))
    assert names == ["articles-2025-08.xml"]


def test_shards_split_by_size_and_never_exceed_it():
    head = urlset_head("")
    rows = [(f"http://www.example.cn/{i:05d}.html", "", "2026-01-01", "news",
             "http://img.example.cn/1.jpg" if i % 2 else None) for i in range(1000)]
    tally = Tally()
    events = list(article_shards(rows, head, "http://www.example.cn/", True, tally,
                                 max_urls=50_000, max_bytes=20_000))
    files, current = [], b""
    for event in events:
        if isinstance(event, Cut):
            files.append((current, event.count))
            current = b""
        else:
            current += event
    assert len(files) > 3 and sum(n for _, n in files) == 1000 and tally.rows == 1000
    assert all(len(data) <= 20_000 and data.startswith(b"<?xml") and data.endswith(b"</urlset>\n")
               for data, _ in files)


def test_shard_lines_are_url_entry_lines():
    """The hot loop formats <url> inline; it must stay byte-identical to url_entry()."""
    rows = [("http://www.example.cn/a?x=1&y=<2>'\"", "", "2026-01-01T00:00:00Z", "news",
             "http://img.example.cn/&1.jpg"),
            ("http://www.example.cn/新闻/1.html", "", "2026-01-02T00:00:00Z", "tech", None),
            ("http://www.example.cn/2.html", "", "2026-01-03T00:00:00Z", "tech", "ftp://x/1.jpg"),
            ("http://partner.example.com/3.html", "", "2026-01-04T00:00:00Z", "biz", None)]
    tally = Tally()
    body = b"".join(e for e in article_shards(rows, b"", "http://www.example.cn/", True, tally)
                    if isinstance(e, bytes))
    expected = "".join(url_entry(url, updated, image if image and image.startswith("http")
                                 else None) for url, _, updated, _, image in rows[:3])
    assert body == expected.encode() + b"</urlset>\n"
    assert tally.rows == 4 and tally.channels == {"news": "2026-01-01T00:00:00Z",
                                                  "tech": "2026-01-03T00:00:00Z",
                                                  "biz": "2026-01-04T00:00:00Z"}


def test_baidu_mode_lists_every_shard_in_robots(make_config, store):
    config = make_config("sitemaps:\n  baidu: true\n")
    fill(store, [article(1)])
    publish(config, store, NOW, send=False)
    robots = (config.output_path / "robots.txt").read_text()
    assert "Sitemap: https://feeds.example.cn/sitemap.xml" in robots
    assert "Sitemap: https://feeds.example.cn/sitemaps/articles-2026-03.xml" in robots
    assert "articles-2026-03.xml" in (config.output_path / "sitemaps" / "baidu.txt").read_text()


def test_operators_own_robots_is_kept(make_config, store, tmp_path):
    (tmp_path / "my-robots.txt").write_text("User-agent: *\nDisallow: /admin\n")
    config = make_config("sitemaps:\n  robots_file: my-robots.txt\n")
    publish(config, store, NOW, send=False)
    assert (config.output_path / "robots.txt").read_text() == "User-agent: *\nDisallow: /admin\n"


def test_news_language_codes():
    assert [news_language(x) for x in ("zh-CN", "zh-Hans", "zh-TW", "en-US")] == \
        ["zh-cn", "zh-cn", "zh-tw", "en"]


def insert_rows(store, n: int, first: datetime, month: str, start: int = 0) -> None:
    """Fast fill: rows shaped like the stores' own inserts."""
    def rows():
        for i in range(start, start + n):
            pub = (first + timedelta(seconds=i - start)).strftime("%Y-%m-%dT%H:%M:%SZ")
            url = f"http://www.example.cn/{month}/{i}.html"
            data = {"id": f"id{i}", "url": url, "title": f"t{i}", "summary": "", "content_html": "",
                    "published": pub.replace("Z", "+00:00"), "updated": pub.replace("Z", "+00:00"),
                    "channel": "news", "source_id": "s"}
            yield (f"id{i}", f"url|{url}", url, "s", "news", pub, pub, pub, pub, "h",
                   json.dumps(data))
    bulk_insert(store, "articles", rows())
