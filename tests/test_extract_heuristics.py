"""The generic extractor's heuristics on small hand-made pages: split bodies, loose text,
captions, and which visible date is the published one."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from feeds.dates import find_dates, parse
from feeds.extract import extract
from feeds.normalise import html_to_text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 3, 1, 4, 0, tzinfo=UTC)
PARA = ("This paragraph is part of the article, with commas, clauses, and a full stop. "
        "It goes on a little longer, so that it reads like real prose, not a menu. ")


def page(body: str, head: str = "<title>A headline</title>") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def body_text(html: str) -> str:
    return html_to_text(extract(html, "https://example.org/a").content_html)


def test_body_split_into_same_class_blocks_is_joined():
    part = '<div class="post-part"><div class="inner"><p>{0}{1}</p><p>{1}</p></div></div>'
    html = page('<div class="layout">' + part.format("FIRST. ", PARA)
                + '<div class="promo-box"><a href="/x">Buy now</a></div>'
                + part.format("SECOND. ", PARA) + '</div>'
                + '<div class="post-list"><a href="/1">Other story</a> <a href="/2">More</a></div>')
    text = body_text(html)
    assert "FIRST." in text and "SECOND." in text
    assert "Buy now" not in text and "Other story" not in text


def test_loose_text_beside_blocks_is_the_body():
    """Text lying in a layout div between <br>s, next to block-level clutter."""
    html = page('<div class="menu-col"><ul><li><a href="/a">Home</a></li></ul></div>'
                '<div class="col-9"><p class="title">A headline</p><img src="/i.jpg">'
                f'LOOSE {PARA}<br><br>{PARA}<div class="row"><a href="/s">Share</a></div></div>'
                '<div class="bottom"><p>Street 1, City, phone 123.</p></div>')
    text = body_text(html)
    assert "LOOSE" in text and "Street 1" not in text and "Home" not in text


def test_figure_captions_and_credits_are_not_body():
    html = page(f'<article><p>{PARA}</p><figure><img src="/p.jpg"><figcaption>A caption.'
                '</figcaption></figure><div class="caption-full">Another caption, long one.</div>'
                f'<p>{PARA}</p><span class="photo-credit">Credit: Agency</span></article>')
    text = body_text(html)
    assert "caption" not in text and "Credit" not in text and text.count("This paragraph") == 2


@pytest.mark.parametrize("text, expected, date_only", [
    ("9/17/2004 5:54:13 AM", "2004-09-17T05:54:13+08:00", False),  # AM/PM: US month first
    ("7/5/2005 9:23:57 PM", "2005-07-05T21:23:57+08:00", False),
    ("12/5/2005 12:10 AM", "2005-12-05T00:10:00+08:00", False),
    ("06/02/2022 - 13:48", "2022-02-06T13:48:00+08:00", False),  # otherwise day first
    ("17/09/2004", "2004-09-17T00:00:00+08:00", True),
])
def test_year_last_dates(text, expected, date_only):
    found = parse(text, SH, NOW)
    assert found is not None and found.value.isoformat() == expected
    assert found.date_only == date_only


def test_year_first_date_needs_one_separator():
    assert find_dates("归档 12/01/2004 - 01/01/2005") == []
    assert [m.group(0) for m in find_dates("于 2004-01-01 与 2004年1月2日")] == \
        ["2004-01-01 ", "2004年1月2日"]


def published(html: str) -> str | None:
    return extract(html, "https://example.cn/a").published


def test_labelled_publish_date_beats_other_dates():
    html = page("<div>博客 建立于:2004年10月6日</div><h2>陈天华</h2>"
                f"<div>发表于 2005-9-15 11:46:00</div><p>{PARA}</p>",
                "<title>Pub blog</title>")
    assert published(html) == "2005-9-15 11:46:00"


def test_year_last_date_counts_after_a_label():
    html = page("<p>作者：某人 发布日期： 9/17/2004 5:54:13 AM</p>"
                f"<p>{PARA}</p><p>归档 12/01/2004 - 01/01/2005</p>", "<title>站点</title>")
    assert published(html) == "9/17/2004 5:54:13 AM"


def test_time_is_kept_when_the_date_straddles_the_near_title_edge():
    nav = "\n".join(f"栏目{i}" for i in range(40))
    html = page(f"<h1>孩子的奶酪</h1><div>{nav}</div><h2>孩子的奶酪</h2>"
                f"<td>2005-02-06 13:26更新 来源：转载</td><p>{PARA}</p>",
                "<title>孩子的奶酪</title>")
    assert published(html) == "2005-02-06 13:26"


def test_hidden_elements_are_not_body():
    html = page(f'<article><div style="display: none"><p>{PARA.replace("This", "HIDDEN")}</p>'
                f'</div><p hidden>Secret.</p><p>{PARA}</p><p>{PARA}</p></article>')
    text = body_text(html)
    assert "HIDDEN" not in text and "Secret" not in text and "This paragraph" in text


def test_teaser_list_with_ellipses_does_not_win():
    teaser = ('<li><a href="/t{0}">Other story {0} headline here</a> <span>SUMMARY, of another '
              'story, with commas, clauses, and more words, cut off at a point...</span></li>')
    html = page('<div class="ticker"><ul>' + "".join(teaser.format(i) for i in range(12))
                + f'</ul></div><div class="story"><p>{PARA}</p><p>{PARA}</p></div>')
    text = body_text(html)
    assert "This paragraph" in text and "SUMMARY" not in text
