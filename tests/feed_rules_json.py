"""JSON Feed 1.1 rules (https://www.jsonfeed.org/version/1.1/) for tests/feed_rules.py."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

VERSION = "https://jsonfeed.org/version/1.1"
TOP = {"version", "title", "home_page_url", "feed_url", "description", "user_comment",
       "next_url", "icon", "favicon", "authors", "author", "language", "expired", "hubs", "items"}
ITEM = {"id", "url", "external_url", "title", "content_html", "content_text", "summary",
        "image", "banner_image", "date_published", "date_modified", "authors", "author", "tags",
        "language", "attachments"}


def _url(value: Any, where: str, out: list[str]) -> None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        out.append(f"InvalidURL: {where} {value!r}")


def _string(value: Any, where: str, out: list[str]) -> None:
    if not isinstance(value, str):
        out.append(f"NotAString: {where}")


def _date(value: Any, where: str, out: list[str]) -> None:
    from feed_rules import _rfc3339
    if not isinstance(value, str):
        out.append(f"InvalidRFC3339Date: {where} {value!r}")
    else:
        _rfc3339(value, where, out)


def _keys(obj: dict[str, Any], allowed: set[str], where: str, out: list[str]) -> None:
    """Extensions must start with '_' and a letter; anything else is an unknown key."""
    for key in obj:
        if key not in allowed and not (key.startswith("_") and key[1:2].isalpha()):
            out.append(f"UnknownKey: {where}.{key}")


def _authors(value: Any, where: str, out: list[str]) -> None:
    if not isinstance(value, list):
        out.append(f"NotAnArray: {where}")
        return
    for n, author in enumerate(value):
        if not isinstance(author, dict) or not any(author.get(k) for k in ("name", "url",
                                                                          "avatar")):
            out.append(f"EmptyAuthor: {where}[{n}] needs name, url or avatar")
        elif author.get("url") is not None:
            _url(author["url"], f"{where}[{n}].url", out)


def json_problems(data: bytes, self_url: str, now: datetime | None = None) -> list[str]:
    """Every JSON Feed 1.1 rule broken by a document served at `self_url` (dates checked
    against `now` as in feed_rules.problems)."""
    from feed_rules import NOW
    NOW.set(now)
    try:
        feed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"NotWellFormed: {exc}"]
    if not isinstance(feed, dict):
        return ["NotAnObject: feed"]
    out: list[str] = []
    if feed.get("version") != VERSION:
        out.append(f"InvalidVersion: {feed.get('version')!r}")
    if not isinstance(feed.get("title"), str) or not feed["title"].strip():
        out.append("MissingElement: title")
    _keys(feed, TOP, "feed", out)
    for key in ("home_page_url", "feed_url", "next_url", "icon", "favicon"):
        if key in feed:
            _url(feed[key], key, out)
    if "feed_url" not in feed:
        out.append("MissingSelf: feed_url")  # SHOULD; readers use it to follow moves
    elif feed["feed_url"] != self_url:
        out.append(f"SelfDoesntMatchLocation: {feed['feed_url']!r} != {self_url!r}")
    for key in ("description", "language"):
        if key in feed:
            _string(feed[key], key, out)
    if "authors" in feed:
        _authors(feed["authors"], "authors", out)
    if "expired" in feed and not isinstance(feed["expired"], bool):
        out.append("NotABoolean: expired")
    for n, hub in enumerate(feed.get("hubs", [])):
        if not isinstance(hub, dict) or not hub.get("type") or not hub.get("url"):
            out.append(f"MissingElement: hubs[{n}] needs type and url")
    items = feed.get("items")
    if not isinstance(items, list):
        return out + ["MissingElement: items"]
    ids: Counter[str] = Counter()
    for n, item in enumerate(items):
        _item(item, f"items[{n}]", ids, out)
    out.extend(f"DuplicateEntries: id {i!r}" for i, c in ids.items() if c > 1)
    return out


def _item(item: Any, where: str, ids: Counter[str], out: list[str]) -> None:
    if not isinstance(item, dict):
        out.append(f"NotAnObject: {where}")
        return
    _keys(item, ITEM, where, out)
    ident = item.get("id")
    if not isinstance(ident, str) or not ident.strip():
        out.append(f"MissingElement: {where}.id (a non-empty string)")
    else:
        ids[ident] += 1
    if not any(isinstance(item.get(k), str) for k in ("content_html", "content_text")):
        out.append(f"MissingElement: {where} needs content_html or content_text")
    for key in ("url", "external_url", "image", "banner_image"):
        if key in item:
            _url(item[key], f"{where}.{key}", out)
    for key in ("title", "summary", "content_html", "content_text", "language"):
        if key in item:
            _string(item[key], f"{where}.{key}", out)
    for key in ("date_published", "date_modified"):
        if key in item:
            _date(item[key], f"{where}.{key}", out)
    if "authors" in item:
        _authors(item["authors"], f"{where}.authors", out)
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        out.append(f"InvalidTags: {where}.tags must be non-empty strings")
    for m, att in enumerate(item.get("attachments", [])):
        at = f"{where}.attachments[{m}]"
        if not isinstance(att, dict) or "url" not in att or "mime_type" not in att:
            out.append(f"MissingElement: {at} needs url and mime_type")
            continue
        _url(att["url"], f"{at}.url", out)
        size = att.get("size_in_bytes")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            out.append(f"InvalidInteger: {at}.size_in_bytes")
