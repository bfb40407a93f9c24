"""The feed formats, registered once: each renderer module declares its `FORMAT` (file name,
content type, labels, pure `render(site, spec) -> bytes`); everything that lists or links feeds
iterates this table, so a new format is one module and one line here."""

from __future__ import annotations

from . import atom, jsonfeed, rss
from .feedset import FeedFormat

__all__ = ["FORMATS"]

FORMATS: dict[str, FeedFormat] = {f.name: f for f in (rss.FORMAT, atom.FORMAT, jsonfeed.FORMAT)}
