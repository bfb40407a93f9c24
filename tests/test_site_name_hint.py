"""The html kind tells the extractor what its listing pages call the site, so an article page
whose <title> and first heading are only the site's name still gets its own headline."""

from __future__ import annotations

from datetime import UTC, datetime

from feeds import config as config_mod
from feeds.fetch import Fetcher
from feeds.sources import html as html_kind

NOW = datetime(2023, 11, 1, tzinfo=UTC)
ARTICLE = """<html><head><title>东湖新闻网</title></head><body><h1>东湖新闻网</h1>
<div class="main"><h2>东湖区举办第五届社区运动会</h2><div class="info">2023-10-22 15:00</div>
<div class="text"><p>10月22日，东湖区第五届社区运动会开幕，来自全区各社区的八百余名居民参加比赛，
现场气氛热烈。</p><p>本届运动会设置趣味跳绳、拔河、乒乓球等十个项目，赛期两天。</p></div></div>
</body></html>"""
LISTING = """<html><head><title>社区新闻_东湖新闻网</title></head><body><h1>东湖新闻网</h1>
<ul><li><a href="/sq/2023/1022/6.html">东湖区举办第五届社区运动会</a></li></ul></body></html>"""


def test_listing_pages_name_the_site(http_server, write_config):
    http_server.add("/sq/", LISTING)
    http_server.add("/sq/2023/1022/6.html", ARTICLE)
    config = config_mod.load(write_config(f"""\
sources:
  - id: dh
    kind: html
    url: {http_server.url('/sq/')}
    allow_private: true
    channel: news
"""))
    source = config.source("dh")
    assert source is not None
    fetcher = Fetcher()
    try:
        raws = html_kind.collect(source, fetcher.for_source(source), NOW)
    finally:
        fetcher.close()
    assert [r.title for r in raws] == ["东湖区举办第五届社区运动会"]


def test_without_a_hint_the_page_alone_cannot_tell():
    from feeds.extract import extract

    assert extract(ARTICLE, "http://x/").title == "东湖新闻网"


def test_a_title_every_page_shares_is_the_site_name(http_server, write_config):
    """A sitemap has no listing page: a title three pages share names the site."""
    from feeds.sources import sitemap as sitemap_kind

    headlines = ["东湖区举办第五届社区运动会", "东湖区新建三座公共停车场", "东湖区图书馆延长开放时间"]
    urls = []
    for i, headline in enumerate(headlines):
        path = f"/sq/2023/1022/{i}.html"
        http_server.add(path, ARTICLE.replace("东湖区举办第五届社区运动会", headline))
        urls.append(f"<url><loc>{http_server.url(path)}</loc></url>")
    http_server.add("/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                    f'"http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(urls)}</urlset>',
                    "application/xml")
    config = config_mod.load(write_config(f"""\
sources:
  - id: sm
    kind: sitemap
    url: {http_server.url('/sitemap.xml')}
    allow_private: true
    channel: news
"""))
    source = config.source("sm")
    assert source is not None
    fetcher = Fetcher()
    try:
        raws = sitemap_kind.collect(source, fetcher.for_source(source), NOW)
    finally:
        fetcher.close()
    assert sorted(r.title for r in raws) == sorted(headlines)
