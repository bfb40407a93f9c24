"""The job queue: procrastinate on the store's own PostgreSQL database (no broker to run).

Two tasks, both run by `feeds worker` (worker.py):

    feeds.collect(source_id)   queueing lock and lock `source:<id>`: a source is never waiting
                               in the queue twice, nor running twice at once
    feeds.publish(pending_since)
                               queueing lock and lock `publish`: one waiting, one running;
                               debounced by moving the waiting job's start (`request_publish`)

What this module decides is how jobs are deferred and recovered; what a job does is the
worker's (`Handlers`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued, NoResult
from procrastinate.job_context import JobContext

__all__ = ["COLLECT", "PUBLISH", "PUBLISH_LOCK", "QUEUES", "Handlers", "apply_schema", "build_app",
           "busy_sources", "defer_collect", "is_queue_url", "name_worker", "queue_rows", "recover_stalled",
           "request_publish", "schema_present", "source_lock"]

log = logging.getLogger("feeds.queue")

COLLECT, PUBLISH = "feeds.collect", "feeds.publish"
PUBLISH_LOCK = "publish"
# procrastinate queues: a worker started with --no-publish listens to "collect" only, so ops
# choose which machines write output/ (see README, "Running on several machines")
QUEUES = {COLLECT: "collect", PUBLISH: "publish"}

Handlers = dict[str, Callable[..., Awaitable[Any]]]  # task name -> coroutine running the job

_DEBOUNCE = """
UPDATE procrastinate_jobs SET scheduled_at = least(
        now() + make_interval(secs => %(delay)s),
        (args->>'pending_since')::timestamptz + make_interval(secs => %(max_wait)s))
WHERE queueing_lock = %(lock)s AND status = 'todo'
RETURNING id
"""

_QUEUE_ROWS = """
SELECT j.queueing_lock, j.status::text, coalesce(n.name, j.worker_id::text),
       w.last_heartbeat, j.scheduled_at, j.attempts
FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w ON w.id = j.worker_id
LEFT JOIN feeds_queue_workers n ON n.id = j.worker_id
WHERE j.status IN ('todo', 'doing') AND j.queueing_lock IS NOT NULL
"""


def is_queue_url(location: str) -> bool:
    """True when the store is PostgreSQL, the only store the queue can live in."""
    return location.startswith(("postgresql://", "postgres://"))


def source_lock(source_id: str) -> str:
    return f"source:{source_id}"


def build_app(conninfo: str, handlers: Handlers | None = None) -> procrastinate.App:
    """A procrastinate App on `conninfo` with the two tasks; without `handlers` it can defer
    and inspect jobs but not run them."""
    connector = procrastinate.PsycopgConnector(conninfo=conninfo, min_size=1, max_size=4,
                                               kwargs={"connect_timeout": 5})
    app = procrastinate.App(connector=connector)
    run = handlers or {}

    async def collect(context: JobContext, source_id: str) -> Any:
        return await run[COLLECT](context, source_id)

    async def publish(context: JobContext, pending_since: str = "") -> Any:
        return await run[PUBLISH](context, pending_since)

    app.task(name=COLLECT, pass_context=True, queue=QUEUES[COLLECT])(collect)
    app.task(name=PUBLISH, pass_context=True, queue=QUEUES[PUBLISH])(publish)
    return app


async def name_worker(app: procrastinate.App, worker_id: int | None, name: str) -> None:
    """Remember which machine and process a procrastinate worker id is, for `feeds status`."""
    if worker_id is not None:
        await app.connector.execute_query_async(
            "INSERT INTO feeds_queue_workers (id, name) VALUES (%(id)s, %(name)s) "
            "ON CONFLICT (id) DO NOTHING", id=worker_id, name=name)
        # names of workers procrastinate has pruned are of no use: one row per live worker
        await app.connector.execute_query_async(
            "DELETE FROM feeds_queue_workers WHERE id NOT IN "
            "(SELECT id FROM procrastinate_workers)")


def schema_present(conninfo: str) -> bool:
    import psycopg

    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
        row = conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()
    return bool(row and row[0])


_OWN_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds_queue_workers (
    id bigint PRIMARY KEY,
    name text NOT NULL
)
"""


def apply_schema(conninfo: str) -> bool:
    """Create procrastinate's tables unless they exist (and ours: worker names, host gates);
    return True when procrastinate's were created. An advisory lock makes two `feeds migrate`
    at once (two machines) harmless: the second waits, then finds the tables there."""
    import psycopg

    from ..fetch.gates_pg import create_tables

    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('feeds_queue_schema'))")
        try:
            created = not schema_present(conninfo)
            if created:
                app = build_app(conninfo)
                with app.open():
                    app.schema_manager.apply_schema()
            conn.execute(_OWN_SCHEMA)
            create_tables(conn)
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('feeds_queue_schema'))")
    return created


