"""End to end over a real HTTP server: RSS 2.0, Atom, JSON Feed, GBK RSS and a malformed feed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA
from helpers import parse_feed, run, snapshot

from feeds.cli import main

FIXTURES = DATA / "feeds"


@pytest.fixture
def partner_config(http_server, write_config) -> Path:
    for name, ctype in [("rss2.xml", "application/rss+xml"), ("atom.xml", "application/atom+xml"),
                        ("feed.json", "application/feed+json"),
                        ("gbk.xml", "text/xml"), ("malformed.xml", "application/xml")]:
        http_server.add(f"/{name}", (FIXTURES / name).read_bytes(), ctype)
    return write_config(f"""\
sources:
  - id: rss2
    kind: feed
    url: {http_server.url('/rss2.xml')}
    channel: news
    allow_private: true
  - id: atom
    kind: feed
    url: {http_server.url('/atom.xml')}
    channel: tech
    allow_private: true
  - id: jsonfeed
    kind: feed
    url: {http_server.url('/feed.json')}
    channel: news
    allow_private: true
  - id: gbk
    kind: feed
    url: {http_server.url('/gbk.xml')}
    channel: news
    allow_private: true
  - id: broken
    kind: feed
    url: {http_server.url('/malformed.xml')}
    channel: tech
    allow_private: true
""")


def test_every_source_but_the_malformed_one_is_published(partner_config):
    result = run(partner_config)
    assert [r.source_id for r in result.failed] == ["broken"]
    assert result.failed[0].error.kind == "parse-error"
    out = partner_config.parent / "output"
    site = parse_feed(out / "rss.xml")
    titles = {e.title for e in site.entries}
    assert {"广州发布新一轮稳增长措施", "国产大模型发布新版本", "新能源汽车下乡活动启动",
            "东莞企业堃喆科技获评专精特新"} <= titles
    assert len(site.entries) == 3 + 2 + 2 + 1


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml", "channels/news/rss.xml",
                                  "channels/news/atom.xml", "channels/tech/rss.xml",
                                  "channels/tech/atom.xml"])
def test_outputs_parse_without_bozo_and_entries_are_complete(partner_config, name):
    run(partner_config)
    parsed = parse_feed(partner_config.parent / "output" / name)
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.id and entry.title
        assert entry.link.startswith(("http://", "https://"))
        published = entry.get("published") or entry.get("updated")
        assert published and (published.endswith(("+0800", "+08:00")))


def test_channel_feeds_hold_only_their_channel(partner_config):
    run(partner_config)
    tech = parse_feed(partner_config.parent / "output" / "channels/tech/atom.xml")
    assert {e.title for e in tech.entries} == {"国产大模型发布新版本", "芯片产业链加速布局"}


def test_normalisation_of_feed_entries(partner_config, http_server):
    run(partner_config)
    entries = {e.title: e for e in parse_feed(partner_config.parent / "output/rss.xml").entries}
    guangzhou = entries["广州发布新一轮稳增长措施"]
    html = guangzhou.content[0].value
    assert "<script" not in html and "onclick" not in html
    assert 'src="http://partner.example.com/img/1001.jpg"' in html  # made absolute
    relative = entries["芯片产业链加速布局"]  # Atom: relative to the feed's own URL (RFC 4287)
    assert relative.link == http_server.url("/a/2002")
    atom = {e.title: e for e in parse_feed(partner_config.parent / "output/atom.xml").entries}
    assert atom["广州发布新一轮稳增长措施"].author == "李明"
    assert "A & B < C > D" in {e.title[:13] for e in entries.values()}


def test_second_run_changes_nothing(partner_config):
    run(partner_config)
    out = partner_config.parent / "output"
    before = snapshot(out)
    run(partner_config)
    assert snapshot(out) == before


def test_ids_never_change_when_content_changes(partner_config, http_server):
    run(partner_config)
    out = partner_config.parent / "output"
    first = {e.link: e.id for e in parse_feed(out / "rss.xml").entries}
    edited = (FIXTURES / "rss2.xml").read_text("utf-8").replace("三个方面", "四个方面")
    http_server.add("/rss2.xml", edited, "application/rss+xml")
    run(partner_config)
    second = {e.link: e for e in parse_feed(out / "rss.xml").entries}
    assert {link: e.id for link, e in second.items()} == first
    changed = next(e for e in second.values() if e.title == "广州发布新一轮稳增长措施")
    assert "四个方面" in changed.content[0].value


def test_cli_run_exit_status_and_summary(partner_config, capsys):
    assert main(["run", "-c", str(partner_config)]) == 1
    captured = capsys.readouterr()
    failed = [line for line in captured.err.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and failed[0].startswith("FAILED broken: extract parse-error:")


def test_file_url_sources_go_through_the_same_path(write_config, tmp_path):
    export = tmp_path / "exports"
    export.mkdir()
    (export / "today.xml").write_bytes((FIXTURES / "gbk.xml").read_bytes())
    cfg = write_config("""\
sources:
  - id: export
    kind: feed
    url: file:exports/today.xml
    channel: news
""")
    assert main(["run", "-c", str(cfg)]) == 0
    parsed = parse_feed(tmp_path / "output" / "channels/news/rss.xml")
    assert parsed.entries[0].title == "东莞企业堃喆科技获评专精特新"
