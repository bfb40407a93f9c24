"""Feed servers on many loopback hosts (127.0.0.1 .. 127.0.0.N), in a process of their own, as
remote hosts would be: each answers after a fixed latency and records every request, the
number in flight per host and its peak. `/_stats` on any host returns the records as JSON;
`/_reset` forgets them; `slow` paths answer slowly (a collection to kill mid-way).

Used by the worker tests and benchmarks/scale_workers.py.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Farm", "feed_xml"]


def feed_xml(host: int, feed: int, items: int) -> bytes:
    """A small RSS 2.0 feed with dated items whose ids and dates never change."""
    entries = "".join(
        f"<item><title>Host {host} feed {feed} item {i}</title>"
        f"<link>http://news{host}.example.cn/{feed}/{i}.html</link>"
        f"<guid isPermaLink=\"false\">h{host}-f{feed}-i{i}</guid>"
        f"<pubDate>Mon, {1 + i % 28:02d} Jun 2026 0{i % 10}:00:00 +0800</pubDate>"
        f"<description>Body of item {i} of feed {feed} on host {host}.</description></item>"
        for i in range(items))
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
            f"<title>Host {host} feed {feed}</title><link>http://news{host}.example.cn/</link>"
            f"<description>d</description>{entries}</channel></rss>").encode()


class _Records:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inflight: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.requests: list[tuple[str, str, float, float]] = []  # host, path, start, end
        self.active: list[str] = []  # host + path of the requests in flight


def _handler(records: _Records, latency: float, items: int, slow: dict[str, float]
             ) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path == "/_reset":  # a new round: forget the records, not the feeds
                with records.lock:
                    records.requests.clear()
                    records.peak.clear()
                return self._send(200, "text/plain", b"ok")
            if self.path == "/_stats":
                with records.lock:
                    body = json.dumps({"peak": records.peak, "requests": records.requests,
                                       "active": sorted(records.active)})
                return self._send(200, "application/json", body.encode())
            host = self.server.server_address[0]  # type: ignore[index]
            start = time.time()
            with records.lock:
                records.inflight[host] = records.inflight.get(host, 0) + 1
                records.peak[host] = max(records.peak.get(host, 0), records.inflight[host])
                records.active.append(f"{host}{self.path}")
            try:
                time.sleep(slow.get(self.path, latency))
                status, body = self._route(host)
                self._send(status, "application/rss+xml", body)
            finally:
                with records.lock:
                    records.inflight[host] -= 1
                    records.active.remove(f"{host}{self.path}")
                    records.requests.append((host, self.path, start, time.time()))

        def _route(self, host: str) -> tuple[int, bytes]:
            parts = self.path.strip("/").split("/")
            if len(parts) == 2 and parts[0] == "feed" and parts[1].endswith(".xml"):
                return 200, feed_xml(int(host.rsplit(".", 1)[1]), int(parts[1][:-4]), items)
            return 404, b""

        def _send(self, status: int, ctype: str, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client was killed mid-request

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many workers connect at once


def _bind_all(hosts: int, handler: type[BaseHTTPRequestHandler]) -> list[_Server]:
    """One server per address 127.0.0.1..N, all on one port (tried again if it is taken)."""
    for _attempt in range(20):
        servers: list[_Server] = []
        try:
            for i in range(hosts):
                port = servers[0].server_address[1] if servers else 0
                servers.append(_Server((f"127.0.0.{i + 1}", port), handler))
        except OSError:
            for server in servers:
                server.server_close()
            continue
        return servers
    raise OSError("no port free on every loopback address")


def _serve(hosts: int, latency: float, items: int, slow: dict[str, float],
           ports: Any) -> None:
    records = _Records()
    handler = _handler(records, latency, items, slow)
    servers = _bind_all(hosts, handler)
    assert len({s.server_address[1] for s in servers}) == 1
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports.put(servers[0].server_address[1])
    threading.Event().wait()


@dataclass
class Farm:
    """`hosts` feed servers on 127.0.0.1..N sharing one port; `start()` then `url(h, f)`."""

    hosts: int
    latency: float = 0.05
    items: int = 3
    slow: dict[str, float] | None = None
    port: int = 0
    process: Any = None

    def start(self) -> Farm:
        ctx = mp.get_context("spawn")
        ports = ctx.Queue()
        self.process = ctx.Process(target=_serve, daemon=True, args=(
            self.hosts, self.latency, self.items, self.slow or {}, ports))
        self.process.start()
        self.port = ports.get(timeout=30)
        return self

    def url(self, host: int, feed: int) -> str:
        """The feed `feed` on host number `host` (1-based)."""
        return f"http://127.0.0.{host}:{self.port}/feed/{feed}.xml"

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stats", timeout=10) as r:
            return json.loads(r.read())

    def reset(self) -> None:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_reset", timeout=10):
            pass

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
