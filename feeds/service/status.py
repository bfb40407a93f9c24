"""What `feeds status`, `/status` and the daemon report per source (pure: take `now`).

`source_rows` joins the config, the per-source state in the store and article counts;
`render_table` turns the rows into a terminal table with relative times.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..config import Config
from ..health import hold as held_items
from ..health import track
from ..health.record import Health
from ..state import SourceState, all_states
from ..store import Store

__all__ = ["ago", "collect_rows", "health_fields", "render_table", "side_by_side",
           "source_rows"]


def collect_rows(config: Config, store: Store, next_runs: dict[str, datetime] | None = None
                 ) -> list[dict[str, Any]]:
    """Rows for every configured source (and state-only sources no longer configured)."""
    states = all_states(store)
    counts = {sid: store.count(sid) for sid in {s.id for s in config.sources} | set(states)}
    rows = source_rows(config, states, counts, next_runs or {})
    for row in rows:
        row.update(health_fields(track.load(store, row["source"]),
                                 len(held_items.held(store, row["source"]))))
    return rows


def health_fields(health: Health, held: int) -> dict[str, Any]:
    """A source's health for status: state, reason, last good poll, held items and, for a
    degraded or broken source, one item field by field (last good vs now)."""
    fields: dict[str, Any] = {
        "health": health.state, "health_reason": health.reason, "health_since": health.since,
        "first_bad_poll": health.first_bad, "last_good_poll": health.last_good,
        "held": held, "manual_hold": health.manual_hold,
        "warm_up": health.baseline.good_polls}
    if health.state in ("degraded", "broken"):
        names = list(dict.fromkeys([*health.good_item, *health.bad_item]))
        fields["side_by_side"] = {n: {"last_good": health.good_item.get(n, ""),
                                      "now": health.bad_item.get(n, "")} for n in names}
    return fields


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
    if row.get("health", "ok") not in ("ok", "failing"):
        return str(row["health"]) + (" (held by hand)" if row.get("manual_hold") else "")
    if row["failures"]:
        return f"failing x{row['failures']}"
    if row.get("manual_hold"):
        return "held by hand"
    return "ok" if row["last_success"] else "never run"


def _error_text(row: dict[str, Any], width: int = 60) -> str:
    if row.get("health", "ok") != "ok" and row.get("health_reason"):
        text = str(row["health_reason"])
        return text if len(text) <= width else text[: width - 1] + "…"
    error = row["last_error"]
    if not error:
        return ""
    text = f"{error.get('kind', 'error')}: {error.get('message', '')}"
    return text if len(text) <= width else text[: width - 1] + "…"


def _queue_cell(row: dict[str, Any], now: datetime) -> str:
    """'running on host:pid', 'queued', 'queued (in 4s)' or '-' for a row's queue entry."""
    entry = row.get("queue", {})
    if entry.get("running_on"):
        return f"running on {entry['running_on']}"
    if entry.get("queued"):
        when = entry.get("queued_for", "")
        if when and datetime.fromisoformat(when) > now:
            return f"queued ({ago(when, now)})"
        return "queued"
    return "-"


def render_table(rows: list[dict[str, Any]], now: datetime) -> str:
    """A fixed-width table: source, state, last success, next attempt, articles, last error."""
    head: tuple[str, ...] = ("SOURCE", "STATE", "LAST SUCCESS", "NEXT ATTEMPT", "ARTICLES",
                             "LAST RUN", "REASON")
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
            (f"+{last.get('new', 0)} ~{last.get('updated', 0)}" if last else "-")
            + (f" held {row['held']}" if row.get("held") else ""),
            _error_text(row),
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip()
                     for line in lines)


def side_by_side(rows: list[dict[str, Any]], width: int = 50) -> str:
    """For each degraded or broken source: its reason and one item, last good vs now."""
    blocks = []
    for row in rows:
        pairs = row.get("side_by_side")
        if not pairs:
            continue
        lines = [f"{row['source']}: {row['health']}: {row['health_reason']}",
                 f"  {'FIELD':8}{'LAST GOOD':{width}}  NOW"]
        for name, both in pairs.items():
            good, now = (_cut(both[k], width) for k in ("last_good", "now"))
            lines.append(f"  {name:8}{good:{width}}  {now}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
