"""Unattended operation: the nightly crawl, the weekly report and database maintenance on a
schedule (APScheduler 3, Asia/Tokyo), with a persistent job store, locks, retries and a record of
every run. ``scheduler.py`` and ``condo schedule`` are thin layers over this module.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import logging.handlers
import shutil
import sqlite3
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import Engine, select, text, update
from sqlalchemy.engine import make_url

from condo.jobs import JOBS
from db.engine import data_dir, database_url, make_engine, session_scope
from db.locks import DatabaseLocked, database_lock
from db.models import CrawlRun, JobOutcome, JobRun
from db.verdicts import Verdict
from scraper.runner import spider_names

logger = logging.getLogger("condo.scheduler")

DEFAULTS: dict[str, dict[str, Any]] = {
    "scheduler": {
        "timezone": "Asia/Tokyo",
        "misfire_grace_seconds": 6 * 3600,
        "max_retries": 3,
        "retry_backoff_seconds": 600,
        "block_backoff_seconds": 3 * 3600,
        "database_url": "",
    },
    "nightly_crawl": {
        "enabled": True,
        "cron": "30 2 * * *",
        "spiders": spider_names(),
        "wards": "koto,bunkyo,minato",
        "time_limit_seconds": 3 * 3600,
        "base_url": "",
        "settings": {},
    },
    "weekly_report": {"enabled": True, "cron": "0 6 * * mon", "out": "data/reports", "lang": "en", "export": ""},
    "maintenance": {
        "enabled": True,
        "cron": "0 4 * * sun",
        "backups": "data/backups",
        "keep_backups": 8,
        "archive_keep_days": 365,
    },
    # Off until MLIT's API key is in CONDO_MLIT_API_KEY: the last `quarters` quarters, once a month.
    "closed_prices": {
        "enabled": False,
        "cron": "0 5 15 * *",
        "wards": "koto,bunkyo,minato",
        "quarters": 4,
        "base_url": "",
    },
    "alarm": {"urls": [], "stale_after_days": 2},
}


class ConfigError(ValueError):
    """The scheduler configuration is wrong; the message names the key and what is expected."""


_ENGINES: dict[str, Engine] = {}


def dispose_engines() -> None:
    """Close the process's database connections (when the scheduler or a one-off job ends)."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


class JobFailed(RuntimeError):
    """A job ran and failed (its message is recorded in job_runs)."""


class CrawlBlocked(JobFailed):
    """The site blocked the crawl: retried only after ``block_backoff_seconds``, not at once."""


@dataclass
class Config:
    sections: dict[str, dict[str, Any]]
    path: Path | None = None

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.sections[section]

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self["scheduler"]["timezone"])

    @functools.cached_property
    def database_url(self) -> str:
        """Resolved once: the configured URL, else ``DATABASE_URL``, else the default SQLite file."""
        return database_url(self["scheduler"]["database_url"] or None)

    def engine(self) -> Engine:
        """The process's one engine for the configured database: every job the scheduler runs, and the
        job store, share it (configurations are read again for each job; the engine is not).
        :func:`dispose_engines` closes it when the scheduler stops."""
        if self.database_url not in _ENGINES:
            _ENGINES[self.database_url] = make_engine(self.database_url)
        return _ENGINES[self.database_url]

    def trigger(self, job: str) -> CronTrigger:
        return CronTrigger.from_crontab(self[job]["cron"], timezone=self.timezone)


