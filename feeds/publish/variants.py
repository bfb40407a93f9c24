"""繁體 variants (`feeds.variants: [zh-Hant-TW, zh-Hant-HK]`): converted copies of every feed
and of the human pages under output/<variant in lower case>/.

OpenCC's phrase-level configurations do the conversion (`s2twp`: Taiwan words and phrases,
软件 -> 軟體; `s2hk`: Hong Kong forms). What readers read is converted — titles, summaries,
bodies, tags, bylines, channel and site titles — never URLs or ids: in HTML the values of
href/src attributes are kept as they are (an IRI with Chinese characters must not change).

Conversion is cached per article: output/<variant>/.convert.json maps each article id to a
digest of its text and the converted text, pruned to the articles still in some feed, so an
unchanged publish converts nothing. The two human pages are converted whole (their fixed
Chinese text too), and only when the page they come from changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import opencc

from ..config import Config, Site
from ..model import Article
from .feedset import FeedSpec
from .formats import FORMATS
from .writer import write_if_changed

__all__ = ["VARIANTS", "Variant", "open_variants", "render_variant_feeds"]

# variant -> (OpenCC configuration, label for people)
VARIANTS = {"zh-Hant-TW": ("s2twp", "繁體中文（台灣）"), "zh-Hant-HK": ("s2hk", "繁體中文（香港）"),
            "zh-Hant": ("s2t", "繁體中文")}
CACHE = ".convert.json"
PAGES, STRINGS = "\0pages", "\0strings"  # cache keys that are not article ids
_URL_ATTR = re.compile(r"""((?:href|src|srcset|data-src|cite|action|xmlUrl|htmlUrl|ownerId)\s*=\s*)"""
                       r"""("[^"]*"|'[^']*')""", re.I)
_JOIN = "\ue000"  # a private-use character between the pieces of one conversion
_TEXT_FIELDS = ("title", "summary", "content_html", "editor", "origin")


class Variant:
    """One variant: its converter, its folder, its site and the per-article cache."""

    def __init__(self, config: Config, language: str):
        self.language = language
        self.label = VARIANTS[language][1]
        self.prefix = language.lower() + "/"
        self.converter = opencc.OpenCC(VARIANTS[language][0])
        self.folder = config.output_path / self.prefix
        self._cache: dict[str, Any] = _load(self.folder / CACHE)
        self._used: set[str] = set()
        self._strings: dict[str, str] = self._cache.get(STRINGS, {})  # titles of feeds, sites
        self._used_strings: dict[str, str] = {}
        site = config.site
        self.site: Site = dataclasses.replace(
            site, title=self.text(site.title), description=self.text(site.description),
            language=language, base_url=site.absolute(self.prefix))

    def text(self, value: str) -> str:
        if not value:
            return value
        if len(value) > 200:
            return self.converter.convert(value)
        hit = self._strings.get(value)  # short, repeated strings (feed and channel titles)
        if hit is None:
            hit = self._strings[value] = self.converter.convert(value)
        self._used_strings[value] = hit
        return hit

    def html(self, value: str) -> str:
        """Convert HTML text and attributes other than URLs, in one OpenCC call."""
        if not value:
            return value
        texts, urls, last = [], [], 0
        for m in _URL_ATTR.finditer(value):
            texts.append(value[last:m.start()])
            urls.append(m.group(0))
            last = m.end()
        texts.append(value[last:])
        converted = self.text(_JOIN.join(texts)).split(_JOIN)
        if len(converted) != len(texts):  # never seen; converting piece by piece is safe
            converted = [self.text(t) for t in texts]
        return "".join(t + u for t, u in zip(converted, [*urls, ""], strict=True))

    def article(self, article: Article) -> Article:
        """The article as variant readers see it (cached by a digest of its text)."""
        source = [getattr(article, f) for f in _TEXT_FIELDS] + [list(article.tags),
                                                                  list(article.authors)]
        digest = hashlib.sha256(json.dumps(source, ensure_ascii=False).encode()).hexdigest()[:20]
        self._used.add(article.id)
        hit = self._cache.get(article.id)
        if not hit or hit["digest"] != digest:
            title, summary, content, editor, origin, tags, authors = source
            hit = {"digest": digest, "title": self.text(title), "summary": self.text(summary),
                   "content_html": self.html(content), "editor": self.text(editor),
                   "origin": self.text(origin), "tags": [self.text(t) for t in tags],
                   "authors": [self.text(a) for a in authors]}
            self._cache[article.id] = hit
        return dataclasses.replace(
            article, title=hit["title"], summary=hit["summary"],
            content_html=hit["content_html"], editor=hit["editor"], origin=hit["origin"],
            tags=tuple(hit["tags"]), authors=tuple(hit["authors"]), language=self.language)

    def spec(self, spec: FeedSpec) -> FeedSpec:
        """A feed converted for this variant (its URLs move under the variant's folder)."""
        return dataclasses.replace(
            spec, title=self.text(spec.title), description=self.text(spec.description),
            articles=tuple(self.article(a) for a in spec.articles),
            channel_titles={k: self.text(v) for k, v in spec.channel_titles.items()})

    def listed(self, spec: FeedSpec) -> FeedSpec:
        """How the original directory lists this variant's copy of `spec`."""
        return dataclasses.replace(spec, title=self.text(spec.title),
                                   description=self.text(spec.description),
                                   folder=self.prefix + spec.folder, articles=(),
                                   language=self.language)

    def page(self, rel: str, original: bytes) -> bytes:
        """A human page converted whole; reuses the last result when `original` is the same."""
        digest = hashlib.sha256(original).hexdigest()[:20]
        pages = self._cache.setdefault(PAGES, {})
        target = self.folder / rel
        if pages.get(rel) == digest and target.exists():
            return target.read_bytes()
        pages[rel] = digest
        return self.html(original.decode("utf-8")).encode("utf-8")

    def save(self) -> None:
        """Keep the cache of the articles used by this publish only (bounded by the feeds)."""
        kept = {k: v for k, v in self._cache.items() if k in self._used or k == PAGES}
        kept[STRINGS] = self._used_strings
        write_if_changed(self.folder / CACHE, json.dumps(kept, ensure_ascii=False,
                                                          sort_keys=True).encode("utf-8"))


def open_variants(config: Config) -> list[Variant]:
    return [Variant(config, language) for language in config.feeds.variants]


def render_variant_feeds(variants: list[Variant], specs: list[FeedSpec],
                         write: Callable[[str, bytes], bool]) -> list[str]:
    """Every spec in every format for every variant; the public URLs of files that changed."""
    changed = []
    for variant in variants:
        for spec in specs:
            converted = variant.spec(spec)
            changed += [variant.site.absolute(spec.path(fmt)) for fmt in FORMATS.values()
                        if write(variant.prefix + spec.path(fmt),
                                 fmt.render(variant.site, converted))]
    return changed


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
