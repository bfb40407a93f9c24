"""Bytes -> text in a fixed order: override, HTTP charset, BOM, in-document declaration, detection.

GB2312 and GBK are decoded as GB18030, their superset, so rare characters survive. A candidate
that does not decode cleanly is skipped (a wrong charset header must not garble a page).
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

__all__ = ["decode", "normalise_charset"]

_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
              "cp936": "gb18030", "ascii": "utf-8", "us-ascii": "utf-8",
              "iso-8859-1": "cp1252", "latin-1": "cp1252", "big5": "big5hkscs"}
# Text codecs that are no character set of a document (escapes, host names, a codec that fails).
_NOT_CHARSETS = {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined",
                 "utf-7"}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.-]+)["']""")
# CleanEval-style archives wrap a page in <text id=URL encoding="gb2312">.
_WRAPPER = re.compile(rb"""^\s*<text\b[^>]*\bencoding\s*=\s*["']([A-Za-z0-9_.-]+)["']""")


def normalise_charset(name: str) -> str | None:
    """Return the Python codec to use for a declared charset name, or None if unknown."""
    name = name.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # rot13, hex, base64, zlib ... are codecs too, but not text encodings: not a charset
    text = getattr(info, "_is_text_encoding", True) and info.name not in _NOT_CHARSETS
    return info.name if text else None


def decode(body: bytes, declared: str = "", *, xml: bool = False) -> str:
    """Decode `body`; `declared` is the per-source override or else the HTTP charset."""
    candidates = _candidates(body, declared, xml)
    for candidate in candidates:
        codec = normalise_charset(candidate)
        if codec:
            try:
                return _strip_bom(body.decode(codec))
            except (UnicodeError, LookupError, ValueError):  # idna, punycode ... raise others
                continue
    # A declared charset with a few broken bytes (truncated GB pages) beats guessing.
    for candidate in candidates[:-1]:
        codec = normalise_charset(candidate)
        if codec and codec != "utf-8":
            try:
                text = body.decode(codec, errors="replace")
            except (UnicodeError, LookupError, ValueError):
                continue
            if text.count("\ufffd") <= max(3, len(text) // 2000):
                return _strip_bom(text)
    best = from_bytes(body[:200_000]).best()
    if best is not None:
        codec = normalise_charset(best.encoding) or "utf-8"
        try:
            return _strip_bom(body.decode(codec, errors="replace"))
        except (UnicodeError, LookupError, ValueError):
            pass
    return body.decode("utf-8", errors="replace")


def _candidates(body: bytes, declared: str, xml: bool) -> list[str]:
    out = [declared] if declared else []
    out += [name for bom, name in _BOMS if body.startswith(bom)]
    head = body[:4096]
    found = _XML_DECL.search(head) if xml else None
    found = found or _META.search(head) or _XML_DECL.search(head) or _WRAPPER.search(head)
    if found:
        out.append(found.group(1).decode("ascii", "ignore"))
    out.append("utf-8")  # most of the web; a strict decode fails fast on anything else
    return out


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text
