"""Topic feeds (`topics:` in sources.yaml), published like channels under topics/<id>/.

A topic feed is the newest `limit` articles matching the topic (topic_match.py). Finding them
from scratch means reading the store newest first until every topic has its `limit` matches
(one automaton pass per batch for all topics; the store filters by channel and source). That
happens once: output/topics/.state.json keeps each topic's list of (published, id), a
fingerprint of its definition and the store marks it has seen, so the next publish only
matches the articles changed or removed since. A list that loses a member while full is
refilled by a new scan of that topic alone. Files are rendered only for topics whose list or
members changed (or whose files are missing), so an unchanged publish reads and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from itertools import islice
from typing import Any

from ..config import Config, Topic
from ..model import Article
from ..store import Store
from ..store.codec import utc_text
from .feedset import FeedSpec
from .formats import FORMATS
from .topic_match import Row, TopicMatcher
from .variants import VARIANTS, Variant
from .writer import remove_if_exists, write_if_changed

__all__ = ["publish_topics", "topic_spec"]

log = logging.getLogger("feeds.publish")

STATE = "topics/.state.json"
BATCH = 2000  # rows matched per automaton pass
RENDER_VERSION = 1  # bump when the topic feeds' rendering changes: every topic re-renders
END = "\U0010ffff"  # sorts after every id: a mark at a stamp covers all ids stamped with it
Entry = tuple[str, str]  # (published UTC text, id): the store's newest-first order, reversed


def topic_spec(config: Config, topic: Topic, articles: tuple[Article, ...] = ()) -> FeedSpec:
    site, opts = config.site, config.feeds
    return FeedSpec(f"topic:{topic.id}", f"topics/{topic.id}/", f"{site.title} - {topic.title}",
                    topic.description or f"{site.title}：专题“{topic.title}”", site.home_url,
                    articles, {c.id: c.title for c in config.channels}, opts.hubs, opts.ttl)


def publish_topics(config: Config, store: Store, write: Callable[[str, bytes], bool],
                   variants: Sequence[Variant] = ()) -> tuple[list[FeedSpec], list[str]]:
    """Bring every topic feed up to date; return the specs (for the directory pages) and the
    paths of the feed files that changed (for WebSub)."""
    out = config.output_path
    state = _load(out)
    if not config.topics:
        _drop_stale(out, state, set())
        if state:
            remove_if_exists(out / STATE)
        return [], []
    limits = {t.id: t.limit or config.feeds.limit for t in config.topics}
    prints = {t.id: _digest([asdict(t), limits[t.id]]) for t in config.topics}
    render_key = _digest([RENDER_VERSION, asdict(config.site), asdict(config.feeds),
                          [asdict(c) for c in config.channels], list(FORMATS)])
    kept = {t.id: [tuple(e) for e in state["lists"][t.id]] for t in config.topics
            if state and state["prints"].get(t.id) == prints[t.id]}
    lists: dict[str, list[Entry]] = kept  # type: ignore[assignment]
    after = tuple(state["after"]) if state else (store.last_change(), END)
    removed = tuple(state["removed"]) if state else ("", "")
    dirty: set[str] = set()
    refill: set[str] = set()
    if lists:  # kept topics catch up on the changes; others are scanned from scratch below
        after = _apply_changes(config, store, after, lists, limits, dirty, refill)
    else:
        after = (store.last_change(), END)
    removed = _apply_removals(store, removed, lists, limits, dirty, refill)
    scan = [t for t in config.topics if t.id not in lists or t.id in refill]
    if scan:
        lists.update(_scan(store, scan, limits))
        dirty.update(t.id for t in scan)
    if not state or state.get("render") != render_key:
        dirty.update(lists)
    changed = _render(config, store, lists, dirty, write, variants)
    _drop_stale(out, state, set(lists))
    _save(out, {"render": render_key, "prints": prints, "after": list(after),
                "removed": list(removed), "lists": {k: [list(e) for e in v]
                                                    for k, v in sorted(lists.items())}})
    return [topic_spec(config, t) for t in config.topics], changed


def _rows_of(articles: Iterable[Article]) -> list[Row]:
    return [(a.id, utc_text(a.published), a.channel, a.source_id, a.title, a.summary,
             json.dumps(list(a.tags), ensure_ascii=False), a.content_html) for a in articles]


def _apply_changes(config: Config, store: Store, after: tuple, lists: dict[str, list[Entry]],
                   limits: dict[str, int], dirty: set[str], refill: set[str]) -> tuple:
    """Match the articles changed since `after` against the kept topics; return the new mark."""
    topics = [t for t in config.topics if t.id in lists]
    matcher = TopicMatcher(topics)
    while batch := store.changed_after(after, 500):
        after = tuple(batch[-1][:2])
        rows = _rows_of(a for _, _, a in batch)
        hits = matcher.match(rows)
        for t, topic in enumerate(topics):
            matched = {rows[r][0]: (rows[r][1], rows[r][0]) for r in hits[t]}
            _update(topic.id, lists, limits, [r[0] for r in rows], matched, dirty, refill)
    return after


def _apply_removals(store: Store, removed: tuple, lists: dict[str, list[Entry]],
                    limits: dict[str, int], dirty: set[str], refill: set[str]) -> tuple:
    """Drop taken-down articles (feeds remove) from every list; return the new mark."""
    while batch := store.removed_after(removed, 500):
        removed = tuple(batch[-1])
        for topic_id in list(lists):
            _update(topic_id, lists, limits, [i for _, i in batch], {}, dirty, refill)
    return removed


def _update(topic_id: str, lists: dict[str, list[Entry]], limits: dict[str, int],
            seen: list[str], matched: dict[str, Entry], dirty: set[str], refill: set[str]) -> None:
    """Apply one batch of changed ids to a topic's list (`matched`: those that now belong)."""
    old, limit = lists[topic_id], limits[topic_id]
    touched = set(seen)
    kept = [e for e in old if e[1] not in touched]
    new = sorted(kept + list(matched.values()), reverse=True)[:limit]
    if len(old) >= limit and (len(new) < limit or new[-1] < old[-1]):
        refill.add(topic_id)  # a full list lost a member: matches older than it were not kept
    if new != old or any(e[1] in touched for e in new):
        dirty.add(topic_id)
    lists[topic_id] = new


