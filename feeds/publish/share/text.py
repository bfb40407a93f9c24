"""Text and URL rules for share metadata: plain text, cuts by characters, absolute URLs.

Platforms show a few lines of a shared link and cut the rest themselves, badly (mid-character,
mid-sentence, with raw tags). We cut first: by characters (not words: Chinese has no spaces),
preferably at a sentence end (。！？.!?), always marking a cut with an ellipsis.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from lxml.etree import ParserError

from ...model import Image
from ...normalise import clean_text, html_to_text

__all__ = ["ELLIPSIS", "absolute_url", "cut", "first_content_image", "plain_text"]

ELLIPSIS = "…"
# A sentence end, with the closing quotes/brackets that belong to it; '.' only before a space
# or the end, so that 3.14 and example.com are not sentence ends.
_SENTENCE_END = re.compile(r"(?:[。！？!?]|\.(?=\s|$))[”’」』）)\"']*")
# Characters that continue the grapheme before them: cutting before one splits a character
# as the reader sees it (combining marks, variation selectors, ZWJ, skin tones).
_EXTENDERS = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}


def plain_text(text_or_html: str) -> str:
    """The text of an HTML fragment or string: tags removed, entities decoded, space collapsed."""
    return clean_text(html_to_text(text_or_html or ""))


def cut(text: str, limit: int, at_sentence: bool = True) -> str:
    """`text` if it fits in `limit` characters, else a cut ending with an ellipsis.

    The cut falls after the last sentence end within the limit (when `at_sentence` and one
    is found past a third of it), else at the limit; never inside a character as drawn.
    """
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    end = _safe_end(text, room)
    if at_sentence:
        ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, room)]
        if ends and ends[-1] >= limit // 3:
            end = _safe_end(text, ends[-1])
    return text[:end].rstrip() + ELLIPSIS


def _safe_end(text: str, end: int) -> int:
    """Move `end` back so that text[:end] does not split a grapheme cluster."""
    while 0 < end < len(text) and _continues(text[end - 1], text[end]):
        end -= 1
    return end


def _continues(before: str, char: str) -> bool:
    if char in _EXTENDERS or before == "\u200d":
        return True
    if unicodedata.category(char) in ("Mn", "Me", "Mc"):
        return True
    if "\U0001f3fb" <= char <= "\U0001f3ff":  # emoji skin-tone modifier
        return True
    # regional-indicator flags come in pairs: do not split one
    return _regional(char) and _regional(before)


def _regional(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


@lru_cache(maxsize=64)  # the site logo, asked for every article
def absolute_url(url: str, base: str) -> str:
    """`url` made absolute against `base`; '' unless the result is http(s)."""
    url = (url or "").strip()
    if not url:
        return ""
    joined = urljoin(base, url) if base and not url.startswith(("http://", "https://")) else url
    parts = urlsplit(joined)
    return joined if parts.scheme in ("http", "https") and parts.netloc else ""


def first_content_image(content_html: str, base: str) -> Image | None:
    """The first <img> of an article's content with an http(s) source, as an Image."""
    if not content_html or "<img" not in content_html:
        return None
    try:
        root = lxml_html.fragment_fromstring(content_html, create_parent="div")
    except (ParserError, ValueError):
        return None
    for img in root.iter("img"):
        src = absolute_url(img.get("src", ""), base)
        if src:
            return Image(src, _dimension(img.get("width")), _dimension(img.get("height")),
                         alt=clean_text(img.get("alt", "")) or None)
    return None


def _dimension(value: str | None) -> int | None:
    """A pixel size from an attribute ('640', '640px'); None for percentages and junk."""
    match = re.fullmatch(r"\s*(\d{1,5})\s*(?:px)?\s*", value or "")
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None
