"""Render a `ShareMeta` as the share page, its <head> fragment and its JSON. Pure functions.

HTML is built as lxml elements and serialised by lxml, so every title, URL and description is
escaped by the serialiser, never pasted into markup. The JSON-LD is JSON escaped for a script
element: '<', '>' and '&' as \\u003c \\u003e \\u0026, so no title can close the script.
The page has no JavaScript and a CSP that forbids it: nothing to break, nothing to inject.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

import segno
from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement
from lxml.html import builder as E

from .links import LABELS
from .meta import ShareMeta, json_ld, open_graph, twitter, wechat

__all__ = ["HTML_ATTRS", "qr_svg", "render_head", "render_json", "render_page", "script_json"]

ITEMTYPE = "https://schema.org/NewsArticle"
# what the including page's <html> needs for the fragment's itemprops and og: prefixes
HTML_ATTRS = {"prefix": "og: https://ogp.me/ns# article: https://ogp.me/ns/article#",
              "itemscope": "", "itemtype": ITEMTYPE}
CSP = ("default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; "
       "base-uri 'none'; form-action 'none'")
QR_LABEL = "微信扫一扫，分享到朋友圈"
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
svg.qr{width:160px;height:160px}
footer{max-width:40rem;margin:0 auto;padding:1rem}
""".strip()


def script_json(data: Any) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' appears literally."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _meta_elements(meta: ShareMeta) -> list[HtmlElement]:
    """The share metadata: description, Open Graph, X card, microdata, JSON-LD, feeds."""
    els = [E.META(name="description", content=meta.description)] if meta.description else []
    els += [E.META(property=key, content=value) for key, value in open_graph(meta)]
    els += [E.META(name=key, content=value) for key, value in twitter(meta)]
    els += [E.META(itemprop="name", content=meta.title)]
    if meta.image:
        els.append(E.META(itemprop="image", content=meta.image.url))
    if meta.description:
        els.append(E.META(itemprop="description", content=meta.description))
    els.append(E.SCRIPT(script_json(json_ld(meta)), type="application/ld+json"))
    els += [E.LINK(rel="alternate", type=f.type, title=f.title, href=f.href) for f in meta.feeds]
    return els


def _fragment(elements: list[HtmlElement]) -> str:
    return "".join(lxml_html.tostring(el, encoding="unicode") + "\n" for el in elements)


def render_head(meta: ShareMeta) -> bytes:
    """The <head> fragment a CMS includes in the article page (its <html> needs HTML_ATTRS)."""
    attrs = " ".join(f'{k}="{v}"' if v else k for k, v in HTML_ATTRS.items())
    note = etree.Comment(f" share metadata; put on the page's <html>: {attrs} ")
    return _fragment([note, *_meta_elements(meta)]).encode("utf-8")


@lru_cache(maxsize=16)  # the page and the JSON of one article carry the same code
def _qr_text(url: str) -> str | None:
    try:
        code = segno.make(url, error="m", micro=False)
    except segno.DataOverflowError:
        return None
    return code.svg_inline(scale=4, border=2, dark="#000", light="#fff", svgclass="qr",
                           lineclass=None, omitsize=True, title=QR_LABEL)


def qr_svg(url: str) -> etree._Element | None:
    """The article URL as a QR code (inline SVG by segno); None if the URL is too long for one."""
    svg = _qr_text(url)
    if svg is None:
        return None
    element = etree.fromstring(svg)
    element.set("role", "img")
    element.set("aria-label", QR_LABEL)
    return element


def render_page(meta: ShareMeta) -> bytes:
    """The share page: a small, script-free, phone-friendly HTML5 document."""
    head = E.HEAD(
        E.META(charset="utf-8"),
        E.META(name="viewport", content="width=device-width, initial-scale=1"),
        E.META(**{"http-equiv": "Content-Security-Policy", "content": CSP}),
        E.TITLE(f"{meta.title} - {meta.site_name}"),
        E.LINK(rel="canonical", href=meta.url),
        E.LINK(rel="icon", href="data:,"),  # no favicon request, no 404 in the console
        *_meta_elements(meta),
        E.STYLE(STYLE),
    )
    doc = E.HTML(head, E.BODY(_main(meta), _footer(meta)), lang=meta.language)
    for key, value in HTML_ATTRS.items():
        doc.set(key, value)
    for el in head:
        el.tail = "\n"
    text = lxml_html.tostring(doc, doctype="<!DOCTYPE html>", encoding="unicode")
    return (text + "\n").encode("utf-8")


def _main(meta: ShareMeta) -> HtmlElement:
    article = E.E.article(
        E.P(E.A(meta.site_name, href=meta.site_url), *([" · " + meta.section] if meta.section
                                                         else []), E.CLASS("site")),
        E.H1(meta.title),
        E.P(*_byline(meta), E.CLASS("meta")),
    )
    if meta.image and meta.image_is_own:
        img = E.IMG(E.CLASS("lead"), src=meta.image.url, alt=meta.image_alt,
                    loading="lazy", referrerpolicy="no-referrer")
        if meta.image.width and meta.image.height:
            img.set("width", str(meta.image.width))
            img.set("height", str(meta.image.height))
        article.append(img)
    if meta.lead:
        article.append(E.P(meta.lead, E.CLASS("lead")))
    article.append(E.P(E.A("阅读原文 →", E.CLASS("read"), href=meta.url)))
    return E.E.main(article, _share_section(meta))


def _byline(meta: ShareMeta) -> list[Any]:
    when = datetime.fromisoformat(meta.published)
    shown = when.strftime("%Y-%m-%d" if meta.date_only else "%Y-%m-%d %H:%M")
    parts: list[Any] = [E.E.time(shown, datetime=meta.published)]
    for text in (f"来源：{meta.origin}" if meta.origin else "",
                 "作者：" + "、".join(meta.authors) if meta.authors else ""):
        if text:
            parts.append(" · " + text)
    return parts


def _share_section(meta: ShareMeta) -> HtmlElement:
    items = [E.LI(E.A(LABELS[key], href=url, rel="noopener nofollow", target="_blank"))
             for key, url in meta.links.items()]
    section = E.E.section(E.H2("分享到"), E.UL(*items, E.CLASS("share")),
                          **{"aria-label": "分享到"})
    svg = qr_svg(meta.url)
    if svg is not None:
        section.append(E.E.figure(svg, E.E.figcaption(QR_LABEL), E.CLASS("wechat")))
    return section


def _footer(meta: ShareMeta) -> HtmlElement:
    links: list[Any] = ["订阅："]
    for feed in meta.feeds:
        links += [E.A(feed.title, href=feed.href, type=feed.type), " "]
    return E.E.footer(*links)


def render_json(meta: ShareMeta) -> bytes:
    """The same metadata as data, for the site's own templates."""
    image = meta.image
    svg = qr_svg(meta.url)
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
        "open_graph": [list(pair) for pair in open_graph(meta)],
        "twitter": dict(twitter(meta)),
        "json_ld": json_ld(meta),
        "html_attributes": HTML_ATTRS,
        "feeds": [{"title": f.title, "type": f.type, "href": f.href} for f in meta.feeds],
        "share": meta.links,
        "wechat": wechat(meta),
        "wechat_qr_svg": "" if svg is None else etree.tostring(svg, encoding="unicode"),
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
