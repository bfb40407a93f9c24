"""A finding as a ready `sources:` entry: YAML text, and its insertion into sources.yaml.

The entry is inserted as text after the last item of the `sources:` list (located with the
YAML parser's marks), indented like the items already there, so every other byte of the
file — comments, blank lines, flow lists, quoting — stays as it was. The result is loaded
with the project's own config loader before it replaces the file (atomically), so a written
file always passes `feeds check`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .. import config as config_mod
from ..errors import ConfigError
from ..publish.writer import write_if_changed

__all__ = ["insert_entry", "source_id", "to_yaml"]

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def source_id(url: str, kind: str, taken: set[str], link: str = "") -> str:
    """An ASCII id from the host and the last word of the URL's path (or, given a `link`,
    the first word of the link's path), unique among `taken`."""
    parts = urlsplit(url)
    host = parts.hostname or "site"
    labels = [w for w in host.split(".") if w not in ("www", "com", "cn", "net", "org", "m")]
    name = "site" if re.fullmatch(r"[\d.]+|localhost", host) else (labels[0] if labels else "site")
    words = _words(urlsplit(link).path)[:1] if link else _words(parts.path)[-1:]
    base = "-".join([name, *words, kind]).lower()
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _words(path: str) -> list[str]:
    return [w for w in re.split(r"[^A-Za-z0-9]+", path) if w and not w.isdigit() and w not in (
        "index", "html", "htm", "shtml", "xml", "php", "default", "list")]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in ("true", "false", "null", "yes", "no", "on",
                                                   "off", "~"):
        return text
    return "'" + text.replace("'", "''") + "'"  # single quotes: no escapes (regexes, CSS)


def to_yaml(entry: dict[str, Any], dash: int = 2) -> str:
    """One list item: `- key: value` lines, the dash at column `dash`."""
    lines = []
    for i, (key, value) in enumerate(entry.items()):
        lead = " " * dash + ("- " if i == 0 else "  ")
        lines.append(f"{lead}{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def insert_entry(path: Path, entry: dict[str, Any]) -> str:
    """Add `entry` to the `sources:` list of the config at `path`; return the new text.
    Raise ConfigError when the result would not load (nothing is written then)."""
    text = path.read_text(encoding="utf-8")
    new = _inserted(text, entry, path.name)
    config_mod.loads(new, path)  # raises ConfigError with file:line problems
    write_if_changed(path, new.encode("utf-8"))
    return new


def _inserted(text: str, entry: dict[str, Any], name: str = "sources.yaml") -> str:
    node = yaml.compose(text) if text.strip() else None
    sources = None
    if isinstance(node, yaml.MappingNode):
        sources = next((v for k, v in node.value if k.value == "sources"), None)
    if sources is None:
        tail = "" if text.endswith("\n") or not text else "\n"
        return f"{text}{tail}sources:\n{to_yaml(entry)}"
    lines = text.splitlines(keepends=True)
    empty = (isinstance(sources, yaml.ScalarNode) and sources.tag.endswith(":null")) or (
        isinstance(sources, yaml.SequenceNode) and not sources.value)
    if empty:  # `sources:` or `sources: []`: the entry goes on the lines below the key
        row = sources.start_mark.line
        line = lines[row].rstrip("\n")
        before = line[:sources.start_mark.column].rstrip()
        after = line[sources.end_mark.column:].strip() if sources.end_mark.line == row else ""
        lines[row] = before + (" " + after if after.startswith("#") else "") + "\n" \
            + to_yaml(entry)
        return "".join(lines)
    if not isinstance(sources, yaml.SequenceNode) or sources.flow_style:
        raise ConfigError([f"{name}:{sources.start_mark.line + 1}: sources: not a "
                           "block list (- id: ...); add the entry by hand"])
    dash = sources.start_mark.column  # the column of the items' "- "
    last = sources.value[-1]
    end = last.end_mark.line + (1 if last.end_mark.column > 0 else 0)
    # blank lines and comments at the list's own indentation after the last item belong to
    # what follows (a commented section header): the entry goes before them
    while end > last.start_mark.line + 1 and _trailer(lines[end - 1], dash):
        end -= 1
    if not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    return "".join(lines[:end]) + to_yaml(entry, dash) + "".join(lines[end:])


def _trailer(line: str, dash: int) -> bool:
    stripped = line.strip()
    return not stripped or (stripped.startswith("#") and len(line) - len(line.lstrip()) <= dash)
