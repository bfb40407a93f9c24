"""Pages, feeds and sitemaps a hostile partner site would serve, and what a run left behind."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import feedparser
from fetch_helpers import RSS_TYPE, load_config, rss, run, source_yaml
from url_audit import unsafe_urls

from feeds.model import Article
from feeds.pipeline import RunResult
from feeds.store import open_store

__all__ = ["SECRET", "Outcome", "article_page", "feed_of", "listing", "run_with_good",
           "sitemap_of"]

SECRET = "TOPSECRET-7f3a"  # the text of a local file no source may ever read
BODY = ("<p>这是一篇正常的文章，内容足够长，可以被正文提取器识别为正文。第一段介绍了事件的经过。</p>"
        "<p>第二段补充了更多细节，包括时间、地点和人物，确保这是一篇完整的新闻报道。</p>"
        "<p>第三段是结尾，总结了事件的意义，并展望了未来的发展方向和可能的影响。</p>")


def article_page(title: str, head: str = "", date: str = "2026-11-25 10:00",
                 body: str = BODY) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}"
            f"</head><body><h1>{title}</h1><div class='info'>发布时间：{date}</div>"
            f"<div class='content'>{body}</div></body></html>")


def listing(*hrefs: str, next_href: str = "") -> str:
    links = "".join(f"<li><a href='{h}'>这是一条足够长的文章标题 {i}</a></li>"
                    for i, h in enumerate(hrefs))
    nxt = f"<a href='{next_href}'>下一页</a>" if next_href else ""
    return f"<!DOCTYPE html><html><body><ul class='news'>{links}</ul>{nxt}</body></html>"


def feed_of(*items: tuple[str, str, str]) -> bytes:
    """An RSS feed of (title, link, guid) items."""
    body = "".join(f"<item><title>{t}</title><link>{link}</link>"
                   + (f"<guid isPermaLink='false'>{g}</guid>" if g else "")
                   + "<pubDate>Wed, 25 Nov 2026 08:00:00 +0800</pubDate>"
                   f"<description>{t} 摘要</description></item>" for t, link, g in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>h</title>'
            f"<link>http://www.example.cn/</link><description>d</description>{body}"
            "</channel></rss>").encode()


def sitemap_of(*locs: str, index: bool = False) -> bytes:
    tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    body = "".join(f"<{item}><loc>{loc}</loc></{item}>" for loc in locs)
    return (f'<?xml version="1.0" encoding="UTF-8"?><{tag} '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</{tag}>').encode()


@dataclass
class Outcome:
    """What one run stored and published."""

    result: RunResult
    stored: list[Article]  # the hostile sources' articles
    good: list[Article]
    output: Path

    def error_kind(self, source_id: str) -> str:
        [r] = [r for r in self.result.collected if r.source_id == source_id]
        return r.error.kind if r.error else ""

    @property
    def urls(self) -> set[str]:
        return {a.url for a in self.stored}

    def published_links(self) -> set[str]:
        """Item links of the site feed, read back with feedparser (RSS and Atom) and json."""
        links: set[str] = set()
        for name in ("rss.xml", "atom.xml"):
            parsed = feedparser.parse((self.output / name).read_bytes())
            assert not parsed.bozo, (name, parsed.get("bozo_exception"))
            links |= {e.link for e in parsed.entries}
        doc = json.loads((self.output / "feed.json").read_bytes())
        return links | {i["url"] for i in doc["items"]}


def run_with_good(server, write_config, hostile_sources: list[str]) -> Outcome:
    """Run the hostile sources beside a well-behaved feed; check what must always hold."""
    server.add("/good.xml", rss("good"), RSS_TYPE)
    config = load_config(write_config, [source_yaml("good", server.url("/good.xml")),
                                        *hostile_sources])
    result, _ = run(config)
    store = open_store(config.store_url)
    try:
        articles = store.recent(1000)
    finally:
        store.close()
    out = config.output_path
    outcome = Outcome(result, [a for a in articles if a.source_id != "good"],
                      [a for a in articles if a.source_id == "good"], out)
    # always: the good source is untouched, nothing secret leaked, every URL is http(s)
    assert outcome.error_kind("good") == "" and len(outcome.good) == 2
    assert {a.url for a in outcome.good} <= outcome.published_links()
    assert not unsafe_urls(out), unsafe_urls(out)[:5]
    for path in [*out.rglob("*"), Path(config.store_url)]:
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    return outcome
