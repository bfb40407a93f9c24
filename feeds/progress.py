"""Progress of `feeds run`, per stage: a redrawn bar on a terminal, plain lines otherwise.

Tiny on purpose (no dependency): `stage(name, total)` starts a stage, `step(label, ok)` advances
it, `done(summary)` closes it. Output goes to stderr so stdout stays for results.
"""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["Progress"]

BAR = 24


class Progress:
    """Draws `collect [########----------------]  3/9 source-id` in place on a TTY."""

    def __init__(self, stream: TextIO | None = None, tty: bool | None = None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.name, self.total, self.count, self.failed = "", 0, 0, 0

    def stage(self, name: str, total: int) -> None:
        self.name, self.total, self.count, self.failed = name, total, 0, 0
        if self.tty:
            self._draw("")
        else:
            self._line(f"{name}: {total} to do")

    def step(self, label: str, ok: bool = True, detail: str = "") -> None:
        self.count += 1
        self.failed += 0 if ok else 1
        if self.tty:
            self._draw(label)
        else:
            state = "ok" if ok else "FAILED"
            self._line(f"{self.name} {self.count}/{self.total} {label}: {state}"
                       + (f" ({detail})" if detail else ""))

    def done(self, summary: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[2K")
        self._line(f"{self.name}: {summary}")

    def _draw(self, label: str) -> None:
        filled = BAR * self.count // self.total if self.total else BAR
        bar = "#" * filled + "-" * (BAR - filled)
        failed = f" {self.failed} failed" if self.failed else ""
        self.stream.write(f"\r\x1b[2K{self.name} [{bar}] {self.count}/{self.total}{failed} "
                          f"{label}"[:200])
        self.stream.flush()

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()
