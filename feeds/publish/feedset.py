"""Which feeds exist: the whole site, each channel, and each tag or source the config asks for.

A `FeedSpec` is all a renderer needs: its articles plus the channel-level settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..config import Config
from ..model import Article
from ..store import Store
from .twins import collapse_twins  # one story under two URLs: once per feed

__all__ = ["FeedFormat", "FeedSpec", "categories", "feed_specs", "newest_change"]


@dataclass(frozen=True)
class FeedFormat:
    """A feed format as every output names it; each renderer module declares its own
    (`rss.FORMAT`), and formats.py registers them."""

    name: str  # "rss": the key used in config and code
    file: str  # file name inside a feed's folder
    mime: str
    label: str  # "RSS 2.0": for people choosing a format
    short: str  # "RSS": in <link title="...">
    render: Callable[..., bytes] = field(compare=False, repr=False)


@dataclass(frozen=True)
class FeedSpec:
    """One logical feed; `folder` is its path under output/ ('' for the site feed)."""

    key: str
    folder: str
    title: str
    description: str
    link: str
    articles: tuple[Article, ...]
    channel_titles: dict[str, str] = field(default_factory=dict, compare=False)
    hubs: tuple[str, ...] = ()
    ttl: int = 30
    language: str = ""  # a variant's copy (zh-Hant-TW ...), as the directory lists it
    # article id -> the URLs of its twins this feed leaves out (publish/twins.py)
    also_at: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def path(self, fmt: FeedFormat) -> str:
        return f"{self.folder}{fmt.file}"

    @property
    def page(self) -> str:
        """The feed's own page for people (publish/feedpage.py), beside its files."""
        return f"{self.folder}index.html"

    @property
    def up(self) -> str:
        """From the feed's folder back to output/: '' or '../../' (relative links)."""
        return "../" * self.folder.count("/")


def feed_specs(config: Config, store: Store) -> list[FeedSpec]:
    """The site feed, one per channel, then one per configured tag and source."""
    site, opts = config.site, config.feeds
    limit = opts.limit
    common: dict[str, Any] = {"channel_titles": {c.id: c.title for c in config.channels},
              "hubs": opts.hubs, "ttl": opts.ttl}
    specs = [_collapsed("site", "", site.title, site.description or site.title, site.home_url,
                        store.recent(limit), **common)]
    for channel in config.channels:
        specs.append(_collapsed(
            f"channel:{channel.id}", f"channels/{channel.id}/",
            f"{site.title} - {channel.title}", channel.description or f"{site.title} {channel.title}",
            channel.url or site.home_url, store.recent(limit, channel.id), **common,
        ))
    for tag in opts.tags:
        title = tag.title or tag.tag
        specs.append(_collapsed(
            f"tag:{tag.id}", f"tags/{tag.id}/", f"{site.title} - {title}",
            f"{site.title}: 标签“{tag.tag}”的文章", site.home_url,
            store.recent_tagged(limit, tag.tag), **common,
        ))
    for source_id in opts.sources:
        specs.append(_collapsed(
            f"source:{source_id}", f"sources/{source_id}/", f"{site.title} - {source_id}",
            f"{site.title}: 来自 {source_id} 的文章", site.home_url,
            store.recent_from(limit, source_id), **common,
        ))
    return specs


def _collapsed(key: str, folder: str, title: str, description: str, link: str,
               articles: Iterable[Article], **common: Any) -> FeedSpec:
    """A feed of `articles`, each story once, its twins' URLs kept in `also_at`."""
    kept, also_at = collapse_twins(articles)
    return FeedSpec(key, folder, title, description, link, kept, also_at=also_at, **common)


def categories(spec: FeedSpec, article: Article) -> list[str]:
    """An item's categories: its channel's title (never the ASCII id), then its tags."""
    out = [spec.channel_titles.get(article.channel, article.channel)] if article.channel else []
    return out + [t for t in article.tags if t and t not in out]


def newest_change(articles: tuple[Article, ...], fallback: datetime) -> datetime:
    """lastBuildDate/updated: the newest item change, never 'now' (fallback for empty feeds)."""
    return max((a.updated for a in articles), default=fallback)
