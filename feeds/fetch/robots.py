"""robots.txt (RFC 9309), fetched once per host and cached: Allow/Disallow for our agent token
and Crawl-delay.

Per RFC 9309 section 2.3.1: a 4xx robots.txt means "no rules" (allow all); a 5xx means
"disallow all" until it can be fetched again. Unreachable hosts fail the source the same way
fetching the page itself would (the error propagates).

What was fetched is also kept in the HTTP cache (the store's `http_cache`, under the
robots.txt URL), so every process on the store (daemon children, `feeds run`, workers) fetches
a host's robots.txt once per `robots_ttl`, not once per process.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.robotparser import RobotFileParser

if TYPE_CHECKING:
    from .cache import HttpCache

__all__ = ["AGENT_TOKEN", "Robots", "RobotsCache"]

AGENT_TOKEN = "feeds"
MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309 asks parsers to handle at least 500 KiB


@dataclass
class Robots:
    """The rules of one host: a parser, or a blanket decision from the fetch status."""

    parser: RobotFileParser | None
    disallow_all: str = ""  # the reason when everything is disallowed
    fetched_at: float = 0.0

    def allowed(self, url: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(AGENT_TOKEN, url)

    delay: float = 0.0  # Crawl-delay for our agent (or *), in seconds

    def crawl_delay(self) -> float:
        return self.delay


def crawl_delay(text: str, agent: str = AGENT_TOKEN) -> float:
    """Crawl-delay of the group naming `agent`, else of `*` (urllib.robotparser only reads
    whole numbers; real files say `Crawl-delay: 0.5` too)."""
    delays: dict[str, float] = {}
    agents: list[str] = []
    in_rules = False
    for line in text.splitlines():
        key, _, value = line.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            agents = [] if in_rules else agents
            agents.append(value.lower())
            in_rules = False
        elif key:
            in_rules = True
            if key == "crawl-delay":
                try:
                    for name in agents:
                        delays.setdefault(name, max(0.0, float(value)))
                except ValueError:
                    pass
    own = next((d for name, d in delays.items() if name.split("/")[0].strip() == agent), None)
    return own if own is not None else delays.get("*", 0.0)


def parse(status: int, body: bytes, now: float) -> Robots:
    """Rules from a robots.txt response."""
    if status >= 500:
        return Robots(None, f"robots.txt answered HTTP {status} (RFC 9309: disallow all)", now)
    if status >= 400 or not body:
        return Robots(None, "", now)
    text = body.decode("utf-8", "replace")
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return Robots(parser, "", now, crawl_delay(text))


class RobotsCache:
    """Rules per host (scheme://authority), fetched by `fetch(robots_url) -> (status, body)`.

    One lock per host so that concurrent requests to a new host fetch robots.txt once. Parsed
    rules stay in memory; the fetched status and text go to `cache` (when given) with their
    wall-clock time, for the other processes on the same store. Processes that meet a new host
    together settle who fetches with a claim in the cache (last writer wins); the others wait
    for its copy.
    """

    def __init__(self, ttl: float, cache: HttpCache | None = None,
                 clock: Callable[[], float] = time.time):
        self.ttl = ttl
        self.cache = cache
        self.clock = clock
        self._rules: dict[str, Robots] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def rules(self, host: str, fetch: Callable[[str], tuple[int, bytes]]) -> Robots:
        with self._lock:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            cached = self._rules.get(host)
            if cached is None or not self._fresh(cached):
                cached = self._shared(host, fetch) if self.cache else self._fetch(host, fetch)
                self._rules[host] = cached
            return cached

    def _fresh(self, rules: Robots) -> bool:
        return 0 <= self.clock() - rules.fetched_at < self.ttl

    def _fetch(self, host: str, fetch: Callable[[str], tuple[int, bytes]]) -> Robots:
        status, body = fetch(host + "/robots.txt")
        rules = parse(status, body, self.clock())
        # a 5xx "disallow all" is not shared: the next process asks again instead of
        # keeping a whole host blocked for robots_ttl after one bad minute
        if self.cache is not None and status < 500:
            self.cache.update(host + "/robots.txt", robots_status=status,
                              robots_text=body.decode("utf-8", "replace"),
                              robots_at=rules.fetched_at)
        return rules

    def _shared(self, host: str, fetch: Callable[[str], tuple[int, bytes]]) -> Robots:
        """The stored copy when fresh; else wait while another process holds a fresh claim
        (at most CLAIM_TTL), else claim the fetch and do it."""
        assert self.cache is not None
        url, give_up = host + "/robots.txt", self.clock() + CLAIM_TTL
        while True:
            entry = self.cache.get(url)
            stored = _from_entry(entry)
            if stored is not None and self._fresh(stored):
                return stored
            now = self.clock()
            if now < give_up and _claimed(entry, now):
                time.sleep(CLAIM_POLL)
                continue
            token = uuid.uuid4().hex
            self.cache.update(url, robots_claim=token, robots_claim_at=now)
            time.sleep(CLAIM_SETTLE)  # let a simultaneous claim land: the last one wins
            if self.clock() < give_up and self.cache.get(url).get("robots_claim") != token:
                continue
            try:
                return self._fetch(host, fetch)
            finally:
                self.cache.update(url, robots_claim="")


CLAIM_TTL = 30.0  # seconds a claim holds the others back (the claimant may have died)
CLAIM_POLL = 0.05
CLAIM_SETTLE = 0.05


def _claimed(entry: dict[str, Any], now: float) -> bool:
    return bool(entry.get("robots_claim")) and (
        0 <= now - float(entry.get("robots_claim_at", 0)) < CLAIM_TTL)


def _from_entry(entry: dict[str, Any]) -> Robots | None:
    if "robots_at" not in entry:
        return None
    return parse(int(entry["robots_status"]), entry["robots_text"].encode("utf-8"),
                 float(entry["robots_at"]))
