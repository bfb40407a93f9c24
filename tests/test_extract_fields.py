"""Small article pages paired with the fields the generic extractor must find in them
(tests/data/extract/<name>.html + <name>.json): titles, dates, labels, WeChat pages.

The JSON names the page's `url`, optionally `site_names` (the source's hint) and `now`, and
the expected value of every field it lists; fields it does not list are not checked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feeds.extract import extract
from feeds.normalise import Context, html_to_text, normalise

DATA = Path(__file__).parent / "data" / "extract"
CASES = sorted(p.stem for p in DATA.glob("*.json"))
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _got(name: str, want: dict) -> dict:
    html = (DATA / f"{name}.html").read_text(encoding="utf-8")
    raw = extract(html, want["url"], site_names=want.get("site_names", ()))
    now = datetime.fromisoformat(want.get("now", "2024-06-01T00:00:00+00:00")).astimezone(UTC)
    article = normalise(raw, Context("test", "", SHANGHAI, now))
    return {
        "title": article.title,
        "published": article.published.isoformat() if article.dated else None,
        "published_is_date": article.published_is_date,
        "origin": article.origin or None,
        "editor": article.editor or None,
        "authors": list(article.authors),
        "body_has": html_to_text(article.content_html),
        "images": article.content_html,
    }


@pytest.mark.parametrize("name", CASES)
def test_extracted_fields(name: str) -> None:
    want = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    got = _got(name, want)
    for key, value in want.items():
        if key in ("url", "site_names", "now"):
            continue
        if key in ("body_has", "images"):  # phrases the body (or its HTML) must hold
            missing = [v for v in value if v not in got[key]]
            assert not missing, f"{name}: {key} lacks {missing}"
        else:
            assert got[key] == value, f"{name}: {key} is {got[key]!r}, want {value!r}"
