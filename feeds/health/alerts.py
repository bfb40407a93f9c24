"""Telling ops: one log line and, with `health.webhook`, one JSON POST per transition.

Transitions go to an outbox in the store first (`health_outbox`), written by whichever process
judged the poll (a `feeds run`, a daemon child, a worker); delivery happens apart from any
collection (`deliver_due`, from a `Courier` thread or at the end of a run), so a slow or dead
webhook never slows or stops a run. An entry is leased before its POST and deleted after a 2xx;
a failed POST is retried with exponential backoff, `health.retries` times, then logged as lost.
A process that dies mid-POST leaves a lease that runs out: the alert is sent again, not lost.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ..config import HealthSettings
from ..errors import FeedsError
from ..fetch import post
from ..store import Store
from .record import Transition

__all__ = ["OUTBOX", "Courier", "announce", "deliver_after_run", "deliver_due", "retry_delay"]

log = logging.getLogger("feeds.health")

OUTBOX = "health_outbox"
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)


def announce(store: Store, settings: HealthSettings, note: Transition) -> None:
    """The log line of a transition, and its outbox entry when a webhook is configured."""
    what = "still" if note.reminder else f"{note.old} ->"
    level = logging.INFO if note.new == "ok" else logging.WARNING
    log.log(level, "health %s: %s %s: %s", note.source, what, note.new, note.reason,
            extra={"source": note.source})
    if settings.webhook:
        key = f"{note.at}|{note.source}|{note.new}|{'r' if note.reminder else 't'}"
        store.put_state(OUTBOX, key, {"note": note.to_dict(), "attempts": 0, "next_try": ""})


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failed POST, doubling, at most an hour."""
    return min(FIRST_RETRY * (2 ** max(0, attempts - 1)), MAX_RETRY)


Poster = Callable[[str, bytes, str, float], Any]


def deliver_due(store: Store, settings: HealthSettings, now: datetime,
                poster: Poster = post) -> int:
    """POST every outbox entry that is due, oldest first; return how many were delivered."""
    delivered = 0
    for key, entry in sorted(store.all_states(OUTBOX).items()):
        if entry.get("next_try", "") > now.isoformat():
            continue
        lease = now + timedelta(seconds=settings.timeout * 2 + 5)
        store.put_state(OUTBOX, key, {**entry, "next_try": lease.isoformat()})
        if _post(settings, entry["note"], poster):
            store.delete_state(OUTBOX, key)
            delivered += 1
            continue
        attempts = entry.get("attempts", 0) + 1
        if attempts > settings.retries:
            store.delete_state(OUTBOX, key)
            log.error("health %s: webhook gave up after %d attempts: %s -> %s: %s",
                      entry["note"]["source"], attempts, entry["note"]["old"],
                      entry["note"]["new"], entry["note"]["reason"])
            continue
        store.put_state(OUTBOX, key, {**entry, "attempts": attempts,
                                      "next_try": (now + retry_delay(attempts)).isoformat()})
    return delivered


def _post(settings: HealthSettings, note: dict[str, Any], poster: Poster) -> bool:
    body = json.dumps(note, ensure_ascii=False).encode("utf-8")
    try:
        answer = poster(settings.webhook, body, "application/json", settings.timeout)
    except FeedsError as e:
        log.warning("health %s: webhook %s", note["source"], e)
        return False
    if not 200 <= answer.status < 300:
        log.warning("health %s: webhook answered HTTP %s", note["source"], answer.status)
        return False
    return True


def deliver_after_run(store: Store, settings: HealthSettings, now: datetime,
                      grace: float = 3.0) -> None:
    """Send the alerts that are due at the end of a run, waiting at most `grace` seconds: one
    not through by then keeps its lease and goes out with the next run or the daemon."""
    if not settings.webhook:
        return

    def deliver() -> None:
        try:
            deliver_due(store, settings, now)
        except Exception:  # the run is over; a store closed under us must not crash it
            log.exception("health: alert delivery failed; retried next run")

    sender = threading.Thread(target=deliver, name="health-alerts", daemon=True)
    sender.start()
    sender.join(grace)


class Courier:
    """A thread that delivers due alerts every `every` seconds with a store of its own."""

    def __init__(self, open_store: Callable[[], Any], settings: HealthSettings,
                 every: float = 5.0):
        self.open_store, self.settings, self.every = open_store, settings, every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="health-courier", daemon=True)

    def start(self) -> Courier:
        if self.settings.webhook:
            self.thread.start()
        return self

    def _loop(self) -> None:
        store = self.open_store()
        try:
            while True:
                try:
                    deliver_due(store, self.settings, datetime.now(UTC))
                except Exception:  # a bug here must not kill alerting for good
                    log.exception("health: alert delivery failed")
                if self.stopping.is_set():
                    return  # that was the last round, after stop()
                self.stopping.wait(self.every)
        finally:
            store.close()

    def stop(self, grace: float = 3.0) -> None:
        """One last delivery round, waiting at most `grace` seconds for it."""
        if self.thread.is_alive():
            self.stopping.set()
            self.thread.join(grace)
