"""Recognising responses that must not be parsed as content: bot-challenge pages; and
correcting charset headers that the body contradicts."""

from __future__ import annotations

import codecs
import re

__all__ = ["challenge_reason", "effective_charset", "looks_like_html"]

# Titles of interstitials served instead of content (Cloudflare, DDoS-Guard, Sucuri, Chinese
# CDNs' "human verification" pages). Lower case; matched as substrings of <title>.
_CHALLENGE_TITLES = (
    "just a moment", "attention required", "checking your browser", "ddos-guard",
    "access denied", "please wait", "security check", "are you a robot", "captcha",
    "one more step", "sucuri website firewall", "请稍候", "安全验证", "人机验证", "访问验证",
    "验证码", "访问被拒绝",
)
# Markers only challenge pages carry (not ordinary pages that happen to embed a captcha form).
_CHALLENGE_MARKERS = (b"/cdn-cgi/challenge-platform/", b"_cf_chl_opt", b"cf-browser-verification",
                      b"__ddg", b"sucuri_cloudproxy")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SNIFF = 2048
_CHALLENGE_MAX = 512 * 1024  # challenge pages are small; a big page is content


def looks_like_html(body: bytes) -> bool:
    head = body[:_SNIFF].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def challenge_reason(headers: dict[str, str], body: bytes) -> str | None:
    """Why this response is a bot-challenge page rather than content, or None."""
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "Cloudflare challenge (cf-mitigated: challenge)"
    if len(body) > _CHALLENGE_MAX or not looks_like_html(body):
        return None
    found = _TITLE.search(body[:64 * 1024])
    title = found.group(1).decode("utf-8", "replace").strip() if found else ""
    if any(t in title.lower() for t in _CHALLENGE_TITLES):
        return f"bot-challenge page (title {title[:80]!r})"
    marker = next((m for m in _CHALLENGE_MARKERS if m in body), None)
    if marker:
        return f"bot-challenge page (contains {marker.decode()!r})"
    return None


_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def effective_charset(declared: str, body: bytes) -> str:
    """The header charset unless the body contradicts it.

    A byte-order mark wins (as in the WHATWG encoding sniffing rules). A legacy charset header
    (GBK, Latin-1 ...) on a body that is valid UTF-8 with non-ASCII bytes is wrong: multi-byte
    UTF-8 sequences almost never occur by chance in legacy encodings, and decoding UTF-8 as
    GB18030 "succeeds" with garbage.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    if not declared:
        return ""
    try:
        codec = codecs.lookup(declared.strip().strip("\"'")).name
    except LookupError:
        return ""  # an unknown charset name: let detection decide
    if codec.startswith("utf"):
        return declared
    if not body.isascii() and _is_utf8(body):
        return "utf-8"
    return declared


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
