"""Source kinds. Each module turns fetched bytes into `RawArticle`s; wire shapes stay here.

`KINDS` registers each kind (as written in sources.yaml) once: its `collect(source, fetcher,
now) -> list[RawArticle]` and whether its own URL is fetched with a conditional GET. The
options a kind takes are its config schema (`config.KIND_OPTIONS`, checked against this table
at import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..config import KIND_OPTIONS
from . import feed, html, sitemap

__all__ = ["KINDS", "Kind"]


@dataclass(frozen=True)
class Kind:
    collect: Callable
    conditional: bool  # a feed changes in place: 304s save a download; pages and sitemaps no


KINDS: dict[str, Kind] = {
    "feed": Kind(feed.collect, conditional=True),
    "html": Kind(html.collect, conditional=False),
    "sitemap": Kind(sitemap.collect, conditional=False),
}
assert KINDS.keys() == KIND_OPTIONS.keys(), "a source kind needs both its collector and options"
