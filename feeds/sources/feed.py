"""Source kind `feed`: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed through json.

Returns `RawArticle`s; feedparser's entry dicts never leave this module.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from html import escape
from typing import Any

import feedparser
from lxml import etree

from .. import dates
from ..config import Source
from ..errors import ExtractError
from ..fetch import Fetched, Fetcher
from ..fetch.charset import decode
from ..model import Image, RawArticle
from ..normalise import html_to_text, strip_forbidden
from ..urls import absolute

__all__ = ["collect", "parse"]

log = logging.getLogger("feeds.sources.feed")

# feedparser flags these but still parses correctly; anything else means malformed XML.
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def collect(source: Source, fetcher: Fetcher, now: datetime) -> list[RawArticle]:
    """Fetch the source's feed and return its entries as raw articles (with `full_text`, each
    entry's page is fetched and its extracted body replaces the feed's summary)."""
    raws = parse(fetcher.get(source.url), source.charset, source.id)
    if getattr(source.options, "full_text", False):
        from .full_text import with_full_text

        raws = with_full_text(source, fetcher, raws)
    return raws


def parse(fetched: Fetched, charset: str = "", source_id: str = "") -> list[RawArticle]:
    """Parse a fetched RSS, Atom or JSON feed; raise ExtractError when it is not one. An entry
    that cannot be read is logged (naming the source and the entry) and skipped."""
    head = fetched.body[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        raws = _parse_json_feed(fetched, source_id or fetched.url)
    else:
        raws = _parse_xml_feed(fetched, charset, source_id or fetched.url)
    return _distinct_guids(raws, source_id or fetched.url)


def _each(items: Iterable[Any], build: Callable[[Any], RawArticle], who: str) -> list[RawArticle]:
    """`build` applied to every entry; one that raises is a warning, never the whole feed."""
    out = []
    for n, item in enumerate(items, 1):
        try:
            out.append(build(item))
        except Exception as e:  # a hostile entry must not cost the others
            name = item.get("id") or item.get("link") if isinstance(item, dict) else None
            log.warning("%s: skipped entry %d (%s): %r", who, n, name or "no id", e)
    return out


def _distinct_guids(raws: list[RawArticle], who: str) -> list[RawArticle]:
    """A guid that several distinct items share is no identity for any of them: they fall
    back to their links (the store's URL identity), so none overwrites another."""
    counts = Counter(r.guid for r in raws if r.guid)
    shared = {guid for guid, n in counts.items() if n > 1
              and len({(r.url, r.title) for r in raws if r.guid == guid}) > 1}
    for guid in shared:
        log.warning("%s: guid %r is shared by %d distinct items; identifying them by link",
                    who, guid, counts[guid])
    return [dataclasses.replace(r, guid="", legacy_guid="") if r.guid in shared else r
            for r in raws]


# Character references to code points XML 1.0 forbids (&#1; &#x1B; ...): common in real feeds,
# fatal to a strict parser, meaningless to a reader. Removed before parsing, like the raw ones.
_BAD_CHAR_REF = re.compile(r"&#(?:x0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[1-24-9]|2[0-9]|3[01]));")


def _parse_xml_feed(fetched: Fetched, charset: str, who: str) -> list[RawArticle]:
    text = strip_forbidden(decode(fetched.body, charset or fetched.charset, xml=True))
    text = _BAD_CHAR_REF.sub("", text)
    # Relative links in an item's content are relative to the item's page, not to the feed:
    # normalise resolves them against the article URL, so feedparser must leave them alone.
    parsed = feedparser.parse(text.encode("utf-8"), resolve_relative_uris=False, response_headers={
        "content-location": fetched.url, "content-type": "application/xml; charset=utf-8"})
    error = parsed.get("bozo_exception")
    if not parsed.get("version"):
        kind = "parse-error" if error and fetched.body.lstrip()[:1] == b"<" and b"<html" not in fetched.body[:2048].lower() else "not-a-feed"
        raise ExtractError(kind, fetched.url, f"not an RSS/Atom feed ({error or 'no feed element'})")
    if parsed.bozo and not isinstance(error, _HARMLESS):
        raise ExtractError("parse-error", fetched.url, f"malformed feed: {error}")
    written = _written_ids(text.encode("utf-8"), len(parsed.entries))
    for entry, guid in zip(parsed.entries, written or (), strict=False):
        entry[_WRITTEN] = guid
    return _each(parsed.entries, _from_entry, who)


# An item's guid as the feed wrote it. feedparser resolves a guid/id against the feed's URL (or
# xml:base) as if it were a link, so `<guid>12345</guid>` would change whenever the feed moves;
# the identity must not. Read from the same text, entries in document order, as feedparser.
_WRITTEN = "feeds_written_id"
_ENTRY_TAGS = ("item", "{http://purl.org/rss/1.0/}item", "{http://my.netscape.com/rdf/simple/0.9/}item",
               "{http://www.w3.org/2005/Atom}entry", "{http://purl.org/atom/ns#}entry")
_ID_TAGS = {"guid", "{http://www.w3.org/2005/Atom}id", "{http://purl.org/atom/ns#}id"}
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"


def _written_ids(data: bytes, expected: int) -> list[str] | None:
    """The guid text of every entry, in order; None when the entries cannot be matched one to
    one with feedparser's (then feedparser's ids are used, as before)."""
    parser = etree.XMLParser(encoding="utf-8", resolve_entities=False, no_network=True,
                             load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None
    ids = []
    for element in root.iter(*_ENTRY_TAGS):
        text = next((child.text or "" for child in element if child.tag in _ID_TAGS),
                    element.get(_RDF_ABOUT, ""))
        ids.append(text.strip())
    return ids if len(ids) == expected else None


def _guids(entry: Any) -> tuple[str, str]:
    """(the guid as written, feedparser's resolved form when it differs: the legacy key)."""
    resolved = entry.get("id", "")
    written = dict.get(entry, _WRITTEN) or resolved
    return written, resolved if resolved != written else ""


def _as_text(entry: Any, key: str) -> str:
    """A feedparser text construct as plain text (titles may be typed text/html)."""
    value = entry.get(key, "")
    if entry.get(f"{key}_detail", {}).get("type") == "text/html":
        return html_to_text(value)
    return value


def _as_html(entry: Any, key: str) -> str:
    """A feedparser text construct as HTML (plain-text summaries are escaped)."""
    value = entry.get(key, "")
    if entry.get(f"{key}_detail", {}).get("type") == "text/plain":
        return escape(value)
    return value


def _from_entry(entry: Any) -> RawArticle:
    content = entry.get("content") or []
    html = max((c.get("value", "") if c.get("type") != "text/plain" else escape(c.get("value", ""))
                for c in content), key=len, default="")
    authors = tuple(a["name"] for a in entry.get("authors", []) if a.get("name"))
    guid, legacy_guid = _guids(entry)
    return RawArticle(
        url=entry.get("link", ""),  # resolved by feedparser (xml:base, then the feed URL)
        title=_as_text(entry, "title"),
        summary=_as_html(entry, "summary") if html else "",
        content_html=html or _as_html(entry, "summary"),
        published=_date(entry.get("published_parsed"), entry.get("published")),
        # dict.get: FeedParserDict.get("updated*") silently falls back to the published date
        updated=_date(dict.get(entry, "updated_parsed"), dict.get(entry, "updated")),
        authors=authors or ((entry["author"],) if entry.get("author") else ()),
        tags=tuple(t["term"] for t in entry.get("tags", []) if t.get("term")),
        image=_entry_image(entry),
        guid=guid, legacy_guid=legacy_guid,
        provenance={"*": "feed entry"},
    )


def _date(parsed: time.struct_time | None, raw: Any) -> datetime | str | None:
    """feedparser's reading of a date, except of a relative form (3小时前): it reads
    3000000天前 as the year 3000. The raw text then goes to feeds.dates in normalise."""
    if isinstance(raw, str) and dates.is_relative(raw):
        return raw
    return _struct_time(parsed) or raw


def _struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser gives UTC struct_times; keep them aware."""
    if not value:
        return None
    return datetime(*value[:6], tzinfo=UTC)


def _entry_image(entry: Any) -> Image | None:
    for media in entry.get("media_content", []) + entry.get("media_thumbnail", []):
        if media.get("url") and media.get("medium", "image") == "image":
            return Image(media["url"], _int(media.get("width")), _int(media.get("height")),
                         media.get("type"))
    for link in entry.get("links", []):
        if link.get("rel") == "enclosure" and link.get("type", "").startswith("image/"):
            return Image(link["href"], type=link["type"], length=_int(link.get("length")))
    return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _parse_json_feed(fetched: Fetched, who: str) -> list[RawArticle]:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        doc = json.loads(decode(fetched.body, "utf-8"))
    except (ValueError, RecursionError) as e:  # RecursionError: arrays nested 100,000 deep
        raise ExtractError("parse-error", fetched.url, f"malformed JSON feed: {e}") from e
    if not isinstance(doc, dict) or "jsonfeed.org/version/" not in str(doc.get("version", "")):
        raise ExtractError("not-a-feed", fetched.url, "JSON without a jsonfeed.org version")
    items = doc.get("items")
    if not isinstance(items, list):
        raise ExtractError("parse-error", fetched.url, "JSON feed without an items list")
    feed_authors = _json_authors(doc)
    return _each((i for i in items if isinstance(i, dict)),
                 lambda item: _from_json_item(item, fetched.url, feed_authors), who)


def _json_authors(obj: dict) -> tuple[str, ...]:
    authors = obj.get("authors") or ([obj["author"]] if isinstance(obj.get("author"), dict) else [])
    if not isinstance(authors, list):
        return ()
    return tuple(a["name"] for a in authors if isinstance(a, dict) and a.get("name"))


def _from_json_item(item: dict, base: str, feed_authors: tuple[str, ...]) -> RawArticle:
    image = item.get("image") or item.get("banner_image")
    return RawArticle(
        url=absolute(base, str(item.get("url") or item.get("external_url") or "")),
        title=str(item.get("title") or ""),
        summary=str(item.get("summary") or ""),
        content_html=str(item.get("content_html") or _text_to_html(item.get("content_text"))),
        published=item.get("date_published"),
        updated=item.get("date_modified"),
        authors=_json_authors(item) or feed_authors,
        tags=tuple(str(t) for t in item.get("tags") or [] if t),
        image=Image(absolute(base, str(image))) if image else None,
        language=str(item.get("language") or ""),
        guid=str(item.get("id") or ""),
        provenance={"*": "json feed item"},
    )


def _text_to_html(text: Any) -> str:
    if not text:
        return ""
    return "".join(f"<p>{escape(p.strip())}</p>" for p in str(text).split("\n\n") if p.strip())
