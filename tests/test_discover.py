"""`feeds discover`: feeds, sitemaps and article listings found on local sites of different
layouts; the printed entry, written into sources.yaml, passes `feeds check` and collects."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT, LocalServer
from discover_sites import add_site

from feeds import config as config_mod
from feeds.cli import main
from feeds.discover import discover
from feeds.discover.entry import insert_entry
from feeds.fetch import Fetcher, Policy

NOW = datetime(2024, 1, 12, tzinfo=UTC)
CONFIG = """\
# the operator's own comments stay where they are
site:
  title: 测试网
  base_url: https://feeds.example.cn/   # where output/ is served

fetch: {min_delay: 0, retries: 0}
sources:
  - id: existing          # kept as written
    kind: feed
    url: file:feed.xml

# topics come after the sources
topics: []
"""
RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>站点RSS</title>
<link>http://x/</link><description>d</description>{items}</channel></rss>"""
ITEM = "<item><title>第{n}条</title><link>http://x/{n}</link><pubDate>{date}</pubDate></item>"


def _config(tmp_path: Path) -> config_mod.Config:
    (tmp_path / "sources.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "feed.xml").write_text(RSS.format(items=ITEM.format(
        n=1, date="Mon, 01 Jan 2024 08:00:00 +0800")), encoding="utf-8")
    return config_mod.load(tmp_path / "sources.yaml")


def _fetcher(config, private: bool = True) -> Fetcher:
    fetcher = Fetcher.from_config(config)
    fetcher.policy = Policy(allow_private=private)
    return fetcher


@pytest.mark.parametrize("layout", ["table", "dl", "spans", "paged"])
def test_listing_layouts_give_a_working_html_entry(layout, tmp_path, http_server: LocalServer):
    site = add_site(http_server, layout)
    config = _config(tmp_path)
    findings = discover(config, site.listing, _fetcher(config), NOW, {"allow_private": True})
    html = [f for f in findings if f.kind == "html"]
    assert html, [f.summary for f in findings]
    best = html[0]
    assert "3/3 previewed as articles" in best.summary
    assert all(re.search(best.entry["link_pattern"], u) for u in site.articles)
    assert not re.search(best.entry["link_pattern"], http_server.url("/hot/1.html"))
    if site.next_page:
        assert best.entry["page_template"] == "index_{n}.html"
    # the entry, written into the config, passes `feeds check` and collects every article
    insert_entry(config.path, best.entry)
    assert main(["check", "-c", str(config.path)]) == 0
    assert main(["run", "-c", str(config.path)]) == 0
    from feeds.store import open_store

    store = open_store(config_mod.load(config.path).store_url)
    try:
        stored = {a.url for a in store.recent(50) if a.source_id != "existing"}
        titles = {a.title for a in store.recent(50)}
    finally:
        store.close()
    assert stored == set(site.articles)
    assert "热点" not in titles


def test_feeds_and_sitemaps_with_counts_and_newest_dates(tmp_path, http_server: LocalServer):
    items = "".join(ITEM.format(n=n, date=f"Tue, 0{n} Jan 2024 08:00:00 +0800") for n in (1, 2, 3))
    http_server.add("/feeds/all.xml", RSS.format(items=items), "application/rss+xml")
    http_server.add("/feed.xml", RSS.format(items=ITEM.format(n=9, date="Mon, 08 Jan 2024 "
                                                                       "00:00:00 GMT")),
                    "application/xml")
    http_server.add("/rss", "<html><body>soft 404: not a feed</body></html>")  # 200, but HTML
    http_server.add("/robots.txt", f"User-agent: *\nSitemap: {http_server.url('/sm/index.xml')}\n",
                    "text/plain")
    http_server.add("/sm/index.xml", '<?xml version="1.0"?><sitemapindex xmlns="http://www.'
                    'sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/sm/a.xml</loc><lastmod>'
                    "2024-01-05</lastmod></sitemap></sitemapindex>", "application/xml")
    http_server.add("/sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
                    'schemas/sitemap/0.9"><url><loc>http://x/1</loc><lastmod>2024-01-03T10:00:00'
                    "+08:00</lastmod></url><url><loc>http://x/2</loc></url></urlset>",
                    "application/xml")
    home = http_server.add("/", '<html><head><link rel="alternate" type="application/rss+xml" '
                           'title="全部" href="/feeds/all.xml"></head><body>首页</body></html>')
    config = _config(tmp_path)
    found = {f.url: f for f in discover(config, home, _fetcher(config), NOW)}
    announced = found[http_server.url("/feeds/all.xml")]
    assert announced.summary == ("feed “全部”: 3 items, newest 2024-01-03T08:00+08:00 "
                                 "(announced by <link rel=alternate>)")
    assert "usual feed path" in found[http_server.url("/feed.xml")].summary
    assert http_server.url("/rss") not in found
    assert found[http_server.url("/sm/index.xml")].summary == (
        "sitemap: 1 child sitemaps, newest 2024-01-05T00:00+08:00 (robots.txt Sitemap: line)")
    assert found[http_server.url("/sitemap.xml")].summary.startswith("sitemap: 2 URLs, newest "
                                                                     "2024-01-03T10:00+08:00")
    assert [f.entry["kind"] for f in found.values()] == ["feed", "feed", "sitemap", "sitemap"]


