"""Golden files for the published feeds. Regenerate with: UPDATE_GOLDEN=1 make test"""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import DATA
from helpers import run

GOLDEN = DATA / "golden"
OUTPUTS = ["rss.xml", "atom.xml", "channels/news/rss.xml", "channels/news/atom.xml"]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("golden")
    for name in ("rss2.xml", "gbk.xml", "feed.json"):
        shutil.copy(DATA / "feeds" / name, root / name)
    (root / "sources.yaml").write_text(
        (DATA / "golden-sources.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = run(root / "sources.yaml")
    assert not result.failed
    return root / "output"


@pytest.mark.parametrize("name", OUTPUTS)
def test_output_matches_golden_file(published, name):
    actual = (published / name).read_bytes()
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
    assert golden.exists(), f"no golden file {golden}: run UPDATE_GOLDEN=1 make test"
    assert actual.decode("utf-8") == golden.read_text(encoding="utf-8")
