"""feeds.html, feeds.opml, sitemap.html, the XSL stylesheets and config validation."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from lxml import etree, html
from publish_helpers import NOW, article, fill

from feeds import config as config_mod
from feeds.errors import ConfigError
from feeds.publish import publish


def test_directory_opml_and_sitemap_page(make_config, store):
    config = make_config("feeds:\n  tags: [{id: chuangxin, tag: 创新, title: 创新专题}]\n")
    fill(store, [article(1), article(2, channel="tech", title="科技 & <新闻>")])
    publish(config, store, NOW, send=False)
    out = config.output_path
    page = html.fromstring((out / "feeds.html").read_bytes())
    raw = page.xpath("//a/@href")
    hrefs = {urljoin("https://feeds.example.cn/feeds.html", h) for h in raw}
    for path in ("rss.xml", "atom.xml", "feed.json", "channels/tech/rss.xml",
                 "tags/chuangxin/feed.json", "feeds.opml", "index.html",
                 "channels/tech/index.html", "tags/chuangxin/index.html"):
        assert f"https://feeds.example.cn/{path}" in hrefs
    assert not [h for h in raw if h.startswith("https://feeds.example.cn/")]  # all relative
    opml = etree.parse(str(out / "feeds.opml"))
    urls = opml.xpath("//outline/@xmlUrl")
    assert "https://feeds.example.cn/channels/news/rss.xml" in urls and len(urls) == 4
    sitemap = html.fromstring((out / "sitemap.html").read_bytes())
    text = sitemap.text_content()
    assert "新闻中心" in text and "科技 & <新闻>" in text
    assert sitemap.xpath("//meta[@name='viewport']")
    links = {urljoin("https://feeds.example.cn/sitemap.html", h)
             for h in sitemap.xpath("//a/@href")}
    assert {"https://feeds.example.cn/sitemap.xml", "https://feeds.example.cn/feeds.html",
            "https://feeds.example.cn/channels/news/index.html",
            "https://feeds.example.cn/channels/news/rss.xml"} <= links
    assert "http://www.example.cn/news/" in links


def test_feed_and_sitemap_stylesheets_render_chinese_pages(make_config, store):
    config = make_config()
    fill(store, [article(1)])
    publish(config, store, NOW, send=False)
    out = config.output_path
    for doc, xsl in (("rss.xml", "feed.xsl"), ("atom.xml", "feed.xsl"),
                     ("sitemap.xml", "sitemap.xsl"), ("sitemaps/articles-2026-03.xml",
                                                      "sitemap.xsl")):
        transform = etree.XSLT(etree.parse(str(out / "style" / xsl)))
        page = str(transform(etree.parse(str(out / doc))))
        assert "订阅" in page or "搜索引擎" in page
        assert any(s in page for s in ("A &amp; B &lt; C &gt; D", "news/1.html", "articles-2026-03"))


def test_config_rejects_unknown_feed_source(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("site: {title: t, base_url: 'https://a.example/'}\n"
                    "feeds:\n  sources: [nope]\nsitemaps:\n  bogus: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config_mod.load(path)
    text = str(err.value)
    assert "sources.yaml:3: feeds.sources[0]: unknown source 'nope'" in text
    assert "sitemaps.bogus: unknown key" in text
