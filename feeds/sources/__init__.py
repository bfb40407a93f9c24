"""Source kinds. Each module turns fetched bytes into `RawArticle`s; wire shapes stay here.

`KINDS` maps a source kind (as written in sources.yaml) to its `collect` function:
`collect(source, fetcher, now) -> list[RawArticle]`.
"""

from __future__ import annotations

from collections.abc import Callable

from . import feed, html, sitemap

__all__ = ["KINDS"]

KINDS: dict[str, Callable] = {
    "feed": feed.collect,
    "html": html.collect,
    "sitemap": sitemap.collect,
}
