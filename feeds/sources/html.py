"""Source kind `html`: listing pages -> article links (with pagination) -> article pages.

Links come from the `links` selector (an <a> or a container of them) or, without one, from every
link that looks like an article (a long anchor text, a path with digits or .html). Pagination
follows `next_page` (or a generic 下一页/next link) or a `page_template` such as `index_{n}.html`,
up to `max_pages` listing pages per listing URL.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree

from ..config import HtmlOptions, Source
from ..errors import ExtractError
from ..extract import parse_html, select, site_texts
from ..fetch import Fetcher
from ..fetch.charset import decode
from ..model import RawArticle
from ..urls import absolute, clean_url, fetchable_link
from .page import fetch_articles

__all__ = ["collect", "discover", "listing_links", "next_page"]

log = logging.getLogger("feeds.sources.html")

_NEXT_TEXT = re.compile(r"^\s*(?:下一页|下页|后一页|next|next page|›|»|>)\s*$", re.I)
_ARTICLE_PATH = re.compile(r"\d{3,}|\.s?html?$|/(?:article|content|detail|news|post)s?/", re.I)


def collect(source: Source, fetcher: Fetcher, now: datetime) -> list[RawArticle]:
    """Discover the source's article links and return each article page extracted."""
    opts: HtmlOptions = source.options
    site_names: set[str] = set()  # what the listing pages call the site: never a headline
    links = discover(source, fetcher, site_names)
    if not links:  # the page came back but its list did not: a layout change, not a failure
        what = f"`{opts.links}` matched no article link" if opts.links else "no article link"
        raise ExtractError("no-items", source.url, f"{what} on the listing page "
                           "(published items are kept)")
    return fetch_articles(source, fetcher, links[: opts.max_articles], opts.rules, opts.remove,
                          frozenset(site_names))


def discover(source: Source, fetcher: Fetcher, site_names: set[str] | None = None
             ) -> list[str]:
    """Article URLs from every listing page, in listing order, without duplicates; the texts
    naming the site on those pages are added to `site_names` when given."""
    opts: HtmlOptions = source.options
    found: dict[str, None] = {}
    for listing in (source.url, *opts.urls):
        for page_url, root in _listing_pages(source, fetcher, absolute(source.url, listing)):
            if site_names is not None:
                site_names.update(site_texts(root))
            for link in listing_links(root, page_url, opts):
                found.setdefault(link, None)
    return list(found)


def _listing_pages(source: Source, fetcher: Fetcher, first: str):
    """(url, parsed page) of each listing page; later pages that fail end the walk."""
    opts: HtmlOptions = source.options
    url: str | None = first
    seen: set[str] = set()
    for n in range(1, opts.max_pages + 1):
        if opts.page_template and n > 1:
            url = fetchable_link(opts.page_template.replace("{n}", str(n)), first)
        if not url or url in seen:
            return
        seen.add(url)
        try:
            fetched = fetcher.get(url)
            root = parse_html(decode(fetched.body, source.charset or fetched.charset), fetched.url)
            following = None if opts.page_template else next_page(root, fetched.url, opts.next_page)
        except Exception as e:  # page 1 is the source; a later page costs only the rest
            if n == 1:
                raise
            log.warning("%s: listing page %s failed: %s", source.id, url, e)
            return
        yield fetched.url, root
        if not opts.page_template:
            url = following


def listing_links(root: etree._Element, page_url: str, opts: HtmlOptions) -> list[str]:
    """Article links of one listing page (absolute, tracking parameters removed)."""
    if opts.links:
        anchors: list[etree._Element] = []
        for el in select(root, opts.links):
            anchors.extend([el] if el.tag == "a" else el.iter("a"))
    else:
        anchors = [a for a in root.iter("a") if _looks_like_article(a, page_url)]
        # links into the listing's own section beat site-wide ones (nav, footer, hot lists)
        folder = urlsplit(page_url).path.rsplit("/", 1)[0] + "/"
        own = [a for a in anchors
               if urlsplit(absolute(page_url, a.get("href") or "")).path.startswith(folder)]
        anchors = own or anchors
    out = []
    for a in anchors:
        href = (a.get("href") or "").strip()
        url = fetchable_link(href, page_url) if href and not href.startswith("#") else ""
        if not url:  # javascript:, mailto:, data:, unparseable, a file: link from the web
            continue
        if opts.link_pattern and not re.search(opts.link_pattern, url):
            continue
        if url != clean_url(page_url):
            out.append(url)
    return out


def _looks_like_article(a: etree._Element, page_url: str) -> bool:
    text = " ".join(a.text_content().split())
    url = absolute(page_url, a.get("href") or "")
    same_site = urlsplit(url).netloc == urlsplit(page_url).netloc
    return same_site and len(text) >= 6 and bool(_ARTICLE_PATH.search(urlsplit(url).path))


def next_page(root: etree._Element, page_url: str, selector: str = "") -> str | None:
    """The next listing page: the `next_page` selector's link, else a 下一页/next/rel=next link."""
    if selector:
        matches = select(root, selector)
        anchors = [a for el in matches for a in ([el] if el.tag == "a" else el.iter("a"))]
    else:
        anchors = [a for a in root.iter("a")
                   if (a.get("rel") or "").lower() == "next" or _NEXT_TEXT.match(a.text_content())]
    for a in anchors:
        href = (a.get("href") or "").strip()
        url = fetchable_link(href, page_url) if href and not href.startswith("#") else ""
        if url:
            return url
    return None
