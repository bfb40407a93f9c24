"""The same story under two URLs of one site appears once in a feed.

Portals publish a story twice (a channel copy, a print edition, a mobile path): two URLs, two
stored articles, one story. `collapse` keeps the first of such twins in feed order (the newest)
and drops the others from that feed; both stay stored, in sitemaps and with their share pages,
so nothing is lost and no id changes. Twins must be on one site, carry the same headline,
be published within `WINDOW` of each other and have nearly the same body (character 4-gram
Jaccard similarity of at least `SIMILAR`); two different stories that merely share a headline
(通知, 公告, a weekly column title) have different bodies and stay apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from ..model import Article
from ..normalise import clean_text, html_to_text
from ..urls import same_site

__all__ = ["SIMILAR", "WINDOW", "collapse", "collapse_twins", "twins"]

WINDOW = timedelta(hours=48)
SIMILAR = 0.8
_SAMPLE = 3000  # characters of body compared: enough to tell stories apart, cheap to shingle


def _grams(article: Article) -> frozenset[str]:
    text = "".join(clean_text(html_to_text(article.content_html or article.summary)).split())
    text = text[:_SAMPLE]
    return frozenset(text[i:i + 4] for i in range(max(1, len(text) - 3)))


def twins(a: Article, b: Article, grams: dict[str, frozenset[str]] | None = None) -> bool:
    """True when `a` and `b` are one story under two URLs of one site."""
    if a.url == b.url or not same_site(a.url, b.url):
        return False
    if clean_text(a.title).casefold() != clean_text(b.title).casefold():
        return False
    if abs(a.published - b.published) > WINDOW:
        return False
    grams = grams if grams is not None else {}
    ga = grams.setdefault(a.id, _grams(a))
    gb = grams.setdefault(b.id, _grams(b))
    if not ga or not gb:
        return False
    return len(ga & gb) / len(ga | gb) >= SIMILAR


def collapse(articles: Iterable[Article]) -> tuple[Article, ...]:
    """`articles` in order, without the later twins of an earlier article."""
    return collapse_twins(articles)[0]


def collapse_twins(articles: Iterable[Article]
                   ) -> tuple[tuple[Article, ...], dict[str, tuple[str, ...]]]:
    """As `collapse`, and for each kept article with twins (by id) the twins' URLs in feed
    order: the feeds name them (Atom rel="related", JSON Feed `_feeds.also_at`)."""
    kept: list[Article] = []
    by_title: dict[str, list[Article]] = {}
    grams: dict[str, frozenset[str]] = {}
    also_at: dict[str, list[str]] = {}
    for article in articles:
        title = clean_text(article.title).casefold()
        first = next((other for other in by_title.get(title, ()) if twins(other, article, grams)),
                     None)
        if first is not None:
            also_at.setdefault(first.id, []).append(article.url)
            continue
        by_title.setdefault(title, []).append(article)
        kept.append(article)
    return tuple(kept), {key: tuple(urls) for key, urls in also_at.items()}
