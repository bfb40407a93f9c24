"""`full_text: true` for feed sources: fetch each entry's page and take its extracted body.

The feed stays the authority for identity (guid), title and dates; the page supplies the full
body and whatever the entry lacked (image, authors, tags, 来源, 责任编辑). A page that fails keeps
the entry as the feed gave it, marked `partial`: the store then keeps the body and page fields
it already holds (a transient failure is no edit), and the pipeline does not save the feed's
validators, so the next run reads the feed again and retries the page.
"""

from __future__ import annotations

import dataclasses
import logging

from ..config import Source
from ..errors import FeedsError
from ..fetch import Fetcher
from ..model import RawArticle
from ..normalise import html_to_text
from .page import fetch_article

__all__ = ["with_full_text", "merge"]

log = logging.getLogger("feeds.sources.full_text")


def with_full_text(source: Source, fetcher: Fetcher, raws: list[RawArticle]) -> list[RawArticle]:
    out = []
    for raw in raws:
        if not raw.url.startswith(("http://", "https://", "file:")):
            out.append(raw)
            continue
        try:
            page = fetch_article(fetcher, raw.url, source, source.options.rules,
                                 source.options.remove)
            out.append(merge(raw, page))
        except Exception as e:  # FeedsError or a page that trips a bug: that page only
            log.warning("%s: full text of %s unavailable, keeping the feed's: %s", source.id,
                        raw.url, e, exc_info=not isinstance(e, FeedsError))
            out.append(dataclasses.replace(raw, partial=True))
    return out


def merge(entry: RawArticle, page: RawArticle) -> RawArticle:
    """The feed entry with the page's body (when longer) and the page's extra fields."""
    longer = len(html_to_text(page.content_html)) > len(html_to_text(entry.content_html))
    return dataclasses.replace(
        entry,
        summary=entry.summary or page.summary or (entry.content_html if longer else ""),
        content_html=page.content_html if longer else entry.content_html,
        authors=entry.authors or page.authors, editor=entry.editor or page.editor,
        origin=entry.origin or page.origin, tags=entry.tags or page.tags,
        image=entry.image or page.image, language=entry.language or page.language,
        published=entry.published or page.published,
        provenance={**page.provenance, "title": "feed entry", "published": "feed entry",
                    "body": f"full text: {page.provenance.get('body', '?')}"} if longer
        else entry.provenance,
    )