async def busy_sources(app: procrastinate.App) -> set[str]:
    """Sources with a collection waiting or running. Read before the sources' states, it
    closes the race of a collection that finishes meanwhile: its state is written before its
    job ends, so either the job is seen here or its new next attempt is seen after."""
    rows = await app.connector.execute_query_all_async(
        "SELECT queueing_lock FROM procrastinate_jobs WHERE task_name = %(task)s "
        "AND status IN ('todo', 'doing')", task=COLLECT)
    return {row["queueing_lock"][len("source:"):] for row in rows if row["queueing_lock"]}


async def defer_collect(app: procrastinate.App, source_ids: Iterable[str]) -> list[str]:
    """Queue a collection of each source unless one is already waiting; return those queued.

    Safe to call from any number of schedulers at once: the database refuses a second waiting
    job with the same queueing lock, and the job itself checks the source is still due. All
    in one statement; if one of them is already waiting, one by one."""
    ids = list(source_ids)
    jobs = [app.configure_task(COLLECT, lock=source_lock(sid), queueing_lock=source_lock(sid)
                               ).make_new_job(source_id=sid) for sid in ids]
    if not jobs:
        return []
    try:
        await app.job_manager.batch_defer_jobs_async(jobs)
        return ids
    except AlreadyEnqueued:
        pass
    queued = []
    for sid, job in zip(ids, jobs):
        try:
            await app.job_manager.defer_job_async(job)
        except AlreadyEnqueued:
            continue
        queued.append(sid)
    return queued


async def request_publish(app: procrastinate.App, now: datetime, delay: float,
                          max_wait: float) -> None:
    """Debounce: one publish `delay` after the latest request, but no later than `max_wait`
    after the first one still waiting (as the daemon's publish_at). The waiting job is moved
    first: in a burst that is all there is to do, one round trip per collection."""
    for _ in range(3):  # the waiting job may start between the two statements: look again
        try:
            await app.connector.execute_query_one_async(
                _DEBOUNCE, delay=delay, max_wait=max_wait, lock=PUBLISH_LOCK)
            return
        except NoResult:
            pass  # none waiting: queue one
        try:
            await app.configure_task(PUBLISH, lock=PUBLISH_LOCK, queueing_lock=PUBLISH_LOCK,
                                     schedule_in={"seconds": delay}
                                     ).defer_async(pending_since=now.isoformat())
            return
        except AlreadyEnqueued:
            continue


async def recover_stalled(app: procrastinate.App, stalled_after: float) -> list[str]:
    """Put back in the queue the jobs of workers whose heartbeat stopped (SIGKILL, lost
    machine); return their queueing locks. Where another job with the same queueing lock is
    already waiting, the stalled one is closed as failed instead: the waiting one does its work.
    """
    manager = app.job_manager
    recovered = []
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
        try:
            await manager.retry_job(job)
        except Exception as e:  # another scheduler won the race, or a waiting twin exists
            if "not in \"doing\"" in str(e):
                continue
            await _close_failed(app, job.id)
            log.info("queue: stalled job %s of %s closed; a waiting twin runs instead",
                     job.id, job.queueing_lock)
            continue
        log.warning("queue: job %s (%s) stalled with its worker; queued again", job.id,
                    job.queueing_lock or job.task_name)
        recovered.append(job.queueing_lock or job.task_name)
    return recovered


async def _close_failed(app: procrastinate.App, job_id: int | None) -> None:
    if job_id is not None:
        await app.connector.execute_query_async(
            "UPDATE procrastinate_jobs SET status = 'failed' WHERE id = %(id)s "
            "AND status = 'doing'", id=job_id)


def queue_rows(conninfo: str) -> dict[str, dict[str, Any]]:
    """Waiting and running jobs by queueing lock (`source:<id>`, `publish`), for `feeds status`:
    {'queued': bool, 'running_on': worker id or '', 'heartbeat': ISO time, 'attempts': n}."""
    import psycopg

    rows: dict[str, dict[str, Any]] = {}
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
        if not conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0]:  # type: ignore[index]
            return rows
        for lock, status, worker, beat, scheduled, attempts in conn.execute(_QUEUE_ROWS):
            row = rows.setdefault(lock, {"queued": False, "queued_for": "", "running_on": "",
                                         "heartbeat": "", "attempts": 0})
            if status == "todo":
                row["queued"] = True
                row["queued_for"] = scheduled.isoformat() if scheduled else ""
            else:
                row["running_on"] = str(worker or "?")
                row["heartbeat"] = beat.isoformat() if beat else ""
            row["attempts"] = max(row["attempts"], attempts)
    return rows
