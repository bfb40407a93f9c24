"""Hostile sources served from 127.0.0.1, one class of attack per row: each row asserts what is
stored and what is published, and `run_with_good` asserts that the well-behaved source of the
same run is unaffected, that no local file leaked and that every published URL is http(s)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from feed_rules import problems
from feed_rules_json import json_problems
from fetch_helpers import NOW, RSS_TYPE, load_config, run
from hostile_helpers import (
    SECRET,
    Outcome,
    article_page,
    feed_of,
    listing,
    run_with_good,
    sitemap_of,
)

from feeds.sources import KINDS, Kind


def kind_source(sid: str, kind: str, url: str, extra: str = "") -> str:
    return (f"  - id: {sid}\n    kind: {kind}\n    url: {url}\n    channel: news\n"
            f"    allow_private: true\n{extra}")


def secret_file(tmp: Path) -> str:
    (tmp / "secret.html").write_text(article_page(SECRET), encoding="utf-8")
    return (tmp / "secret.html").as_uri()


def good_page(server, path: str, title: str = "正常文章标题") -> str:
    return server.add(path, article_page(title))


# --- rows: setup(server, tmp) -> hostile source entries; check(outcome, server) --------------

def file_listing_links(server, tmp):
    server.add("/list.html", listing(secret_file(tmp), "/a/1.html"))
    good_page(server, "/a/1.html")
    return [kind_source("hostile", "html", server.url("/list.html"), "    links: ul.news a\n")]


def file_next_page(server, tmp):
    (tmp / "list2.html").write_text(listing(secret_file(tmp)), encoding="utf-8")
    server.add("/list.html", listing("/a/1.html", next_href=(tmp / "list2.html").as_uri()))
    good_page(server, "/a/1.html")
    return [kind_source("hostile", "html", server.url("/list.html"), "    max_pages: 3\n")]


def file_sitemap_loc(server, tmp):
    server.add("/sitemap.xml", sitemap_of(secret_file(tmp), server.url("/a/1.html")),
               "application/xml")
    good_page(server, "/a/1.html")
    return [kind_source("hostile", "sitemap", server.url("/sitemap.xml"))]


def file_full_text(server, tmp):
    server.add("/feed.xml", feed_of(("本地文件", secret_file(tmp), "g1"),
                                    ("正常条目", server.url("/a/1.html"), "g2")), RSS_TYPE)
    good_page(server, "/a/1.html")
    return [kind_source("hostile", "feed", server.url("/feed.xml"), "    full_text: true\n")]


def file_redirect(server, tmp):
    server.add("/list.html", listing("/a/1.html", "/moved.html"))
    good_page(server, "/a/1.html")
    server.add("/moved.html", "", status=302, headers={"Location": secret_file(tmp)})
    return [kind_source("hostile", "html", server.url("/list.html"))]


def stores_only_the_good_page(outcome: Outcome, server) -> None:
    assert outcome.urls == {server.url("/a/1.html")}
    assert server.url("/a/1.html") in outcome.published_links()


def dangerous_links(server, tmp):
    server.add("/feed.xml", feed_of(
        ("脚本链接", "javascript:alert(document.cookie)", ""), ("数据链接", "data:text/html,<b>x</b>", ""),
        ("VB 链接", "vbscript:msgbox(1)", ""), ("坏地址", "http://[oops/x.html", ""),
        ("文件链接", "file:///etc/passwd", ""), ("相对链接", "rel/2.html", ""),
        ("正常链接", server.url("/a/1.html"), "")), RSS_TYPE)
    return [kind_source("hostile", "feed", server.url("/feed.xml"))]


def only_resolved_links(outcome: Outcome, server) -> None:
    assert outcome.urls == {server.url("/a/1.html"), server.url("/rel/2.html")}
    assert outcome.urls <= outcome.published_links()


def json_feed_links(server, tmp):
    doc = ('{"version": "https://jsonfeed.org/version/1.1", "title": "j", "items": ['
           '{"id": "1", "url": "/j/1.html", "title": "相对", "content_text": "正文一"},'
           '{"id": "2", "url": "javascript:alert(1)", "title": "脚本", "content_text": "正文二"},'
           '{"id": "3", "url": "//evil.example/x", "title": "协议相对", "content_text": "正文三",'
           ' "image": "data:image/png;base64,AAAA"},'
           '{"id": "4", "title": "无链接", "content_text": "正文四", "tags": 5},'
           '{"id": "5", "url": "/j/5.html", "title": "坏标签", "tags": 5}]}')
    server.add("/feed.json", doc, "application/feed+json")
    return [kind_source("hostile", "feed", server.url("/feed.json"))]


def json_resolved(outcome: Outcome, server) -> None:
    # relative and scheme-relative resolve against the feed URL; the others are skipped
    assert outcome.urls == {server.url("/j/1.html"), "http://evil.example/x"}
    assert all(a.image is None for a in outcome.stored)


def bad_pages(server, tmp):
    server.add("/list.html", listing("/a/1.html", "/a/2.html", "/a/3.html", "/a/4.html",
                                     "http://[oops/x.html"))
    server.add("/a/1.html", article_page("图片宽度", "<meta property='og:image' content='/i.png'>"
                                         "<meta property='og:image:width' content='²'>"))
    server.add("/a/2.html", article_page("字符集", "<meta charset='rot13'>").replace(
        "<meta charset='utf-8'>", ""), "text/html")
    server.add("/a/3.html", article_page("溢出日期", date="3000000天前"))
    server.add("/a/4.html", article_page("正常文章"))
    return [kind_source("hostile", "html", server.url("/list.html"))]


def every_page_kept(outcome: Outcome, server) -> None:
    assert outcome.urls == {server.url(f"/a/{i}.html") for i in (1, 2, 3, 4)}
    [overflow] = [a for a in outcome.stored if a.url.endswith("/3.html")]
    assert not overflow.dated  # garbage date: the first-seen time, frozen


def overflowing_feed_date(server, tmp):
    doc = feed_of(("溢出日期", server.url("/d/1.html"), "")).replace(
        b"Wed, 25 Nov 2026 08:00:00 +0800", "3000000天前".encode())  # feedparser: year 3000
    server.add("/feed.xml", doc, RSS_TYPE)
    return [kind_source("hostile", "feed", server.url("/feed.xml"))]


def cross_host_canonical(server, tmp):
    server.add("/list.html", listing("/a/1.html", "/a/2.html"))
    server.add("/a/1.html", article_page(
        "冒名文章", "<link rel='canonical' href='http://victim.example.com/news/1.html'>"))
    server.add("/a/2.html", article_page(
        "同站规范", "<link rel='canonical' href='/canonical/2.html'>"))
    return [kind_source("hostile", "html", server.url("/list.html"))]


def canonical_same_site_only(outcome: Outcome, server) -> None:
    assert outcome.urls == {server.url("/a/1.html"), server.url("/canonical/2.html")}


def shared_guid(server, tmp):
    server.add("/feed.xml", feed_of(*[(f"不同文章 {i}", server.url(f"/g/{i}.html"), "same-guid")
                                      for i in range(3)]), RSS_TYPE)
    return [kind_source("hostile", "feed", server.url("/feed.xml"))]


def three_articles(outcome: Outcome, server) -> None:
    assert outcome.urls == {server.url(f"/g/{i}.html") for i in range(3)}
    assert len({a.id for a in outcome.stored}) == 3
    assert outcome.urls <= outcome.published_links()


def _lastmod_sitemap(*entries: tuple[str, str], index: bool = False) -> bytes:
    tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    body = "".join(f"<{item}><loc>{loc}</loc><lastmod>{mod}</lastmod></{item}>"
                   for loc, mod in entries)
    return (f'<?xml version="1.0" encoding="UTF-8"?><{tag} '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</{tag}>').encode()


def sitemap_cycle(server, tmp):
    xml = "application/xml"
    server.add("/index.xml", sitemap_of("/index.xml", "/index2.xml", index=True), xml)
    server.add("/index2.xml", sitemap_of(server.url("/index.xml"), "/deep1.xml", "/urls.xml",
                                         index=True), xml)
    server.add("/deep1.xml", sitemap_of("/deep2.xml", index=True), xml)  # depth 2: not followed
    server.add("/deep2.xml", sitemap_of("/a/9.html"), xml)
    server.add("/urls.xml", sitemap_of("/a/1.html"), xml)
    good_page(server, "/a/1.html")
    good_page(server, "/a/9.html", "太深的文章")
    return [kind_source("hostile", "sitemap", server.url("/index.xml"))]


def each_sitemap_read_once(outcome: Outcome, server) -> None:
    paths = [path for _, path, _ in server.requests]
    for name in ("/index.xml", "/index2.xml", "/urls.xml", "/deep1.xml"):
        assert paths.count(name) == 1, (name, paths)
    assert "/deep2.xml" not in paths
    stores_only_the_good_page(outcome, server)


def sitemap_newest_first(server, tmp):
    xml = "application/xml"
    server.add("/index.xml", _lastmod_sitemap(("/old.xml", "2025-01-01"), ("/new.xml", "2026-11-25"),
                                              ("/older.xml", "2024-01-01"), index=True), xml)
    server.add("/new.xml", _lastmod_sitemap(("/a/1.html", "2026-11-25"), ("/a/2.html", "2026-11-24"),
                                            ("/a/0.html", "2020-01-01")), xml)
    for old in ("/old.xml", "/older.xml"):
        server.add(old, _lastmod_sitemap(("/a/3.html", "2024-06-01")), xml)
    for i in range(4):
        good_page(server, f"/a/{i}.html", f"文章 {i}")
    return [kind_source("hostile", "sitemap", server.url("/index.xml"), "    max_urls: 2\n")]


def only_the_newest_child_read(outcome: Outcome, server) -> None:
    paths = [path for _, path, _ in server.requests]
    assert "/old.xml" not in paths and "/older.xml" not in paths and "/a/0.html" not in paths
    assert outcome.urls == {server.url("/a/1.html"), server.url("/a/2.html")}


OTHER_BODY = ("<p>完全不同的另一篇报道，讲述的是另外一件事情，和前一篇文章没有任何关系。</p>"
              "<p>它只是恰好使用了同一个栏目标题，正文的每一段都是不同的内容和细节。</p>")


def same_story_two_urls(server, tmp):
    server.add("/list.html", listing("/a/1.html", "/print/1.html", "/a/2.html", "/a/3.html"))
    server.add("/a/1.html", article_page("同一篇报道"))
    server.add("/print/1.html", article_page("同一篇报道", date="2026-11-25 11:00"))
    server.add("/a/2.html", article_page("通知", date="2026-11-24 09:00"))
    server.add("/a/3.html", article_page("通知", date="2026-11-24 10:00", body=OTHER_BODY))
    return [kind_source("hostile", "html", server.url("/list.html"))]


def twins_once_namesakes_apart(outcome: Outcome, server) -> None:
    story = {server.url("/a/1.html"), server.url("/print/1.html")}
    assert outcome.urls == story | {server.url("/a/2.html"), server.url("/a/3.html")}
    for name in ("rss.xml", "atom.xml", "feed.json", "channels/news/rss.xml"):
        published = (outcome.output / name).read_text(encoding="utf-8")
        assert server.url("/a/2.html") in published and server.url("/a/3.html") in published
        if name == "rss.xml" or name.startswith("channels/"):
            assert sum(url in published for url in story) == 1, name  # RSS: one link an item
    # Atom and JSON Feed: one item, the other URL kept with it (rel="related", _feeds.also_at)
    entries = [e for e in feedparser.parse(outcome.output / "atom.xml").entries
               if e.title == "同一篇报道"]
    assert len(entries) == 1
    assert {link.href for link in entries[0].links if link.rel in ("alternate", "related")} \
        == story
    items = [i for i in json.loads((outcome.output / "feed.json").read_bytes())["items"]
             if i["title"] == "同一篇报道"]
    assert len(items) == 1 and {items[0]["url"], *items[0]["_feeds"]["also_at"]} == story
    site = "https://feeds.example.cn/"
    assert problems((outcome.output / "atom.xml").read_bytes(), site + "atom.xml") == []
    assert json_problems((outcome.output / "feed.json").read_bytes(), site + "feed.json") == []


def hijack(server, tmp):
    server.add("/feed.xml", feed_of(("被劫持的标题", "http://www.example.cn/good/1.html", ""),
                                    ("自己的文章", server.url("/own/1.html"), "")), RSS_TYPE)
    return [kind_source("hostile", "feed", server.url("/feed.xml"))]


def owner_keeps_its_article(outcome: Outcome, server) -> None:
    [owned] = [a for a in outcome.good if a.url == "http://www.example.cn/good/1.html"]
    assert owned.title == "good 标题 1" and owned.source_id == "good"
    assert outcome.urls == {server.url("/own/1.html")}
    published = (outcome.output / "rss.xml").read_text(encoding="utf-8")
    assert "被劫持的标题" not in published and "good 标题 1" in published


CASES: dict[str, tuple[Callable, Callable]] = {
    "file: listing link": (file_listing_links, stores_only_the_good_page),
    "file: next page": (file_next_page, stores_only_the_good_page),
    "file: sitemap loc": (file_sitemap_loc, stores_only_the_good_page),
    "file: full_text link": (file_full_text, stores_only_the_good_page),
    "file: redirect": (file_redirect, stores_only_the_good_page),
    "dangerous item links": (dangerous_links, only_resolved_links),
    "json feed links": (json_feed_links, json_resolved),
    "one bad page each": (bad_pages, every_page_kept),
    "cross-host canonical": (cross_host_canonical, canonical_same_site_only),
    "shared guid": (shared_guid, three_articles),
    "sitemap cycle and depth": (sitemap_cycle, each_sitemap_read_once),
    "sitemap newest first": (sitemap_newest_first, only_the_newest_child_read),
    "one story, two urls": (same_story_two_urls, twins_once_namesakes_apart),
    "hijack by url": (hijack, owner_keeps_its_article),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_source(name, http_server, write_config, tmp_path):
    setup, check = CASES[name]
    outcome = run_with_good(http_server, write_config, setup(http_server, tmp_path))
    check(outcome, http_server)


def test_a_collector_bug_fails_its_source_as_internal(http_server, write_config, tmp_path,
                                                      monkeypatch, caplog):
    def broken(source, fetcher, now):
        raise RuntimeError("bug in a collector")

    monkeypatch.setitem(KINDS, "sitemap", Kind(broken, conditional=False))
    caplog.set_level(logging.WARNING)
    outcome = run_with_good(http_server, write_config,
                            [kind_source("hostile", "sitemap", http_server.url("/s.xml"))])
    assert outcome.error_kind("hostile") == "internal"
    assert "Traceback" in caplog.text and "bug in a collector" in caplog.text


def test_preview_fetches_as_the_source_does(http_server, write_config, capsys):
    """`feeds preview URL --source ID` uses the source's allow_private and respect_robots: a
    page on 127.0.0.1 behind a robots.txt that disallows everything previews as in `feeds run`;
    the same page without --source is refused by robots.txt."""
    import json

    from feeds.cli import main

    http_server.add("/robots.txt", "User-agent: *\nDisallow: /\n", "text/plain")
    url = good_page(http_server, "/a/1.html", "预览文章")
    path = write_config("sources:\n" + kind_source("portal", "html", http_server.url("/list.html"),
                                                   "    respect_robots: false\n"))
    assert main(["preview", "-c", str(path), "--json", "--source", "portal", url]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "预览文章"
    assert main(["preview", "-c", str(path), "--json", url]) != 0


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/", "/missing.xml"])
def test_a_refused_permanent_redirect_is_not_remembered(target, http_server, write_config):
    """A 301 to an address we refuse (or to a 404) fails this run only: once the redirect is
    gone, the source's own URL works again."""
    from fetch_helpers import load_config, run, sequence

    from feeds.fetch.cache import HttpCache
    from feeds.store import open_store

    http_server.routes["/feed.xml"] = sequence(
        (301, {"Location": target}, b""),
        (200, {"Content-Type": RSS_TYPE}, feed_of(("回来了", http_server.url("/b/1.html"), ""))))
    config = load_config(write_config, [kind_source("src", "feed", http_server.url("/feed.xml"))])
    first, _ = run(config)
    assert first.failed and first.failed[0].error.kind in ("blocked", "http-4xx")
    store = open_store(config.store_url)
    try:
        assert HttpCache(store).resolve(http_server.url("/feed.xml")) == http_server.url("/feed.xml")
    finally:
        store.close()
    second, _ = run(config, force=True)
    assert not second.failed and second.collected[0].new == 1


