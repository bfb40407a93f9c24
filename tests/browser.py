"""A real headless browser for tests: Debian's chromium driven over the DevTools protocol.

`Browser.check(url)` loads a page (file:// or http://) in a phone-sized viewport and returns
what a user would have seen go wrong: console errors, uncaught exceptions and browser log
errors (failed loads, CSP violations), plus the value of a JavaScript probe expression.
Generic on purpose: share pages, the feed directory and the sitemap page all use it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import websocket

__all__ = ["FLAGS", "Browser", "PageReport"]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0"]
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


@dataclass
class PageReport:
    """What loading one page produced."""

    url: str
    errors: list[str] = field(default_factory=list)
    value: Any = None


class Browser:
    """One chromium process (fresh profile) for many page checks; use as a context manager."""

    def __init__(self, binary: str, timeout: float = 20.0, flags: tuple[str, ...] = ()):
        """`flags`: more chromium switches, e.g. ("--disable-features=XSLT",) for a browser
        that no longer runs XSLT."""
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="feeds-chromium-")
        self.proc = subprocess.Popen(
            [binary, *FLAGS, *flags, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.ws = websocket.create_connection(self._endpoint(), timeout=timeout,
                                              suppress_origin=True)
        self.next_id = 0

    def _endpoint(self) -> str:
        assert self.proc.stderr is not None
        deadline = time.monotonic() + self.timeout
        seen = []
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                break
            seen.append(line)
            if match := _LISTENING.search(line):
                return match.group(1)
        self.close()
        raise RuntimeError("chromium did not start:\n" + "".join(seen[-20:]))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    # --- the protocol --------------------------------------------------------------------

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        return self.next_id

    def _call(self, method: str, params: dict | None = None, session: str | None = None,
              events: list[dict] | None = None) -> dict:
        """Send a command and wait for its answer, keeping the events that arrive meanwhile."""
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if events is not None and "method" in message:
                events.append(message)
        raise TimeoutError(f"{method}: no answer in {self.timeout}s")

    def _wait_for(self, event: str, session: str, events: list[dict]) -> None:
        deadline = time.monotonic() + self.timeout
        while not any(e["method"] == event and e.get("sessionId") == session for e in events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{event}: not seen in {self.timeout}s")
            events.append(json.loads(self.ws.recv()))

    # --- the check -----------------------------------------------------------------------

    def check(self, url: str | Path, probe: str = "true", width: int = 375,
              settle: float = 0.3) -> PageReport:
        """Load `url` in a `width`-pixel-wide viewport; report errors and the probe's value."""
        url = url.as_uri() if isinstance(url, Path) else url
        events: list[dict] = []
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True},
                             events=events)["sessionId"]
        try:
            for method in ("Runtime.enable", "Log.enable", "Page.enable"):
                self._call(method, session=session, events=events)
            self._call("Emulation.setDeviceMetricsOverride",
                       {"width": width, "height": 800, "deviceScaleFactor": 2, "mobile": True},
                       session=session, events=events)
            events.clear()  # about:blank's own events are not the page's
            self._call("Page.navigate", {"url": url}, session=session, events=events)
            self._wait_for("Page.loadEventFired", session, events)
            self._drain(settle, events)
            value = self._call("Runtime.evaluate", {"expression": probe, "returnByValue": True},
                               session=session, events=events)["result"].get("value")
        finally:
            self._call("Target.closeTarget", {"targetId": target})
        errors = [_describe(e) for e in events if e.get("sessionId") == session and _is_error(e)]
        return PageReport(url, errors, value)

    def _drain(self, seconds: float, events: list[dict]) -> None:
        """Collect events for a moment after load (late console errors, failed images)."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self.ws.settimeout(left)
            try:
                events.append(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                break
        self.ws.settimeout(self.timeout)


def _is_error(event: dict) -> bool:
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        return True
    if method == "Runtime.consoleAPICalled":
        return params.get("type") in ("error", "assert")
    if method == "Log.entryAdded":
        return params.get("entry", {}).get("level") == "error"
    return False


def _describe(event: dict) -> str:
    params = event.get("params", {})
    if event["method"] == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        thrown = details.get("exception", {}).get("description", "")
        return f"exception: {details.get('text', '')} {thrown}".strip()
    if event["method"] == "Runtime.consoleAPICalled":
        args = params.get("args", [])
        return "console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in args)
    entry = params.get("entry", {})
    return f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip()
