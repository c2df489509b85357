"""The scheduler itself: the configured jobs on their cron triggers in a persistent job store, logging,
and serving in the foreground until SIGTERM or SIGINT."""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import Engine, text

from condo.jobs import JOBS
from condo.scheduling.config import Config, dispose_engines
from condo.scheduling.runs import _scheduled, attach, mark_stale_jobs
from db.engine import data_dir
from db.locks import DatabaseLocked, database_lock

logger = logging.getLogger("condo.scheduler")


@dataclass
class ScheduledJob:
    name: str
    cron: str
    next_run: dt.datetime | None
    enabled: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def configure(scheduler: BaseScheduler, config: Config) -> None:
    """Put the configured jobs into ``scheduler`` (replacing what the job store had for them)."""
    attach(scheduler)
    path = str(config.path) if config.path else None
    for job in JOBS:
        if not config[job]["enabled"]:
            if scheduler.get_job(job):
                scheduler.remove_job(job)
            continue
        scheduler.add_job(
            _scheduled,
            config.trigger(job),
            args=[job, path],
            id=job,
            name=job,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=config["scheduler"]["misfire_grace_seconds"],
        )


def scheduler_options(config: Config) -> dict[str, Any]:
    """Time zone, the persistent job store in the project's database, and the job defaults."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    return {
        "timezone": config.timezone,
        "jobstores": {"default": SQLAlchemyJobStore(engine=config.engine(), tablename=JOB_TABLE)},
        "job_defaults": {
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": config["scheduler"]["misfire_grace_seconds"],
        },
    }


MOVED_REFERENCES = {
    "condo.scheduling:_scheduled": "condo.scheduling.runs:_scheduled",
    "condo.scheduling:run_job": "condo.scheduling.runs:run_job",
}
"""Functions the job store may name by where they used to be (``condo/scheduling.py`` before it was split)
→ where they are. APScheduler drops a saved job whose function it cannot import: a pending retry would
be lost."""
JOB_TABLE = "apscheduler_jobs"


def migrate_job_references(engine: Engine) -> int:
    """Rewrite the saved jobs that name a moved function (MOVED_REFERENCES) to name it where it is now;
    the number rewritten. A job store not yet created has nothing to rewrite."""
    import pickle

    from sqlalchemy import inspect

    if not inspect(engine).has_table(JOB_TABLE):
        return 0
    moved = 0
    with engine.begin() as connection:
        rows = connection.execute(text(f"SELECT id, job_state FROM {JOB_TABLE}")).all()
        for job_id, blob in rows:
            state = pickle.loads(blob)
            if state.get("func") not in MOVED_REFERENCES:
                continue
            state["func"] = MOVED_REFERENCES[state["func"]]
            connection.execute(
                text(f"UPDATE {JOB_TABLE} SET job_state = :state WHERE id = :id"),
                {"state": pickle.dumps(state, pickle.HIGHEST_PROTOCOL), "id": job_id},
            )
            moved += 1
    if moved:
        logger.info("Job store: %d saved job(s) now name their function where it moved", moved)
    return moved


def make_scheduler(config: Config) -> BaseScheduler:
    """A BlockingScheduler on the migrated database (its saved jobs' references migrated too)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from db.migrate import upgrade

    upgrade(config.engine())
    migrate_job_references(config.engine())
    return BlockingScheduler(**scheduler_options(config))


def planned_jobs(config: Config, now: dt.datetime | None = None) -> list[ScheduledJob]:
    """Each job with its next run time after ``now`` (from the configuration, no scheduler needed)."""
    now = now or dt.datetime.now(config.timezone)
    return [
        ScheduledJob(
            job,
            config[job]["cron"],
            config.trigger(job).get_next_fire_time(None, now) if config[job]["enabled"] else None,
            config[job]["enabled"],
        )
        for job in JOBS
    ]


def setup_logging(level: int = logging.INFO) -> Path:
    """Console and a rotating file (``<data>/logs/scheduler.log``, 5 × 5 MB)."""
    folder = data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scheduler.log"
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    rotating = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
    console = logging.StreamHandler()
    for handler in (rotating, console):
        handler.setFormatter(formatter)
    root = logging.getLogger()
    root.setLevel(level)
    root.handlers = [rotating, console]
    return path


def serve(config: Config) -> None:
    """Run the scheduler in the foreground until SIGTERM/SIGINT (a running job is let finish)."""
    import signal

    with database_lock(config.database_url, "scheduler"):
        scheduler = make_scheduler(config)
        configure(scheduler, config)
        for name in JOBS:
            try:
                with database_lock(config.database_url, f"job-{name}"):
                    mark_stale_jobs(config, name)
            except DatabaseLocked as error:
                logger.warning("Job %s is running elsewhere: %s", name, error)

        def stop(signum: int, frame: object) -> None:
            logger.info("Signal %d: stopping after the running job, if any", signum)
            scheduler.shutdown(wait=True)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for job in planned_jobs(config):
            logger.info("Job %s (%s): next run %s", job.name, job.cron, job.next_run)
        try:
            scheduler.start()
        finally:
            dispose_engines()
        logger.info("Scheduler stopped")
