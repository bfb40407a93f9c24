"""A listing page without a feed: find its repeated block of article links by structure.

Article lists are same-shaped siblings (`li`, `tr`, `dt`, `div.item` ...) under one parent,
each holding a link with a real title, and the links share a URL pattern. Navigation, pagers,
hot-keyword clouds and footers are also repeated links, but with short texts or scattered
URLs, so they score low. For the best blocks we propose a `links:` selector (checked: it
selects exactly those links) and a `link_pattern:` (digits generalised, so next year's
articles match too), and the pagination: a `page_template` when the next page is `index_2`-like,
else the next-page link the generic rule already follows.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from ..config import HtmlOptions
from ..extract import select
from ..sources.html import listing_links, next_page
from ..urls import absolute, clean_url

__all__ = ["Listing", "find_listings", "link_pattern", "pagination"]

MIN_LINKS = 3
MIN_TEXT = 5  # characters of anchor text: titles, not menu entries or page numbers
_CLASS = re.compile(r"^[A-Za-z_][\w-]*$")
_META = re.compile(r"[.^$*+?{}\[\]\\|()]")  # what needs escaping in a pattern (not - or _)
_NUMBERED = re.compile(r"^(.*?)(\d+)(\.\w+)?$")


@dataclass(frozen=True)
class Listing:
    """One repeated block of article links and the html-source options that select it."""

    links: tuple[str, ...]
    css: str
    pattern: str
    block: str  # for people: "10 x li in ul.news"
    score: float


def find_listings(root: etree._Element, page_url: str, limit: int = 3) -> list[Listing]:
    """The best repeated blocks of article links on a page, best first."""
    host = urlsplit(page_url).netloc
    found: dict[tuple[str, ...], Listing] = {}
    for parent in root.iter():
        if not isinstance(parent.tag, str):
            continue
        groups: dict[tuple[str, str], list[etree._Element]] = {}
        for child in parent:
            if isinstance(child.tag, str):
                groups.setdefault((child.tag, _first_class(child)), []).append(child)
        for members in groups.values():
            listing = _candidate(root, parent, members, page_url, host)
            if listing and (listing.links not in found
                            or listing.score > found[listing.links].score):
                found[listing.links] = listing
    ranked = sorted(found.values(), key=lambda item: -item.score)
    return _distinct(ranked)[:limit]


def _distinct(ranked: list[Listing]) -> list[Listing]:
    """Drop blocks whose links are mostly those of a better block (the same list seen from
    its table and its tbody, or a list plus its sidebar twin)."""
    out: list[Listing] = []
    for item in ranked:
        if all(len(set(item.links) & set(o.links)) < len(item.links) / 2 for o in out):
            out.append(item)
    return out


def _candidate(root: etree._Element, parent: etree._Element, members: list[etree._Element],
               page_url: str, host: str) -> Listing | None:
    if len(members) < MIN_LINKS:
        return None
    mains = [(m, a) for m in members if (a := _main_link(m, page_url, host)) is not None]
    if len(mains) < MIN_LINKS or len(mains) < len(members) / 2:
        return None
    urls = [clean_url(absolute(page_url, a.get("href", ""))) for _, a in mains]
    texts = [len(" ".join(a.text_content().split())) for _, a in mains]
    mean_text = sum(texts) / len(texts)
    pattern, share = link_pattern(urls)
    if mean_text < MIN_TEXT or share < 0.6 or len(set(urls)) < MIN_LINKS:
        return None
    links = tuple(dict.fromkeys(u for u in urls if re.search(pattern, u)))
    css = _selector(root, parent, mains, page_url, links, pattern)
    if css is None:
        return None
    tag, cls = members[0].tag, _first_class(members[0])
    block = f"{len(links)} x {tag}{'.' + cls if cls else ''} in {_describe(root, parent)}"
    score = len(links) * min(mean_text, 40) * share
    return Listing(links, css, pattern, block, score)


def _main_link(member: etree._Element, page_url: str, host: str) -> etree._Element | None:
    """The member's title link: the same-site link with the longest text."""
    best, best_len = None, 0
    for a in member.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        if urlsplit(absolute(page_url, href)).netloc != host:
            continue
        length = len(" ".join(a.text_content().split()))
        if length > best_len:
            best, best_len = a, length
    return best


