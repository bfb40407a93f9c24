"""URL hygiene: absolute links, tracking parameters removed, canonical links honoured, lazy images.

Pure string functions, shared by the extractors and the normaliser. The URL policy lives here:
`public_url` is the one test every URL passes before it is stored or published (absolute
http(s) with a host, resolved against the item's own base); `fetchable_link` is the looser
test for links a source follows (a file: listing page may link to its sibling files; the fetch
policy decides whether they are read). Neither ever raises.
"""

from __future__ import annotations

import ipaddress
import re
from html import unescape
from urllib.parse import parse_qsl, quote, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["absolute", "clean_url", "choose_canonical", "resolve_lazy_images", "best_srcset",
           "LAZY_ATTRS", "public_url", "fetchable_link", "same_site"]

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


# Browsers drop tab/CR/LF anywhere in a URL (WHATWG URL); spaces (ASCII and Unicode: a reader
# would strip a trailing U+00A0 and land elsewhere) and the ASCII characters RFC 3986 forbids
# are percent-encoded so that every output parses as one unambiguous URI reference.
_URL_WHITESPACE = re.compile(r"[\t\r\n]")
_UNSAFE = re.compile(r"[\x00-\x20\x7f\"<>\\^`{|}\x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]")
_HOST = re.compile(r"^[^\x00-\x20\x7f/?#@:\[\]\\%<>\"'`^{|}]+$")


def absolute(base: str, link: str) -> str:
    """`link` resolved against `base` (file: bases work too), whitespace and entities removed;
    '' when the link cannot be parsed (`http://[oops/x.html`)."""
    link = _URL_WHITESPACE.sub("", unescape(link or "")).strip()
    try:
        return urljoin(base, link) if base else link
    except ValueError:
        return ""


def public_url(link: str, base: str = "") -> str:
    """`link` resolved against `base` and cleaned, or '' unless it is an absolute http(s) URL
    with a valid host: javascript:, data:, file:, mailto:, scheme-relative leftovers and
    unparseable URLs are all ''. Every URL the project stores or publishes passes here."""
    url = clean_url(absolute(base, link))
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return ""
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or any(c.isspace() for c in host) \
            or not (_HOST.match(host) or _is_address(host)):
        return ""
    if parts.username is not None or parts.password is not None:
        return ""  # credentials in a published link leak them, or disguise the real host
    return _UNSAFE.sub(lambda m: quote(m.group(), safe=""), url)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def fetchable_link(link: str, base: str) -> str:
    """A link a source offers to follow (listing, next page, sitemap <loc>): `public_url`, or a
    file: URL when the page offering it is itself a local file ('' otherwise). Whether a file
    is read at all is the fetch policy's decision (feeds/fetch/client.py)."""
    url = public_url(link, base)
    if url or not base.startswith("file:"):
        return url
    target = absolute(base, link)
    return urldefrag(target)[0] if target.startswith("file:///") else ""


def same_site(a: str, b: str) -> bool:
    """True when two http(s) URLs are on one site: the same registrable domain (the last two
    labels of the host, three under a second-level suffix such as com.cn or co.uk)."""
    return bool(_site(a)) and _site(a) == _site(b)


_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "ac", "co", "mil", "int", "or", "ne", "go"}


def _site(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""
    labels = host.split(".")
    if _is_address(host):
        return host  # an address is its own site
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def clean_url(url: str) -> str:
    """The URL without tracking parameters or fragment; scheme and host in lower case."""
    try:
        return _clean_url(url)
    except ValueError:  # urlsplit refuses some hosts (`http://[oops`): leave it to the caller
        return url.strip()


def _clean_url(url: str) -> str:
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
    ignored, because honouring it would merge every article into one. A canonical on another
    site is ignored too: a page must not move itself onto a URL someone else owns. A local
    file (an offline copy) takes its canonical wherever it points, as that is its real address.
    """
    url = clean_url(fetched_url)
    if not canonical:
        return url
    target = public_url(canonical, fetched_url)
    if not target:
        return url
    path, query = urlsplit(target)[2:4]
    if path in ("", "/") and not query:
        return url
    if not fetched_url.startswith("file:") and not same_site(url, target):
        return url
    return target


def best_srcset(srcset: str) -> str:
    """The widest candidate of a `srcset` attribute ('' when none)."""
    best, best_size = "", -1.0
    for item in srcset.split(","):
        bits = item.strip().split()
        if not bits:
            continue
        try:
            size = float(bits[1][:-1]) if len(bits) > 1 else 1.0
        except ValueError:  # '2x', 'big', '²w': not a size we can compare
            size = 1.0
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
