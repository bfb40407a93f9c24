"""The feed directory: output/feeds.html (RSS订阅) and output/feeds.opml (OPML 2.0 import)."""

from __future__ import annotations

from lxml import etree

from ..config import Site
from .feedset import FeedSpec
from .formats import FORMATS
from .htmlpage import E, link, page

__all__ = ["render_html", "render_opml"]


def render_html(site: Site, specs: list[FeedSpec]) -> bytes:
    """feeds.html: every feed with its own page, its URL in each format, and how to subscribe.
    Links are relative (output/ works from any origin or path prefix); the URLs shown to copy
    into a reader are absolute."""
    items = []
    for spec in specs:
        urls = [E.LI(fmt.label, "：", link(spec.path(fmt), site.absolute(spec.path(fmt)),
                                          type=fmt.mime))
                for fmt in FORMATS.values()]
        label = [f"（{spec.language}）"] if spec.language else []
        items.append(E.LI(link(spec.page, spec.title), *label, E.UL(*urls),
                          **({"lang": spec.language} if spec.language else {})))
    body = [
        E.P("把下面的订阅地址复制到 RSS 阅读器（如 Feedly、Inoreader、NetNewsWire、"
            "Thunderbird）里即可订阅，新文章会自动送达。点订阅源的名字可浏览它的最新文章。",
            {"class": "muted"}),
        E.P("一次订阅全部：下载 ", link("feeds.opml", "feeds.opml"),
            " 并在阅读器中选择“导入 OPML”。"),
        E.UL(*items),
        E.P(E.A("网站地图", href="sitemap.html"), " · ", E.A("返回首页", href=site.home_url)),
    ]
    return page(f"{site.title} - RSS订阅", site.language, body, site.home_url)


def render_opml(site: Site, specs: list[FeedSpec]) -> bytes:
    """feeds.opml: one outline per feed (RSS URL), importable by any reader in one go."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{site.title} - RSS订阅"
    etree.SubElement(head, "ownerId").text = site.home_url
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    for spec in specs:
        etree.SubElement(body, "outline", type="rss", text=spec.title, title=spec.title,
                         xmlUrl=site.absolute(spec.path(FORMATS["rss"])), htmlUrl=spec.link,
                         description=spec.description, language=spec.language or site.language)
    return etree.tostring(root.getroottree(), pretty_print=True, xml_declaration=True,
                          encoding="UTF-8")
