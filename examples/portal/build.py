"""Render the example portal from articles.yaml into site/ and site-v2/ (run from anywhere).

The pages imitate the real portal (../../../shared/seed/): nav, hot keywords, ads, breadcrumb,
导言, a share bar, 责任编辑, tags, comments and a footer around the article; GBK pages for the
articles marked `gbk`; lazy images; relative links; canonical links to the live site with a
tracking parameter on some. site-v2/ holds the pages that changed when article 1201 was
edited (serve site/ with site-v2/ laid over it).
"""

from __future__ import annotations

import shutil
from html import escape
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
LIVE = "http://www.cenn.cn/"
CHANNELS = {"innovation": "创新创业", "industry": "行业资讯", "brand": "品牌观察"}
PER_PAGE = 4

HEAD = """<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta {charset}>
<title>{title}_中国企业新闻网</title>
<meta name="keywords" content="中国企业新闻网,企业,新闻">
{extra}<link rel="stylesheet" href="{up}css/style.css">
<script>var _hmt = _hmt || []; document.write("<div class='ad'>广告</div>");</script>
</head><body>
<div class="top"><a href="{up}index.html">网站首页</a>| <a href="{up}sitemap.html">网站地图</a>| <a href="{up}rss/innovation.xml">RSS</a>
<span>中国网圈网| 加入收藏夹 设为首页</span></div>
<div class="nav"><ul>{nav}</ul></div>
<div class="hotkeys">热门关键字: <a href="{up}search.html?k=中大博学院">中大博学院</a><a href="{up}search.html?k=企业">企业</a><a href="{up}search.html?k=广州">广州</a><a href="{up}search.html?k=品牌">品牌</a><a href="{up}search.html?k=互联网">互联网</a></div>
<div class="ads"><a href="http://ad.example.com/1"><img src="{up}images/ad1.gif" width="190" height="60" alt="利富塑电"></a><a href="http://ad.example.com/2"><img src="{up}images/ad2.gif" width="190" height="60" alt="雷格设计"></a><a href="http://ad.example.com/3">广州东尼照明科技有限公司</a><a href="http://ad.example.com/4">金煌装饰</a></div>
"""
FOOT = """<div class="footer"><p><a href="{up}about.html">关于我们</a> | <a href="{up}service.html">CENN服务</a> | <a href="{up}ads.html">刊登广告</a> | <a href="{up}law.html">法律声明</a> | <a href="{up}contact.html">联系我们</a> | <a href="{up}m/">手机版</a></p>
<p>客户服务热线:020-34333079、34333137 举报电话:020-34333002 投稿邮箱:cenn_gd@126.com</p>
<p>版权所有:中国企业新闻网 运营商:广州至高点网络科技投资有限公司</p><p>粤ICP备12024738号-1</p></div>
<script src="{up}js/stat.js"></script></body></html>
"""
ARTICLE = """<div class="crumb">{channel_title}<br>首页 &gt; <a href="../../index.html">{channel_title}</a> &gt; 详细内容</div>
<div class="main"><div class="left">
<h1>{title}</h1>
<div class="info">{date} 来源:中国企业新闻网 {author}</div>
{updated}{lead}<div class="content" id="zoom">
{paragraphs}
<p>　　来源:{origin} </p>
</div>
<div class="share">分享到: <a href="http://service.weibo.com/share/share.php?url=x">新浪微博</a> <a href="#">微信</a> <a href="#">QQ空间</a></div>
<div class="editor">[责任编辑:{editor}]</div>
<div class="more">更多新闻,请关注 <a href="../../index.html">中国企业新闻网</a></div>
<div class="tags">标签 : {tags}</div>
<div class="comment"><h3>网客评论</h3><div class="item"><span>网友1234</span> 说得很好，支持！</div><div class="item"><span>网友5678</span> 期待后续报道。</div>
<form action="/comment"><textarea name="c"></textarea><button>发表评论</button></form></div>
</div><div class="right"><h3>热点新闻</h3><ul>{hot}</ul></div></div>
"""


def nav(up: str) -> str:
    items = [f'<li><a href="{up}index.html">首页</a></li>']
    items += [f'<li><a href="{up}{cid}/index.html">{t}</a></li>' for cid, t in CHANNELS.items()]
    return "".join(items)


def page(title: str, up: str, body: str, gbk: bool = False, extra: str = "") -> bytes:
    charset = ('http-equiv="Content-Type" content="text/html; charset=gb2312"' if gbk
               else 'charset="utf-8"')
    text = HEAD.format(charset=charset, title=escape(title), extra=extra, up=up, nav=nav(up))
    text += body + FOOT.format(up=up)
    return text.encode("gb18030" if gbk else "utf-8")


def article_path(a: dict) -> str:
    return f"{a['channel']}/2023/{a['id']}.html"


