"""One contract for every feed format: parses cleanly, text survives, URLs absolute, dates zoned,
ids stable, channel-level fields present; plus golden files (UPDATE_GOLDEN=1 regenerates)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from publish_helpers import NOW, UPDATE_GOLDEN, article, fill

from feeds.publish import publish
from feeds.publish.feedset import feed_specs
from feeds.publish.formats import FORMATS as REGISTRY

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
FORMATS = sorted(REGISTRY)
HUBS = "feeds:\n  hubs: [https://hub.example.org/]\n  ttl: 45\n"


def parse(fmt: str, data: bytes) -> dict:
    """Normalise any format to {title, items: [{id, title, link, published, updated, tags}]}."""
    if fmt == "json":
        doc = json.loads(data)
        return {"title": doc["title"], "self": doc["feed_url"], "items": [
            {"id": i["id"], "title": i["title"], "link": i["url"], "published": i["date_published"],
             "updated": i["date_modified"], "tags": i.get("tags", []),
             "authors": [a["name"] for a in i.get("authors", [])]} for i in doc["items"]]}
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return {"title": parsed.feed.title, "self": next(
        link.href for link in parsed.feed.links if link.rel == "self"), "items": [
        {"id": e.id, "title": e.title, "link": e.link,
         "published": e.get("published"), "updated": e.get("updated", e.get("published")),
         "tags": [t.term for t in e.get("tags", [])],
         "authors": [a.get("name") for a in e.get("authors", [])]} for e in parsed.entries]}


@pytest.fixture
def site_spec(make_config, store):
    config = make_config(HUBS)
    fill(store, [article(n) for n in range(1, 6)] + [article(9, channel="tech", url=
         "https://partner.example.com/x?a=1&b=2")])
    specs = feed_specs(config, store)
    return config, specs[0], store


@pytest.mark.parametrize("fmt", FORMATS)
def test_parses_and_text_survives(fmt, site_spec):
    config, spec, _ = site_spec
    feed = parse(fmt, REGISTRY[fmt].render(config.site, spec))
    assert feed["title"] == "测试新闻网"
    assert feed["self"] == f"https://feeds.example.cn/{spec.path(REGISTRY[fmt])}"
    titles = [i["title"] for i in feed["items"]]
    assert "A & B < C > D 第1篇" in titles
    assert len(titles) == 6


@pytest.mark.parametrize("fmt", FORMATS)
def test_urls_absolute_dates_zoned_categories_titles(fmt, site_spec):
    config, spec, _ = site_spec
    for item in parse(fmt, REGISTRY[fmt].render(config.site, spec))["items"]:
        assert item["link"].startswith(("http://", "https://"))
        for value in (item["published"], item["updated"]):
            assert value and ("+" in value[10:] or value.endswith(("Z", "GMT")))
        assert "." not in value[17:22]  # whole seconds: no fractional part
        assert item["tags"][0] in ("新闻中心", "科技")  # channel TITLE, not its id
        assert "创新" in item["tags"]
        assert item["authors"] == ["乔姗"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_ids_stable_across_runs(fmt, make_config, tmp_path):
    from feeds.store.sqlite import SQLiteStore
    config = make_config()
    ids = []
    for run in range(2):
        store = SQLiteStore(str(tmp_path / f"run{run}.db"))
        fill(store, [article(n) for n in range(1, 4)])
        fill(store, [article(n) for n in range(1, 4)])  # re-collected: still one item each
        ids.append([i["id"] for i in parse(fmt, REGISTRY[fmt].render(config.site,
                                                              feed_specs(config, store)[0]))["items"]])
        store.close()
    assert ids[0] == ids[1] and len(set(ids[0])) == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_build_date_is_newest_change_not_now(fmt, make_config, store):
    config = make_config()
    newest = article(2).updated.replace(hour=23)
    fill(store, [article(1), article(2, updated=newest)])
    data = REGISTRY[fmt].render(config.site, feed_specs(config, store)[0])
    if fmt == "json":
        assert json.loads(data)["_feeds"]["updated"] == newest.isoformat()
    else:
        parsed = feedparser.parse(data)
        stamp = parsed.feed.get("updated_parsed")
        assert datetime(*stamp[:6]) == newest.astimezone(tz=None).replace(tzinfo=None) or \
            stamp[:6] == newest.utctimetuple()[:6]


def test_rss_channel_and_item_extras(site_spec):
    config, spec, _ = site_spec
    data = REGISTRY["rss"].render(config.site, spec).decode()
    # relative to the feed (a copy of output/ served anywhere finds them): XSL, then CSS
    assert data.splitlines()[1] == '<?xml-stylesheet type="text/xsl" href="style/feed.xsl"?>'
    assert data.splitlines()[2] == '<?xml-stylesheet type="text/css" href="style/feed.css"?>'
    assert ('<atom:link href="https://feeds.example.cn/index.html" rel="related" '
            'type="text/html"/>') in data
    assert '<atom:link href="https://hub.example.org/" rel="hub"/>' in data
    assert "<ttl>45</ttl>" in data and "<language>zh-CN</language>" in data
    assert "<content:encoded>&lt;p&gt;正文 1" in data
    assert "<dc:creator>乔姗</dc:creator>" in data
    assert '<enclosure url="http://img.example.cn/1.jpg" length="12345" type="image/jpeg"/>' in data
    assert 'fileSize="12345"' in data and 'medium="image"' in data
    assert "<category>新闻中心</category>" in data and "<category>news</category>" not in data
    assert "<lastBuildDate>" in data and "<image>" in data


def test_atom_and_json_hub_and_enclosure(site_spec):
    config, spec, _ = site_spec
    atom = feedparser.parse(REGISTRY["atom"].render(config.site, spec))
    assert any(link.rel == "hub" for link in atom.feed.links)
    assert any(link.get("rel") == "enclosure" and link.type == "image/jpeg"
               for e in atom.entries for link in e.links)
    doc = json.loads(REGISTRY["json"].render(config.site, spec))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["hubs"] == [{"type": "WebSub", "url": "https://hub.example.org/"}]
    item = next(i for i in doc["items"] if i.get("image"))
    assert item["attachments"][0] == {"url": item["image"], "mime_type": "image/jpeg",
                                      "size_in_bytes": 12345}


def test_empty_feed_is_valid(make_config, store):
    config = make_config()
    for fmt in FORMATS:
        assert parse(fmt, REGISTRY[fmt].render(config.site, feed_specs(config, store)[0]))["items"] == []


def test_tag_and_source_feeds(make_config, store):
    config = make_config("feeds:\n  tags: [{id: chuangxin, tag: 创新}]\n")
    fill(store, [article(1), article(2, tags=("其他",))])
    specs = {s.key: s for s in feed_specs(config, store)}
    assert [a.id for a in specs["tag:chuangxin"].articles] == [article(1).id]
    assert specs["tag:chuangxin"].path(REGISTRY["rss"]) == "tags/chuangxin/rss.xml"


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt, make_config, store):
    config = make_config(HUBS)
    fill(store, [article(1), article(2, channel="tech")])
    data = REGISTRY[fmt].render(config.site, feed_specs(config, store)[0])
    golden = GOLDEN / f"site.{fmt}"
    if UPDATE_GOLDEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
    assert data == golden.read_bytes(), f"{golden} differs (UPDATE_GOLDEN=1 to regenerate)"


def test_second_publish_rewrites_nothing(make_config, store):
    config = make_config()
    fill(store, [article(1), article(2)])
    first = publish(config, store, NOW, send=False)
    out = config.output_path
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    second = publish(config, store, NOW, send=False)
    assert second.written == [] and first.written
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == mtimes
