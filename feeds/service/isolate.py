"""Run a job in a child process with a hard deadline.

A thread cannot be stopped, so with `max_instances=1` one hung fetch would block its source
forever. A child process can be killed: at its deadline (or at shutdown) it is, and since the
store commits whole transactions and output files are renamed into place, a killed child
leaves no half article and no half file behind.

Children come from a forkserver (a small single-threaded process forked early, with the
pipeline already imported), so starting one takes milliseconds and never forks the daemon's
threads. Children ignore SIGINT: a Ctrl-C on the terminal reaches the whole process group,
but only the daemon decides how running jobs end.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from .. import logs

__all__ = ["Outcome", "Runner"]

log = logging.getLogger("feeds.isolate")


@dataclass
class Outcome:
    """How a child job ended: ok | error (expected, one line) | failed (a bug, with its
    traceback) | deadline | stopped (abandoned at shutdown)."""

    status: str
    value: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    traceback: str = ""
    error: str = ""
    kind: str = ""


def _child_main(conn: Connection, job: str, args: tuple[Any, ...], label: str,
                log_format: str, log_level: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    logs.setup(log_format, log_level, source=label)
    from ..errors import FeedsError
    from .jobs import JOBS

    try:
        conn.send({"ok": True, "value": JOBS[job](*args)})
    except FeedsError as e:  # expected: one line, no traceback
        conn.send({"ok": False, "error": str(e), "kind": e.kind})
    except Exception:  # a bug: hand the full traceback to the daemon, which logs it
        conn.send({"ok": False, "traceback": traceback.format_exc()})
    finally:
        conn.close()


class Runner:
    """Starts child jobs, kills them at their deadline, and stops them all at shutdown."""

    def __init__(self, log_format: str = "text", log_level: int = logging.INFO):
        self.ctx = multiprocessing.get_context("forkserver")
        self.ctx.set_forkserver_preload(["feeds.service.jobs"])
        self.log_args = (log_format, log_level)
        self.children: set[Any] = set()
        self.lock = threading.Lock()
        self.stopping = False

    def run(self, job: str, args: tuple[Any, ...], deadline: float, label: str = "") -> Outcome:
        """Run `job` in a child; wait at most `deadline` seconds for it. `label` (a source id)
        is added to the child's log records."""
        if self.stopping:
            return Outcome("stopped")
        started = time.monotonic()
        receiver, sender = self.ctx.Pipe(duplex=False)
        child = self.ctx.Process(target=_child_main, args=(sender, job, args, label, *self.log_args),
                                 daemon=True, name=f"feeds-{job}")
        with self.lock:
            child.start()
            self.children.add(child)
        sender.close()
        try:
            message = _receive(receiver, deadline)
        finally:
            receiver.close()
            if child.is_alive() and message is None:
                child.kill()
            child.join()
            with self.lock:
                self.children.discard(child)
        return self._outcome(message, time.monotonic() - started)

    def _outcome(self, message: dict[str, Any] | None | bool, seconds: float) -> Outcome:
        if isinstance(message, dict):
            if message["ok"]:
                return Outcome("ok", message["value"], seconds)
            if "error" in message:
                return Outcome("error", {}, seconds, error=message["error"], kind=message["kind"])
            return Outcome("failed", {}, seconds, message["traceback"])
        if self.stopping:
            return Outcome("stopped", {}, seconds)
        if message is None:
            return Outcome("deadline", {}, seconds)
        return Outcome("failed", {}, seconds, "the job's process died without an answer")

    def busy(self) -> int:
        with self.lock:
            return len(self.children)

    def stop(self, grace: float) -> int:
        """Take no new jobs; wait up to `grace` seconds for running ones, then kill the rest.

        Returns how many children had to be killed."""
        self.stopping = True
        end = time.monotonic() + grace
        while self.busy() and time.monotonic() < end:
            time.sleep(0.05)
        with self.lock:
            left = [c for c in self.children if c.is_alive()]
        for child in left:
            child.kill()
        return len(left)


def _receive(receiver: Connection, deadline: float) -> dict[str, Any] | None | bool:
    """The child's message; None when the deadline passed; False when it died silently."""
    if not receiver.poll(deadline):
        return None
    try:
        return receiver.recv()  # type: ignore[no-any-return]
    except (EOFError, OSError):
        return False
