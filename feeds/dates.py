"""Date strings as portals write them -> aware datetimes. Pure: `tz` and `now` are passed in.

Handles ISO 8601 (with or without zone), RFC 822, `2023/7/26 17:28:32`, `2023年7月26日 17:28`,
`2023年07月26日`, `07-26 17:28` (current year, never in the future), Unix timestamps and relative
forms (刚刚, 5分钟前, 3小时前, 昨天 15:36, 前天, "2 hours ago") resolved against `now`.
Naive values are in the site's zone `tz`; a date without a time stays date-only.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

__all__ = ["ParsedDate", "parse", "find_dates", "FUTURE_SKEW", "DATE_PATTERN", "LOOSE_DATE_PATTERN",
           "SLASHED_DATE_PATTERN", "MAX_AGO", "is_relative"]

log = logging.getLogger("feeds.dates")

FUTURE_SKEW = timedelta(minutes=10)
# A relative form further back than this (3000000天前, 30000000000秒前) is garbage, not a date:
# no page says "N days ago" of something decades old.
MAX_AGO = timedelta(days=20 * 366)


@dataclass(frozen=True)
class ParsedDate:
    """An aware datetime in whole seconds; `date_only`: no time was given; `relative`: resolved
    from a form like 3小时前, or a future date clamped to `now` (either only means something at
    first sight: the store keeps the first sight's date, see store/merge.py)."""

    value: datetime
    date_only: bool = False
    relative: bool = False


# A clock may name its zone: BBC Chinese writes `2012年12月10日, 格林尼治标准时间10:41`.
_TIME = r"(?:[\sT]*(?:[,，]\s*)?(?P<zone>格林尼治标准时间|北京时间)?\s*(?P<ampm>上午|下午|晚上|凌晨)?\s*(?P<H>\d{1,2})[:时](?P<M>\d{1,2})(?:[:分](?P<S>\d{1,2}))?(?:\.\d+)?)?"
# Year first, one separator throughout (2023-7-26, 2023/07/26, 2023.7.26) or 年月日; not the year
# of a day-first date (the 2004 in "12/01/2004 - 01/01/2005" starts no date).
_FULL = re.compile(
    r"(?<![\d/.])(?P<y>(?:19|20)\d{2})\s*(?:(?P<sep>[-/.])|年)\s*(?P<m>\d{1,2})\s*(?(sep)(?P=sep)|月)"
    r"\s*(?P<d>\d{1,2})(?!\d)\s*日?" + _TIME
)
# Year last: 17/9/2004 or 9/17/2004 5:54:13 AM (which one is the month: see _slashed).
_SLASHED = re.compile(
    r"(?<![\d/.])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>(?:19|20)\d{2})(?![\d/])"
    r"(?:[\s,-]*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?(?![A-Za-z]))?)?"
)
_MONTH_DAY = re.compile(r"(?<![\d/.-])(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})(?!\d)\s*日?" + _TIME)
_AGO = re.compile(
    r"(?<![\d,.])(?P<n>\d+(?:\.\d+)?|半|一|两|几)\s*(?P<unit>秒|分钟|分|小时|个小时|天|日|周|星期|个月)\s*(?:之|以)?前"
    r"|(?<![\d,.])(?P<en>\d+|an?)\s+(?P<eunit>second|minute|min|hour|day|week)s?\s+ago",
    re.I,
)
_DAY_WORD = re.compile(r"(?P<w>刚刚|刚才|今天|昨天|前天|yesterday|today|just now)" + _TIME, re.I)
_UNITS = {"秒": 1, "second": 1, "分钟": 60, "分": 60, "minute": 60, "min": 60, "小时": 3600,
          "个小时": 3600, "hour": 3600, "天": 86400, "日": 86400, "day": 86400, "周": 604800,
          "星期": 604800, "week": 604800, "个月": 2592000}
_DAY_OFFSET = {"今天": 0, "today": 0, "昨天": 1, "yesterday": 1, "前天": 2}
_EPOCH = re.compile(r"\d{10}(?:\d{3})?")

# Used by extractors to find a date in visible text (same shapes as _FULL), and the looser
# forms (relative, month-day with a time) that only count right next to a title.
DATE_PATTERN = _FULL
SLASHED_DATE_PATTERN = _SLASHED  # only trusted after a label such as 发布日期: (see meta.py)
LOOSE_DATE_PATTERN = re.compile(
    _AGO.pattern + "|" + _DAY_WORD.pattern.replace("?P<", "?P<x") + "|"
    + r"(?<![\d/.:-])\d{1,2}[-/]\d{1,2}\s+\d{1,2}:\d{2}|\d{1,2}月\d{1,2}日(?:\s*\d{1,2}:\d{2})?",
    re.I)


def parse(value: str | datetime | date | None, tz: tzinfo, now: datetime) -> ParsedDate | None:
    """Return the ParsedDate for `value`, or None when it is not a date we understand."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        result = ParsedDate(value)
    elif isinstance(value, date):
        result = ParsedDate(datetime(value.year, value.month, value.day), date_only=True)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()[:200]
        found = _parse_text(text, tz, now)
        if found is None:
            return None
        result = found
    return _finish(result, tz, now)


def _finish(found: ParsedDate, tz: tzinfo, now: datetime) -> ParsedDate | None:
    value = found.value if found.value.tzinfo else found.value.replace(tzinfo=tz)
    try:
        value = value.astimezone(tz).replace(microsecond=0)
        value.astimezone(UTC)  # the store keeps UTC: 0001-01-01 in +08:00 has no UTC form
    except (OverflowError, ValueError):
        return None
    if value > now + FUTURE_SKEW:  # not believed: first sight stands, settled by the store
        log.info("published date %s is in the future; clamped to %s", value.isoformat(), now)
        return ParsedDate(now.astimezone(tz).replace(microsecond=0), found.date_only,
                          relative=True)
    return ParsedDate(value, found.date_only, found.relative)


def _parse_text(text: str, tz: tzinfo, now: datetime) -> ParsedDate | None:
    if not text:
        return None
    for parser in (_iso, _rfc822, _relative, _full, _slashed, _month_day, _epoch):
        try:
            found = parser(text, tz, now)
        except (ArithmeticError, ValueError, OSError, TypeError, IndexError):
            # date garbage (3000000天前, year 99999, a 40-digit stamp) is no date, never a crash
            log.info("not a usable date: %r", text[:80])
            return None
        if found is not None:
            return found
    return None


def _iso(text: str, tz: tzinfo, now: datetime) -> ParsedDate | None:
    if not re.match(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return ParsedDate(value, date_only=len(text) <= 10)


def _rfc822(text: str, tz: tzinfo, now: datetime) -> ParsedDate | None:
    if not re.search(r"[A-Za-z]{3}", text):
        return None
    try:
        return ParsedDate(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def _clock(m: re.Match[str]) -> time | None:
    """The time of day a pattern matched (上午/下午 aware), or None when it has none."""
    if m["H"] is None:
        return None
    hour, half = int(m["H"]), (m["ampm"] or "").lower()
    if (half in ("下午", "晚上") or half.startswith("p")) and hour < 12:
        hour += 12
    elif half.startswith("a") and hour == 12:
        hour = 0
    try:
        return time(hour, int(m["M"]), int(m["S"] or 0))
    except ValueError:
        return None


def _at(day: date, clock: time | None) -> ParsedDate:
    if clock is None:
        return ParsedDate(datetime.combine(day, time()), date_only=True)
    return ParsedDate(datetime.combine(day, clock))


_ZONES = {"格林尼治标准时间": UTC, "北京时间": timezone(timedelta(hours=8))}


def _full(text: str, tz: tzinfo, now: datetime) -> ParsedDate | None:
    m = _FULL.search(text)
    if not m:
        return None
    try:
        found = _at(date(int(m["y"]), int(m["m"]), int(m["d"])), _clock(m))
    except ValueError:
        return None
    if m["zone"] and not found.date_only:
        return ParsedDate(found.value.replace(tzinfo=_ZONES[m["zone"]]))
    return found


def _slashed(text: str, tz: tzinfo, now: datetime) -> ParsedDate | None:
    """Day first, as most of the world writes it, unless only the second number can be the day
    or a 12-hour AM/PM clock says it is the US month-first order."""
    m = _SLASHED.search(text)
    if not m:
        return None
    a, b = int(m["a"]), int(m["b"])
    month_first = b > 12 or (a <= 12 and m["ampm"] is not None)
    month, day = (a, b) if month_first else (b, a)
    try:
        return _at(date(int(m["y"]), month, day), _clock(m))
    except ValueError:
        return None


def _month_day(text: str, tz: tzinfo, now: datetime) -> ParsedDate | None:
    """`07-26 17:28`: this year, or last year when that would be in the future."""
    m = _MONTH_DAY.fullmatch(text) or (_MONTH_DAY.search(text) if "月" in text else None)
    if not m:
        return None
    today = now.astimezone(tz)
    try:
        found = _at(date(today.year, int(m["m"]), int(m["d"])), _clock(m))
        if found.value.replace(tzinfo=tz) > today + FUTURE_SKEW:
            found = _at(date(today.year - 1, int(m["m"]), int(m["d"])), _clock(m))
    except ValueError:
        return None
    return found


def _relative(text: str, tz: tzinfo, now: datetime) -> ParsedDate | None:
    local = now.astimezone(tz).replace(microsecond=0)
    m = _AGO.search(text)
    if m:
        n = m["n"] or m["en"]
        count = {"半": 0.5, "一": 1, "两": 2, "几": 3, "a": 1, "an": 1}.get(n.lower())
        amount = count if count is not None else float(n)
        seconds = amount * _UNITS[(m["unit"] or m["eunit"]).lower()]
        if seconds > MAX_AGO.total_seconds():
            raise OverflowError("a relative date further back than MAX_AGO")
        return ParsedDate(local - timedelta(seconds=seconds), relative=True)
    m = _DAY_WORD.search(text)
    if not m:
        return None
    word = m["w"].lower()
    if word in ("刚刚", "刚才", "just now"):
        return ParsedDate(local, relative=True)
    found = _at(local.date() - timedelta(days=_DAY_OFFSET[word]), _clock(m))
    return ParsedDate(found.value.replace(tzinfo=tz), found.date_only, relative=True)


def is_relative(text: str) -> bool:
    """Whether `text` is a relative form (3小时前, 昨天 15:36, "2 hours ago"). Other parsers
    misread some (feedparser takes 3000000天前 for the year 3000): only ours may read them."""
    text = unicodedata.normalize("NFKC", text)[:200]
    return bool(_AGO.search(text) or _DAY_WORD.search(text))


def _epoch(text: str, tz: tzinfo, now: datetime) -> ParsedDate | None:
    if not _EPOCH.fullmatch(text):
        return None
    seconds = int(text) / (1000 if len(text) == 13 else 1)
    return ParsedDate(datetime.fromtimestamp(seconds, UTC))


def find_dates(text: str) -> list[re.Match[str]]:
    """Every full date (with year) in `text`, in order of appearance."""
    return list(_FULL.finditer(unicodedata.normalize("NFKC", text)))
