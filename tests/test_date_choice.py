"""The date chooser's pure parts: the day a URL path carries, and script date variables."""

from __future__ import annotations

from datetime import date

import pytest

from feeds.extract.dates_choice import script_dates, url_date

URLS = [
    ("http://www.dhnews.cn/news/2022/1008/77.html", date(2022, 10, 8)),
    ("https://www.ettoday.net/news/20171209/1069025.htm", date(2017, 12, 9)),
    ("https://china.chinadaily.com.cn/a/202311/17/WS6557.html", date(2023, 11, 17)),
    ("http://www.news.cn/2023-11/17/c_1129981476.htm", date(2023, 11, 17)),
    ("http://www.mee.gov.cn/ywdt/hjywnews/202204/t20220417_974894.shtml", date(2022, 4, 17)),
    ("http://x.cn/2023/08/05/a.html", date(2023, 8, 5)),
    ("http://www.cenn.cn/innovation/2023/1205.html", None),  # article 1205, not 5 December
    ("https://udn.com/news/story/7315/3705102", None),
]


@pytest.mark.parametrize(("url", "day"), URLS)
def test_url_day(url: str, day: date | None) -> None:
    assert url_date(url)[0] == day


def test_url_year_without_a_day() -> None:
    assert url_date("http://x.cn/news/202204/abc.html") == (None, 2022)


def test_script_variables() -> None:
    scripts = ['var biz = "MzA5";\nvar ct = "1691200800";\nvar publish_time = "2023-08-05" || "";',
               'window.DATA = {"pubtime": "2023-08-05 10:00:00", "id": 12345678901234}']
    assert script_dates(scripts) == [("ct", "1691200800"), ("publish_time", "2023-08-05"),
                                     ("pubtime", "2023-08-05 10:00:00")]
