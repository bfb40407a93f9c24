"""A clean-room checker for the rules the W3C Feed Validation Service applies to RSS 2.0 and
Atom 1.0 (errors AND warnings), plus the JSON Feed 1.1 spec. The validator itself cannot run
here; each rule below is our own code, tagged with the validator's message name so a report
reads like the validator's. Used only by the tests.
"""

from __future__ import annotations

import email.utils
import re
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from lxml import etree

__all__ = ["json_problems", "problems"]

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
KNOWN_NS = {ATOM, CONTENT, DC, MEDIA, "http://www.w3.org/XML/1998/namespace"}

# RSS 2.0 elements the spec defines (anything else un-namespaced: UndefinedElement)
RSS_CHANNEL = {"title", "link", "description", "language", "copyright", "managingEditor",
               "webMaster", "pubDate", "lastBuildDate", "category", "generator", "docs",
               "cloud", "ttl", "image", "rating", "textInput", "skipHours", "skipDays", "item"}
RSS_ITEM = {"title", "link", "description", "author", "category", "comments", "enclosure",
            "guid", "pubDate", "source"}
RSS_IMAGE = {"url", "title", "link", "width", "height", "description"}
RSS_SINGLE = RSS_CHANNEL - {"category", "item"}  # noduplicates -> DuplicateElement
ATOM_LINK_RELS = {"alternate", "related", "self", "enclosure", "via", "hub", "license",
                  "replies", "edit", "next", "previous", "first", "last", "current", "search"}
# ISO 639-1 primary language subtags (the validator checks language codes against ISO 639)
ISO639 = frozenset((  # noqa: SIM905
    "aa ab af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu "
    "cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he "
    "hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko "
    "kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd "
    "ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se "
    "sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty "
    "ug uk ur uz ve vi vo wa wo xh yi yo za zh zu").split())
# strict RFC 2822 date (the validator's rfc2822 form; a zone is mandatory)
RFC2822 = re.compile(r"^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d\d? (Jan|Feb|Mar|Apr|May|Jun|Jul|"
                     r"Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d(?::\d\d)? (?:[+-]\d{4}|UT|GMT|"
                     r"[ECMP][SD]T|Z)$")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$")
MIME = re.compile(r"^[a-z0-9!#$&.+\-^_]+/[a-z0-9!#$&.+\-^_]+(?:\s*;.*)?$", re.IGNORECASE)
LANG = re.compile(r"^([a-zA-Z]{2,3})(?:-[a-zA-Z0-9]{1,8})*$")
HTML_END_TAG = re.compile(r"</(\w+)>")
HTML_ENTITY = re.compile(r"&(#?\w+);")
HTML_TAGS = {"a", "b", "i", "em", "strong", "p", "br", "div", "span", "script", "img", "table",
             "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "code", "style",
             "iframe", "font", "u", "small", "big", "blockquote", "sub", "sup", "title"}
# the run's clock: dates after now + 1 day or before 1970 are ImplausibleDate (as the validator)
NOW: ContextVar[datetime | None] = ContextVar("NOW", default=None)
UNSAFE = {"script", "iframe", "object", "embed", "meta", "applet", "frame", "frameset", "link"}


def problems(xml_bytes: bytes, self_url: str, now: datetime | None = None) -> list[str]:
    """Every rule broken by an RSS 2.0 or Atom 1.0 document served at `self_url`; with `now`,
    also dates implausibly far in the future or past."""
    NOW.set(now)
    try:
        root = etree.fromstring(xml_bytes, etree.XMLParser(resolve_entities=False,
                                                           no_network=True))
    except etree.XMLSyntaxError as exc:
        return [f"NotWellFormed: {exc}"]  # the validator stops at the first XML error
    out: list[str] = []
    _namespaces(root, out)
    if root.tag == "rss":
        _rss(root, self_url, out)
    elif root.tag == f"{{{ATOM}}}feed":
        _atom(root, self_url, out)
    else:
        out.append(f"UnsupportedFeedFormat: root {root.tag}")
    return out


def _namespaces(root: etree._Element, out: list[str]) -> None:
    for el in root.iter(etree.Element):
        ns = etree.QName(el).namespace
        if ns and ns not in KNOWN_NS:
            out.append(f"UnknownNamespace: {ns}")  # warning for extension elements we can't check


# --- shared value rules ----------------------------------------------------------------------

def _text(el: etree._Element | None) -> str:
    return "" if el is None else "".join(el.itertext())


