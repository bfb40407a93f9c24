"""Share pages (and the feed directory and 网站地图 pages) in a real headless chromium:
no console errors, the QR code drawn, readable on a phone (nothing wider than the screen)."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import segno
from browser import Browser
from conftest import LocalServer, require_binary
from share_helpers import HOSTILE, NOW, make_config

from feeds.model import Image
from feeds.publish import publish
from feeds.store.sqlite import SQLiteStore

PROBE = """({
  qr: document.querySelectorAll('svg.qr path').length > 0,
  qrWidth: document.querySelector('svg.qr') ? document.querySelector('svg.qr').getBoundingClientRect().width : 0,
  styled: getComputedStyle(document.body).marginTop === '0px',
  fits: document.documentElement.scrollWidth <= window.innerWidth,
  h1: document.querySelector('h1') ? document.querySelector('h1').textContent : '',
  images: Array.from(document.images).map(i => i.complete && i.naturalWidth > 0),
  shareLinks: document.querySelectorAll('ul.share a').length
})"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser(require_binary("chromium")) as b:
        yield b


def _png() -> bytes:
    buf = io.BytesIO()
    segno.make("image").save(buf, kind="png", scale=40)  # a real PNG, about 1000 px wide
    return buf.getvalue()


@pytest.fixture
def published(tmp_path: Path, http_server: LocalServer) -> tuple[Path, LocalServer]:
    """The hostile articles published, their images served by the local server."""
    image = http_server.add("/img/lead.png", _png(), "image/png")
    config = make_config(tmp_path)
    store = SQLiteStore(str(tmp_path / "feeds.db"))
    for article in HOSTILE.values():
        if article.image:
            article = dataclasses.replace(article, image=Image(image, 1000, 1000, alt="图"))
        elif article.content_html:
            article = dataclasses.replace(article, content_html=f'<p>正文。</p><img src="{image}">')
        store.upsert(article, NOW)
    publish(config, store, NOW)
    http_server.add_dir(config.output_path, "/out/")
    return config.output_path, http_server


def test_share_pages_render_cleanly_on_a_phone(browser: Browser, published) -> None:
    output, server = published
    pages = sorted(p for p in (output / "share").glob("*/*.html")
                   if not p.name.endswith(".head.html"))
    assert len(pages) == len(HOSTILE)
    titles = set()
    for page in pages:
        report = browser.check(server.url(f"/out/share/{page.parent.name}/{page.name}"), PROBE)
        assert report.errors == [], page.name
        value = report.value
        assert value["qr"] and value["qrWidth"] >= 100, page.name  # big enough to scan
        assert value["styled"], f"{page.name}: share/share.css did not apply"
        assert value["fits"], f"{page.name} is wider than a phone screen"
        assert all(value["images"]), f"{page.name}: an image did not load"
        assert value["shareLinks"] == 11
        titles.add(value["h1"])
    assert HOSTILE["script"].title in titles and HOSTILE["emoji"].title in titles


def test_share_page_opened_as_a_file_renders_cleanly(browser: Browser, published) -> None:
    output, _ = published
    page = next(p for p in (output / "share").glob("*/*.html")
                if not p.name.endswith(".head.html"))
    report = browser.check(page, PROBE)
    assert report.errors == [] and report.value["qr"] and report.value["styled"]


def test_the_checker_sees_console_errors_and_failed_loads(browser: Browser,
                                                        http_server: LocalServer) -> None:
    url = http_server.add("/bad.html", '<!DOCTYPE html><title>x</title><img src="/missing.png">'
                                       '<script>console.error("boom"); nope();</script>')
    errors = browser.check(url).errors
    assert any("boom" in e for e in errors)
    assert any("nope" in e for e in errors)
    assert any("missing.png" in e for e in errors)


@pytest.mark.parametrize("name", ["feeds.html", "sitemap.html"])
def test_directory_pages_render_cleanly(browser: Browser, published, name: str) -> None:
    output, server = published
    assert (output / name).exists(), f"publish did not write output/{name}"
    report = browser.check(server.url(f"/out/{name}"), "document.documentElement.scrollWidth "
                                                        "<= window.innerWidth")
    assert report.errors == []
    assert report.value is True, f"{name} is wider than a phone screen"