def test_fetch_policy_applies(tmp_path, http_server: LocalServer, capsys):
    site = add_site(http_server, "dl")
    config = _config(tmp_path)
    # the address guard: a loopback site needs --allow-private
    assert main(["discover", site.listing, "-c", str(config.path)]) == 1
    assert "blocked" in capsys.readouterr().err
    # robots.txt: a disallowed listing is not fetched, nor are its articles
    http_server.add("/robots.txt", "User-agent: *\nDisallow: /dl/\n", "text/plain")
    assert main(["discover", site.listing, "-c", str(config.path), "--allow-private"]) == 1
    assert "robots" in capsys.readouterr().err
    assert not [p for m, p, _ in http_server.requests if p.startswith("/dl/")]


def test_write_keeps_the_file_and_check_passes(tmp_path, http_server: LocalServer, capsys):
    site = add_site(http_server, "spans")
    config = _config(tmp_path)
    before = config.path.read_text(encoding="utf-8")
    assert main(["discover", site.listing, "-c", str(config.path), "--allow-private",
                 "--write"]) == 0
    out = capsys.readouterr().out
    assert "[1] listing:" in out and "added source site-spans-html to sources.yaml" in out
    after = config.path.read_text(encoding="utf-8")
    lines = after.splitlines()
    first = lines.index("  - id: site-spans-html")
    size = 1 + next(i for i, line in enumerate(lines[first + 1:]) if not line.startswith("    "))
    assert lines[:first] + lines[first + size:] == before.splitlines()  # every other line kept
    assert lines[first - 1] == "    url: file:feed.xml" and size == 6  # after the last source
    assert main(["check", "-c", str(config.path)]) == 0
    assert config_mod.load(config.path).source("site-spans-html").options.links


def test_the_example_portal(tmp_path, http_server: LocalServer):
    http_server.add_dir(ROOT / "examples" / "portal" / "site")
    http_server.add_dir(ROOT / "examples" / "portal" / "rss", "/rss/")
    config = _config(tmp_path)
    findings = discover(config, http_server.url("/innovation/index.html"), _fetcher(config), NOW)
    linked = next(f for f in findings if f.kind == "feed")  # the top bar's RSS link
    assert linked.url == http_server.url("/rss/innovation.xml")
    assert "(linked from the page)" in linked.summary
    best = next(f for f in findings if f.kind == "html")
    assert best.entry["links"] == "ul.news > li > a"
    assert best.entry["page_template"] == "index_{n}.html"
    assert re.search(best.entry["link_pattern"], http_server.url("/innovation/2023/1201.html"))
    assert "previewed as articles" in best.summary
    # the home page: one listing per channel block, each named by its links
    home = discover(config, http_server.url("/index.html"), _fetcher(config), NOW)
    blocks = [f.entry for f in home if f.kind == "html"]
    assert [b["id"] for b in blocks] == ["site-innovation-html", "site-industry-html",
                                         "site-brand-html"]
    assert {b["links"] for b in blocks} == {"div.block ul > li > a"}
    assert re.search(blocks[1]["link_pattern"], http_server.url("/industry/2023/2201.html"))
    assert not re.search(blocks[1]["link_pattern"], http_server.url("/brand/2023/3201.html"))


def test_an_empty_page_finds_nothing(tmp_path, http_server: LocalServer, capsys):
    page = http_server.add("/empty.html", "<html><body><p>nothing here</p></body></html>")
    config = _config(tmp_path)
    shutil.copy(config.path, tmp_path / "copy.yaml")
    assert main(["discover", page, "-c", str(config.path), "--allow-private"]) == 1
    assert "nothing found" in capsys.readouterr().out


def test_write_refuses_a_flow_list_and_leaves_the_file(tmp_path) -> None:
    from feeds.errors import ConfigError

    path = tmp_path / "feeds.yaml"
    text = ("site: {title: T, base_url: 'https://x.cn/'}\n"
            "sources: [{id: a, kind: feed, url: 'http://x.cn/rss'}]\n")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        insert_entry(path, {"id": "b", "kind": "feed", "url": "http://y.cn/rss"})
    assert e.value.problems == ["feeds.yaml:2: sources: not a block list (- id: ...); "
                                "add the entry by hand"]
    assert path.read_text(encoding="utf-8") == text
