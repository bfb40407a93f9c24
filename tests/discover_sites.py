"""Small local sites with different listing layouts, for `feeds discover` tests.

Each site has a listing page (its article links in a repeated block, plus navigation, a
hot-links sidebar and a pager that must not be mistaken for it) and article pages the generic
extractor can read. `add_site(server, layout)` serves one and returns what a correct
discovery must find.
"""

from __future__ import annotations

from dataclasses import dataclass

from conftest import LocalServer

TITLES = ["宁波市科技创新工作获省政府督查激励", "广州开发区发布十条措施支持科技型中小企业",
          "全国首批创新型孵化器名单公布", "大学生创业园迎来第三批入驻团队",
          "人工智能创新应用大赛决赛在深圳举行", "杭州发明专利拥有量突破十万件"]
BODY = ("<p>{title}。记者从有关部门获悉，今年以来各地持续优化营商环境，推动产业链上下游协同发展，"
        "一批重点项目陆续开工建设，为经济稳定增长提供了有力支撑。</p>"
        "<p>业内人士表示，下一步将继续加大政策支持力度，促进科技成果转化，"
        "着力培育新的增长点，进一步激发市场主体活力。</p>")
NAV = ('<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a> <a href="/tech/">科技</a>'
       ' <a href="/about.html">关于我们</a></div>')
SIDEBAR = ('<div class="hot"><h3>热门</h3><ul><li><a href="/hot/1.html">热</a></li>'
           '<li><a href="/hot/2.html">热点</a></li><li><a href="/hot/3.html">热榜</a></li></ul></div>')


@dataclass
class Site:
    listing: str  # the listing page URL
    articles: list[str]  # the article URLs a correct discovery selects, in order
    next_page: str = ""


def _page(title: str, body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}'
            f"</title>{head}</head><body>{NAV}{body}{SIDEBAR}</body></html>")


def _article(n: int, title: str, date: str) -> str:
    return _page(f"{title}_测试网", f'<div class="art"><h1>{title}</h1><div class="info">'
                 f"发布时间：{date} 来源：测试网</div><div class=\"content\">"
                 f"{BODY.format(title=title)}</div></div>")


def _rows(layout: str, links: list[tuple[str, str, str]]) -> str:
    if layout == "table":
        rows = "".join(f'<tr><td class="t"><a href="{u}">{t}</a></td><td>{d}</td></tr>'
                       for u, t, d in links)
        return f'<table class="list"><tr><th>标题</th><th>日期</th></tr>{rows}</table>'
    if layout == "dl":
        rows = "".join(f'<dt><a href="{u}">{t}</a></dt><dd>摘要：{t}的详细报道。</dd>'
                       for u, t, _ in links)
        return f'<dl class="news">{rows}</dl>'
    if layout == "spans":
        rows = "".join(f'<div class="item"><span class="date">{d}</span>'
                       f'<a class="title" href="{u}">{t}</a><span class="src">来源：新华网</span></div>'
                       for u, t, d in links)
        return f'<div id="main">{rows}</div>'
    rows = "".join(f'<li><a href="{u}">{t}</a><span>{d}</span></li>' for u, t, d in links)
    return f'<ul class="newslist">{rows}</ul>'


def add_site(server: LocalServer, layout: str) -> Site:
    """Serve one site under /<layout>/ and return what discovery should find there."""
    base = f"/{layout}"
    shapes = {"table": "/{y}/{n:04d}/{i}.html", "dl": "/a/{i}.shtml",
              "spans": "/p/{y}/{n:02d}/xyz-{i}.html", "paged": "/news/{y}{n:02d}/t{i}.html"}
    links, urls = [], []
    for i, title in enumerate(TITLES, 1):
        date = f"2024-01-{10 - i:02d} 0{i}:30"
        path = base + shapes[layout].format(y=2024, n=i, i=1000 + i)
        server.add(path, _article(i, title, date))
        links.append((path, title, date[:10]))
        urls.append(server.url(path))
    pager = ""
    if layout == "paged":
        pager = ('<div class="pages"><a href="index.html">1</a> <a href="index_2.html">2</a> '
                 '<a href="index_3.html">3</a> <a href="index_2.html">下一页</a></div>')
        server.add(f"{base}/index_2.html", _page("第2页", _rows(layout, links[:2])))
    listing = server.add(f"{base}/index.html", _page("列表_测试网", _rows(layout, links) + pager))
    return Site(listing, urls, server.url(f"{base}/index_2.html") if pager else "")
