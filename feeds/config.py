"""sources.yaml -> frozen dataclasses. All validation lives here.

Every problem is reported as one line naming the file, the line and the key path, e.g.
`sources.yaml:14: sources[2].url: not an absolute http(s) URL`. Unknown keys are errors.

The sections are plain dataclasses; `_build` walks a dataclass's fields to check types,
required keys and unknown keys, so adding an option is adding a field (with an optional
`check` in its metadata).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .config_yaml import to_plain
from .errors import ConfigError
from .model import Channel

__all__ = [
    "Config",
    "Site",
    "FetchSettings",
    "Source",
    "FeedOptions",
    "SitemapSettings",
    "NotifySettings",
    "TagFeed",
    "HtmlOptions",
    "SitemapOptions",
    "Rule",
    "load",
    "parse_duration",
    "KIND_OPTIONS",
    "DaemonSettings",
    "HealthSettings",
    "Topic",
    "TOPIC_FIELDS",
    "WorkerSettings",
    "MAX_CONCURRENCY",
]

Path_ = tuple[str | int, ...]


# --- checks: each returns an error message or None --------------------------------------------

def _http_url(value: str) -> str | None:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as e:
        return f"not a valid URL ({e})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an absolute http(s) URL"
    return _plain_url(value)


def _plain_url(value: str, spaces: bool = False) -> str | None:
    if any((c.isspace() and not spaces) or ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "not a valid URL (it contains spaces or control characters)"
    return None


def _source_url(value: str) -> str | None:
    """Sources may also be file:// URLs (relative ones resolve against the config's folder)."""
    if value.startswith("file:"):
        return _plain_url(value, spaces=True) or (None if value[5:].strip("/") else "names no file")
    return _http_url(value)


def _store_location(value: str) -> str | None:
    """An SQLite file path, or a PostgreSQL URL that libpq can parse."""
    if not value.strip():
        return "must be an SQLite file path or a postgresql:// URL"
    if "://" not in value:
        return None
    if not value.startswith(("postgresql://", "postgres://")):
        return f"{value.split('://')[0]}:// is not a store: use postgresql://... or a file path"
    import psycopg  # only for PostgreSQL stores

    try:
        psycopg.conninfo.conninfo_to_dict(value)
    except psycopg.Error as e:
        return f"not a valid PostgreSQL URL: {str(e).strip().splitlines()[0]}"
    return None


def _output_dir(value: str, root: Path) -> str | None:
    """A folder, or a path one can be made at: publish would crash on an existing file, or on
    a file where one of its parents should be."""
    if not value.strip() or "\0" in value:
        return "must be a folder path"
    target = root / value
    try:
        if target.exists() and not target.is_dir():
            return f"{target} exists and is not a folder"
        parent = next(p for p in target.parents if p.exists())
    except (OSError, ValueError) as e:
        return f"cannot use {target}: {e}"
    return None if parent.is_dir() else f"{parent} is a file, so {target} cannot be made"


def _ascii_id(value: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", value):
        return "must be ASCII letters, digits, '-', '_' or '.' (it is used in paths)"
    return None


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r}"
    return None


def _schedule(value: str) -> str | None:
    """An interval, or 5-field cron checked by the parser the scheduler uses (so a schedule
    that passes `feeds check` can never stop the daemon at start or on reload)."""
    seconds = parse_duration(value)
    if seconds is not None:
        return _duration(value) if seconds > 0 else "an interval must be longer than 0"
    if len(value.split()) != 5:
        return "not an interval like '15m', '2h', '1d' nor a 5-field cron expression"
    from datetime import UTC, datetime

    from apscheduler.triggers.cron import CronTrigger

    try:
        trigger = CronTrigger.from_crontab(value, timezone="UTC")
    except (ValueError, KeyError, TypeError) as e:
        return f"not a valid cron expression: {e}"
    if trigger.get_next_fire_time(None, datetime.now(UTC)) is None:  # e.g. '* * 31 2 *'
        return "this cron expression never fires (no such date)"
    return None


def _optional_http_url(value: str) -> str | None:
    return _http_url(value) if value else None


