"""Shared fixtures: a real HTTP server on 127.0.0.1, config files in tmp dirs, system binaries,
and the stores: every test taking `store` (or `store_url`) runs once on SQLite and once on a
real PostgreSQL (`pg_url`)."""

from __future__ import annotations

import os
import shutil
import textwrap
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from publish_helpers import make_config, schemas  # noqa: F401  (fixtures)
from worker_helpers import throwaway_pg, workers  # noqa: F401  (fixtures)

from feeds.store import Store, open_store

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent

# A route answers with (status, headers, body) or is a callable taking the handler and returning it.
Response = tuple[int, dict[str, str], bytes]


@dataclass
class LocalServer:
    """A threaded HTTP server on 127.0.0.1 serving `routes`; records every request it saw."""

    routes: dict[str, Response | Callable[[BaseHTTPRequestHandler], Response]] = field(
        default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    posts: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)  # path, headers, body
    port: int = 0

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8",
            status: int = 200, headers: dict[str, str] | None = None) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = (status, {"Content-Type": content_type, **(headers or {})}, data)
        return self.url(path)

    def add_dir(self, root: Path, prefix: str = "/") -> None:
        """Serve every file under `root` (content types guessed from the suffix)."""
        types = {".xml": "application/xml", ".html": "text/html", ".json": "application/json",
                 ".gz": "application/gzip", ".txt": "text/plain", ".css": "text/css",
                 ".xsl": "text/xsl", ".opml": "text/x-opml"}
        for path in root.rglob("*"):
            if path.is_file():
                rel = prefix + path.relative_to(root).as_posix()
                self.routes[rel] = (200, {"Content-Type": types.get(path.suffix, "text/plain")},
                                    path.read_bytes())


def _handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            server.requests.append(("GET", self.path, dict(self.headers)))
            route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
            if route is None:
                status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
            else:
                status, headers, body = route(self) if callable(route) else route
            if status == 0:  # the route already wrote its own response
                return
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def do_POST(self) -> None:  # noqa: N802 - records the body, then answers like GET
            length = int(self.headers.get("Content-Length") or 0)
            server.posts.append((self.path, dict(self.headers), self.rfile.read(length)))
            self.do_GET()

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    server = LocalServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    httpd.shutdown()
    httpd.server_close()


BASE_CONFIG = """\
site:
  title: 测试新闻网
  base_url: https://feeds.example.cn/
  portal_url: http://www.example.cn/
  timezone: Asia/Shanghai
  description: 测试
channels:
  - id: news
    title: 新闻中心
  - id: tech
    title: 科技
"""


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write a sources.yaml into tmp_path: the base site and channels plus `sources_yaml`."""

    def write(sources_yaml: str, base: str = BASE_CONFIG) -> Path:
        path = tmp_path / "sources.yaml"
        path.write_text(base + textwrap.dedent(sources_yaml), encoding="utf-8")
        return path

    return write


def require_binary(name: str) -> str:
    """Return the path of a system binary; skip locally when absent, fail in CI."""
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("FEEDS_REQUIRE_SYSTEM_TESTS"):
        pytest.fail(f"{name} is required in CI (.ci/run installs it with apt-get) but was not found")
    pytest.skip(f"{name} not installed (Debian package; .ci/run installs it in CI)")


# --- stores --------------------------------------------------------------------------------

PG_HOST = "127.0.0.1:5432"
PG_USERS = ("postgres", "root")  # trust authentication, as on every dev and CI machine
# FEEDS_TEST_PG: another admin URL to try instead (postgresql://user@host:port/postgres)
PG_ADMIN_URLS = ([os.environ["FEEDS_TEST_PG"]] if os.environ.get("FEEDS_TEST_PG") else
                 [f"postgresql://{user}@{PG_HOST}/postgres" for user in PG_USERS])


def _require_system(what: str, reason: str) -> None:
    """Skip locally; fail when FEEDS_REQUIRE_SYSTEM_TESTS is set (CI)."""
    if os.environ.get("FEEDS_REQUIRE_SYSTEM_TESTS"):
        pytest.fail(f"{what} is required in CI (.ci/run starts it) but {reason}")
    pytest.skip(f"{what}: {reason}")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for this test session (random name, on
    127.0.0.1:5432, trust auth as user postgres or root, or the admin URL in FEEDS_TEST_PG),
    dropped when the session ends.

    Skips with the reason when no server answers; with FEEDS_REQUIRE_SYSTEM_TESTS=1 (CI) that
    is a failure. Tests normally want `pg_url` (a clean schema of their own) instead.
    """
    import psycopg

    errors, admin, admin_url = [], None, ""
    for admin_url in PG_ADMIN_URLS:
        try:
            admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
            break
        except psycopg.Error as e:
            errors.append(f"{admin_url}: {str(e).strip().splitlines()[0]}")
    if admin is None:
        _require_system("PostgreSQL", "no server answered (" + "; ".join(errors) + ")")
        return
    name = f"feeds_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """A PostgreSQL store URL of this test's own: a fresh, empty schema in the session database
    (selected through `search_path` in the URL), dropped after the test. Use it as the
    `store:` of a config or with `open_store`; every connection made from it sees only it."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{pg_database}?options=-csearch_path%3D{schema}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '5s'")
        try:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
        except psycopg.errors.LockNotAvailable:
            pass  # a connection left open by the test; the session database goes anyway


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store location in turn: an SQLite file in tmp_path, then a PostgreSQL `pg_url`."""
    if request.param == "sqlite":
        return str(tmp_path / "feeds.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An empty store, opened at `store_url` (so once SQLite, once PostgreSQL); closed after."""
    opened = open_store(store_url)
    yield opened
    opened.close()
