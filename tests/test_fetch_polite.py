"""Polite and efficient: conditional GET, retries, redirects remembered, robots.txt,
Crawl-delay, per-host limits, an honest User-Agent."""

from __future__ import annotations

import itertools
import threading
import time
import tracemalloc
from datetime import timedelta

import pytest
from fetch_helpers import (
    FAST_FETCH,
    GZIP_BOMB,
    NOW,
    RSS_TYPE,
    load_config,
    rss,
    run,
    sequence,
    source_yaml,
)

from feeds.cli import main
from feeds.config import FetchSettings
from feeds.errors import FetchError
from feeds.fetch import Fetcher
from feeds.fetch.client import Policy
from feeds.state import load_state
from feeds.store import open_store

LOCAL = Policy(allow_private=True)


def _fetcher(**settings: float) -> Fetcher:
    base = {"read_timeout": 1, "total_timeout": 2, "retry_backoff": 0.05, "retry_after_cap": 2,
                "min_delay": 0}
    return Fetcher(FetchSettings(**{**base, **settings}), policy=LOCAL)


def _paths(server, path: str) -> list[dict[str, str]]:
    return [headers for _, p, headers in server.requests if p == path]


def test_second_fetch_sends_validators_and_gets_304(http_server, write_config):
    def feed(h):
        if h.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": RSS_TYPE, "ETag": '"v1"',
                     "Last-Modified": "Wed, 25 Nov 2026 01:00:00 GMT"}, rss("cond")
    http_server.routes["/feed.xml"] = feed
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"))])
    first, _ = run(config)
    second, _ = run(config, NOW + timedelta(hours=1))
    assert first.collected[0].new == 2
    assert second.collected[0].ok and second.collected[0].not_modified == "304"
    sent = _paths(http_server, "/feed.xml")[1]
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Wed, 25 Nov 2026 01:00:00 GMT"
    store = open_store(config.store_url)
    assert load_state(store, "src").counts["not_modified"] == 1 and store.count("src") == 2
    store.close()


def test_unchanged_body_without_validators_is_not_re_extracted(http_server, write_config):
    http_server.add("/feed.xml", rss("same"), RSS_TYPE)
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"))])
    run(config)
    second, _ = run(config)
    assert second.collected[0].not_modified == "same body"


def test_failed_extraction_does_not_save_validators(http_server, write_config):
    http_server.routes["/feed.xml"] = sequence(
        (200, {"Content-Type": RSS_TYPE, "ETag": '"e"'}, rss("x", 0)),
        (200, {"Content-Type": RSS_TYPE, "ETag": '"e"'}, rss("x", 0)))
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"))])
    run(config)
    second, _ = run(config, force=True)
    assert second.collected[0].error.kind == "no-items"  # re-extracted, not "not modified"
    assert "If-None-Match" not in _paths(http_server, "/feed.xml")[1]


def test_500_then_200_is_retried(http_server, write_config):
    http_server.routes["/feed.xml"] = sequence((500, {}, b""), (200, {"Content-Type": RSS_TYPE},
                                                                  rss("retry")))
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"))])
    result, _ = run(config)
    assert result.collected[0].new == 2 and len(_paths(http_server, "/feed.xml")) == 2


@pytest.mark.parametrize("retry_after", ["1", "HTTP-DATE"])
def test_429_honours_retry_after(retry_after, http_server):
    if retry_after == "HTTP-DATE":  # whole seconds: a date 2 s ahead waits 1-2 s
        from email.utils import formatdate
        retry_after = formatdate(time.time() + 2, usegmt=True)
    http_server.routes["/p"] = sequence((429, {"Retry-After": retry_after}, b""),
                                        (200, {"Content-Type": "text/plain"}, b"ok"))
    fetcher = _fetcher()
    start = time.monotonic()
    assert fetcher.get(http_server.url("/p")).body == b"ok"
    assert 0.9 <= time.monotonic() - start < 3


def test_other_4xx_are_not_retried(http_server):
    http_server.routes["/p"] = sequence((403, {}, b"no"))
    with pytest.raises(FetchError) as e:
        _fetcher().get(http_server.url("/p"))
    assert e.value.kind == "http-4xx" and len(_paths(http_server, "/p")) == 1


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_is_remembered(status, http_server, write_config):
    http_server.routes["/old.xml"] = sequence((status, {"Location": "/new.xml"}, b""))
    http_server.add("/new.xml", rss("moved"), RSS_TYPE)
    config = load_config(write_config, [source_yaml("src", http_server.url("/old.xml"))])
    run(config)
    run(config)
    assert len(_paths(http_server, "/old.xml")) == 1
    assert len(_paths(http_server, "/new.xml")) == 2


def test_temporary_redirect_is_not_remembered(http_server):
    http_server.routes["/old"] = sequence((302, {"Location": "/new"}, b""))
    http_server.add("/new", "ok", "text/plain")
    fetcher = _fetcher()
    fetcher.get(http_server.url("/old"))
    fetcher.get(http_server.url("/old"))
    assert len(_paths(http_server, "/old")) == 2