def _logo(value: str) -> str | None:
    """An absolute http(s) URL, or a path relative to the portal (no other scheme)."""
    if not value or "://" in value or value.startswith("//"):
        return _http_url(value) if value else None
    return "must be an http(s) URL or a path on the portal" if ":" in value.split("/")[0] else None


def _language(value: str) -> str | None:
    if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*", value):
        return None
    return "not a language tag like 'zh-CN' or 'en'"


def _charset(value: str) -> str | None:
    from .fetch.charset import normalise_charset

    return None if not value or normalise_charset(value) else f"unknown charset {value!r}"


def _indexnow_key(value: str) -> str | None:
    """IndexNow: 8 to 128 characters of a-z, A-Z, 0-9 and '-' (it also names a file in
    output/, so nothing else may reach the path)."""
    if not value or re.fullmatch(r"[A-Za-z0-9-]{8,128}", value):
        return None
    return "must be 8-128 characters of a-z, A-Z, 0-9 and '-' (IndexNow)"


def _page_template(value: str) -> str | None:
    return None if not value or "{n}" in value else "must contain {n} (the page number)"


def _link_or_path(value: tuple[str, ...]) -> str | None:
    """Listing URLs: absolute http(s) or file:, or relative to the source's URL."""
    for item in value:
        scheme = item.split(":", 1)[0].lower() if ":" in item.split("/")[0] else ""
        if scheme and scheme not in ("http", "https", "file"):
            return f"{item!r}: not an http(s) or file: URL"
        if scheme in ("http", "https") and (msg := _http_url(item)):
            return f"{item!r}: {msg}"
    return None


def _positive(value: int | float) -> str | None:
    return None if value > 0 else "must be greater than 0"


def _non_negative(value: int | float) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def _count(low: int, high: int) -> Callable[[int], str | None]:
    """A count with a sane ceiling: a huge one is a typo that would build millions of slot
    files or threads, or overflow PostgreSQL's int in generate_series."""
    return lambda v: None if low <= v <= high else f"must be between {low} and {high}"


def _regex(value: str) -> str | None:
    try:
        re.compile(value)
    except re.error as e:
        return f"invalid regular expression: {e}"
    return None


def parse_duration(text: str) -> float | None:
    """Return seconds for '90s', '15m', '2h', '1d' (or a bare number of seconds), else None."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", str(text))
    if not m:
        return None
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def _check(fn: Callable[[Any], str | None]) -> dict[str, Any]:
    return {"check": fn}


# --- the sections ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Site:
    title: str
    base_url: str = field(metadata=_check(_http_url))
    portal_url: str = field(default="", metadata=_check(_http_url))
    language: str = field(default="zh-CN", metadata=_check(_language))
    timezone: str = field(default="Asia/Shanghai", metadata=_check(_timezone))
    description: str = ""
    logo: str = field(default="", metadata=_check(_logo))
    contact_url: str = field(default="", metadata=_check(_optional_http_url))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def home_url(self) -> str:
        """The portal's own home page (where articles live); defaults to base_url."""
        return self.portal_url or self.base_url

    def absolute(self, path: str) -> str:
        """Return the public URL of a file under output/."""
        return urljoin(self.base_url if self.base_url.endswith("/") else self.base_url + "/", path)


@dataclass(frozen=True)
class TagFeed:
    """A feed of every article carrying `tag`, published under tags/<id>/."""

    id: str = field(metadata=_check(_ascii_id))
    tag: str
    title: str = ""


TOPIC_FIELDS = ("title", "summary", "tags", "body")


def _words(value: tuple) -> str | None:
    if any(not w.strip() for w in value):
        return "words must not be empty"
    return None


def _topic_fields(value: tuple) -> str | None:
    unknown = [f for f in value if f not in TOPIC_FIELDS]
    if unknown or not value:
        return f"unknown field {unknown[0]!r} (one of: {', '.join(TOPIC_FIELDS)})" if unknown \
            else "name at least one field"
    return None


