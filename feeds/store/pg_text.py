"""PostgreSQL cannot hold U+0000 in text or JSONB (SQLite can); the PostgreSQL store writes
U+FFFD in its place, so a stray NUL in a URL, a guid or a header fails no write.

Every str parameter (and COPY field) goes through `NulFreeText`/`NulFreeBinary` on the store's
connections (`configure`), JSON through `jsonb`.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from psycopg.types.string import StrBinaryDumper, StrDumperUnknown

from ..model import Article
from .codec import from_row, to_row

__all__ = ["configure", "jsonb", "scrub", "json_text", "nul_free"]

NUL, REPLACEMENT = "\x00", "\ufffd"


class NulFreeText(StrDumperUnknown):
    def dump(self, obj: str) -> Any:
        return super().dump(obj.replace(NUL, REPLACEMENT) if NUL in obj else obj)


class NulFreeBinary(StrBinaryDumper):
    def dump(self, obj: str) -> Any:
        return super().dump(obj.replace(NUL, REPLACEMENT) if NUL in obj else obj)


def configure(conn: psycopg.Connection[Any]) -> None:
    """Make every str parameter of this connection NUL-free."""
    conn.adapters.register_dumper(str, NulFreeText)
    conn.adapters.register_dumper(str, NulFreeBinary)


def scrub(value: Any) -> Any:
    """`value` (JSON-shaped) with NUL replaced in every string, keys included."""
    if isinstance(value, str):
        return value.replace(NUL, REPLACEMENT) if NUL in value else value
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def json_text(value: Any) -> str:
    return json.dumps(scrub(value), ensure_ascii=False)


def jsonb(value: Any) -> Jsonb:
    return Jsonb(value, dumps=json_text)


def nul_free(article: Article) -> Article:
    """The article as the PostgreSQL store will hold it (itself when it has no NUL)."""
    if not _has_nul(article):  # the common case, checked without building the row dict
        return article
    return from_row(scrub(to_row(article)))


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, tuple):
        return any(_has_nul(v) for v in value)
    if dataclasses.is_dataclass(value):
        return any(_has_nul(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False
