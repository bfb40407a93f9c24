"""The title chooser: every candidate a page offers, weighed by agreement and position.

Candidates are the visible headings (h1-h3, elements whose class or id says title, text nodes
equal to the start of a declared title) and the declared titles (og:title, twitter:title, meta
title, JSON-LD headline, <title>). A visible candidate scores one point per declared title that
agrees with it (equal; the declared one starting with it at a separator, i.e. plus a site or
column suffix; or it holding the declared one's start), plus its tag's weight. A name of the
site (og:site_name, a <title> tail, a hint from the source's listing pages, a logo heading)
never wins, nor a copy cut short by an ellipsis when the full one is there. Without any agreeing
visible heading, a declared title with its site suffix removed stands.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lhtml

__all__ = ["Candidate", "TitleChoice", "choose_title", "site_texts", "split_title"]

# Between a headline and a site or column name. A hyphen between digits or letters is not one
# (1-10月, EC-225), nor a lone middle dot (a foreign name's).
_SEPARATOR = re.compile(r"\s*(?:_+|\||｜|-{2,}|—{1,2}|―{1,2}|::|»|\s[-–—·]\s|\s-$"
                        r"|(?<![0-9A-Za-z\s])-(?![0-9A-Za-z\s])|(?<=[^\W\d_])-(?=[^\W\d_A-Za-z])"
                        r"|(?<=[^\W\d_A-Za-z])-(?=[^\W\d_]))\s*")
_SPLIT_POINTS = re.compile(_SEPARATOR.pattern + r"|\s+")
_CLASS_TITLE = re.compile(r"title|headline|biaoti|^h1$|activity-name", re.I)
_ELLIPSIS = re.compile(r"(?:\.{3}|…+|。。。)$")
_TAG_WEIGHT = {"h1": 2.0, "h2": 1.0, "class": 1.0, "h3": 0.5, "text": 0.0}
_RANK = {"h1": 0, "h2": 1, "class": 2}
_DECLARED = ("ld", "og", "twitter", "meta", "title")
_MIN, _MAX = 4, 150
_SITE_SHAPE = re.compile(r"[^\s:：,，。!?！？]{1,8}\s?(?:网|網|新闻网|新聞網|电子报|電子報|在线|在線|"
                         r"新闻中心|新聞中心)")
# A medium's name and a colon starting a declared title: 中國評論新聞：, 新华网:
_SITE_HEAD = re.compile(r"[^\s:：]{1,10}(?:网|網|新闻|新聞|日报|日報|晚报|晚報|时报|時報|电视台|電視台|"
                        r"通讯社|通訊社)\s*[:：]\s*(?=.{4})")
_LOGO = 12  # a site's name is short; a headline that holds an icon is not a logo


@dataclass
class Candidate:
    text: str  # as shown, whitespace collapsed
    kind: str  # h1 h2 h3 class text | ld og twitter meta title
    position: int = 0
    score: float = 0.0
    why: str = ""
    key: str = ""  # folded, for comparing

    def __post_init__(self) -> None:
        self.text = " ".join(self.text.replace("\u3000", " ").split())
        self.key = fold(self.text)


@dataclass(frozen=True)
class TitleChoice:
    text: str
    how: str
    candidates: tuple[Candidate, ...]


_QUOTES = str.maketrans({q: '"' for q in "“”„‟〝〞「」『』"} | {q: "'" for q in "‘’‚‛"})


def fold(text: str) -> str:
    """NFKC, quotes unified, whitespace collapsed: how two copies of a headline are compared
    (metadata often writes "" where the page shows “” or 「」)."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split())


def split_title(text: str) -> list[str]:
    """The parts of a declared title between separators (`标题_频道_站点` -> 3 parts)."""
    return [p for p in _SEPARATOR.split(text) if p.strip()]


def site_texts(root: lhtml.HtmlElement) -> set[str]:
    """What names the site on a listing or home page: og:site_name, its <title>'s parts and its
    h1s (a logo). Passed to `choose_title` for the articles found there."""
    names = {fold(el.get("content", "")) for el in root.iter("meta")
             if (el.get("property") or el.get("name") or "").lower() == "og:site_name"}
    title = root.find(".//title")
    if title is not None:
        names.update(fold(p) for p in split_title(title.text_content()))
    names.update(fold(h.text_content()) for h in root.iter("h1"))
    return {n for n in names if n}