@dataclass(frozen=True)
class Topic:
    """A feed of the articles that mention any `include` word and no `exclude` word in
    `fields`, optionally only from some channels/sources; published under topics/<id>/."""

    id: str = field(metadata=_check(_ascii_id))
    title: str
    include: tuple[str, ...] = field(metadata=_check(lambda v: _words(v) or (
        None if v else "name at least one word")))
    exclude: tuple[str, ...] = field(default=(), metadata=_check(_words))
    channels: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    fields: tuple[str, ...] = field(default=("title", "summary", "tags"),
                                    metadata=_check(_topic_fields))
    limit: int = field(default=0, metadata=_check(_non_negative))  # 0: feeds.limit
    description: str = ""


@dataclass(frozen=True)
class FeedsSettings:
    limit: int = field(default=50, metadata=_check(_positive))
    summary_length: int = field(default=140, metadata=_check(_positive))  # characters
    ttl: int = field(default=30, metadata=_check(_positive))
    hubs: tuple[str, ...] = ()  # WebSub hubs: rel="hub" in every feed, pinged after changes
    tags: tuple[TagFeed, ...] = ()  # extra feeds per tag
    sources: tuple[str, ...] = ()  # extra feeds per source id (published under sources/<id>/)
    variants: tuple[str, ...] = field(default=(), metadata=_check(
        lambda v: next((f"unknown variant {x!r} (one of: zh-Hant-TW, zh-Hant-HK, zh-Hant)"
                        for x in v if x not in ("zh-Hant-TW", "zh-Hant-HK", "zh-Hant")), None)))


@dataclass(frozen=True)
class SitemapSettings:
    """XML sitemaps (output/sitemap.xml + output/sitemaps/), robots.txt and 网站地图."""

    enabled: bool = True
    baidu: bool = False  # Baidu limits (10 MB per file) and shard URLs listed in robots.txt
    gzip: bool = False  # also write .xml.gz copies (for nginx gzip_static and the like)
    news: bool = True  # Google News sitemap of the last 48 hours
    news_name: str = ""  # news:publication name; defaults to site.title
    images: bool = True
    robots_file: str = ""  # the operator's own robots.txt, copied verbatim
    html_latest: int = field(default=10, metadata=_check(_positive))  # per channel on 网站地图


@dataclass(frozen=True)
class NotifySettings:
    """Who is told after a publish that added or changed URLs. Every part is optional."""

    websub: bool = True  # ping feeds.hubs for each changed feed
    indexnow_key: str = field(default="", metadata=_check(_indexnow_key))  # enables IndexNow
    indexnow_endpoint: str = field(default="https://api.indexnow.org/indexnow",
                                   metadata=_check(_http_url))
    indexnow_key_location: str = field(default="", metadata=_check(_optional_http_url))
    baidu_token: str = ""  # enables Baidu 普通收录 push
    baidu_endpoint: str = field(default="http://data.zz.baidu.com/urls",
                                metadata=_check(_http_url))
    baidu_site: str = ""  # default: the portal's host
    retries: int = field(default=3, metadata=_check(_count(1, 20)))
    backoff: float = field(default=2.0, metadata=_check(_positive))  # seconds, doubled per retry
    timeout: float = field(default=10.0, metadata=_check(_positive))


@dataclass(frozen=True)
class FetchSettings:
    """HTTP politeness and safety limits (seconds and bytes); see feeds/sources/fetch/."""

    connect_timeout: float = field(default=5.0, metadata=_check(_positive))
    read_timeout: float = field(default=20.0, metadata=_check(_positive))
    total_timeout: float = field(default=60.0, metadata=_check(_positive))
    max_bytes: int = field(default=10 * 1024 * 1024, metadata=_check(_positive))
    max_redirects: int = field(default=5, metadata=_check(_count(0, 30)))
    retries: int = field(default=2, metadata=_check(_count(0, 20)))
    retry_backoff: float = field(default=1.0, metadata=_check(_non_negative))
    retry_after_cap: float = field(default=120.0, metadata=_check(_non_negative))
    per_host: int = field(default=2, metadata=_check(_count(1, 64)))
    min_delay: float = field(default=0.2, metadata=_check(_non_negative))
    max_crawl_delay: float = field(default=60.0, metadata=_check(_non_negative))
    workers: int = field(default=8, metadata=_check(_count(1, 256)))
    robots_ttl: float = field(default=86400.0, metadata=_check(_positive))


