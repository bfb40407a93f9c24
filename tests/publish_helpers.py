"""Fixtures for the publish tests: a config and a store holding a few tricky articles."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from feeds import config as config_mod
from feeds.config import Config
from feeds.model import Article, Image
from feeds.store import Store

SPECS = Path(__file__).resolve().parent / "data" / "specs"  # copied from ../shared/specs
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TZ = timezone(timedelta(hours=8))

SITE = """\
site:
  title: 测试新闻网
  base_url: https://feeds.example.cn/
  portal_url: http://www.example.cn/
  timezone: Asia/Shanghai
  description: 测试 & 新闻
  logo: http://www.example.cn/logo.png
channels:
  - {id: news, title: 新闻中心, url: http://www.example.cn/news/}
  - {id: tech, title: 科技}
"""


def article(n: int, **kw) -> Article:
    published = kw.pop("published", datetime(2026, 3, 9, 8, 0, tzinfo=TZ) - timedelta(hours=n))
    base = dict(
        id=f"00000000-0000-0000-0000-{n:012d}", url=f"http://www.example.cn/news/{n}.html",
        title=f"A & B < C > D 第{n}篇", summary=f"摘要 {n} “引号”", source_id="src",
        content_html=f"<p>正文 {n} &amp; <b>粗体</b></p>", published=published,
        updated=published, authors=("乔姗",), channel="news", tags=("创新", "科技"),
        image=Image(f"http://img.example.cn/{n}.jpg", 640, 480, None, 12345) if n % 2 else None,
    )
    base.update(kw)
    return Article(**base)


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[[str], Config]:
    def make(extra: str = "") -> Config:
        path = tmp_path / "sources.yaml"
        path.write_text(SITE + extra, encoding="utf-8")
        return config_mod.load(path)
    return make


def fill(store: Store, articles: list[Article], now: datetime = NOW) -> None:
    for a in articles:
        store.upsert(a, now)


def load_schema(name: str) -> etree.XMLSchema:
    class Local(etree.Resolver):
        def resolve(self, url, pubid, context):
            path = SPECS / url.rsplit("/", 1)[-1]
            if url.startswith(("http://", "https://")) and path.exists():
                return self.resolve_filename(str(path), context)
            return None
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Local())
    return etree.XMLSchema(etree.parse(str(SPECS / name), parser))


@pytest.fixture(scope="session")
def schemas() -> dict[str, etree.XMLSchema]:
    return {"urlset": load_schema("sitemap-all.xsd"), "sitemapindex": load_schema("siteindex.xsd")}


def assert_valid_sitemap(path: Path, schemas: dict[str, etree.XMLSchema]) -> etree._Element:
    doc = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
    root = etree.QName(doc.getroot()).localname
    schema = schemas[root]
    assert schema.validate(doc), f"{path.name}: {schema.error_log.last_error}"
    return doc.getroot()


UPDATE_GOLDEN = bool(os.environ.get("UPDATE_GOLDEN"))
