"""Which feeds exist: the whole site and each channel. A `FeedSpec` is all a renderer needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..config import Config
from ..model import Article

__all__ = ["FeedSpec", "feed_specs", "newest_change", "FORMATS"]

# format name -> file name inside a feed's folder
FORMATS = {"rss": "rss.xml", "atom": "atom.xml"}


@dataclass(frozen=True)
class FeedSpec:
    """One logical feed (site or channel); `folder` is its path under output/ ('' for the site)."""

    key: str
    folder: str
    title: str
    description: str
    link: str
    articles: tuple[Article, ...]

    def path(self, fmt: str) -> str:
        return f"{self.folder}{FORMATS[fmt]}"


def feed_specs(config: Config, store) -> list[FeedSpec]:
    """The site feed and one per channel, each with its newest `feeds.limit` articles."""
    site, limit = config.site, config.feeds.limit
    specs = [FeedSpec("site", "", site.title, site.description or site.title, site.home_url,
                      tuple(store.recent(limit)))]
    for channel in config.channels:
        specs.append(FeedSpec(
            f"channel:{channel.id}", f"channels/{channel.id}/",
            f"{site.title} - {channel.title}", channel.description or f"{site.title} {channel.title}",
            site.home_url, tuple(store.recent(limit, channel.id)),
        ))
    return specs


def newest_change(articles: tuple[Article, ...], fallback: datetime) -> datetime:
    """lastBuildDate/updated: the newest item change, never 'now' (fallback for empty feeds)."""
    return max((a.updated for a in articles), default=fallback)
