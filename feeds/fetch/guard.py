"""Refusing URLs whose host resolves to private, loopback, link-local or otherwise non-public
addresses (a feed URL or a redirect must not reach 169.254.169.254 or the intranet), unless the
source says `allow_private: true`. Even then link-local, multicast and unspecified addresses stay
refused: no feed lives there, but cloud metadata services (169.254.169.254) do.

IPv6 forms that carry an IPv4 address (NAT64 64:ff9b::/96, 6to4 2002::/16, IPv4-mapped
::ffff:0:0/96 and IPv4-translated ::ffff:0:0:0/96, IPv4-compatible ::/96) are judged by the
IPv4 address they carry: `64:ff9b::7f00:1` is 127.0.0.1. Site-local fec0::/10 and local-use
NAT64 64:ff9b:1::/48 are never public.

`check_url` returns the address it approved; the client connects to that address and no other
(feeds/fetch/pinning.py), so a host that resolves to a public address for the check and to
127.0.0.1 for the connection gets nowhere.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from ..errors import FetchError

__all__ = ["check_url", "is_never_allowed", "is_public"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")


def _address(address: str) -> IPAddress:
    """The address to judge: an IPv6 address carrying an IPv4 one is that IPv4 address."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if not isinstance(ip, ipaddress.IPv6Address):
        return ip
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in _NAT64 or ip in _TRANSLATED or (ip in _COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def is_public(address: str) -> bool:
    """True for globally routable unicast addresses."""
    ip = _address(address)
    if isinstance(ip, ipaddress.IPv6Address) and (ip in _SITE_LOCAL or ip in _NAT64_LOCAL):
        return False
    return ip.is_global and not ip.is_multicast


def is_never_allowed(address: str) -> bool:
    """True for addresses refused even to sources with allow_private."""
    ip = _address(address)
    return ip.is_link_local or ip.is_multicast or ip.is_unspecified


def check_url(url: str, allow_private: bool) -> str:
    """Raise FetchError unless `url` is http(s) and every address of its host may be fetched
    under the policy; return the address to connect to (the first one approved)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as e:  # a bad port or an unparseable host
        raise FetchError("http-4xx", url, f"not a valid URL: {e}") from e
    if parts.scheme not in ("http", "https"):
        raise FetchError("blocked", url, f"scheme {parts.scheme!r} is not fetched over HTTP")
    host = parts.hostname
    if not host:
        raise FetchError("http-4xx", url, "URL has no host")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise FetchError("dns", url, f"cannot resolve {host}: {getattr(e, 'strerror', e)}") from e
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        if is_never_allowed(address):
            raise FetchError("blocked", url, f"{host} resolves to link-local/multicast address "
                             f"{address} (never fetched)")
        if not allow_private and not is_public(address):
            raise FetchError("blocked", url, f"{host} resolves to non-public address {address} "
                             "(set allow_private: true on the source to allow)")
    if not addresses:
        raise FetchError("dns", url, f"cannot resolve {host}: no addresses")
    return addresses[0]
