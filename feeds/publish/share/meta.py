"""What is shared of an article: one `ShareMeta` built by a pure function, then viewed as
Open Graph, X card, schema.org JSON-LD, microdata and the WeChat JS-SDK payload.

Limits (characters): titles 100 (Weibo/QQ cards show about 30, X counts CJK twice: 100 CJK
plus a 23-character URL fit in 280); X title 70 and description 200 (X's documented limits);
the JSON-LD headline is the title (Google's validators warn above 110); descriptions 160 (the
classic meta description length; cards show less); the page's lead 200; WeChat's desc 120 (its
card shows about 3 lines); share links carry 80 (QQ's card shows two lines). The description
is repeated by every consumer's tag (meta, og, itemprop) in the page and the head fragment,
so its length weighs six times on the bytes of every article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from functools import cached_property
from typing import Any

from ...config import Site
from ...model import Article, Channel, Image
from ...normalise import clean_text
from ..formats import FORMATS
from .links import ShareText, share_links
from .text import absolute_url, cut, first_content_image, plain_text

__all__ = [
    "LIMITS",
    "FeedLink",
    "ShareMeta",
    "build_meta",
    "feed_links",
    "feed_pages",
    "json_ld",
    "open_graph",
    "twitter",
    "wechat",
]

LIMITS = {"title": 100, "twitter_title": 70, "twitter_description": 200,
          "description": 160, "lead": 200, "wechat_desc": 120, "link_description": 80,
          "image_alt": 420}
LARGE_CARD_MIN = (300, 157)  # X's minimum for summary_large_image


@dataclass(frozen=True)
class FeedLink:
    """A feed for autodiscovery: <link rel="alternate" type=... title=... href=...>."""

    title: str
    type: str
    href: str


@dataclass(frozen=True)
class ShareMeta:
    """Everything the share outputs say about one article, already cut and made absolute."""

    id: str
    url: str
    page_url: str
    title: str
    description: str
    lead: str
    image: Image | None
    image_is_own: bool  # the article's own image, not the site logo
    site_name: str
    site_url: str
    logo: str
    locale: str
    language: str
    published: str
    modified: str
    date_only: bool
    section: str
    tags: tuple[str, ...]
    origin: str
    authors: tuple[str, ...]
    feeds: tuple[FeedLink, ...]
    links: dict[str, str] = field(default_factory=dict)
    pages: tuple[tuple[str, str], ...] = ()  # (feed's own page under output/, its title)

    @cached_property
    def image_alt(self) -> str:
        alt = self.image.alt if self.image and self.image.alt else self.title
        return cut(alt, LIMITS["image_alt"], at_sentence=False)

    @cached_property
    def card(self) -> str:
        """X card type: the large image card only for an article's own, big enough image."""
        if not self.image or not self.image_is_own:
            return "summary"
        w, h = self.image.width, self.image.height
        too_small = (w is not None and w < LARGE_CARD_MIN[0]) or (
            h is not None and h < LARGE_CARD_MIN[1])
        return "summary" if too_small else "summary_large_image"


def feed_links(site: Site, channel: Channel | None) -> tuple[FeedLink, ...]:
    """The site's feeds, then the article's channel feeds, in every published format."""
    folders = [("", site.title)]
    if channel:
        folders.append((f"channels/{channel.id}/", f"{site.title} - {channel.title}"))
    return tuple(FeedLink(f"{title} ({fmt.short})", fmt.mime, site.absolute(folder + fmt.file))
                 for folder, title in folders for fmt in FORMATS.values())


def feed_pages(site: Site, channel: Channel | None) -> tuple[tuple[str, str], ...]:
    """The feeds' own pages (publish/feedpage.py): the site's, then the article's channel's."""
    pages = [("index.html", site.title)]
    if channel:
        pages.append((f"channels/{channel.id}/index.html", f"{site.title} - {channel.title}"))
    return tuple(pages)


def build_meta(site: Site, channel: Channel | None, article: Article, page_url: str,
               feeds: tuple[FeedLink, ...] = (),
               pages: tuple[tuple[str, str], ...] | None = None) -> ShareMeta:
    """The share metadata of `article`; pure (dates shown in the site's zone)."""
    # title and summary are plain text already (normalise): a literal '<' in them is text
    title = cut(clean_text(article.title) or article.url, LIMITS["title"], at_sentence=False)
    text = clean_text(article.summary) or plain_text(_opening(article.content_html))
    description = cut(text, LIMITS["description"])
    logo = absolute_url(site.logo, site.home_url)
    image, own = _pick_image(article, logo)
    links = share_links(ShareText(article.url, title, cut(text, LIMITS["link_description"]),
                                  image.url if image else ""))
    return ShareMeta(
        id=article.id, url=article.url, page_url=page_url, title=title,
        description=description, lead=cut(text, LIMITS["lead"]), image=image, image_is_own=own,
        site_name=site.title, site_url=site.home_url, logo=logo, locale=_locale(site.language),
        language=article.language or site.language,
        published=_iso(article.published, site.tz), modified=_iso(article.updated, site.tz),
        date_only=article.published_is_date,
        section=channel.title if channel else article.channel, tags=article.tags,
        origin=clean_text(article.origin), authors=article.authors, feeds=feeds, links=links,
        pages=feed_pages(site, channel) if pages is None else pages,
    )


