"""Article <-> JSON-able dict, shared by every store implementation."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from ..model import Article, Image

__all__ = ["to_row", "from_row", "utc_text", "parse_utc"]


def utc_text(value: datetime) -> str:
    """A sortable UTC timestamp string, the same in SQLite and PostgreSQL."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> datetime:
    """The datetime of a `utc_text` value."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def to_row(article: Article) -> dict[str, Any]:
    data = asdict(article)
    data["published"] = article.published.isoformat()
    data["updated"] = article.updated.isoformat()
    return data


def from_row(data: dict[str, Any]) -> Article:
    data = dict(data)
    data["published"] = datetime.fromisoformat(data["published"])
    data["updated"] = datetime.fromisoformat(data["updated"])
    data["authors"] = tuple(data.get("authors", ()))
    data["tags"] = tuple(data.get("tags", ()))
    data["image"] = Image(**data["image"]) if data.get("image") else None
    return Article(**data)
