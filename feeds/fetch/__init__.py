"""HTTP and file fetching: the only package that imports requests.

`Fetcher.get(url)` returns a `Fetched` (bytes plus what the response said about them) or raises
`FetchError` with a failure class; `Fetcher.for_source(source)` binds a source's policy
(allow_private, respect_robots, conditional GET of its own URL). A conditional fetch whose
resource did not change raises `NotModified`, which the pipeline counts as success with no
changes. `file://` URLs go through the same door so that ops can ingest exports from disk,
but only the files the policy names (a source's own URL), never a link it offered.

    client.py    Fetcher: redirects, retries, conditional GET, policy
    source.py    SourceFetcher (a source's policy; validators saved on commit), check notes
    response.py  Fetched, NotModified, GoneError
    body.py      streaming reads with size, decompression and time caps
    guard.py     refusing private, loopback and link-local addresses
    pinning.py   connections go to the address the guard checked
    robots.py    robots.txt per host, cached; Crawl-delay
    hosts.py     per-host concurrency and spacing; parallel lanes for many URLs
    retry.py     pure retry decisions (backoff with jitter, Retry-After)
    classify.py  bot-challenge pages and wrong charset headers
    post.py      POST for publish notifications
"""

from __future__ import annotations

from .client import USER_AGENT, Fetcher, Policy, user_agent
from .post import post
from .response import Fetched, GoneError, NotModified
from .source import SourceFetcher, policy_notes

__all__ = ["USER_AGENT", "Fetched", "Fetcher", "GoneError", "NotModified", "Policy",
           "SourceFetcher", "policy_notes", "post", "user_agent"]
