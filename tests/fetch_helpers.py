"""Helpers for the fetch tests: feeds to serve, misbehaving routes, a fast fetch config."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler

from feeds import config as config_mod
from feeds.config import Config
from feeds.pipeline import RunResult, run_once
from feeds.runtime import Runtime

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

# Short limits so that every misbehaviour is detected in well under a second or two.
FAST_FETCH = """\
fetch:
  connect_timeout: 1
  read_timeout: 0.5
  total_timeout: 1.5
  max_bytes: 200000
  retries: 2
  retry_backoff: 0.05
  retry_after_cap: 2
  min_delay: 0
"""


def rss(prefix: str, n: int = 2, title: str = "测试频道") -> bytes:
    items = "".join(
        f"<item><title>{prefix} 标题 {i}</title><link>http://www.example.cn/{prefix}/{i}.html</link>"
        f"<guid>http://www.example.cn/{prefix}/{i}.html</guid>"
        f"<pubDate>Wed, 25 Nov 2026 0{i}:00:00 +0800</pubDate>"
        f"<description>{prefix} 摘要 {i}</description></item>"
        for i in range(1, n + 1))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>http://www.example.cn/</link>"
            f"<description>d</description>{items}</channel></rss>").encode()


RSS_TYPE = "application/rss+xml; charset=utf-8"


def source_yaml(sid: str, url: str, extra: str = "") -> str:
    return (f"  - id: {sid}\n    kind: feed\n    url: {url}\n    channel: news\n"
            f"    allow_private: true\n{extra}")


def load_config(write_config: Callable[[str], object], sources: list[str],
                fetch: str = FAST_FETCH) -> Config:
    path = write_config(fetch + "sources:\n" + "".join(sources))
    return config_mod.load(path)  # type: ignore[arg-type]


def run(config: Config, now: datetime = NOW, force: bool = False) -> tuple[RunResult, float]:
    """run_once on the config's runtime (as `feeds run`); returns the result and the wall time."""
    start = time.monotonic()
    with Runtime.open(config) as rt:
        result = run_once(config, rt.store, rt.fetcher, now, force=force)
    return result, time.monotonic() - start


# --- misbehaving routes (callables for the http_server fixture) ---------------------------

Handler = BaseHTTPRequestHandler


def sequence(*responses: tuple[int, dict[str, str], bytes]) -> Callable[[Handler], tuple]:
    """Answer with each response in turn, then keep repeating the last."""
    state = {"n": 0}

    def route(h: Handler) -> tuple:
        i = min(state["n"], len(responses) - 1)
        state["n"] += 1
        return responses[i]
    return route


def hang(release: threading.Event, seconds: float = 5) -> Callable[[Handler], tuple]:
    def route(h: Handler) -> tuple:
        release.wait(seconds)
        return 200, {"Content-Type": RSS_TYPE}, rss("late")
    return route


def trickle(h: Handler) -> tuple:
    """Headers at once, then one byte every 100 ms: every read succeeds, the whole never ends."""
    h.send_response(200)
    h.send_header("Content-Type", RSS_TYPE)
    h.send_header("Content-Length", "100")
    h.end_headers()
    try:
        for _ in range(100):
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass
    h.close_connection = True
    return 0, {}, b""


def endless(h: Handler) -> tuple:
    """An unbounded body without Content-Length."""
    h.send_response(200)
    h.send_header("Content-Type", RSS_TYPE)
    h.send_header("Connection", "close")
    h.end_headers()
    try:
        for _ in range(200):  # 12.8 MB at most
            h.wfile.write(b"<!-- padding -->" * 4096)
    except OSError:
        pass
    h.close_connection = True
    return 0, {}, b""


def truncated(h: Handler) -> tuple:
    body = rss("cut", 5)
    h.send_response(200)
    h.send_header("Content-Type", RSS_TYPE)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body[: len(body) // 2])
    h.wfile.flush()
    h.close_connection = True
    return 0, {}, b""


GZIP_BOMB = gzip.compress(b"\0" * (50 * 1024 * 1024), compresslevel=9)  # ~50 KB -> 50 MB

CHALLENGE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
             b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'></script>"
             b"</body></html>")
HTML_PAGE = ("<!DOCTYPE html><html><head><title>新闻首页</title></head><body><h1>新闻</h1>"
             "<a href='/a.html'>文章</a></body></html>").encode()
