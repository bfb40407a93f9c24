"""An article page (decoded text) -> RawArticle: per-field rules from sources.yaml first, the
generic extractor (feeds.extract.meta + feeds.extract.body) for every field without a rule.

A rule is a CSS selector, optionally an attribute, and a regular expression applied to the
text (its first group, if any, is the value). `provenance` records what produced each field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from lxml import html as lhtml

from ..config import Rule
from ..errors import ExtractError
from ..model import Image, RawArticle
from ..urls import lazy_source
from . import body as body_mod
from . import labels, wechat
from . import meta as meta_mod
from .dates_choice import choose_dates

__all__ = ["extract", "parse_html", "select", "FIELDS"]

FIELDS = ("title", "published", "updated", "body", "lead", "origin", "editor", "authors", "tags",
          "image")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_SPLIT_NAMES = re.compile(r"[、,，;；/]|\s{2,}| 和 ")


def parse_html(text: str, url: str = "") -> lhtml.HtmlElement:
    """Parse decoded HTML with lxml (an XML declaration would make lxml refuse a str).
    Characters XML forbids go first: lxml keeps them in text nodes, then refuses to set any
    text holding one (the clutter pass moving a tail would crash on a NUL)."""
    text = _FORBIDDEN.sub("", _XML_DECL.sub("", text, count=1))
    try:
        root = lhtml.document_fromstring(text or "<html></html>")
    except (etree.ParserError, ValueError) as e:
        raise ExtractError("parse-error", url, f"not an HTML page: {e}") from e
    return root


_TRANSLATOR = HTMLTranslator()


@lru_cache(maxsize=512)
def _compiled(css: str) -> etree.XPath:
    """cssselect's own translation (lxml's adds functions some builds lack, e.g. :contains)."""
    return etree.XPath(_TRANSLATOR.css_to_xpath(css))


def select(root: etree._Element, css: str) -> list[etree._Element]:
    """Elements matching a CSS selector (compiled once per selector)."""
    try:
        return _compiled(css)(root)
    except (SelectorError, SyntaxError) as e:
        raise ExtractError("bad-rule", "", f"invalid CSS selector {css!r}: {e}") from e


def _values(root: etree._Element, rule: Rule) -> list[str]:
    """What a rule yields: each match's attribute or text, through the regex when there is one."""
    out = []
    for el in select(root, rule.css):
        if rule.attr:
            value = lazy_source(dict(el.attrib)) if rule.attr == "src" else el.get(rule.attr, "")
        else:
            value = meta_mod.visible_text(el) if len(el) else " ".join(el.text_content().split())
        if rule.regex:
            m = re.search(rule.regex, value)
            if not m:
                continue
            value = m.group(1) if m.groups() else m.group(0)
        if value.strip():
            out.append(value.strip())
        if out and not rule.all:
            break
    return out


def extract(text: str, url: str, rules: Mapping[str, Rule] | None = None,
            remove: tuple[str, ...] = (), fallback: bool = True, site_names: Iterable[str] = ()
            ) -> RawArticle:
    """Return the raw article of one page; fields without a rule come from the generic finders.
    `site_names`: texts known to name the site (from its listing pages), never a title."""
    rules = rules or {}
    root = parse_html(text, url)
    meta = meta_mod.read_meta(root)
    for el in list(root.iter("script", "style", "noscript", "template")):
        body_mod._remove(el)
    how: dict[str, str] = {}
    got: dict[str, Any] = {}
    for name, rule in rules.items():
        if name != "body" and (values := _values(root, rule)):
            got[name], how[name] = values, f"rule {rule.css}"
    body_rule = rules.get("body")
    if wechat.is_wechat(url, root):
        wechat.prepare(root)
        for name, (value, source) in wechat.fields(root, meta.metas, meta.scripts).items():
            if name not in got:
                got[name], how[name] = [value], source
        body_rule = body_rule or Rule(wechat.BODY_CSS)
    title: str = _one(got, "title")
    if not title:
        title, title_how, how["title candidates"] = meta_mod.find_title(root, meta, site_names)
        title = _generic(how, "title", (title, title_how))
    text_all = meta_mod.article_text(root)
    _dates(got, how, root, meta, text_all, title, url)
    _labels(got, how, root, text_all, title, meta, site_names)
    tags = got.get("tags") or list(_generic(how, "tags", meta_mod.find_tags(root, meta)))
    image = _image(got, how, root, meta)
    canonical = next((el.get("href", "") for el in root.iter("link")
                      if (el.get("rel") or "").lower() == "canonical"), "")
    content = _body(root, text, body_rule, remove, how, fallback)
    if not _one(got, "authors"):
        found = _late_author(content, meta, url, site_names)
        if found[0] and found[0] == _one(got, "editor"):
            found = ("", "")  # a CMS that files the 责任编辑 as the page's author
        got["authors"] = [_generic(how, "authors", found)]
    return RawArticle(
        url=url, title=title, summary=_one(got, "lead"), content_html=content,
        published=_one(got, "published") or None, updated=_one(got, "updated") or None,
        authors=_names(got.get("authors", [])), editor=_one(got, "editor"),
        origin=_one(got, "origin"), tags=tuple(str(t) for t in tags), image=image,
        language=root.get("lang", "") or meta.metas.get("content-language", ""),
        canonical_url=canonical, provenance=how,
    )


