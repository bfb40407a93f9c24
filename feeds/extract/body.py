"""The generic body extractor: a text-density heuristic on an lxml tree.

Clutter goes first (feeds.extract.clutter). Every paragraph-like block then scores by its length
and punctuation (Chinese ，。 count like English commas) minus its share of link text; its score
flows to its parent and, halved, to its grandparent (text lying loose beside blocks scores for
its own element; linked snippets cut off with "..." are teasers and score nothing). The best
container is the body, joined with its twins when the body is split into repeated same-class
blocks, else with siblings that look like more of the same. Clutter inside it (share bars,
"related" lists, link-heavy blocks) is pruned. One measuring pass computes text and link lengths
for every element, so a page costs O(nodes). When the winner looks doubtful (little text),
`trafilatura` gets a second opinion."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from lxml import etree
from lxml import html as lhtml

from .clutter import JUNK_TAGS, drop_junk
from .clutter import remove as _remove

__all__ = ["extract_body", "BodyResult", "JUNK_TAGS"]

log = logging.getLogger("feeds.extract.body")

_BLOCK = frozenset({"p", "div", "td", "table", "tr", "tbody", "ul", "ol", "li", "section",
                    "article", "main", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
                    "dl", "dd", "dt", "figure", "center", "form"})
_PARAGRAPH = frozenset({"p", "pre", "td", "blockquote", "li", "div", "section", "article", "dd",
                        "center", "font", "span"})
_PUNCT = re.compile(r"[，。！？；、,.;!?]")
# One \s* before the optional bracket, not two around it: two make a long run of whitespace
# cost quadratic time to reject (it was most of the time spent on real pages).
_BOILER = re.compile(
    r"^\s*(?:[\[【(（]\s*)?(?:分享到|分享至|责任编辑|编辑|来源|相关阅读|相关新闻|相关文章|上一篇|下一篇|"
    r"更多新闻|网友评论|网客评论|评论|标签|关键词|打印|关闭窗口|返回顶部|扫一扫|点击进入|"
    r"Share this|Related|Read more|Advertisement|Sign up|Subscribe)")
DOUBT_CHARS = 140  # less text than this and the heuristic asks trafilatura (CJK counts triple:
#                    a Chinese character carries about as much as an English word's letters)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class BodyResult:
    html: str
    text_length: int
    method: str  # "density", "trafilatura" or "none"


def extract_body(root: lhtml.HtmlElement, page_html: str = "", fallback: bool = True) -> BodyResult:
    """Return the article body of a parsed page (the tree is modified: clutter is removed)."""
    drop_junk(root)
    best = _best_container(root)
    result = BodyResult("", 0, "none")
    if best is not None:
        _prune(best)
        if best.tag not in _BLOCK or best.tag == "form":  # <body>, <text> wrappers: a plain div
            best.tag = "div"
            best.attrib.clear()
        text = _compact(best.text_content())
        text_len = len(text) + 2 * len(_CJK.findall(text))
        result = BodyResult(lhtml.tostring(best, encoding="unicode"), text_len, "density")
    if result.text_length < DOUBT_CHARS and fallback and page_html:
        second = _trafilatura(page_html)
        if second is not None and second.text_length > result.text_length:
            return second
    return result


def _compact(text: str) -> str:
    return "".join(text.split())


@dataclass(slots=True)
class _Stats:
    text: int = 0
    links: int = 0
    punct: int = 0
    blocks: bool = False  # has block-level children
    loose: _Stats | None = None  # the text outside block children (own text, tails, inline)


def _measure(root: etree._Element) -> dict[etree._Element, _Stats]:
    """Text length, link-text length and punctuation of every element, children first."""
    stats: dict[etree._Element, _Stats] = {}
    empty = _Stats()
    for el in reversed(list(root.iter())):
        if not isinstance(el.tag, str):
            continue
        own = el.text or ""
        text = len(own.strip())
        punct = len(_PUNCT.findall(own)) if text else 0
        links = blocks = 0
        loose_text, loose_punct, loose_links = text, punct, 0
        for child in el:
            c = stats.get(child, empty)
            tail = child.tail or ""
            tail_len = len(tail.strip())
            tail_punct = len(_PUNCT.findall(tail)) if tail_len else 0
            text += tail_len + c.text
            punct += tail_punct + c.punct
            links += c.links
            loose_text += tail_len
            loose_punct += tail_punct
            if child.tag in _BLOCK:
                blocks = True
            else:
                loose_text, loose_punct = loose_text + c.text, loose_punct + c.punct
                loose_links += c.links
        if el.tag == "a":
            links = loose_links = text
        s = _Stats(text, links, punct, bool(blocks))
        s.loose = _Stats(loose_text, loose_links, loose_punct) if blocks else s
        stats[el] = s
    return stats


def _best_container(root: lhtml.HtmlElement) -> etree._Element | None:
    stats = _measure(root)
    scores: dict[etree._Element, float] = {}
    for el, s in stats.items():
        text = s.loose
        if el.tag not in _PARAGRAPH or text is None or text.text < 20:
            continue
        density = text.links / text.text
        if density > 0.5 or _in_teaser(el, s, stats):
            continue
        score = (1 + text.punct + min(text.text / 100, 3)) * (1 - density)
        # A paragraph's score goes to its container; text lying loose beside blocks (a <br>
        # separated body in a layout div) makes that div itself the container.
        target = el if s.blocks else el.getparent()
        for share in (1.0, 0.5, 0.33):
            if target is None or target.tag in ("html",):
                break
            scores[target] = scores.get(target, 0.0) + score * share
            target = target.getparent()
    if not scores:
        return None
    ranked = {el: sc * (1 - stats[el].links / max(stats[el].text, 1)) for el, sc in scores.items()}
    best = max(ranked, key=ranked.__getitem__)
    best = _descend(best, ranked, stats)
    joined = _with_twins(best, stats)
    return joined if joined is not None else _with_siblings(best, ranked, stats)


_TWIN_LEVELS = 6  # how far up a split body's repeated block may sit above the winner


def _with_twins(best: etree._Element, stats: dict) -> etree._Element | None:
    """A body split into repeated blocks (same tag and first class name, e.g. one per section
    between figures or ads): climb from the winner to the first ancestor with such twins among
    its siblings, and join the text-dense ones in page order."""
    block = best
    for _ in range(_TWIN_LEVELS):
        parent = block.getparent()
        if parent is None or block.tag in ("body", "html"):
            return None
        name = _first_class(block)
        if name and block.tag != "article":  # each <article> is a whole one: not a part
            twins = [sib for sib in parent if sib is block or (
                sib.tag == block.tag and _first_class(sib) == name and _reads_like_text(stats[sib]))]
            if len(twins) > 1:
                return _wrap(twins)
        block = parent
    return None


def _first_class(el: etree._Element) -> str:
    names = (el.get("class") or "").split()
    return names[0] if names else ""


def _reads_like_text(s: _Stats) -> bool:
    return s.text >= 80 and s.links / s.text < 0.3 and s.punct >= 2


def _in_teaser(el: etree._Element, s: _Stats, stats: dict) -> bool:
    """A linked, short text cut off with an ellipsis (or a span inside one): a teaser of another
    article."""
    if s.blocks:
        return False
    parent = el.getparent()
    if el.tag in ("span", "font") and parent is not None and parent in stats:
        el, s = parent, stats[parent]
    if not s.links or s.text > 400:
        return False
    return "".join(el.itertext()).rstrip().endswith(("...", "…"))


def _descend(best: etree._Element, ranked: dict, stats: dict) -> etree._Element:
    """A child holding most of the winner's score and text is the tighter body (the winner then
    only added a byline, a 导言 or a date line around it)."""
    while True:
        child = max((c for c in best if c in ranked), key=ranked.__getitem__, default=None)
        if child is None or ranked[child] < 0.6 * ranked[best] \
                or stats[child].text < 0.4 * stats[best].text:
            return best
        best = child


def _with_siblings(best: etree._Element, ranked: dict, stats: dict) -> etree._Element:
    """Join the winner with siblings that read like more of the article (split bodies)."""
    parent = best.getparent()
    if parent is None or best.tag == "body":
        return best
    threshold = max(10.0, ranked[best] * 0.2)
    keep = []
    for sib in parent:
        s = stats.get(sib)
        if sib is best:
            keep.append(sib)
        elif s is not None and s.text:
            density = s.links / s.text
            if ranked.get(sib, 0) >= threshold and density < 0.3 or sib.tag == "p" and density < 0.25 and (s.text > 80 or s.punct >= 2):
                keep.append(sib)
    return best if len(keep) == 1 else _wrap(keep)


def _wrap(parts: list[etree._Element]) -> etree._Element:
    wrapper = lhtml.Element("div")
    for el in parts:
        el.tail = None
        wrapper.append(el)  # moves el out of the page tree: fine, extraction is done with it
    return wrapper


def _prune(container: etree._Element) -> None:
    """Remove clutter inside the chosen body: link lists, share bars, label lines, headings h1."""
    stats = _measure(container)
    for el in list(container.iter()):
        if el is container or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        s = stats.get(el)
        if el.tag == "h1" or s and el.tag in _BLOCK and s.text and s.links / s.text > 0.5 and s.text < 300 or s and el.tag in _BLOCK and s.text < 60 and _BOILER.match(el.text_content()):
            _remove(el)


def _trafilatura(page_html: str) -> BodyResult | None:
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - trafilatura is a declared dependency
        return None
    try:
        found = trafilatura.extract(page_html, output_format="html", include_images=True,
                                    include_links=True, include_tables=True, fast=True)
    except Exception as e:  # noqa: BLE001 - a third-party parser must never stop a run
        log.debug("trafilatura failed: %s", e)
        return None
    if not found:
        return None
    text = _compact(lhtml.fromstring(found).text_content())
    return BodyResult(found, len(text) + 2 * len(_CJK.findall(text)), "trafilatura")