def load_config(path: Path | None) -> Config:
    """Defaults overlaid with a TOML file; unknown keys and wrong types are errors that say what is valid.

    File layout: ``[scheduler]``, ``[jobs.nightly_crawl]``, ``[jobs.weekly_report]``, ``[jobs.maintenance]``.
    """
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise ConfigError(f"{path}: no such configuration file") from error
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from error
    sections = {name: dict(values) for name, values in DEFAULTS.items()}
    given = {
        "scheduler": raw.pop("scheduler", {}),
        "alarm": raw.pop("alarm", {}),
        **{k: v for k, v in raw.pop("jobs", {}).items()},
    }
    if raw:
        raise ConfigError(f"unknown section(s) {sorted(raw)}: expected [scheduler], [alarm] and [jobs.<name>]")
    for section, values in given.items():
        if section not in sections:
            raise ConfigError(f"unknown job {section!r}: jobs are {', '.join(JOBS)}")
        for key, value in values.items():
            if key not in sections[section]:
                raise ConfigError(
                    f"{section}.{key}: unknown key; valid keys are {', '.join(sorted(sections[section]))}"
                )
            expected = type(DEFAULTS[section][key])
            if (expected is int and isinstance(value, bool)) or not isinstance(value, expected):
                raise ConfigError(f"{section}.{key}: expected {expected.__name__}, got {value!r}")
            sections[section][key] = value
    config = Config(sections, path)
    try:
        config.timezone  # noqa: B018 (validates)
    except Exception as error:
        raise ConfigError(f"scheduler.timezone: unknown time zone {sections['scheduler']['timezone']!r}") from error
    for job in JOBS:
        try:
            config.trigger(job)
        except ValueError as error:
            raise ConfigError(f"{job}.cron: {sections[job]['cron']!r} is not a crontab expression ({error})") from error
    for key in ("misfire_grace_seconds", "max_retries", "retry_backoff_seconds", "block_backoff_seconds"):
        if sections["scheduler"][key] < 0:
            raise ConfigError(f"scheduler.{key}: must not be negative")
    if not all(isinstance(url, str) and "://" in url for url in sections["alarm"]["urls"]):
        raise ConfigError("alarm.urls: expected a list of Apprise URLs such as 'mailtos://…' or 'json://host/path'")
    if sections["alarm"]["stale_after_days"] < 1:
        raise ConfigError("alarm.stale_after_days: must be at least 1")
    from scraper.settings_check import check_settings

    try:
        check_settings({str(k): str(v) for k, v in sections["nightly_crawl"]["settings"].items()})
    except ValueError as error:
        raise ConfigError(f"nightly_crawl.settings: {error}") from error
    if sections["weekly_report"]["lang"] not in ("en", "ja"):
        raise ConfigError("weekly_report.lang: expected 'en' or 'ja'")
    wards = [slug.strip() for slug in sections["closed_prices"]["wards"].split(",") if slug.strip()]
    if not wards or any(slug not in ("koto", "bunkyo", "minato") for slug in wards):
        raise ConfigError("closed_prices.wards: expected some of koto, bunkyo, minato (comma-separated)")
    if sections["closed_prices"]["quarters"] < 1:
        raise ConfigError("closed_prices.quarters: must be at least 1")
    unknown = [name for name in sections["nightly_crawl"]["spiders"] if name not in spider_names()]
    if unknown or not sections["nightly_crawl"]["spiders"]:
        raise ConfigError(f"nightly_crawl.spiders: expected some of {', '.join(spider_names())}, got {unknown or '[]'}")
    return config


# --- locks -----------------------------------------------------------------------------------------

Locked = DatabaseLocked
"""Another process holds the lock (the database's own: see db.locks)."""


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


# --- the jobs --------------------------------------------------------------------------------------


def nightly_crawl(config: Config) -> str:
    from condo.crawl import crawl

    job = config["nightly_crawl"]
    settings = {str(k): str(v) for k, v in job["settings"].items()}
    if job["base_url"]:
        settings["SUUMO_BASE_URL"] = job["base_url"]
    result = crawl(config.engine(), job["spiders"], job["wards"], settings, job["time_limit_seconds"])
    verdicts = ", ".join(f"{s.spider} {s.verdict}" for s in result.summaries)
    if not result.ok:
        raise JobFailed(f"a crawl process failed ({verdicts or 'no run recorded'})")
    blocked = [
        run.spider
        for run in result.runs
        if run.stats.get("finish_reason") == "blocked" or (run.stats.get("suumo/blocked") or 0) > 0
    ]
    untrusted = [s for s in result.summaries if s.verdict != Verdict.COMPLETE_HEALTHY]
    if untrusted:
        why = "; ".join(f"{s.spider} {s.verdict}: {s.reasons}" for s in untrusted)
        if blocked:
            raise CrawlBlocked(f"the site blocked {', '.join(blocked)} ({why})")
        raise JobFailed(f"the night cannot be trusted ({why})")
    return verdicts


def weekly_report(config: Config) -> str:
    from reports.weekly import build_report, write_report

    job = config["weekly_report"]
    report = build_report(config.engine(), lang=job["lang"])
    out = Path(job["out"])
    files = write_report(report, out)
    latest = out / "latest"
    if latest.exists():
        shutil.rmtree(latest)
    shutil.copytree(files["html"].parent, latest)
    message = f"report {files['html']} (and {latest})"
    if job["export"]:
        from reports.exports import write_export

        export = write_export(config.engine(), Path(job["export"]))
        message += f"; export {export.folder}"
    return message


