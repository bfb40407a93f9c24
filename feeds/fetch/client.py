"""The Fetcher: one pooled requests.Session, and every HTTP rule in one place.

A `get` goes: recorded permanent redirects -> address guard -> robots.txt -> per-host gate ->
request to the checked address (timeouts) -> capped body -> retries (connect errors, 5xx, 429)
-> redirects (capped, loops detected; 301/308 recorded once the target is accepted) -> status and challenge classification -> conditional-GET
bookkeeping (304 or same body -> NotModified).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from urllib.request import getproxies

import requests

from .. import __version__
from ..config import Config, FetchSettings, Source
from ..errors import FetchError
from .body import read_body
from .cache import HttpCache, body_hash
from .classify import challenge_reason
from .guard import check_url
from .hosts import Gates, HostGates, host_of, run_lanes
from .pinning import PinnedAdapter, pinned
from .response import Fetched, GoneError, NotModified
from .retry import RETRY_STATUSES, parse_retry_after, retry_delay
from .robots import MAX_ROBOTS_BYTES, RobotsCache

__all__ = ["USER_AGENT", "Fetcher", "Policy", "user_agent"]

if TYPE_CHECKING:
    from ..store import Store
    from .source import SourceFetcher

log = logging.getLogger("feeds.fetch")

PROJECT_URL = "https://github.com/feeds/feeds"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
ERROR_BODY_BYTES = 256 * 1024  # enough to recognise a challenge page in an error response
ACCEPT = ("application/atom+xml, application/rss+xml, application/feed+json, "
          "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5")


def user_agent(contact_url: str = "") -> str:
    """An honest User-Agent: the service, its version and where to reach its operator."""
    return f"feeds/{__version__} (+{contact_url or PROJECT_URL})"


USER_AGENT = user_agent()


@dataclass(frozen=True)
class Policy:
    """What a source allows: private addresses (tests, intranets), ignoring robots.txt, and
    which local files it may read (`local`: file paths, or folders ending in '/'). A link a
    source offers or a redirect never widens this: file: is read only where `local` says."""

    allow_private: bool = False
    respect_robots: bool = True
    local: tuple[str, ...] = ()

    def may_read(self, url: str) -> bool:
        """True when the file: URL names a file this policy allows (after resolving .. and
        symbolic links, so neither can climb out of an allowed folder)."""
        path = _local_path(url)
        for allowed in self.local:
            root = Path(allowed).resolve()
            if path == root or (allowed.endswith("/") and path.is_relative_to(root)):
                return True
        return False


class Fetcher:
    """Fetches URLs politely and defensively; safe to share between threads."""

    def __init__(self, settings: FetchSettings | None = None, user_agent: str = USER_AGENT,
                 store: Store | None = None, policy: Policy = Policy(), rng: random.Random | None = None,
                 gates: Gates | None = None):
        self.settings = settings or FetchSettings()
        self.policy = policy
        self.session = requests.Session()
        # Without proxies in the environment, skip requests' per-request environment scan
        # (proxy variables, .netrc): it costs more than the request itself on a fast host, and
        # .netrc credentials have no business being sent to feed sites.
        self.session.trust_env = bool(getproxies())
        adapter = PinnedAdapter(pool_connections=64, max_retries=0,
                                pool_maxsize=max(10, self.settings.per_host * 4))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"User-Agent": user_agent, "Accept": ACCEPT,
                                     "Accept-Encoding": "gzip, deflate"})
        self.cache = HttpCache(store)
        self.robots = RobotsCache(self.settings.robots_ttl, self.cache)
        self.gates: Gates = gates or HostGates(self.settings.per_host)
        self.rng = rng or random.Random()

    @classmethod
    def from_config(cls, config: Config, store: Store | None = None,
                    gates: Gates | None = None) -> Fetcher:
        """The fetcher a unit of work uses (build it through feeds.runtime): the config's
        fetch settings, a User-Agent naming site.contact_url, validators in `store`."""
        agent = user_agent(config.site.contact_url or config.site.base_url)
        return cls(config.fetch, agent, store, gates=gates)

    def for_source(self, source: Source, conditional: bool = False) -> SourceFetcher:
        """This fetcher bound to `source`'s policy; with `conditional`, the source's own URL
        is fetched with a conditional GET (its kind says whether that makes sense)."""
        from .source import SourceFetcher  # a thin view over this class
        return SourceFetcher(self, source, conditional)

    def get(self, url: str, *, policy: Policy | None = None, conditional: bool = False,
            pending: dict[str, dict[str, Any]] | None = None) -> Fetched:
        """Return the resource at `url`; raise FetchError (classified) or NotModified.

        With `conditional`, stored validators are sent, and a 304 or an unchanged body raises
        NotModified. New validators go to `pending` (saved by the caller once the content was
        processed) or, without `pending`, straight to the store.
        """
        policy = policy or self.policy
        if url.startswith("file:"):
            if not policy.may_read(url):
                raise FetchError("blocked", url, "file: URLs are read only for a source's own "
                                 "configured URL, never for links it offers")
            return _read_file(url, self.settings.max_bytes)
        start = self.cache.resolve(url)
        entry = self.cache.get(start) if conditional else {}
        sent = HttpCache.validators(entry)
        moves: dict[str, str] = {}
        fetched = self._follow(start, sent, policy, self.settings.max_bytes, moves=moves)
        if fetched.status == 304 and sent:
            self._remember(moves, pending)
            raise NotModified(url, "304")
        _raise_for_status(fetched)
        self._remember(moves, pending)  # only now: the target was fetched and accepted
        if not conditional:
            return fetched
        fresh = {"etag": fetched.headers.get("etag", ""), "sha256": body_hash(fetched.body),
                 "last_modified": fetched.headers.get("last-modified", "")}
        if pending is None:
            self.cache.update(start, **fresh)
        else:
            pending.setdefault(start, {}).update(fresh)
        if entry.get("sha256") == fresh["sha256"]:
            raise NotModified(url, "same body")
        return fetched

    def get_many(self, urls: list[str], *, policy: Policy | None = None
                 ) -> Iterator[tuple[str, Fetched | FetchError]]:
        """Fetch many URLs in parallel across hosts within the per-host limits, yielding each
        (url, Fetched or FetchError) as it completes."""
        def work(url: str) -> Fetched | FetchError:
            try:
                return self.get(url, policy=policy)
            except FetchError as e:
                return e

        workers = self.settings.workers * self.settings.per_host
        yield from run_lanes(urls, work, self.settings.per_host, workers)

    def close(self) -> None:
        self.session.close()
        self.gates.close()

    def _remember(self, moves: dict[str, str], pending: dict[str, dict[str, Any]] | None) -> None:
        """Record permanent redirects whose target answered with content we accepted; with
        `pending`, only once the caller commits (the content was processed, too)."""
        for old, new in moves.items():
            log.warning("%s moved permanently to %s (update sources.yaml)", old, new)
            if pending is None:
                self.cache.update(old, moved_to=new)
            else:
                pending.setdefault(old, {})["moved_to"] = new

    # --- one URL, following redirects ---------------------------------------------------

    def _follow(self, url: str, headers: dict[str, str], policy: Policy, max_bytes: int,
                robots: bool = True, moves: dict[str, str] | None = None) -> Fetched:
        """The final response after redirects; permanent ones go to `moves` (old -> new) for
        the caller to remember once the target is accepted."""
        chain = [url]
        for _ in range(self.settings.max_redirects + 1):
            fetched = self._with_retries(url, headers, policy, max_bytes, robots)
            location = fetched.headers.get("location", "").strip()
            if fetched.status not in REDIRECTS or not location:
                return fetched
            target = urldefrag(urljoin(url, location))[0]
            if target in chain:
                raise FetchError("http-4xx", chain[0], "redirect loop: " + " -> ".join(chain + [target]))
            if fetched.status in PERMANENT and moves is not None:
                moves[url] = target
            chain.append(target)
            url = target
        raise FetchError("http-4xx", chain[0], f"more than {self.settings.max_redirects} "
                         f"redirects: {' -> '.join(chain)}")

    def _with_retries(self, url: str, headers: dict[str, str], policy: Policy, max_bytes: int,
                      robots: bool) -> Fetched:
        s = self.settings
        for attempt in count():
            try:
                fetched = self._once(url, headers, policy, max_bytes, robots)
            except FetchError as e:
                if not getattr(e, "retryable", False) or attempt >= s.retries:
                    raise
                delay = retry_delay(attempt, None, _utcnow(), s.retry_backoff, s.retry_after_cap,
                                    self.rng)
                log.info("%s: %s; retry %d in %.1fs", url, e, attempt + 1, delay or 0)
            else:
                if (fetched.status not in RETRY_STATUSES or attempt >= s.retries
                        or challenge_reason(fetched.headers, fetched.body)):
                    return fetched
                delay = retry_delay(attempt, fetched.headers.get("retry-after"), _utcnow(),
                                    s.retry_backoff, s.retry_after_cap, self.rng)
                if delay is None:  # the server asks for longer than we are willing to wait
                    return fetched
                log.info("%s: HTTP %d; retry %d in %.1fs", url, fetched.status, attempt + 1, delay)
            self.gates.defer(host_of(url), delay or 0.0)
        raise AssertionError("unreachable")

    def _once(self, url: str, headers: dict[str, str], policy: Policy, max_bytes: int,
              robots: bool) -> Fetched:
        address = check_url(url, policy.allow_private)
        host = host_of(url)
        delay = self.settings.min_delay
        if robots and policy.respect_robots:
            rules = self.robots.rules(host, lambda robots_url: self._robots_txt(robots_url, policy))
            if not rules.allowed(url):
                reason = rules.disallow_all or "robots.txt disallows it for user-agent 'feeds'"
                raise FetchError("robots-disallowed", url, reason)
            delay = max(delay, min(rules.crawl_delay(), self.settings.max_crawl_delay))
        with self.gates.slot(host, delay):
            with pinned(urlsplit(url).hostname or "", address):  # connect where we checked
                response = self._send(url, headers)
            with response:
                return self._receive(response, url, max_bytes)

    def _send(self, url: str, headers: dict[str, str]) -> requests.Response:
        s = self.settings
        try:
            return self.session.get(url, headers=headers, stream=True, allow_redirects=False,
                                    timeout=(s.connect_timeout, s.read_timeout))
        except requests.exceptions.ConnectTimeout as e:
            raise _retryable(FetchError("timeout", url, f"connect timed out after {s.connect_timeout}s")) from e
        except requests.exceptions.ReadTimeout as e:
            raise FetchError("timeout", url, f"no response within {s.read_timeout}s") from e
        except requests.exceptions.SSLError as e:
            raise FetchError("connect", url, f"TLS error: {_root(e)}") from e
        except requests.ConnectionError as e:
            if "NameResolution" in repr(e) or "getaddrinfo" in repr(e):
                raise FetchError("dns", url, f"cannot resolve host: {_root(e)}") from e
            raise _retryable(FetchError("connect", url, _root(e))) from e
        except requests.RequestException as e:
            raise FetchError("connect", url, _root(e)) from e

    def _receive(self, response: requests.Response, url: str, max_bytes: int) -> Fetched:
        headers = {k.lower(): v for k, v in response.headers.items()}
        status = response.status_code
        deadline = time.monotonic() + self.settings.total_timeout
        if status in REDIRECTS or status == 304:
            return Fetched(url, status, b"", headers)
        if status >= 400:
            try:
                body = read_body(response.raw, url, headers, min(max_bytes, ERROR_BODY_BYTES),
                                 deadline)
            except FetchError:
                body = b""  # the status says enough
            return Fetched(url, status, body, headers)
        try:
            body = read_body(response.raw, url, headers, max_bytes, deadline)
        except FetchError as e:
            raise (_retryable(e) if "truncated" in str(e) else e) from None
        return Fetched(url, status, body, headers)

    def _robots_txt(self, url: str, policy: Policy) -> tuple[int, bytes]:
        """Fetch robots.txt; 4xx-like failures mean "no rules", 5xx "disallow all"."""
        try:
            fetched = self._follow(url, {}, policy, MAX_ROBOTS_BYTES, robots=False)
        except FetchError as e:
            if e.kind in ("dns", "connect", "timeout"):
                raise  # the host is unreachable: the page would fail the same way
            return 404, b""  # loops, too large, blocked redirects: no usable rules
        if challenge_reason(fetched.headers, fetched.body):
            return 404, b""  # a challenged robots.txt says nothing; the page gets classified
        return fetched.status, fetched.body if fetched.status < 300 else b""


def _raise_for_status(fetched: Fetched) -> None:
    reason = challenge_reason(fetched.headers, fetched.body)
    if reason:
        raise FetchError("blocked", fetched.url, f"{reason} (HTTP {fetched.status})")
    status = fetched.status
    if status == 410:
        raise GoneError(fetched.url)
    asked = fetched.headers.get("retry-after")
    extra = f" (Retry-After: {asked})" if asked else ""
    if status >= 300:  # 5xx, 4xx, a redirect without Location, a 304 we did not ask for
        error = FetchError("http-5xx" if status >= 500 else "http-4xx", fetched.url,
                           f"HTTP {status}{extra}")
        # longer than we wait within a run: the source's backoff honours it (decide.backoff)
        error.retry_after = parse_retry_after(asked, _utcnow())
        raise error


def _retryable(error: FetchError) -> FetchError:
    error.retryable = True  # type: ignore[attr-defined]
    return error


def _root(e: BaseException) -> str:
    """The innermost message of a requests/urllib3 exception chain, shortened."""
    while e.__cause__ is not None or (e.args and isinstance(e.args[0], BaseException)):
        e = e.__cause__ or e.args[0]
    text = str(getattr(e, "reason", None) or e)
    return text if len(text) < 200 else text[:197] + "..."


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _local_path(url: str) -> Path:
    return Path(unquote(urlsplit(url).path)).resolve()


def _read_file(url: str, max_bytes: int) -> Fetched:
    path = _local_path(url)
    try:
        if path.stat().st_size > max_bytes:
            raise FetchError("too-large", url, f"file exceeds {max_bytes} bytes")
        body = path.read_bytes()
    except OSError as e:
        raise FetchError("http-4xx", url, f"cannot read file: {e.strerror}") from e
    return Fetched(url, 200, body, {})
