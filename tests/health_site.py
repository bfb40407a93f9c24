"""A channel site and partner feeds that change between polls, served by the test itself.

`ChannelSite.mode` picks what the next poll sees: "ok", or one of the layout changes of the
health tests; `newest` moves on by one article per healthy poll, as a live list rotates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime

SITE_NAME = "测试新闻网"
LOGIN = "请登录后阅读全文。本站会员登录后即可免费阅读本文全部内容，未注册用户请先注册账号"  # 40 characters
BASE = datetime.fromisoformat("2026-11-20T00:00:00+08:00")


@dataclass
class ChannelSite:
    """The channel's list page (`/news/`), its article pages and a partner RSS feed."""

    mode: str = "ok"
    newest: int = 20  # article numbers newest-19 .. newest are listed
    size: int = 20
    gap: timedelta = timedelta(hours=1)  # between two articles
    start: datetime = BASE  # when article 20 was published

    def published(self, n: int) -> datetime:
        return self.start + self.gap * (n - 20)

    def listed(self) -> list[int]:
        count = self.size // 2 if self.mode == "half" else self.size
        return list(range(self.newest, self.newest - count, -1))

    def title(self, n: int) -> str:
        return SITE_NAME if self.mode == "site-title" else f"第{n}期 企业创新观察：{n % 7}号园区"

    def body(self, n: int) -> str:
        if self.mode == "login":
            return f"<p>{LOGIN}</p>"
        return "".join(f"<p>园区第{n}篇报道的第{p}段，讲述企业在{n % 5 + p}个方向上的新进展。</p>"
                       for p in range(3 + n % 4))

    def list_page(self) -> str:
        container = "list" if self.mode == "renamed" else "news"
        items = "".join(f'<li><a href="/news/2026/{n}.html">{self.title(n)}</a></li>'
                        for n in self.listed())
        return (f"<html><head><title>新闻中心_{SITE_NAME}</title></head><body>"
                f'<div class="nav"><a href="/">首页</a></div><ul class="{container}">{items}</ul>'
                "</body></html>")

    def article(self, n: int) -> str:
        when = self.published(n).strftime("%Y-%m-%d %H:%M")
        info = (f'<div class="info">来源：{SITE_NAME}</div><div class="meta"><b>{when}</b></div>'
                if self.mode == "date-moved" else
                f'<div class="info"><span class="time">{when}</span> 来源：{SITE_NAME}</div>')
        return (f"<html><head><title>{self.title(n)}_{SITE_NAME}</title></head><body>"
                f"<h1>{self.title(n)}</h1>{info}<div class=\"content\">{self.body(n)}</div>"
                "</body></html>")

    def feed(self) -> str:
        items = "".join(
            f"<item><title>{self.title(n)}</title><link>http://partner.test/a/{n}.html</link>"
            f"<guid>partner-{n}</guid>"
            + ("" if self.mode == "date-moved" else
               f"<pubDate>{format_datetime(self.published(n))}</pubDate>")
            + f"<description><![CDATA[{self.body(n)}]]></description></item>"
            for n in self.listed())
        if self.mode == "renamed":  # the partner moved its feed: a login page comes back
            return f"<html><body><form>{LOGIN}</form></body></html>"
        return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>合作伙伴</title><link>http://partner.test/</link>"
                f"<description>合作伙伴稿件</description>{items}</channel></rss>")

    def serve(self, server, prefix: str = "") -> None:  # type: ignore[no-untyped-def]
        """Install the site's routes (under `prefix`) on a tests.conftest LocalServer."""
        def route(kind: str):  # type: ignore[no-untyped-def]
            def answer(handler):  # type: ignore[no-untyped-def]
                if self.mode == "503":
                    return 503, {"Content-Type": "text/plain"}, b"busy"
                if kind == "feed":
                    return 200, {"Content-Type": "application/rss+xml"}, self.feed().encode()
                if kind == "list":
                    return 200, {"Content-Type": "text/html; charset=utf-8"}, \
                        self.list_page().encode()
                n = int(handler.path.rsplit("/", 1)[1].split(".")[0])
                return 200, {"Content-Type": "text/html; charset=utf-8"}, self.article(n).encode()
            return answer

        server.routes[f"{prefix}/news/"] = route("list")
        server.routes[f"{prefix}/partner.xml"] = route("feed")
        for n in range(0, self.newest + 200):
            server.routes[f"{prefix}/news/2026/{n}.html"] = route("article")
        server.routes["/hook"] = (200, {"Content-Type": "text/plain"}, b"ok")
