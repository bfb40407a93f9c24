"""A bounded fuzz run of the feed, HTML and sitemap parsers and of the config loader (hypothesis on raw bytes: fixture
files mutated, spliced and truncated, and plain random bytes), plus the fixed regression
inputs in tests/data/fuzz/. `make test` runs a few seconds of it; `make fuzz` runs it longer
(FEEDS_FUZZ_EXAMPLES) and any crash it finds is to be saved under tests/data/fuzz/<target>/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fuzz_targets import REGRESSIONS, SEEDS, TARGETS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FEEDS_FUZZ_EXAMPLES", "40"))
TOKENS = [b"<", b">", b"&", b"&#0;", b"]]>", b"<![CDATA[", b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
          b"&a;", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\x1f\x8b", b"<?xml version='1.0' "
          b"encoding='rot13'?>", b"<meta charset=idna>", b'href="javascript:x"', b"//evil/",
          b"http://[oops/", b"3000000\xe5\xa4\xa9\xe5\x89\x8d", b"<loc>file:///etc/passwd</loc>",
          b"<sitemap><loc>", b"</url>", b"<item>", b"<entry>", b'{"version": "https://jsonfeed.'
          b'org/version/1.1", "items": [{"url": 5}]}', b"\xe4\xb8\xad", b"9" * 40,
          # YAML: tags, anchors, aliases, merge keys, complex keys, odd scalars
          b"!!python/name:os.system", b" .inf", b" .nan", b" &a", b" *a", b"? [x]\n: 1\n",
          b"<<: *a\n", b"\n  - ", b": ", b"!!int x", b"!!timestamp 2023-02-30", b"!!bool maybe",
          b"!!binary x", b"!foo ", b"{", b"[", b"'", b'"\\0', b"\t", b"---\n", b"null"]


def _mutate(seed: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    data = bytearray(seed)
    for position, cut, insert in edits:
        at = position % (len(data) + 1)
        data[at:at + cut] = insert
    return bytes(data)


def inputs(target: str) -> st.SearchStrategy[bytes]:
    edit = st.tuples(st.integers(0, 1 << 16), st.integers(0, 64),
                     st.one_of(st.sampled_from(TOKENS), st.binary(max_size=16)))
    mutated = st.builds(_mutate, st.sampled_from(SEEDS[target]), st.lists(edit, max_size=8))
    return st.one_of(mutated, st.binary(max_size=512),
                     st.lists(st.sampled_from(TOKENS), max_size=20).map(b"".join))


def _fuzz(target: str):
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(inputs(target))
    def run(body: bytes) -> None:
        TARGETS[target](body)

    return run


test_feed_parser_never_crashes = _fuzz("feed")
test_html_extractor_never_crashes = _fuzz("html")
test_sitemap_parser_never_crashes = _fuzz("sitemap")
test_config_loader_never_crashes = _fuzz("config")


def _regressions() -> list[Path]:
    return sorted(p for p in REGRESSIONS.glob("*/*") if p.is_file())


@pytest.mark.parametrize("path", _regressions(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_regression_inputs(path: Path) -> None:
    TARGETS[path.parent.name](path.read_bytes())
