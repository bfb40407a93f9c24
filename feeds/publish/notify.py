"""Telling the world after a publish that added or changed URLs: WebSub publish pings for the
changed feeds, IndexNow and Baidu's URL push (普通收录) for the changed article URLs.

Every call is optional (configured under `notify:`), retried with exponential backoff on
connection errors, 429 and 5xx, and never raises: a failed notification is a log line, not a
failed publish. Search-engine sitemap pings are not sent: Google retired its endpoint in 2023.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from ..config import Config
from ..errors import FetchError
from ..fetch import Fetched, post

__all__ = ["BAIDU_BATCH", "INDEXNOW_BATCH", "Outcome", "notify"]

log = logging.getLogger("feeds.notify")

INDEXNOW_BATCH = 10_000  # IndexNow accepts up to 10,000 URLs per POST
BAIDU_BATCH = 2_000  # Baidu's push answers 400 "over quota" beyond its per-call/day limits


@dataclass(frozen=True)
class Outcome:
    """One notification attempt series: what, where, and whether it finally succeeded."""

    kind: str
    url: str
    ok: bool
    status: int
    answer: str


Sleep = Callable[[float], None]


def notify(config: Config, changed_feeds: list[str], changed_urls: list[str],
           sleep: Sleep = time.sleep) -> list[Outcome]:
    """Send every configured notification; return the outcomes (never raises)."""
    outcomes: list[Outcome] = []
    opts = config.notify
    try:
        if opts.websub and changed_feeds:
            for hub in config.feeds.hubs:
                for feed in changed_feeds:
                    body = urlencode({"hub.mode": "publish", "hub.url": feed}).encode()
                    outcomes.append(_send(config, "websub", hub, body,
                                          "application/x-www-form-urlencoded", sleep))
        if opts.indexnow_key and changed_urls:
            outcomes += _indexnow(config, changed_urls, sleep)
        if opts.baidu_token and changed_urls:
            outcomes += _baidu(config, changed_urls, sleep)
    except Exception:
        log.exception("notify: unexpected error")
    return outcomes


def _indexnow(config: Config, urls: list[str], sleep: Sleep) -> list[Outcome]:
    """POST {host, key, keyLocation, urlList} (https://www.indexnow.org/documentation)."""
    opts, host = config.notify, urlsplit(config.site.home_url).netloc
    location = opts.indexnow_key_location or config.site.absolute(f"{opts.indexnow_key}.txt")
    out = []
    for start in range(0, len(urls), INDEXNOW_BATCH):
        payload = {"host": host, "key": opts.indexnow_key, "keyLocation": location,
                   "urlList": urls[start:start + INDEXNOW_BATCH]}
        out.append(_send(config, "indexnow", opts.indexnow_endpoint,
                         json.dumps(payload).encode(), "application/json; charset=utf-8", sleep))
    return out


def _baidu(config: Config, urls: list[str], sleep: Sleep) -> list[Outcome]:
    """POST a text/plain URL list to data.zz.baidu.com/urls?site=..&token=.. (普通收录)."""
    opts, parts = config.notify, urlsplit(config.site.home_url)
    site = opts.baidu_site or (parts.netloc if parts.scheme == "http"
                               else f"{parts.scheme}://{parts.netloc}")
    endpoint = f"{opts.baidu_endpoint}?{urlencode({'site': site, 'token': opts.baidu_token})}"
    out = []
    for start in range(0, len(urls), BAIDU_BATCH):
        outcome = _send(config, "baidu", endpoint, "\n".join(urls[start:start + BAIDU_BATCH])
                        .encode(), "text/plain", sleep)
        out.append(outcome)
        if outcome.ok and '"remain":0' in outcome.answer.replace(" ", ""):
            break  # today's quota is used up: further batches would only be refused
    return out


def _send(config: Config, kind: str, url: str, body: bytes, content_type: str,
          sleep: Sleep) -> Outcome:
    """POST with retries: connection errors, 429 and 5xx are retried after backoff * 2**n s."""
    opts = config.notify
    shown = url.split("?")[0]  # never log the Baidu token
    answer, status = "", 0
    for attempt in range(opts.retries):
        if attempt:
            sleep(opts.backoff * 2 ** (attempt - 1))
        try:
            response: Fetched = post(url, body, content_type, opts.timeout)
        except FetchError as e:
            answer, status = str(e).replace(url, shown), 0
            continue
        answer, status = response.body[:500].decode("utf-8", "replace"), response.status
        if status < 300:
            log.info("notify %s %s: HTTP %s %s", kind, shown, status, answer.strip())
            return Outcome(kind, shown, True, status, answer)
        if status != 429 and status < 500:
            break  # a 4xx will not get better by asking again
    log.warning("notify %s %s failed: HTTP %s %s", kind, shown, status, answer.strip())
    return Outcome(kind, shown, False, status, answer)
