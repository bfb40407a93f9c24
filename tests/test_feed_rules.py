"""The W3C-validator-style rules of feed_rules.py: (a) each rule fires on a small bad document,
(b) every feed we publish, from the example portal and from hostile articles, breaks none."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from feed_rules import json_problems, problems
from helpers import NOW as RUN_NOW
from helpers import run
from lxml import etree
from share_helpers import CONFIG, HOSTILE, NOW, make_article, make_config

from feeds.normalise import sanitise_html
from feeds.publish import publish
from feeds.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent
SELF = "https://feeds.example.cn/rss.xml"
ATOM_SELF = "https://feeds.example.cn/atom.xml"
CLOCK = NOW  # the bad documents are dated 25 Nov 2026
GOOD_ITEM = ('<item><title>T</title><link>http://x.cn/1</link><description>d</description>'
             '<guid isPermaLink="false">urn:uuid:1</guid>'
             '<pubDate>Wed, 25 Nov 2026 09:30:00 +0800</pubDate></item>')


def rss(channel_extra: str = "", item: str = GOOD_ITEM, head: str = "") -> bytes:
    return (f'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"'
            f' {head}><channel><title>C</title><link>http://x.cn/</link><description>D</description>'
            f'<language>zh-CN</language><atom:link href="{SELF}" rel="self" '
            f'type="application/rss+xml"/>{channel_extra}{item}</channel></rss>').encode()


def atom(entry_extra: str = "", feed_extra: str = "", title: str = "<title>E</title>") -> bytes:
    return (f'<feed xmlns="http://www.w3.org/2005/Atom"><id>{ATOM_SELF}</id><title>F</title>'
            f'<updated>2026-11-25T09:30:00+08:00</updated><author><name>A</name></author>'
            f'<link href="{ATOM_SELF}" rel="self"/>{feed_extra}<entry><id>urn:uuid:1</id>{title}'
            f'<updated>2026-11-25T09:30:00+08:00</updated><link href="http://x.cn/1"/>'
            f'<summary>s</summary>{entry_extra}</entry></feed>').encode()


def names(found: list[str]) -> set[str]:
    return {p.split(":")[0] for p in found}


def test_the_good_documents_pass():
    assert problems(rss(), SELF, CLOCK) == []
    assert problems(atom(), ATOM_SELF, CLOCK) == []


BAD_RSS = [
    (b"<rss version='2.0'><channel>", SELF, "NotWellFormed"),
    (rss().replace(b"<title>C</title>", b""), SELF, "MissingTitle"),
    (rss().replace(b"<language>zh-CN</language>", b""), SELF, "MissingDCLanguage"),
    (rss().replace(b"zh-CN", b"chinese"), SELF, "InvalidLanguage"),
    (rss().replace(b"zh-CN", b"xx-CN"), SELF, "InvalidLanguage"),
    (rss("<ttl>30.5</ttl>"), SELF, "InvalidInteger"),
    (rss("<ttl>1</ttl><ttl>2</ttl>"), SELF, "DuplicateElement"),
    (rss(), "https://feeds.example.cn/other.xml", "SelfDoesntMatchLocation"),
    (rss().replace(SELF.encode(), b"/rss.xml"), SELF, "RelativeSelf"),
    (rss().replace(b'rel="self"', b'rel="alternate"'), SELF, "MissingAtomSelfLink"),
    (rss("<lastBuildDate>2026-11-25T09:30:00+08:00</lastBuildDate>"), SELF, "InvalidRFC2822Date"),
    (rss("<pubDate>Wed, 25 Nov 2026 09:30:00</pubDate>"), SELF, "InvalidRFC2822Date"),  # no zone
    (rss("<pubDate>Mon, 25 Nov 2026 09:30:00 +0800</pubDate>"), SELF, "IncorrectDOW"),
    (rss("<pubDate>Wed, 25 Nov 2099 09:30:00 +0800</pubDate>"), SELF, "ImplausibleDate"),
    (rss("<pubDate>Thu, 25 Nov 1965 09:30:00 +0800</pubDate>"), SELF, "ImplausibleDate"),
    (rss("<image><url>http://x.cn/l.svg</url><title>C</title><link>http://x.cn/</link></image>"),
     SELF, "ImageUrlFormat"),
    (rss("<image><url>http://x.cn/l.png</url><title>C</title><link>http://y.cn/</link></image>"),
     SELF, "ImageLinkDoesntMatch"),
    (rss("<image><url>http://x.cn/l.png</url><title>X</title><link>http://x.cn/</link></image>"),
     SELF, "ImageTitleDoesntMatch"),
    (rss("<image><url>http://x.cn/l.png</url><title>C</title></image>"), SELF, "MissingLink"),
    (rss("<foo>1</foo>"), SELF, "UndefinedElement"),
    (rss(head='xmlns:x="http://example.com/x"', channel_extra="<x:y/>"), SELF, "UnknownNamespace"),
    (rss(item=GOOD_ITEM.replace("<guid isPermaLink=\"false\">urn:uuid:1</guid>", "")), SELF,
     "MissingGuid"),
    (rss(item=GOOD_ITEM * 2), SELF, "DuplicateValue"),
    (rss(item=GOOD_ITEM.replace('isPermaLink="false"', "")), SELF, "InvalidPermalink"),
    (rss(item=GOOD_ITEM.replace('"false">urn:uuid:1', '"false">12')), SELF,
     "NotSufficientlyUnique"),
    (rss(item=GOOD_ITEM.replace('"false"', '"no"')), SELF, "InvalidBooleanAttribute"),
    (rss(item=GOOD_ITEM.replace("http://x.cn/1", "/news/1.html")), SELF, "InvalidFullLink"),
    (rss(item=GOOD_ITEM.replace("<title>T</title>", "<title>a &lt;/b&gt; b</title>")), SELF,
     "ContainsHTML"),
    (rss(item=GOOD_ITEM.replace("<title>T</title>", "<title>a &amp;amp; b</title>")), SELF,
     "ContainsHTML"),
    (rss(item=GOOD_ITEM.replace("<title>T</title>", "<title> </title>")), SELF, "NotBlank"),
    (rss(item=GOOD_ITEM.replace("<title>T</title>", "").replace("<description>d</description>",
                                                                   "")), SELF,
     "ItemMustContainTitleOrDescription"),
    (rss(item=GOOD_ITEM.replace("<description>d</description>",
                                "<content:encoded>x</content:encoded><description>d</description>"
                                )), SELF, "NeedDescriptionBeforeContent"),
    (rss(item=GOOD_ITEM.replace("<description>d",
                                "<description>&lt;img src=\"/a.png\"&gt;")), SELF, "ContainsRelRef"),
    (rss(item=GOOD_ITEM.replace("<description>d",
                                "<description>&lt;script&gt;x&lt;/script&gt;")), SELF,
     "SecurityRisk"),
    (rss(item=GOOD_ITEM.replace("</item>", "<author>a@b.cn</author><dc:creator>a</dc:creator>"
                                           "</item>")), SELF, "DuplicateItemSemantics"),
    (rss(item=GOOD_ITEM.replace("</item>", '<enclosure url="http://x.cn/a.jpg" type="image/jpeg"/>'
                                           "</item>")), SELF, "MissingAttribute"),
    (rss(item=GOOD_ITEM.replace("</item>", '<enclosure url="http://x.cn/a.jpg" length="-1" '
                                           'type="image/jpeg"/></item>')), SELF,
     "UseZeroForUnknown"),
    (rss(item=GOOD_ITEM.replace("</item>", '<enclosure url="http://x.cn/a.jpg" length="1" '
                                           'type="jpeg"/></item>')), SELF, "InvalidMIMEAttribute"),
    (rss(item=GOOD_ITEM.replace("</item>", '<enclosure url="http://x.cn/a.jpg" length="1" '
                                           'type="image/jpeg"/>' * 2 + "</item>")), SELF,
     "DuplicateEnclosure"),
    (rss(item=GOOD_ITEM.replace("</item>", '<media:content url="http://x.cn/a.jpg" medium="pic"/>'
                                           "</item>")), SELF, "InvalidMediaMedium"),
    (rss(item=GOOD_ITEM.replace("</item>", '<media:content url="http://x.cn/a.jpg" width="0"/>'
                                           "</item>")), SELF, "InvalidInteger"),
]


@pytest.mark.parametrize("doc, url, rule", BAD_RSS, ids=[r for _, _, r in BAD_RSS])
def test_each_rss_rule_catches_its_bad_document(doc, url, rule):
    assert rule in names(problems(doc, url, CLOCK))


BAD_ATOM = [
    (atom().replace(b"<id>urn:uuid:1</id>", b""), "MissingElement"),
    (atom(title="<title>&lt;/script&gt; x</title>"), "ContainsUndeclaredHTML"),
    (atom(title='<title type="html">&lt;script&gt;x&lt;/script&gt;</title>'), "SecurityRisk"),
    (atom().replace(b'rel="self"', b'rel="alternate"'), "MissingSelf"),
    (atom().replace(b"2026-11-25T09:30:00+08:00</updated><link", b"2026-11-25 09:30</updated><link"),
     "InvalidRFC3339Date"),
    (atom().replace(b"+08:00</updated><link", b"</updated><link"), "InvalidRFC3339Date"),
    (atom().replace(b"2026-11-25T09:30", b"2036-11-25T09:30"), "ImplausibleDate"),
    (atom('<link rel="bogus" href="http://x.cn/"/>'), "UnregisteredAtomLinkRel"),
    (atom('<link rel="enclosure" href="http://x.cn/a.jpg" length="x"/>'), "InvalidInteger"),
    (atom(feed_extra='<link href="http://x.cn/"/><link href="http://x.cn/b"/>'),
     "DuplicateAtomLink"),
    (atom().replace(b"<summary>s</summary>", b""), "MissingTextualContent"),
    (atom().replace(b"</entry>", b"</entry>" + atom()[atom().index(b"<entry>"):
                                                       atom().index(b"</feed>")]),
     "DuplicateEntries"),
    (atom().replace(b"<author><name>A</name></author>", b""), "MissingElement"),
]


@pytest.mark.parametrize("doc, rule", BAD_ATOM, ids=[r for _, r in BAD_ATOM])
def test_each_atom_rule_catches_its_bad_document(doc, rule):
    assert rule in names(problems(doc, ATOM_SELF, CLOCK))


JSON_SELF = "https://feeds.example.cn/feed.json"
GOOD_JSON = {"version": "https://jsonfeed.org/version/1.1", "title": "F", "feed_url": JSON_SELF,
             "items": [{"id": "1", "content_text": "x", "date_published": "2026-11-25T09:30:00Z"}]}


def jp(**changes) -> list[str]:
    doc = json.loads(json.dumps(GOOD_JSON))
    item = changes.pop("item", None)
    doc.update(changes)
    if item is not None:
        doc["items"] = [dict(doc["items"][0], **item)]
    return json_problems(json.dumps(doc).encode(), JSON_SELF, CLOCK)


@pytest.mark.parametrize("changes, rule", [
    ({"version": "https://jsonfeed.org/version/1"}, "InvalidVersion"),
    ({"title": ""}, "MissingElement"),
    ({"feed_url": "https://feeds.example.cn/x.json"}, "SelfDoesntMatchLocation"),
    ({"home_page_url": "/"}, "InvalidURL"),
    ({"foo": 1}, "UnknownKey"),
    ({"authors": [{}]}, "EmptyAuthor"),
    ({"hubs": [{"url": "http://h.cn/"}]}, "MissingElement"),
    ({"item": {"content_text": None}}, "MissingElement"),
    ({"item": {"id": 7}}, "MissingElement"),
    ({"item": {"date_published": "2026-11-25 09:30"}}, "InvalidRFC3339Date"),
    ({"item": {"tags": [""]}}, "InvalidTags"),
    ({"item": {"date_modified": "2030-01-01T00:00:00Z"}}, "ImplausibleDate"),
    ({"item": {"attachments": [{"url": "http://x.cn/a"}]}}, "MissingElement"),
    ({"items": GOOD_JSON["items"] * 2}, "DuplicateEntries"),
])
def test_each_json_feed_rule_catches_its_bad_document(changes, rule):
    assert jp() == []
    assert rule in names(jp(**changes))


def markup_title(problem: str, doc: bytes) -> bool:
    """RSS has no way to say "this title is text": a title whose own text contains an HTML end
    tag (the hostile '</script>' and '<b>粗体</b>' titles) draws the validator's ContainsHTML
    warning however it is escaped. That one warning is tolerated, and only for such titles."""
    match = re.match(r"ContainsHTML: item\[(\d+)\]/title$", problem)
    if not match:
        return False
    title = etree.fromstring(doc).findall("channel/item")[int(match.group(1))].findtext("title")
    return bool(re.search(r"</(b|script)>", title or ""))


def check_output(output: Path, now: datetime,
                 base: str = "https://feeds.example.cn/") -> dict[str, list[str]]:
    """Every feed under output/ -> its problems (and feedparser must not flag bozo)."""
    found: dict[str, list[str]] = {}
    for path in sorted(output.rglob("*")):
        rel = path.relative_to(output).as_posix()
        if path.name in ("rss.xml", "atom.xml"):
            found[rel] = [p for p in problems(path.read_bytes(), base + rel, now)
                          if not markup_title(p, path.read_bytes())]
            parsed = feedparser.parse(path.read_bytes())
            assert not parsed.bozo, f"{rel}: {parsed.get('bozo_exception')}"
        elif path.name == "feed.json":
            found[rel] = json_problems(path.read_bytes(), base + rel, now)
    return found


def test_every_feed_of_the_example_portal_passes(tmp_path):
    text = (ROOT / "sources.yaml").read_text(encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(
        text.replace("file:examples/", f"file:{ROOT}/examples/"), encoding="utf-8")
    assert not run(tmp_path / "sources.yaml").failed
    found = check_output(tmp_path / "output", RUN_NOW)
    assert len(found) >= 12  # site + 3 channels, 3 formats each
    bad = {k: v for k, v in found.items() if v}
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)


def test_every_feed_of_hostile_articles_passes(tmp_path):
    """Hostile titles, no images, no dates, and a site logo given as a path (CONFIG)."""
    articles = list(HOSTILE.values()) + [
        make_article(10, title="A & B < C > D", image=None),
        make_article(11, title='"双引号" \'单引号\' “全角”', channel="tech"),
        dataclasses.replace(make_article(12, title="没有日期的文章", image=None), dated=False),
        make_article(13, title="无图 无摘要", summary="", content_html="", image=None, authors=()),
    ]
    # content as normalise delivers it: sanitised, every link absolute (the model's contract)
    articles = [dataclasses.replace(a, content_html=sanitise_html(a.content_html, a.url))
                for a in articles]
    config = make_config(tmp_path, CONFIG)
    store = SQLiteStore(str(tmp_path / "feeds.db"))
    try:
        for n, a in enumerate(articles):
            store.upsert(a, NOW - timedelta(minutes=n))
        publish(config, store, NOW, send=False)
    finally:
        store.close()
    found = check_output(config.output_path, NOW)
    assert len(found) >= 9  # site + 2 channels, 3 formats each
    bad = {k: v for k, v in found.items() if v}
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)

