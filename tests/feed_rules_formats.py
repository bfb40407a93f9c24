"""The RSS 2.0 and Atom 1.0 structure rules of tests/feed_rules.py (message names as the W3C
Feed Validation Service reports them)."""

from __future__ import annotations

from collections import Counter

from feed_rules import (
    ATOM,
    ATOM_LINK_RELS,
    CONTENT,
    DC,
    MEDIA,
    MIME,
    RSS_CHANNEL,
    RSS_IMAGE,
    RSS_ITEM,
    RSS_SINGLE,
    _full_url,
    _language,
    _nonblank,
    _nonhtml,
    _positive_int,
    _rfc822,
    _rfc3339,
    _safe_html,
    _self_link,
    _text,
)
from lxml import etree

A = f"{{{ATOM}}}"


def _undefined(parent: etree._Element, allowed: set[str], where: str, out: list[str]) -> None:
    for child in parent.iterchildren(etree.Element):
        if etree.QName(child).namespace is None and child.tag not in allowed:
            out.append(f"UndefinedElement: {where}/{child.tag}")


def rss_rules(root: etree._Element, self_url: str, out: list[str]) -> None:
    if root.get("version") != "2.0":
        out.append(f"InvalidVersion: rss version={root.get('version')!r}")
    channel = root.find("channel")
    if channel is None:
        out.append("MissingElement: rss/channel")
        return
    _undefined(channel, RSS_CHANNEL, "channel", out)
    counts = Counter(c.tag for c in channel.iterchildren(etree.Element))
    out.extend(f"DuplicateElement: channel/{tag}" for tag, n in counts.items()
               if n > 1 and tag in RSS_SINGLE)
    for name, message in (("title", "MissingTitle"), ("link", "MissingLink"),
                          ("description", "MissingDescription")):
        if channel.find(name) is None:
            out.append(f"{message}: channel/{name}")
    title, link = _text(channel.find("title")), _text(channel.find("link"))
    _nonblank(title, "channel/title", out)
    _nonhtml(title, "channel/title", out)
    _nonhtml(_text(channel.find("description")), "channel/description", out)
    if channel.find("link") is not None:
        _full_url(link, "channel/link", out)
    if channel.find("language") is None and channel.find(f"{{{DC}}}language") is None:
        out.append("MissingDCLanguage: channel/language")
    else:
        _language(_text(channel.find("language")), "channel/language", out)
    for name in ("pubDate", "lastBuildDate"):
        if channel.find(name) is not None:
            _rfc822(_text(channel.find(name)), f"channel/{name}", out)
    if channel.find("ttl") is not None:
        _positive_int(_text(channel.find("ttl")), "channel/ttl", out)
    if channel.find("docs") is not None:
        _full_url(_text(channel.find("docs")), "channel/docs", out)
    _self_link(channel.findall(f"{A}link"), self_url, "MissingAtomSelfLink", out)
    if (image := channel.find("image")) is not None:
        _rss_image(image, title, link, out)
    guids: Counter[str] = Counter()
    for n, item in enumerate(channel.iterfind("item")):
        _rss_item(item, f"item[{n}]", guids, out)
    out.extend(f"DuplicateValue: guid {g!r}" for g, c in guids.items() if c > 1)


def _rss_image(image: etree._Element, title: str, link: str, out: list[str]) -> None:
    _undefined(image, RSS_IMAGE, "image", out)
    for name, message in (("url", "MissingElement"), ("title", "MissingTitle"),
                          ("link", "MissingLink")):
        if image.find(name) is None:
            out.append(f"{message}: image/{name}")
    url = _text(image.find("url"))
    _full_url(url, "image/url", out)
    ext = url.split("?")[0].rsplit(".", 1)[-1].lower()
    if ext.isalnum() and ext not in ("jpg", "jpeg", "gif", "png"):
        out.append(f"ImageUrlFormat: {url!r}")
    if image.find("link") is not None and _text(image.find("link")) != link:
        out.append("ImageLinkDoesntMatch: image/link differs from channel/link")
    if image.find("title") is not None and _text(image.find("title")) != title:
        out.append("ImageTitleDoesntMatch: image/title differs from channel/title")
    for name, limit in (("width", 144), ("height", 400)):
        if (el := image.find(name)) is not None and not (
                _text(el).isdigit() and 0 < int(_text(el)) <= limit):
            out.append(f"Invalid{name.title()}: image/{name} {_text(el)!r}")


