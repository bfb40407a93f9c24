"""Articles and configs for the share tests: hostile titles, with and without images."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from feeds.config import Config, loads
from feeds.model import Article, Image

__all__ = ["CONFIG", "HOSTILE", "NOW", "make_article", "make_config"]

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

CONFIG = """\
site:
  title: 测试新闻网
  base_url: https://feeds.example.cn/
  portal_url: http://www.example.cn/
  timezone: Asia/Shanghai
  description: 测试
  logo: /images/logo.png
channels:
  - id: news
    title: 新闻中心
  - id: tech
    title: 科技
"""


def make_config(root: Path, text: str = CONFIG) -> Config:
    """A config whose output/ and store live under `root`."""
    return loads(text, root / "sources.yaml")


def make_article(n: int = 1, **changes: object) -> Article:
    """A plain article of the 'news' channel; `changes` override any field."""
    published = datetime(2026, 11, 20, 10, 30, tzinfo=CST) + timedelta(hours=n)
    article = Article(
        id=f"00000000-0000-4000-8000-{n:012d}",
        url=f"http://www.example.cn/news/2026/{n}.html",
        title=f"第{n}条新闻标题",
        summary="宁波市科技创新工作获省政府督查激励。这是第二句话！",
        content_html="<p>正文第一段。</p>",
        published=published,
        updated=published + timedelta(minutes=5),
        authors=("乔姗",),
        origin="中国企业新闻网",
        channel="news",
        tags=("科技", "创新"),
        source_id="news-rss",
    )
    return dataclasses.replace(article, **changes)  # type: ignore[arg-type]


LONG_CHINESE = "中" * 4000

# name -> the article; the hostile titles the issue names, with and without images
HOSTILE = {
    "quotes": make_article(
        1, title='他说："你好" & \'hi\' <b>粗体</b> 1 < 2',
        image=Image("https://img.example.cn/a.jpg", 1200, 630, "image/jpeg", alt='封面 "图" <i>'),
    ),
    "script": make_article(
        2, title='</script><script>alert("x")</script>标题', summary="",
        content_html='<p>正文 <b>加粗</b>\n\n 第二行。</p><img src="/pics/b.png" width="640" '
                     'height="360" alt="内文图">',
    ),
    "emoji": make_article(3, title="🎉 发布会 👨‍👩‍👧 🇨🇳 成功举行", image=None, content_html="",
                          tags=()),
    "long": make_article(4, title=LONG_CHINESE, summary=LONG_CHINESE, content_html="", origin="",
                         authors=(), image=Image("https://img.example.cn/small.png", 100, 100)),
}
