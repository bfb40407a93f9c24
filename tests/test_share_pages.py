"""Share pages read as the platforms read them: extruct (Open Graph, JSON-LD, microdata) and lxml
(X cards, links), over hostile titles, with and without images."""

from __future__ import annotations

import json
from pathlib import Path

import extruct
import pytest
from lxml import html as lxml_html
from share_helpers import CONFIG, HOSTILE, make_article, make_config

from feeds.model import Image
from feeds.publish.share import render_article

CASE_IDS = list(HOSTILE)
LOGO = "http://www.example.cn/images/logo.png"
FEEDS = ["https://feeds.example.cn/rss.xml", "https://feeds.example.cn/atom.xml",
         "https://feeds.example.cn/feed.json",
         "https://feeds.example.cn/channels/news/rss.xml",
         "https://feeds.example.cn/channels/news/atom.xml",
         "https://feeds.example.cn/channels/news/feed.json"]

# what each hostile article must look like when shared
EXPECTED = {
    "quotes": {"title": HOSTILE["quotes"].title, "twitter_title": HOSTILE["quotes"].title,
                   "description": "宁波市科技创新工作获省政府督查激励。这是第二句话！",
                   "image": "https://img.example.cn/a.jpg", "size": ("1200", "630"),
                   "alt": '封面 "图" <i>', "card": "summary_large_image", "hour": 11},
    "script": {"title": HOSTILE["script"].title, "twitter_title": HOSTILE["script"].title,
                   "description": "正文 加粗 第二行。", "image": "http://www.example.cn/pics/b.png",
                   "size": ("640", "360"), "alt": "内文图", "card": "summary_large_image", "hour": 12},
    "emoji": {"title": HOSTILE["emoji"].title, "twitter_title": HOSTILE["emoji"].title,
                  "description": "宁波市科技创新工作获省政府督查激励。这是第二句话！", "image": LOGO,
                  "size": None, "alt": HOSTILE["emoji"].title, "card": "summary", "hour": 13},
    "long": {"title": "中" * 99 + "…", "twitter_title": "中" * 69 + "…",
                 "description": "中" * 159 + "…", "image": "https://img.example.cn/small.png",
                 "size": ("100", "100"), "alt": "中" * 99 + "…", "card": "summary", "hour": 14},
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    config = make_config(tmp_path_factory.mktemp("share"))
    return {name: render_article(config, article) for name, article in HOSTILE.items()}


def _extract(page: bytes) -> dict:
    return extruct.extract(page.decode("utf-8"), base_url="https://feeds.example.cn/share/",
                           syntaxes=["opengraph", "json-ld", "microdata"], uniform=False,
                           with_og_array=True)


@pytest.mark.parametrize("name", CASE_IDS)
def test_open_graph(rendered: dict, name: str) -> None:
    article, want = HOSTILE[name], EXPECTED[name]
    (og,) = _extract(rendered[name][".html"])["opengraph"]
    props = og["properties"]
    values = dict(props)
    assert values["og:type"] == "article"
    assert values["og:title"] == want["title"]
    assert values["og:url"] == article.url
    assert values["og:description"] == want["description"]
    assert values["og:site_name"] == "测试新闻网"
    assert values["og:locale"] == "zh_CN"
    assert values["og:image"] == want["image"]
    assert values["og:image:alt"] == want["alt"]
    assert values["article:published_time"] == f"2026-11-20T{want['hour']}:30:00+08:00"
    assert values["article:modified_time"] == f"2026-11-20T{want['hour']}:35:00+08:00"
    assert values["article:section"] == "新闻中心"
    assert [v for k, v in props if k == "article:tag"] == list(article.tags)
    # the image's structured properties follow it directly, before anything else
    keys = [k for k, _ in props]
    at = keys.index("og:image")
    block = keys[at + 1:at + 1 + sum(1 for k in keys if k.startswith("og:image:"))]
    assert all(k.startswith("og:image:") for k in block) and "og:image:alt" in block
    if want["size"]:
        assert (values["og:image:width"], values["og:image:height"]) == want["size"]
    else:
        assert "og:image:width" not in values and "og:image:height" not in values
    assert ("og:image:secure_url" in values) == want["image"].startswith("https://")


@pytest.mark.parametrize("name", CASE_IDS)
def test_twitter_card(rendered: dict, name: str) -> None:
    """Read as X reads it: a twitter: tag, else the Open Graph property it falls back to."""
    want = EXPECTED[name]
    doc = lxml_html.fromstring(rendered[name][".html"])
    tags = {m.get("name"): m.get("content") for m in doc.xpath('//meta[starts-with(@name, "twitter:")]')}
    og = {m.get("property"): m.get("content") for m in doc.xpath('//meta[@property]')}
    card = {key: tags.get(f"twitter:{key}", og.get(f"og:{key}"))
            for key in ("title", "description", "image")}
    assert tags["twitter:card"] == want["card"]
    assert card["title"] == want["twitter_title"] and len(card["title"]) <= 70
    assert card["description"] == want["description"][:200]
    assert len(card["description"]) <= 200
    assert card["image"] == want["image"]
    assert tags["twitter:image:alt"] == want["alt"]
    # nothing that Open Graph already says is repeated
    assert all(tags.get(f"twitter:{k}") != og.get(f"og:{k}") for k in ("title", "description"))
    assert "twitter:image" not in tags


@pytest.mark.parametrize("name", CASE_IDS)
def test_json_ld(rendered: dict, name: str) -> None:
    article, want = HOSTILE[name], EXPECTED[name]
    page = rendered[name][".html"].decode("utf-8")
    (data,) = _extract(rendered[name][".html"])["json-ld"]
    assert data["@type"] == "NewsArticle" and data["@context"] == "https://schema.org"
    assert data["headline"] == want["title"] and len(data["headline"]) <= 110
    assert "description" not in data  # Google reads the meta description
    assert data["image"][0]["url"] == want["image"]
    assert data["datePublished"] == f"2026-11-20T{want['hour']}:30:00+08:00"
    assert data["dateModified"] == f"2026-11-20T{want['hour']}:35:00+08:00"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": article.url}
    assert data["publisher"]["name"] == "测试新闻网"
    assert data["publisher"]["logo"]["url"] == LOGO
    if article.authors:
        assert data["author"] == [{"@type": "Person", "name": "乔姗"}]
    else:
        assert data["author"] == [{"@type": "Organization", "name": "测试新闻网",
                                   "url": "http://www.example.cn/"}]
    # escaped for a script element: no '<' at all, never HTML entities
    script = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in script and "&lt;" not in script and "&amp;" not in script
    assert json.loads(script) == data
    assert page.count("</script>") == 1


@pytest.mark.parametrize("name", CASE_IDS)
def test_microdata_for_qq(rendered: dict, name: str) -> None:
    want = EXPECTED[name]
    (item,) = _extract(rendered[name][".html"])["microdata"]
    assert item["type"] == "https://schema.org/NewsArticle"
    assert item["properties"] == {"name": want["title"], "image": want["image"],
                                  "description": want["description"]}


@pytest.mark.parametrize("name", CASE_IDS)
def test_page_links_and_text(rendered: dict, name: str) -> None:
    article, want = HOSTILE[name], EXPECTED[name]
    doc = lxml_html.fromstring(rendered[name][".html"])
    assert doc.get("lang") == "zh-CN"
    assert doc.xpath('//link[@rel="canonical"]/@href') == [article.url]
    assert doc.xpath('//link[@rel="alternate"]/@href') == FEEDS
    assert doc.xpath("//h1")[0].text_content() == want["title"]
    assert doc.xpath('//a[@class="read"]/@href') == [article.url]
    assert doc.xpath("//title")[0].text == f"{want['title']} - 测试新闻网"
    assert doc.xpath("//time/@datetime") == [f"2026-11-20T{want['hour']}:30:00+08:00"]
    assert len(doc.xpath("//svg[@class='qr']//path[@stroke='#000']")) == 1  # the dark modules
    # the article's own image is shown; the site logo is metadata only
    shown = doc.xpath('//img[@class="lead"]/@src')
    assert shown == ([] if want["image"] == LOGO else [want["image"]])


@pytest.mark.parametrize("name", CASE_IDS)
def test_head_fragment_and_json_agree_with_page(rendered: dict, name: str) -> None:
    outputs = rendered[name]
    head = outputs[".head.html"].decode("utf-8")
    page_head = lxml_html.fromstring(outputs[".html"]).find("head")
    fragment = lxml_html.fragments_fromstring(head)
    as_text = [lxml_html.tostring(el, encoding="unicode").strip() for el in fragment
               if isinstance(el.tag, str)]
    page_text = [lxml_html.tostring(el, encoding="unicode").strip() for el in page_head]
    assert as_text and all(el in page_text for el in as_text)
    data = json.loads(outputs[".json"])
    og = dict(_extract(outputs[".html"])["opengraph"][0]["properties"])
    assert data["title"] == og["og:title"] and data["url"] == og["og:url"]
    assert data["description"] == og["og:description"]
    assert data["image"]["url"] == og["og:image"]
    assert data["published"] == og["article:published_time"]
    assert data["share_page"].endswith(f"/share/{HOSTILE[name].id[:3]}/{HOSTILE[name].id}.html")
    assert data["head"] == data["share_page"].removesuffix(".html") + ".head.html"
    assert data["wechat"]["title"] == EXPECTED[name]["title"]
    assert data["wechat"]["link"] == HOSTILE[name].url
    assert data["wechat"]["imgUrl"] == EXPECTED[name]["image"]
    assert len(data["wechat"]["desc"]) <= 120 and data["wechat"]["desc"]
    # the views the head fragment and the page hold are not repeated in the JSON
    assert not {"open_graph", "twitter", "json_ld", "share", "wechat_qr_svg"} & set(data)
    assert outputs[".json"].count(b"\n") == 1  # compact: one line


def test_share_files_of_an_ordinary_article_fit_in_16_kb(tmp_path: Path) -> None:
    body = "".join(f"<p>第{k}段：宁波市科技创新工作获省政府督查激励，成效明显。</p>" for k in range(40))
    article = make_article(5, summary="", content_html=body,
                           image=Image("http://www.example.cn/img/5.jpg", 800, 450))
    outputs = render_article(make_config(tmp_path), article)
    assert sum(len(data) for data in outputs.values()) <= 16_000


def test_no_logo_and_no_image_means_no_image_tags(tmp_path: Path) -> None:
    config = make_config(tmp_path, CONFIG.replace("  logo: /images/logo.png\n", ""))
    page = render_article(config, HOSTILE["emoji"])[".html"]
    (og,) = _extract(page)["opengraph"]
    assert not [k for k, _ in og["properties"] if k.startswith("og:image")]
    doc = lxml_html.fromstring(page)
    assert doc.xpath('//meta[@name="twitter:card"]/@content') == ["summary"]
    assert not doc.xpath('//meta[@name="twitter:image"]')


def test_rendering_is_byte_stable(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    article = HOSTILE["quotes"]
    assert render_article(config, article) == render_article(config, article)

