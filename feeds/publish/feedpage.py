"""Each feed's own page for people: output/<feed folder>/index.html.

Browsers are dropping XSLT, so a feed must not depend on feed.xsl to explain itself: this page
shows the channel's latest items, the subscribe box (the feed's URL in every format, to copy
into a reader), the OPML of all feeds, and links to feeds.html and sitemap.html. It is linked
from feeds.html, sitemap.html and each feed (`rel="related"`; JSON Feed: `_feeds.page`).
Every link is relative, so output/ works from its own origin, under a path prefix, or copied.
"""

from __future__ import annotations

from ..config import Site
from ..model import Article
from .feedset import FeedSpec
from .formats import FORMATS
from .htmlpage import E, link, page

__all__ = ["render"]

LATEST = 50  # items shown: the feed's own (feeds.limit)


def render(site: Site, spec: FeedSpec) -> bytes:
    """index.html of one feed (pure: the same spec gives the same bytes)."""
    up = spec.up
    rows = [E.LI(fmt.label, "：", link(fmt.file, fmt.file, type=fmt.mime), E.BR(),
                 E.CODE(site.absolute(spec.path(fmt))))
            for fmt in FORMATS.values()]
    body = [
        E.P(spec.description, {"class": "muted"}),
        E.DIV(
            E.P(E.STRONG("订阅"), "：把下面任一订阅地址复制到 RSS 阅读器（如 Feedly、Inoreader、"
                "NetNewsWire、Thunderbird）的“添加订阅”中，新文章会自动送达。"),
            E.UL(*rows),
            E.P("一次订阅本站全部订阅源：", link(f"{up}feeds.opml", "feeds.opml"),
                "（在阅读器中选择“导入 OPML”）。"),
            {"class": "box"}),
        E.H2("最新文章"),
        E.UL(*[_item(site, a) for a in spec.articles[:LATEST]]) if spec.articles
        else E.P("暂无文章", {"class": "muted"}),
        E.P(link(f"{up}feeds.html", "全部订阅源"), " · ", link(f"{up}sitemap.html", "网站地图"),
            " · ", link(spec.link, "访问网站"), {"class": "nav"}),
    ]
    return page(spec.title, spec.language or site.language, body, site.home_url)


def _item(site: Site, article: Article) -> object:
    when = article.published.astimezone(site.tz).strftime("%Y-%m-%d %H:%M")
    parts: list[object] = [link(article.url, article.title), " ",
                           E.SPAN(when, {"class": "muted"})]
    if article.summary:
        parts += [E.BR(), E.SPAN(article.summary, {"class": "summary"})]
    return E.LI(*parts)