def _rss_item(item: etree._Element, where: str, guids: Counter[str], out: list[str]) -> None:
    _undefined(item, RSS_ITEM, where, out)
    counts = Counter(c.tag for c in item.iterchildren(etree.Element))
    for tag, n in counts.items():
        if n > 1 and tag in ("title", "link", "description", "guid", "pubDate", "comments",
                             f"{{{CONTENT}}}encoded"):
            out.append(f"DuplicateElement: {where}/{tag}")
    if counts["enclosure"] > 1:
        out.append(f"DuplicateEnclosure: {where}")
    if not counts["title"] and not counts["description"]:
        out.append(f"ItemMustContainTitleOrDescription: {where}")
    if (title := item.find("title")) is not None:
        _nonblank(_text(title), f"{where}/title", out)
        _nonhtml(_text(title), f"{where}/title", out)
    for name in ("link", "comments"):
        if item.find(name) is not None:
            _full_url(_text(item.find(name)), f"{where}/{name}", out)
    if item.find("description") is not None:
        _safe_html(_text(item.find("description")), f"{where}/description", out)
    if (encoded := item.find(f"{{{CONTENT}}}encoded")) is not None:
        _safe_html(_text(encoded), f"{where}/content:encoded", out)
        earlier = [c.tag for c in encoded.itersiblings(preceding=True)]
        if "description" not in earlier:
            out.append(f"NeedDescriptionBeforeContent: {where}")
    if item.find("pubDate") is not None:
        _rfc822(_text(item.find("pubDate")), f"{where}/pubDate", out)
        if item.find(f"{{{DC}}}date") is not None:
            out.append(f"DuplicateItemSemantics: {where} pubDate + dc:date")
    if item.find("author") is not None and item.find(f"{{{DC}}}creator") is not None:
        out.append(f"DuplicateItemSemantics: {where} author + dc:creator")
    for category in item.iterfind("category"):
        _nonblank(_text(category), f"{where}/category", out)
    _guid(item, where, guids, out)
    for enclosure in item.iterfind("enclosure"):
        _enclosure(enclosure, where, out)
    for media in item.iterfind(f"{{{MEDIA}}}content"):
        _media_content(media, where, out)


def _guid(item: etree._Element, where: str, guids: Counter[str], out: list[str]) -> None:
    guid = item.find("guid")
    if guid is None:
        out.append(f"MissingGuid: {where}")
        return
    value, permalink = _text(guid).strip(), guid.get("isPermaLink", "true")
    guids[value] += 1
    if permalink not in ("true", "false"):
        out.append(f"InvalidBooleanAttribute: {where}/guid@isPermaLink {permalink!r}")
    if permalink == "true":
        _full_url(value, f"{where}/guid", out)
        if value.lower().startswith(("tag:", "urn:uuid:")):
            out.append(f"InvalidPermalink: {where}/guid {value!r}")
    elif value.isdigit() and len(value) < 9:
        out.append(f"NotSufficientlyUnique: {where}/guid {value!r}")


def _enclosure(el: etree._Element, where: str, out: list[str]) -> None:
    for attr in ("url", "length", "type"):
        if el.get(attr) is None:
            out.append(f"MissingAttribute: {where}/enclosure@{attr}")
    if el.get("length") is not None:
        _positive_int(el.get("length"), f"{where}/enclosure@length", out, zero_ok=True)
    if el.get("type") is not None and not MIME.match(el.get("type", "")):
        out.append(f"InvalidMIMEAttribute: {where}/enclosure@type")
    if el.get("url") is not None and not el.get("url", "").startswith(("http://", "https://")):
        out.append(f"InvalidURLAttribute: {where}/enclosure@url")  # httpURL


def _media_content(el: etree._Element, where: str, out: list[str]) -> None:
    """media:content attributes (Media RSS 1.5): url absolute, medium enumerated, sizes > 0."""
    if el.get("url"):
        _full_url(el.get("url", ""), f"{where}/media:content@url", out)
    if (medium := el.get("medium")) and medium not in (
            "image", "audio", "video", "document", "executable"):
        out.append(f"InvalidMediaMedium: {where} {medium!r}")
    if (kind := el.get("type")) and not MIME.match(kind):
        out.append(f"InvalidMIMEAttribute: {where}/media:content@type")
    for attr in ("fileSize", "width", "height"):
        if el.get(attr) is not None:
            _positive_int(el.get(attr), f"{where}/media:content@{attr}", out)


# --- Atom 1.0 (RFC 4287) ---------------------------------------------------------------------

