"""The date chooser: every publication-date candidate with where it came from, and the rule
that picked one.

Candidates: the date shown with the headline (labelled 发布时间/时间/日期 first, then the first
full date just after it, then a looser form such as `10-08 12:00`), metadata (article:published_
time and kin, <time datetime>, JSON-LD datePublished), script variables (`var ct = "1691200000"`,
publish_time ...) and the date in the URL path. Visible text here is the article's: header
clocks (`今天是：2023年8月5日 星期六`) and related-article or comment blocks are not read
(feeds.extract.meta.article_text).

The visible date wins, except: an 更新时间 is the update, not the publication; a date-only or
relative one yields to an absolute candidate with a time on the same day; one that disagrees
with the URL's day yields to a candidate that agrees with it. A year-less date takes its year
from the page (URL, metadata, script, another full date) before the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from lxml import html as lhtml

from .. import dates
from ..dates import DATE_PATTERN, LOOSE_DATE_PATTERN, SLASHED_DATE_PATTERN

__all__ = ["DateCandidate", "choose_dates", "url_date", "script_dates"]

_FAR = datetime(2100, 1, 1, tzinfo=UTC)
_PUBLISHED_META = ("article:published_time", "pubdate", "publishdate", "publish_date",
                   "publishtime", "datepublished", "og:release_date", "dc.date.issued", "dc.date",
                   "date", "sailthru.date", "parsely-pub-date", "weibo: article:create_at")
_UPDATED_META = ("article:modified_time", "og:updated_time", "datemodified", "lastmodified",
                 "last-modified", "dc.date.modified")
_UPDATED_LABEL = re.compile(r"(?:更新|修改|修订)(?:时间|日期|時間)?\s*[:：]?\s*$")
# A label saying "published": 发布时间： 发表于 Posted on; near the title a bare 时间/日期/Date too
# (not 更新时间, the update, nor 成文日期, when a document was drafted).
_PUBLISHED_LABEL = re.compile(r"(?:发布|發布|发表|發表|公布|刊登|发稿|發稿|出版|上传)"
                              r"(?:时间|時間|日期|于|於)|建立時間|建立时间"
                              r"|\b(?:Published|Posted)(?: on)?", re.I)
_DATE_LABEL = re.compile(_PUBLISHED_LABEL.pattern
                         + r"|(?<!更新)(?<!修改)(?<!成文)(?:时间|時間|日期)|\bDate\b", re.I)
_LABEL_GAP = re.compile(r"[\s:：]*")
_NEAR_TITLE, _WINDOW, _SLACK = 200, 600, 40  # characters after the headline
_SHORT_LINE = 40
_SCRIPT_DATE = re.compile(
    r"""\b(?P<name>ct|create_time|createTime|publish_time|publishTime|pubtime|pubTime|pubDate|"""
    r"""publishDate|publish_date|datePublished|first_publish_time)["']?\s*[:=]\s*["']?"""
    r"""(?P<value>\d{10}(?!\d)|\d{13}(?!\d)|\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?"""
    r"""(?:[+-]\d{2}:?\d{2}|Z)?)?)""")
# A day in a URL path: /2023/0805/, /2023-08/05/, /20230805/, /20230805123.html, t20230805_.
# Never a file name's digits (/2023/1205.html is article 1205 of 2023).
_URL_DATE = re.compile(
    r"/(?P<y>20\d{2})[-/_]?(?P<m>[01]\d)[-/_]?(?P<d>[0-3]\d)(?=/)"
    r"|/(?P<cy>20\d{2})(?P<cm>[01]\d)(?P<cd>[0-3]\d)\d{0,12}(?=[/_.])"
    r"|/t(?P<ty>20\d{2})(?P<tm>[01]\d)(?P<td>[0-3]\d)_"
    r"|/(?P<yy>20\d{2})[-/]?(?P<mm>[01]\d)(?=/)")


@dataclass
class DateCandidate:
    value: str
    kind: str  # labelled near-title loose-near-title visible | meta time ld | script | url
    why: str = ""


def url_date(url: str) -> tuple[date | None, int | None]:
    """The day a URL path carries (`/2023/0805/`, `/20230805/`, `t20230805_`), else None; and
    the year it carries at all (`/202308/`)."""
    year: int | None = None
    for m in _URL_DATE.finditer(url):
        y, mo, d = (m["y"] or m["cy"] or m["ty"], m["m"] or m["cm"] or m["tm"],
                    m["d"] or m["cd"] or m["td"])
        if y:
            try:
                return date(int(y), int(mo), int(d)), int(y)
            except ValueError:
                continue
        if year is None and 1 <= int(m["mm"]) <= 12:
            year = int(m["yy"])
    return None, year