def _declared(root: lhtml.HtmlElement, metas: dict[str, str], ld_headline: object
              ) -> list[Candidate]:
    out = []
    if isinstance(ld_headline, str) and ld_headline.strip():
        out.append(Candidate(ld_headline, "ld"))
    for key, kind in (("og:title", "og"), ("twitter:title", "twitter"), ("title", "meta")):
        if metas.get(key):
            out.append(Candidate(metas[key], kind))
    title = root.find(".//title")
    if title is not None and fold(title.text_content()):
        out.append(Candidate(title.text_content(), "title"))
    return out


_NAMED = etree.XPath("//*[@class or @id]")
_TEXTS = etree.XPath("//text()")
_SKIP = frozenset({"script", "style", "title", "head", "meta", "html", "body", "option"})


def _headings(root: lhtml.HtmlElement) -> list[Candidate]:
    """h1-h3 and title-named elements; `position` is the source line (earlier wins a tie)."""
    out: list[Candidate] = []
    for el in root.iter("h1", "h2", "h3"):
        _add(out, el, el.tag)
    for el in _NAMED(root):
        if el.tag not in ("h1", "h2", "h3") and \
                _CLASS_TITLE.search(f"{el.get('class', '')} {el.get('id', '')}"):
            _add(out, el, "class")
    return out


def _texts(root: lhtml.HtmlElement, prefixes: set[str]) -> list[Candidate]:
    """Short text nodes equal to the start of a declared title (a headline in a bare <td>)."""
    out: list[Candidate] = []
    lengths = {len(p) for p in prefixes}  # folding keeps a collapsed text's length
    longest = max(lengths, default=0) + 8
    for node in _TEXTS(root):
        if _MIN <= len(node) <= longest and len(" ".join(node.split())) in lengths \
                and fold(node) in prefixes:
            parent = node.getparent()
            if parent is not None and parent.tag not in _SKIP:
                out.append(Candidate(node, "text", parent.sourceline or 0))
    return out


def _add(out: list[Candidate], el: lhtml.HtmlElement, kind: str) -> None:
    text = el.text_content()
    if len(text) <= 3 * _MAX:
        cand = Candidate(text, kind, el.sourceline or 0)
        if _MIN <= len(cand.text) <= _MAX:
            out.append(cand)


@dataclass(frozen=True)
class _Declared:
    """A declared title, cut up once: its parts, its starts (longest first), its text without
    a trailing ellipsis."""

    key: str
    kind: str
    parts: tuple[str, ...]
    starts: tuple[str, ...]
    short: str
    after_site: str  # 中國評論新聞：标题 -> 标题 (a medium's name and a colon first)

    @classmethod
    def of(cls, cand: Candidate) -> _Declared:
        ends = [m.start() for m in _SPLIT_POINTS.finditer(cand.key) if m.start() >= _MIN]
        head = _SITE_HEAD.match(cand.key)
        return cls(cand.key, cand.kind, tuple(split_title(cand.key)),
                   tuple(cand.key[:end].strip() for end in reversed(ends)),
                   _ELLIPSIS.sub("", cand.key), cand.key[head.end():] if head else "")


