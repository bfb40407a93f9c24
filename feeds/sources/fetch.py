"""HTTP and file fetching. The only module that imports requests.

`Fetcher.get(url)` returns a `Fetched` (bytes plus what the response said about them) or
raises `FetchError` with a failure class. `file://` URLs go through the same door so that
ops can ingest exports from disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests

from .. import __version__
from ..errors import FetchError

__all__ = ["Fetched", "Fetcher", "USER_AGENT", "post"]

USER_AGENT = f"feeds/{__version__} (+https://github.com/feeds/feeds)"
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    """A fetched resource: final URL, status, headers (lower-case keys) and raw body."""

    url: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str:
        """The charset named by the Content-Type header, or ''."""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip("\"'")
        return ""


class Fetcher:
    """Fetches URLs with one pooled session, timeouts and a size cap."""

    def __init__(self, user_agent: str = USER_AGENT, timeout: tuple[float, float] = (5, 20)):
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.timeout = timeout

    def get(self, url: str) -> Fetched:
        """Return the resource at `url`; raise FetchError classified by what went wrong."""
        if url.startswith("file:"):
            return _read_file(url)
        try:
            with self.session.get(url, timeout=self.timeout, stream=True) as response:
                body = _read_capped(response, url)
        except requests.Timeout as e:
            raise FetchError("timeout", url, str(e)) from e
        except requests.ConnectionError as e:
            raise FetchError("connect", url, str(e)) from e
        except requests.RequestException as e:
            raise FetchError("connect", url, str(e)) from e
        if response.status_code >= 400:
            kind = "http-5xx" if response.status_code >= 500 else "http-4xx"
            raise FetchError(kind, url, f"HTTP {response.status_code}")
        headers = {k.lower(): v for k, v in response.headers.items()}
        return Fetched(response.url, response.status_code, body, headers)

    def close(self) -> None:
        self.session.close()


def _read_capped(response: requests.Response, url: str) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError("too-large", url, f"body exceeds {MAX_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _read_file(url: str) -> Fetched:
    path = Path(unquote(urlsplit(url).path))
    try:
        body = path.read_bytes()
    except OSError as e:
        raise FetchError("http-4xx", url, f"cannot read file: {e.strerror}") from e
    return Fetched(url, 200, body, {})


def post(url: str, body: bytes, content_type: str, timeout: float = 10.0) -> Fetched:
    """POST `body` (for publish notifications); return the answer whatever its status, or
    raise FetchError("connect"/"timeout") when none came."""
    headers = {"Content-Type": content_type, "User-Agent": USER_AGENT}
    try:
        response = requests.post(url, data=body, headers=headers, timeout=timeout)
    except requests.Timeout as e:
        raise FetchError("timeout", url, str(e)) from e
    except requests.RequestException as e:
        raise FetchError("connect", url, str(e)) from e
    headers_out = {k.lower(): v for k, v in response.headers.items()}
    return Fetched(response.url, response.status_code, response.content[:MAX_BYTES], headers_out)
