"""繁體 variants: converted copies of every feed and page (text converted, URLs and ids not),
listed with their language, validated like the originals, converted once per article change."""

from __future__ import annotations

import json
from urllib.parse import urljoin

import feedparser
import pytest
from feed_rules import json_problems, problems
from lxml import html as lxml_html
from publish_helpers import NOW, article, fill

from feeds import config as config_mod
from feeds.errors import ConfigError
from feeds.publish import publish, variants
from feeds.publish.formats import FORMATS

VARIANTS = """\
feeds:
  variants: [zh-Hant-TW, zh-Hant-HK]
topics:
  - {id: ruanjian, title: 软件, include: [软件]}
"""
IRI = "http://www.example.cn/news/软件/1.html"  # a URL with Chinese in it must not change


def _articles() -> list:
    return [article(1, title="软件信息网络发展", url=IRI,
                    content_html='<p>鼠标和内存 <a href="http://www.example.cn/软件">软件</a></p>',
                    tags=("软件",)),
            article(2, title="里程碑", channel="tech")]


def test_config_names_unknown_variants(tmp_path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("site: {title: T, base_url: 'https://x.cn/'}\nfeeds:\n  variants: [zh-TW]\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        config_mod.load(path)
    assert e.value.problems == ["sources.yaml:3: feeds.variants: unknown variant 'zh-TW' "
                                "(one of: zh-Hant-TW, zh-Hant-HK, zh-Hant)"]


def test_every_feed_converted_valid_and_listed(make_config, store) -> None:
    config = make_config(VARIANTS)
    fill(store, _articles())
    publish(config, store, NOW, send=False)
    out = config.output_path
    expected = {"zh-hant-tw": "軟體資訊網路發展", "zh-hant-hk": "軟件信息網絡發展"}
    for folder, title in expected.items():
        language = "zh-Hant-TW" if folder.endswith("tw") else "zh-Hant-HK"
        for feed in ("", "channels/news/", "channels/tech/", "topics/ruanjian/"):
            for fmt in FORMATS.values():
                rel = f"{folder}/{feed}{fmt.file}"
                data = (out / rel).read_bytes()
                url = f"https://feeds.example.cn/{rel}"
                if fmt.name == "json":
                    assert json_problems(data, url, NOW) == [], rel
                    assert json.loads(data)["language"] == language
                else:
                    parsed = feedparser.parse(data)
                    assert not parsed.bozo, rel
                    assert [p for p in problems(data, url, NOW) if "ContainsHTML" not in p] == []
                    assert parsed.feed.language == language
        feed = feedparser.parse((out / f"{folder}/rss.xml").read_bytes())
        first = next(e for e in feed.entries if e.link == IRI)  # the URL as it was
        original = next(e for e in feedparser.parse((out / "rss.xml").read_bytes()).entries
                        if e.link == IRI)
        assert first.title == title and first.id == original.id
        assert 'href="http://www.example.cn/软件"' in first.content[0].value
        assert feed.feed.title == "測試新聞網"
    assert "里程碑" in (out / "zh-hant-hk/rss.xml").read_text(encoding="utf-8")  # HK keeps 里
    opml = (out / "feeds.opml").read_text(encoding="utf-8")
    assert 'language="zh-Hant-TW"' in opml and 'language="zh-Hant-HK"' in opml
    assert "https://feeds.example.cn/zh-hant-tw/topics/ruanjian/rss.xml" in opml
    assert "（zh-Hant-HK）" in (out / "feeds.html").read_text(encoding="utf-8")
    page = (out / "zh-hant-tw/sitemap.html").read_text(encoding="utf-8")
    assert 'lang="zh-Hant-TW"' in page and "網站地圖" in page and "網站地图" not in page
    hrefs = {urljoin("https://feeds.example.cn/zh-hant-tw/sitemap.html", h)
             for h in lxml_html.fromstring(page).xpath("//a/@href")}
    assert "https://feeds.example.cn/zh-hant-tw/channels/news/rss.xml" in hrefs
    assert (out / "zh-hant-tw/style/feed.xsl").exists()


class Counting:
    """opencc.OpenCC that counts conversions."""

    calls = 0

    def __init__(self, name: str):
        self.inner = variants.opencc.OpenCC(name)

    def convert(self, text: str) -> str:
        Counting.calls += 1
        return self.inner.convert(text)


def test_conversion_is_cached_per_article_change(make_config, store, monkeypatch) -> None:
    real = variants.opencc.OpenCC
    monkeypatch.setattr(variants.opencc, "OpenCC", Counting)
    Counting.inner_cls = real  # type: ignore[attr-defined]
    monkeypatch.setattr(Counting, "__init__", lambda self, name: setattr(self, "inner", real(name)))
    config = make_config(VARIANTS)
    fill(store, _articles())
    publish(config, store, NOW, send=False)
    assert Counting.calls > 0
    Counting.calls = 0
    again = publish(config, store, NOW, send=False)
    assert Counting.calls == 0  # an unchanged publish converts nothing ...
    assert [w for w in again.written if w.startswith("zh-hant")] == []  # ... and writes nothing
    store.upsert(article(2, title="新的软件", channel="tech"), NOW)
    publish(config, store, NOW, send=False)
    # one article's fields (title, summary, body, editor, origin, tag, author) per variant, and
    # the pages it appears on; never the other article again
    assert 0 < Counting.calls <= 2 * (7 + 3 + 1)
    assert "新的軟體" in (config.output_path / "zh-hant-tw/channels/tech/rss.xml").read_text(
        encoding="utf-8")


def test_variant_pages_render_cleanly_in_a_browser(make_config, store) -> None:
    from browser import Browser
    from conftest import require_binary

    config = make_config(VARIANTS)
    fill(store, _articles())
    publish(config, store, NOW, send=False)
    with Browser(require_binary("chromium")) as browser:
        for rel in ("zh-hant-tw/feeds.html", "zh-hant-hk/sitemap.html", "feeds.html"):
            report = browser.check(config.output_path / rel,
                                   "document.documentElement.scrollWidth <= window.innerWidth")
            assert report.errors == [] and report.value is True, rel