@pytest.mark.parametrize("address", ["64:ff9b::7f00:1", "2002:7f00:1::", "::ffff:0:7f00:1",
                                     "::127.0.0.1", "fec0::1"])
def test_an_address_carrying_a_private_ipv4_is_refused(address, http_server, write_config,
                                                        monkeypatch):
    """A source whose host resolves to an IPv6 form of a private address (no allow_private)
    fails as `blocked` before any connection; the good source of the run is untouched."""
    import socket

    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host == "partner.test":
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    entry = ("  - id: hostile\n    kind: feed\n    url: http://partner.test/feed.xml\n"
             "    channel: news\n")
    outcome = run_with_good(http_server, write_config, [entry])
    assert outcome.error_kind("hostile") == "blocked" and not outcome.stored


def test_a_future_date_is_settled_once(http_server, write_config):
    """An item dated next year is clamped to the first sight and stays so: the second run
    finds it unchanged and rewrites no output."""
    from fetch_helpers import load_config, run
    from helpers import snapshot

    future = feed_of(("未来的文章", http_server.url("/f/1.html"), "f1")).replace(
        b"Wed, 25 Nov 2026", b"Wed, 25 Nov 2027")
    http_server.add("/feed.xml", future, RSS_TYPE)
    config = load_config(write_config, [kind_source("src", "feed", http_server.url("/feed.xml"))])
    from fetch_helpers import NOW

    first, _ = run(config, NOW)
    before = snapshot(config.output_path)
    # the feed changes elsewhere (so it is parsed again), the item does not
    http_server.add("/feed.xml", future.replace(b"<description>d<", b"<description>d2<"),
                    RSS_TYPE)
    second, _ = run(config, NOW + timedelta(hours=1), force=True)
    assert (first.collected[0].new, second.collected[0].unchanged) == (1, 1)
    assert snapshot(config.output_path) == before