def maintenance(config: Config) -> str:
    with database_lock(config.database_url, "crawl"):  # never VACUUM under a running crawl
        message = _maintain(config)
        return message + _prune_archive(config)


def _prune_archive(config: Config) -> str:
    """The page archive's retention rule (scraper.archive.prune), when there is an archive."""
    from condo.crawl import archive_dir, gone_listings
    from scraper.archive.prune import prune

    folder = archive_dir()
    if not folder.is_dir():
        return ""
    keep = config["maintenance"]["archive_keep_days"]
    result = prune(folder, gone_listings(config.engine(), keep))
    return f"; archive: {result.records_dropped} record(s) of listings gone over {keep} days dropped"


def _maintain(config: Config) -> str:
    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        backups = Path(config["maintenance"]["backups"])
        backups.mkdir(parents=True, exist_ok=True)
        target = backups / f"condo-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.sqlite3"
        with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
            live.backup(copy)  # a consistent copy even while WAL writers run
        with sqlite3.connect(source) as live:
            live.execute("VACUUM")
            live.execute("ANALYZE")
        kept = sorted(backups.glob("condo-*.sqlite3"))
        for old in kept[: max(0, len(kept) - config["maintenance"]["keep_backups"])]:
            old.unlink()
        return f"backup {target}; VACUUM and ANALYZE done"
    with config.engine().execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
    return "VACUUM (ANALYZE) done (take PostgreSQL backups with pg_dump or your provider's snapshots)"


def last_quarters(today: dt.date, count: int) -> tuple[str, str]:
    """The first and last of the ``count`` complete quarters before ``today``'s.

    >>> last_quarters(dt.date(2026, 12, 4), 4)
    ('2025Q4', '2026Q3')
    """
    from scraper.closed_prices.client import last_complete_quarter

    last = last_complete_quarter(today)
    index = int(last[:4]) * 4 + int(last[-1]) - 1 - (count - 1)
    return f"{index // 4}Q{index % 4 + 1}", last


def closed_prices(config: Config) -> str:
    """MLIT's closed prices of the last ``quarters`` quarters (a quarter arrives months late, and MLIT
    revises recent ones: importing again adds only what is new)."""
    from db.places.wards import WARDS
    from scraper.closed_prices.client import (
        DEFAULT_BASE_URL,
        Client,
        FetchError,
        api_key,
        fetch,
    )

    job = config["closed_prices"]
    first, last = last_quarters(dt.datetime.now(config.timezone).date(), job["quarters"])
    try:
        cities = [WARDS[slug.strip()].code for slug in job["wards"].split(",") if slug.strip()]
        result = fetch(
            config.engine(),
            Client(api_key(), job["base_url"] or DEFAULT_BASE_URL),
            cities,
            first,
            last,
            data_dir() / "mlit" / "raw",
        )
    except FetchError as error:
        raise JobFailed(str(error)) from error
    return (
        f"closed prices {first}-{last}: {result.imported.added} added, {result.imported.already} already stored, "
        f"{result.empty} quarter(s) without records"
    )


JOB_FUNCTIONS: dict[str, Callable[[Config], str]] = {
    "nightly_crawl": nightly_crawl,
    "weekly_report": weekly_report,
    "maintenance": maintenance,
    "closed_prices": closed_prices,
}

# --- running a job ---------------------------------------------------------------------------------

_scheduler: BaseScheduler | None = None


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
                message = JOB_FUNCTIONS[job](config)
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
        if isinstance(error, CrawlBlocked):
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


# --- the scheduler ---------------------------------------------------------------------------------


@dataclass
class ScheduledJob:
    name: str
    cron: str
    next_run: dt.datetime | None
    enabled: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def configure(scheduler: BaseScheduler, config: Config) -> None:
    """Put the configured jobs into ``scheduler`` (replacing what the job store had for them)."""
    global _scheduler
    _scheduler = scheduler
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
        "jobstores": {"default": SQLAlchemyJobStore(engine=config.engine(), tablename="apscheduler_jobs")},
        "job_defaults": {
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": config["scheduler"]["misfire_grace_seconds"],
        },
    }


def make_scheduler(config: Config) -> BaseScheduler:
    """A BlockingScheduler on the migrated database."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from db.migrate import upgrade

    upgrade(config.engine())
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
