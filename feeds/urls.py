"""URL hygiene: absolute links, tracking parameters removed, canonical links honoured, lazy images.

Pure string functions, shared by the extractors and the normaliser.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["absolute", "clean_url", "choose_canonical", "resolve_lazy_images", "best_srcset",
           "LAZY_ATTRS"]

# Parameters that only say where a click came from (analytics), never which page it is.
_TRACKING_EXACT = {
    "spm", "from", "fromsource", "from_source", "share_from", "share_token", "sharefrom",
    "gclid", "fbclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
    "scm", "wfr", "isappinstalled", "tt_from", "tt_medium", "timestamp", "ref", "ref_src",
    "igshid", "vd_source", "share_source", "share_medium", "plg_nld", "plg_uin",
}
_TRACKING_PREFIX = ("utm_", "pk_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci")
LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-url", "data-echo",
              "data-actualsrc", "original", "file")
_PLACEHOLDER = re.compile(r"^(?:data:|about:)|(?:blank|spacer|loading|lazy|grey|gray|pixel|"
                          r"placeholder|default)[^/]*\.(?:gif|png|svg|jpg)$", re.I)


def absolute(base: str, link: str) -> str:
    """`link` resolved against `base` (file: bases work too), whitespace and entities removed."""
    link = unescape(link or "").strip()
    return urljoin(base, link) if base else link


def clean_url(url: str) -> str:
    """The URL without tracking parameters or fragment; scheme and host in lower case."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https", "file"):
        return url.strip()
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _tracking(k)]
    netloc = parts.netloc.lower()
    for default in (":80",) if parts.scheme == "http" else (":443",) if parts.scheme == "https" else ():
        netloc = netloc.removesuffix(default)
    path = parts.path or ("/" if netloc else "")
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query, doseq=True), ""))


def _tracking(key: str) -> bool:
    key = key.lower()
    return key in _TRACKING_EXACT or key.startswith(_TRACKING_PREFIX)


def choose_canonical(fetched_url: str, canonical: str) -> str:
    """The canonical URL when it is usable, else the fetched one; both cleaned of tracking.

    A canonical pointing at a site's home page (a common CMS bug) or at a non-HTTP scheme is
    ignored, because honouring it would merge every article into one.
    """
    url = clean_url(fetched_url)
    if not canonical:
        return url
    target = clean_url(absolute(fetched_url, canonical))
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or parts.path in ("", "/") and not parts.query:
        return url
    return target


def best_srcset(srcset: str) -> str:
    """The widest candidate of a `srcset` attribute ('' when none)."""
    best, best_size = "", -1.0
    for item in srcset.split(","):
        bits = item.strip().split()
        if not bits:
            continue
        size = 1.0
        if len(bits) > 1 and bits[1][:-1].replace(".", "", 1).isdigit():
            size = float(bits[1][:-1])
        if size > best_size:
            best, best_size = bits[0], size
    return best


def lazy_source(attrs: dict[str, str]) -> str:
    """The real image URL of an <img>'s attributes: lazy attributes beat placeholder srcs."""
    src = (attrs.get("src") or "").strip()
    if src and not _PLACEHOLDER.search(src.split("?")[0]):
        return src
    for name in LAZY_ATTRS:
        if attrs.get(name, "").strip():
            return attrs[name].strip()
    srcset = attrs.get("srcset") or attrs.get("data-srcset") or ""
    return best_srcset(srcset) or ("" if src.startswith("data:") else src)


_IMG = re.compile(r"<img\b[^>]*>", re.I | re.S)
_ATTR = re.compile(r"""([\w:-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def resolve_lazy_images(html: str) -> str:
    """Rewrite every <img> so that `src` holds the real image (data-src, srcset ...)."""
    if "<img" not in html and "<IMG" not in html:
        return html
    return _IMG.sub(_fix_img, html)


def _fix_img(m: re.Match[str]) -> str:
    tag = m.group(0)
    attrs = {a.lower(): (b or c or d or "") for a, b, c, d in _ATTR.findall(tag[4:].rstrip("/>"))}
    src = lazy_source(attrs)
    keep = {k: v for k, v in attrs.items() if k in ("alt", "title", "width", "height")}
    if src:
        keep["src"] = src
    body = " ".join(f'{k}="{_quote(unescape(v))}"' for k, v in keep.items())
    return f"<img {body}>"


def _quote(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
