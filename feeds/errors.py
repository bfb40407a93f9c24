"""The error tree. Third-party exceptions are converted at the boundary with `raise ... from e`.

    FeedsError
    ├── ConfigError        sources.yaml is wrong; message is `file:line: key.path: what`
    ├── FetchError         a URL could not be fetched; carries a failure class (timeout, http-5xx ...)
    ├── ExtractError       bytes arrived but are not what the source kind expects
    ├── StoreError         the store refused (locked, corrupt, unreachable)
    └── PublishError       an output could not be rendered or written

Messages begin with the stage and name the source id and URL where there is one, so that one
log line says what failed and where.
"""

from __future__ import annotations

__all__ = [
    "FeedsError",
    "ConfigError",
    "FetchError",
    "ExtractError",
    "StoreError",
    "PublishError",
]


class FeedsError(Exception):
    """Base of every error this package raises on purpose."""

    kind = "error"


class ConfigError(FeedsError):
    """One or more configuration problems, each a one-line `file:line: key: message`."""

    kind = "config"

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class FetchError(FeedsError):
    """A fetch failed; `kind` is one of the failure classes shown by `feeds status`."""

    retry_after: float | None = None  # seconds the server asked us to wait (Retry-After)

    def __init__(self, kind: str, url: str, message: str):
        self.kind = kind
        self.url = url
        super().__init__(f"fetch {kind}: {url}: {message}")


class ExtractError(FeedsError):
    """The fetched bytes could not be turned into articles (not-a-feed, parse-error, no-items ...)."""

    def __init__(self, kind: str, url: str, message: str):
        self.kind = kind
        self.url = url
        super().__init__(f"extract {kind}: {url}: {message}")


class StoreError(FeedsError):
    kind = "store"


class PublishError(FeedsError):
    kind = "publish"
