"""Date parsing table: every shape the portals write, resolved against a fixed fetch time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from feeds.dates import is_relative, parse

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 3, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.mark.parametrize("text, expected, date_only, relative", [
    ("2023/7/26 17:28:32", "2023-07-26T17:28:32+08:00", False, False),
    ("2023-07-26 17:28", "2023-07-26T17:28:00+08:00", False, False),
    ("2023年7月26日 17:28", "2023-07-26T17:28:00+08:00", False, False),
    ("2023年07月26日", "2023-07-26T00:00:00+08:00", True, False),
    ("2023年7月26日下午3:05", "2023-07-26T15:05:00+08:00", False, False),
    ("２０２３年７月２６日　１７：２８", "2023-07-26T17:28:00+08:00", False, False),
    ("发布时间：2023-07-26 17:28:32 来源：新华网", "2023-07-26T17:28:32+08:00", False, False),
    ("2023.07.26", "2023-07-26T00:00:00+08:00", True, False),
    ("02-26 17:28", "2024-02-26T17:28:00+08:00", False, False),
    ("07-26 17:28", "2023-07-26T17:28:00+08:00", False, False),  # would be future: last year
    ("2023-07-26T09:28:32Z", "2023-07-26T17:28:32+08:00", False, False),
    ("2023-07-26T17:28:32+08:00", "2023-07-26T17:28:32+08:00", False, False),
    ("2023-07-26T17:28:32.123456", "2023-07-26T17:28:32+08:00", False, False),
    ("2023-07-26", "2023-07-26T00:00:00+08:00", True, False),
    ("Wed, 26 Jul 2023 09:28:32 GMT", "2023-07-26T17:28:32+08:00", False, False),
    ("Wed, 26 Jul 2023 17:28:32 +0800", "2023-07-26T17:28:32+08:00", False, False),
    ("刚刚", "2024-03-01T12:00:00+08:00", False, True),
    ("5分钟前", "2024-03-01T11:55:00+08:00", False, True),
    ("3小时前", "2024-03-01T09:00:00+08:00", False, True),
    ("半小时前", "2024-03-01T11:30:00+08:00", False, True),
    ("2天前", "2024-02-28T12:00:00+08:00", False, True),
    ("昨天 15:36", "2024-02-29T15:36:00+08:00", False, True),
    ("前天", "2024-02-28T00:00:00+08:00", True, True),
    ("今天 08:00", "2024-03-01T08:00:00+08:00", False, True),
    ("2 hours ago", "2024-03-01T10:00:00+08:00", False, True),
    ("1690363712", "2023-07-26T17:28:32+08:00", False, False),
])
def test_parses(text, expected, date_only, relative):
    found = parse(text, SH, NOW)
    assert found is not None
    assert found.value.isoformat() == expected
    assert (found.date_only, found.relative) == (date_only, relative)


@pytest.mark.parametrize("text", ["", "   ", "明天见", "2023-13-45", "第3期", "abc", "99:99"])
def test_rejects(text):
    assert parse(text, SH, NOW) is None


@pytest.mark.parametrize("text", ["3000000天前", "30000000000秒前", "3000000 days ago",
                                  "3,000,000天前", "9999999999周前"])
def test_an_overflowing_relative_date_is_no_date(text):
    """Never a year (feedparser reads 3000000天前 as 3000), nor a part of the number (000天前)."""
    assert parse(text, SH, NOW) is None
    assert is_relative(text) == ("," not in text)  # feedparser misreads each relative one


def test_a_fractional_relative_date():
    found = parse("1.5小时前", SH, NOW)
    assert found is not None and found.value.isoformat() == "2024-03-01T10:30:00+08:00"


def test_future_dates_are_clamped_to_now():
    found = parse("2031-01-01 10:00", SH, NOW)
    assert found is not None and found.value == NOW


def test_small_skew_is_tolerated():
    found = parse("2024-03-01 12:05", SH, NOW)
    assert found is not None and found.value.isoformat() == "2024-03-01T12:05:00+08:00"


def test_naive_datetime_is_in_site_zone():
    found = parse(datetime(2023, 7, 26, 17, 28), SH, NOW)
    assert found is not None and found.value.isoformat() == "2023-07-26T17:28:00+08:00"