MAX_DURATION = 3650 * 86400.0  # ten years: anything longer is a typo (and overflows datetimes)


def _duration(value: str) -> str | None:
    seconds = parse_duration(value)
    if seconds is None:
        return "not a duration like '30s', '5m', '1h'"
    return None if seconds <= MAX_DURATION else "longer than ten years"


def _threshold_names(value: dict) -> str | None:
    from .health.judge import Thresholds  # late: the health package imports the model

    known = {f.name for f in dataclasses.fields(Thresholds)}
    unknown = sorted(set(value) - known)
    return f"unknown threshold {unknown[0]!r} (known: {', '.join(sorted(known))})" \
        if unknown else None


@dataclass(frozen=True)
class HealthSettings:
    """Source health (feeds/health/): where each state change is POSTed, how often an
    unresolved one is repeated, how long held items wait before they are dropped."""

    webhook: str = field(default="", metadata=_check(_optional_http_url))
    remind_every: str = field(default="1d", metadata=_check(_duration))
    hold_for: str = field(default="7d", metadata=_check(_duration))
    timeout: float = field(default=5.0, metadata=_check(_positive))  # per webhook attempt
    retries: int = field(default=6, metadata=_check(_count(0, 20)))  # then the alert is logged


def _listen(value: str) -> str | None:
    """'' (off), 'PORT' or 'HOST:PORT'; the host defaults to 127.0.0.1 (never all interfaces)."""
    if not value:
        return None
    host, _, port = value.rpartition(":")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        return "not a port or HOST:PORT (e.g. 127.0.0.1:9108)"
    return None


@dataclass(frozen=True)
class DaemonSettings:
    """`feeds daemon` settings (durations as strings like '5s', '10m')."""

    listen: str = field(default="", metadata=_check(_listen))  # ops HTTP endpoint; '' = off
    job_timeout: str = field(default="5m", metadata=_check(_duration))  # deadline of one job
    publish_delay: str = field(default="5s", metadata=_check(_duration))  # debounce after a burst
    publish_max_wait: str = field(default="60s", metadata=_check(_duration))
    shutdown_timeout: str = field(default="8s", metadata=_check(_duration))
    startup_spread: str = field(default="30s", metadata=_check(_duration))  # overdue sources
    jitter: float = field(default=0.1, metadata=_check(lambda v: None if 0 <= v <= 0.5 else
                                                         "must be between 0 and 0.5"))

    def seconds(self, name: str) -> float:
        return parse_duration(getattr(self, name)) or 0.0

    @property
    def listen_address(self) -> tuple[str, int] | None:
        if not self.listen:
            return None
        host, _, port = self.listen.rpartition(":")
        return (host or "127.0.0.1", int(port))


MAX_CONCURRENCY = 256  # jobs at once in one worker process (a thread each)


@dataclass(frozen=True)
class WorkerSettings:
    """`feeds worker` settings (PostgreSQL store only; durations as strings like '10s')."""

    # jobs at once per worker process
    concurrency: int = field(default=4, metadata=_check(_count(1, MAX_CONCURRENCY)))
    listen: str = field(default="", metadata=_check(_listen))  # ops HTTP endpoint; '' = off
    tick: str = field(default="2s", metadata=_check(_duration))  # scheduler: how often it looks
    heartbeat: str = field(default="5s", metadata=_check(_duration))  # worker alive signal
    stalled_after: str = field(default="20s", metadata=_check(_duration))  # no heartbeat: dead

    def seconds(self, name: str) -> float:
        return parse_duration(getattr(self, name)) or 0.0


RULE_FIELDS = ("title", "published", "updated", "body", "lead", "origin", "editor", "authors",
               "tags", "image")


def _rule_names(value: dict) -> str | None:
    unknown = [k for k in value if k not in RULE_FIELDS]
    return f"unknown field {unknown[0]!r} (rules exist for: {', '.join(RULE_FIELDS)})" if unknown \
        else None