def link_pattern(urls: list[str]) -> tuple[str, float]:
    """A regex over the URL paths (digits generalised, fixed words kept) and the share of
    `urls` it matches."""
    paths = [urlsplit(u).path + ("?" + urlsplit(u).query if urlsplit(u).query else "")
             for u in urls]
    split = [p.split("/") for p in paths]
    depth = Counter(len(s) for s in split).most_common(1)[0][0]
    same = [s for s in split if len(s) == depth]
    parts = []
    for column in zip(*same, strict=True):
        general = {_general(seg) for seg in column}
        parts.append(general.pop() if len(general) == 1 else "[^/]+")
    pattern = "/".join(parts) + "$"
    matched = sum(1 for u in urls if re.search(pattern, u))
    return pattern, matched / len(urls)


def _general(segment: str) -> str:
    """A path segment as a regex: digit runs become \\d+ (ids and dates change), the rest
    is literal."""
    return "".join(r"\d+" if chunk.isdigit() else _META.sub(r"\\\g<0>", chunk)
                   for chunk in re.split(r"(\d+)", segment) if chunk)


def _first_class(el: etree._Element) -> str:
    classes = (el.get("class") or "").split()
    return classes[0] if classes and _CLASS.match(classes[0]) else ""


def _step(el: etree._Element) -> str:
    if (el.get("id") or "") and _CLASS.match(el.get("id", "")):
        return f"{el.tag}#{el.get('id')}"
    cls = _first_class(el)
    return f"{el.tag}.{cls}" if cls else str(el.tag)


def _describe(root: etree._Element, parent: etree._Element) -> str:
    return _parent_selector(root, parent) or _step(parent)


def _parent_selector(root: etree._Element, parent: etree._Element) -> str | None:
    """A selector for `parent`: its own step, with ancestors until it is unique. A parent
    that never becomes unique (a home page's three identical channel blocks) keeps its most
    specific selector: the link pattern may still single its links out (checked later)."""
    steps: list[str] = []
    el: etree._Element | None = parent
    selector = None
    while el is not None and el.tag not in ("html", "body") and len(steps) < 5:
        steps.insert(0, _step(el))
        selector = " ".join(steps)
        if len(select(root, selector)) == 1 or "#" in steps[0]:
            return selector
        el = el.getparent()
    return selector


def _selector(root: etree._Element, parent: etree._Element,
              mains: list[tuple[etree._Element, etree._Element]], page_url: str,
              links: tuple[str, ...], pattern: str) -> str | None:
    """A `links:` selector that yields exactly `links` (with `pattern`), or None."""
    head = _parent_selector(root, parent)
    if head is None:
        return None
    member, anchor = mains[0]
    path = [anchor]
    while path[0] is not member and path[0].getparent() is not None:
        path.insert(0, path[0].getparent())
    tail = " > ".join(_step(el) if i == 0 else str(el.tag) for i, el in enumerate(path))
    for css in (f"{head} > {tail}", f"{head} a"):
        got = listing_links(root, page_url, HtmlOptions(links=css, link_pattern=pattern))
        if tuple(dict.fromkeys(got)) == links:
            return css
    return None


def pagination(root: etree._Element, page_url: str) -> tuple[str, str]:
    """(next page URL or '', page_template or ''): a template when the next page is the
    listing's name with 2 in it (index.html -> index_2.html), which pages 3.. follow too."""
    url = next_page(root, page_url)
    if url is None:  # no 下一页/next link: a pager link whose text is "2"
        url = next((absolute(page_url, a.get("href", "")) for a in root.iter("a")
                    if a.text_content().strip() == "2" and a.get("href")), None)
    if not url:
        return "", ""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    m = _NUMBERED.match(name)
    if not m or m.group(2) != "2":
        return url, ""
    template = f"{m.group(1)}{{n}}{m.group(3) or ''}"
    return url, template if absolute(page_url, template.replace("{n}", "2")) == url else ""