def _scan(store: Store, topics: list[Topic], limits: dict[str, int]) -> dict[str, list[Entry]]:
    """The newest matches of `topics`, reading the store newest first until all are full.
    A full topic leaves the automaton, so the long tail of the scan only looks for the words
    of the rare topics (common words would otherwise hit on every row)."""
    found: dict[str, list[Entry]] = {t.id: [] for t in topics}
    open_topics = list(topics)
    matcher = TopicMatcher(open_topics)
    rows = store.topic_rows(matcher.needs_body, _union([t.channels for t in topics]),
                            _union([t.sources for t in topics]))
    for batch in _batches(rows):
        full = False
        for topic, hits in zip(open_topics, matcher.match(batch), strict=True):
            entries, limit = found[topic.id], limits[topic.id]
            entries.extend((batch[r][1], batch[r][0]) for r in hits[:limit - len(entries)])
            full |= len(entries) >= limit
        if full:
            open_topics = [t for t in open_topics if len(found[t.id]) < limits[t.id]]
            if not open_topics:
                break
            matcher = TopicMatcher(open_topics)
    getattr(rows, "close", lambda: None)()  # an early stop ends the store's cursor now
    return found


def _union(groups: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The values to filter by in the store; () when any topic takes everything."""
    return () if any(not g for g in groups) else tuple(sorted({v for g in groups for v in g}))


def _batches(rows: Iterator[Row]) -> Iterator[list[Row]]:
    while batch := list(islice(rows, BATCH)):
        yield batch


def _render(config: Config, store: Store, lists: dict[str, list[Entry]], dirty: set[str],
            write: Callable[[str, bytes], bool], variants: Sequence[Variant]) -> list[str]:
    """Render the dirty topics (and those with a file missing), with their variant copies."""
    out, changed = config.output_path, []
    prefixes = ["", *(v.prefix for v in variants)]
    for topic in config.topics:
        spec = topic_spec(config, topic)
        missing = any(not (out / prefix / spec.path(fmt)).exists()
                      for prefix in prefixes for fmt in FORMATS.values())
        if topic.id not in dirty and not missing:
            continue
        articles = tuple(store.by_ids([i for _, i in lists[topic.id]]))
        spec = topic_spec(config, topic, articles)
        changed += [spec.path(fmt) for fmt in FORMATS.values()
                    if write(spec.path(fmt), fmt.render(config.site, spec))]
        for variant in variants:
            converted = variant.spec(spec)
            changed += [variant.prefix + spec.path(fmt) for fmt in FORMATS.values()
                        if write(variant.prefix + spec.path(fmt),
                                 fmt.render(variant.site, converted))]
    return changed


def _drop_stale(out, state: dict[str, Any], current: set[str]) -> None:
    """Remove the files of topics no longer configured."""
    for topic_id in set(state.get("lists", {}) if state else ()) - current:
        for fmt in FORMATS.values():
            for folder in [out, *(out / v.lower() for v in VARIANTS)]:
                remove_if_exists(folder / "topics" / topic_id / fmt.file)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str,
                                     ensure_ascii=False).encode()).hexdigest()[:16]


def _load(out) -> dict[str, Any]:
    try:
        state = json.loads((out / STATE).read_text(encoding="utf-8"))
        return state if {"render", "prints", "after", "removed", "lists"} <= set(state) else {}
    except (OSError, ValueError):
        return {}


def _save(out, state: dict[str, Any]) -> None:
    write_if_changed(out / STATE, json.dumps(state, ensure_ascii=False, sort_keys=True,
                                             indent=0).encode())
