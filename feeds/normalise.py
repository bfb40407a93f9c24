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
from datetime import datetime, tzinfo
from html import unescape

import nh3

from . import dates
from .dates import FUTURE_SKEW, ParsedDate
from .model import Article, Image, RawArticle
from .urls import choose_canonical, public_url, resolve_lazy_images

__all__ = [
    "Context",
    "normalise",
    "sanitise_html",
    "html_to_text",
    "summarise",
    "clean_text",
    "identity_key",
    "proposed_id",
    "content_hash",
    "lead_image",
    "strip_forbidden",
    "FUTURE_SKEW",
    "UnusableItem",
]


class UnusableItem(ValueError):
    """The item cannot become an Article (no usable link): skipped with a warning."""


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
    # The URL policy (docs/design.md): only absolute http(s) URLs enter the model.
    url = public_url(choose_canonical(raw.url, raw.canonical_url))
    if not url:
        raise UnusableItem(f"no usable link ({raw.url[:80]!r}): only absolute http(s) URLs "
                           "are stored")
    # links resolve against the page as fetched, unless that was a local file (offline copies)
    base = public_url(raw.url) or url
    content = sanitise_html(raw.content_html, base_url=base)
    published = _date(raw.published, ctx)
    updated = _date(raw.updated, ctx) if raw.updated else None
    first_seen = ctx.now.astimezone(ctx.tz).replace(microsecond=0)
    when = published.value if published else first_seen
    return Article(
        id=proposed_id(identity_key(ctx.source_id, raw.guid, url)),
        url=url,
        title=_title(raw.title, content, url),
        summary=_summary(raw.summary, content, ctx.summary_length),
        content_html=content,
        published=when,
        updated=max(updated.value, when) if updated else when,
        authors=_names(raw.authors),
        editor=clean_text(raw.editor),
        origin=clean_text(raw.origin),
        channel=ctx.channel,
        tags=_names(raw.tags),
        image=_image(raw.image, base) or lead_image(content),
        language=clean_text(raw.language) or ctx.language,
        source_id=ctx.source_id,
        guid=clean_text(raw.guid),
        legacy_guid=clean_text(raw.legacy_guid),
        partial=raw.partial,
        published_is_date=bool(published and published.date_only),
        # relative dates (3小时前) mean something only at first sight: the store freezes them
        dated=bool(published and not published.relative),
    )


def _date(value: str | datetime | None, ctx: Context) -> ParsedDate | None:
    return dates.parse(value, ctx.tz, ctx.now)


def _title(title: str, content: str, url: str) -> str:
    """Titles arrive as plain text (`A & B < C > D` is a title, not markup)."""
    return clean_text(title) or summarise(content, 40) or url


def _summary(lead: str, content: str, limit: int) -> str:
    """The 导言 (lead) when there is one, else the first sentences of the body."""
    text = clean_text(html_to_text(lead))
    return summarise(text or content, limit)


def _names(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in map(clean_text, values) if v))


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

# --- text and HTML ---------------------------------------------------------------------------

# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
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
# Dropped with everything inside them (text of a form or a script is never article text).
_DROP_WITH_CONTENT = {"script", "style", "iframe", "form", "noscript", "template", "select",
                      "button", "textarea", "object", "embed", "svg", "math", "head", "title"}
_EMPTY = re.compile(r"<(p|li|h[2-6]|blockquote|strong|b|em|span)>(?:\s|&nbsp;|\u3000|\xa0|<br>)*</\1>")
_INDENT = re.compile(r"(<(?:p|li|td|br|blockquote)>)(?:\s|&nbsp;|\u3000|\xa0)+")
_BR_RUN = re.compile(r"(?:<br>\s*){3,}")


def strip_forbidden(text: str) -> str:
    """Remove characters that XML 1.0 forbids (most C0 controls, lone surrogates)."""
    return _XML_FORBIDDEN.sub("", text)


def clean_text(text: str) -> str:
    """Collapse whitespace (full-width spaces included) and drop XML-forbidden characters."""
    return " ".join(strip_forbidden(text).replace("\u3000", " ").split())


def sanitise_html(html: str, base_url: str = "") -> str:
    """Return allow-listed HTML with absolute links, real image sources and no empty blocks."""
    if not html:
        return ""
    cleaned = nh3.clean(
        resolve_lazy_images(strip_forbidden(html)),
        tags=_ALLOWED_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
        attribute_filter=_absolute_urls(base_url),
    )
    cleaned = _INDENT.sub(r"\1", cleaned)  # full-width indentation (　　) of paragraphs
    previous = None
    while previous != cleaned:  # nested empties: <p><strong></strong></p>
        previous, cleaned = cleaned, _EMPTY.sub("", cleaned)
    return strip_forbidden(_BR_RUN.sub("<br><br>", cleaned)).strip()


def _absolute_urls(base_url: str):
    def fix(tag: str, attr: str, value: str) -> str | None:
        if attr in ("href", "src"):
            return public_url(value, base_url) or None
        if attr in ("width", "height"):
            return value.strip() if _int(value.strip()) is not None else None
        return value

    return fix


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|div|li|h\d|tr|blockquote)>|<br\s*/?>", re.I)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (block ends become line breaks)."""
    return unescape(_TAG.sub("", _BLOCK_END.sub("\n", html))) if "<" in html else unescape(html)


_CJK_GAP = re.compile(r"(?<=[。！？；，：、”’）》])\s+")  # line breaks joined: no space after 。
_SENTENCE_END = re.compile(r"[。！？!?；]|\.(?=\s|$)")


def summarise(text_or_html: str, limit: int) -> str:
    """The first sentences of a text, cut by characters at a sentence end, at most `limit`."""
    text = _CJK_GAP.sub("", clean_text(html_to_text(text_or_html)))
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit)]
    if ends and ends[-1] >= limit // 3:
        return text[: ends[-1]]
    return text[: limit - 1].rstrip() + "…"


def _image(value: str | Image | None, base_url: str) -> Image | None:
    if not value:
        return None
    image = value if isinstance(value, Image) else Image(str(value))
    url = public_url(str(image.url), base_url)
    if not url:
        return None
    return Image(url, _size(image.width), _size(image.height), clean_text(str(image.type or ""))
                 or None, _size(image.length), clean_text(str(image.alt)) if image.alt else None)


def _size(value: object) -> int | None:
    """A width, height or length as a non-negative int, or None (never a crash on '12px')."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 2**31 else None
    return _int(str(value).strip()) if value is not None else None


_IMG_TAG = re.compile(r"<img\b[^>]*>")
_IMG_ATTR = re.compile(r'(src|width|height|alt)="([^"]*)"')
MIN_LEAD_SIDE = 120  # smaller images are icons, buttons or spacers


def lead_image(content_html: str) -> Image | None:
    """The first content image of reasonable size (unknown sizes count as reasonable)."""
    for tag in _IMG_TAG.findall(content_html):
        attrs = dict(_IMG_ATTR.findall(tag))
        width, height = _int(attrs.get("width")), _int(attrs.get("height"))
        if not attrs.get("src", "").startswith(("http://", "https://")):
            continue
        if (width is not None and width < MIN_LEAD_SIDE) or (height is not None and height < MIN_LEAD_SIDE):
            continue
        return Image(unescape(attrs["src"]), width, height, alt=unescape(attrs.get("alt", "")) or None)
    return None


def _int(value: str | None) -> int | None:
    """ASCII digits only: '²'.isdigit() is True yet int('²') raises."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    return int(value)
