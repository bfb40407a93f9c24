"""Generic metadata of an article page: title, dates, labelled fields (来源 责任编辑 作者 标签 导言),
lead image, canonical URL and language. Each finder returns (value, how) so that `feeds preview`
can say which heuristic produced a field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import html as lhtml

from ..dates import DATE_PATTERN, LOOSE_DATE_PATTERN, SLASHED_DATE_PATTERN
from ..model import Image
from .titles import choose_title, split_title

__all__ = ["PageMeta", "read_meta", "find_title", "find_dates", "find_label", "find_tags",
           "find_image", "visible_text"]


@dataclass
class PageMeta:
    """<meta> values (lower-case names), JSON-LD article fields and the site name."""

    metas: dict[str, str] = field(default_factory=dict)
    ld: dict[str, object] = field(default_factory=dict)
    site_name: str = ""

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
    for el in root.iter("script"):
        if (el.get("type") or "").lower() == "application/ld+json" and el.text:
            meta.ld.update(_ld_article(el.text))
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


_PUBLISHED_META = ("article:published_time", "pubdate", "publishdate", "publish_date",
                   "publishtime", "datepublished", "og:release_date", "dc.date.issued", "dc.date",
                   "date", "sailthru.date", "parsely-pub-date", "weibo: article:create_at")
_UPDATED_META = ("article:modified_time", "og:updated_time", "datemodified", "lastmodified",
                 "last-modified", "dc.date.modified")
_UPDATED_LABEL = re.compile(r"(?:更新|修改|修订)(?:时间|日期)?\s*[:：]?\s*$")


def find_dates(root: lhtml.HtmlElement, meta: PageMeta, text: str, title: str
               ) -> tuple[tuple[str, str], tuple[str, str]]:
    """((published, how), (updated, how)): the date shown near the title beats meta tags,
    unless it is date-only and a meta tag gives the same day with a time."""
    visible, updated = _visible_dates(text, title)
    meta_value, meta_how = meta.first(*_PUBLISHED_META)
    if not meta_value:
        time_el = next((t for t in root.iter("time") if t.get("datetime")), None)
        if time_el is not None:
            meta_value, meta_how = time_el.get("datetime", ""), "<time datetime>"
        elif isinstance(meta.ld.get("datePublished"), str):
            meta_value, meta_how = str(meta.ld["datePublished"]), "JSON-LD datePublished"
    published = (visible, "visible text near the title") if visible else (meta_value, meta_how)
    if visible and meta_value and not DATE_PATTERN.search(visible):
        published = (meta_value, meta_how)  # 3小时前 / 07-26 are vaguer than an absolute meta date
    if visible and meta_value and visible[:10].replace("/", "-") == meta_value[:10] \
            and ":" not in visible and ":" in meta_value:
        published = (meta_value, meta_how)
    if not updated:
        updated = meta.first(*_UPDATED_META)[0] or str(meta.ld.get("dateModified") or "")
    return published, (updated, "visible/meta modified" if updated else "")


# A label saying "published": 发布时间： 发表于 Posted on; near the title a bare 时间/日期/Date too
# (not 更新时间, the update, nor 成文日期, when a document was drafted).
_PUBLISHED_LABEL = re.compile(r"(?:发布|发表|公布|刊登|发稿|出版|上传)(?:时间|日期|于)"
                              r"|\b(?:Published|Posted)(?: on)?", re.I)
_DATE_LABEL = re.compile(_PUBLISHED_LABEL.pattern + r"|(?<!更新)(?<!修改)(?<!成文)(?:时间|日期)|\bDate\b",
                         re.I)
_LABEL_GAP = re.compile(r"[\s:：]*")
_NEAR_TITLE, _WINDOW = 200, 600  # characters after the title where its date is looked for
_SLACK = 40


def _visible_dates(text: str, title: str) -> tuple[str, str]:
    """The date after the title (a labelled one first, then the first full date close by, then
    a looser form close by), else a labelled date anywhere, else the first full date anywhere;
    and an 更新时间 date if labelled."""
    start = text.find(title) if title else -1
    found: re.Match[str] | None = None
    if start >= 0:
        end = start + _WINDOW
        # Searched a little past the limits so a date straddling one still keeps its time.
        near = DATE_PATTERN.search(text, start, end + _SLACK)
        loose = LOOSE_DATE_PATTERN.search(text, start, start + _NEAR_TITLE + _SLACK)
        found = _labelled_date(text, _DATE_LABEL, start, end) \
            or (near if near and near.start() < start + _NEAR_TITLE else None) \
            or (loose if loose and loose.start() < start + _NEAR_TITLE else None) \
            or (near if near and near.start() < end else None)
    found = found or _labelled_date(text, _PUBLISHED_LABEL) or DATE_PATTERN.search(text)
    if not found:
        return "", ""
    updated = ""
    scope_start, scope_end = (start, start + _WINDOW) if start >= 0 else (0, 3000)
    for m in DATE_PATTERN.finditer(text, scope_start, scope_end):
        if _UPDATED_LABEL.search(text[max(0, m.start() - 8): m.start()]):
            updated = m.group(0)
            if m.start() == found.start():
                found = DATE_PATTERN.search(text, m.end(), scope_end) or found
    return found.group(0), updated


def _labelled_date(text: str, labels: re.Pattern[str], start: int = 0, end: int | None = None
                   ) -> re.Match[str] | None:
    """The first date right after one of the labels in text[start:end]."""
    for label in labels.finditer(text, start, len(text) if end is None else end):
        at = _LABEL_GAP.match(text, label.end()).end()  # type: ignore[union-attr]
        found = DATE_PATTERN.match(text, at) or SLASHED_DATE_PATTERN.match(text, at)
        if found:
            return found
    return None


_LABELS = {
    "origin": r"(?:来源|来自|出处|稿源|Source)",
    "editor": r"(?:责任编辑|责编|编辑|Editor)",
    "authors": r"(?:作者|记者|撰文|文|By)",
    "lead": r"(?:导言|导读|摘要|内容提要|提要)",
}
_VALUE = r"\s*[:：]\s*(?P<v>[^\s\]】）)|｜,，]+(?:[、,，][^\s\]】）)|｜,，:：]+)*)"


def find_label(text: str, name: str, avoid: str = "") -> tuple[str, str]:
    """The value after a label such as 来源: in the visible text (not the site's own name)."""
    if name == "lead":
        m = re.search(_LABELS["lead"] + r"\s*[:：]\s*(?P<v>[^\n]{10,})", text)
        return (m["v"].strip(), "label 导言") if m else ("", "")
    fallback = ("", "")
    for m in re.finditer(r"(?<![\w])" + _LABELS[name] + _VALUE, text):
        value = m["v"].strip()
        if value and len(value) <= 40 and not DATE_PATTERN.match(value):
            found = value, f"label {m.group(0).split(':')[0].split('：')[0].strip()}"
            if value != avoid:
                return found
            fallback = fallback if fallback[0] else found  # the site itself, if nothing better
    return fallback


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
    return Image(url, int(width) if width.isdigit() else None,
                 int(height) if height.isdigit() else None,
                 meta.metas.get("og:image:type") or None,
                 alt=meta.metas.get("og:image:alt") or None), how
