"""deploy/nginx.conf served by a real nginx over a published output/; deploy/feeds.service sanity."""

from __future__ import annotations

import configparser
import gzip
from pathlib import Path

import pytest
from nginx_helpers import DEPLOY, get, publish_portal, running_nginx

from feeds.cli import main


@pytest.fixture
def nginx(tmp_path: Path):
    output = publish_portal(tmp_path)
    with running_nginx(output, tmp_path / "nginx") as port:
        yield port, tmp_path


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
        status, headers, _ = get(port, path)
        assert (status, headers["content-type"]) == (200, ctype), path
        assert "max-age=" in headers["cache-control"], path
    status, headers, body = get(port, "/rss.xml", {"Accept-Encoding": "gzip"})
    assert headers["content-encoding"] == "gzip" and "Accept-Encoding" in headers["vary"]
    assert gzip.decompress(body) == (root / "output/rss.xml").read_bytes()
    _, first, _ = get(port, "/atom.xml")
    # Publishing again with nothing new must keep the file (and so its validators) unchanged.
    assert main(["publish", "-c", str(root / "sources.yaml")]) == 0
    status, headers, body = get(port, "/atom.xml", {"If-None-Match": first["etag"]})
    assert (status, body) == (304, b"")
    status, _, _ = get(port, "/atom.xml", {"If-Modified-Since": first["last-modified"]})
    assert status == 304
    assert get(port, "/.rss.xml.abc123.tmp")[0] == 404


def test_old_flat_share_addresses_redirect_to_their_shard(nginx) -> None:
    port, root = nginx
    page = next((root / "output" / "share").glob("*/*.head.html"))
    article_id = page.name.removesuffix(".head.html")
    for suffix in (".html", ".json", ".head.html"):
        status, headers, _ = get(port, f"/share/{article_id}{suffix}")
        assert status == 301, suffix
        new = f"/share/{article_id[:3]}/{article_id}{suffix}"
        assert headers["location"].endswith(new)
        assert get(port, new)[0] == 200
    assert get(port, "/share/share.css")[1]["content-type"].startswith("text/css")


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
