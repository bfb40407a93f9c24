"""Fixture pages paired with their expected articles (tests/data/pages/*.json), collected by an
`html` source with no rules at all (the generic extractor) over a local HTTP server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from feeds import config as config_mod
from feeds.fetch import Fetcher
from feeds.normalise import html_to_text
from feeds.pipeline import run_once
from feeds.store import open_store

PAGES = Path(__file__).parent / "data" / "pages"
NOW = datetime(2023, 8, 1, 4, 0, tzinfo=UTC)
SERVED = {"seed-utf8": "/innovation/2023/0726/9001.html", "gbk-table": "/industry/9002.html",
          "relative-jsonld": "/brand/9003.html"}


def test_fixture_pages_through_the_pipeline(http_server, write_config):
    for name, path in SERVED.items():  # no charset in the HTTP header: the page must say it
        http_server.add(path, (PAGES / f"{name}.html").read_bytes(), "text/html")
    links = "".join(f'<li><a href="{p}?utm_source=list">第{i}篇文章的标题</a></li>'
                    for i, p in enumerate(SERVED.values()))
    http_server.add("/list.html", f"<html><body><ul>{links}</ul></body></html>")
    config = config_mod.load(write_config(f"""\
sources:
  - id: generic
    kind: html
    url: {http_server.url('/list.html')}
    allow_private: true
    channel: news
"""))
    store, fetcher = open_store(config.store_url), Fetcher()
    try:
        result = run_once(config, store, fetcher, NOW)
        stored = {a.url: a for a in store.recent(10)}
    finally:
        fetcher.close()
        store.close()
    assert result.collected[0].ok and result.collected[0].new == 3
    server = http_server.url("").rstrip("/")
    for name in SERVED:
        want = json.loads((PAGES / f"{name}.json").read_text("utf-8").replace("{server}", server))
        article = stored[want["url"]]
        got = {
            "title": article.title, "url": article.url,
            "published": article.published.isoformat(), "summary": article.summary,
            "content_text": html_to_text(article.content_html).split(),
            "authors": list(article.authors), "editor": article.editor,
            "origin": article.origin, "tags": list(article.tags),
            "image": article.image and {"url": article.image.url, "width": article.image.width,
                                        "height": article.image.height},
        }
        if "dated" in want:
            got["dated"] = article.dated
        for key, value in want.items():
            assert got[key] == value, f"{name}: {key}"
