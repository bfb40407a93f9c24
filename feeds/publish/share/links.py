"""Share links: one URL per platform that opens its "share this" dialog pre-filled.

Every value is percent-encoded as a whole: spaces become %20 (not '+', which several of
these endpoints show literally), and '&', '#', '?' inside a title cannot break the query.
The links are IRIs (RFC 3987): letters beyond ASCII (Chinese titles) stay as UTF-8 text, a
third of the bytes of their %XX form, and browsers percent-encode them as UTF-8 when the link
is followed, so the platform receives the same bytes. Everything ASCII but the unreserved
characters, and the invisible or ambiguous characters beyond it (spaces, zero-width and bidi
controls, variation selectors, private use), is still percent-encoded. WeChat has no web
share endpoint: it shares by scanning a QR code (see html.py) or through the JS-SDK payload
in the JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

__all__ = ["LABELS", "TARGETS", "ShareText", "component", "query", "share_links"]


@dataclass(frozen=True)
class ShareText:
    """What a link shares: the article URL, its title, a description and an image URL."""

    url: str
    title: str
    description: str = ""
    image: str = ""


# ASCII other than the unreserved characters and the four a query may hold as they are
# (":", "/", "@", "?": RFC 3986 3.4), C1 controls and NBSP; then the invisible or
# ambiguous characters beyond: soft hyphen, general punctuation's spaces and controls,
# the ideographic space, variation selectors, BOM, specials, surrogates, private use, tags
_ENCODE = re.compile("[^A-Za-z0-9\\-._~:/@?\u00a1-\U0010ffff]|[\u00ad\u2000-\u206f\u3000"
                     "\ufe00-\ufe0f\ufeff\ufff0-\uffff\ud800-\uf8ff\U000e0000-\U000e0fff]")


def _percent(match: re.Match[str]) -> str:
    return quote(match.group(), safe="")


@lru_cache(maxsize=256)  # the site's recurring values (logo, names) are encoded once
def component(value: str) -> str:
    """`value` as an IRI query component: what must be percent-encoded is, the rest is text."""
    return _ENCODE.sub(_percent, value)


def query(base: str, **params: str) -> str:
    """`base?k=v&...` with every value encoded as a component and empty values left out."""
    pairs = [f"{key}={component(value)}" for key, value in params.items() if value]
    return f"{base}?{'&'.join(pairs)}"


def _join(base: str, **encoded: str) -> str:
    """`base?k=v&...` from values already encoded by `component`; empty ones left out."""
    return base + "?" + "&".join(f"{key}={value}" for key, value in encoded.items() if value)


def _weibo(t: ShareText) -> str:
    return _join("https://service.weibo.com/share/share.php", url=t.url, title=t.title,
                 pic=t.image)


def _qq(t: ShareText) -> str:
    # `desc` is the sender's own comment box: left to them; the card shows `summary`
    return _join("https://connect.qq.com/widget/shareqq/index.html", url=t.url, title=t.title,
                 summary=t.description, pics=t.image)


def _qzone(t: ShareText) -> str:
    return _join("https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey", url=t.url,
                 title=t.title, summary=t.description, pics=t.image)


def _douban(t: ShareText) -> str:
    return _join("https://www.douban.com/share/service", href=t.url, name=t.title,
                 text=t.description, image=t.image)


def _x(t: ShareText) -> str:
    return _join("https://x.com/intent/post", url=t.url, text=t.title)


def _facebook(t: ShareText) -> str:
    return _join("https://www.facebook.com/sharer/sharer.php", u=t.url)


def _linkedin(t: ShareText) -> str:
    return _join("https://www.linkedin.com/sharing/share-offsite/", url=t.url)


def _telegram(t: ShareText) -> str:
    return _join("https://t.me/share/url", url=t.url, text=t.title)


def _whatsapp(t: ShareText) -> str:
    return _join("https://wa.me/", text=f"{t.title}%20{t.url}" if t.title else t.url)


def _reddit(t: ShareText) -> str:
    return _join("https://www.reddit.com/submit", url=t.url, title=t.title)


def _email(t: ShareText) -> str:
    # RFC 6068: hfields percent-encoded, line breaks in the body as %0D%0A
    body = "%0D%0A%0D%0A".join(part for part in (t.description, t.url) if part)
    return _join("mailto:", subject=t.title, body=body)


# platform key -> (label shown on the page, link builder); the page lists them in this order
TARGETS: dict[str, tuple[str, Callable[[ShareText], str]]] = {
    "weibo": ("微博", _weibo),
    "qq": ("QQ", _qq),
    "qzone": ("QQ空间", _qzone),
    "douban": ("豆瓣", _douban),
    "x": ("X", _x),
    "facebook": ("Facebook", _facebook),
    "linkedin": ("LinkedIn", _linkedin),
    "telegram": ("Telegram", _telegram),
    "whatsapp": ("WhatsApp", _whatsapp),
    "reddit": ("Reddit", _reddit),
    "email": ("邮件", _email),
}
LABELS = {key: label for key, (label, _) in TARGETS.items()}


def share_links(text: ShareText) -> dict[str, str]:
    """Every platform's share URL for `text`, keyed as in TARGETS (each value is encoded once,
    then the builders only join: `component` works character by character, so the encoding of
    "title url" is the title's, %20, then the URL's)."""
    encoded = ShareText(component(text.url), component(text.title),
                        component(text.description), component(text.image))
    return {key: build(encoded) for key, (_, build) in TARGETS.items()}
