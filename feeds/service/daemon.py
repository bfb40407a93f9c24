"""`feeds daemon`: every source on its own schedule, one debounced publish per burst.

Threads: the main thread only waits for signals (SIGTERM/SIGINT stop, SIGHUP reloads);
APScheduler's pool runs the jobs, and each job runs its work in a child process with a
deadline (see isolate.py); the optional ops endpoint answers from its own thread.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from .. import decide
from ..config import Config
from ..health import hold as held_items
from ..health import track
from ..health.alerts import Courier
from ..state import SourceState, all_states, record_failure
from ..store import open_store
from .isolate import Outcome, Runner
from .lock import daemon_lock
from .metrics import Metrics
from .ops_http import OpsServer
from .reload import reload_config
from .scheduler import plan_source, sync_jobs
from .status import collect_rows

__all__ = ["Daemon"]

log = logging.getLogger("feeds.daemon")
PUBLISH_JOB = "publish"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Daemon:
    """Owns the scheduler, the child-process runner, metrics and the daemon's state."""

    def __init__(self, config: Config, log_format: str = "text", log_level: int = logging.INFO,
                 listen: tuple[str, int] | None = None):
        self.config = config
        self.listen = listen or config.daemon.listen_address
        self.metrics = Metrics()
        self.runner = Runner(log_format, log_level)
        self.scheduler = BackgroundScheduler(
            timezone=config.site.tz, executors={"default": ThreadPoolExecutor(10)})
        self.store = open_store(config.store_url)  # state reads, deadline failures, /status
        self.store_lock = threading.Lock()
        self.jobs: dict[str, tuple[Any, ...]] = {}
        self.pending_since: datetime | None = None  # first collection awaiting a publish
        self.publish_lock = threading.Lock()  # guards pending_since
        self.publishing = threading.Lock()  # one publish at a time
        self.last_publish: dict[str, Any] = {}
        self.started = _utcnow()
        self.wake = threading.Event()
        self.stop_requested = self.reload_requested = False

    # --- lifecycle --------------------------------------------------------------------------

    def serve(self) -> int:
        """Run until SIGTERM/SIGINT; return the exit status (0 after a clean stop)."""
        with daemon_lock(self.config):
            self._install_signals()
            _sweep_temp_files(self.config.output_path, min_age=60)
            http = self._start_http()
            self._seed_metrics()
            self.scheduler.start()
            self._schedule()
            self._request_publish()  # outputs reflect the config even when nothing is due
            courier = Courier(lambda: open_store(self.config.store_url),
                              self.config.health).start()
            log.info("daemon: started (pid %d) with %d sources", os.getpid(), len(self.jobs))
            while not self.stop_requested:
                self.wake.wait(1.0)
                self.wake.clear()
                if self.reload_requested and not self.stop_requested:
                    self.reload_requested = False
                    self.reload()
            courier.stop()
            self._stop(http)
        return 0

    def _install_signals(self) -> None:
        def stop(signum: int, _: Any) -> None:
            self.stop_requested = True
            self.wake.set()

        def reload(signum: int, _: Any) -> None:
            self.reload_requested = True
            self.wake.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGHUP, reload)

    def _start_http(self) -> OpsServer | None:
        if not self.listen:
            return None
        server = OpsServer(self.listen, self)
        server.start()
        return server

    def _stop(self, http: OpsServer | None) -> None:
        grace = self.config.daemon.seconds("shutdown_timeout")
        log.info("daemon: stopping; waiting up to %gs for %d running jobs", grace,
                 self.runner.busy())
        self.scheduler.pause()
        killed = self.runner.stop(grace)
        if killed:
            log.warning("daemon: abandoned %d unfinished jobs (they run again after restart)",
                        killed)
            _sweep_temp_files(self.config.output_path, min_age=0)
        closer = threading.Thread(target=self.scheduler.shutdown, daemon=True)
        closer.start()
        closer.join(2.0)
        if http:
            http.close()
        with self.store_lock:
            self.store.close()
        log.info("daemon: stopped")

    # --- configuration ----------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the config; on any problem keep running on the old one."""
        new = reload_config(self.config, self.metrics, "daemon")
        if new is None:
            return
        self.config = new
        self._schedule()
        log.info("reload: %s loaded (%d sources)", new.path.name, len(self.jobs))
        self._request_publish()

    def _schedule(self) -> None:
        config, now = self.config, _utcnow()
        with self.store_lock:
            states = all_states(self.store)
        settings = config.daemon
        plans = [plan_source(s, states.get(s.id, SourceState(s.id)), config.site.tz, now,
                             settings.jitter, settings.seconds("startup_spread"))
                 for s in config.sources if s.enabled]
        done = sync_jobs(self.scheduler, plans, self.jobs, self._run_source)
        first = {p.source_id: p.first_run for p in plans}
        for what in ("added", "changed"):
            for sid in done[what]:
                log.info("schedule: %s, first run %s", what, first[sid].isoformat(
                    timespec="seconds"), extra={"source": sid})
        for sid in done["removed"]:
            self.metrics.forget(sid)
            log.info("schedule: removed", extra={"source": sid})
        self.metrics.sources.set(len(self.jobs))

    # --- jobs -------------------------------------------------------------------------------

    def _run_source(self, source_id: str) -> None:
        config, now = self.config, _utcnow()
        source = config.source(source_id)
        if source is None or not source.enabled:
            return
        # whether it is attempted (gone? backing off?) is decided in the job, as in `feeds run`
        per = decide.period(source.schedule, config.site.tz, now)
        deadline = config.daemon.seconds("job_timeout")
        outcome = self.runner.run("collect", (config, source_id, now), deadline, source_id)
        self._collected(config, source_id, now, per, deadline, outcome)

    def _collected(self, config: Config, sid: str, now: datetime, per: float, deadline: float,
                   outcome: Outcome) -> None:
        value = outcome.value
        if outcome.status == "stopped":
            log.info("collect: abandoned at shutdown", extra={"source": sid})
            return
        if outcome.status == "ok" and value.get("waiting"):
            return  # held back (gone, backing off): nothing was fetched; the job logged why
        if outcome.status == "ok":
            kind = value.get("error_kind") or "ok"
            self.metrics.collected(sid, kind, outcome.seconds, value.get("new", 0),
                                   value.get("updated", 0), now if kind == "ok" else None)
            self._health_metrics(sid)
            if value.get("new") or value.get("updated"):
                self._request_publish()
            return
        kind, message = {
            "deadline": ("deadline", f"job exceeded its {deadline:g}s deadline and was killed"),
            "error": (outcome.kind, outcome.error),
        }.get(outcome.status, ("internal", "crashed (a bug); see the traceback in the log"))
        if outcome.status == "failed":
            log.error("collect: crashed (a bug):\n%s", outcome.traceback, extra={"source": sid})
        else:
            log.warning("collect %s: %s", kind, message, extra={"source": sid})
        source = config.source(sid)
        with self.store_lock:
            record_failure(self.store, sid, now, per, kind, source.url if source else "",
                           message)
        self.metrics.collected(sid, kind, outcome.seconds, 0, 0, None)

    def _request_publish(self) -> None:
        """Debounce: (re)schedule the one publish job a little after the latest collection."""
        settings = self.config.daemon
        with self.publish_lock:
            now = _utcnow()
            self.pending_since = self.pending_since or now
            at = decide.publish_at(self.pending_since, now, settings.seconds("publish_delay"),
                            settings.seconds("publish_max_wait"))
            # max_instances=2: a request during a running publish queues one more after it.
            self.scheduler.add_job(self._run_publish, "date", run_date=at, id=PUBLISH_JOB,
                                   replace_existing=True, max_instances=2, coalesce=True,
                                   misfire_grace_time=None)

    def _run_publish(self) -> None:
        with self.publishing:
            with self.publish_lock:
                self.pending_since = None
            config, now = self.config, _utcnow()
            log.info("publish: started")
            outcome = self.runner.run("publish", (config, now),
                                      config.daemon.seconds("job_timeout"))
            self._published(config, now, outcome)

    def _published(self, config: Config, started: datetime, outcome: Outcome) -> None:
        self.metrics.published(outcome.status, outcome.seconds, config.output_path)
        self.last_publish = {"at": started.isoformat(), "outcome": outcome.status,
                             "seconds": round(outcome.seconds, 3)}
        if outcome.status == "ok":
            log.info("publish: %d written, %d unchanged in %.2fs", len(outcome.value["written"]),
                     len(outcome.value["unchanged"]), outcome.seconds)
        elif outcome.status == "failed":
            log.error("publish: crashed (a bug):\n%s", outcome.traceback)
        elif outcome.status != "stopped":
            log.warning("publish %s: %s", outcome.kind or outcome.status,
                        outcome.error or "killed at its deadline")

    # --- what the ops endpoint asks ---------------------------------------------------------

    def _seed_metrics(self) -> None:
        with self.store_lock:
            states = all_states(self.store)
        for sid, state in states.items():
            if state.last_success and self.config.source(sid):
                self.metrics.last_success.labels(sid).set(
                    datetime.fromisoformat(state.last_success).timestamp())
                self._health_metrics(sid)

    def _health_metrics(self, sid: str) -> None:
        with self.store_lock:
            health = track.load(self.store, sid)
            held = len(held_items.held(self.store, sid))
        self.metrics.source_health(sid, health.state, health.signals, held)

    def ready(self) -> tuple[bool, str]:
        try:
            with self.store_lock:
                self.store.count()
        except Exception as e:  # any store failure means "not ready", with the reason
            return False, f"store unreachable: {e}"
        if not self.scheduler.running:
            return False, "scheduler not running"
        return True, f"ready: {self.config.path.name}, {len(self.jobs)} sources scheduled"

    def status(self) -> dict[str, Any]:
        next_runs = {job.name: job.next_run_time for job in self.scheduler.get_jobs()
                     if job.id != PUBLISH_JOB and job.next_run_time}
        with self.store_lock:
            rows = collect_rows(self.config, self.store, next_runs)
        return {"daemon": {"pid": os.getpid(), "started": self.started.isoformat(),
                           "config": str(self.config.path), "running_jobs": self.runner.busy(),
                           "last_publish": self.last_publish},
                "sources": rows}

    def metrics_text(self) -> bytes:
        return self.metrics.render()


def _sweep_temp_files(output: Path, min_age: float) -> None:
    """Remove temp files of writes killed mid-way (writer.py names them `.NAME.*.tmp`)."""
    if not output.is_dir():
        return
    cutoff = time.time() - min_age
    for tmp in output.rglob(".*.tmp"):
        try:
            if tmp.stat().st_mtime <= cutoff:
                tmp.unlink()
        except FileNotFoundError:
            pass
