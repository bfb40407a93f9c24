"""The parsers a hostile source feeds, as fuzz targets: raw bytes in, and nothing may escape
but the ExtractError a source kind raises on purpose. Every raw article a target yields is
normalised too (an UnusableItem is the URL policy skipping it, which is fine).

Seeds are the fixture files in tests/data; crashes found by `make fuzz` are kept as fixed
regression inputs in tests/data/fuzz/<target>/ and replayed by every `make test`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from feeds import config
from feeds.errors import ConfigError, ExtractError
from feeds.extract import extract
from feeds.fetch import Fetched
from feeds.fetch.charset import decode
from feeds.model import RawArticle
from feeds.normalise import Context, UnusableItem, normalise
from feeds.sources import feed, sitemap

__all__ = ["REGRESSIONS", "SEEDS", "TARGETS"]

DATA = Path(__file__).parent / "data"
REGRESSIONS = DATA / "fuzz"
CTX = Context("fuzz", "news", ZoneInfo("Asia/Shanghai"), datetime(2026, 11, 27, tzinfo=UTC))
URL = "http://www.example.cn/dir/page.html"


def _normalised(raws: list[RawArticle]) -> None:
    for raw in raws:
        try:
            normalise(raw, CTX)
        except UnusableItem:
            pass


def feed_target(body: bytes) -> None:
    try:
        raws = feed.parse(Fetched(URL, 200, body, {"content-type": "application/xml"}))
    except ExtractError:
        return
    _normalised(raws)


def html_target(body: bytes) -> None:
    try:
        raw = extract(decode(body, ""), URL, fallback=False)
    except ExtractError:
        return
    _normalised([raw])


def sitemap_target(body: bytes) -> None:
    try:
        entries = sitemap.parse_sitemap(body, URL)
    except ExtractError:
        return
    for entry in entries:
        assert entry.loc.startswith(("http://", "https://")), entry.loc


def config_target(body: bytes) -> None:
    """Whatever a sources.yaml holds: a Config or a ConfigError of one-line problems."""
    try:
        config.loads(body.decode("utf-8", "replace"), DATA / "fuzz" / "sources.yaml")
    except ConfigError as e:
        assert e.problems and all("\n" not in p for p in e.problems), e.problems


TARGETS: dict[str, Callable[[bytes], None]] = {
    "feed": feed_target, "html": html_target, "sitemap": sitemap_target,
    "config": config_target}

SEEDS: dict[str, list[bytes]] = {
    "feed": [p.read_bytes() for p in sorted((DATA / "feeds").iterdir())],
    "html": [p.read_bytes() for p in sorted((DATA / "pages").glob("*.html"))],
    "sitemap": [
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>/a/1.html</loc><lastmod>2026-11-25</lastmod><news:news xmlns:news="
        b'"http://www.google.com/schemas/sitemap-news/0.9"><news:publication_date>2026-11-25'
        b"</news:publication_date><news:title>t</news:title></news:news></url></urlset>",
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>'
        b"http://www.example.cn/s1.xml</loc></sitemap></sitemapindex>",
        b"http://www.example.cn/a.html\nhttps://www.example.cn/b.html\n",
    ],
    "config": [(DATA.parent.parent / "sources.yaml").read_bytes(),
               (DATA / "golden-sources.yaml").read_bytes()],
}
