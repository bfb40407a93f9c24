"""A misbehaving server: every misbehaviour is classified and recorded, nothing crashes, time
stays bounded, and the well-behaved source's articles are still stored and published."""

from __future__ import annotations

import threading

import pytest
from fetch_helpers import (
    CHALLENGE,
    GZIP_BOMB,
    HTML_PAGE,
    RSS_TYPE,
    endless,
    hang,
    load_config,
    rss,
    run,
    sequence,
    source_yaml,
    trickle,
    truncated,
)

from feeds.state import load_state
from feeds.store import open_store

RELEASE = threading.Event()


def _xml(status: int, body: bytes, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": RSS_TYPE, **headers}, body


SCENARIOS = {
    # name: (route, expected failure class, words expected in the message)
    "hang": (hang(RELEASE), "timeout", "no response"),
    "slow": (trickle, "timeout", "total timeout"),
    "always-500": (sequence(_xml(500, b"oops")), "http-5xx", "HTTP 500"),
    "404": (sequence(_xml(404, b"no")), "http-4xx", "HTTP 404"),
    "429-too-long": (sequence(_xml(429, b"", **{"Retry-After": "3600"})), "http-4xx",
                     "Retry-After: 3600"),
    "410": (sequence(_xml(410, b"gone")), "http-4xx", "410"),
    "huge": (endless, "too-large", "exceeds"),
    "huge-declared": (sequence(_xml(200, b"x" * 300_000)), "too-large", "Content-Length"),
    "gzip-bomb": (sequence(_xml(200, GZIP_BOMB, **{"Content-Encoding": "gzip"})), "too-large",
                  "decompressed"),
    "redirect-loop": (sequence((302, {"Location": "/bad2"}, b"")), "http-4xx", "redirect loop"),
    "metadata-redirect": (sequence((302, {"Location": "http://169.254.169.254/latest/"}, b"")),
                          "blocked", "169.254.169.254"),
    "truncated": (truncated, "connect", "truncated"),
    "challenge-503": (sequence((503, {"Content-Type": "text/html"}, CHALLENGE)), "blocked",
                      "Just a moment"),
    "challenge-200": (sequence((200, {"Content-Type": "text/html"}, CHALLENGE)), "blocked",
                      "challenge"),
    "html-not-feed": (sequence((200, {"Content-Type": "text/html"}, HTML_PAGE)), "not-a-feed", ""),
    "no-items": (sequence(_xml(200, rss("none", 0))), "no-items", "no items"),
    "broken-xml": (sequence(_xml(200, rss("x", 2)[:-40])), "parse-error", ""),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_misbehaviour_is_classified_and_others_published(name, http_server, write_config):
    route, kind, words = SCENARIOS[name]
    http_server.add("/good.xml", rss("good"), RSS_TYPE)
    http_server.routes["/bad"] = route
    http_server.routes["/bad2"] = sequence((302, {"Location": "/bad"}, b""))
    config = load_config(write_config, [source_yaml("good", http_server.url("/good.xml")),
                                        source_yaml("bad", http_server.url("/bad"))])
    result, elapsed = run(config)
    RELEASE.set()

    assert elapsed < 6, f"{name} took {elapsed:.1f}s"
    [bad] = [r for r in result.collected if r.source_id == "bad"]
    assert bad.error is not None and bad.error.kind == kind, bad.summary()
    store = open_store(config.store_url)
    try:
        state = load_state(store, "bad")
        assert state.last_error["kind"] == kind
        assert words in state.last_error["message"]
        assert state.last_error["url"].startswith("http")
        assert state.failures == 1 and state.gone == (name == "410")
        assert store.count("bad") == 0 and store.count("good") == 2
    finally:
        store.close()
    published = (config.output_path / "rss.xml").read_text(encoding="utf-8")
    assert "good 标题 1" in published


def test_failing_or_empty_source_never_changes_what_was_published(http_server, write_config):
    http_server.routes["/feed.xml"] = sequence(
        _xml(200, rss("keep", 3)), _xml(200, rss("keep", 0)), *[_xml(500, b"")] * 3,  # 3 = first try + 2 retries
        (200, {"Content-Type": "text/html"}, CHALLENGE))
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"))])
    run(config)
    before = (config.output_path / "rss.xml").read_bytes()
    for expected in ("no-items", "http-5xx", "blocked"):
        result, _ = run(config, force=True)
        assert result.failed[0].error.kind == expected
        assert (config.output_path / "rss.xml").read_bytes() == before
    store = open_store(config.store_url)
    assert store.count("src") == 3
    store.close()


def test_wrong_charset_header_does_not_garble(http_server, write_config):
    http_server.add("/feed.xml", rss("编码"), "application/rss+xml; charset=gbk")
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"))])
    result, _ = run(config)
    assert result.collected[0].new == 2
    assert "编码 标题 1" in (config.output_path / "rss.xml").read_text(encoding="utf-8")


def test_feed_served_as_text_html_is_accepted(http_server, write_config):
    http_server.add("/feed", rss("html-typed"), "text/html; charset=utf-8")
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed"))])
    result, _ = run(config)
    assert result.collected[0].ok and result.collected[0].new == 2
