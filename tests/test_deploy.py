"""deploy/nginx.conf served by a real nginx over a published output/; deploy/feeds.service sanity."""

from __future__ import annotations

import configparser
import gzip
import http.client
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ROOT, require_binary

from feeds.cli import main

DEPLOY = ROOT / "deploy"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _publish(tmp_path: Path) -> Path:
    """Publish the example portal into tmp_path/output with `feeds run`."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copy(ROOT / "sources.yaml", tmp_path / "sources.yaml")
    assert main(["run", "-c", str(tmp_path / "sources.yaml")]) == 0
    output = tmp_path / "output"
    # JSON Feed and sitemaps come from the publish issue; serve one of each either way.
    if not (output / "feed.json").exists():
        (output / "feed.json").write_text('{"version": "https://jsonfeed.org/version/1.1", '
                                          '"title": "测试", "items": []}', encoding="utf-8")
    if not (output / "sitemap.xml").exists():
        (output / "sitemap.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
            'schemas/sitemap/0.9"><url><loc>https://feeds.example.cn/</loc></url></urlset>',
            encoding="utf-8")
    (output / ".rss.xml.abc123.tmp").write_bytes(b"half a file")
    return output


@pytest.fixture
def nginx(tmp_path: Path):
    binary = require_binary("nginx")
    output = _publish(tmp_path)
    port = _free_port()
    server = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};")
    server = server.replace("listen [::]:80;", "").replace("root /srv/feeds/output;",
                                                           f"root {output};")
    run = tmp_path / "nginx"
    run.mkdir()
    (run / "server.conf").write_text(server, encoding="utf-8")
    (run / "nginx.conf").write_text(f"""
daemon off;
master_process off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    include {run}/server.conf;
}}
""", encoding="utf-8")
    proc = subprocess.Popen([binary, "-p", str(run), "-c", str(run / "nginx.conf")],
                            stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"nginx did not start: {proc.stderr.read().decode()}")
            time.sleep(0.05)
    yield port, tmp_path
    proc.terminate()
    proc.wait(5)


def _get(port: int, path: str, headers: dict[str, str] | None = None
         ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


TYPES = {
    "/rss.xml": "application/rss+xml; charset=utf-8",
    "/atom.xml": "application/atom+xml; charset=utf-8",
    "/channels/brand/rss.xml": "application/rss+xml; charset=utf-8",
    "/channels/brand/atom.xml": "application/atom+xml; charset=utf-8",
    "/feed.json": "application/feed+json; charset=utf-8",
    "/sitemap.xml": "application/xml; charset=utf-8",
}


def test_nginx_serves_feeds_with_types_gzip_cache_and_304(nginx) -> None:
    port, root = nginx
    for path, ctype in TYPES.items():
        status, headers, _ = _get(port, path)
        assert (status, headers["content-type"]) == (200, ctype), path
        assert "max-age=" in headers["cache-control"], path
    status, headers, body = _get(port, "/rss.xml", {"Accept-Encoding": "gzip"})
    assert headers["content-encoding"] == "gzip" and "Accept-Encoding" in headers["vary"]
    assert gzip.decompress(body) == (root / "output/rss.xml").read_bytes()
    _, first, _ = _get(port, "/atom.xml")
    # Publishing again with nothing new must keep the file (and so its validators) unchanged.
    assert main(["publish", "-c", str(root / "sources.yaml")]) == 0
    status, headers, body = _get(port, "/atom.xml", {"If-None-Match": first["etag"]})
    assert (status, body) == (304, b"")
    status, _, _ = _get(port, "/atom.xml", {"If-Modified-Since": first["last-modified"]})
    assert status == 304
    assert _get(port, "/.rss.xml.abc123.tmp")[0] == 404


def test_systemd_unit_stops_gracefully_and_restarts_on_failure() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "feeds.service")
    service = unit["Service"]
    assert service["Restart"] == "on-failure" and service["KillSignal"] == "SIGTERM"
    assert service["KillMode"] == "mixed"  # SIGTERM to the daemon only; it stops its children
    assert "feeds daemon" in service["ExecStart"] and "kill -HUP" in service["ExecReload"]
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    assert int(service["TimeoutStopSec"].rstrip("s")) > 8  # > the default shutdown_timeout


def test_worker_template_unit_runs_one_worker_per_instance() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "feeds-worker@.service")
    service = unit["Service"]
    assert "feeds worker" in service["ExecStart"] and "%i" in service["ExecStart"]
    assert service["KillSignal"] == "SIGTERM" and "kill -HUP" in service["ExecReload"]
    assert service["RestartPreventExitStatus"] == "2"  # SQLite store / no queue tables
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    assert int(service["TimeoutStopSec"].rstrip("s")) > 8  # > the default shutdown_timeout
