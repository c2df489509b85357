"""The jobs the scheduler runs, each a function of the configuration that returns a line for the record
(or raises :class:`JobFailed`)."""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from condo.scheduling.config import Config
from db.engine import data_dir
from db.locks import database_lock
from db.verdicts import Verdict

logger = logging.getLogger("condo.scheduler")


class JobFailed(RuntimeError):
    """A job ran and failed (its message is recorded in job_runs)."""


class CrawlBlocked(JobFailed):
    """The site blocked the crawl: retried only after ``block_backoff_seconds``, not at once."""


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
