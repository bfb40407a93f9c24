"""POST for publish notifications (WebSub, IndexNow, Baidu push): the endpoints are the
operator's own configuration, so no robots or per-host politeness applies; size still capped."""

from __future__ import annotations

import requests

from ..errors import FetchError
from .client import USER_AGENT
from .response import Fetched

__all__ = ["post"]

MAX_ANSWER = 1024 * 1024  # an endpoint's answer is a short status document


def post(url: str, body: bytes, content_type: str, timeout: float = 10.0) -> Fetched:
    """POST `body`; return the answer whatever its status, or raise FetchError
    ("connect"/"timeout") when none came."""
    headers = {"Content-Type": content_type, "User-Agent": USER_AGENT}
    try:
        with requests.post(url, data=body, headers=headers, timeout=timeout, stream=True) as r:
            answer = r.raw.read(MAX_ANSWER, decode_content=True)
    except requests.Timeout as e:
        raise FetchError("timeout", url, str(e)) from e
    except requests.RequestException as e:
        raise FetchError("connect", url, str(e)) from e
    return Fetched(r.url, r.status_code, answer, {k.lower(): v for k, v in r.headers.items()})
