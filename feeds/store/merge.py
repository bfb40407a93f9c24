"""The merge rules: what an upsert does with an article the store already holds.

Decided here, in Python, so every store applies the same rules; a store only finds the stored
row, calls `merge`, and writes what it returns. The rules (docs/design.md, "Merge rules"):

1. Identity is the stored one: the stored id is kept whatever the incoming article proposes.
2. Ownership: an article belongs to the source that first stored it. Another source offering the
   same article may fill fields the stored one has empty (summary, content, authors, editor,
   origin, tags, image) but never replaces a field that has a value, nor the title, URL, dates or
   channel.
3. Dates settled at first sight: an incoming article without a date of its own (none, relative
   such as 3小时前, or in the future and so clamped) keeps the stored dates. A stored article
   whose date was settled at first sight takes a real date later only when that date is not after
   the first sight: nothing is published after we saw it, so a date that was in the future then
   is never taken (no re-dating run after run, no "updated" each run).
4. `updated` moves only when what readers see changes (the content hash), and then to the
   source's newer date when it gives one, else to the time we noticed the change.
5. Identity keys (`keys`, `key_for_row`): a row is found by the guid key as written, then by
   the guid as older feeds stored it (resolved against the feed's URL), then by URL, ties by
   id (`FIND_ORDER`, the same in both stores). A row of the same source found by its URL key
   or by the old guid form takes the incoming guid key, so a later URL change still finds it.
6. One URL is one article: the owner's own update may move its article to another URL only
   when no other row holds that URL (else the stored URL is kept, and logged).
7. A partial article (a `full_text` page failed) keeps the stored page-derived fields
   (`PAGE_FIELDS`): a transient failure neither empties the body nor counts as an update.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime

from ..model import Article
from ..normalise import content_hash, identity_key

__all__ = ["Outcome", "Keys", "keys", "key_for_row", "first_sight", "merge", "FILLABLE",
           "PAGE_FIELDS", "FIND_ORDER"]

log = logging.getLogger("feeds.store")

# Fields another source may fill when the owner left them empty (rule 2).
FILLABLE = ("summary", "content_html", "authors", "editor", "origin", "tags", "image")
# Fields an article page supplies under `full_text` (kept from the store when it failed, rule 7).
PAGE_FIELDS = ("summary", "content_html", "authors", "editor", "origin", "tags", "image",
               "language")
# Which row a lookup finds (rule 5): parameters ident, legacy, url in this order, in both stores.
FIND_ORDER = "ORDER BY ident = {0} DESC, ident = {1} DESC, id"


@dataclass(frozen=True)
class Keys:
    """How an incoming article is looked up: its identity key, the key older feeds built from
    the same guid ('' when there is none), and its URL."""

    ident: str
    legacy: str
    url: str

    @property
    def all(self) -> tuple[str, ...]:
        """Every key to lock or to check a tombstone against."""
        return tuple(k for k in (self.ident, self.legacy, self.url) if k)


def keys(article: Article) -> Keys:
    ident = identity_key(article.source_id, article.guid, article.url)
    legacy = (identity_key(article.source_id, article.legacy_guid, article.url)
              if article.guid and article.legacy_guid else "")
    return Keys(ident, legacy if legacy != ident else "", article.url)


def key_for_row(stored_ident: str, stored: Article, incoming: Article, found: Keys) -> str:
    """The identity key the stored row keeps after this upsert (rule 5): the incoming guid key
    when the row is the same source's and was keyed by its URL or by the old form of the guid;
    else its own (another source's guid never re-keys the owner's article)."""
    if stored_ident == found.ident or not incoming.guid:
        return stored_ident
    if stored.source_id != incoming.source_id:
        return stored_ident
    if stored_ident.startswith("url|") or (found.legacy and stored_ident == found.legacy):
        return found.ident
    return stored_ident


@dataclass(frozen=True)
class Outcome:
    """What an upsert decided: "new" | "updated" | "unchanged", the article as stored after it,
    and its content hash (to store beside it)."""

    kind: str
    article: Article
    digest: str

    @property
    def changed(self) -> bool:
        return self.kind != "unchanged"


def first_sight(incoming: Article) -> Outcome:
    """A new article is stored as normalised."""
    return Outcome("new", incoming, content_hash(incoming))


def merge(stored: Article, stored_digest: str, first_seen: datetime, incoming: Article,
          now: datetime, url_taken: bool = False) -> Outcome:
    """Apply the rules above to `incoming` against `stored` (first stored at `first_seen`);
    `url_taken`: another row holds the incoming URL (rule 6)."""
    if stored.source_id and incoming.source_id != stored.source_id:
        merged = _fill_empty(stored, incoming)
    else:
        merged = _settle_dates(stored, first_seen, _own_update(stored, incoming, url_taken))
    digest = content_hash(merged)
    if digest == stored_digest:
        return Outcome("unchanged", stored, stored_digest)
    if merged.updated <= stored.updated:  # changed without a newer date: changed now
        noticed = now.replace(microsecond=0).astimezone(merged.published.tzinfo)
        merged = dataclasses.replace(merged, updated=max(noticed, stored.updated))
    return Outcome("updated", merged, digest)


def _own_update(stored: Article, incoming: Article, url_taken: bool) -> Article:
    """The owner's new version: the stored id; the stored URL when another article holds the
    new one (rule 6); the stored page fields when the page failed this time (rule 7)."""
    kept: dict[str, object] = {"id": stored.id}
    if incoming.url != stored.url and url_taken:
        log.warning("%s: %s moved to %s, which is another article's URL; keeping %s",
                    incoming.source_id, stored.id, incoming.url, stored.url)
        kept["url"] = stored.url
    if incoming.partial:
        kept.update({name: getattr(stored, name) for name in PAGE_FIELDS}, partial=stored.partial)
    return dataclasses.replace(incoming, **kept)  # type: ignore[arg-type]


def _fill_empty(stored: Article, other: Article) -> Article:
    """The owner's article with the fields it lacks taken from another source's copy."""
    filled = {name: getattr(other, name) for name in FILLABLE
              if not getattr(stored, name) and getattr(other, name)}
    return dataclasses.replace(stored, **filled) if filled else stored


def _settle_dates(stored: Article, first_seen: datetime, incoming: Article) -> Article:
    """Keep the stored dates unless the incoming article has a believable date of its own."""
    settled = not stored.dated
    if incoming.dated and not (settled and incoming.published > first_seen):
        return incoming
    return dataclasses.replace(incoming, published=stored.published,
                               updated=max(stored.updated, stored.published),
                               published_is_date=stored.published_is_date, dated=stored.dated)
