"""Scorers for the hand-annotated development set (tests/data/devset), waddle's titles and
cwced's authors, used by extract_quality.py.

Fields compare after NFKC and whitespace folding (a full-width space in a headline is the same
headline). A date-time is exact when it equals the truth at the truth's own precision in the
zone the page shows (+08:00 unless the truth names one); a date-only truth wants a date-only
answer on that day.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from feeds.extract import extract
from feeds.fetch.charset import decode
from feeds.normalise import Context, html_to_text, normalise

__all__ = ["DEVSET", "SetScore", "score_devset", "score_waddle", "score_cwced_authors", "same"]

DEVSET = Path(__file__).resolve().parent.parent / "tests" / "data" / "devset"
NOW = datetime(2030, 1, 1, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
_NAME_SPLIT = re.compile(r"[\s、,，;；/]+")


def same(a: str | None, b: str | None) -> bool:
    """Equal after NFKC and whitespace folding (None and "" are the same)."""
    fold = lambda s: " ".join(unicodedata.normalize("NFKC", s or "").split())  # noqa: E731
    return fold(a) == fold(b)


@dataclass
class SetScore:
    """Exact counts per field over the pages that have a truth for it."""

    counts: Counter = field(default_factory=Counter)
    totals: Counter = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    def add(self, name: str, ok: bool, page: str, got: object, want: object) -> None:
        self.totals[name] += 1
        self.counts[name] += ok
        if not ok:
            self.misses.append(f"{page:>14} {name:7} got {got!r} want {want!r}")

    def rate(self, name: str) -> str:
        total = self.totals[name]
        return f"{self.counts[name] / total:.3f} ({self.counts[name]}/{total})" if total else "-"


def _article(html: str, url: str):
    return normalise(extract(html, url), Context("bench", "", SHANGHAI, NOW))


def _date_ok(article, want: str | None) -> bool:
    if not want:
        return not article.dated
    if not article.dated:
        return False
    zone = timezone(timedelta(hours=8))
    if want.endswith("+00:00"):
        want, zone = want[:-6].replace("T", " "), UTC
    got = article.published.astimezone(zone)
    if ":" not in want:
        return article.published_is_date and got.strftime("%Y-%m-%d") == want
    fmt = "%Y-%m-%d %H:%M:%S" if want.count(":") == 2 else "%Y-%m-%d %H:%M"
    return not article.published_is_date and got.strftime(fmt) == want


def _names_ok(got: tuple[str, ...], want: str | None) -> bool:
    wanted = {n for n in _NAME_SPLIT.split(unicodedata.normalize("NFKC", want or "")) if n}
    return {unicodedata.normalize("NFKC", n) for n in got} == wanted


def _page_html(entry: dict, corpora: Path) -> str:
    kind, _, ref = entry["file"].partition(":")
    if kind == "waddle":
        return decode((corpora / "waddle" / "html" / f"{ref}.html").read_bytes())
    return decode(gzip.decompress((DEVSET / entry["file"]).read_bytes()))


def score_devset(corpora: Path, split: str) -> SetScore:
    """Title, date-time, 来源 and author exact on one half ("dev" or "held") of the set."""
    score = SetScore()
    for entry in json.loads((DEVSET / "truth.json").read_text(encoding="utf-8")):
        if entry["split"] != split:
            continue
        article = _article(_page_html(entry, corpora), entry["url"])
        page = entry["id"]
        score.add("title", same(article.title, entry["title"]), page, article.title,
                  entry["title"])
        score.add("date", _date_ok(article, entry["published"]), page,
                  article.published.isoformat() if article.dated else None, entry["published"])
        score.add("origin", same(article.origin, entry["origin"]), page, article.origin,
                  entry["origin"])
        if "author" in entry:
            score.add("author", _names_ok(article.authors, entry["author"]), page,
                      article.authors, entry["author"])
    return score


def _char_f1(text: str, gold: str) -> float:
    pred, want = Counter("".join(text.split())), Counter("".join(gold.split()))
    common = sum((pred & want).values())
    if not common:
        return 0.0
    p, r = common / sum(pred.values()), common / sum(want.values())
    return 2 * p * r / (p + r)


def score_waddle(root: Path, half: int | None = None) -> tuple[SetScore, float]:
    """Title exact against title/ (weak truth) and body char F1 against reference/ (headline
    line included, as annotated); `half` 0/1 keeps even/odd pages only."""
    score, bodies = SetScore(), []
    ids = sorted(p.stem for p in (root / "html").glob("*.html"))
    for key in ids if half is None else ids[half::2]:
        article = _article(decode((root / "html" / f"{key}.html").read_bytes()),
                           f"http://{key.split('_')[1]}/")
        title_file = root / "title" / f"{key}.txt"
        if title_file.exists():
            want = title_file.read_text(encoding="utf-8").strip()
            score.add("title", same(article.title, want), key[:40], article.title, want)
        gold = (root / "reference" / f"{key}.txt").read_text(encoding="utf-8")
        bodies.append(_char_f1(article.title + "\n" + html_to_text(article.content_html), gold))
    return score, sum(bodies) / len(bodies)


def score_cwced_authors(root: Path, half: int | None = None) -> tuple[SetScore, int]:
    """Author exact (UNKNOWN: no name wanted) and the number of pages given a name that is
    not theirs (false names)."""
    score, false_names = SetScore(), 0
    ids = sorted(p.stem for p in (root / "original").glob("*.html"))
    for key in ids if half is None else ids[half::2]:
        article = _article(decode((root / "original" / f"{key}.html").read_bytes()),
                           "http://example.cn/")
        want = (root / "author" / f"{key}.txt").read_text(encoding="utf-8").strip()
        want = "" if want == "UNKNOWN" else want
        score.add("author", _names_ok(article.authors, want), key[:8], article.authors, want)
        wanted = set(_NAME_SPLIT.split(unicodedata.normalize("NFKC", want)))
        false_names += any(unicodedata.normalize("NFKC", n) not in wanted
                           for n in article.authors)
    return score, false_names