def script_dates(scripts: list[str]) -> list[tuple[str, str]]:
    """(variable, value) of publish-time variables in inline scripts, in page order."""
    return [(m["name"], m["value"]) for text in scripts for m in _SCRIPT_DATE.finditer(text)]


def _wall(value: str) -> datetime | None:
    """The wall-clock time a date string says (its own zone kept, never converted)."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        pass
    found = dates.parse(value, UTC, _FAR)
    return found.value.replace(tzinfo=None) if found else None


def _has_time(value: str) -> bool:
    """A time of day is given (a declared midnight is a date dressed up, not a time)."""
    if re.fullmatch(r"\d{10,13}", value):
        return True
    clock = re.search(r"(\d{1,2}):(\d\d)(?::(\d\d))?", value)
    return bool(clock) and clock.group(0).strip("0:") != ""  # type: ignore[union-attr]


def choose_dates(root: lhtml.HtmlElement, metas: dict[str, str], ld: dict[str, object],
                 scripts: list[str], text: str, title: str, url: str
                 ) -> tuple[tuple[str, str], tuple[str, str], list[DateCandidate]]:
    """((published, how), (updated, how), every candidate considered)."""
    visible, visible_kind, updated = _visible_dates(text, title)
    declared = _declared(root, metas, ld, scripts)
    url_day, url_year = url_date(url)
    candidates = ([DateCandidate(visible, visible_kind)] if visible else []) + declared
    if url_day:
        candidates.append(DateCandidate(url_day.isoformat(), "url", "date in the URL path"))
    if visible_kind == "loose-near-title":
        visible = _with_year(visible, url_day, url_year, declared, text) or visible
        candidates[0].value = visible
    chosen = _pick(candidates, url_day)
    if chosen is None and updated:  # only an update time is shown: the best there is
        chosen = DateCandidate(updated, "labelled", "only an update time is shown")
    if not updated:
        updated = next((metas[k] for k in _UPDATED_META if metas.get(k)), "") \
            or str(ld.get("dateModified") or "")
    how = f"{chosen.kind}: {chosen.why}" if chosen else ""
    return (chosen.value if chosen else "", how), \
        (updated, "visible/meta modified" if updated else ""), candidates


def _declared(root: lhtml.HtmlElement, metas: dict[str, str], ld: dict[str, object],
              scripts: list[str]) -> list[DateCandidate]:
    out = [DateCandidate(metas[k], "meta", f"meta {k}") for k in _PUBLISHED_META if metas.get(k)]
    out += [DateCandidate(t.get("datetime", ""), "time", "<time datetime>")
            for t in root.iter("time") if t.get("datetime")][:1]
    if isinstance(ld.get("datePublished"), str):
        out.append(DateCandidate(str(ld["datePublished"]), "ld", "JSON-LD datePublished"))
    if not out:  # scripts are long: read only when the page declares no date otherwise
        out += [DateCandidate(v, "script", f"script variable {n}")
                for n, v in script_dates(scripts)][:2]
    return [c for c in out if _wall(c.value) is not None]


_VISIBLE_KINDS = ("labelled", "near-title", "loose-near-title")
_DECLARED_KINDS = ("meta", "time", "ld", "script")


def _pick(candidates: list[DateCandidate], url_day: date | None) -> DateCandidate | None:
    """The date shown with the headline unless a declared one is better evidence (see the
    module doc); without one, the first declared date; else the URL's."""
    if not candidates:
        return None
    first = candidates[0]
    declared = [c for c in candidates if c.kind in _DECLARED_KINDS]
    if first.kind not in _VISIBLE_KINDS:
        if first.kind == "visible-before" and declared:
            return _chosen(declared[0], "declared; the only visible date is above the headline")
        return _chosen(first, "no date shown with the headline" if first.kind != "url"
                       else "only the URL path has a date")
    shown = _wall(first.value)
    if url_day and shown and abs((shown.date() - url_day).days) > 2:
        agreeing = [c for c in declared if (w := _wall(c.value)) and w.date() == url_day]
        if agreeing:
            return _chosen(agreeing[0], "agrees with the URL's date; the visible one does not")
    if shown is None or not re.search(r"\d{4}\D{1,3}\d{1,2}", first.value):
        if declared:  # 3小时前, 昨天 15:36 are vaguer than an absolute declared date
            return _chosen(declared[0], "absolute; the visible date is relative")
    elif not _has_time(first.value):
        same_day = [c for c in declared if _has_time(c.value)
                    and (w := _wall(c.value)) and w.date() == shown.date()]
        if same_day:
            return _chosen(same_day[0], "same day as the visible date, with a time")
    return _chosen(first, "shown with the headline")