def _selectors(value: tuple) -> str | None:
    from cssselect import GenericTranslator, SelectorError

    for css in value if isinstance(value, tuple) else (value,):
        if not css:
            continue
        try:
            GenericTranslator().css_to_xpath(css)
        except SelectorError as e:
            return f"invalid CSS selector {css!r}: {e}"
    return None


@dataclass(frozen=True)
class Rule:
    """A field rule for HTML pages: CSS selector, optional attribute and regex on the text."""

    css: str = field(metadata=_check(_selectors))
    attr: str = ""
    regex: str = field(default="", metadata=_check(_regex))
    all: bool = False


@dataclass(frozen=True)
class FeedOptions:
    full_text: bool = False  # fetch each linked page and extract its full text
    rules: dict[str, Rule] = field(default_factory=dict, metadata=_check(_rule_names))
    remove: tuple[str, ...] = field(default=(), metadata=_check(_selectors))


@dataclass(frozen=True)
class HtmlOptions:
    urls: tuple[str, ...] = field(default=(), metadata=_check(_link_or_path))
    links: str = field(default="", metadata=_check(_selectors))
    link_pattern: str = field(default="", metadata=_check(_regex))
    next_page: str = field(default="", metadata=_check(_selectors))
    page_template: str = field(default="", metadata=_check(_page_template))
    max_pages: int = field(default=1, metadata=_check(_positive))
    max_articles: int = field(default=100, metadata=_check(_positive))
    rules: dict[str, Rule] = field(default_factory=dict, metadata=_check(_rule_names))
    remove: tuple[str, ...] = field(default=(), metadata=_check(_selectors))


@dataclass(frozen=True)
class SitemapOptions:
    url_pattern: str = field(default="", metadata=_check(_regex))
    max_urls: int = field(default=200, metadata=_check(_positive))
    rules: dict[str, Rule] = field(default_factory=dict, metadata=_check(_rule_names))
    remove: tuple[str, ...] = field(default=(), metadata=_check(_selectors))


OptionsT = FeedOptions | HtmlOptions | SitemapOptions
KIND_OPTIONS: dict[str, type] = {
    "feed": FeedOptions,
    "html": HtmlOptions,
    "sitemap": SitemapOptions,
}


@dataclass(frozen=True)
class Source:
    id: str = field(metadata=_check(_ascii_id))
    kind: str
    url: str = field(metadata=_check(_source_url))
    channel: str = ""
    schedule: str = field(default="30m", metadata=_check(_schedule))
    enabled: bool = True
    charset: str = field(default="", metadata=_check(_charset))
    allow_private: bool = False
    respect_robots: bool = True
    options: Any = None
    health: dict[str, float] = field(default_factory=dict, metadata=_check(_threshold_names))
    line: int = 0


@dataclass(frozen=True)
class ShareSettings:
    """Per-article share pages (output/share/<id[:3]>/<id>.html, .json, .head.html)."""

    enabled: bool = True
    # processes rendering a large backlog (a first publish): one per core to use
    workers: int = field(default=1, metadata=_check(_positive))


@dataclass(frozen=True)
class Config:
    site: Site
    path: Path
    store: str = "data/feeds.db"  # checked by _store_location
    output_dir: str = "output"
    feeds: FeedsSettings = FeedsSettings()
    fetch: FetchSettings = FetchSettings()
    daemon: DaemonSettings = DaemonSettings()
    worker: WorkerSettings = WorkerSettings()
    channels: tuple[Channel, ...] = ()
    sitemaps: SitemapSettings = SitemapSettings()
    notify: NotifySettings = NotifySettings()
    share: ShareSettings = ShareSettings()
    health: HealthSettings = HealthSettings()
    sources: tuple[Source, ...] = ()
    topics: tuple[Topic, ...] = ()

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def output_path(self) -> Path:
        return (self.root / self.output_dir).resolve()

    @property
    def store_url(self) -> str:
        """A store location: `postgresql://...` as given, else an SQLite file beside the config."""
        if "://" in self.store:
            return self.store
        return str((self.root / self.store).resolve())

    def channel(self, channel_id: str) -> Channel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)


