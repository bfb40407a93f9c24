"""Every config problem is one line naming file:line and the key path; `feeds check` exits 0 or 2."""

from __future__ import annotations

import re

import pytest

from feeds import config
from feeds.cli import main
from feeds.errors import ConfigError

GOOD_SOURCE = """\
sources:
  - id: partner
    kind: feed
    url: http://partner.example.com/rss.xml
    channel: news
"""


def problems(write_config, sources_yaml: str, base: str | None = None) -> list[str]:
    path = write_config(sources_yaml) if base is None else write_config(sources_yaml, base)
    with pytest.raises(ConfigError) as e:
        config.load(path)
    return e.value.problems


def test_good_config_loads_into_frozen_dataclasses(write_config):
    cfg = config.load(write_config(GOOD_SOURCE))
    assert cfg.site.title == "测试新闻网"
    assert [c.id for c in cfg.channels] == ["news", "tech"]
    source = cfg.sources[0]
    assert (source.id, source.kind, source.channel, source.schedule) == (
        "partner", "feed", "news", "30m")
    assert isinstance(source.options, config.FeedOptions)
    assert cfg.feeds.limit == 50
    with pytest.raises(AttributeError):
        source.id = "other"  # type: ignore[misc]


@pytest.mark.parametrize("sources_yaml, expected", [
    ("""\
sources:
  - id: partner
    kind: feed
    url: partner.example.com/rss.xml
""", "sources.yaml:15: sources[0].url: not an absolute http(s) URL"),
    ("""\
sources:
  - id: partner
    kind: feed
    url: http://partner.example.com/rss.xml
    colour: blue
""", "sources.yaml:16: sources[0].colour: unknown key for kind 'feed'"),
    ("""\
sources:
  - id: partner
    kind: podcast
    url: http://partner.example.com/rss.xml
""", "sources.yaml:14: sources[0].kind: must be one of: feed, html, sitemap"),
    ("""\
sources:
  - id: partner
    kind: feed
""", "sources.yaml:13: sources[0].url: required key is missing"),
    ("""\
sources:
  - id: partner
    kind: feed
    url: http://partner.example.com/rss.xml
    channel: sports
""", "sources.yaml:16: sources[0].channel: unknown channel 'sports'"),
    ("""\
sources:
  - id: 合作
    kind: feed
    url: http://partner.example.com/rss.xml
""", "sources.yaml:13: sources[0].id: must be ASCII"),
    ("""\
sources:
  - id: partner
    kind: feed
    url: http://partner.example.com/rss.xml
    schedule: every now and then
""", "sources.yaml:16: sources[0].schedule: not an interval"),
    ("""\
sources:
  - id: partner
    kind: feed
    url: http://partner.example.com/rss.xml
    enabled: maybe
""", "sources.yaml:16: sources[0].enabled: must be true or false"),
    ("""\
sources:
  - id: partner
    kind: feed
    url: http://a.example/rss.xml
  - id: partner
    kind: feed
    url: http://b.example/rss.xml
""", "sources.yaml:16: sources[1].id: duplicate source id 'partner'"),
    ("""\
feeds:
  limit: 0
""", "sources.yaml:13: feeds.limit: must be greater than 0"),
    ("""\
sources:
  - id: partner
    kind: feed
    url: [unclosed
""", "sources.yaml:16: (yaml):"),
])
def test_each_problem_is_one_line_with_file_line_and_key(write_config, sources_yaml, expected):
    found = problems(write_config, sources_yaml)
    assert any(p.startswith(expected) for p in found), found
    assert all("\n" not in p for p in found)


def test_site_problems_name_their_keys(write_config):
    base = """\
site:
  title: x
  base_url: /relative/
  timezone: Mars/Olympus
  colour: red
"""
    found = problems(write_config, "", base)
    assert "sources.yaml:3: site.base_url: not an absolute http(s) URL" in found
    assert "sources.yaml:4: site.timezone: unknown time zone 'Mars/Olympus'" in found
    assert any(p.startswith("sources.yaml:5: site.colour: unknown key") for p in found)


def test_missing_site_and_unknown_top_level_key(write_config):
    found = problems(write_config, "extra: 1\n", base="")
    assert any(re.match(r"sources\.yaml:\d+: site: required key is missing", p) for p in found)
    assert any(p.startswith("sources.yaml:1: extra: unknown key") for p in found)


def test_all_problems_reported_at_once(write_config):
    found = problems(write_config, """\
sources:
  - id: a
    kind: feed
    url: nope
  - id: b
    kind: feed
    url: http://b.example/rss.xml
    channel: nowhere
""")
    assert len(found) == 2


def test_file_urls_resolve_against_the_config_folder(write_config, tmp_path):
    cfg = config.load(write_config("""\
sources:
  - id: export
    kind: feed
    url: file:exports/today.xml
"""))
    assert cfg.sources[0].url == (tmp_path / "exports" / "today.xml").as_uri()
    assert cfg.output_path == tmp_path / "output"


def test_check_command_exit_codes(write_config, capsys):
    assert main(["check", "-c", str(write_config(GOOD_SOURCE))]) == 0
    assert "OK" in capsys.readouterr().out
    bad = write_config("sources:\n  - id: x\n    kind: feed\n    url: ftp://x\n")
    assert main(["check", "-c", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["sources.yaml:15: sources[0].url: not an absolute http(s) URL"]


def test_missing_config_file_is_exit_2(tmp_path, capsys):
    assert main(["check", "-c", str(tmp_path / "nope.yaml")]) == 2
    assert capsys.readouterr().err.startswith("nope.yaml:0: (file): cannot read")


def test_stalled_after_must_outlast_two_heartbeats(write_config, capsys):
    # a shorter stalled_after declares live workers dead: their running jobs would run twice
    bad = write_config(GOOD_SOURCE + "worker:\n  heartbeat: 10s\n  stalled_after: 1s\n")
    assert main(["check", "-c", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    line = bad.read_text().splitlines().index("  stalled_after: 1s") + 1
    assert len(err) == 1 and err[0].startswith(f"sources.yaml:{line}: worker.stalled_after: ")
    assert "21s" in err[0]
    ok = write_config(GOOD_SOURCE + "worker:\n  heartbeat: 10s\n  stalled_after: 21s\n")
    assert main(["check", "-c", str(ok)]) == 0