def atom_rules(feed: etree._Element, self_url: str, out: list[str]) -> None:
    for name in ("id", "title", "updated"):
        if feed.find(A + name) is None:
            out.append(f"MissingElement: feed/{name}")
    _single(feed, ("id", "title", "updated", "subtitle", "icon", "logo", "generator", "rights"),
            "feed", out)
    _text_construct(feed.find(A + "title"), "feed/title", out)
    _text_construct(feed.find(A + "subtitle"), "feed/subtitle", out)
    if feed.find(A + "id") is not None:
        _full_url(_text(feed.find(A + "id")), "feed/id", out)
    if feed.find(A + "updated") is not None:
        _rfc3339(_text(feed.find(A + "updated")), "feed/updated", out)
    for name in ("icon", "logo"):
        if feed.find(A + name) is not None:
            _full_url(_text(feed.find(A + name)), f"feed/{name}", out)
    links = feed.findall(A + "link")
    _self_link(links, self_url, "MissingSelf: feed", out)
    _links(links, "feed", out)
    has_author = feed.find(A + "author") is not None
    seen: Counter[str] = Counter()
    for n, entry in enumerate(feed.iterfind(A + "entry")):
        _entry(entry, f"entry[{n}]", has_author, seen, out)
    out.extend(f"DuplicateEntries: id {i!r}" for i, c in seen.items() if c > 1)
    if (lang := feed.get("{http://www.w3.org/XML/1998/namespace}lang")) is not None:
        _language(lang, "feed@xml:lang", out)


def _single(parent: etree._Element, names: tuple[str, ...], where: str, out: list[str]) -> None:
    for name in names:
        if len(parent.findall(A + name)) > 1:
            out.append(f"DuplicateElement: {where}/{name}")


def _text_construct(el: etree._Element | None, where: str, out: list[str]) -> None:
    """type text: no undeclared markup (ContainsUndeclaredHTML); html: safe markup."""
    if el is None:
        return
    kind = el.get("type", "text")
    if kind == "text":
        _nonhtml(_text(el), where, out, "ContainsUndeclaredHTML")
    elif kind == "html":
        _safe_html(_text(el), where, out)
    elif kind != "xhtml":
        out.append(f"InvalidTextType: {where} {kind!r}")


def _links(links: list[etree._Element], where: str, out: list[str]) -> None:
    seen: set[tuple[str, str, str]] = set()
    for link in links:
        rel, kind = link.get("rel", "alternate"), link.get("type", "")
        if link.get("href") is None:
            out.append(f"MissingHref: {where}/link")
        else:
            _full_url(link.get("href", ""), f"{where}/link@href", out)
        if rel not in ATOM_LINK_RELS and ":" not in rel:
            out.append(f"UnregisteredAtomLinkRel: {where} {rel!r}")
        if kind and not MIME.match(kind):
            out.append(f"InvalidMIMEType: {where}/link@type {kind!r}")
        if link.get("length") is not None:
            _positive_int(link.get("length"), f"{where}/link@length", out, zero_ok=True)
        key = (rel, kind, link.get("hreflang", ""))
        if key in seen and rel in ("alternate", "self"):
            out.append(f"DuplicateAtomLink: {where} rel={rel} type={kind}")
        seen.add(key)


def _entry(entry: etree._Element, where: str, feed_author: bool, seen: Counter[str],
           out: list[str]) -> None:
    for name in ("id", "title", "updated"):
        if entry.find(A + name) is None:
            out.append(f"MissingElement: {where}/{name}")
    _single(entry, ("id", "title", "updated", "published", "summary", "content", "rights"),
            where, out)
    if not feed_author and entry.find(A + "author") is None:
        out.append(f"MissingElement: {where}/author")
    if entry.find(A + "id") is not None:
        ident = _text(entry.find(A + "id")).strip()
        seen[ident] += 1
        _full_url(ident, f"{where}/id", out)
    for name in ("updated", "published"):
        if entry.find(A + name) is not None:
            _rfc3339(_text(entry.find(A + name)), f"{where}/{name}", out)
    for name in ("title", "summary", "content"):
        _text_construct(entry.find(A + name), f"{where}/{name}", out)
    links = entry.findall(A + "link")
    _links(links, where, out)
    content = entry.find(A + "content")
    if content is None and not any(lk.get("rel", "alternate") == "alternate" for lk in links):
        out.append(f"MissingContentOrAlternate: {where}")
    if entry.find(A + "summary") is None and (content is None or content.get("src")):
        out.append(f"MissingTextualContent: {where}")
    for category in entry.iterfind(A + "category"):
        if not category.get("term"):
            out.append(f"MissingAttribute: {where}/category@term")
    for author in entry.iterfind(A + "author"):
        if author.find(A + "name") is None:
            out.append(f"MissingElement: {where}/author/name")
