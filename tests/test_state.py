"""Per-source state: read in one query, and kept out of an import cycle with decide.py."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from feeds.state import all_states, load_state, record_failure, record_success
from feeds.store import Store, open_store

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
PACKAGE = Path(__file__).parent.parent / "feeds"


class CountingStore:
    """A real store that counts its state reads; `get_state` is what an N+1 read would use."""

    def __init__(self, store: Store):
        self.store = store
        self.calls: dict[str, int] = {"get_state": 0, "all_states": 0}

    def get_state(self, table: str, key: str) -> dict[str, Any]:
        self.calls["get_state"] += 1
        return self.store.get_state(table, key)

    def all_states(self, table: str) -> dict[str, dict[str, Any]]:
        self.calls["all_states"] += 1
        return self.store.all_states(table)


def test_all_states_reads_every_source_in_one_query(store_url: str) -> None:
    store = open_store(store_url)
    try:
        for sid in ("a", "b", "c"):
            record_success(store, sid, NOW, NOW, {"new": 1})
        record_failure(store, "b", NOW, 900, "http", "http://x/", "HTTP 500")
        counting = CountingStore(store)
        states = all_states(counting)  # type: ignore[arg-type]
        assert counting.calls == {"get_state": 0, "all_states": 1}
        assert states == {sid: load_state(store, sid) for sid in ("a", "b", "c")}
        assert states["b"].failures == 1 and states["a"].counts == {"new": 1}
    finally:
        store.close()


def _imports(path: Path) -> set[str]:
    """The feeds modules `path` imports, TYPE_CHECKING blocks included (a cycle is a cycle)."""
    module = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = module[:-1]  # the package a relative import starts from
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else ()
            target = (*base, *(node.module or "").split(".")) if node.module else base
            target = tuple(p for p in target if p)
            names = [(*target, a.name) for a in node.names] if not node.module else [target]
            found.update(".".join(n) for n in names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {n for n in found if n.startswith("feeds")}


def _reachable(start: str, graph: dict[str, set[str]]) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@pytest.mark.parametrize("module", ["feeds.decide", "feeds.state", "feeds.source_state"])
def test_decide_and_state_are_in_no_import_cycle(module: str) -> None:
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        graph[name.removesuffix(".__init__")] = _imports(path)
    assert "feeds.decide" in graph["feeds.state"]  # the edge that must stay one-way
    assert module not in _reachable(module, graph), f"{module} imports itself through a cycle"
