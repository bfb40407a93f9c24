"""Composed YAML -> plain Python values, whatever the file holds, never an exception.

`yaml.compose` builds nodes without running any constructor, so no tag can execute code; this
module then turns nodes into dicts, lists and scalars, recording each key path's line, and
reports (never raises) what a config must not hold: tags other than YAML's plain ones
(`!!python/name:...`), non-finite numbers (`.inf`, `.nan`), complex or duplicate keys,
recursive aliases, and alias expansions beyond a budget (billion laughs). Merge keys
(`<<: *defaults`) are honoured, since sharing settings between sources is what they are for.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

__all__ = ["MAX_NODES", "to_plain"]

Path_ = tuple[str | int, ...]

MAX_NODES = 100_000  # far above any real config; an alias bomb expands past it at once
_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_KEY_TAGS = {_TAG + t for t in ("str", "int", "bool", "null", "float")}
_MERGE = _TAG + "merge"
_CONSTRUCT = yaml.SafeLoader("")  # only turns plain scalar nodes into ints, bools, dates ...


class _Reader:
    def __init__(self, lines: dict[Path_, int], problems: list[tuple[Path_, str]]):
        self.lines, self.problems = lines, problems
        self.nodes = 0
        self.stack: set[int] = set()

    def value(self, node: yaml.Node, path: Path_) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if self.nodes == MAX_NODES + 1:
                self.problems.append((path, f"more than {MAX_NODES} values once aliases are "
                                            "expanded (an alias bomb?)"))
            return None
        if id(node) in self.stack:
            self.problems.append((path, "alias refers to itself (a recursive alias)"))
            return None
        self.stack.add(id(node))
        try:
            return self._value(node, path)
        finally:
            self.stack.discard(id(node))

    def _value(self, node: yaml.Node, path: Path_) -> Any:
        if isinstance(node, yaml.MappingNode):
            if node.tag != _TAG + "map":
                return self._bad_tag(node, path)
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                return self._bad_tag(node, path)
            return [self.value(item, path + (i,)) for i, item in enumerate(node.value)]
        if node.tag not in _SCALAR_TAGS:
            return self._bad_tag(node, path)
        try:
            value = _CONSTRUCT.construct_object(node)
        except Exception as e:  # noqa: BLE001 - PyYAML raises KeyError, AttributeError ... too
            self.problems.append((path, f"not a valid {node.tag.rsplit(':', 1)[-1]}: {e}"))
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.problems.append((path, f"must be a finite number, got {node.value!r}"))
            return None
        return value

    def mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.update(self._merge(value_node, path))
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _KEY_TAGS:
                self.problems.append((path, f"line {key_node.start_mark.line + 1}: keys must be "
                                            "plain words (no lists, mappings or tags as keys)"))
                continue
            key = str(key_node.value)
            self.lines[path + (key,)] = key_node.start_mark.line + 1
            if key in out:
                self.problems.append((path + (key,), "duplicate key (the earlier one would be "
                                                     "silently ignored)"))
            out[key] = self.value(value_node, path + (key,))
        return {**merged, **out}

    def _merge(self, node: yaml.Node, path: Path_) -> dict[str, Any]:
        """`<<: *a` or `<<: [*a, *b]` (earlier mappings win, as YAML's merge key says)."""
        parts = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out: dict[str, Any] = {}
        for part in reversed(parts):
            value = self.value(part, path) if isinstance(part, yaml.MappingNode) else None
            if not isinstance(value, dict):
                self.problems.append((path, "<< must merge a mapping or a list of mappings"))
                continue
            out.update(value)
        return out

    def _bad_tag(self, node: yaml.Node, path: Path_) -> None:
        self.problems.append((path, f"YAML tag {node.tag!r} is not allowed (plain values only)"))
        return None


def to_plain(node: yaml.Node, lines: dict[Path_, int],
             problems: list[tuple[Path_, str]]) -> Any:
    """The node as plain values; each key path's line goes to `lines`, each problem (path,
    message) to `problems`. Never raises."""
    return _Reader(lines, problems).value(node, ())
