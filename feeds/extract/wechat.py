"""WeChat official-account article pages (mp.weixin.qq.com/s/...): what the generic extractor
cannot see on them.

Such a page keeps its body in `#js_content`, hidden (`visibility: hidden`) until its scripts
run, with images in `data-src`; the publish time is only in script variables (`var ct =
"1691200000"`, a Unix time), the account's name in `#js_name` or `var nickname`, the author in
`<meta name="author">` or `#js_author_name`. These are read here; the date itself comes from the
date chooser (which reads script variables); lazy images are resolved by normalise.
"""

from __future__ import annotations

import re
from html import unescape

from lxml import html as lhtml

__all__ = ["is_wechat", "prepare", "fields", "BODY_CSS"]

BODY_CSS = "#js_content"
_HOST = re.compile(r"^https?://mp\.weixin\.qq\.com/", re.I)
_VAR = r"""var\s+{name}\s*=\s*(?:htmlDecode\()?\s*["']([^"']*)["']"""


def is_wechat(url: str, root: lhtml.HtmlElement) -> bool:
    """A WeChat article page: by its address, or (a saved copy) by its body container."""
    if _HOST.match(url):
        return True
    return root.get_element_by_id("js_content", None) is not None and \
        root.get_element_by_id("activity-name", None) is not None


def prepare(root: lhtml.HtmlElement) -> None:
    """Unhide the body: it is hidden only until the page's scripts run."""
    body = root.get_element_by_id("js_content", None)
    if body is not None and "style" in body.attrib:
        del body.attrib["style"]


def _text(root: lhtml.HtmlElement, element_id: str) -> str:
    el = root.get_element_by_id(element_id, None)
    return " ".join(el.text_content().split()) if el is not None else ""


def _var(scripts: list[str], name: str) -> str:
    pattern = re.compile(_VAR.format(name=name))
    for text in scripts:
        m = pattern.search(text)
        if m and m.group(1).strip():
            return unescape(m.group(1).strip())
    return ""


def fields(root: lhtml.HtmlElement, metas: dict[str, str], scripts: list[str]
           ) -> dict[str, tuple[str, str]]:
    """{field: (value, how)} for title, origin (the account) and authors, where found."""
    out: dict[str, tuple[str, str]] = {}
    title = _text(root, "activity-name") or _var(scripts, "msg_title") or metas.get("og:title", "")
    if title:
        out["title"] = (title, "WeChat #activity-name / msg_title")
    account = _text(root, "js_name") or _var(scripts, "nickname")
    if account:
        out["origin"] = (account, "WeChat account (#js_name / nickname)")
    author = metas.get("author", "") or _text(root, "js_author_name")
    if author and author != account:
        out["authors"] = (author, "WeChat author (meta author / #js_author_name)")
    return out