def _opening(content_html: str, room: int = 4000) -> str:
    """The start of the content, enough for a description and a lead (200 characters), cut
    after a tag's end so no half tag shows as text: long bodies are not read whole."""
    if len(content_html) <= room:
        return content_html
    head = content_html[:room]
    end = head.rfind(">")
    return head if end < 0 else head[:end + 1]


def _pick_image(article: Article, logo: str) -> tuple[Image | None, bool]:
    """Lead image, else the first content image, else the site logo (not the article's own)."""
    lead = article.image
    if lead and (url := absolute_url(lead.url, article.url)):
        return Image(url, lead.width, lead.height, lead.type, lead.length, lead.alt), True
    if found := first_content_image(article.content_html, article.url):
        return found, True
    return (Image(logo), False) if logo else (None, False)


def _locale(language: str) -> str:
    """BCP 47 'zh-CN' -> Open Graph 'zh_CN' (language_TERRITORY)."""
    lang, _, region = (language or "zh-CN").replace("_", "-").partition("-")
    return f"{lang.lower()}_{region.upper()}" if region else {"zh": "zh_CN"}.get(lang, lang)


def _iso(value: Any, tz: tzinfo) -> str:
    return value.astimezone(tz).replace(microsecond=0).isoformat()


def open_graph(meta: ShareMeta) -> list[tuple[str, str]]:
    """Open Graph properties in order; an image's structured properties follow it directly."""
    og = [("og:type", "article"), ("og:title", meta.title), ("og:url", meta.url),
          ("og:description", meta.description), ("og:site_name", meta.site_name),
          ("og:locale", meta.locale)]
    if meta.image:
        og.append(("og:image", meta.image.url))
        if meta.image.url.startswith("https://"):
            og.append(("og:image:secure_url", meta.image.url))
        for key, value in (("type", meta.image.type), ("width", meta.image.width),
                           ("height", meta.image.height)):
            if value:
                og.append((f"og:image:{key}", str(value)))
        og.append(("og:image:alt", meta.image_alt))
    og += [("article:published_time", meta.published), ("article:modified_time", meta.modified)]
    if meta.section:
        og.append(("article:section", meta.section))
    og += [("article:tag", tag) for tag in meta.tags]
    return [(key, value) for key, value in og if value]


def twitter(meta: ShareMeta) -> list[tuple[str, str]]:
    """X card tags (name=twitter:*): the card type, and only what differs from Open Graph.

    X reads og:title, og:description and og:image when the twitter: tag is missing
    (developer.x.com, "Cards markup"), so repeating them would only add bytes to every page.
    """
    tags = [("twitter:card", meta.card)]
    title = cut(meta.title, LIMITS["twitter_title"], at_sentence=False)
    if title != meta.title:
        tags.append(("twitter:title", title))
    description = cut(meta.description, LIMITS["twitter_description"])
    if description != meta.description:
        tags.append(("twitter:description", description))
    if meta.image:
        tags.append(("twitter:image:alt", meta.image_alt))
    return [(key, value) for key, value in tags if value]


def json_ld(meta: ShareMeta) -> dict[str, Any]:
    """schema.org NewsArticle as Google reads it."""
    publisher: dict[str, Any] = {"@type": "Organization", "name": meta.site_name,
                                 "url": meta.site_url}
    if meta.logo:
        publisher["logo"] = {"@type": "ImageObject", "url": meta.logo}
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": meta.url}, "url": meta.url,
        "headline": meta.title,  # <= 100 characters, within Google's 110
        "inLanguage": meta.language,  # no description: Google reads the meta description
        "datePublished": meta.published, "dateModified": meta.modified,
        "author": _authors(meta), "publisher": publisher,
    }
    if meta.image:
        data["image"] = [_image_object(meta.image)]
    if meta.section:
        data["articleSection"] = meta.section
    if meta.tags:
        data["keywords"] = list(meta.tags)
    return data


def _authors(meta: ShareMeta) -> list[dict[str, str]]:
    if meta.authors:
        return [{"@type": "Person", "name": name} for name in meta.authors]
    # no byline: the credited origin (来源), else the site, speaks as an organisation
    name = meta.origin or meta.site_name
    if name != meta.site_name:
        return [{"@type": "Organization", "name": name}]  # its own address is not known
    return [{"@type": "Organization", "name": name, "url": meta.site_url}]


def _image_object(image: Image) -> dict[str, Any]:
    obj: dict[str, Any] = {"@type": "ImageObject", "url": image.url}
    if image.width and image.height:
        obj.update(width=image.width, height=image.height)
    return obj


def wechat(meta: ShareMeta) -> dict[str, str]:
    """The WeChat JS-SDK share payload (updateAppMessageShareData / updateTimelineShareData)."""
    return {"title": meta.title, "desc": cut(meta.description, LIMITS["wechat_desc"]),
            "link": meta.url, "imgUrl": meta.image.url if meta.image else ""}
