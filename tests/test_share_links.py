"""Share links decode back to the article's URL and title, for every platform."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import html as lxml_html
from share_helpers import HOSTILE, make_article, make_config

from feeds.publish.share import render_article
from feeds.publish.share.links import TARGETS, ShareText, share_links

URL = "http://www.example.cn/news/a b?x=1&y=中文#frag"
TITLE = 'Hello World & 你好 #1? 100% "quoted" + plus </script>'
TEXT = ShareText(URL, TITLE, "描述 with spaces.", "https://img.example.cn/a b.jpg")

# platform -> (parameter holding the URL, parameter holding the title or None)
PARAMS = {"weibo": ("url", "title"), "qq": ("url", "title"), "qzone": ("url", "title"),
          "douban": ("href", "name"), "x": ("url", "text"), "facebook": ("u", None),
          "linkedin": ("url", None), "telegram": ("url", "text"), "reddit": ("url", "title")}


def _query(link: str) -> dict[str, str]:
    values = parse_qs(urlsplit(link).query, keep_blank_values=True, strict_parsing=True)
    assert all(len(v) == 1 for v in values.values())
    return {k: v[0] for k, v in values.items()}


def test_every_platform_is_covered() -> None:
    assert set(TARGETS) == set(PARAMS) | {"whatsapp", "email"}


@pytest.mark.parametrize("platform", sorted(PARAMS))
def test_link_decodes_to_url_and_title(platform: str) -> None:
    link = share_links(TEXT)[platform]
    assert " " not in link and "+" not in link.split("?", 1)[1]  # spaces as %20, '+' encoded
    url_key, title_key = PARAMS[platform]
    values = _query(link)
    assert values[url_key] == URL
    if title_key:
        assert values[title_key] == TITLE


def test_whatsapp_text_carries_title_then_url() -> None:
    assert _query(share_links(TEXT)["whatsapp"]) == {"text": f"{TITLE} {URL}"}


def test_email_is_an_rfc6068_mailto() -> None:
    link = share_links(TEXT)["email"]
    assert link.startswith("mailto:?subject=") and "%20" in link and "%0D%0A" in link
    values = _query(link)
    assert values["subject"] == TITLE
    assert values["body"] == f"描述 with spaces.\r\n\r\n{URL}"


def test_images_and_descriptions_travel_where_supported() -> None:
    links = share_links(TEXT)
    assert _query(links["weibo"])["pic"] == TEXT.image
    assert _query(links["qq"])["pics"] == TEXT.image
    assert _query(links["qzone"])["summary"] == TEXT.description
    assert _query(links["qq"])["summary"] == TEXT.description
    assert "desc" not in _query(links["qq"])  # the sender's own comment box stays theirs
    assert _query(links["douban"])["image"] == TEXT.image


def test_links_are_iris_chinese_stays_text_delimiters_are_encoded() -> None:
    link = share_links(ShareText("http://www.example.cn/a?b=1&c=2", "标题 & “引号”\u200b",
                                 "", ""))["weibo"]
    assert "标题" in link and "%E6" not in link  # UTF-8 text, a third of its %XX bytes
    assert "%26" in link and "%20" in link and "%E2%80%8B" in link  # &, space, zero-width
    assert "url=http://www.example.cn/a?b%3D1%26c%3D2&" in link  # ':', '/', '?' may stay (RFC 3986)
    assert _query(link)["title"] == "标题 & “引号”\u200b"


@pytest.mark.parametrize("name", list(HOSTILE))
def test_page_links_decode_to_the_article(tmp_path, name: str) -> None:
    """The hrefs as a browser reads them from the page, not only as built."""
    article = HOSTILE[name]
    page = render_article(make_config(tmp_path), article)[".html"]
    doc = lxml_html.fromstring(page)
    hrefs = dict(zip(TARGETS, doc.xpath('//ul[@class="share"]//a/@href')))
    expected_title = doc.xpath('//meta[@property="og:title"]/@content')[0]
    assert expected_title == (article.title if len(article.title) <= 100
                              else article.title[:99] + "…")
    for platform, (url_key, title_key) in PARAMS.items():
        values = _query(hrefs[platform])
        assert values[url_key] == article.url
        if title_key:
            assert values[title_key] == expected_title


def test_a_url_with_spaces_and_unicode_survives_the_page(tmp_path) -> None:
    article = make_article(9, url=URL, title=TITLE)
    doc = lxml_html.fromstring(render_article(make_config(tmp_path), article)[".html"])
    hrefs = dict(zip(TARGETS, doc.xpath('//ul[@class="share"]//a/@href')))
    assert _query(hrefs["weibo"])["url"] == URL
    assert _query(hrefs["weibo"])["title"] == TITLE
