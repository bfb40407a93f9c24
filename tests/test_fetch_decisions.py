"""The pure parts of fetching: retry timing, charset correction, challenge pages, addresses."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from feeds.fetch.classify import challenge_reason, effective_charset
from feeds.fetch.guard import is_never_allowed, is_public
from feeds.fetch.retry import parse_retry_after, retry_delay
from feeds.fetch.robots import crawl_delay, parse

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("value, seconds", [
    ("120", 120.0), ("Fri, 27 Nov 2026 12:01:30 GMT", 90.0), ("Fri, 27 Nov 2026 11:00:00 GMT", 0.0),
    ("soon", None), ("", None), (None, None)])
def test_parse_retry_after(value, seconds):
    assert parse_retry_after(value, NOW) == seconds


def test_retry_delay_backs_off_with_jitter_and_caps():
    rng = random.Random(1)
    delays = [retry_delay(n, None, NOW, 1.0, 30, rng) for n in range(8)]
    for n, d in enumerate(delays):
        full = min(30, 2 ** n)
        assert full / 2 <= d <= full
    assert retry_delay(0, "5", NOW, 1.0, 30) == 5.0
    assert retry_delay(0, "3600", NOW, 1.0, 30) is None  # longer than we wait: give up now


def test_effective_charset():
    utf8 = "<rss><title>中文</title></rss>".encode()
    assert effective_charset("gbk", utf8) == "utf-8"  # wrong header on UTF-8
    gbk = "<rss><title>中文</title></rss>".encode("gbk")
    assert effective_charset("gbk", gbk) == "gbk"
    assert effective_charset("iso-8859-1", b"\xef\xbb\xbf<rss/>") == "utf-8"  # BOM wins
    assert effective_charset("", gbk) == ""
    assert effective_charset("x-unknown", gbk) == ""


def test_challenge_pages_are_recognised_but_content_is_not():
    page = b"<!doctype html><html><head><title>%s</title></head><body>x</body></html>"
    assert challenge_reason({}, page % b"Just a moment...")
    assert challenge_reason({}, page % "安全验证".encode())
    assert challenge_reason({"cf-mitigated": "challenge"}, b"")
    assert challenge_reason({}, page % b"Company news") is None
    rss = b"<?xml version='1.0'?><rss><channel><title>Please wait for news</title></channel></rss>"
    assert challenge_reason({}, rss) is None  # a feed is never a challenge page


@pytest.mark.parametrize("address, public, never", [
    ("8.8.8.8", True, False), ("127.0.0.1", False, False), ("10.1.2.3", False, False),
    ("192.168.0.1", False, False), ("169.254.169.254", False, True), ("::1", False, False),
    ("fe80::1", False, True), ("::ffff:169.254.169.254", False, True), ("0.0.0.0", False, True),
    ("2001:4860:4860::8888", True, False), ("100.64.0.1", False, False)])
def test_address_classes(address, public, never):
    assert is_public(address) == public
    assert is_never_allowed(address) == never


def test_robots_rules_and_crawl_delay():
    text = b"User-agent: *\nDisallow: /admin/\nCrawl-delay: 0.5\n\nUser-agent: feeds\nDisallow: /x/\nCrawl-delay: 2\n"
    rules = parse(200, text, 0)
    assert rules.allowed("http://h/admin/a") and not rules.allowed("http://h/x/feed.xml")
    assert rules.crawl_delay() == 2.0
    assert crawl_delay("User-agent: *\nCrawl-delay: 0.5\n") == 0.5
    assert parse(404, b"", 0).allowed("http://h/anything")
    assert not parse(503, b"", 0).allowed("http://h/anything")