# The optional top-level sections, each a settings dataclass with defaults.
SECTIONS: dict[str, type] = {
    "feeds": FeedsSettings,
    "fetch": FetchSettings,
    "daemon": DaemonSettings,
    "worker": WorkerSettings,
    "sitemaps": SitemapSettings,
    "notify": NotifySettings,
    "share": ShareSettings,
    "health": HealthSettings,
}


# --- loading ---------------------------------------------------------------------------------

class _Problems:
    """Collects one-line problems, each located by the line of its key path."""

    def __init__(self, filename: str, lines: dict[Path_, int]):
        self.filename = filename
        self.lines = lines
        self.items: list[str] = []
        self.muted: set[Path_] = set()  # already reported: no second line about the same value

    def add(self, path: Path_, message: str) -> None:
        if any(path[:n] in self.muted for n in range(len(path) + 1)):
            return
        line = self._line(path)
        self.items.append(f"{self.filename}:{line}: {_dotted(path) or '(top)'}: {message}")

    def _line(self, path: Path_) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _strip_optional(tp: Any) -> Any:
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp


_SKIP = {"options", "line", "path"}


def _build(cls: type, data: Any, path: Path_, problems: _Problems) -> Any:
    """Build dataclass `cls` from a mapping, reporting type, missing and unknown keys."""
    if not isinstance(data, dict):
        problems.add(path, f"must be a mapping, got {type(data).__name__}")
        return None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in _SKIP}
    for key in data:
        if key not in fields:
            problems.add(path + (key,), f"unknown key (expected one of: {', '.join(fields)})")
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                problems.add(path + (name,), "required key is missing")
            continue
        value = _coerce(hints[name], data[name], path + (name,), problems)
        check = f.metadata.get("check")
        if value is not None and check and (msg := _run_check(check, value)):
            problems.add(path + (name,), msg)
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except TypeError:
        return None  # a required key was missing: already reported


def _run_check(check: Callable[[Any], str | None], value: Any) -> str | None:
    """A field's check; one that trips over the value (a URL urlsplit refuses) reports it."""
    try:
        return check(value)
    except Exception as e:  # noqa: BLE001 - a value no check foresaw is a problem, not a crash
        return f"invalid value {value!r}: {e}"


def _coerce(tp: Any, value: Any, path: Path_, problems: _Problems) -> Any:
    tp = _strip_optional(tp)
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, path, problems)  # type: ignore[arg-type]
    if origin is tuple:
        (item_tp, _) = typing.get_args(tp)
        if isinstance(value, (str, int, float)) and item_tp is str:
            value = [value]  # a single string where a list is expected
        if not isinstance(value, list):
            problems.add(path, f"must be a list, got {type(value).__name__}")
            return ()
        return tuple(_coerce(item_tp, v, path + (i,), problems) for i, v in enumerate(value))
    if origin is dict:
        key_tp, item_tp = typing.get_args(tp)
        if not isinstance(value, dict):
            problems.add(path, f"must be a mapping, got {type(value).__name__}")
            return {}
        if item_tp is Rule:  # a bare string rule is a CSS selector
            value = {k: ({"css": v} if isinstance(v, str) else v) for k, v in value.items()}
        return {str(k): _coerce(item_tp, v, path + (k,), problems) for k, v in value.items()}
    return _scalar(tp, value, path, problems)


