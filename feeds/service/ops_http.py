"""The daemon's optional HTTP endpoint for ops (bound to 127.0.0.1 unless told otherwise).

    /healthz   200 while the process serves requests (liveness)
    /readyz    200 when the config is loaded and the store answers, else 503 with the reason
    /status    JSON: every source's last success, last error and class, next run, counts
    /metrics   Prometheus text format
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from .metrics import CONTENT_TYPE

__all__ = ["OpsServer", "Probe"]

log = logging.getLogger("feeds.http")


class Probe(Protocol):
    """What the endpoint asks the daemon."""

    def ready(self) -> tuple[bool, str]: ...

    def status(self) -> dict[str, Any]: ...

    def metrics_text(self) -> bytes: ...


def _routes(probe: Probe) -> dict[str, Callable[[], tuple[int, str, bytes]]]:
    def healthz() -> tuple[int, str, bytes]:
        return 200, "text/plain; charset=utf-8", b"ok\n"

    def readyz() -> tuple[int, str, bytes]:
        ok, reason = probe.ready()
        return (200 if ok else 503), "text/plain; charset=utf-8", f"{reason}\n".encode()

    def status() -> tuple[int, str, bytes]:
        body = json.dumps(probe.status(), ensure_ascii=False, indent=2).encode("utf-8")
        return 200, "application/json; charset=utf-8", body

    def metrics() -> tuple[int, str, bytes]:
        return 200, CONTENT_TYPE, probe.metrics_text()

    return {"/healthz": healthz, "/readyz": readyz, "/status": status, "/metrics": metrics}


class OpsServer:
    """A threaded HTTP server in a background thread; `close()` stops it."""

    def __init__(self, address: tuple[str, int], probe: Probe):
        routes = _routes(probe)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                route = routes.get(self.path.split("?")[0])
                try:
                    status, ctype, body = route() if route else (404, "text/plain", b"not found\n")
                except Exception:  # a bug in a probe must not kill the endpoint
                    log.exception("http: %s failed", self.path)
                    status, ctype, body = 500, "text/plain", b"internal error\n"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass  # access logs would drown the event log

        self.httpd = ThreadingHTTPServer(address, Handler)
        self.httpd.daemon_threads = True
        self.address = self.httpd.server_address[:2]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="feeds-http",
                                       daemon=True)

    def start(self) -> None:
        self.thread.start()
        log.info("http: listening on http://%s:%s/", *self.address)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
