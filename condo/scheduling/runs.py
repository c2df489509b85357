"""Running a job: under its lock, recorded in ``job_runs`` from start to outcome, retried with back-off
when it fails, and the alarm told what needs attention."""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
from pathlib import Path
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import select, update

from condo.scheduling import jobs
from condo.scheduling.config import Config, load_config
from db.engine import session_scope
from db.locks import DatabaseLocked, database_lock
from db.models import CrawlRun, JobOutcome, JobRun

logger = logging.getLogger("condo.scheduler")

Locked = DatabaseLocked
"""Another process holds the lock (the database's own: see db.locks)."""

_scheduler: BaseScheduler | None = None
"""The running scheduler (set by :func:`attach`), which a failed job's retry is added to."""


def attach(scheduler: BaseScheduler | None) -> None:
    """Retries of failed jobs go to ``scheduler`` (None: a job run by hand is not retried)."""
    global _scheduler
    _scheduler = scheduler


def mark_stale_jobs(config: Config, job: str, now: dt.datetime | None = None) -> int:
    """Mark ``interrupted`` the rows of ``job`` left ``running`` by a process that died (killed, the
    machine rebooted). Call it only while holding the job's lock: then nothing else runs the job."""
    with session_scope(config.engine()) as session:
        result = session.execute(
            update(JobRun)
            .where(JobRun.job == job, JobRun.outcome == JobOutcome.RUNNING)
            .values(
                outcome=JobOutcome.INTERRUPTED,
                finished_at=now or dt.datetime.now(dt.UTC),
                error="the process running it ended without recording an outcome (killed or the machine stopped)",
            )
        )
        count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        logger.warning("Job %s: %d run(s) left running by a dead process marked interrupted", job, count)
    return count


def _record(config: Config, **values: Any) -> int:
    with session_scope(config.engine()) as session:
        run_id = values.pop("run_id", None)
        row = session.get(JobRun, run_id) if run_id else None
        if row is None:
            row = JobRun(**values)
            session.add(row)
        else:
            for key, value in values.items():
                setattr(row, key, value)
        session.flush()
        return row.id


def run_job(job: str, config_path: str | None = None, attempt: int = 1, scheduled_for: str | None = None) -> str:
    """Run one job now, under its lock, and record it. On failure, schedule a retry with back-off
    (when a scheduler is running) up to ``max_retries`` times, then record it failed."""
    config = load_config(Path(config_path) if config_path else None)
    now = dt.datetime.now(dt.UTC)
    planned = dt.datetime.fromisoformat(scheduled_for) if scheduled_for else None
    try:
        with database_lock(config.database_url, f"job-{job}"):
            mark_stale_jobs(config, job, now)
            run_id = _record(
                config, job=job, attempt=attempt, scheduled_for=planned, started_at=now, outcome=JobOutcome.RUNNING
            )
            try:
                message = jobs.JOB_FUNCTIONS[job](config)
            except Exception as error:
                outcome = _failed(config, job, config_path, attempt, run_id, error)
                raise_alarm(config, job, now, f"{outcome} (attempt {attempt}): {type(error).__name__}: {error}")
                return outcome
            except BaseException:
                _record(config, run_id=run_id, finished_at=dt.datetime.now(dt.UTC), outcome=JobOutcome.INTERRUPTED)
                raise
            _record(
                config, run_id=run_id, finished_at=dt.datetime.now(dt.UTC), outcome=JobOutcome.SUCCESS, error=message
            )
            logger.info("Job %s (attempt %d) succeeded: %s", job, attempt, message)
            raise_alarm(config, job, now, None)
            return JobOutcome.SUCCESS
    except Locked as error:
        _record(
            config,
            job=job,
            attempt=attempt,
            scheduled_for=planned,
            started_at=now,
            finished_at=now,
            outcome=JobOutcome.SKIPPED_LOCKED,
            error=str(error),
        )
        logger.warning("Job %s not run: %s", job, error)
        return JobOutcome.SKIPPED_LOCKED


def raise_alarm(config: Config, job: str, started: dt.datetime, failure: str | None) -> bool:
    """After a job: tell the alarm URLs what needs attention (a failed job; after a crawl, its untrusted
    wards, held removals and spiders with no trusted crawl for ``alarm.stale_after_days``). Never raises."""
    from condo.alarm.attention import Attention, night_attention, standing_attention
    from condo.alarm.notify import alarm_urls, send

    try:
        items: list[Attention] = []
        if failure:
            items.append(Attention(failure, f"job {job}", "data/logs/scheduler.log and the crawl logs"))
        if job == "nightly_crawl":
            with session_scope(config.engine()) as session:
                run_ids = list(session.scalars(select(CrawlRun.id).where(CrawlRun.started_at >= started)))
                items += night_attention(session, run_ids)
                stale = dt.timedelta(days=config["alarm"]["stale_after_days"])
                items += [a for a in standing_attention(session, dt.datetime.now(dt.UTC), stale) if a.kind == "stale"]
        urls = alarm_urls(config["alarm"]["urls"])
        if items and not urls:
            logger.warning("Needs attention, but no alarm URL is configured: %s", "; ".join(a.line() for a in items))
        return send(urls, f"{job} at {dt.datetime.now(config.timezone):%Y-%m-%d %H:%M %Z}", items)
    except Exception:
        logger.exception("The alarm itself failed")
        return False


def _failed(config: Config, job: str, config_path: str | None, attempt: int, run_id: int, error: Exception) -> str:
    settings = config["scheduler"]
    retry = attempt <= settings["max_retries"] and _scheduler is not None and _scheduler.running
    _record(
        config,
        run_id=run_id,
        finished_at=dt.datetime.now(dt.UTC),
        outcome=JobOutcome.RETRYING if retry else JobOutcome.FAILED,
        error=f"{type(error).__name__}: {error}",
    )
    if retry and _scheduler is not None:
        if isinstance(error, jobs.CrawlBlocked):
            delay = settings["block_backoff_seconds"]  # asking again at once only prolongs a block
        else:
            delay = settings["retry_backoff_seconds"] * 2 ** (attempt - 1)
        when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay)
        _scheduler.add_job(
            run_job,
            DateTrigger(run_date=when),
            args=[job, config_path, attempt + 1],
            id=f"{job}-retry-{attempt + 1}",
            replace_existing=True,
            misfire_grace_time=None,
        )
        logger.error("Job %s failed (attempt %d): %s; retry in %d s", job, attempt, error, delay)
        return JobOutcome.RETRYING
    logger.error("Job %s failed (attempt %d, no more retries): %s", job, attempt, error)
    return JobOutcome.FAILED


def _scheduled(job: str, config_path: str | None) -> str:
    """The entry point the job store keeps (a module-level function and plain arguments)."""
    return run_job(job, config_path)
