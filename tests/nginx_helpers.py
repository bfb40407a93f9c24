"""A real nginx serving a published output/ with deploy/nginx.conf (test_deploy, test_serve)."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT, require_binary

from feeds.cli import main

DEPLOY = ROOT / "deploy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def publish_portal(tmp_path: Path) -> Path:
    """Publish the example portal into tmp_path/output with `feeds run`."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copy(ROOT / "sources.yaml", tmp_path / "sources.yaml")
    assert main(["run", "-c", str(tmp_path / "sources.yaml")]) == 0
    output = tmp_path / "output"
    (output / ".rss.xml.abc123.tmp").write_bytes(b"half a file")
    return output


@contextmanager
def running_nginx(output: Path, run: Path) -> Iterator[int]:
    """nginx with deploy/nginx.conf's server block over `output`; yields its port."""
    binary = require_binary("nginx")
    port = free_port()
    server = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};")
    server = server.replace("listen [::]:80;", "").replace("root /srv/feeds/output;",
                                                           f"root {output};")
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
    try:
        wait_for_port(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(5)


def wait_for_port(port: int, proc: subprocess.Popen | None = None) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if proc is not None and proc.poll() is not None:
                pytest.fail(f"server did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.05)
    pytest.fail(f"nothing listens on 127.0.0.1:{port}")


def get(port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET"
        ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body
