"""Normalisation: URLs, lazy images, sanitising, summaries; hostile text still makes valid feeds."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import feedparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.config import Site
from feeds.model import Image, RawArticle
from feeds.normalise import Context, normalise, sanitise_html, summarise
from feeds.publish import atom, rss
from feeds.publish.feedset import FeedSpec
from feeds.urls import choose_canonical, clean_url, resolve_lazy_images

NOW = datetime(2024, 3, 1, 4, 0, tzinfo=UTC)
CTX = Context("src", "news", ZoneInfo("Asia/Shanghai"), NOW)
SITE = Site(title="测试新闻网", base_url="https://feeds.example.cn/")


def test_tracking_parameters_are_removed():
    url = "HTTP://WWW.Example.cn:80/a/1.html?utm_source=wx&id=7&spm=a.b&from=timeline#top"
    assert clean_url(url) == "http://www.example.cn/a/1.html?id=7"


def test_canonical_is_honoured_unless_it_points_home():
    page = "http://m.example.cn/a/1.html?from=share"
    assert choose_canonical(page, "/news/1.html?utm_medium=x") == "http://m.example.cn/news/1.html"
    assert choose_canonical(page, "http://www.example.cn/") == "http://m.example.cn/a/1.html"


def test_lazy_images_and_srcset():
    html = ('<img src="data:image/gif;base64,R0l" data-src="/a.jpg">'
            '<img src="images/grey.gif" data-original="b.jpg" width="600">'
            '<img srcset="s.jpg 320w, l.jpg 1280w, m.jpg 640w">')
    out = sanitise_html(resolve_lazy_images(html), base_url="http://x.cn/p/1.html")
    assert 'src="http://x.cn/a.jpg"' in out
    assert 'src="http://x.cn/p/b.jpg"' in out and 'width="600"' in out
    assert 'src="http://x.cn/p/l.jpg"' in out


def test_sanitising_drops_active_content_and_empty_blocks():
    html = ('<p>　　正文第一段。</p><p>&nbsp;</p><script>alert(1)</script><iframe src=x></iframe>'
            '<form>表单<input></form><p onclick="x()">第二段\x01。</p><style>p{}</style>'
            '<a href="javascript:alert(1)">链接</a>')
    out = sanitise_html(html, base_url="http://x.cn/")
    assert out.startswith("<p>正文第一段。</p>")
    for bad in ("script", "alert", "iframe", "表单", "onclick", "\x01", "style", "<p></p>"):
        assert bad not in out


def test_summary_prefers_the_lead_and_cuts_at_sentence_end():
    raw = RawArticle(url="http://x.cn/1.html", title="标题", summary="导言一句。",
                     content_html="<p>正文。</p>")
    assert normalise(raw, CTX).summary == "导言一句。"
    text = "第一句话说得很长很长。" * 20
    cut = summarise(text, 50)
    assert cut.endswith("。") and len(cut) <= 50


def test_lead_image_is_og_image_else_first_large_content_image():
    raw = RawArticle(url="http://x.cn/a/1.html", title="t",
                     content_html='<p><img src="icon.png" width="16" height="16">'
                                  '<img data-src="big.jpg" width="800" height="450"></p>')
    assert normalise(raw, CTX).image == Image("http://x.cn/a/big.jpg", 800, 450)
    raw2 = RawArticle(url="http://x.cn/a/1.html", title="t", image=Image("/og.jpg", 1200, 630))
    assert normalise(raw2, CTX).image == Image("http://x.cn/og.jpg", 1200, 630)


def test_relative_dates_are_frozen_by_the_store_and_undated_take_now():
    article = normalise(RawArticle(url="http://x.cn/1.html", published="3小时前"), CTX)
    assert article.published.isoformat() == "2024-03-01T09:00:00+08:00" and not article.dated
    undated = normalise(RawArticle(url="http://x.cn/2.html"), CTX)
    assert undated.published == NOW and not undated.dated


hostile = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from([
    "<![CDATA[ ]]> ]]>", "\x00\x0b\ufffe\ud800", "<script>x</script><b>", "&bogus; &#0; &#xD800;",
    "]]><item>", "\u202e\u200b", "<p onload=x>y</p><svg><g/></svg>", "a\r\nb\tc"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=hostile, body=hostile, author=hostile, tag=hostile, date=hostile, lead=hostile)
def test_any_text_normalises_into_valid_feeds(title, body, author, tag, date, lead):
    raw = RawArticle(url="http://x.cn/a/1.html", title=title, summary=lead, content_html=body,
                     published=date, authors=(author,), tags=(tag,), editor=author, origin=tag)
    article = normalise(raw, CTX)
    spec = FeedSpec("site", "", "t", "d", "http://x.cn/", (article,))
    for render in (rss.render, atom.render):
        parsed = feedparser.parse(render(SITE, spec))
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert len(parsed.entries) == 1
