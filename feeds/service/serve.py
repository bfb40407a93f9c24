"""`feeds serve`: output/ over HTTP for a person to look at, answering as deploy/nginx.conf does.

For local viewing and testing only (one process, no TLS, no access log worth the name): in
production nginx serves output/ with deploy/nginx.conf. The rules below mirror that file
location by location, so what a newcomer sees here is what readers will get there: the same
content types and charsets, max-age, ETag/Last-Modified and 304s, gzip, index.html, and no
dot-files (temp files of in-flight writes). tests/test_serve.py compares the headers with a
real nginx for the same files.
"""

from __future__ import annotations

import gzip
import mimetypes
import os
import posixpath
import re
import time
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import __version__

__all__ = ["Served", "make_server", "parse_listen", "resolve"]

# (path regex, content type, max-age seconds): nginx.conf's regex locations, in its order.
LOCATIONS: tuple[tuple[re.Pattern[str], str, int], ...] = (
    (re.compile(r"(^|/)(rss\.xml|[^/]+\.rss)$"), "application/rss+xml", 300),
    (re.compile(r"(^|/)(atom\.xml|[^/]+\.atom)$"), "application/atom+xml", 300),
    (re.compile(r"(^|/)(feed\.json|[^/]+\.feed\.json)$"), "application/feed+json", 300),
    (re.compile(r"\.xml$"), "application/xml", 3600),
    (re.compile(r"\.opml$"), "text/x-opml", 3600),
    (re.compile(r"\.xml\.gz$"), "application/gzip", 3600),
    (re.compile(r"\.xsl$"), "text/xsl", 86400),
    (re.compile(r"\.json$"), "application/json", 300),
)
DEFAULT_MAX_AGE = 600  # location / { expires 10m; }
# nginx's mime.types for what output/ holds (Python's table differs: .opml, .xsl, .js ...).
MIME_TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain",
              ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png",
              ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
              ".webp": "image/webp", ".ico": "image/x-icon", ".js": "application/javascript",
              ".gz": "application/gzip"}
CHARSET_TYPES = {"text/plain", "text/html", "text/xml", "text/xsl", "application/xml",
                 "application/rss+xml", "application/atom+xml", "application/feed+json",
                 "application/json", "text/x-opml"}
GZIP_TYPES = CHARSET_TYPES  # gzip_types lists the same types; nginx adds text/html itself
GZIP_MIN_LENGTH = 256
NO_GZIP = {"application/gzip"}  # location ~ \.xml\.gz$ { gzip off; }
DOTFILE = re.compile(r"/\.(?!well-known/)")
# share files moved into folders named by the id's first three characters (nginx.conf: 301)
OLD_SHARE = re.compile(r"^/share/([A-Za-z0-9][A-Za-z0-9_-]{2})([A-Za-z0-9_-]*)\.(html|json|head\.html)$")


class Served:
    """What one GET resolves to: a file (with its type and max-age), a redirect or an error."""

    def __init__(self, status: int, path: Path | None = None, ctype: str = "",
                 max_age: int = 0, location: str = ""):
        self.status, self.path, self.ctype = status, path, ctype
        self.max_age, self.location = max_age, location


def _content_type(rel: str) -> tuple[str, int]:
    for pattern, ctype, max_age in LOCATIONS:
        if pattern.search(rel):
            return ctype, max_age
    suffix = posixpath.splitext(rel)[1].lower()
    ctype = MIME_TYPES.get(suffix) or mimetypes.types_map.get(suffix, "application/octet-stream")
    return ctype, DEFAULT_MAX_AGE


