"""Publishing: every output rendered from the store by pure renderers, written in one place.

`RENDERERS` maps a feed format to its `render(site, spec) -> bytes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..config import Config
from . import atom, rss
from .feedset import feed_specs
from .share import publish_share
from .writer import write_if_changed

__all__ = ["publish", "PublishResult", "RENDERERS"]

RENDERERS = {"rss": rss.render, "atom": atom.render}


@dataclass
class PublishResult:
    """Which output files were rewritten and which were already up to date."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def publish(config: Config, store, now: datetime) -> PublishResult:
    """Render every feed from the store into config.output_path; write only what changed."""
    result = PublishResult()
    out = config.output_path
    for spec in feed_specs(config, store):
        for fmt, render in RENDERERS.items():
            rel = spec.path(fmt)
            changed = write_if_changed(out / rel, render(config.site, spec))
            (result.written if changed else result.unchanged).append(rel)
    shared = publish_share(config, store, now)  # per-article share pages, only what changed
    result.written += shared.written
    result.unchanged += shared.unchanged
    result.removed += shared.removed
    return result
