"""A small, phone-readable HTML page skeleton shared by feeds.html and sitemap.html (lxml)."""

from __future__ import annotations

from lxml import etree, html
from lxml.html import builder as E

__all__ = ["E", "link", "page"]

CSS = """
body{margin:0 auto;max-width:46rem;padding:1rem;font:16px/1.6 -apple-system,"PingFang SC",
"Microsoft YaHei",sans-serif;color:#222;background:#fff}
h1{font-size:1.4rem;margin:.5rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem;
border-bottom:1px solid #ddd}ul{padding-left:1.2rem}li{margin:.3rem 0}
a{color:#0b5cad;word-break:break-all}code{background:#f3f3f3;padding:0 .2rem;
word-break:break-all}.muted{color:#666;font-size:.9rem}nav a{margin-right:.8rem}
.box{background:#fff8e1;border:1px solid #f0d58c;padding:.2rem 1rem;border-radius:6px}
.summary{color:#444;font-size:.95rem}
"""


def link(href: str, text: str, **attrs: str) -> etree._Element:
    return E.A(text, href=href, **attrs)


def page(title: str, lang: str, body: list[etree._Element], home: str) -> bytes:
    """The whole document as UTF-8 bytes (no dates inside: unchanged input, unchanged bytes)."""
    doc = E.HTML(
        E.HEAD(
            E.META(charset="utf-8"),
            E.META(name="viewport", content="width=device-width, initial-scale=1"),
            E.TITLE(title),
            E.LINK(rel="icon", href="data:,"),  # no favicon request, no 404 in the console
            E.STYLE(CSS),
        ),
        E.BODY(E.H1(title), *body),
        lang=lang,
    )
    return html.tostring(doc, doctype="<!DOCTYPE html>", encoding="utf-8", pretty_print=True)
