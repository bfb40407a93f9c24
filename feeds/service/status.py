"""What `feeds status`, `/status` and the daemon report per source (pure: take `now`).

`source_rows` joins the config, the per-source state in the store and article counts;
`render_table` turns the rows into a terminal table with relative times.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..config import Config
from ..state import SourceState, all_states
from ..store import Store

__all__ = ["ago", "collect_rows", "render_table", "source_rows"]


def collect_rows(config: Config, store: Store, next_runs: dict[str, datetime] | None = None
                 ) -> list[dict[str, Any]]:
    """Rows for every configured source (and state-only sources no longer configured)."""
    states = all_states(store)
    counts = {sid: store.count(sid) for sid in {s.id for s in config.sources} | set(states)}
    return source_rows(config, states, counts, next_runs or {})


def source_rows(config: Config, states: dict[str, SourceState], counts: dict[str, int],
                next_runs: dict[str, datetime]) -> list[dict[str, Any]]:
    """One plain dict per source, ready for JSON (times ISO 8601, '' when unknown)."""
    rows = []
    configured = {s.id: s for s in config.sources}
    for sid in list(configured) + sorted(set(states) - set(configured)):
        source, state = configured.get(sid), states.get(sid, SourceState(sid))
        next_run = next_runs.get(sid)
        rows.append({
            "source": sid,
            "kind": source.kind if source else "",
            "schedule": source.schedule if source else "",
            "enabled": bool(source and source.enabled),
            "configured": source is not None,
            "last_attempt": state.last_attempt,
            "last_success": state.last_success,
            "failures": state.failures,
            "last_error": dict(state.last_error) if state.failures else {},
            "next_attempt": next_run.isoformat() if next_run else state.next_attempt,
            "articles": counts.get(sid, 0),
            "last_run": dict(state.counts),
            "gone": state.gone,
        })
    return rows


def ago(iso: str, now: datetime) -> str:
    """'5m ago', 'in 2h', 'now' or '-' for an ISO 8601 time relative to `now`."""
    if not iso:
        return "-"
    delta = (datetime.fromisoformat(iso) - now).total_seconds()
    size = abs(delta)
    if size < 1:
        return "now"
    for unit, seconds in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if size >= seconds:
            text = f"{int(size // seconds)}{unit}"
            break
    return f"in {text}" if delta > 0 else f"{text} ago"


def _state_text(row: dict[str, Any]) -> str:
    if not row["configured"]:
        return "removed"
    if not row["enabled"]:
        return "disabled"
    if row["gone"]:
        return "gone (410)"
    if row["failures"]:
        return f"failing x{row['failures']}"
    return "ok" if row["last_success"] else "never run"


def _error_text(row: dict[str, Any], width: int = 60) -> str:
    error = row["last_error"]
    if not error:
        return ""
    text = f"{error.get('kind', 'error')}: {error.get('message', '')}"
    return text if len(text) <= width else text[: width - 1] + "…"


def _queue_cell(row: dict[str, Any], now: datetime) -> str:
    from .queue_status import queue_text

    return queue_text(row.get("queue", {}), now)


def render_table(rows: list[dict[str, Any]], now: datetime) -> str:
    """A fixed-width table: source, state, last success, next attempt, articles, last error."""
    head: tuple[str, ...] = ("SOURCE", "STATE", "LAST SUCCESS", "NEXT ATTEMPT", "ARTICLES",
                             "LAST RUN", "LAST ERROR")
    queued = any("queue" in row for row in rows)  # on PostgreSQL: what the queue holds
    if queued:
        head = head[:2] + ("QUEUE",) + head[2:]
    lines = [head]
    for row in rows:
        last = row["last_run"]
        queue = (_queue_cell(row, now),) if queued else ()
        lines.append((
            row["source"], _state_text(row), *queue, ago(row["last_success"], now),
            ago(row["next_attempt"], now), str(row["articles"]),
            f"+{last.get('new', 0)} ~{last.get('updated', 0)}" if last else "-",
            _error_text(row),
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip()
                     for line in lines)
