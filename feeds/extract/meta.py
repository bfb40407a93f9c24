"""Generic metadata of an article page: title, dates, labelled fields (来源 责任编辑 作者 标签 导言),
lead image, canonical URL and language. Each finder returns (value, how) so that `feeds preview`
can say which heuristic produced a field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lhtml

from ..model import Image
from .titles import choose_title, split_title

__all__ = ["PageMeta", "read_meta", "find_title", "find_tags", "find_image",
           "visible_text", "article_text"]


@dataclass
class PageMeta:
    """<meta> values (lower-case names), JSON-LD article fields and the site name."""

    metas: dict[str, str] = field(default_factory=dict)
    ld: dict[str, object] = field(default_factory=dict)
    site_name: str = ""
    scripts: list[str] = field(default_factory=list)  # inline scripts (their date variables)

    def first(self, *names: str) -> tuple[str, str]:
        for name in names:
            if self.metas.get(name):
                return self.metas[name], f"meta {name}"
        return "", ""


def read_meta(root: lhtml.HtmlElement) -> PageMeta:
    """Collect <meta> tags and JSON-LD (call before scripts are removed)."""
    meta = PageMeta()
    for el in root.iter("meta"):
        name = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if name and content and name not in meta.metas:
            meta.metas[name] = content
    kept = 0
    for el in root.iter("script"):
        if (el.get("type") or "").lower() == "application/ld+json" and el.text:
            meta.ld.update(_ld_article(el.text))
        elif el.text and not el.get("src") and kept < _SCRIPT_BUDGET:
            meta.scripts.append(el.text[:_SCRIPT_BUDGET - kept])
            kept += len(meta.scripts[-1])
    title = root.find(".//title")
    parts = split_title(_text(title)) if title is not None else []
    meta.site_name = meta.metas.get("og:site_name", "") or (parts[-1] if len(parts) > 1 else "")
    return meta


def _ld_article(text: str) -> dict[str, object]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    stack, found = [data], {}
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if "datePublished" in node or "headline" in node:
                found.update({k: node[k] for k in ("headline", "datePublished", "dateModified",
                                                    "author", "image", "keywords") if k in node})
            stack.extend(node.get("@graph", []) if isinstance(node.get("@graph"), list) else [])
    return found


_SCRIPT_BUDGET = 200_000  # characters of inline script read for date variables
# Blocks that are not the article: a date or a 来源 in them is another article's or the site's.
_NOT_ARTICLE = re.compile(r"related|relate|recommend|comment|footer|copyright|sidebar|\bside\b"
                          r"|(?<![a-z])hot|(?<![a-z])rank|tuijian|xiangguan|xgxw|pinglun|reply",
                          re.I)
_NOT_ARTICLE_TAGS = frozenset({"footer", "aside", "nav"})
_CLOCK = re.compile(r"(?:今天是|今日是|今天|今日|现在是|现在时间|当前时间|当前日期)\s*[:：]?\s*(?:\d{4}|$)"
                    r"|\d{4}年\d{1,2}月\d{1,2}日\s*(?:星期|礼拜|周)[一二三四五六日天]")


def article_text(root: lhtml.HtmlElement) -> str:
    """The visible text (a line per text node) without the blocks that are not the article
    (related lists, comments, footers, sidebars) and without header clocks."""
    body = root.find("body")
    lines: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(body if body is not None else root, False)]
    while stack:  # depth first, in page order; a tail is read after its element's subtree
        el, done = stack.pop()
        if done:
            if el.tail:
                lines.append(el.tail)
            continue
        stack.append((el, True))
        if not isinstance(el.tag, str):  # a comment: only its tail is text
            continue
        if el.tag in _NOT_ARTICLE_TAGS or _NOT_ARTICLE.search(
                f"{el.get('class', '')} {el.get('id', '')}"):
            continue
        if el.text:
            lines.append(el.text)
        stack.extend((child, False) for child in reversed(el))
    kept = (" ".join(t.replace("\u3000", " ").split()) for t in lines)
    return "\n".join(t for t in kept if t and not _CLOCK.search(t))


def visible_text(root: lhtml.HtmlElement) -> str:
    """Text of the page with a line break between text nodes (labels stay apart)."""
    body = root.find("body")
    return "\n".join(t.strip() for t in (body if body is not None else root).itertext() if t.strip())


def find_title(root: lhtml.HtmlElement, meta: PageMeta, hints: Iterable[str] = ()
               ) -> tuple[str, str, str]:
    """(title, how, the candidates considered, one per line) from the title chooser."""
    choice = choose_title(root, meta.metas, meta.ld.get("headline"), hints)
    listed = "\n".join(f"{c.score:5.1f} {c.kind:7} {c.text[:80]!r}  [{c.why}]"
                       for c in sorted(choice.candidates, key=lambda c: -c.score)[:12])
    return choice.text, choice.how, listed


def _text(el: lhtml.HtmlElement | None) -> str:
    return " ".join(el.text_content().split()) if el is not None else ""


def find_tags(root: lhtml.HtmlElement, meta: PageMeta) -> tuple[tuple[str, ...], str]:
    """article:tag / news_keywords metas, else the links after a 标签/关键词 label."""
    tags = [el.get("content", "") for el in root.iter("meta") if el.get("property") == "article:tag"]
    if tags:
        return tuple(tags), "meta article:tag"
    value, how = meta.first("news_keywords")
    if value:
        return tuple(t for t in re.split(r"[,，、;；\s]+", value) if t), how
    for node in root.xpath("//text()[contains(., '标签') or contains(., '关键词') or contains(., 'Tags')]"):
        scope = node.getparent()
        if node.is_tail and scope is not None:
            scope = scope.getparent()
        if scope is None or len(_text(scope)) > 200:
            continue
        links = [_text(a) for a in scope.iter("a") if 0 < len(_text(a)) <= 20]
        if links:
            return tuple(links), "links after label 标签"
    return (), ""


def find_image(root: lhtml.HtmlElement, meta: PageMeta) -> tuple[Image | None, str]:
    """og:image (with its declared size) or a JSON-LD image; content images are the normaliser's."""
    url, how = meta.first("og:image", "og:image:url", "twitter:image", "twitter:image:src")
    if not url:
        ld_image = meta.ld.get("image")
        if isinstance(ld_image, dict):
            ld_image = ld_image.get("url")
        if isinstance(ld_image, list) and ld_image:
            ld_image = ld_image[0] if isinstance(ld_image[0], str) else None
        url, how = (ld_image, "JSON-LD image") if isinstance(ld_image, str) else ("", "")
    if not url:
        return None, ""
    width, height = meta.metas.get("og:image:width", ""), meta.metas.get("og:image:height", "")
    return Image(url, int(width) if width.isascii() and width.isdigit() else None,
                 int(height) if height.isascii() and height.isdigit() else None,
                 meta.metas.get("og:image:type") or None,
                 alt=meta.metas.get("og:image:alt") or None), how
