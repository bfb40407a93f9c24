"""`feeds discover URL`: what a site offers and a ready `sources:` entry for each finding.

    announced.py  feeds announced by <link rel=alternate>, usual feed paths, sitemaps
    listing.py    a listing page's repeated block of article links, its pagination
    entry.py      a finding as YAML; inserting it into sources.yaml, layout kept

Everything is fetched through the fetcher it is given (the runtime's: robots.txt, per-host
politeness, the address guard), and articles are previewed by the generic extractor with
the field provenance `feeds preview` shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..config import Config, HtmlOptions, Source
from ..errors import FeedsError
from ..extract import parse_html
from ..fetch import Fetcher
from ..fetch.charset import decode
from ..preview import preview
from .announced import (
    FEED_PATHS,
    Offer,
    announced_feeds,
    describe_feed,
    describe_sitemap,
    linked_feeds,
    sitemap_urls,
)
from .entry import insert_entry, source_id, to_yaml
from .listing import find_listings, pagination

__all__ = ["Finding", "discover", "insert_entry", "to_yaml"]

log = logging.getLogger("feeds.discover")

PREVIEWS = 3


@dataclass
class Finding:
    """Something the site offers, with the `sources:` entry that would collect it."""

    kind: str  # feed | sitemap | html
    url: str
    summary: str  # one line for people
    entry: dict[str, Any]
    details: list[str] = field(default_factory=list)


def discover(config: Config, url: str, fetcher: Fetcher, now: datetime,
             extra: dict[str, Any] | None = None) -> list[Finding]:
    """Every feed, sitemap and article listing found from `url`, best first; `extra` keys
    (allow_private ...) go into every entry."""
    taken = {s.id for s in config.sources}
    page = fetcher.get(url)
    tz = config.site.tz
    itself = describe_feed(fetcher, page.url, "the URL itself", tz, now)
    offers = [itself] if itself else []
    root = None
    if itself is None:
        root = parse_html(decode(page.body, page.charset), page.url)
        offers += [o for u, title in announced_feeds(root, page.url)
                   if (o := describe_feed(fetcher, u, "announced by <link rel=alternate>", tz,
                                          now, title))]
        offers += [o for u in linked_feeds(root, page.url) if u not in {x.url for x in offers}
                   and (o := describe_feed(fetcher, u, "linked from the page", tz, now))]
        offers += _usual_feeds(fetcher, page.url, {o.url for o in offers}, tz, now)
    offers += [o for u, how in sitemap_urls(fetcher, page.url)
               if (o := describe_sitemap(fetcher, u, how, tz, now))]
    findings = [_offer_finding(o, taken, extra or {}) for o in offers]
    if root is not None:
        findings += _listing_findings(config, fetcher, root, page.url, now, taken, extra or {})
    return findings


def _usual_feeds(fetcher: Fetcher, page_url: str, known: set[str], tz, now: datetime
                 ) -> list[Offer]:
    from urllib.parse import urlsplit

    parts = urlsplit(page_url)
    root = f"{parts.scheme}://{parts.netloc}"
    out = []
    for path in FEED_PATHS:
        offer = describe_feed(fetcher, root + path, "usual feed path", tz, now)
        if offer and offer.url not in known:
            known.add(offer.url)
            out.append(offer)
    return out


def _offer_finding(offer: Offer, taken: set[str], extra: dict[str, Any]) -> Finding:
    sid = source_id(offer.url, offer.kind, taken)
    taken.add(sid)
    entry: dict[str, Any] = {"id": sid, "kind": offer.kind, "url": offer.url, **extra}
    newest = offer.newest.isoformat(timespec="minutes") if offer.newest else "no dates"
    what = "child sitemaps" if offer.index else ("URLs" if offer.kind == "sitemap" else "items")
    title = f" “{offer.title}”" if offer.title else ""
    return Finding(offer.kind, offer.url, f"{offer.kind}{title}: {offer.items} {what}, newest "
                   f"{newest} ({offer.how})", entry)


def _listing_findings(config: Config, fetcher: Fetcher, root, page_url: str, now: datetime,
                      taken: set[str], extra: dict[str, Any]) -> list[Finding]:
    next_url, template = pagination(root, page_url)
    out = []
    listings = find_listings(root, page_url)
    for listing in listings:
        # several lists on one page (a home page's channel blocks): name each by its links
        sid = source_id(page_url, "html", taken,
                        listing.links[0] if len(listings) > 1 else "")
        entry: dict[str, Any] = {"id": sid, "kind": "html", "url": page_url,
                                 "links": listing.css, "link_pattern": listing.pattern}
        if template:
            entry["page_template"] = template
        if next_url:
            entry["max_pages"] = 3
        entry.update(extra)
        details = [f"links: {listing.css}   link_pattern: {listing.pattern}",
                   f"next page: {next_url or 'none found'}"
                   + (f" (page_template {template})" if template else
                      " (followed by the generic 下一页/next rule)" if next_url else "")]
        previews = _previews(config, fetcher, entry, listing.links[:PREVIEWS], now)
        good = sum(1 for line in previews if not line.startswith("  !"))
        if good == 0:
            continue  # the links do not lead to article pages
        taken.add(sid)
        out.append(Finding("html", page_url, f"listing: {listing.block}, "
                           f"{good}/{len(previews)} previewed as articles", entry,
                           details + previews))
    return out


def _previews(config: Config, fetcher: Fetcher, entry: dict[str, Any], urls: tuple[str, ...],
              now: datetime) -> list[str]:
    """Each link through the generic extractor: title, date, body size, with provenance."""
    source = Source(id=entry["id"], kind="html", url=entry["url"],
                    allow_private=bool(entry.get("allow_private")),
                    options=HtmlOptions(links=entry["links"]))
    lines = []
    for i, url in enumerate(urls, 1):
        try:
            article, raw = preview(config, url, source, fetcher, now)
        except FeedsError as e:
            lines.append(f"  ! {i}. {url}: {e}")
            continue
        how = raw.provenance
        body = len(" ".join(article.content_html.split()))
        if not article.title or body < 60:
            lines.append(f"  ! {i}. {url}: not an article page (title {article.title!r}, "
                         f"body {body} characters)")
            continue
        lines.append(f"  {i}. {article.title}  [{how.get('title', 'default')}]\n"
                     f"     {article.published.isoformat(timespec='minutes')}  "
                     f"[{how.get('published', 'first seen')}]   body {body} characters  "
                     f"[{how.get('body', 'default')}]\n     {url}")
    return lines
