"""The address guard: IPv6 forms that carry a private IPv4 address are private, and the
connection goes to the address that was checked (not to a second DNS answer)."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from feeds.errors import FetchError
from feeds.fetch import Fetcher, Policy
from feeds.fetch.guard import check_url, is_never_allowed, is_public


@pytest.mark.parametrize("address, public, never", [
    ("64:ff9b::7f00:1", False, False),  # NAT64 of 127.0.0.1
    ("64:ff9b::a9fe:a9fe", False, True),  # NAT64 of 169.254.169.254
    ("64:ff9b::808:808", True, False),  # NAT64 of 8.8.8.8: a real public path
    ("64:ff9b:1::a00:1", False, False),  # local-use NAT64
    ("2002:7f00:1::", False, False),  # 6to4 of 127.0.0.1
    ("2002:a9fe:a9fe::1", False, True),  # 6to4 of 169.254.169.254
    ("2002:808:808::1", True, False),
    ("::ffff:10.0.0.1", False, False),  # IPv4-mapped
    ("::ffff:0:c0a8:1", False, False),  # IPv4-translated 192.168.0.1
    ("::127.0.0.1", False, False),  # IPv4-compatible
    ("::10.1.2.3", False, False),
    ("fec0::1", False, False),  # site-local
    ("feff::1", False, False),
    ("::", False, True), ("::1", False, False),
    ("2001:4860:4860::8888", True, False),
])
def test_ipv6_forms_are_judged_by_the_ipv4_they_carry(address, public, never):
    assert is_public(address) == public
    assert is_never_allowed(address) == never


def _answers(monkeypatch, host: str, *addresses: str) -> list[int]:
    """Make `host` resolve to each address in turn (then the last one), counting lookups."""
    real = socket.getaddrinfo
    calls: list[int] = []

    def fake(name, port, *args, **kwargs):
        if name != host:
            return real(name, port, *args, **kwargs)
        address = addresses[min(len(calls), len(addresses) - 1)]
        calls.append(1)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return calls


def test_a_private_ipv6_form_is_refused_before_connecting(monkeypatch):
    _answers(monkeypatch, "nat64.test", "64:ff9b::7f00:1")
    with pytest.raises(FetchError) as e:
        check_url("http://nat64.test/feed.xml", allow_private=False)
    assert e.value.kind == "blocked" and "64:ff9b::7f00:1" in str(e.value)


def _server(address: str, port: int, name: bytes, hosts: list[str]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hosts.append(self.headers["Host"])
            self.send_response(200)
            self.send_header("Content-Length", str(len(name)))
            self.end_headers()
            self.wfile.write(name)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def test_the_connection_goes_to_the_checked_address(monkeypatch):
    """rebind.test answers 127.0.0.1 to the guard and 127.0.0.2 to any later lookup: the
    request must reach the server on 127.0.0.1, with the original Host header."""
    hosts: list[str] = []
    first = _server("127.0.0.1", 0, b"checked", hosts)
    port = first.server_address[1]
    try:
        second = _server("127.0.0.2", port, b"rebound", hosts)
    except OSError:
        first.shutdown()
        pytest.fail("127.0.0.2 is loopback on Linux; it must be bindable")
    calls = _answers(monkeypatch, "rebind.test", "127.0.0.1", "127.0.0.2")
    fetcher = Fetcher(policy=Policy(allow_private=True, respect_robots=False))
    try:
        fetched = fetcher.get(f"http://rebind.test:{port}/x")
    finally:
        fetcher.close()
        first.shutdown()
        second.shutdown()
    assert fetched.body == b"checked"
    assert hosts == [f"rebind.test:{port}"]
    assert len(calls) == 1  # the guard's lookup is the only one
