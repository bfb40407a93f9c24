"""Fetch article pages and extract them; shared by the html, sitemap and feed (full_text) kinds
and by `feeds preview`. One page that fails is logged and skipped, never the whole source.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from ..config import Rule, Source
from ..errors import ExtractError, FeedsError
from ..extract import extract
from ..fetch import Fetcher, SourceFetcher
from ..fetch.charset import decode
from ..model import RawArticle

__all__ = ["fetch_article", "fetch_articles"]

log = logging.getLogger("feeds.sources.page")


def fetch_article(fetcher: Fetcher | SourceFetcher, url: str, source: Source | None = None,
                  rules: Mapping[str, Rule] | None = None, remove: tuple[str, ...] = (),
                  site_names: Iterable[str] = ()) -> RawArticle:
    """Fetch one article page, decode it (source override, HTTP charset, BOM, meta, detection)
    and extract it with `rules` (the generic extractor fills every field without one);
    `site_names` name the site (from its listing pages) and are never taken for a title."""
    fetched = fetcher.get(url)
    text = decode(fetched.body, (source.charset if source else "") or fetched.charset)
    return extract(text, fetched.url, rules, remove, site_names=site_names)


def fetch_articles(source: Source, fetcher: Fetcher, urls: Iterable[str],
                   rules: Mapping[str, Rule] | None = None, remove: tuple[str, ...] = (),
                   site_names: Iterable[str] = ()) -> list[RawArticle]:
    """Every page that could be fetched and extracted; raise only when every one failed."""
    raws: list[RawArticle] = []
    last_error: FeedsError | None = None
    tried = 0
    for url in urls:
        tried += 1
        try:
            raws.append(fetch_article(fetcher, url, source, rules, remove, site_names))
        except FeedsError as e:
            last_error = e
            log.warning("%s: skipped article %s: %s", source.id, url, e)
    if tried and not raws and last_error is not None:
        raise last_error
    if not tried:
        raise ExtractError("no-items", source.url, f"source {source.id}: no article URLs found")
    return raws
