"""Logging setup: one line per event, human-readable by default, JSON lines for log shippers.

Expected failures (a timeout, a bad config) are logged as one line without a traceback;
bugs are logged with `log.exception` and keep their full traceback (in JSON as `traceback`).
A record names its source with `extra={"source": id}`; the human format puts it first
(`source-id: message`), JSON gives it its own `source` key.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

__all__ = ["FORMATS", "HumanFormatter", "JsonFormatter", "setup"]


class HumanFormatter(logging.Formatter):
    """`2024-05-01 12:00:00 WARNING feeds.daemon: source-id: message` (+ traceback for bugs)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%Y-%m-%d %H:%M:%S")
        message = _one_line(record.getMessage())
        source = getattr(record, "source", None)
        if source and not message.startswith(f"{source}:"):  # pipeline lines name it already
            message = f"{source}: {message}"
        line = f"{stamp} {record.levelname} {record.name}: {message}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, source, message (+ traceback for bugs)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("source", "event", "kind", "seconds"):
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info:
            data["traceback"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


FORMATS: dict[str, type[logging.Formatter]] = {"text": HumanFormatter, "json": JsonFormatter}


def _one_line(message: str) -> str:
    return message.replace("\r", " ").replace("\n", " | ")


class _SourceLabel(logging.Filter):
    """Adds a default `source` to records (a child process works for one source)."""

    def __init__(self, source: str):
        super().__init__()
        self.source = source

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "source"):
            record.source = self.source
        return True


def setup(fmt: str = "text", level: int = logging.INFO, source: str = "") -> None:
    """Route every `feeds` log record (and APScheduler's) to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(FORMATS[fmt]())
    if source:
        handler.addFilter(_SourceLabel(source))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler logs every job start and finish at INFO: keep its warnings only.
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
