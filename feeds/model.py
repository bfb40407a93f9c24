"""The domain model: frozen dataclasses that every stage after normalisation speaks.

`RawArticle` is what an extractor found (strings, as on the wire); `Article` is what
`feeds.normalise` made of it and what the store and the publishers see. Nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Image", "RawArticle", "Article", "Channel"]


@dataclass(frozen=True)
class Image:
    """An image with what is known of it (width, height, MIME type, byte length)."""

    url: str
    width: int | None = None
    height: int | None = None
    type: str | None = None
    length: int | None = None
    alt: str | None = None


@dataclass(frozen=True)
class Channel:
    """A section of the site (创新创业 ...); `id` is ASCII and used in output paths."""

    id: str
    title: str
    description: str = ""
    url: str = ""  # the channel's own page on the portal (listed in the pages sitemap)


@dataclass(frozen=True)
class RawArticle:
    """Fields as an extractor found them: text, markup and date strings, not yet trusted.

    `title` is plain text; `summary` and `content_html` are HTML.
    `guid` is the source's own identity for the item when it has one (RSS guid, Atom id,
    JSON Feed id), exactly as the source wrote it; `legacy_guid` is the form older feeds stored
    (feedparser's, resolved against the feed's URL) when it differs, so those articles are
    still found. `partial`: part of what the source normally reads for this item failed (a
    `full_text` page), so the store keeps what it holds for the missing part.
    `provenance` records which rule or heuristic produced each field (for `feeds preview`).
    """

    url: str
    title: str = ""
    summary: str = ""
    content_html: str = ""
    published: str | datetime | None = None
    updated: str | datetime | None = None
    authors: tuple[str, ...] = ()
    editor: str = ""
    origin: str = ""
    tags: tuple[str, ...] = ()
    image: str | Image | None = None
    language: str = ""
    guid: str = ""
    canonical_url: str = ""
    legacy_guid: str = ""
    partial: bool = False
    provenance: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Article:
    """One normalised article. `id` is fixed by the store at first sight and never recomputed.

    Dates are timezone-aware; `published_is_date` says the source gave a date without a time
    (feeds still need a time, sitemaps and previews show the date alone).
    """

    id: str
    url: str
    title: str
    summary: str
    content_html: str
    published: datetime
    updated: datetime
    authors: tuple[str, ...] = ()
    editor: str = ""
    origin: str = ""
    channel: str = ""
    tags: tuple[str, ...] = ()
    image: Image | None = None
    language: str = "zh-CN"
    source_id: str = ""
    guid: str = ""
    published_is_date: bool = False
    dated: bool = True  # False: the source gave no date; published is the first-seen time
    legacy_guid: str = ""  # the guid as older feeds stored it (RawArticle.legacy_guid)
    partial: bool = False  # a part of the item failed to arrive (RawArticle.partial)
