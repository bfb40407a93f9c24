"""Refusing URLs whose host resolves to private, loopback, link-local or otherwise non-public
addresses (a feed URL or a redirect must not reach 169.254.169.254 or the intranet), unless the
source says `allow_private: true`. Even then link-local, multicast and unspecified addresses stay
refused: no feed lives there, but cloud metadata services (169.254.169.254) do."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from ..errors import FetchError

__all__ = ["check_url", "is_never_allowed", "is_public"]


def is_public(address: str) -> bool:
    """True for globally routable unicast addresses."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def is_never_allowed(address: str) -> bool:
    """True for addresses refused even to sources with allow_private."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_link_local or ip.is_multicast or ip.is_unspecified


def check_url(url: str, allow_private: bool) -> None:
    """Raise FetchError unless `url` is http(s) and its host may be fetched under the policy."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("blocked", url, f"scheme {parts.scheme!r} is not fetched over HTTP")
    host = parts.hostname
    if not host:
        raise FetchError("http-4xx", url, "URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise FetchError("dns", url, f"cannot resolve {host}: {getattr(e, 'strerror', e)}") from e
    except ValueError as e:  # a bad port
        raise FetchError("http-4xx", url, str(e)) from e
    for info in infos:
        address = str(info[4][0])
        if is_never_allowed(address):
            raise FetchError("blocked", url, f"{host} resolves to link-local/multicast address "
                             f"{address} (never fetched)")
        if not allow_private and not is_public(address):
            raise FetchError("blocked", url, f"{host} resolves to non-public address {address} "
                             "(set allow_private: true on the source to allow)")