def _scalar(tp: Any, value: Any, path: Path_, problems: _Problems) -> Any:
    if tp is Any:
        return value
    if tp is bool:
        if isinstance(value, bool):
            return value
        problems.add(path, f"must be true or false, got {value!r}")
        return None
    if tp in (int, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                return tp(value)
            except (OverflowError, ValueError):
                problems.add(path, f"number out of range: {value!r}")
                return None
        problems.add(path, f"must be a number, got {value!r}")
        return None
    if tp is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        problems.add(path, f"must be a string, got {type(value).__name__}")
        return None
    return value


def _build_source(data: Any, path: Path_, problems: _Problems, lines: dict[Path_, int]) -> Any:
    """Sources are flat in YAML: common keys plus the options of their kind."""
    if not isinstance(data, dict):
        problems.add(path, "must be a mapping")
        return None
    kind = data.get("kind")
    if kind not in KIND_OPTIONS:
        problems.add(path + ("kind",), f"must be one of: {', '.join(KIND_OPTIONS)}")
        return None
    common = {f.name for f in dataclasses.fields(Source)} - _SKIP
    own = {f.name for f in dataclasses.fields(KIND_OPTIONS[kind])}
    for key in data:
        if key not in common and key not in own:
            allowed = ", ".join(sorted(common | own))
            problems.add(path + (key,), f"unknown key for kind {kind!r} (expected one of: {allowed})")
    source = _build(Source, {k: v for k, v in data.items() if k in common}, path, problems)
    options = _build(
        KIND_OPTIONS[kind], {k: v for k, v in data.items() if k in own}, path, problems
    )
    if source is None or options is None:
        return None
    return dataclasses.replace(source, options=options, line=lines.get(path, 0))


def _resolve_file_url(url: str, root: Path) -> str:
    """`file:relative/path` and `file://relative/...` resolve against the config folder."""
    if not isinstance(url, str) or not url.startswith("file:"):
        return url  # not a string: already reported
    rest = url[len("file:"):]
    rest = rest[2:] if rest.startswith("//") else rest
    target = Path(rest) if rest.startswith("/") else (root / rest)
    try:
        return target.resolve().as_uri()
    except (ValueError, OSError):  # a NUL or a loop of links: already reported by its check
        return url


def load(path: str | Path) -> Config:
    """Load and validate a config file; raise ConfigError listing every problem found."""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError([f"{name}:0: (file): cannot read: {e}"]) from e
    return loads(text, path)


def loads(text: str, path: Path) -> Config:
    """Parse config text as if read from `path` (used for messages and relative paths)."""
    name = path.name
    try:
        node = yaml.compose(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        position = getattr(e, "position", None)  # a ReaderError (a forbidden character)
        line = mark.line + 1 if mark else text.count("\n", 0, position) + 1 if position else 0
        message = " ".join(str(getattr(e, "problem", None) or e).split())  # one line
        raise ConfigError([f"{name}:{line}: (yaml): {message}"]) from e
    except RecursionError as e:
        raise ConfigError([f"{name}:0: (yaml): nested too deeply"]) from e
    lines: dict[Path_, int] = {}
    found: list[tuple[Path_, str]] = []
    data = to_plain(node, lines, found) if node is not None else {}
    problems = _Problems(name, lines)
    for where, message in found:  # what YAML holds that no config may: reported, then muted
        problems.add(where, message)
        problems.muted.add(where)
    config = _build_config(data, path.resolve(), problems, lines)
    if problems.items:
        raise ConfigError(problems.items)
    return config


def _build_config(data: Any, path: Path, problems: _Problems, lines: dict[Path_, int]) -> Any:
    if not isinstance(data, dict):
        problems.add((), "the file must be a mapping with site, channels and sources")
        return None
    top = {"site", "store", "output_dir", "channels", "sources", "topics", *SECTIONS}
    for key in data:
        if key not in top:
            problems.add((key,), f"unknown key (expected one of: {', '.join(sorted(top))})")
    site = _build(Site, data.get("site"), ("site",), problems) if "site" in data else None
    if site is None and "site" not in data:
        problems.add(("site",), "required key is missing")
    channels = _build_channels(data.get("channels", []), problems)
    known = {c.id for c in channels}
    sources = _build_sources(data.get("sources", []), problems, lines, path.parent, known)
    sections = {name: _build(cls, data.get(name, {}), (name,), problems)
                for name, cls in SECTIONS.items()}
    scalars = {
        k: _scalar(str, data[k], (k,), problems) for k in ("store", "output_dir") if k in data
    }
    if isinstance(scalars.get("store"), str) and (msg := _store_location(scalars["store"])):
        problems.add(("store",), msg)
    if isinstance(scalars.get("output_dir"), str) and (
            msg := _output_dir(scalars["output_dir"], path.parent)):
        problems.add(("output_dir",), msg)
    if sections["feeds"] is not None:
        _check_feed_sources(sections["feeds"], {s.id for s in sources}, problems)
    if sections["worker"] is not None:
        _check_stalled_after(sections["worker"], problems)
    topics = _build_topics(data.get("topics", []), known, {s.id for s in sources}, problems)
    if site is None or None in sections.values():
        return None
    return Config(site=site, path=path, channels=channels, sources=sources, topics=topics,
                  **sections, **scalars)


STALL_MARGIN = 1.0  # seconds beyond two heartbeats: a slow heartbeat query is not a death


def _check_stalled_after(worker: WorkerSettings, problems: _Problems) -> None:
    """A worker silent for stalled_after is declared dead and its jobs retried elsewhere: it
    must outlast two heartbeats, or a live worker's running jobs run twice at once."""
    heartbeat, stalled = worker.seconds("heartbeat"), worker.seconds("stalled_after")
    if stalled < 2 * heartbeat + STALL_MARGIN:
        problems.add(("worker", "stalled_after"),
                     f"must be at least 2 x worker.heartbeat + {STALL_MARGIN:g}s "
                     f"({2 * heartbeat + STALL_MARGIN:g}s), else running jobs are retried "
                     "while their worker is alive")


def _build_topics(data: Any, channels: set[str], sources: set[str],
                  problems: _Problems) -> tuple[Topic, ...]:
    """topics: ids unique, channels and sources declared."""
    topics = _coerce(tuple[Topic, ...], data, ("topics",), problems)
    out: list[Topic] = []
    for i, topic in enumerate(topics):
        if topic is None:
            continue
        if any(t.id == topic.id for t in out):
            problems.add(("topics", i, "id"), f"duplicate topic id {topic.id!r}")
        for key, known in (("channels", channels), ("sources", sources)):
            for j, name in enumerate(getattr(topic, key)):
                if name not in known:
                    problems.add(("topics", i, key, j), f"unknown {key[:-1]} {name!r}")
        out.append(topic)
    return tuple(out)


def _check_feed_sources(feeds: FeedsSettings, known: set[str], problems: _Problems) -> None:
    """feeds.sources must name declared sources; hubs must be http(s) URLs."""
    for i, source_id in enumerate(feeds.sources):
        if source_id not in known:
            problems.add(("feeds", "sources", i), f"unknown source {source_id!r}")
    for i, hub in enumerate(feeds.hubs):
        if msg := _http_url(hub):
            problems.add(("feeds", "hubs", i), msg)


def _build_channels(data: Any, problems: _Problems) -> tuple[Channel, ...]:
    if not isinstance(data, list):
        problems.add(("channels",), "must be a list")
        return ()
    out: list[Channel] = []
    for i, item in enumerate(data):
        channel = _build(_ChannelSpec, item, ("channels", i), problems)
        if channel is not None:
            if any(c.id == channel.id for c in out):
                problems.add(("channels", i, "id"), f"duplicate channel id {channel.id!r}")
            out.append(Channel(channel.id, channel.title, channel.description, channel.url))
    return tuple(out)


@dataclass(frozen=True)
class _ChannelSpec:
    id: str = field(metadata=_check(_ascii_id))
    title: str
    description: str = ""
    url: str = field(default="", metadata=_check(_http_url))  # the channel's page on the portal


def _build_sources(
    data: Any, problems: _Problems, lines: dict[Path_, int], root: Path, channels: set[str]
) -> tuple[Source, ...]:
    if not isinstance(data, list):
        problems.add(("sources",), "must be a list")
        return ()
    out: list[Source] = []
    for i, item in enumerate(data):
        source = _build_source(item, ("sources", i), problems, lines)
        if source is None:
            continue
        if any(s.id == source.id for s in out):
            problems.add(("sources", i, "id"), f"duplicate source id {source.id!r}")
        if source.channel and source.channel not in channels:
            known = ", ".join(sorted(channels)) or "none"
            problems.add(("sources", i, "channel"), f"unknown channel {source.channel!r} (declared: {known})")
        out.append(dataclasses.replace(source, url=_resolve_file_url(source.url, root)))
    return tuple(out)