def _chosen(cand: DateCandidate, why: str) -> DateCandidate:
    cand.why = f"{cand.why}; {why}" if cand.why else why
    return cand


def _with_year(loose: str, url_day: date | None, url_year: int | None,
               declared: list[DateCandidate], text: str) -> str:
    """`10-08 12:00` with the year the page itself gives (URL, metadata, script, another full
    date in the article), or '' when it gives none (the clock then decides)."""
    m = re.search(r"(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})\s*日?\s*(?P<t>\d{1,2}:\d{2})?", loose)
    if not m:
        return ""
    year = url_day.year if url_day else url_year
    for cand in declared:
        if year is None and (w := _wall(cand.value)):
            year = w.year
    if year is None and (full := DATE_PATTERN.search(text)):
        year = int(full["y"])
    if year is None:
        return ""
    return f"{year}-{int(m['m']):02d}-{int(m['d']):02d}" + (f" {m['t']}" if m["t"] else "")


def _visible_dates(text: str, title: str) -> tuple[str, str, str]:
    """(date, kind, updated): the date after the headline (a labelled one first, then the first
    full date close by, then a looser form close by), else a labelled date anywhere, else the
    first full date anywhere; and an 更新时间 date if labelled. The update alone is no date."""
    start = text.find(title) if title else -1
    if start < 0 and len(title) > 12:
        start = text.find(title[:12])  # shown with a different tail (【栏目】, a line break)
    found: re.Match[str] | None = None
    kind = ""
    if start >= 0:
        end = start + _WINDOW
        # Searched a little past the limits so a date straddling one still keeps its time.
        near = DATE_PATTERN.search(text, start, end + _SLACK)
        loose = next((m for m in LOOSE_DATE_PATTERN.finditer(text, start, start + _NEAR_TITLE
                                                              + _SLACK) if _own_line(text, m)),
                     None)
        for kind, found in (  # noqa: B007 (the loop keeps the kind of what it found)
                ("labelled", _labelled_date(text, _DATE_LABEL, start, end)),
                ("near-title", near if near and near.start() < start + _NEAR_TITLE else None),
                ("loose-near-title", loose if loose and loose.start() < start + _NEAR_TITLE
                 else None),
                ("near-title", near if near and near.start() < end else None)):
            if found:
                break
    if not found:
        kind, found = "labelled", _labelled_date(text, _PUBLISHED_LABEL)
    if not found:
        kind, found = "visible", DATE_PATTERN.search(text)
        if found and found.start() < start:
            kind = "visible-before"  # above the headline: a clock, a list of other articles
    if not found:
        return "", "", ""
    updated = ""
    scope_start, scope_end = (start, start + _WINDOW) if start >= 0 else (0, 3000)
    for m in DATE_PATTERN.finditer(text, scope_start, scope_end):
        if _UPDATED_LABEL.search(text[max(0, m.start() - 8): m.start()]):
            updated = m.group(0)
            if m.start() == found.start():
                other = DATE_PATTERN.search(text, m.end(), scope_end)
                if other is None:
                    return "", "", updated  # only the update is shown
                found = other
    return found.group(0), kind, updated


def _own_line(text: str, m: re.Match[str]) -> bool:
    """A loose date (3小时前, 今天, 10-08 12:00) counts only on a short line of its own: in a
    sentence 今天 is prose, not a timestamp."""
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    return (len(text) if line_end < 0 else line_end) - line_start <= _SHORT_LINE


def _labelled_date(text: str, labels: re.Pattern[str], start: int = 0, end: int | None = None
                   ) -> re.Match[str] | None:
    """The first date right after one of the labels in text[start:end]."""
    for label in labels.finditer(text, start, len(text) if end is None else end):
        at = _LABEL_GAP.match(text, label.end()).end()  # type: ignore[union-attr]
        found = DATE_PATTERN.match(text, at) or SLASHED_DATE_PATTERN.match(text, at)
        if found:
            return found
    return None
