"""``condo status``: what ran, what failed, what runs next, and what a person should act on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import inspect

from condo.alarm.attention import Attention, standing_attention
from condo.crawl import archive_dir
from condo.scheduling.config import Config
from condo.scheduling.serving import planned_jobs
from db.engine import NoDatabaseError, make_engine, session_scope
from scraper.archive.warc import archive_size
from scraper.runner import spider_names


@dataclass
class Status:
    jobs: list[tuple[str, str, str, str]] = field(default_factory=list)  # job, last start, outcome, detail
    spiders: list[tuple[str, str, str, str]] = field(default_factory=list)  # spider, last start, verdict, coverage
    upcoming: list[tuple[str, str]] = field(default_factory=list)  # job, next run
    warnings: list[str] = field(default_factory=list)
    attention: list[Attention] = field(default_factory=list)
    """What the alarm would report now (condo.alarm.attention)."""
    archive: tuple[str, int, int] | None = None
    """The page archive: folder, WARC files, bytes (None when it has none yet)."""

    @property
    def needs_attention(self) -> bool:
        return bool(self.warnings)


def collect_status(config: Config, now: dt.datetime | None = None) -> Status:
    now = now or dt.datetime.now(dt.UTC)
    status = Status()
    folder = archive_dir()
    files, size = archive_size(folder)
    if files:
        status.archive = (str(folder), files, size)
    for job in planned_jobs(config, now.astimezone(config.timezone)):
        status.upcoming.append((job.name, job.next_run.isoformat() if job.next_run else "disabled"))
    try:
        engine = make_engine(config.database_url, must_exist=True)
    except NoDatabaseError as error:
        status.warnings.append(f"The database is missing: {error}.")
        return status
    tables = set(inspect(engine).get_table_names())
    if "crawl_runs" not in tables:
        status.warnings.append("The database has no tables yet: run `condo db upgrade`.")
        engine.dispose()
        return status
    try:
        with engine.connect() as connection:
            runs = pd.read_sql("SELECT * FROM v_crawl_runs ORDER BY run_id", connection)
            has_jobs = "job_runs" in tables
            jobs = pd.read_sql("SELECT * FROM job_runs ORDER BY id", connection) if has_jobs else pd.DataFrame()
        with session_scope(engine) as session:
            stale = dt.timedelta(days=config["alarm"]["stale_after_days"])
            status.attention = standing_attention(session, now, stale)
    finally:
        engine.dispose()
    for name, rows in jobs.groupby("job") if not jobs.empty else []:
        last = rows.iloc[-1]
        status.jobs.append((str(name), str(last["started_at"]), str(last["outcome"]), str(last["error"] or "")))
    status.warnings += [item.line() for item in status.attention]
    for spider in spider_names():
        mine = runs[runs["spider"] == spider]
        if mine.empty:
            status.warnings.append(f"{spider} has never run.")
            continue
        last = mine.iloc[-1]
        coverage = f"{last['coverage']:.1%}" if pd.notna(last["coverage"]) else "n/a"
        status.spiders.append((spider, str(last["started_at"]), str(last["verdict"]), coverage))
        if (last["blocked"] or 0) > 0:
            status.warnings.append(f"The last {spider} crawl met {int(last['blocked'])} blocked response(s).")
        previous = mine["coverage"].dropna().iloc[-8:-1]
        if pd.notna(last["coverage"]) and len(previous) and last["coverage"] < previous.median() - 0.05:
            status.warnings.append(
                f"{spider} coverage fell to {last['coverage']:.1%}"
                f" (median of the previous runs {previous.median():.1%})."
            )
    return status


def status_lines(status: Status) -> list[str]:
    lines = ["Jobs (last run):"]
    lines += [f"  {job:15} {start}  {outcome}  {detail}" for job, start, outcome, detail in status.jobs] or [
        "  none yet"
    ]
    lines += ["Crawls (last run per spider):"]
    lines += [
        f"  {spider:16} {start}  {verdict}  coverage {coverage}" for spider, start, verdict, coverage in status.spiders
    ] or ["  none yet"]
    lines += ["Next runs:"] + [f"  {job:15} {when}" for job, when in status.upcoming]
    if status.archive:
        folder, files, size = status.archive
        lines += ["Page archive:", f"  {folder}: {files} WARC file(s), {size / 1e6:,.1f} MB"]
    lines += ["Warnings:"] + ([f"  ! {w}" for w in status.warnings] or ["  none"])
    return lines
