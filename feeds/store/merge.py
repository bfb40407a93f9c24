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
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from ..model import Article
from ..normalise import content_hash

__all__ = ["Outcome", "first_sight", "merge", "FILLABLE"]

# Fields another source may fill when the owner left them empty (rule 2).
FILLABLE = ("summary", "content_html", "authors", "editor", "origin", "tags", "image")


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
          now: datetime) -> Outcome:
    """Apply the rules above to `incoming` against `stored` (first stored at `first_seen`)."""
    if stored.source_id and incoming.source_id != stored.source_id:
        merged = _fill_empty(stored, incoming)
    else:
        merged = _settle_dates(stored, first_seen,
                               dataclasses.replace(incoming, id=stored.id))
    digest = content_hash(merged)
    if digest == stored_digest:
        return Outcome("unchanged", stored, stored_digest)
    if merged.updated <= stored.updated:  # changed without a newer date: changed now
        noticed = now.replace(microsecond=0).astimezone(merged.published.tzinfo)
        merged = dataclasses.replace(merged, updated=max(noticed, stored.updated))
    return Outcome("updated", merged, digest)


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
