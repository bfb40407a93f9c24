"""Topic feeds: matching rules, publishing in every format (validated), listing, and the
incremental state (an unchanged publish writes nothing; incremental == rebuilt from scratch)."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import shutil
from datetime import timedelta
from urllib.parse import urljoin

import feedparser
import pytest
from feed_rules import json_problems, problems
from publish_helpers import NOW, article, fill

from feeds import config as config_mod
from feeds.config import Topic
from feeds.errors import ConfigError
from feeds.publish import publish
from feeds.publish.formats import FORMATS
from feeds.publish.topic_match import TopicMatcher
from feeds.publish.topics import STATE

TOPICS = """\
feeds: {limit: 5}
topics:
  - {id: xny, title: 新能源, include: [光伏, 储能], exclude: [广告]}
  - {id: ai, title: AI, include: [AI, GPT-4], fields: [title, body]}
  - {id: tech, title: 科技频道, include: [芯片], channels: [tech]}
"""


def _rows(*texts: tuple[str, str, str, str], channel: str = "news") -> list[tuple]:
    """(title, summary, tags JSON, body) -> store rows."""
    return [(f"id{i}", "2026-01-01T00:00:00Z", channel, "src", t, s, tags, body)
            for i, (t, s, tags, body) in enumerate(texts)]


def _topic(**kw) -> Topic:
    return Topic(**{"id": "t", "title": "T", "include": ("光伏",), **kw})


def test_chinese_words_match_as_typed_anywhere() -> None:
    m = TopicMatcher([_topic(include=("储能", "光伏"))])
    rows = _rows(("新型储能电站", "", "[]", ""), ("光", "伏", "[]", ""), ("", "", '["光伏"]', ""),
                 ("储 能", "", "[]", ""))
    assert m.match(rows) == [[0, 2]]  # not across fields, not with a space inside


def test_latin_words_are_case_insensitive_and_word_bounded() -> None:
    m = TopicMatcher([_topic(include=("AI", "GPT-4", "5G手机"))])
    rows = _rows(("ai chips", "", "[]", ""), ("He said", "", "[]", ""), ("发布AI大模型", "", "[]", ""),
                 ("gpt-4o", "", "[]", ""), ("new GPT-4, out", "", "[]", ""),
                 ("旗舰5G手机", "", "[]", ""), ("15G手机", "", "[]", ""), ("AIR", "", "[]", ""))
    assert m.match(rows) == [[0, 2, 4, 5]]


def test_exclude_fields_channels_and_sources() -> None:
    topics = [_topic(id="a", exclude=("广告",)), _topic(id="b", fields=("body",)),
              _topic(id="c", channels=("tech",)), _topic(id="d", sources=("other",))]
    m = TopicMatcher(topics)
    rows = _rows(("光伏", "广告", "[]", ""), ("光伏", "", "[]", "<p>x</p>"),
                 ("", "", "[]", "<p>光<b></b>伏</p><p>光伏&amp;</p>"))
    assert m.match(rows) == [[1], [2], [], []]
    assert m.match(_rows(("光伏", "", "[]", ""), channel="tech")) == [[0], [], [0], []]


def test_config_errors_name_the_line_and_key(tmp_path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("site: {title: T, base_url: 'https://x.cn/'}\nchannels: [{id: a, title: A}]\n"
                    "topics:\n  - {id: t, title: T, include: [x], channels: [zz]}\n"
                    "  - {id: t, title: T, include: [], fields: [nope]}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        config_mod.load(path)
    assert sorted(e.value.problems) == sorted([
        "sources.yaml:4: topics[0].channels[0]: unknown channel 'zz'",
        "sources.yaml:5: topics[1].include: name at least one word",
        "sources.yaml:5: topics[1].fields: unknown field 'nope' (one of: title, summary, tags, body)",
        "sources.yaml:5: topics[1].id: duplicate topic id 't'"])


def _articles() -> list:
    out = [article(n, title=f"光伏新闻第{n}篇") for n in range(1, 8)]
    out += [article(20, title="储能广告", channel="tech"), article(21, title="芯片", channel="tech"),
            article(22, title="Open AI 发布", content_html="<p>GPT-4 来了</p>"),
            article(23, title="普通新闻", content_html="<p>谈谈 AI</p>", tags=("储能",))]
    return out


def _ids(output, topic: str) -> list[str]:
    doc = json.loads((output / f"topics/{topic}/feed.json").read_text(encoding="utf-8"))
    return [i["id"].removeprefix("urn:uuid:")[-2:].lstrip("0") for i in doc["items"]]


def test_topic_feeds_in_every_format_pass_the_validators_and_are_listed(make_config, store):
    config = make_config(TOPICS)
    fill(store, _articles())
    publish(config, store, NOW, send=False)
    out = config.output_path
    for topic in ("xny", "ai", "tech"):
        for fmt in FORMATS.values():
            data = (out / f"topics/{topic}/{fmt.file}").read_bytes()
            url = f"https://feeds.example.cn/topics/{topic}/{fmt.file}"
            if fmt.name == "json":
                assert json_problems(data, url, NOW) == [], topic
            else:
                assert not feedparser.parse(data).bozo
                assert [p for p in problems(data, url, NOW) if "ContainsHTML" not in p] == []
    # newest first, limit 5; 储能广告 excluded; 23 matches by its tag
    assert _ids(out, "xny") == ["1", "2", "3", "4", "5"]
    assert _ids(out, "ai") == ["22", "23"]
    assert _ids(out, "tech") == ["21"]
    for page in ("feeds.html", "feeds.opml", "sitemap.html"):
        text = (out / page).read_text(encoding="utf-8")
        urls = set(re.findall(r'(?:href|xmlUrl)="([^"]+)"', text))
        assert "https://feeds.example.cn/topics/xny/rss.xml" in {
            urljoin(f"https://feeds.example.cn/{page}", u) for u in urls}, page
        assert "新能源" in text, page


def test_unchanged_publish_writes_nothing_and_changes_touch_only_their_topic(make_config, store):
    config = make_config(TOPICS)
    fill(store, _articles())
    publish(config, store, NOW, send=False)
    again = publish(config, store, NOW, send=False)
    assert [w for w in again.written if w.startswith("topics/")] == []
    store.upsert(article(30, title="芯片新品", channel="tech"), NOW)
    third = publish(config, store, NOW, send=False)
    assert sorted(w for w in third.written if w.startswith("topics/")) == [
        f"topics/tech/{f.file}" for f in sorted(FORMATS.values(), key=lambda f: f.file)]


def test_a_full_list_losing_a_member_is_refilled_and_removals_drop(make_config, store):
    config = make_config(TOPICS)
    fill(store, _articles())
    publish(config, store, NOW, send=False)
    store.upsert(article(2, title="别的新闻"), NOW + timedelta(minutes=1))  # no longer matches
    publish(config, store, NOW, send=False)
    assert _ids(config.output_path, "xny") == ["1", "3", "4", "5", "6"]
    store.remove(store.find_id(article(3).url))
    publish(config, store, NOW, send=False)
    assert _ids(config.output_path, "xny") == ["1", "4", "5", "6", "7"]


def test_changed_and_removed_topics(make_config, store):
    fill(store, _articles())
    publish(make_config(TOPICS), store, NOW, send=False)
    changed = TOPICS.replace("include: [光伏, 储能]", "include: [储能]").replace(
        "  - {id: tech, title: 科技频道, include: [芯片], channels: [tech]}\n", "")
    config = make_config(changed)
    publish(config, store, NOW, send=False)
    assert _ids(config.output_path, "xny") == ["23"]
    assert not (config.output_path / "topics/tech/rss.xml").exists()
    assert "topics/tech/" not in (config.output_path / "feeds.html").read_text(encoding="utf-8")


def test_incremental_equals_a_rebuild_after_random_changes(make_config, store, tmp_path):
    config = make_config(TOPICS)
    rng = random.Random(14)
    words = ["光伏", "储能", "广告", "芯片", "AI", "said", "新闻"]
    fill(store, _articles())
    publish(config, store, NOW, send=False)
    for step in range(12):
        for _ in range(rng.randint(1, 4)):
            n = rng.randint(1, 40)
            title = "".join(rng.choice(words) for _ in range(2))
            a = article(n, title=title, channel=rng.choice(["news", "tech"]),
                        published=NOW - timedelta(hours=rng.randint(1, 60)))
            if rng.random() < 0.15 and store.find_id(a.url):
                store.remove(store.find_id(a.url))
            else:
                store.upsert(dataclasses.replace(a, tags=()), NOW + timedelta(minutes=step))
        publish(config, store, NOW, send=False)
        incremental = {t: _ids(config.output_path, t) for t in ("xny", "ai", "tech")}
        fresh = tmp_path / f"fresh{step}"
        shutil.copytree(config.output_path, fresh)
        (config.output_path / STATE).unlink()
        publish(config, store, NOW, send=False)  # no state: rebuilt from the store
        assert {t: _ids(config.output_path, t) for t in incremental} == incremental, step
        for rel in ("topics/xny/rss.xml", "topics/ai/atom.xml", "topics/tech/feed.json"):
            assert (fresh / rel).read_bytes() == (config.output_path / rel).read_bytes()


def test_pages_listing_topics_render_cleanly_in_a_browser(make_config, store):
    from browser import Browser
    from conftest import require_binary

    config = make_config(TOPICS.replace("title: 新能源", "title: '新能源 <专题> & “全部”'"))
    fill(store, _articles())
    publish(config, store, NOW, send=False)
    with Browser(require_binary("chromium")) as browser:
        for name in ("feeds.html", "sitemap.html"):
            report = browser.check(config.output_path / name,
                                   "[document.documentElement.scrollWidth <= window.innerWidth,"
                                   " document.body.innerText]")
            assert report.errors == [], name
            fits, text = report.value
            assert fits and "新能源 <专题> & “全部”" in text, name


def test_word_bounds_next_to_accented_letters_and_punctuation() -> None:
    m = TopicMatcher([_topic(include=("AI",))])
    rows = _rows(("éAI", "", "[]", ""), ("AIé", "", "[]", ""), ("«AI»", "", "[]", ""),
                 ("中AI", "", "[]", ""), ("ÀI", "", "[]", ""), ("𠀀AI𠀀", "", "[]", ""))
    assert m.match(rows) == [[2, 3, 5]]
