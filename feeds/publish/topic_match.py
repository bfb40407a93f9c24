"""Which topics an article belongs to: every topic's words in one Aho-Corasick automaton.

Matching rules (issue 14): a Chinese word matches as typed, anywhere in CJK text (no
segmentation, no stemming: 储能 matches 储能电站); Latin text is matched case-insensitively
and on word bounds (`AI` matches "AI chips" but not "said"). A word that mixes both (`5G手机`)
is bounded only at its Latin ends.

Speed: rows are matched a batch at a time. For each field the batch's texts are lower-cased
and joined into one string, and the automaton runs over it once in C; Python only sees the
hits, so the cost per article is a few string joins, not topics x words.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

import ahocorasick

from ..config import Topic

__all__ = ["FIELD_COLUMNS", "Row", "TopicMatcher"]

# A row as the store yields it for matching (see SQLiteStore.topic_rows):
# (id, published, channel, source_id, title, summary, tags as JSON text, content_html or None)
Row = tuple[str, str, str, str, str, str, str, "str | None"]
FIELD_COLUMNS = {"title": 4, "summary": 5, "tags": 6, "body": 7}
SEPARATOR = "\x00"  # between the texts of a batch: never a word character, never in a word
_TAG = re.compile(r"<[^>]*>")


def _word_char(c: str) -> bool:
    """A character that continues a Latin word (letters/digits below the CJK blocks)."""
    return c.isalnum() and c < "\u2e80"


@dataclass(frozen=True)
class _Word:
    length: int
    bound_start: bool  # the word starts with a Latin letter/digit: needs a bound before it
    bound_end: bool
    uses: tuple[tuple[int, bool], ...]  # (topic index, is an exclude word)


class TopicMatcher:
    """The topics of a batch of rows, in one automaton pass per field."""

    def __init__(self, topics: Sequence[Topic]):
        self.topics = tuple(topics)
        self.fields = sorted({f for t in self.topics for f in t.fields}, key=FIELD_COLUMNS.__getitem__)
        # topics looking in the same fields share one pass over those fields joined per row
        self._groups: dict[tuple[int, ...], set[int]] = {}
        for i, t in enumerate(self.topics):
            columns = tuple(sorted({FIELD_COLUMNS[f] for f in t.fields}))
            self._groups.setdefault(columns, set()).add(i)
        uses: dict[str, list[tuple[int, bool]]] = {}
        for i, topic in enumerate(self.topics):
            for words, exclude in ((topic.include, False), (topic.exclude, True)):
                for word in {w.strip().lower() for w in words}:
                    uses.setdefault(word, []).append((i, exclude))
        self.automaton = ahocorasick.Automaton()
        for word, where in uses.items():  # keyed by UTF-8 bytes (see _scan_fields)
            key = _as_bytes(word)
            self.automaton.add_word(key, _Word(len(key), _word_char(word[0]),
                                               _word_char(word[-1]), tuple(where)))
        self.empty = not uses
        if not self.empty:
            self.automaton.make_automaton()
        self._channels = [set(t.channels) for t in self.topics]
        self._sources = [set(t.sources) for t in self.topics]

    @property
    def needs_body(self) -> bool:
        return "body" in self.fields

    def match(self, rows: Sequence[Row], only: set[int] | None = None) -> list[list[int]]:
        """For each topic index, the indexes of `rows` (ascending) that belong to it."""
        include: list[set[int]] = [set() for _ in self.topics]
        exclude: list[set[int]] = [set() for _ in self.topics]
        if not self.empty:
            for columns, wanted in self._groups.items():
                self._scan_fields(rows, columns, wanted, include, exclude)
        out: list[list[int]] = []
        for t, hits in enumerate(include):
            if only is not None and t not in only:
                out.append([])
                continue
            channels, sources = self._channels[t], self._sources[t]
            out.append([r for r in sorted(hits - exclude[t])
                        if (not channels or rows[r][2] in channels)
                        and (not sources or rows[r][3] in sources)])
        return out

    def _scan_fields(self, rows: Sequence[Row], columns: tuple[int, ...], wanted: set[int],
                     include: list[set[int]], exclude: list[set[int]]) -> None:
        """One automaton pass over `columns` of every row, joined by SEPARATOR."""
        body = FIELD_COLUMNS["body"]
        parts = [_as_bytes((_body_text(r[c]) if c == body else (r[c] or "")).lower())
                 for r in rows for c in columns]
        big = SEPARATOR.join(parts)
        offsets = list(accumulate((len(p) + 1 for p in parts), initial=0))
        starts = offsets[:-1:len(columns)]  # where each row's first field begins
        for end, word in self.automaton.iter(big):
            start = end - word.length + 1
            if word.bound_start and start > 0 and _word_char(_char_before(big, start)):
                continue
            if word.bound_end and end + 1 < len(big) and _word_char(_char_at(big, end + 1)):
                continue
            row = bisect_right(starts, start) - 1
            for topic, is_exclude in word.uses:
                if topic in wanted:
                    (exclude if is_exclude else include)[topic].add(row)


# The automaton runs over UTF-8 bytes carried in a latin-1 str (one char per byte): at most
# 256 branches per node instead of thousands of CJK characters at the root, which measured
# twice as fast. UTF-8 is self-synchronising, so a match always starts and ends on whole
# characters; only the word-bound checks decode the character next to a match.
def _as_bytes(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def _char_at(big: str, i: int) -> str:
    lead = ord(big[i])
    size = 1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    return big[i:i + size].encode("latin-1").decode("utf-8", "replace")[:1]


def _char_before(big: str, i: int) -> str:
    start = i - 1
    while start > 0 and 0x80 <= ord(big[start]) < 0xC0:  # continuation bytes
        start -= 1
    return big[start:i].encode("latin-1").decode("utf-8", "replace")[:1]


def _body_text(content_html: str | None) -> str:
    """Body HTML as text for matching: tags become spaces, entities are decoded."""
    if not content_html:
        return ""
    text = _TAG.sub(" ", content_html)
    return html.unescape(text) if "&" in text else text