def _dates(got: dict[str, Any], how: dict[str, str], root: lhtml.HtmlElement,
           meta: meta_mod.PageMeta, text: str, title: str, url: str) -> None:
    if "published" in got and "updated" in got:
        return
    published, updated, considered = choose_dates(root, meta.metas, meta.ld, meta.scripts,
                                                  text, title, url)
    how["date candidates"] = "\n".join(f"{c.kind:16} {c.value!r}  [{c.why}]" for c in considered)
    if "published" not in got:
        got["published"] = [_generic(how, "published", published)]
    if "updated" not in got:
        got["updated"] = [_generic(how, "updated", updated)]


# Elements whose class or id may name the article's source (checked by labels.origin_by_markup).
_SOURCE_NAMED = etree.XPath("//*[contains(@class, 'source') or contains(@id, 'source') or "
                            "contains(@id, 'from') or contains(@class, 'from') or "
                            "contains(@class, 'laiyuan') or contains(@id, 'laiyuan')]")


def _labels(got: dict[str, Any], how: dict[str, str], root: lhtml.HtmlElement, text: str,
            title: str, meta: meta_mod.PageMeta, site_names: Iterable[str]) -> None:
    """来源, 责任编辑, 导言 and 作者 by their labels from just above the headline on; then a
    byline near the headline."""
    above, at = labels.label_scope(text, title)
    sites = {meta.site_name, meta.metas.get("og:site_name", ""), *site_names} - {""}
    for name in ("origin", "editor", "authors", "lead"):
        if name not in got:  # after the headline first; an info line just above it next
            avoid = sites if name == "origin" else set()
            found = labels.find_label(text, name, avoid, at)
            if not found[0] and above < at:
                found = labels.find_label(text[:at], name, avoid, above)
            got[name] = [_generic(how, name, found)]
    if not _one(got, "origin"):
        near = labels.near_headline(text, title)
        got["origin"] = [_generic(how, "origin", labels.origin_by_byline(text, *near))]
    if not _one(got, "origin") and _CJK.search(title):  # 来源 lines are a Chinese portal's
        named = [(f"{el.get('class', '')} {el.get('id', '')}", el.text_content())
                 for el in _SOURCE_NAMED(root) if len(el) <= 3]  # a source line, not a wrapper
        got["origin"] = [_generic(how, "origin", labels.origin_by_markup(named, meta.metas,
                                                                          sites))]
    if not _one(got, "authors"):
        got["authors"] = [_generic(how, "authors",
                                   labels.find_byline(text, *labels.near_headline(text, title)))]


_TAGS = re.compile(r"<[^>]+>")
_EDGE = 1500  # characters of body HTML read at each end for a byline
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _late_author(content: str, meta: meta_mod.PageMeta, url: str, site_names: Iterable[str]
                 ) -> tuple[str, str]:
    """A byline at the start or end of the body, else a declared author that looks like a
    person (metadata, JSON-LD)."""
    body = _TAGS.sub("\n", content[:_EDGE] + "<br>" + content[-_EDGE:])  # its start and end
    lines = "\n".join(t for t in (line.strip() for line in body.splitlines()) if t)
    for span, closing in (((0, 150), False), ((max(0, len(lines) - 150), len(lines)), True)):
        found = labels.find_byline(lines, *span, closing=closing)
        if found[0]:
            return found[0], "byline in the body"
    if (found := labels.report_byline(lines))[0]:
        return found
    host = urlsplit(url).hostname or ""
    for value, source in (meta.first("author", "article:author"), _ld_author(meta)):
        if value and labels.person_like(value, host, {meta.site_name, *site_names}):
            return value, source
    return "", ""


def _ld_author(meta: meta_mod.PageMeta) -> tuple[str, str]:
    author = meta.ld.get("author")
    author = author[0] if isinstance(author, list) and author else author
    name = author.get("name") if isinstance(author, dict) else author
    return (name, "JSON-LD author") if isinstance(name, str) else ("", "")


def _one(got: dict[str, object], name: str) -> str:
    values = got.get(name) or [""]
    return str(values[0]) if isinstance(values, list) else str(values)  # type: ignore[index]


def _generic(how: dict[str, str], name: str, found: tuple) -> Any:
    value, source = found
    if value:
        how[name] = source
    return value


def _names(values: list) -> tuple[str, ...]:
    return tuple(n.strip() for v in values for n in _SPLIT_NAMES.split(str(v)) if n.strip())


def _image(got: dict, how: dict[str, str], root: etree._Element, meta: meta_mod.PageMeta
           ) -> Image | None:
    if got.get("image"):
        return Image(_one(got, "image"))
    found = _generic(how, "image", meta_mod.find_image(root, meta))
    return found if isinstance(found, Image) else None


def _body(root: lhtml.HtmlElement, text: str, rule: Rule | None, remove: tuple[str, ...],
          how: dict[str, str], fallback: bool) -> str:
    if rule is not None:
        matches = select(root, rule.css)
        if matches:
            for css in remove:
                for el in select(root, css):
                    body_mod._remove(el)
            how["body"] = f"rule {rule.css}"
            parts = matches if rule.all else matches[:1]
            return "".join(lhtml.tostring(el, encoding="unicode") for el in parts)
    for css in remove:
        for el in select(root, css):
            body_mod._remove(el)
    result = body_mod.extract_body(root, text, fallback=fallback)
    if result.html:
        how["body"] = f"generic {result.method}"
    return result.html
