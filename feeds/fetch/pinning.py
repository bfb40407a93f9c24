"""Connections go to the address the guard checked, never to a second DNS answer.

A host may resolve to a public address when the guard asks and to 127.0.0.1 when the
connection is made (DNS rebinding). `pinned(host, address)` records, for the current thread,
the address approved for `host`; the connection classes mounted by `PinnedAdapter` connect to
it. Only the TCP connect changes: the URL, the Host header, TLS SNI and certificate checking
all keep the original name (urllib3 keeps `host` for those and `_dns_host` for the connect).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["PinnedAdapter", "pinned"]

_PINS = threading.local()


def _key(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


@contextmanager
def pinned(host: str, address: str) -> Iterator[None]:
    """While inside, new connections of this thread to `host` go to `address`."""
    pins: dict[str, str] = getattr(_PINS, "pins", {})
    _PINS.pins = {**pins, _key(host): address}
    try:
        yield
    finally:
        _PINS.pins = pins


class _Pinned:
    host: str
    _dns_host: str

    def _new_conn(self) -> Any:
        address = getattr(_PINS, "pins", {}).get(_key(self.host))
        if address:  # a proxy's host is never pinned: the proxy connects on our behalf
            self._dns_host = address
        return super()._new_conn()  # type: ignore[misc]


class _PinnedHTTPConnection(_Pinned, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_Pinned, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class PinnedAdapter(HTTPAdapter):
    """requests' adapter whose pools connect to the pinned address of a host."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PinnedHTTPPool,
                                                   "https": _PinnedHTTPSPool}
