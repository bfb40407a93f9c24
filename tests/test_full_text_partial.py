"""`full_text: true` when an article page fails for a moment: the entry is partial, the store
keeps what the page gave last time (nothing "updated", nothing rewritten), a new article is still
stored with the feed's own text, and the feed's validators wait until the pages were read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from feeds import config as config_mod
from feeds.normalise import html_to_text
from feeds.runtime import Runtime

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
BODY = "".join(f"<p>第{n}段：这是文章页上的完整正文，比订阅源里的摘要长得多，读者要看的是它。</p>"
               for n in range(12))
PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>完整的文章</title></head>
<body><article><h1>完整的文章</h1><p class="date">2026-10-31 10:00</p>{BODY}</article></body></html>"""


def feed(link: str, version: int) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?><!-- v{version} --><rss version="2.0"><channel>
<title>t</title><link>http://e.com/</link><description>d</description><item>
<title>完整的文章</title><link>{link}</link><guid>g-1</guid><description>只有摘要。</description>
<pubDate>Sat, 31 Oct 2026 02:00:00 GMT</pubDate></item></channel></rss>"""


@pytest.fixture
def site(http_server, write_config, store_url):
    """A feed with an ETag (304 when it matches; `version` republishes it with the same
    items) and one article page that fails on demand."""
    failing = {"page": False, "version": 1}

    def feed_route(handler):
        etag = f'"v{failing["version"]}"'
        if handler.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        body = feed(http_server.url("/a/1.html"), failing["version"]).encode()
        return 200, {"Content-Type": "application/rss+xml", "ETag": etag}, body

    def page_route(handler):
        if failing["page"]:
            return 500, {"Content-Type": "text/plain"}, b"try later"
        return 200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.encode()

    http_server.routes["/feed.xml"] = feed_route
    http_server.routes["/a/1.html"] = page_route
    path = write_config(f"""\
store: {store_url}
sources:
  - id: f
    kind: feed
    url: {http_server.url('/feed.xml')}
    allow_private: true
    channel: news
    full_text: true
""")
    runtime = Runtime.open(config_mod.load(path))
    yield runtime, failing
    runtime.close()


def collect(runtime, hours: int):
    [source] = runtime.config.sources
    result = runtime.collect(source, NOW + timedelta(hours=hours), force=True)
    assert result.ok, result.summary()
    [stored] = runtime.store.recent(10)
    return result, stored


def test_a_page_failing_once_changes_nothing_stored(site):
    runtime, failing = site
    first, stored = collect(runtime, 0)
    assert first.new == 1 and "读者要看的是它" in html_to_text(stored.content_html)
    failing.update(page=True, version=2)  # the feed is republished: its items are read again
    second, during = collect(runtime, 1)
    assert (second.updated, second.unchanged) == (0, 1)  # not emptied, not "updated"
    assert during == stored
    failing["page"] = False
    third, after = collect(runtime, 2)
    assert not third.not_modified  # the failed page is retried, not hidden behind a 304
    assert third.updated == 0 and after == stored  # nor "updated" back
    assert len(runtime.store.changed_after(("", ""), 10)) == 1  # written once: nothing republished


def test_a_new_article_whose_page_failed_is_stored_and_completed_later(site):
    runtime, failing = site
    failing["page"] = True
    first, stored = collect(runtime, 0)
    assert first.new == 1 and html_to_text(stored.content_html) == "只有摘要。"
    failing["page"] = False
    second, later = collect(runtime, 1)  # the feed is read again in full, not answered by 304
    assert not second.not_modified and second.updated == 1
    assert later.id == stored.id and "读者要看的是它" in html_to_text(later.content_html)
    third, _ = collect(runtime, 2)
    assert third.not_modified == "304"  # validators are saved once every page was read