def _full_url(value: str, where: str, out: list[str]) -> None:
    """rfc2396_full: an absolute URI (InvalidFullLink), http(s) needs a host."""
    parts = urlsplit(value.strip())
    if not parts.scheme or (parts.scheme in ("http", "https") and not parts.netloc) \
            or " " in value.strip():
        out.append(f"InvalidFullLink: {where} {value!r}")


def _nonhtml(value: str, where: str, out: list[str], message: str = "ContainsHTML") -> None:
    """Plain-text fields: an HTML end tag or an HTML entity in the decoded text is flagged."""
    if any(t.lower() in HTML_TAGS for t in HTML_END_TAG.findall(value)):
        out.append(f"{message}: {where}")
    elif HTML_ENTITY.search(value):
        out.append(f"{message}: {where} (entity)")


def _nonblank(value: str, where: str, out: list[str]) -> None:
    if not value.strip():
        out.append(f"NotBlank: {where}")


class _HtmlScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.unsafe: list[str] = []
        self.relative: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSAFE:
            self.unsafe.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.unsafe.append(f"{tag}@{name}")
            if name in ("href", "src") and value and not urlsplit(value).scheme \
                    and not value.startswith("#"):
                self.relative.append(value)


def _safe_html(value: str, where: str, out: list[str]) -> None:
    """safeHtml: no script-like elements (SecurityRisk) and no relative references
    (ContainsRelRef: no xml:base is published, so readers cannot resolve them)."""
    scan = _HtmlScan()
    scan.feed(value)
    scan.close()
    out.extend(f"SecurityRisk: {where} <{tag}>" for tag in scan.unsafe)
    out.extend(f"ContainsRelRef: {where} {ref!r}" for ref in scan.relative)


def _language(value: str, where: str, out: list[str]) -> None:
    match = LANG.match(value)
    if not match or match.group(1).lower() not in ISO639:
        out.append(f"InvalidLanguage: {where} {value!r}")


def _positive_int(value: str | None, where: str, out: list[str], zero_ok: bool = False) -> None:
    try:
        number = int(value or "")
    except ValueError:
        out.append(f"InvalidInteger: {where} {value!r}")
        return
    if number < 0 or (number == 0 and not zero_ok):
        out.append(("UseZeroForUnknown" if number == -1 else "InvalidInteger") + f": {where}")


def _rfc822(value: str, where: str, out: list[str]) -> None:
    """InvalidRFC2822Date (incl. no zone), IncorrectDOW."""
    value = value.strip()
    if not RFC2822.match(value):
        out.append(f"InvalidRFC2822Date: {where} {value!r}")
        return
    parsed = email.utils.parsedate_to_datetime(value)
    if "," in value and parsed.strftime("%a") != value[:3]:
        out.append(f"IncorrectDOW: {where} {value!r}")
    _plausible(parsed, where, out)


def _plausible(value: datetime, where: str, out: list[str]) -> None:
    now = NOW.get()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if now is not None and not datetime(1970, 1, 1, tzinfo=UTC) <= value <= now + timedelta(1):
        out.append(f"ImplausibleDate: {where} {value.isoformat()}")


def _rfc3339(value: str, where: str, out: list[str]) -> None:
    value = value.strip()
    if not RFC3339.match(value):
        out.append(f"InvalidRFC3339Date: {where} {value!r}")
        return
    try:
        parsed = datetime.fromisoformat(value)  # 3.11 reads "Z"
    except ValueError:
        out.append(f"InvalidRFC3339Date: {where} {value!r}")
        return
    _plausible(parsed, where, out)


def _self_link(links: list[etree._Element], self_url: str, missing: str, out: list[str]) -> None:
    """atom:link rel=self: present (MissingSelf / MissingAtomSelfLink), absolute (RelativeSelf),
    equal to where the document is served (SelfDoesntMatchLocation), a feed type (SelfNotAtom)."""
    selves = [link for link in links if link.get("rel") == "self"]
    if not selves:
        out.append(missing)
    for link in selves:
        href = link.get("href", "")
        if not urlsplit(href).netloc:
            out.append(f"RelativeSelf: {href!r}")
        if urljoin(self_url, href) != self_url:
            out.append(f"SelfDoesntMatchLocation: {href!r} != {self_url!r}")
        kind = (link.get("type") or "application/atom+xml").split(";")[0]
        if kind not in ("application/atom+xml", "application/rss+xml", "application/rdf+xml"):
            out.append(f"SelfNotAtom: {kind}")


# Last: these modules import the helpers above.
from feed_rules_formats import atom_rules as _atom  # noqa: E402
from feed_rules_formats import rss_rules as _rss  # noqa: E402
from feed_rules_json import json_problems  # noqa: E402
