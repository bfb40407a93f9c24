"""Text rules for share metadata: cuts by characters at sentence ends, plain text, images."""

from __future__ import annotations

import pytest

from feeds.publish.share.text import ELLIPSIS, absolute_url, cut, first_content_image, plain_text


def test_short_text_is_untouched() -> None:
    assert cut("短句。", 10) == "短句。"


def test_cut_falls_after_the_last_sentence_end_within_the_limit() -> None:
    text = "第一句话说完了。第二句也说完了！第三句很长很长很长很长很长很长很长很长"
    assert cut(text, 20) == "第一句话说完了。第二句也说完了！" + ELLIPSIS


def test_cut_keeps_closing_quotes_with_their_sentence() -> None:
    text = "他说：“我们做到了。”然后大家继续工作，一直工作到很晚很晚很晚"
    assert cut(text, 20) == "他说：“我们做到了。”" + ELLIPSIS


def test_without_sentence_end_cut_at_the_limit_with_ellipsis() -> None:
    result = cut("中" * 4000, 200)
    assert result == "中" * 199 + ELLIPSIS and len(result) == 200


def test_decimal_point_is_not_a_sentence_end() -> None:
    text = "增长率为3.14个百分点并且持续增长持续增长持续增长持续增长"
    assert cut(text, 16) == text[:15] + ELLIPSIS


@pytest.mark.parametrize("cluster", ["👨‍👩‍👧", "🇨🇳", "👍🏽", "é", "1️⃣"])
def test_never_cuts_inside_a_character_as_drawn(cluster: str) -> None:
    for prefix in range(1, 8):
        text = "字" * prefix + cluster * 3 + "字" * 20
        result = cut(text, 10, at_sentence=False)
        body = result[:-1]
        assert len(result) <= 10 and result.endswith(ELLIPSIS)
        assert body.count(cluster) * len(cluster) == len(body) - body.count("字")


def test_sentence_end_too_early_is_ignored() -> None:
    text = "短。" + "长" * 50
    assert cut(text, 30) == "短。" + "长" * 27 + ELLIPSIS


def test_plain_text_removes_html_and_collapses_whitespace() -> None:
    html = "<p>第一段\n\n  <b>加粗</b>&amp;更多</p><p>\u3000第二段</p><script>x</script>"
    assert plain_text(html) == "第一段 加粗&更多 第二段 x"


def test_absolute_url() -> None:
    assert absolute_url("/a/b.png", "http://www.example.cn/news/1.html") == \
        "http://www.example.cn/a/b.png"
    assert absolute_url("//cdn.example.cn/x.png", "https://www.example.cn/") == \
        "https://cdn.example.cn/x.png"
    assert absolute_url("data:image/png;base64,AAAA", "http://www.example.cn/") == ""
    assert absolute_url("javascript:alert(1)", "http://www.example.cn/") == ""
    assert absolute_url("", "http://www.example.cn/") == ""


def test_first_content_image_skips_unusable_sources() -> None:
    html = ('<p>x</p><img src="data:image/gif;base64,R0lGOD"><img src="pics/a.jpg" '
            'width="640px" height="50%" alt=" 图 <说明> ">')
    image = first_content_image(html, "http://www.example.cn/news/1.html")
    assert image is not None
    assert (image.url, image.width, image.height) == ("http://www.example.cn/news/pics/a.jpg",
                                                      640, None)
    assert image.alt == "图 <说明>"  # an attribute is text: '<' in it is not a tag
    assert first_content_image("<p>无图</p>", "http://www.example.cn/") is None
