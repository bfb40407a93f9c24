"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/); feedgen has none, so it is built here
as plain dicts and serialised with sorted-free, stable key order."""

from __future__ import annotations

import json
from typing import Any

from ..config import Site
from ..model import Article
from .common import build_date, guid, image_type, logo_url, seconds
from .feedset import FeedFormat, FeedSpec, categories

__all__ = ["render"]

VERSION = "https://jsonfeed.org/version/1.1"


def render(site: Site, spec: FeedSpec) -> bytes:
    """Return the JSON Feed document for `spec`, newest item first."""
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": spec.title,
        "home_page_url": spec.link,
        "feed_url": site.absolute(spec.path(FORMAT)),
        "description": spec.description,
        "language": site.language,
        "authors": [{"name": site.title, "url": site.home_url}],
    }
    if site.logo:
        feed["icon"] = logo_url(site)
        feed["favicon"] = logo_url(site)
    if spec.hubs:
        feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in spec.hubs]
    # JSON Feed has no feed-level date; _updated is an allowed extension (keys starting '_')
    # ... and `page`: the feed's own page for people (feedpage.py), as RSS/Atom link it
    feed["_feeds"] = {"updated": build_date(spec).isoformat(), "page": site.absolute(spec.page)}
    feed["items"] = [_item(spec, a) for a in spec.articles]
    text = json.dumps(feed, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _item(spec: FeedSpec, article: Article) -> dict[str, Any]:
    item: dict[str, Any] = {"id": guid(article.id), "url": article.url, "title": article.title}
    if article.content_html:
        item["content_html"] = article.content_html
    else:
        item["content_text"] = article.summary or article.title  # one of the two is required
    if article.summary:
        item["summary"] = article.summary
    if article.image:
        item["image"] = article.image.url
    item["date_published"] = seconds(article.published).isoformat()
    item["date_modified"] = seconds(article.updated).isoformat()
    if article.authors:
        item["authors"] = [{"name": name} for name in article.authors]
    tags = categories(spec, article)
    if tags:
        item["tags"] = tags
    if article.language:
        item["language"] = article.language
    if article.image and (mime := image_type(article.image)):
        attachment: dict[str, Any] = {"url": article.image.url, "mime_type": mime}
        if article.image.length:
            attachment["size_in_bytes"] = article.image.length
        item["attachments"] = [attachment]
    if also_at := spec.also_at.get(article.id):  # the same story under its other URLs
        item["_feeds"] = {"also_at": list(also_at)}
    return item


FORMAT = FeedFormat("json", "feed.json", "application/feed+json", "JSON Feed 1.1", "JSON Feed", render)
