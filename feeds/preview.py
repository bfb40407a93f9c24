"""`feeds preview URL`: fetch one page and show the article exactly as the pipeline would store
it, with the rule or heuristic behind each field (for people writing sources.yaml rules)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .config import Config, Source
from .fetch import Fetcher, SourceFetcher
from .model import Article, RawArticle
from .normalise import Context, html_to_text, normalise
from .sources.page import fetch_article

__all__ = ["preview", "as_json_dict", "render_text"]

JSON_KEYS = ("id", "url", "title", "summary", "content_html", "content_text", "published",
             "updated", "authors", "editor", "origin", "channel", "tags", "image", "language",
             "source_id")


def preview(config: Config, url: str, source: Source | None, fetcher: Fetcher | SourceFetcher,
            now: datetime) -> tuple[Article, RawArticle]:
    """The normalised article for `url`, extracted with `source`'s rules (or none)."""
    options = source.options if source else None
    raw = fetch_article(fetcher, url, source, getattr(options, "rules", {}),
                        getattr(options, "remove", ()))
    ctx = Context(source.id if source else "preview", source.channel if source else "",
                  config.site.tz, now, config.site.language, config.feeds.summary_length)
    return normalise(raw, ctx), raw


def as_json_dict(article: Article) -> dict[str, Any]:
    """The article as the documented JSON object (ISO 8601 dates with offset, null if unknown)."""
    image = article.image
    return {
        "id": article.id, "url": article.url, "title": article.title,
        "summary": article.summary, "content_html": article.content_html,
        "content_text": _text(article.content_html),
        "published": article.published.isoformat(),  # undated: the first-seen time, as stored
        "updated": article.updated.isoformat(),
        "authors": list(article.authors), "editor": article.editor or None,
        "origin": article.origin or None, "channel": article.channel or None,
        "tags": list(article.tags),
        "image": {"url": image.url, "width": image.width, "height": image.height} if image else None,
        "language": article.language, "source_id": article.source_id,
    }


def _text(content_html: str) -> str:
    lines = (" ".join(line.split()) for line in html_to_text(content_html).splitlines())
    return "\n".join(line for line in lines if line)


def render_text(article: Article, raw: RawArticle) -> str:
    """A human-readable preview: each field, its value and what produced it."""
    data = as_json_dict(article)
    how = raw.provenance
    out = []
    for key in JSON_KEYS:
        if key in ("content_html",):
            continue
        value = data[key]
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
        if key == "content_text" and isinstance(value, str) and len(value) > 600:
            shown = value[:600] + f"… ({len(value)} characters)"
        field = {"content_text": "body", "summary": "lead"}.get(key, key)
        source = how.get(field) or how.get("*") or ("" if value in (None, "", []) else "default")
        out.append(f"{key:>12}: {shown if shown not in (None, '') else '-'}"
                   + (f"    [{source}]" if source else ""))
        for considered in _CONSIDERED.get(key, ()):
            if how.get(considered):
                out.append(f"{'':>14}{considered} ({_COLUMNS[considered]}):")
                out.extend(f"{'':>16}{line}" for line in how[considered].splitlines())
    return "\n".join(out)


# The candidates the generic choosers weighed, shown under the field they chose.
_CONSIDERED = {"title": ("title candidates",), "published": ("date candidates",)}
_COLUMNS = {"title candidates": "score, kind, text, why",
            "date candidates": "kind, value, where from and why"}
