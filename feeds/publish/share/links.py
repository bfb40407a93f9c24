"""Share links: one URL per platform that opens its "share this" dialog pre-filled.

Every value is percent-encoded as a whole (RFC 3986, `quote(..., safe="")`): spaces become
%20 (not '+', which several of these endpoints show literally), and '&', '#', '?' inside a
title cannot break the query. WeChat has no web share endpoint: it shares by scanning a QR
code (see share_html) or through the JS-SDK payload in the JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

__all__ = ["LABELS", "TARGETS", "ShareText", "query", "share_links"]


@dataclass(frozen=True)
class ShareText:
    """What a link shares: the article URL, its title, a description and an image URL."""

    url: str
    title: str
    description: str = ""
    image: str = ""


def query(base: str, **params: str) -> str:
    """`base?k=v&...` with every value percent-encoded and empty values left out."""
    pairs = [f"{key}={quote(value, safe='')}" for key, value in params.items() if value]
    return f"{base}?{'&'.join(pairs)}"


def _weibo(t: ShareText) -> str:
    return query("https://service.weibo.com/share/share.php", url=t.url, title=t.title,
                 pic=t.image)


def _qq(t: ShareText) -> str:
    return query("https://connect.qq.com/widget/shareqq/index.html", url=t.url, title=t.title,
                 desc=t.description, summary=t.description, pics=t.image)


def _qzone(t: ShareText) -> str:
    return query("https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey", url=t.url,
                 title=t.title, desc=t.description, summary=t.description, pics=t.image)


def _douban(t: ShareText) -> str:
    return query("https://www.douban.com/share/service", href=t.url, name=t.title,
                 text=t.description, image=t.image)


def _x(t: ShareText) -> str:
    return query("https://x.com/intent/post", url=t.url, text=t.title)


def _facebook(t: ShareText) -> str:
    return query("https://www.facebook.com/sharer/sharer.php", u=t.url)


def _linkedin(t: ShareText) -> str:
    return query("https://www.linkedin.com/sharing/share-offsite/", url=t.url)


def _telegram(t: ShareText) -> str:
    return query("https://t.me/share/url", url=t.url, text=t.title)


def _whatsapp(t: ShareText) -> str:
    return query("https://wa.me/", text=f"{t.title} {t.url}")


def _reddit(t: ShareText) -> str:
    return query("https://www.reddit.com/submit", url=t.url, title=t.title)


def _email(t: ShareText) -> str:
    # RFC 6068: hfields percent-encoded, line breaks in the body as %0D%0A
    body = "\r\n\r\n".join(part for part in (t.description, t.url) if part)
    return query("mailto:", subject=t.title, body=body)


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
    """Every platform's share URL for `text`, keyed as in TARGETS."""
    return {key: build(text) for key, (_, build) in TARGETS.items()}
