"""Sitemap XML (https://www.sitemaps.org/protocol.html), rendered as streams of bytes.

Pure functions, no I/O. Shards of up to 50,000 URLs are streamed rather than built as trees:
a million-URL sitemap set as lxml trees costs 4 s and 500+ MB, a stream about 1 s and a flat
few MB. The markup is fixed and tiny, every text value goes through `escape`, and every shape
below is validated against the sitemaps.org/Google XSDs in tests/test_sitemaps.py.
Order inside <url> follows the XSD: loc, lastmod, then extensions (image, news).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from . import markup

__all__ = [
    "BAIDU_MAX_BYTES",
    "MAX_BYTES",
    "MAX_LOC",
    "MAX_URLS",
    "SITEMAP_XSL",
    "URLSET_TAIL",
    "Cut",
    "Tally",
    "article_shards",
    "escape",
    "news_entry",
    "render_index",
    "render_urlset",
    "url_entry",
    "urlset_head",
]

MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024  # uncompressed, per sitemaps.org
BAIDU_MAX_BYTES = 10 * 1024 * 1024  # Baidu 搜索资源平台: 10 MB per file
MAX_LOC = 2048  # the XSD's maxLength for <loc>
SITEMAP_XSL = "style/sitemap.xsl"

NS = ('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
      'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" '
      'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"')
URLSET_TAIL = b"</urlset>\n"
_BATCH = 2000  # entries joined per yielded chunk: few, large writes


def escape(text: str) -> str:
    """Entity-escape the five characters sitemaps.org lists (&, ', ", <, >)."""
    return markup.escape(text, "&apos;")


def _prolog(stylesheet: str) -> str:
    pi = f'<?xml-stylesheet type="text/xsl" href="{escape(stylesheet)}"?>\n' if stylesheet else ""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + pi


def urlset_head(stylesheet: str) -> bytes:
    return (_prolog(stylesheet) + f"<urlset {NS}>\n").encode("utf-8")


def url_entry(loc: str, lastmod: str = "", image: str | None = None,
              changefreq: str = "", priority: str = "") -> str:
    """One <url>; `lastmod` is already W3C date-time text (YYYY-MM-DDThh:mm:ssZ)."""
    parts = ["<url><loc>", escape(loc), "</loc>"]
    if lastmod:
        parts += ["<lastmod>", lastmod, "</lastmod>"]
    if changefreq:
        parts += ["<changefreq>", changefreq, "</changefreq>"]
    if priority:
        parts += ["<priority>", priority, "</priority>"]
    if image:
        parts += ["<image:image><image:loc>", escape(image), "</image:loc></image:image>"]
    parts.append("</url>\n")
    return "".join(parts)


def news_entry(loc: str, name: str, language: str, published: str, title: str) -> str:
    """One Google News <url> (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap)."""
    return (f"<url><loc>{escape(loc)}</loc><news:news><news:publication>"
            f"<news:name>{escape(name)}</news:name><news:language>{language}</news:language>"
            f"</news:publication><news:publication_date>{published}</news:publication_date>"
            f"<news:title>{escape(title)}</news:title></news:news></url>\n")


@dataclass(frozen=True)
class Cut:
    """End of one shard: how many URLs it holds and its newest lastmod."""

    count: int
    lastmod: str


@dataclass
class Tally:
    """What `article_shards` learns besides the XML: rows seen (every host) and, per channel,
    the newest `updated` (the lastmod of the channel pages)."""

    channels: dict[str, str] = field(default_factory=dict)
    rows: int = 0


def article_shards(rows: Iterable[tuple[str, ...]], head: bytes, prefix: str, images: bool,
                   tally: Tally, max_urls: int = MAX_URLS,
                   max_bytes: int = MAX_BYTES) -> Iterator[bytes | Cut]:
    """Stream store rows (url, published, updated, channel, image url) as article shards:
    bytes chunks, each shard closed by a Cut.

    Only URLs under `prefix` are listed (the sitemaps.org same-host rule; partner hosts are
    left out). A shard ends before it would exceed `max_urls` URLs or `max_bytes` bytes (head
    and tail included). Nothing is yielded for no URLs: an empty urlset is invalid.
    """
    room = max_bytes - len(head) - len(URLSET_TAIL)
    channels = tally.channels
    batch: list[str] = []
    count = size = seen = 0
    newest = ""
    # The hot loop of a full publish: it runs once per article, a million times. So each
    # <url> line is formatted right here, in one f-string, rather than through url_entry()
    # and a generator per row: those calls cost more than the XML writing itself
    # (benchmarks/publish_1m.py). The lines are byte-identical to url_entry()'s (tested).
    for url, _published, updated, channel, image in rows:
        seen += 1
        if updated > channels.get(channel, ""):
            channels[channel] = updated
        if not url.startswith(prefix) or len(url) > MAX_LOC:
            continue
        if image and images and image.startswith(("http://", "https://")):
            line = (f"<url><loc>{escape(url)}</loc><lastmod>{updated}</lastmod><image:image>"
                    f"<image:loc>{escape(image)}</image:loc></image:image></url>\n")
        else:
            line = f"<url><loc>{escape(url)}</loc><lastmod>{updated}</lastmod></url>\n"
        n = len(line) if line.isascii() else len(line.encode("utf-8"))
        if count and (count >= max_urls or size + n > room):
            yield from _flush(batch, count == len(batch), head)
            yield URLSET_TAIL
            yield Cut(count, newest)
            batch, count, size, newest = [], 0, 0, ""
        if n > room:
            continue  # a single entry larger than a whole file cannot be published
        batch.append(line)
        count += 1
        size += n
        newest = max(newest, updated)
        if len(batch) >= _BATCH:
            yield from _flush(batch, count == len(batch), head)
            batch = []
    tally.rows += seen
    if count:
        yield from _flush(batch, count == len(batch), head)
        yield URLSET_TAIL
        yield Cut(count, newest)


def _flush(batch: list[str], first: bool, head: bytes) -> Iterator[bytes]:
    if first:
        yield head
    if batch:
        yield "".join(batch).encode("utf-8")


def render_urlset(entries: Iterable[str], stylesheet: str) -> bytes:
    """A small complete urlset (pages, news) from entry strings; b'' when there are none."""
    body = "".join(entries)
    if not body:
        return b""
    return urlset_head(stylesheet) + body.encode("utf-8") + URLSET_TAIL


def render_index(shards: Iterable[tuple[str, str]], stylesheet: str) -> bytes:
    """The <sitemapindex> over (absolute shard URL, lastmod) pairs."""
    rows = "".join(
        f"<sitemap><loc>{escape(loc)}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
        + "</sitemap>\n" for loc, lastmod in shards)
    return (_prolog(stylesheet)
            + '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + rows + "</sitemapindex>\n").encode("utf-8")