def test_gone_source_waits_for_force(http_server, write_config, capsys):
    http_server.routes["/feed.xml"] = sequence((410, {}, b""), (200, {"Content-Type": RSS_TYPE},
                                                                  rss("back")))
    path = write_config(FAST_FETCH + "sources:\n" + source_yaml("src", http_server.url("/feed.xml")))
    assert main(["run", "-c", str(path)]) == 1
    assert "FAILED src: fetch http-4xx" in capsys.readouterr().err
    assert main(["run", "-c", str(path)]) == 0
    assert "SKIPPED src: skipped, gone" in capsys.readouterr().err
    assert len(_paths(http_server, "/feed.xml")) == 1
    assert main(["run", "-c", str(path), "--force"]) == 0
    store = open_store(str(path.parent / "data/feeds.db"))
    assert not load_state(store, "src").gone and store.count("src") == 2
    store.close()


def test_backoff_is_respected_by_run(http_server, write_config):
    http_server.routes["/feed.xml"] = sequence((404, {}, b""))
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"))])
    run(config)
    second, _ = run(config, NOW + timedelta(minutes=1))
    assert "backing off after 1 failure(s) (http-4xx)" in second.collected[0].summary()
    third, _ = run(config, NOW + timedelta(minutes=1), force=True)
    assert third.collected[0].error is not None


def test_private_address_refused_without_allow_private(http_server, write_config):
    http_server.add("/feed.xml", rss("p"), RSS_TYPE)
    url = http_server.url("/feed.xml")
    config = load_config(write_config, [f"  - id: src\n    kind: feed\n    url: {url}\n"])
    result, _ = run(config)
    assert result.collected[0].error.kind == "blocked"
    assert http_server.requests == []


def test_robots_disallow_is_obeyed_unless_opted_out(http_server, write_config, capsys):
    http_server.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    http_server.add("/private/feed.xml", rss("robots"), RSS_TYPE)
    url = http_server.url("/private/feed.xml")
    config = load_config(write_config, [
        source_yaml("polite", url), source_yaml("rude", url, "    respect_robots: false\n")])
    result, _ = run(config)
    polite, rude = result.collected
    assert polite.error.kind == "robots-disallowed" and rude.ok
    assert len(_paths(http_server, "/private/feed.xml")) == 1
    assert main(["check", "-c", str(config.path)]) == 0
    out = capsys.readouterr().out
    assert "source rude: respect_robots: false" in out and "source polite: respect" not in out


def test_robots_5xx_means_disallow_all(http_server):
    http_server.routes["/robots.txt"] = sequence((503, {}, b""))
    http_server.add("/feed.xml", rss("x"), RSS_TYPE)
    with pytest.raises(FetchError) as e:
        _fetcher(retries=0).get(http_server.url("/feed.xml"))
    assert e.value.kind == "robots-disallowed" and "RFC 9309" in str(e.value)


def test_crawl_delay_spaces_requests(http_server):
    http_server.add("/robots.txt", "User-agent: *\nCrawl-delay: 0.3\n", "text/plain")
    starts: list[float] = []

    def page(h):
        starts.append(time.monotonic())
        return 200, {"Content-Type": "text/plain"}, b"ok"
    http_server.routes["/p"] = page
    fetcher = _fetcher(per_host=4)
    results = list(fetcher.get_many([http_server.url(f"/p?{i}") for i in range(4)]))
    assert all(not isinstance(r, Exception) for _, r in results)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 4 and min(gaps) >= 0.27, gaps


def test_per_host_concurrency_and_min_delay(http_server):
    lock, state = threading.Lock(), {"now": 0, "max": 0}
    starts: list[float] = []

    def page(h):
        with lock:
            starts.append(time.monotonic())
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.1)
        with lock:
            state["now"] -= 1
        return 200, {"Content-Type": "text/plain"}, b"ok"
    http_server.routes["/p"] = page
    fetcher = _fetcher(per_host=2, min_delay=0.02)
    urls = [http_server.url(f"/p?{i}") for i in range(8)]
    assert len(list(fetcher.get_many(urls))) == 8
    assert state["max"] == 2
    starts.sort()
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.015


def test_user_agent_names_service_and_contact(http_server, write_config):
    http_server.add("/feed.xml", rss("ua"), RSS_TYPE)
    config = load_config(write_config, [source_yaml("src", http_server.url("/feed.xml"))])
    run(config)
    agent = _paths(http_server, "/feed.xml")[0]["User-Agent"]
    assert agent.startswith("feeds/") and "+https://feeds.example.cn/" in agent


def test_gzip_bomb_memory_is_bounded(http_server):
    http_server.add("/bomb", GZIP_BOMB, "application/xml", headers={"Content-Encoding": "gzip"})
    fetcher = _fetcher(max_bytes=1_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as e:
            fetcher.get(http_server.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert e.value.kind == "too-large" and peak < 8_000_000, peak


def test_gzip_body_is_decoded(http_server):
    import gzip
    http_server.add("/z", gzip.compress(rss("gz")), RSS_TYPE, headers={"Content-Encoding": "gzip"})
    assert _fetcher().get(http_server.url("/z")).body == rss("gz")


def test_connection_refused_is_connect_and_bounded(http_server):
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    start = time.monotonic()
    with pytest.raises(FetchError) as e:
        _fetcher().get(f"http://127.0.0.1:{port}/feed.xml")
    assert e.value.kind == "connect" and time.monotonic() - start < 2


def test_unresolvable_host_is_dns():
    with pytest.raises(FetchError) as e:
        _fetcher().get("http://no-such-host.invalid/feed.xml")
    assert e.value.kind == "dns"
