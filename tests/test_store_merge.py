"""The merge rules (feeds/store/merge.py), through both stores' upsert: ownership of an article
by the source that first stored it, dates settled at first sight, when `updated` moves."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from feeds.model import RawArticle
from feeds.normalise import Context, normalise

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
URL = "http://a.example/story.html"


def article(raw: RawArticle, now: datetime = T0, source: str = "owner", channel: str = "news"):
    return normalise(raw, Context(source, channel, TZ, now))


def test_another_source_never_replaces_the_owners_title_text_dates_or_channel(store):
    owner = RawArticle(url=URL, title="原标题", content_html="<p>原正文。</p>",
                       published="2026-10-31 10:00")
    _, first = store.upsert(article(owner), T0)
    hijack = RawArticle(url=URL, title="被改的标题", content_html="<p>广告。</p>",
                        summary="别的摘要", published="2026-10-31 23:00")
    later = T0 + timedelta(hours=1)
    outcome, kept = store.upsert(article(hijack, later, source="other", channel="tech"), later)
    assert outcome == "unchanged" and kept == first
    [stored] = store.recent(10)
    assert (stored.title, stored.content_html, stored.channel, stored.source_id) == \
        ("原标题", first.content_html, "news", "owner")
    assert stored.published == first.published and stored.updated == first.updated
    assert store.count("other") == 0


def test_another_source_may_fill_what_the_owner_left_empty(store):
    _, first = store.upsert(article(RawArticle(url=URL, title="标题",
                                               published="2026-10-31 10:00")), T0)
    assert first.image is None and first.tags == ()
    other = RawArticle(url=URL, title="别的标题", tags=("科技",),
                       image="http://img.example/1.jpg", published="2026-10-31 11:00")
    later = T0 + timedelta(hours=1)
    outcome, filled = store.upsert(article(other, later, source="other"), later)
    assert outcome == "updated"
    assert filled.tags == ("科技",) and filled.image and filled.image.url.endswith("/1.jpg")
    assert (filled.id, filled.title, filled.source_id, filled.published) == \
        (first.id, "标题", "owner", first.published)
    again = store.upsert(article(dataclasses.replace(other, tags=("财经",)), later,
                                 source="other"), later)
    assert again[0] == "unchanged"  # filled once; a value, once there, is the owner's


def test_the_owner_may_still_edit_its_own_article(store):
    raw = RawArticle(url=URL, title="标题", content_html="<p>一。</p>",
                     published="2026-10-31 10:00")
    store.upsert(article(raw), T0)
    edited = dataclasses.replace(raw, title="更正的标题", published="2026-10-31 12:00")
    outcome, stored = store.upsert(article(edited), T0 + timedelta(hours=1))
    assert outcome == "updated" and stored.title == "更正的标题"
    assert stored.published == datetime(2026, 10, 31, 12, 0, tzinfo=TZ)


def test_a_future_date_is_settled_at_first_sight(store):
    raw = RawArticle(url=URL, title="预告", content_html="<p>x</p>",
                     published="2026-11-03 09:00")  # two days after T0
    outcome, first = store.upsert(article(raw, T0), T0)
    assert outcome == "new" and first.published == T0.astimezone(TZ)
    for hours in (1, 5, 30, 49, 72):  # before and after the announced time arrives
        now = T0 + timedelta(hours=hours)
        outcome, again = store.upsert(article(raw, now), now)
        assert outcome == "unchanged", hours
        assert (again.published, again.updated) == (first.published, first.updated)
    stamps = store.changed_after(("", ""), 10)
    assert len(stamps) == 1  # written once: no output rewritten, no notification


def test_a_relative_date_later_given_in_full_takes_the_real_date(store):
    raw = RawArticle(url=URL, title="快讯", content_html="<p>x</p>", published="3小时前")
    _, first = store.upsert(article(raw, T0), T0)
    assert first.published == (T0 - timedelta(hours=3)).astimezone(TZ)
    later = T0 + timedelta(hours=2)
    assert store.upsert(article(raw, later), later)[0] == "unchanged"  # not re-resolved
    dated = dataclasses.replace(raw, published="2026-11-01 12:30")  # 04:30 UTC, before T0
    outcome, stored = store.upsert(article(dated, later), later)
    assert outcome == "updated" and stored.published == datetime(2026, 11, 1, 12, 30, tzinfo=TZ)


def test_updated_moves_only_when_readers_see_a_change(store):
    raw = RawArticle(url=URL, title="t", content_html="<p>a</p>", published="2026-10-31 10:00",
                     updated="2026-10-31 10:00")
    _, first = store.upsert(article(raw), T0)
    later = T0 + timedelta(hours=3)
    newer_date_only = dataclasses.replace(raw, updated="2026-10-31 20:00")
    assert store.upsert(article(newer_date_only, later), later)[0] == "unchanged"
    with_date = dataclasses.replace(raw, content_html="<p>b</p>", updated="2026-10-31 20:00")
    outcome, stored = store.upsert(article(with_date, later), later)
    assert outcome == "updated" and stored.updated == datetime(2026, 10, 31, 20, 0, tzinfo=TZ)
    silent = dataclasses.replace(with_date, content_html="<p>c</p>")
    outcome, stored = store.upsert(article(silent, later), later)
    assert outcome == "updated" and stored.updated == later.astimezone(TZ)
