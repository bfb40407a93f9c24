"""Fetch article pages and extract them; shared by the html, sitemap and feed (full_text) kinds
and by `feeds preview`. One page that fails is logged and skipped, never the whole source.
"""

from __future__ import annotations

import logging
from collections import Counter
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
    fetched_url, text = _fetch_text(fetcher, url, source)
    return extract(text, fetched_url, rules, remove, site_names=site_names)


def _fetch_text(fetcher: Fetcher | SourceFetcher, url: str, source: Source | None
                ) -> tuple[str, str]:
    fetched = fetcher.get(url)
    return fetched.url, decode(fetched.body, (source.charset if source else "") or fetched.charset)


def fetch_articles(source: Source, fetcher: Fetcher, urls: Iterable[str],
                   rules: Mapping[str, Rule] | None = None, remove: tuple[str, ...] = (),
                   site_names: Iterable[str] = ()) -> list[RawArticle]:
    """Every page that could be fetched and extracted; raise only when every one failed.

    A generic title that several pages of the source share is the site's name, not their
    headline (a sitemap source has no listing page to say so): those pages are extracted
    again with it as a site name."""
    raws: list[RawArticle] = []
    texts: list[str] = []
    last_error: FeedsError | None = None
    tried = 0
    for url in urls:
        tried += 1
        try:
            fetched_url, text = _fetch_text(fetcher, url, source)
            raws.append(extract(text, fetched_url, rules, remove, site_names=site_names))
            texts.append(text)
        except FeedsError as e:
            last_error = e
            log.warning("%s: skipped article %s: %s", source.id, url, e)
        except Exception as e:  # a page that trips a bug costs that page only
            last_error = ExtractError("parse-error", url, f"internal error: {e!r}")
            log.warning("%s: skipped article %s: %s", source.id, url, last_error, exc_info=True)
    if tried and not raws and last_error is not None:
        raise last_error
    if not tried:
        raise ExtractError("no-items", source.url, f"source {source.id}: no article URLs found")
    return _without_shared_titles(raws, texts, rules, remove, set(site_names))


SHARED_TITLE = 3  # pages of one source with the same generic title: it names the site


def _without_shared_titles(raws: list[RawArticle], texts: list[str],
                           rules: Mapping[str, Rule] | None, remove: tuple[str, ...],
                           site_names: set[str]) -> list[RawArticle]:
    generic = [r.title for r in raws if not r.provenance.get("title", "").startswith("rule")]
    shared = {t for t, n in Counter(generic).items() if t and n >= SHARED_TITLE}
    if not shared:
        return raws
    names = site_names | shared
    return [extract(text, raw.url, rules, remove, site_names=names) if raw.title in shared
            else raw for raw, text in zip(raws, texts, strict=True)]
