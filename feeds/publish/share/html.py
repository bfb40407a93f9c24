"""Render a `ShareMeta` as the share page, its <head> fragment and its JSON. Pure functions.

Share pages are rendered a million at a time, so the markup is assembled from fixed templates
rather than built as lxml trees (which cost more than everything else together). The rule
that keeps it safe is simple and tested with hostile titles: every value that comes from an
article or the config passes `esc()` (html.escape: & < > " ') on its way in, attributes are
always double-quoted, and nothing else is ever pasted into markup. The JSON-LD is JSON
escaped for a script element: '<', '>' and '&' as \\u003c \\u003e \\u0026, so no title can
close the script. The page has no JavaScript and a CSP that forbids it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..markup import escape
from .links import LABELS
from .meta import ShareMeta, json_ld, open_graph, twitter, wechat
from .qr import encode, svg_path

__all__ = ["HTML_ATTRS", "STYLE", "STYLESHEET", "esc", "qr_svg", "render_all", "render_head",
           "render_json", "render_page", "script_json"]

ITEMTYPE = "https://schema.org/NewsArticle"
# what the including page's <html> needs for the fragment's itemprops and og: prefixes
HTML_ATTRS = {"prefix": "og: https://ogp.me/ns# article: https://ogp.me/ns/article#",
              "itemscope": "", "itemtype": ITEMTYPE}
CSP = ("default-src 'none'; img-src https: http: data:; style-src 'self'; "
       "base-uri 'none'; form-action 'none'")
STYLESHEET = "share.css"  # output/share/share.css, written once, linked as ../share.css
QR_LABEL = "微信扫一扫，分享到朋友圈"
QR_BORDER = 2  # modules of quiet zone inside the SVG; the page around it is white as well
STYLE = """
body{margin:0;font:16px/1.7 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#222}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;line-height:1.4;margin:.5rem 0}
h1,p{overflow-wrap:anywhere}
img.lead{max-width:100%;height:auto;display:block;margin:1rem 0}
.meta,.site,footer{color:#666;font-size:.9rem}
a{color:#0b57d0}
.read{display:inline-block;padding:.5rem 1rem;border:1px solid #0b57d0;border-radius:4px}
ul.share{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem}
ul.share a{display:inline-block;padding:.3rem .7rem;background:#f1f3f4;border-radius:4px;text-decoration:none}
figure.wechat{margin:1rem 0;text-align:center}
svg.qr{width:160px;height:160px;background:#fff}
footer{max-width:40rem;margin:0 auto;padding:1rem}
""".strip()
_ATTRS = " ".join(f'{k}="{v}"' for k, v in HTML_ATTRS.items())
_PAGE_TOP = ('<!DOCTYPE html>\n<html lang="{lang}" ' + _ATTRS + '><head><meta charset="utf-8">\n'
             '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
             f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n')
_NOTE = ("<!-- share metadata; put on the page's <html>: "
         + " ".join(f'{k}="{v}"' if v else k for k, v in HTML_ATTRS.items()) + " -->\n")


esc = escape  # the name the templates below use


def script_json(data: Any) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' appears literally."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        if char in text:
            text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def qr_svg(url: str) -> str:
    """The article URL as a QR code: an inline SVG with one path; '' if the URL is too long."""
    try:
        code = encode(url)
    except ValueError:
        return ""
    side = code.size + 2 * QR_BORDER
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" class="qr" '
            f'role="img" aria-label="{QR_LABEL}"><title>{QR_LABEL}</title>'
            f'<path stroke="#000" shape-rendering="crispEdges" d="{svg_path(code, QR_BORDER)}"/>'
            "</svg>")


def _meta_lines(meta: ShareMeta) -> str:
    """The article's share metadata: description, Open Graph, X card, microdata, JSON-LD."""
    description, title = esc(meta.description), esc(meta.title)
    lines = [f'<meta name="description" content="{description}">\n'] if description else []
    lines += [f'<meta property="{k}" content="{esc(v)}">\n' for k, v in open_graph(meta)]
    lines += [f'<meta name="{k}" content="{esc(v)}">\n' for k, v in twitter(meta)]
    lines.append(f'<meta itemprop="name" content="{title}">\n')
    if meta.image:
        lines.append(f'<meta itemprop="image" content="{esc(meta.image.url)}">\n')
    if description:
        lines.append(f'<meta itemprop="description" content="{description}">\n')
    lines.append(f'<script type="application/ld+json">{script_json(json_ld(meta))}</script>\n')
    return "".join(lines)


def _feed_lines(meta: ShareMeta) -> str:
    """Feed autodiscovery: the same for every article of a channel, so a CMS puts these in its
    own page template once (feeds.html lists them); the share page carries them itself."""
    return "".join(f'<link rel="alternate" type="{f.type}" title="{esc(f.title)}" '
                   f'href="{esc(f.href)}">\n' for f in meta.feeds)


def render_all(meta: ShareMeta) -> dict[str, bytes]:
    """The three share files of one article, keyed by suffix (the metadata rendered once)."""
    lines = _meta_lines(meta)
    return {".html": _page(meta, lines, qr_svg(meta.url)), ".json": render_json(meta),
            ".head.html": (_NOTE + lines).encode("utf-8")}


def render_head(meta: ShareMeta) -> bytes:
    """The <head> fragment a CMS includes in the article page (its <html> needs HTML_ATTRS)."""
    return (_NOTE + _meta_lines(meta)).encode("utf-8")


def render_page(meta: ShareMeta) -> bytes:
    """The share page: a small, script-free, phone-friendly HTML5 document."""
    return _page(meta, _meta_lines(meta), qr_svg(meta.url))


def _page(meta: ShareMeta, meta_lines: str, qr: str) -> bytes:
    parts = [
        _PAGE_TOP.format(lang=esc(meta.language)),
        f"<title>{esc(meta.title)} - {esc(meta.site_name)}</title>\n",
        f'<link rel="canonical" href="{esc(meta.url)}">\n<link rel="icon" href="data:,">\n',
        meta_lines, _feed_lines(meta),
        f'<link rel="stylesheet" href="../{STYLESHEET}">\n</head><body><main>', _article(meta),
        _share_section(meta, qr), "</main>", _footer(meta), "</body></html>\n",
    ]
    return "".join(parts).encode("utf-8")


def _article(meta: ShareMeta) -> str:
    section = f" · {esc(meta.section)}" if meta.section else ""
    parts = [f'<article><p class="site"><a href="{esc(meta.site_url)}">{esc(meta.site_name)}'
             f'</a>{section}</p><h1>{esc(meta.title)}</h1><p class="meta">{_byline(meta)}</p>']
    if meta.image and meta.image_is_own:
        size = (f' width="{meta.image.width}" height="{meta.image.height}"'
                if meta.image.width and meta.image.height else "")
        parts.append(f'<img class="lead" src="{esc(meta.image.url)}" alt="{esc(meta.image_alt)}"'
                     f' loading="lazy" referrerpolicy="no-referrer"{size}>')
    if meta.lead:
        parts.append(f'<p class="lead">{esc(meta.lead)}</p>')
    parts.append(f'<p><a class="read" href="{esc(meta.url)}">阅读原文 →</a></p></article>')
    return "".join(parts)


def _byline(meta: ShareMeta) -> str:
    when = datetime.fromisoformat(meta.published)
    shown = when.strftime("%Y-%m-%d" if meta.date_only else "%Y-%m-%d %H:%M")
    parts = [f'<time datetime="{meta.published}">{shown}</time>']
    if meta.origin:
        parts.append(f" · 来源：{esc(meta.origin)}")
    if meta.authors:
        parts.append(" · 作者：" + esc("、".join(meta.authors)))
    return "".join(parts)


def _share_section(meta: ShareMeta, qr: str) -> str:
    items = "".join(f'<li><a href="{esc(url)}" rel="nofollow">{LABELS[key]}</a></li>'
                    for key, url in meta.links.items())
    figure = (f'<figure class="wechat">{qr}<figcaption>{QR_LABEL}</figcaption></figure>'
              if qr else "")
    return (f'<section aria-label="分享到"><h2>分享到</h2><ul class="share">{items}</ul>'
            f"{figure}</section>")


def _footer(meta: ShareMeta) -> str:
    """Links to the feeds' own pages (every format, the subscribe box), relative to the page:
    share/<shard>/<id>.html is two folders below output/."""
    links = " · ".join(f'<a href="../../{page}">{esc(title)}</a>' for page, title in meta.pages)
    return f"<footer>订阅：{links}</footer>"


def render_json(meta: ShareMeta) -> bytes:
    """The same metadata as data, for the site's own templates (compact JSON, one line).

    Nothing the other two files hold is repeated (a million articles, three files each): the
    Open Graph, X card and JSON-LD views are the head fragment (`head`), ready to include; the
    share links and the QR code are the share page (`share_page`), the page to send readers
    to; the feed links are per channel (feeds.html)."""
    image = meta.image
    data = {
        "id": meta.id, "url": meta.url, "share_page": meta.page_url,
        "title": meta.title, "description": meta.description,
        "image": None if image is None else {
            "url": image.url, "width": image.width, "height": image.height,
            "type": image.type, "alt": meta.image_alt, "own": meta.image_is_own},
        "site_name": meta.site_name, "site_url": meta.site_url, "locale": meta.locale,
        "language": meta.language, "published": meta.published, "modified": meta.modified,
        "section": meta.section, "tags": list(meta.tags), "origin": meta.origin,
        "authors": list(meta.authors),
        "head": meta.page_url.removesuffix(".html") + ".head.html",  # OG, X card, JSON-LD
        "html_attributes": HTML_ATTRS,
        "wechat": wechat(meta),
    }
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
