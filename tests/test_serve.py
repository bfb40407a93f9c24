"""`feeds serve` answers like deploy/nginx.conf: the same files asked of a real nginx and of
`feeds serve` over one published output/ give the same status and headers."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from nginx_helpers import free_port, get, publish_portal, running_nginx, wait_for_port

from feeds.service.serve import make_server, resolve

# Headers whose values must be equal (Date/Expires move with the clock, Server differs).
SAME = ("content-type", "cache-control", "etag", "last-modified", "content-encoding", "vary",
        "x-content-type-options")


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> Iterator[tuple[int, int, Path]]:
    """(nginx port, feeds serve port, output/) over one publish of the example portal."""
    tmp = tmp_path_factory.mktemp("serve")
    output = publish_portal(tmp)
    (output / "index.html").write_text("<!DOCTYPE html><title>home</title>" + "x" * 300,
                                       encoding="utf-8")
    (output / "empty").mkdir()
    (output / "share" / "nested").mkdir(parents=True)
    (output / "share" / "nested" / "index.html").write_text("<p>nested</p>", encoding="utf-8")
    with running_nginx(output, tmp / "nginx") as nginx_port:
        server = make_server(output, "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        os.environ["FEEDS_SERVE_QUIET"] = "1"
        try:
            yield nginx_port, server.server_address[1], output
        finally:
            server.shutdown()
            server.server_close()


def _paths(output: Path) -> list[str]:
    """Every kind of file publish writes, one of each suffix/name, plus the edge cases."""
    seen: dict[str, str] = {}
    for file in sorted(output.rglob("*")):
        if file.is_file() and not file.name.startswith("."):
            rel = "/" + file.relative_to(output).as_posix()
            kind = file.name if file.suffix in (".xml", ".json") else "".join(file.suffixes)
            seen.setdefault(kind, rel)
    return sorted(seen.values())


EDGE_CASES = ["/", "/channels", "/channels/", "/empty/", "/share/nested/", "/missing.xml",
              "/.rss.xml.abc123.tmp", "/share/.mark.json", "/%2e%2e/etc/passwd",
              "/channels/../rss.xml", "/rss.xml?x=1"]


def test_same_headers_as_nginx_for_every_kind_of_output(both) -> None:
    nginx_port, serve_port, output = both
    top = ["/rss.xml", "/atom.xml", "/feed.json", "/feeds.opml", "/feeds.html", "/robots.txt",
           "/style/feed.xsl", "/sitemap.xml", "/sitemap.html"]
    paths = sorted(set(_paths(output)) | set(top)) + EDGE_CASES
    moved = next(output.glob("share/*/*.head.html")).name.removesuffix(".head.html")
    paths += [f"/share/{moved}{suffix}" for suffix in (".html", ".json", ".head.html")]
    compared = 0
    for path in paths:
        for headers in ({}, {"Accept-Encoding": "gzip, deflate"}):
            want_status, want, want_body = get(nginx_port, path, headers)
            status, got, body = get(serve_port, path, headers)
            assert status == want_status, (path, headers)
            if "location" in want:  # nginx makes it absolute with its own port
                assert got["location"] == urlsplit(want["location"]).path, path
            for name in SAME if status == 200 else ():  # error pages: status (and Location)
                assert got.get(name) == want.get(name), (path, headers, name)
            if want_status == 200:
                assert _plain(body, got) == _plain(want_body, want), path
                compared += 1
    assert compared >= 2 * 12


def _plain(body: bytes, headers: dict[str, str]) -> bytes:
    return gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body


def test_conditional_requests_answer_304_like_nginx(both) -> None:
    nginx_port, serve_port, _ = both
    for path in ("/atom.xml", "/feeds.html", "/style/sitemap.xsl"):
        _, first, _ = get(nginx_port, path)
        for port in (nginx_port, serve_port):
            cases = [({"If-None-Match": first["etag"]}, 304),
                     ({"If-None-Match": '"0-0"'}, 200),
                     ({"If-Modified-Since": first["last-modified"]}, 304),
                     ({"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 200)]
            for headers, status in cases:
                got_status, got, body = get(port, path, headers)
                assert got_status == status, (port, path, headers)
                if status == 304:
                    assert body == b"" and got["etag"] == first["etag"]


def test_head_has_the_headers_and_no_body(both) -> None:
    nginx_port, serve_port, _ = both
    want = get(nginx_port, "/rss.xml", method="HEAD")
    got = get(serve_port, "/rss.xml", method="HEAD")
    assert got[0] == want[0] == 200 and got[2] == b""
    assert got[1]["content-length"] == want[1]["content-length"]


def test_traversal_never_leaves_the_root(tmp_path: Path) -> None:
    root = tmp_path / "out"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    for target in ("/../secret.txt", "/%2e%2e/secret.txt", "/a/../../secret.txt",
                   "/..%2fsecret.txt", "/%00"):
        assert resolve(root, target).path is None, target


def test_cli_prints_the_address_and_serves(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "feeds.html").write_text("<p>ok</p>", encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(
        "site: {title: T, base_url: 'https://feeds.example.cn/'}\n", encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "feeds.cli", "serve", "-c",
                             str(tmp_path / "sources.yaml"), "--listen", f"127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert f"http://127.0.0.1:{port}/feeds.html" in line
        wait_for_port(port, proc)
        status, headers, body = get(port, "/feeds.html")
        assert (status, headers["content-type"], body) == (200, "text/html; charset=utf-8",
                                                           b"<p>ok</p>")
    finally:
        proc.terminate()
        proc.wait(5)


def test_cli_refuses_a_bad_address_or_a_missing_output(tmp_path: Path, capsys) -> None:
    from feeds.cli import main

    (tmp_path / "sources.yaml").write_text(
        "site: {title: T, base_url: 'https://feeds.example.cn/'}\n", encoding="utf-8")
    assert main(["serve", "-c", str(tmp_path / "sources.yaml")]) == 2
    assert "run `feeds run` first" in capsys.readouterr().err
    (tmp_path / "output").mkdir()
    assert main(["serve", "-c", str(tmp_path / "sources.yaml"), "--listen", "nope"]) == 2
