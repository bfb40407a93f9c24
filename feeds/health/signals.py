"""A poll's health signals, measured from what the source offered (pure, no store, no clock).

A field counts as filled only when it is really filled: whitespace is empty, and so is a value
that every item of the poll shares (a site name as every title, one login notice as every body),
since no real source gives every article the same title or the same text.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..model import Article, RawArticle
from ..normalise import html_to_text

__all__ = ["FIELDS", "RULE_FIELDS", "PollSignals", "measure", "url_shape", "item_values"]

# The fields whose fill rate is watched, and the sources.yaml rule that fills each.
FIELDS = ("title", "link", "date", "body", "image", "origin", "author")
RULE_FIELDS = {"title": "title", "published": "date", "body": "body", "image": "image",
               "origin": "origin", "authors": "author"}
MIN_ITEMS_FOR_REPEATS = 3  # with fewer items, two equal values say nothing about the layout
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class PollSignals:
    """What one poll looked like; `values` are the numbers baselines are learned from."""

    offered: int
    values: dict[str, float]  # "offered", "fill.<field>", "body.median", "body.low", "rule.<f>"
    rule_css: dict[str, str] = field(default_factory=dict)  # rule field -> its selector
    rule_hits: dict[str, int] = field(default_factory=dict)  # rule field -> items it matched
    shapes: dict[str, int] = field(default_factory=dict)  # URL shape -> links of that shape
    repeated: dict[str, str] = field(default_factory=dict)  # field -> the value every item had


def url_shape(url: str) -> str:
    """The URL's pattern: host and path with every run of digits as 0 (…/2023/0715/1201.html
    -> …/0/0/0.html), so articles of one section share a shape and a login page does not."""
    parts = urlsplit(url)
    return parts.netloc.lower() + _DIGITS.sub("0", parts.path.rstrip("/"))


def item_values(raw: RawArticle, article: Article) -> dict[str, str]:
    """Each watched field of one item as comparable text ('' when the source gave nothing)."""
    return {
        "title": " ".join(raw.title.split()),
        "link": article.url if raw.url.strip() else "",
        "date": _date_text(raw, article),
        "body": " ".join(html_to_text(article.content_html).split()),
        "image": article.image.url if article.image else "",
        "origin": article.origin.strip(),
        "author": ",".join(a.strip() for a in article.authors if a.strip()),
    }


def measure(raws: Sequence[RawArticle], articles: Sequence[Article],
            rules: dict[str, str] | None = None, usual_shapes: frozenset[str] = frozenset(),
            ) -> PollSignals:
    """The signals of one poll: `raws[i]` is what became `articles[i]`; `rules` maps each
    configured rule field to its CSS selector; `usual_shapes` are the baseline's URL shapes."""
    items = [item_values(r, a) for r, a in zip(raws, articles)]
    n = len(items)
    values: dict[str, float] = {"offered": float(n)}
    repeated: dict[str, str] = {}
    for name in FIELDS:
        column = [item[name] for item in items]
        values[f"fill.{name}"] = _fill_rate(column)
        if _all_same(column):
            repeated[name] = column[0]
    bodies = [len(item["body"]) for item in items if item["body"]]
    values["body.median"] = float(statistics.median(bodies)) if bodies else 0.0
    values["body.low"] = _low_percentile(bodies)
    shapes: dict[str, int] = {}
    for article in articles:
        shape = url_shape(article.url)
        shapes[shape] = shapes.get(shape, 0) + 1
    if usual_shapes and n:
        values["links.usual"] = sum(c for s, c in shapes.items() if s in usual_shapes) / n
    css = {f: rule for f, rule in (rules or {}).items() if f in RULE_FIELDS}
    hits = {f: sum(1 for r in raws if r.provenance.get(f, "") == f"rule {c}")
            for f, c in css.items()}
    for f, count in hits.items():
        values[f"rule.{f}"] = count / n if n else 0.0
    return PollSignals(n, values, css, hits, shapes, repeated)


def _date_text(raw: RawArticle, article: Article) -> str:
    """The item's date; a date without a time keeps its URL beside it, since a day's
    articles legitimately share one date (a time shared by all still counts as repeated)."""
    if not (raw.published and article.dated):
        return ""
    text = article.published.isoformat()
    return f"{text} {article.url}" if article.published_is_date else text


def _fill_rate(values: list[str]) -> float:
    """The share of items whose value is really there (see the module docstring)."""
    if not values:
        return 0.0
    if _all_same(values):
        return 0.0
    return sum(1 for v in values if v.strip()) / len(values)


def _all_same(values: list[str]) -> bool:
    """Every item (at least MIN_ITEMS_FOR_REPEATS of them) has one and the same value."""
    return len(values) >= MIN_ITEMS_FOR_REPEATS and bool(values[0].strip()) \
        and all(v == values[0] for v in values)


def _low_percentile(lengths: list[int], share: float = 0.1) -> float:
    """The body length below which the shortest `share` of the bodies fall."""
    if not lengths:
        return 0.0
    ordered = sorted(lengths)
    return float(ordered[min(len(ordered) - 1, int(share * len(ordered)))])