def _clean(path: str) -> str | None:
    """The path with '.' and '..' segments applied; None when it climbs above the root."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part and part != ".":
            parts.append(part)
    trailing = "/" if path.endswith("/") and parts else ""
    return "/" + "/".join(parts) + trailing


def resolve(root: Path, target: str) -> Served:
    """Map a request target to a file under `root` the way nginx.conf's locations do."""
    raw = unquote(urlsplit(target).path)
    path = _clean(raw) if raw.startswith("/") and "\0" not in raw else None
    if path is None:
        return Served(HTTPStatus.BAD_REQUEST)  # nginx: 400 for a path above the root
    if DOTFILE.search(path):
        return Served(HTTPStatus.NOT_FOUND)
    if old := OLD_SHARE.match(path):
        return Served(HTTPStatus.MOVED_PERMANENTLY,
                      location=f"/share/{old[1]}/{old[1]}{old[2]}.{old[3]}")
    file = root / path.lstrip("/")
    if file.is_dir():
        if not path.endswith("/"):  # nginx: 301 to the directory with its slash
            return Served(HTTPStatus.MOVED_PERMANENTLY, location=path + "/")
        file, path = file / "index.html", path + "index.html"
        if not file.is_file():
            return Served(HTTPStatus.FORBIDDEN)  # nginx.conf has no autoindex
    if not file.is_file():
        return Served(HTTPStatus.NOT_FOUND)
    ctype, max_age = _content_type(path)
    return Served(HTTPStatus.OK, file, ctype, max_age)


def _etag(stat: os.stat_result) -> str:
    return f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'  # nginx's own format: mtime-size in hex


def _not_modified(headers, etag: str, mtime: int) -> bool:
    """If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2); nginx's `exact` match."""
    if (match := headers.get("If-None-Match")) is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in tags or etag in tags
    since = headers.get("If-Modified-Since")
    if since:
        try:
            return int(parsedate_to_datetime(since).timestamp()) == mtime
        except (TypeError, ValueError):
            return False
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"feeds-serve/{__version__}"

    def version_string(self) -> str:
        return self.server_version
    root: Path = Path("output")

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        served = resolve(self.root, self.path)
        if served.path is None:
            self._error(served, head)
            return
        stat = served.path.stat()
        etag, mtime = _etag(stat), int(stat.st_mtime)
        charset = "; charset=utf-8" if served.ctype in CHARSET_TYPES else ""
        common = {"Last-Modified": formatdate(mtime, usegmt=True),
                  "Expires": formatdate(time.time() + served.max_age, usegmt=True),
                  "Cache-Control": f"max-age={served.max_age}",
                  "X-Content-Type-Options": "nosniff"}
        if _not_modified(self.headers, etag, mtime):
            self._send(HTTPStatus.NOT_MODIFIED, {"ETag": etag, **common}, b"", head=True)
            return
        body = served.path.read_bytes()
        headers = {"Content-Type": served.ctype + charset, **common}
        gzippable = self._gzippable(served.ctype, len(body))
        if gzippable:  # nginx: Vary whenever it could gzip, whatever this client accepts
            headers["Vary"] = "Accept-Encoding"
        if gzippable and "gzip" in self._accepted():
            body = gzip.compress(body, compresslevel=5, mtime=0)
            headers.update({"Content-Encoding": "gzip", "ETag": "W/" + etag})
        else:
            headers["ETag"] = etag
        self._send(HTTPStatus.OK, headers, body, head)

    @staticmethod
    def _gzippable(ctype: str, size: int) -> bool:
        return ctype in GZIP_TYPES and ctype not in NO_GZIP and size >= GZIP_MIN_LENGTH

    def _accepted(self) -> str:
        return self.headers.get("Accept-Encoding", "").lower()

    def _error(self, served: Served, head: bool) -> None:
        reason = HTTPStatus(served.status).phrase
        body = f"<html><head><title>{served.status} {reason}</title></head><body>" \
               f"<center><h1>{served.status} {reason}</h1></center></body></html>\n".encode()
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if served.location:
            headers["Location"] = served.location
        self._send(served.status, headers, body, head)

    def _send(self, status: int, headers: dict[str, str], body: bytes, head: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet: one line per request
        if os.environ.get("FEEDS_SERVE_QUIET"):
            return
        super().log_message(format, *args)


def make_server(root: Path, host: str, port: int) -> ThreadingHTTPServer:
    """A threaded HTTP server for `root` on host:port (port 0: any free port)."""
    handler = type("OutputHandler", (Handler,), {"root": root.resolve()})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def parse_listen(text: str) -> tuple[str, int] | None:
    """'PORT' or 'HOST:PORT' (host defaults to 127.0.0.1, never all interfaces); else None."""
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 <= int(port) < 65536:
        return None
    return host.strip("[]") or "127.0.0.1", int(port)
