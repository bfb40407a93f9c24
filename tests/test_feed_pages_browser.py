"""Feeds opened in a real browser, with XSLT and without it (browsers are removing it), and
each feed's own page: readable, every relative link working when output/ is served under a
path prefix (/out/)."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from browser import Browser
from conftest import LocalServer, _handler, require_binary
from share_helpers import NOW, make_article, make_config

from feeds.publish import publish
from feeds.store.sqlite import SQLiteStore

NO_XSLT = ("--disable-features=XSLT",)
FEEDS = ["rss.xml", "atom.xml", "channels/news/rss.xml", "channels/news/atom.xml"]
TRANSFORMED = """({root: document.documentElement.tagName,
  h1: document.querySelector('h1') ? document.querySelector('h1').textContent : '',
  page: Array.from(document.querySelectorAll('a')).map(a => a.href)
        .filter(h => h.endsWith('/index.html'))})"""
STYLED = """(() => {
  const atom = 'http://www.w3.org/2005/Atom';
  const links = Array.from(document.getElementsByTagNameNS(atom, 'link'))
    .filter(l => l.getAttribute('rel') === 'related');
  const title = document.documentElement.getElementsByTagName('title')[0]
    || document.getElementsByTagNameNS(atom, 'title')[0];
  const item = document.getElementsByTagName('item')[0] || document.getElementsByTagNameNS(atom, 'entry')[0];
  return {root: document.documentElement.localName, sheets: document.styleSheets.length,
    title: getComputedStyle(title).display, text: title.textContent,
    sentence: links.length ? getComputedStyle(links[0], '::before').content : '',
    address: links.length ? getComputedStyle(links[0], '::after').content : '',
    item: item ? getComputedStyle(item).display : 'none'};
})()"""
LINKS = """({fits: document.documentElement.scrollWidth <= window.innerWidth,
  links: Array.from(document.querySelectorAll('a')).map(a => [a.getAttribute('href'), a.href])})"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, LocalServer]]:
    root = tmp_path_factory.mktemp("feedpages")
    config = make_config(root)
    store = SQLiteStore(str(root / "feeds.db"))
    for i in range(1, 4):
        store.upsert(make_article(i), NOW)
    publish(config, store, NOW, send=False)
    server = LocalServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    server.add_dir(config.output_path, "/out/")
    try:
        yield config.output_path, server
    finally:
        httpd.shutdown()
        httpd.server_close()


def _errors(report) -> list[str]:
    return [e for e in report.errors if "favicon.ico" not in e]  # XML documents ask for one


def test_feeds_render_through_xslt_and_link_their_page(served) -> None:
    output, server = served
    with Browser(require_binary("chromium")) as browser:
        for feed in FEEDS:
            report = browser.check(server.url(f"/out/{feed}"), TRANSFORMED)
            assert report.errors == [], feed
            assert report.value["root"] == "HTML" and report.value["h1"], feed
            folder = feed.rsplit("/", 1)[0] + "/" if "/" in feed else ""
            assert report.value["page"] == [server.url(f"/out/{folder}index.html")], feed


def test_without_xslt_a_feed_still_shows_its_title_and_its_page(served) -> None:
    output, server = served
    with Browser(require_binary("chromium"), flags=NO_XSLT) as browser:
        for feed in FEEDS:
            report = browser.check(server.url(f"/out/{feed}"), STYLED)
            value = report.value
            assert _errors(report) == [], feed
            assert value["root"] in ("rss", "feed"), f"{feed} was transformed: XSLT still on?"
            assert value["sheets"] == 1 and value["title"] == "block" and value["text"], feed
            assert "订阅源" in value["sentence"], feed
            folder = feed.rsplit("/", 1)[0] + "/" if "/" in feed else ""
            assert value["address"] == f'"https://feeds.example.cn/{folder}index.html"', feed
            assert value["item"] == "none", feed  # raw items are not dumped as text


@pytest.mark.parametrize("flags", [(), NO_XSLT], ids=["xslt", "no-xslt"])
def test_feed_pages_and_directories_link_relatively_under_a_prefix(served, flags) -> None:
    output, server = served
    pages = ["index.html", "channels/news/index.html", "channels/tech/index.html",
             "feeds.html", "sitemap.html"]
    with Browser(require_binary("chromium"), flags=flags) as browser:
        for rel in pages:
            report = browser.check(server.url(f"/out/{rel}"), LINKS)
            assert report.errors == [] and report.value["fits"], rel
            local = [(raw, full) for raw, full in report.value["links"]
                     if full.startswith(server.url("/"))]
            assert local, rel
            for raw, full in local:
                assert not raw.startswith(("/", "http")), (rel, raw)  # relative, prefix-proof
                assert full.startswith(server.url("/out/")), (rel, raw)
                with urllib.request.urlopen(full) as response:  # noqa: S310 (127.0.0.1 only)
                    assert response.status == 200, (rel, raw)
    page = (output / "channels/news/index.html").read_text(encoding="utf-8")
    for fmt in ("rss.xml", "atom.xml", "feed.json"):  # the subscribe box: every format
        assert f"https://feeds.example.cn/channels/news/{fmt}" in page
    assert "第1条新闻标题" in page and "feeds.opml" in page
