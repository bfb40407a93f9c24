"""What is not the article: tags that never are, class and id words that say so, hidden
elements. Used by the body extractor before it scores anything."""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree
from lxml import html as lhtml

__all__ = ["JUNK_TAGS", "drop_junk", "remove"]

# <form> is not here: ASP.NET pages wrap the whole page in one (its controls are, though).
JUNK_TAGS = ("script", "style", "noscript", "template", "nav", "footer", "aside",
             "button", "select", "textarea", "input", "iframe", "svg", "header", "menu", "dialog",
             "object", "embed", "link", "meta", "figcaption")
# Short words only count at a word's start (not the "hot" in "photo", the "ad-" in "thread-").
_NEGATIVE = re.compile(
    r"comment|share|sharing|footer|(?<![a-z])foot\b|sidebar|side-|\bside\b|nav|menu|breadcrumb|"
    r"crumb|related|recommend|(?<![a-z])hot|advert|\bads?\b|(?<![a-z])ad-|-ad\b|(?<![a-z])adv|"
    r"banner|copyright|login|social|pagination|pager|subscribe|popup|modal|widget|sponsor|promo|"
    r"toolbar|tags?\b|keyword|byline|author-info|(?<![a-z])rank|\btop\b|header|masthead|outbrain|"
    r"taboola|newsletter|disclaimer|caption|credit",
    re.I)
_POSITIVE = re.compile(r"article|content|body|entry|main|post|text|story|detail|news|zw|cont",
                       re.I)
_STRONG_NEGATIVE = re.compile(r"comment|share|footer|related|recommend|advert|copyright|"
                              r"breadcrumb|pagination|newsletter|outbrain|taboola|caption|"
                              r"credit", re.I)


def drop_junk(root: lhtml.HtmlElement) -> None:
    """Remove, in place, what is never the article: comments, junk tags, hidden elements, and
    elements whose class or id names clutter."""
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        remove(el)
    for el in list(root.iter(*JUNK_TAGS)):
        remove(el)
    for el in root.xpath("//*[@class or @id or @style or @hidden]"):
        if el.tag in ("html", "body") or el.getparent() is None:  # html, body, or removed above
            continue
        if _hidden(el):  # schema.org metadata copies, collapsed menus: never shown as the article
            remove(el)
            continue
        if el.tag in ("article", "main"):
            continue
        level = _clutter_level(f"{el.get('class', '')} {el.get('id', '')}")
        if level == 2 or (level == 1 and not _holds_prose(el)):
            remove(el)


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _hidden(el: etree._Element) -> bool:
    style = el.get("style")
    return el.get("hidden") is not None or (style is not None and bool(_HIDDEN_STYLE.search(style)))


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@lru_cache(maxsize=4096)
def _clutter_level(mark: str) -> int:
    """What class and id words say (pages repeat them: cached): 0 nothing, 1 probably clutter
    (widget, ad-, sidebar, but layout wrappers get such names too), 2 clutter (comments,
    share bars, related links, captions)."""
    mark = _CAMEL.sub(" ", mark)  # articleComments: two words
    if not _NEGATIVE.search(mark):
        return 0
    if _STRONG_NEGATIVE.search(mark):
        return 2
    return 0 if _POSITIVE.search(mark) else 1


def _holds_prose(el: etree._Element, paragraphs: int = 3) -> bool:
    """Several real paragraphs inside: a layout wrapper with a clutter-sounding name."""
    found = 0
    for p in el.iter("p"):
        if len("".join(p.text_content().split())) >= 80:
            found += 1
            if found >= paragraphs:
                return True
    return False


def remove(el: etree._Element) -> None:
    """Remove an element but keep its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
