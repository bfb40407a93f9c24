"""Property test: whatever text, date and URL an item carries, the normaliser and every
renderer (each feed format in publish/formats.py, the share page, head and JSON) give outputs
in which every URL is absolute http(s), every file parses, and no exception escapes.

`FEEDS_FUZZ_EXAMPLES` sets the number of examples (a few seconds' worth in `make test`,
many more in `make fuzz`)."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import feedparser
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lhtml
from url_audit import is_own_link, is_public_url, urls_in_html, urls_in_json, urls_in_xml

from feeds import config as config_mod
from feeds.model import Image, RawArticle
from feeds.normalise import Context, UnusableItem, normalise
from feeds.publish.feedset import FeedSpec
from feeds.publish.formats import FORMATS
from feeds.publish.share import render_article

EXAMPLES = int(os.environ.get("FEEDS_FUZZ_EXAMPLES", "60"))
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)

_DIR = Path(tempfile.mkdtemp(prefix="feeds-props-"))
(_DIR / "sources.yaml").write_text(
    "site:\n  title: 测试 & <站>\n  base_url: https://feeds.example.cn/\n"
    "  portal_url: http://www.example.cn/\n  logo: /logo.png\n"
    "channels:\n  - {id: news, title: 新闻}\n", encoding="utf-8")
CONFIG = config_mod.load(_DIR / "sources.yaml")
CTX = Context("src", "news", CONFIG.site.tz, NOW)

# --- what a hostile item may carry ----------------------------------------------------------

SCHEMES = ["http://", "https://", "javascript:", "data:text/html,", "vbscript:", "file:///",
           "//", "mailto:", "ftp://", "", "HTTP://", " java\tscript:", "http:", "http://[",
           "https://[::1", "http://u:p@"]
url_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
urls = st.one_of(
    st.builds(lambda s, rest: s + rest, st.sampled_from(SCHEMES), url_text),
    st.builds(lambda host, path: f"http://{host}/{path}",
              st.sampled_from(["www.example.cn", "中文.example", "127.0.0.1", "[::1]",
                               "a.example:99999", "a b.example", "x.example:80"]), url_text),
    url_text,
)
texts = st.text(max_size=60)
fragments = st.lists(st.one_of(
    texts,
    st.builds(lambda u, t: f'<a href="{u}">{t}</a>', urls, texts),
    st.builds(lambda u: f'<img src="{u}" width="²" height="9999999999">', urls),
    st.builds(lambda u: f"<img data-src='{u}' srcset='{u} 2x, {u} ²w'>", urls),
    st.sampled_from(["<script>alert(1)</script>", "<p>", "</div>", "<![CDATA[x]]>", "&#0;",
                     "&bogus;", "\x00\x1b\ufffe", "<svg onload=alert(1)>", "]]>", "<!--"]),
), max_size=8).map("".join)
date_strings = st.one_of(
    texts,
    st.builds(lambda n, u: f"{n}{u}前", st.integers(0, 10**30), st.sampled_from(["天", "秒", "个月", "周"])),
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}T00:00:00+14:00",
              st.integers(1, 9999), st.integers(0, 13), st.integers(0, 32)),
    st.integers(0, 10**20).map(str),
    st.sampled_from(["刚刚", "昨天 25:61", "07-26 17:28", "Mon, 01 Jan 0001 00:00:00 +1400",
                     "2023年13月45日", "9999-12-31T23:59:59-12:00"]),
)
dates = st.one_of(st.none(), date_strings, st.datetimes(
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))])),
    st.datetimes())
images = st.one_of(st.none(), urls, st.builds(Image, urls, st.one_of(st.none(), st.integers()),
                                               st.one_of(st.none(), st.integers())))
raw_articles = st.builds(
    RawArticle, url=urls, title=texts, summary=fragments, content_html=fragments,
    published=dates, updated=dates, authors=st.lists(texts, max_size=3).map(tuple),
    editor=texts, origin=texts, tags=st.lists(texts, max_size=3).map(tuple), image=images,
    language=st.sampled_from(["", "zh-CN", "en", "x" * 40, "<b>"]), guid=texts,
    canonical_url=st.one_of(st.just(""), urls))


# --- what must hold -------------------------------------------------------------------------

def _assert_public(urls_found, where: str, relative: bool = False) -> None:
    for url in urls_found:
        assert is_public_url(url) or is_own_link(url, relative=relative), (where, url)


def _check_feed(name: str, data: bytes) -> None:
    if name == "json":
        _assert_public(urls_in_json(data), name)
        return
    etree.fromstring(data)  # well-formed
    _assert_public(urls_in_xml(data), name)
    parsed = feedparser.parse(data)
    assert not parsed.bozo, (name, parsed.get("bozo_exception"))
    assert len(parsed.entries) == 1


def _check_share(outputs: dict[str, bytes]) -> None:
    for suffix, data in outputs.items():
        if suffix.endswith(".json"):
            _assert_public(urls_in_json(data), suffix)
            json.loads(data)
        else:
            lhtml.document_fromstring(data)
            _assert_public(urls_in_html(data), suffix, relative=True)  # no article HTML inside


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw_articles)
# found by `make fuzz`: a U+00A0 left at the end once the fragment is cut (kept as a fixed case)
@example(RawArticle(url="http://0", content_html='<img;SRC="0\xa0#0">'))
@example(RawArticle(url="http://www.example.cn/a\u3000b", image="http://a\xa0b.example/i.png"))
def test_any_item_gives_safe_parseable_outputs(raw):
    try:
        article = normalise(raw, CTX)
    except UnusableItem:
        return  # no usable link: skipped with a warning, which is the policy
    assert is_public_url(article.url), article.url
    assert article.image is None or is_public_url(article.image.url)
    _assert_public(urls_in_html(f"<div>{article.content_html}</div>".encode()), "content")
    assert article.published.tzinfo is not None and article.updated >= article.published
    spec = FeedSpec("site", "", CONFIG.site.title, "d", CONFIG.site.home_url, (article,),
                    {"news": "新闻"})
    for name, fmt in FORMATS.items():
        _check_feed(name, fmt.render(CONFIG.site, spec))
    _check_share(render_article(CONFIG, article))
