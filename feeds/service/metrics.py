"""Prometheus metrics of the daemon, in a registry of its own (no process-global state).

Label cardinality stays bounded: sources come from the config, outcomes from the small set of
failure classes, files from the output folder.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ..health.judge import STATES

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_FETCH_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class Metrics:
    """Every metric the daemon exports; `render()` gives the text exposition format."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.fetches = Counter("feeds_fetches", "Source collections by outcome (ok or failure "
                               "class)", ["source", "outcome"], registry=r)
        self.fetch_seconds = Histogram("feeds_fetch_duration_seconds", "Time to collect one "
                                       "source", ["source"], buckets=_FETCH_BUCKETS, registry=r)
        self.publish_seconds = Histogram("feeds_publish_duration_seconds", "Time to publish "
                                         "every output", buckets=_FETCH_BUCKETS, registry=r)
        self.publishes = Counter("feeds_publishes", "Publishes by outcome", ["outcome"],
                                 registry=r)
        self.articles = Counter("feeds_articles", "Articles stored by change (new, updated)",
                                ["source", "change"], registry=r)
        self.last_success = Gauge("feeds_last_success_timestamp_seconds", "Unix time of the "
                                  "last successful collection", ["source"], registry=r)
        self.output_bytes = Gauge("feeds_output_file_bytes", "Size of each published file",
                                  ["file"], registry=r)
        self.reloads = Counter("feeds_config_reloads", "SIGHUP reloads by outcome", ["outcome"],
                               registry=r)
        self.sources = Gauge("feeds_sources_scheduled", "Sources with a scheduled job",
                             registry=r)
        self.health = Gauge("feeds_source_health", "1 for the source's health state (ok, "
                            "degraded, broken, stale, failing), 0 for the others",
                            ["source", "state"], registry=r)
        self.poll_items = Gauge("feeds_source_poll_items", "Items offered by the source's "
                                "last poll", ["source"], registry=r)
        self.fill = Gauge("feeds_source_fill_ratio", "Share of the last poll's items with the "
                          "field really filled", ["source", "field"], registry=r)
        self.held = Gauge("feeds_source_held_items", "Items held back by the health gate",
                          ["source"], registry=r)

    def collected(self, source: str, outcome: str, seconds: float, new: int, updated: int,
                  at: datetime | None) -> None:
        self.fetches.labels(source, outcome).inc()
        self.fetch_seconds.labels(source).observe(seconds)
        self.articles.labels(source, "new").inc(new)
        self.articles.labels(source, "updated").inc(updated)
        if at is not None:
            self.last_success.labels(source).set(at.timestamp())

    def source_health(self, source: str, state: str, signals: dict[str, float],
                      held: int) -> None:
        """The stored health of one source (read after each collection, never fetched)."""
        for name in STATES:
            self.health.labels(source, name).set(1 if name == state else 0)
        if "offered" in signals:
            self.poll_items.labels(source).set(signals["offered"])
        for key, value in signals.items():
            if key.startswith("fill."):
                self.fill.labels(source, key[5:]).set(value)
        self.held.labels(source).set(held)

    def published(self, outcome: str, seconds: float, output: Path) -> None:
        self.publishes.labels(outcome).inc()
        self.publish_seconds.observe(seconds)
        self.output_bytes.clear()
        for path in _published_files(output):
            self.output_bytes.labels(path.relative_to(output).as_posix()).set(path.stat().st_size)

    def forget(self, source: str) -> None:
        """Drop a removed source's series so dashboards do not show it forever."""
        metrics: tuple[Counter | Gauge | Histogram, ...] = (
            self.fetch_seconds, self.last_success, self.fetches, self.articles, self.health,
            self.poll_items, self.fill, self.held)
        for metric in metrics:
            for labels in list(metric._metrics):  # no public way to list a metric's children
                if labels[0] == source:
                    metric.remove(*labels)

    def render(self) -> bytes:
        return generate_latest(self.registry)


# Per-article files (one set per article, millions of them) would explode the series count.
_PER_ARTICLE_DIRS = {"share"}


def _published_files(output: Path) -> list[Path]:
    """Feeds, sitemaps and pages under output/, without per-article files or temp files."""
    found = []
    for folder, dirs, files in os.walk(output):
        dirs[:] = sorted(d for d in dirs if not (Path(folder) == output and d in _PER_ARTICLE_DIRS))
        found += [Path(folder) / f for f in sorted(files) if not f.startswith(".")]
    return found
