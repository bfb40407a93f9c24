"""What a fetch returns, and the two signals besides FetchError."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import FetchError
from .classify import effective_charset

__all__ = ["Fetched", "GoneError", "NotModified"]


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
    def declared_charset(self) -> str:
        """The charset named by the Content-Type header, or ''."""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip("\"'")
        return ""

    @property
    def charset(self) -> str:
        """The header charset, unless the body proves it wrong (BOM, or valid UTF-8 text)."""
        return effective_charset(self.declared_charset, self.body)


class NotModified(Exception):
    """A conditional fetch found nothing new (HTTP 304, or the same body as last time).

    Not a FeedsError: it is a success that costs no parsing. `reason` is "304" or "same body".
    """

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: not modified ({reason})")


class GoneError(FetchError):
    """HTTP 410: the resource was removed for good; the source is marked gone."""

    gone = True

    def __init__(self, url: str, message: str = "HTTP 410 Gone"):
        super().__init__("http-4xx", url, message)
