"""RawArticle -> Article: the only door into the model. Pure functions; `now` is passed in.

Dates get a zone (naive ones are in the site's zone), URLs become absolute, HTML is sanitised
with an allow-list, characters XML 1.0 forbids are removed, and a summary is cut at a
sentence end.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from html import unescape
from urllib.parse import urljoin

import nh3

from .model import Article, Image, RawArticle

__all__ = [
    "Context",
    "normalise",
    "parse_date",
    "sanitise_html",
    "html_to_text",
    "summarise",
    "clean_text",
    "identity_key",
    "proposed_id",
    "content_hash",
]

FUTURE_SKEW = timedelta(minutes=10)


@dataclass(frozen=True)
class Context:
    """What normalisation needs to know besides the raw fields."""

    source_id: str
    channel: str
    tz: tzinfo
    now: datetime
    language: str = "zh-CN"
    summary_length: int = 140


def normalise(raw: RawArticle, ctx: Context) -> Article:
    """Return the Article for `raw`; its id is proposed here and fixed by the store."""
    url = urljoin(raw.url, raw.canonical_url) if raw.canonical_url else raw.url
    content = sanitise_html(raw.content_html, base_url=url)
    published, is_date = _date_or_now(raw.published, ctx)
    updated, _ = _date_or_now(raw.updated, ctx) if raw.updated else (published, is_date)
    summary = clean_text(html_to_text(raw.summary)) or summarise(content, ctx.summary_length)
    return Article(
        id=proposed_id(identity_key(ctx.source_id, raw.guid, url)),
        url=url,
        title=clean_text(raw.title) or summarise(content, 40) or url,
        summary=summarise(summary, ctx.summary_length) if len(summary) > ctx.summary_length
        else summary,
        content_html=content,
        published=published,
        updated=max(updated, published),
        authors=tuple(dict.fromkeys(a for a in map(clean_text, raw.authors) if a)),
        editor=clean_text(raw.editor),
        origin=clean_text(raw.origin),
        channel=ctx.channel,
        tags=tuple(dict.fromkeys(t for t in map(clean_text, raw.tags) if t)),
        image=_image(raw.image, url),
        language=raw.language or ctx.language,
        source_id=ctx.source_id,
        guid=raw.guid,
        published_is_date=is_date,
        dated=parse_date(raw.published, ctx.tz, ctx.now) is not None,
    )


# --- identity --------------------------------------------------------------------------------

def identity_key(source_id: str, guid: str, url: str) -> str:
    """The key an article is recognised by: the source's guid if it has one, else its URL."""
    return f"{source_id}|guid|{guid}" if guid else f"url|{url}"


def proposed_id(key: str) -> str:
    """A UUID derived from the identity key (only used the first time the key is seen)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def content_hash(article: Article) -> str:
    """Hash of what readers see; a change makes the article 'updated'."""
    parts = [article.url, article.title, article.summary, article.content_html,
             article.published.isoformat() if article.dated else "", ",".join(article.authors), article.editor,
             article.origin, ",".join(article.tags), article.image.url if article.image else ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


# --- dates -----------------------------------------------------------------------------------

_CJK_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<H>\d{1,2})[:：时](?P<M>\d{1,2})(?:[:：分](?P<S>\d{1,2}))?)?"
)


def parse_date(value: str | datetime | None, tz: tzinfo, now: datetime) -> tuple[datetime, bool] | None:
    """Return (aware datetime in whole seconds, is_date_only) or None when unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed, is_date = value, False
    else:
        result = _parse_text(str(value).strip())
        if result is None:
            return None
        parsed, is_date = result
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    parsed = parsed.astimezone(tz).replace(microsecond=0)  # shown in the site's zone
    if parsed > now + FUTURE_SKEW:
        parsed = now.replace(microsecond=0)
    return parsed, is_date


def _parse_text(text: str) -> tuple[datetime, bool] | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")), len(text) <= 10
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text), False
    except (TypeError, ValueError, IndexError):
        pass
    m = _CJK_DATE.search(text)
    if not m:
        return None
    try:
        d = date(int(m["y"]), int(m["m"]), int(m["d"]))
        if m["H"] is None:
            return datetime(d.year, d.month, d.day), True
        return datetime(d.year, d.month, d.day, int(m["H"]), int(m["M"]), int(m["S"] or 0)), False
    except ValueError:
        return None


def _date_or_now(value: str | datetime | None, ctx: Context) -> tuple[datetime, bool]:
    """Undated articles take the time they were first seen (the store keeps it frozen)."""
    return parse_date(value, ctx.tz, ctx.now) or (ctx.now.astimezone(ctx.tz).replace(microsecond=0), False)


# --- text and HTML ---------------------------------------------------------------------------

# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li",
    "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul",
}
_ALLOWED_ATTRS = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_EMPTY_P = re.compile(r"<p>(?:\s|&nbsp;|\u3000|<br>)*</p>")


def strip_forbidden(text: str) -> str:
    """Remove characters that XML 1.0 forbids (most C0 controls, lone surrogates)."""
    return _XML_FORBIDDEN.sub("", text)


def clean_text(text: str) -> str:
    """Collapse whitespace (full-width spaces included) and drop XML-forbidden characters."""
    return " ".join(strip_forbidden(text).replace("\u3000", " ").split())


def sanitise_html(html: str, base_url: str = "") -> str:
    """Return allow-listed HTML with absolute links, no scripts, no empty paragraphs."""
    if not html:
        return ""
    cleaned = nh3.clean(
        strip_forbidden(html),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_absolute_urls(base_url) if base_url else None,
    )
    cleaned = cleaned.replace("\u3000", "")
    return _EMPTY_P.sub("", cleaned).strip()


def _absolute_urls(base_url: str):
    def fix(tag: str, attr: str, value: str) -> str | None:
        if attr in ("href", "src"):
            return urljoin(base_url, value.strip())
        return value

    return fix


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|div|li|h\d|tr|blockquote)>|<br\s*/?>", re.I)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (block ends become line breaks)."""
    return unescape(_TAG.sub("", _BLOCK_END.sub("\n", html))) if "<" in html else unescape(html)


_SENTENCE_END = re.compile(r"[。！？!?]|\.(?=\s|$)")


def summarise(text_or_html: str, limit: int) -> str:
    """The first sentences of a text, cut by characters at a sentence end, at most `limit`."""
    text = clean_text(html_to_text(text_or_html))
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit)]
    if ends and ends[-1] >= limit // 3:
        return text[: ends[-1]]
    return text[: limit - 1].rstrip() + "…"


def _image(value: str | Image | None, base_url: str) -> Image | None:
    if not value:
        return None
    image = value if isinstance(value, Image) else Image(value)
    url = urljoin(base_url, image.url.strip())
    if not url.startswith(("http://", "https://")):
        return None
    return Image(url, image.width, image.height, image.type, image.length, image.alt)