@pytest.mark.parametrize("kind", ["html", "feed"])
def test_a_page_that_trips_a_bug_costs_that_page_only(kind, http_server, write_config,
                                                      monkeypatch, caplog):
    """An extractor bug on one article page (simulated: extract raises on a marked page) is a
    warning naming the source and the page; the other pages of the source are stored."""
    import feeds.sources.page as page_mod

    real = page_mod.extract

    def buggy(text, url, *args, **kwargs):
        if "BOOM" in text:
            raise RuntimeError("extractor bug")
        return real(text, url, *args, **kwargs)

    monkeypatch.setattr(page_mod, "extract", buggy)
    http_server.add("/a/1.html", article_page("好页面"))
    http_server.add("/a/2.html", article_page("BOOM"))
    if kind == "html":
        http_server.add("/list.html", listing("/a/1.html", "/a/2.html"))
        entry = kind_source("hostile", "html", http_server.url("/list.html"))
        expected = {http_server.url("/a/1.html")}
    else:  # full_text keeps the feed's own entry for the page that failed
        http_server.add("/feed.xml", feed_of(("一", http_server.url("/a/1.html"), "1"),
                                             ("二", http_server.url("/a/2.html"), "2")), RSS_TYPE)
        entry = kind_source("hostile", "feed", http_server.url("/feed.xml"), "    full_text: true\n")
        expected = {http_server.url("/a/1.html"), http_server.url("/a/2.html")}
    caplog.set_level(logging.WARNING)
    outcome = run_with_good(http_server, write_config, [entry])
    assert outcome.error_kind("hostile") == "" and outcome.urls == expected
    assert "hostile" in caplog.text and "/a/2.html" in caplog.text and "extractor bug" in caplog.text


def test_an_overflowing_feed_date_is_no_date(http_server, write_config, caplog):
    """feedparser reads 3000000天前 as the year 3000: it must be no date (the first-seen time),
    not a date in the future that happens to be clamped to the same time."""
    caplog.set_level(logging.INFO, logger="feeds.dates")
    outcome = run_with_good(http_server, write_config, overflowing_feed_date(http_server, None))
    [article] = outcome.stored
    assert not article.dated and article.published == NOW
    logged = [r.getMessage() for r in caplog.records if r.name == "feeds.dates"]
    assert not [m for m in logged if "future" in m], logged
    assert any("not a usable date: '3000000天前'" in m for m in logged), logged


def test_twins_publish_byte_stable(http_server, write_config):
    """A second run over the same twins writes the same bytes (also_at in feed order)."""
    config = load_config(write_config, same_story_two_urls(http_server, None))
    run(config)
    names = ("atom.xml", "feed.json", "rss.xml")
    first = {n: (config.output_path / n).read_bytes() for n in names}
    assert b'rel="related"' in first["atom.xml"] and b'"also_at"' in first["feed.json"]
    run(config, NOW + timedelta(minutes=5), force=True)
    assert {n: (config.output_path / n).read_bytes() for n in names} == first
