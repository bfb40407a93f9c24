"""Helpers shared by the feed renderers."""

from __future__ import annotations

from datetime import datetime, timezone

from feedgen.feed import FeedGenerator

from .. import __version__
from ..config import Site
from .feedset import FeedSpec, newest_change

__all__ = ["base_generator", "EPOCH", "GENERATOR", "guid"]

EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)  # build date of a feed with no items yet
GENERATOR = ("feeds", __version__)


def guid(article_id: str) -> str:
    """The feed-level identity of an article: a URN made from its stored id, forever."""
    return f"urn:uuid:{article_id}"


def base_generator(site: Site, spec: FeedSpec, fmt: str) -> FeedGenerator:
    """A FeedGenerator with the channel-level fields every format shares."""
    fg = FeedGenerator()
    fg.id(site.absolute(spec.path(fmt)))
    fg.title(spec.title)
    fg.description(spec.description)
    fg.subtitle(spec.description)
    fg.link(href=site.absolute(spec.path(fmt)), rel="self")
    fg.link(href=spec.link, rel="alternate")  # last: feedgen's RSS <link> is the last one set
    fg.language(site.language)
    fg.generator(*GENERATOR)
    if site.logo:
        fg.logo(site.logo)
    fg.updated(newest_change(spec.articles, EPOCH))
    return fg