def render_article(a: dict, articles: list[dict], v2: bool) -> bytes:
    paragraphs = a.get("edit") if v2 and a.get("edit") else a["paragraphs"]
    image = (f'<p style="text-align:center"><img src="../../images/grey.gif" '
             f'data-original="../../images/2023/{a["id"]}.jpg" width="600" height="400" '
             f'alt="{escape(a["title"])}"></p>') if a["id"] % 2 else ""
    body = image + "".join(f"<p>　　{escape(p)}</p>\n" for p in paragraphs) + "<p>　　</p>"
    hot = "".join(f'<li><a href="../../{article_path(o)}">{escape(o["title"])}</a></li>'
                  for o in articles[:6] if o is not a)
    tags = " ".join(f'<a href="../../search.html?k={escape(t)}">{escape(t)}</a>' for t in a["tags"])
    canonical = LIVE + article_path(a) + ("?from=timeline&spm=a2.1" if a["id"] % 3 == 0 else "")
    extra = (f'<link rel="canonical" href="{canonical}">\n'
             f'<meta property="og:title" content="{escape(a["title"].split("“")[0])}">\n')
    if a["id"] % 2:
        extra += (f'<meta property="og:image" content="../../images/2023/{a["id"]}.jpg">\n'
                  '<meta property="og:image:width" content="600">\n'
                  '<meta property="og:image:height" content="400">\n')
    html = ARTICLE.format(
        channel_title=CHANNELS[a["channel"]], title=escape(a["title"]), date=escape(a["date"]),
        author=f"作者:{escape(a['author'])}" if a.get("author") else "",
        updated='<div class="updated">更新时间:2023-07-28 09:00</div>\n' if v2 and a.get("edit") else "",
        lead=f'<div class="lead">导言:{escape(a["lead"])}</div>\n' if a.get("lead") else "",
        paragraphs=body, origin=escape(a["origin"]), editor=escape(a["editor"]), tags=tags,
        hot=hot)
    return page(a["title"], "../../", html, gbk=bool(a.get("gbk")), extra=extra)


def render_listing(cid: str, items: list[dict], n: int, pages: int) -> bytes:
    rows = "".join(
        f'<li><a href="2023/{a["id"]}.html{"?utm_source=list&amp;utm_medium=web" if a["id"] % 4 == 0 else ""}">'
        f'{escape(a["title"])}</a><span>{a["date"][:10]}</span></li>\n' for a in items)
    pager = " ".join(f'<a href="{_listing_name(k)}">{k}</a>' for k in range(1, pages + 1))
    if n < pages:
        pager += f' <a href="{_listing_name(n + 1)}">下一页</a>'
    body = (f'<div class="crumb">首页 &gt; {CHANNELS[cid]}</div><div class="list"><ul class="news">\n'
            f'{rows}</ul><div class="pager">{pager}</div></div>')
    return page(f"{CHANNELS[cid]} 第{n}页", "../", body)


def _listing_name(n: int) -> str:
    return "index.html" if n == 1 else f"index_{n}.html"


def render_home(articles: list[dict]) -> bytes:
    blocks = []
    for cid, title in CHANNELS.items():
        items = [a for a in articles if a["channel"] == cid][:5]
        rows = "".join(f'<li><a href="{article_path(a)}">{escape(a["title"])}</a></li>' for a in items)
        blocks.append(f'<div class="block"><h2><a href="{cid}/index.html">{title}</a></h2><ul>{rows}</ul></div>')
    return page("首页", "", "".join(blocks))


def build(out: Path, articles: list[dict], v2: bool) -> None:
    if out.exists():
        shutil.rmtree(out)
    for a in articles:
        target = out / article_path(a)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render_article(a, articles, v2))
    for cid in CHANNELS:
        items = [a for a in articles if a["channel"] == cid]
        pages = -(-len(items) // PER_PAGE)
        for n in range(1, pages + 1):
            chunk = items[(n - 1) * PER_PAGE: n * PER_PAGE]
            (out / cid / _listing_name(n)).write_bytes(render_listing(cid, chunk, n, pages))
    (out / "index.html").write_bytes(render_home(articles))


def main() -> None:
    articles = yaml.safe_load((HERE / "articles.yaml").read_text(encoding="utf-8"))
    build(HERE / "site", articles, v2=False)
    build(HERE / "site-v2", articles, v2=True)
    _keep_only_changes(HERE / "site-v2", HERE / "site")
    print(f"{len(articles)} articles rendered into site/; the pages edited since into site-v2/")


def _keep_only_changes(newer: Path, older: Path) -> None:
    """site-v2/ holds only what changed: serve site/ with site-v2/ laid over it."""
    for path in sorted(newer.rglob("*"), reverse=True):  # files before their folders
        twin = older / path.relative_to(newer)
        if path.is_file() and twin.is_file() and path.read_bytes() == twin.read_bytes():
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


if __name__ == "__main__":
    main()