def _agrees(visible: str, declared: _Declared) -> str:
    """How a declared title supports a visible one ('' when it does not)."""
    text = declared.key
    if visible == text:
        return "equal"
    if text.startswith(visible) and (_SEPARATOR.match(text, len(visible))
                                     or text[len(visible)] == " "):
        return "suffixed"
    parts = declared.parts
    if len(parts) > 1 and visible == parts[-1] and len(visible) > len(parts[0]):
        return "prefixed"  # 站点 - 标题: the site's name first
    if declared.after_site and visible == declared.after_site:
        return "prefixed"
    for start in declared.starts:
        if len(start) < 0.6 * len(visible):
            break
        if start in visible:
            return "holds"  # 【栏目】标题 shown, 标题_站点 declared
    short = declared.short
    if short != text and len(short) >= _MIN and visible.startswith(short):
        return "truncated copy"
    if len(text) >= max(_MIN, len(visible) // 2) and visible.startswith(text):
        return "cut short"  # og:title cut at a quote by a template
    return ""


def _title_ends(declared: list[Candidate]) -> set[str]:
    """The last part of each declared title (usually the site's name, so never taken blind,
    though a visible heading agreeing with it may still be the headline: 站点 - 标题), and any
    declared text shaped like a site's name (公视新闻网, 经济参考网)."""
    ends = {parts[-1] for c in declared if len(parts := split_title(c.key)) > 1}
    return ends | {p for c in declared for p in split_title(c.key) if _SITE_SHAPE.fullmatch(p)}


def _site_names(metas: dict[str, str], hints: Iterable[str], root: lhtml.HtmlElement
                ) -> set[str]:
    """Texts that name the site: the source's hints, og:site_name and logo headings."""
    names = {fold(h) for h in hints} | {fold(metas.get("og:site_name", ""))}
    for h in root.iter("h1", "h2"):  # a logo: a short heading that is an image or a link home
        text = fold(h.text_content())
        link = h.find(".//a")
        home = link is not None and urlsplit(link.get("href") or "").path.strip("/.") == ""
        if len(text) <= _LOGO and (home or h.find(".//img") is not None):
            names.add(text)
    return {n for n in names if n}


def choose_title(root: lhtml.HtmlElement, metas: dict[str, str], ld_headline: object = None,
                 hints: Iterable[str] = ()) -> TitleChoice:
    """The page's headline, how it was chosen, and every candidate with its score."""
    declared = _declared(root, metas, ld_headline)
    cut = [_Declared.of(d) for d in declared]
    sites = _site_names(metas, hints, root)
    visible = _scored(_headings(root), cut, sites)
    if max((c.score for c in visible), default=0) < len({d.kind for d in cut}) + _TAG_WEIGHT["h3"]:
        # a text node can only win where no heading has every declared title's support
        prefixes = {start for d in cut for start in (d.key, d.after_site, *d.starts) if start}
        visible += _scored(_texts(root, prefixes), cut, sites)
    _drop_truncated(visible)
    best = max(visible, key=lambda c: (c.score, len(c.text), -c.position), default=None)
    if best is not None and best.score > 0:
        return TitleChoice(best.text, f"{best.kind} ({best.why})", tuple(visible + declared))
    every = tuple(visible + declared)
    ends = sites | _title_ends(declared)
    explicit = _declared_fallback([d for d in declared if d.kind != "title"], ends)
    if explicit is not None:  # og:title, JSON-LD headline: meant as the headline
        return TitleChoice(explicit.text, explicit.why, every)
    lone = [c for c in visible if c.kind == "h1" and c.score >= 0]
    if len(lone) == 1:  # a <title> agreeing with no heading is often an SEO keyword list
        return TitleChoice(lone[0].text, "h1 (the only one; no declared title agrees)", every)
    fallback = _declared_fallback(declared, ends)
    if fallback is not None:
        return TitleChoice(fallback.text, fallback.why, every)
    # Every declared title names the site: the first heading that does not.
    headings = [c for c in visible if c.kind in _RANK and c.score >= 0]
    first = min(headings, key=lambda c: (_RANK[c.kind], c.position), default=None)
    if first is None:
        return TitleChoice("", "", every)
    return TitleChoice(first.text, f"{first.kind} (declared titles name only the site)", every)


def _scored(cands: list[Candidate], cut: list[_Declared], sites: set[str]) -> list[Candidate]:
    """Each candidate scored: one point per declared title kind agreeing, plus its tag's weight
    when any agrees; a site's name scores -1."""
    for cand in cands:
        support = [(d.kind, how) for d in cut if (how := _agrees(cand.key, d))]
        kinds = {kind for kind, _ in support}
        cand.score = len(kinds) + (_TAG_WEIGHT[cand.kind] if kinds else 0.0)
        cand.why = ", ".join(f"{kind} {how}" for kind, how in support) or "no declared title agrees"
        if cand.key in sites:
            cand.score, cand.why = -1.0, "the site's name"
    return cands


def _drop_truncated(visible: list[Candidate]) -> None:
    """A copy cut short with an ellipsis loses to a longer one it starts."""
    for cand in visible:
        short = _ELLIPSIS.sub("", cand.key)
        if short != cand.key and any(o.key != cand.key and o.key.startswith(short)
                                     and o.score >= 0 for o in visible):
            cand.score, cand.why = -1.0, "a truncated copy"


def _declared_fallback(declared: list[Candidate], sites: set[str]) -> Candidate | None:
    """The first declared title (JSON-LD, og, twitter, meta, <title>) that is not the site's
    name, without its site and column suffixes (its longest remaining part)."""
    for cand in sorted(declared, key=lambda c: _DECLARED.index(c.kind)):
        parts = [p for p in split_title(cand.text) if fold(p) not in sites]
        if parts:
            text = parts[0] if len(parts) == 1 else max(parts, key=len)
            return Candidate(text, cand.kind, why=f"{cand.kind} minus site name")
    return None

