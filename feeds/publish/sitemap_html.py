"""The human 网站地图 page output/sitemap.html: every channel with its latest articles, links to
its feed page, its feeds and the XML sitemaps (relative links). Readable on a phone (one
column, viewport meta)."""

from __future__ import annotations

from ..config import Config
from ..model import Article
from .feedset import FeedSpec
from .formats import FORMATS
from .htmlpage import E, link, page

__all__ = ["render"]


def render(config: Config, specs: list[FeedSpec], latest: dict[str, list[Article]],
           sitemap_urls: list[str]) -> bytes:
    """sitemap.html from the channel feeds' specs, each channel's latest articles and the
    XML sitemap URLs (index first)."""
    site = config.site
    body = [E.P(link(site.home_url, "网站首页"), " · ", link("feeds.html", "RSS订阅"))]
    by_key = {s.key: s for s in specs}
    for channel in config.channels:
        spec = by_key.get(f"channel:{channel.id}")
        heading = link(channel.url, channel.title) if channel.url else channel.title
        body.append(E.H2(heading))
        if spec is not None:
            body.append(E.P(link(spec.page, "订阅页"), " · ", *_feed_links(config, spec),
                            {"class": "muted"}))
        articles = latest.get(channel.id, [])
        body.append(E.UL(*[_article(a, site.tz) for a in articles]) if articles
                    else E.P("暂无文章", {"class": "muted"}))
    topics = [s for s in specs if s.key.startswith("topic:")]
    if topics:
        body.append(E.H2("专题"))
        body.append(E.UL(*[E.LI(link(s.page, s.title.removeprefix(f"{site.title} - ")), " ",
                                E.SPAN("订阅：", *_feed_links(config, s), {"class": "muted"}))
                           for s in topics]))
    if sitemap_urls:
        body.append(E.H2("XML 网站地图"))
        base = site.absolute("")
        body.append(E.UL(*[E.LI(link(u.removeprefix(base) if u.startswith(base) else u, u))
                           for u in sitemap_urls]))
    return page(f"{site.title} - 网站地图", site.language, body, site.home_url)


def _feed_links(config: Config, spec: FeedSpec) -> list:
    out: list = []
    for fmt in FORMATS.values():
        if out:
            out.append(" · ")
        out.append(link(spec.path(fmt), fmt.label))  # relative: sitemap.html is at the root
    return out


def _article(article: Article, tz) -> object:
    local = article.published.astimezone(tz)
    return E.LI(link(article.url, article.title), " ",
                E.SPAN(local.strftime("%Y-%m-%d"), {"class": "muted"}))
