"""`feeds worker`: run collections and publishes from the queue in PostgreSQL, on any number of
machines at once.

Every worker also runs a scheduler (unless `--no-scheduler`): every `worker.tick` it asks which
sources are due and defers their collections with a per-source queueing lock, and puts back
the jobs of workers whose heartbeat stopped. Two schedulers at once only meet in the
database, which refuses the second waiting job of a source; a collection that starts checks
the source is still due, so a source is collected once per period however many schedulers
queued it. One asyncio loop holds procrastinate's worker and the scheduler; the jobs' blocking
work runs on a thread pool as wide as the concurrency.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any

from procrastinate.job_context import JobContext
from procrastinate.worker import Worker as QueueWorker

from .. import config as config_mod
from ..config import Config
from ..health.alerts import Courier
from ..store import open_store
from .metrics import Metrics
from .ops_http import OpsServer
from .queue import (
    COLLECT,
    PUBLISH,
    PUBLISH_LOCK,
    QUEUES,
    build_app,
    busy_sources,
    defer_collect,
    name_worker,
    recover_stalled,
    request_publish,
    schema_present,
)
from .reload import reload_config
from .units import Units

__all__ = ["QueueWorkerService", "RESTART_DELAY", "drain"]

log = logging.getLogger("feeds.worker")
RESTART_DELAY = 2.0  # seconds before a worker whose database connection broke starts again


def _utcnow() -> datetime:
    return datetime.now(UTC)


class QueueWorkerService:
    """One `feeds worker` process: queue worker, optional scheduler, ops endpoint."""

    def __init__(self, config: Config, concurrency: int | None = None, scheduler: bool = True,
                 listen: tuple[str, int] | None = None, publishes: bool = True):
        self.config = config
        self.concurrency = concurrency or config.worker.concurrency
        self.scheduling = scheduler
        self.queues = [QUEUES[COLLECT]] + ([QUEUES[PUBLISH]] if publishes else [])
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.metrics = Metrics()
        self.units = Units(config, self.metrics, self.concurrency)
        self.pool = ThreadPoolExecutor(self.concurrency + 2, thread_name_prefix="job")
        self.overdue: set[str] = set()  # jobs past their deadline whose thread still runs
        self.app = build_app(config.store_url, {COLLECT: self._collect, PUBLISH: self._publish})
        self.listen = listen or _address(config.worker.listen)
        self.stopping = asyncio.Event()
        self.queue_worker: QueueWorker | None = None
        self.started = _utcnow()
        self.last_tick: dict[str, Any] = {}
        self.named: set[int] = set()  # procrastinate worker ids written to feeds_queue_workers
        self.publish_owed = False  # a publish request failed (database down): ask again

    # --- lifecycle --------------------------------------------------------------------------

    def serve(self) -> int:
        # procrastinate logs every job start and end at INFO: our own lines say what matters
        logging.getLogger("procrastinate").setLevel(max(log.getEffectiveLevel(), logging.WARNING))
        if not schema_present(self.config.store_url):
            log.error("worker: the queue's tables are missing; run `feeds migrate -c %s` first",
                      self.config.path.name)
            return 2
        http = OpsServer(self.listen, self) if self.listen else None
        if http:
            http.start()
        # health alerts written by this worker's collections (or any other's) go out from here
        courier = Courier(lambda: open_store(self.config.store_url), self.config.health).start()
        try:
            asyncio.run(self._main())
        finally:
            courier.stop()
            if http:
                http.close()
            self.pool.shutdown(wait=False, cancel_futures=True)
        if self.units.running:
            # past shutdown_timeout: the queue gave these jobs up; they are recovered as
            # stalled and run again elsewhere. Closing the store under them, or waiting for
            # their threads, would only delay the exit systemd is waiting for.
            log.warning("worker %s: abandoned %d unfinished jobs (they run again elsewhere)",
                        self.name, self.units.running)
            logging.shutdown()
            os._exit(0)
        self.units.close()
        return 0

    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self._stop)
        loop.add_signal_handler(signal.SIGINT, self._stop)
        loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(self.reload()))
        async with self.app.open_async():
            log.info("worker %s: started (concurrency %d, scheduler %s, queues %s)", self.name,
                     self.concurrency, "on" if self.scheduling else "off", ", ".join(self.queues))
            tasks = [asyncio.create_task(self._work()),
                     asyncio.create_task(self._settle_publish())]
            if self.scheduling:
                tasks.append(asyncio.create_task(self._schedule_loop()))
            await self.stopping.wait()
            if self.queue_worker:
                self.queue_worker.stop()
            await asyncio.gather(*tasks, return_exceptions=True)
        log.info("worker %s: stopped", self.name)

    def _stop(self) -> None:
        self.stopping.set()
        if self.queue_worker:
            self.queue_worker.stop()

    async def _work(self) -> None:
        """Run procrastinate's worker; when a broken database connection stops it, start a
        new one (its old registration goes stale and its unfinished jobs are recovered)."""
        settings = self.config.worker
        while not self.stopping.is_set():
            self.queue_worker = QueueWorker(
                self.app, queues=self.queues, name=self.name, concurrency=self.concurrency,
                install_signal_handlers=False, fetch_job_polling_interval=1.0,
                delete_jobs="successful",  # else the jobs table grows by every run, forever
                update_heartbeat_interval=settings.seconds("heartbeat"),
                stalled_worker_timeout=settings.seconds("stalled_after"),
                shutdown_graceful_timeout=self.config.daemon.seconds("shutdown_timeout"))
            try:
                await self.queue_worker.run()
            except Exception as e:  # the database went away: wait and start again
                log.warning("worker: queue connection lost (%s); starting again in %gs", e,
                            RESTART_DELAY)
            if not self.stopping.is_set():
                await self._sleep(RESTART_DELAY)
            left = await drain(lambda: self.units.running,
                               self.config.daemon.seconds("job_timeout"), self.stopping)
            if left:
                log.warning("worker: %d jobs of the lost connection still running; starting "
                            "again beside them", left)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self.stopping.wait(), seconds)
        except TimeoutError:
            pass

    async def reload(self) -> None:
        """SIGHUP: re-read the config; on any problem keep running on the old one."""
        new = reload_config(self.config, self.metrics, "worker")
        if new is None:
            return
        self.config = new
        self.units.config = new
        log.info("reload: %s loaded (%d sources)", new.path.name, len(new.sources))
        await self._request_publish()

    # --- scheduler --------------------------------------------------------------------------

    async def _schedule_loop(self) -> None:
        loop = asyncio.get_running_loop()
        await self._request_publish()  # outputs reflect the config even when nothing is due
        while not self.stopping.is_set():
            try:
                busy = await busy_sources(self.app)
                due = await loop.run_in_executor(self.pool, self.units.due_sources, _utcnow(),
                                                 busy)
                queued = await defer_collect(self.app, due)
                recovered = await recover_stalled(self.app,
                                                  self.config.worker.seconds("stalled_after"))
                self.last_tick = {"at": _utcnow().isoformat(), "due": len(due),
                                  "queued": len(queued), "recovered": len(recovered)}
                if queued:
                    log.info("schedule: queued %d of %d due sources", len(queued), len(due))
            except Exception as e:  # database down: try again next tick
                log.warning("schedule: %s; trying again in %s", e, self.config.worker.tick)
            self.metrics.sources.set(sum(1 for s in self.config.sources if s.enabled))
            await self._sleep(self.config.worker.seconds("tick"))

    async def _request_publish(self) -> None:
        settings = self.config.daemon
        try:
            await request_publish(self.app, _utcnow(), settings.seconds("publish_delay"),
                                  settings.seconds("publish_max_wait"))
            self.publish_owed = False
        except Exception as e:  # database down: owed, asked again every tick until queued
            self.publish_owed = True
            log.warning("publish: cannot queue (%s); trying again in %s", e,
                        self.config.worker.tick)

    async def _settle_publish(self) -> None:
        """A publish that could not be queued (database down) is queued once it can be, even
        if no collection changes anything after: stored changes are never left unpublished."""
        while not self.stopping.is_set():
            await self._sleep(self.config.worker.seconds("tick"))
            if self.publish_owed and not self.stopping.is_set():
                await self._request_publish()

    # --- jobs -------------------------------------------------------------------------------

    async def _named(self, context: JobContext) -> None:
        worker_id = context.job.worker_id
        if worker_id is not None and worker_id not in self.named:
            await name_worker(self.app, worker_id, self.name)
            self.named.add(worker_id)

    async def _collect(self, context: JobContext, source_id: str) -> dict[str, Any]:
        await self._named(context)
        if source_id in self.overdue:
            return {"skipped": "a run past its deadline is still running in this worker"}
        now = _utcnow()
        outcome = await self._within_deadline(
            source_id, now, partial(self.units.collect, source_id, now, self.name))
        if outcome.get("new") or outcome.get("updated"):
            await self._request_publish()
        return outcome

    async def _publish(self, context: JobContext, pending_since: str = "") -> dict[str, Any]:
        await self._named(context)
        return await self._within_deadline(PUBLISH_LOCK, None,
                                           partial(self.units.publish, _utcnow()))

    async def _within_deadline(self, what: str, collected_at: datetime | None,
                               unit: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run a job's unit in the pool; past daemon.job_timeout fail the job, so its lock is
        released and it runs again. A thread cannot be killed: it is left to finish, and
        until it does this worker skips that source (`overdue`)."""
        loop = asyncio.get_running_loop()
        deadline = self.config.daemon.seconds("job_timeout")
        started = loop.time()
        future = loop.run_in_executor(self.pool, unit)
        try:
            return await asyncio.wait_for(asyncio.shield(future), deadline)
        except TimeoutError:
            self.overdue.add(what)
            future.add_done_callback(partial(self._finished_late, what))
            await loop.run_in_executor(None, self.units.overdue, what, collected_at,
                                       loop.time() - started, deadline)
            raise JobDeadline(f"{what}: exceeded daemon.job_timeout ({deadline:g}s)") from None

    def _finished_late(self, what: str, future: asyncio.Future[Any]) -> None:
        self.overdue.discard(what)
        if not future.cancelled() and future.exception():
            log.warning("%s: the run past its deadline ended in %r", what, future.exception())

    # --- what the ops endpoint asks ---------------------------------------------------------

    def ready(self) -> tuple[bool, str]:
        return self.units.ready()

    def status(self) -> dict[str, Any]:
        from .queue_status import status_payload

        payload = status_payload(self.config, self.units.store)
        payload["worker"] = {"name": self.name, "started": self.started.isoformat(),
                             "concurrency": self.concurrency, "scheduler": self.scheduling,
                             "queues": self.queues,
                             "last_tick": self.last_tick}
        return payload

    def metrics_text(self) -> bytes:
        return self.metrics.render()


class JobDeadline(Exception):
    """A job ran past daemon.job_timeout: procrastinate records it as failed."""


async def drain(running: Callable[[], int], limit: float, stopping: asyncio.Event,
                poll: float = 0.2) -> int:
    """Wait up to `limit` seconds (or a stop) for the job threads of a lost queue worker to
    end, so that a new one does not start beside them; return how many still run."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    if running():
        log.info("worker: waiting up to %gs for %d running jobs before starting again", limit,
                 running())
    while running() and loop.time() < end and not stopping.is_set():
        try:
            await asyncio.wait_for(stopping.wait(), min(poll, max(0.0, end - loop.time())))
        except TimeoutError:
            pass
    return running()


def _address(listen: str) -> tuple[str, int] | None:
    return config_mod.DaemonSettings(listen=listen).listen_address if listen else None
