"""来源, 作者, 责任编辑 and 导言, found by their labels inside or right next to the article.

The text searched is the article's (footers, sidebars, related and comment blocks are already
left out, see meta.article_text) from just above the headline on: a portal-wide 来源 in the
site's header is not the article's. Authors also come from bylines without a colon (（记者
沈文敏）, 記者林悅／南市報導, 半月谈记者 史卫燕, （王煌忠／台中報導）) near the headline or at the
start or end of the body, and only then from metadata, and there only when the value looks
like a person (not the site, a desk, a URL or an id).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..dates import DATE_PATTERN

__all__ = ["origin_by_byline", "origin_by_markup", "report_byline", "find_label", "find_byline", "person_like", "label_scope", "near_headline"]

_LABELS = {
    "origin": r"(?:来源|來源|来自|出处|稿源|Source)",
    "editor": r"(?:责任编辑|責任編輯|责编|責編|编辑|編輯|Editor)",
    "authors": r"(?:作者|记者|記者|撰文|撰稿|通讯员|通訊員|执笔人|執筆人|By)",
    "lead": r"(?:导言|导读|摘要|内容提要|提要)",
}
# A label starts a word, or follows a word that only qualifies it (文章来源, 本文作者).
_START = r"(?:(?<![\w])|(?<=文章)|(?<=本文)|(?<=稿件)|(?<=信息)|(?<=新闻)|(?<=新聞))"
_VALUE = r"\s*[:：︱｜|]\s*(?P<v>[^\s\]】）)|｜,，:：]+(?:[、,，][^\s\]】）)|｜,，:：]+)*)"
_UNLABELLED_ORIGIN = re.compile(r"(?:本文来源于|本文來源於|来源于|來源於|摘自|转自|轉自|转载自|轉載自)"
                                r"\s*(?P<v>[^\s，。,；;）)]{2,24})")
_NAME = r"[\u4e00-\u9fff·]{2,4}"
_NAMES = _NAME + r"(?:[、 ]" + _NAME + r"){0,7}"
_ROLE = r"(?:记者|記者|通讯员|通訊員|实习生|實習生|撰文|撰稿|执笔|執筆)"
_REPORT = re.compile(r"[（(〔\[]\s*(?P<v>" + _NAME + r")\s*[/／ ]\s*[\u4e00-\u9fff]{1,8}"
                     r"(?:报道|報導|报导|电|電)[）)〕\]]")  # （王煌忠／台中報導）  （姚峰 上海报道）
_BYLINES = (
    # （记者沈文敏）  記者林悅／南市報導  本报记者罗科苏盈发自北京  记者马俊峰/文
    re.compile(_ROLE + r"(?P<v>" + _NAMES + r")"
               r"(?=\s*(?:[/／）)\]】〕]|报道|報導|报导|摄|攝|发自|發自|$))"),
    # 半月谈记者 史卫燕⏎   本报记者⏎王燕平 方云凤⏎   (a name set apart on its line)
    re.compile(_ROLE + r"[ \t\u3000\n]+(?P<v>" + _NAMES + r")(?=[ \t]*(?:\n|[/／）)\]】〕]|$))"),
    # 文/张三  文｜张三
    re.compile(r"(?<![\w])文\s*[/／|｜︱]\s*(?P<v>" + _NAMES + r")(?=[\s）)\]】]|$)"),
    _REPORT,
    # 2004年7月16日08:19 [ 黄宇 ]
    re.compile(r"\d:\d\d(?::\d\d)?\s*[\[【]\s*(?P<v>" + _NAME + r")\s*[\]】]"),
    # 本贴由 大卫 于2005年…   ggjjzhzz⏎发表于 2005-9-15
    re.compile(r"(?:本贴由|本帖由)\s*(?P<v>[^\s]{2,20})\s*于\s*\d{4}"),
    re.compile(r"(?:^|\n)(?P<v>[^\n\s]{2,20})\n(?:发表于|發表於)\s*[:：]?\s*\d{4}"),
)
# At the very end of the body: （袁源）  （常书香 马丹阳 ）
_CLOSING = re.compile(r"[（(]\s*(?P<v>" + _NAMES + r")\s*[）)]\s*$")
# Words that make a "name" a desk, a role or a medium rather than a person.
_NOT_PERSON = re.compile(r"^(?:完|续|待续|图|圖|摄|攝|上|下|中|附|注|译|譯|组图|組圖|资料图|資料圖)$|"
                         r"报道|報導|综合|綜合|本报|本報|本网|本網|编辑|編輯|实习|實習|通讯|通訊|"
                         r"中心|新闻|新聞|记者|記者|网|網|报|報|社|台|站|频道|頻道|部|公司|集团|集團|"
                         r"杂志|雜誌|媒体|媒體|电视|電視|广播|廣播|传媒|傳媒|快讯|快訊|http|www\.")
# Markup debris (size="20"), sentences, and organisations written in English.
_NOT_A_NAME = re.compile(r"[=<>\"{}。！？!?；;]|\b(?:team|inc|ltd|corp|group|news|media|studio)\b",
                         re.I)
_ABOVE = 100  # characters above the headline still read (an info line set before it)
_NEAR = 400  # characters after the headline where a byline belongs to this article


def label_scope(text: str, title: str) -> tuple[int, int]:
    """Where the article starts in `text`: (just above its headline, at it), or (0, 0)."""
    at = text.find(title) if title else -1
    if at < 0 and len(title) > 12:
        at = text.find(title[:12])
    return (max(0, at - _ABOVE), at) if at >= 0 else (0, 0)


def find_label(text: str, name: str, avoid: Iterable[str] = (), start: int = 0
               ) -> tuple[str, str]:
    """The value after a label such as 来源: in text[start:] (not the site's own name)."""
    if name == "lead":
        m = re.compile(_LABELS["lead"] + r"\s*[:：]\s*(?P<v>[^\n]{10,})").search(text, start)
        return (m["v"].strip(), "label 导言") if m else ("", "")
    avoid = set(avoid)
    fallback = ("", "")
    if name == "authors":
        m = re.compile(_START + _LABELS[name] + r"\s*[:：︱｜|]\s*(?P<v>" + _NAMES
                       + r")(?=[\s，,。）)\]】]|$)").search(text, start)
        if m and all(person_like(n, "") for n in re.split(r"[、 ]", m["v"])):
            return "、".join(m["v"].split()), f"label {re.split(r'[:：︱｜|]', m.group(0))[0].strip()}"
    for m in re.compile(_START + _LABELS[name] + _VALUE).finditer(text, start):
        value = m["v"].strip()
        if not value or len(value) > 40 or DATE_PATTERN.match(value) \
                or re.match(_LABELS["editor"] + "|" + _LABELS["authors"], value):
            continue  # an empty label followed by the next line's label
        if name == "authors" and not person_like(value, ""):
            continue
        found = value, f"label {re.split(r'[:：︱｜|]', m.group(0))[0].strip()}"
        if value not in avoid:
            return found
        fallback = fallback if fallback[0] else found  # the site itself, if nothing better
    if name == "origin" and not fallback[0]:
        m = _UNLABELLED_ORIGIN.search(text, start)
        if m and m["v"] not in avoid:
            return m["v"].strip("《》") if m["v"].count("《") != 1 else m["v"], "label 来源于/摘自"
    return fallback


_SOURCE_NAMED = re.compile(r"source|fromsite|laiyuan|comefrom|from-?site|article-?from", re.I)
_SOURCE_PREFIX = re.compile(r"^(?:来源|來源|稿源|出处|Source)\s*[:：]?\s*")


_MEDIUM_BYLINE = re.compile(r"(?P<v>[\u4e00-\u9fff]{1,8}(?:报|報|社|网|網|台|电视|電視|杂志|雜誌))\s*"
                            r"(?:记者|記者|通讯员|通訊員)")
_OWN_PAPER = re.compile(r"^(?:本|我)(?:报|報|网|網|社|台)$")


def origin_by_byline(text: str, start: int, end: int) -> tuple[str, str]:
    """The medium a byline names (聯合報 記者…, 中央社記者…, 新华社记者…), not 本报 (the page's own)."""
    for m in _MEDIUM_BYLINE.finditer(text, start, end):
        if not _OWN_PAPER.match(m["v"]):
            return m["v"], "medium in the byline"
    return "", ""


def origin_by_markup(named: list[tuple[str, str]], metas: dict[str, str], avoid: set[str]
                     ) -> tuple[str, str]:
    """An unlabelled 来源: the short text of an element named source/fromsite/laiyuan, else a
    `<meta name="source">` that is not the site itself. `named`: (class and id, text) pairs."""
    for names, text in named:
        value = _SOURCE_PREFIX.sub("", " ".join(text.split()))
        if _SOURCE_NAMED.search(names) and 2 <= len(value) <= 24 and value not in avoid \
                and not DATE_PATTERN.search(value) and not re.search(r"[:：]", value):
            return value, "element named source"
    value = metas.get("source", "").strip()
    if value and value not in avoid and not any(value in a or a in value for a in avoid if a):
        return value, "meta source"
    return "", ""


def find_byline(text: str, start: int = 0, end: int | None = None, closing: bool = False
                ) -> tuple[str, str]:
    """The reporters named in the bylines within text[start:end], in page order (joined with
    、), or ''; `closing`: also a name in brackets ending the span (the body's last line)."""
    end = len(text) if end is None else end
    found: dict[int, str] = {}
    patterns = _BYLINES + ((_CLOSING,) if closing else ())
    for pattern in patterns:
        for m in pattern.finditer(text, start, end):
            names = [n for n in re.split(r"[、 ]", m["v"]) if person_like(n, "")]
            found.setdefault(m.start("v"), "、".join(names)) if names else None
    names = list(dict.fromkeys(n for _, v in sorted(found.items()) for n in v.split("、")))
    return ("、".join(names), "byline") if names else ("", "")


def report_byline(text: str) -> tuple[str, str]:
    """A （王煌忠／台中報導） in the text given (the body's ends): specific enough to need no position."""
    m = _REPORT.search(text)
    return (m["v"], "byline （…／…報導）") if m and person_like(m["v"], "") else ("", "")


def person_like(value: str, host: str, site_names: Iterable[str] = ()) -> bool:
    """Whether a declared author looks like a person's name rather than the site, a desk, a
    URL or an id (`chinanews`, `2804`, 中央通訊社, 聯合新聞網)."""
    value = value.strip()
    if not value or len(value) > 40 or value.isdigit() or value in set(site_names) \
            or _NOT_A_NAME.search(value):
        return False
    if _NOT_PERSON.search(value.lower()):
        return False
    return not (value.isascii() and host and value.lower() in host.lower())


def near_headline(text: str, title: str) -> tuple[int, int]:
    """The span of text where a byline belongs to this article: around its headline."""
    above, at = label_scope(text, title)
    return above, at + len(title) + _NEAR
