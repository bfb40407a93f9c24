"""The share pages' QR codes scan: our encoder's SVG path, drawn pixel by pixel from its own
commands, is read back by an independent decoder (zxing-cpp) at level M, for every version."""

from __future__ import annotations

import random
import re
import string

import pytest
import segno
import zxingcpp
from lxml import html as lxml_html
from share_helpers import HOSTILE, make_article, make_config

from feeds.publish.share import qr, render_article
from feeds.publish.share.qr import encode, svg_path

SCALE = 3  # pixels per module
_COMMAND = re.compile(r"([Mmh])(-?\d+(?:\.\d+)?)(?: (-?\d+(?:\.\d+)?))?")


def raster(path: str, side: int) -> tuple[bytes, int]:
    """Grey pixels of an SVG path of stroked horizontal lines (stroke-width 1), as drawn."""
    width = side * SCALE
    pixels = bytearray(b"\xff" * width * width)
    x = y = 0.0
    for command, a, b in _COMMAND.findall(path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:  # h: a line through the middle of the row: the row is y - 0.5 .. y + 0.5
            row, start, end = int(y - 0.5), int(x * SCALE), int((x + float(a)) * SCALE)
            for dy in range(SCALE):
                base = (row * SCALE + dy) * width
                pixels[base + start:base + end] = b"\x00" * (end - start)
            x += float(a)
    return bytes(pixels), width


def decode(path: str, side: int) -> zxingcpp.Barcode | None:
    pixels, width = raster(path, side)
    return zxingcpp.read_barcode(zxingcpp.ImageView(pixels, width, width, zxingcpp.ImageFormat.Lum))


def _full_text(version: int, rng: random.Random) -> str:
    """ASCII text that fills `version` at level M to the last byte."""
    count_bits = 8 if version < 10 else 16
    length = (qr._data_codewords(version) * 8 - 4 - count_bits) // 8
    return "".join(rng.choice(string.ascii_letters + "/:?=&") for _ in range(length))


@pytest.mark.parametrize("version", range(1, 41))
def test_every_version_scans_at_level_m(version: int) -> None:
    rng = random.Random(version)
    for text in (_full_text(version, rng), _full_text(version, rng)[:-3]):
        code = encode(text)
        assert code.version == version
        found = decode(svg_path(code, 4), code.size + 8)
        assert found is not None and found.text == text and found.ec_level == "M"


@pytest.mark.parametrize("version", [1, 2, 6, 7, 14, 27, 40])
def test_function_patterns_and_format_bits_match_segno(version: int) -> None:
    """Finders, timing, alignment, format and version bits as segno draws them with the same
    mask (the data modules differ: segno pads an aligned stream with one more zero byte)."""
    text = _full_text(version, random.Random(0))
    ours = encode(text).rows
    theirs = segno.make(text, error="m", mask=qr.MASK, micro=False, boost_error=False,
                        mode="byte")
    assert theirs.version == version
    layout = qr._layout(version)
    data = {i for i in range(layout.size * layout.size)
            if layout.permutation(tuple(range(layout.data_cells + 3)))[i + i // layout.size]
            < layout.data_cells}
    for y, row in enumerate(theirs.matrix):
        for x, dark in enumerate(row):
            if y * layout.size + x not in data:
                assert ours[y][x] == ("1" if dark else "0"), (x, y)


def test_too_long_for_any_code_is_refused() -> None:
    with pytest.raises(ValueError):
        encode("x" * 2400)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_share_page_qr_is_one_path_that_scans_to_the_article(tmp_path, name: str) -> None:
    article = HOSTILE[name]
    page = render_article(make_config(tmp_path), article)[".html"]
    (svg,) = lxml_html.fromstring(page).xpath("//svg[@class='qr']")
    (path,) = svg.xpath(".//path")
    side = int(svg.get("viewbox", svg.get("viewBox")).split()[2])
    found = decode(path.get("d"), side)
    assert found is not None and found.text == article.url and found.ec_level == "M"


def test_a_url_with_unicode_scans_as_utf8(tmp_path) -> None:
    article = make_article(9, url="http://www.example.cn/新闻/a b.html")
    page = render_article(make_config(tmp_path), article)[".html"]
    (path,) = lxml_html.fromstring(page).xpath("//svg[@class='qr']//path")
    side = encode(article.url).size + 4
    found = decode(path.get("d"), side)
    assert found is not None and found.text == article.url
