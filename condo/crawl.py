"""``condo crawl``: every spider in its own process into the database, with progress and a summary."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from db.engine import data_dir, session_scope
from db.locks import database_lock
from db.migrate import upgrade
from db.summary import RunSummary, run_summary
from scraper.runner import Progress, SpiderRun, run_spider_process
from scraper.settings_check import check_settings


@dataclass
class CrawlResult:
    runs: list[SpiderRun]
    summaries: list[RunSummary]

    @property
    def ok(self) -> bool:
        return all(run.returncode == 0 and not run.killed_after_time_limit for run in self.runs)


def archive_dir() -> Path:
    """Where ``condo crawl`` keeps the pages (``CONDO_ARCHIVE_DIR``, else ``<data>/archive``), absolute:
    the spider process runs in the project's folder."""
    chosen = os.environ.get("CONDO_ARCHIVE_DIR") or str(data_dir() / "archive")
    return Path(chosen).resolve()


def gone_listings(engine: Engine, older_than_days: int, now: dt.datetime | None = None) -> set[str]:
    """Site ids of the listings removed or ended more than ``older_than_days`` ago (the archive's
    retention rule drops their detail pages)."""
    from sqlalchemy import text

    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=older_than_days)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT source_listing_id, removed_at FROM v_listings WHERE status = 'removed'")
        ).all()
    out = set()
    for listing_id, removed_at in rows:
        moment = dt.datetime.fromisoformat(str(removed_at)) if removed_at is not None else None
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        if moment is not None and moment < cutoff:
            out.add(str(listing_id))
    return out


def crawl(
    engine: Engine,
    spiders: Sequence[str],
    wards: str | None = None,
    settings: Mapping[str, str] | None = None,
    time_limit: float | None = None,
    on_progress: Callable[[str, Progress], None] | None = None,
) -> CrawlResult:
    """Migrate the database, then run each spider in turn into it (each in its own process, which gets
    the URL through its environment), holding the database's crawl lock (db.locks): a second crawl or
    maintenance of the same database raises :class:`db.locks.DatabaseLocked`, naming the holder. The
    engine is the caller's. A bad setting raises ValueError (one line naming it) before anything runs."""
    check_settings(settings or {})
    database_url = engine.url.render_as_string(hide_password=False)
    with database_lock(database_url, "crawl"):
        return _crawl(engine, database_url, spiders, wards, settings, time_limit, on_progress)


def _crawl(
    engine: Engine,
    database_url: str,
    spiders: Sequence[str],
    wards: str | None,
    settings: Mapping[str, str] | None,
    time_limit: float | None,
    on_progress: Callable[[str, Progress], None] | None,
) -> CrawlResult:
    upgrade(engine)
    logs = data_dir() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    runs, summaries = [], []
    for spider in spiders:
        run = run_spider_process(
            spider,
            wards=wards,
            settings={
                "SUUMO_DETAIL_POLICY": "scraper.detail_policy.DatabaseDetailPolicy",
                **(settings or {}),
            },
            time_limit=time_limit,
            log_path=logs / f"{stamp}-{spider}.log",
            on_progress=functools.partial(on_progress, spider) if on_progress else None,
            env={"DATABASE_URL": database_url, "CONDO_ARCHIVE_DIR": str(archive_dir())},
        )
        runs.append(run)
        if run.run_id is not None:
            with session_scope(engine) as session:
                summary = run_summary(session, run.run_id)
            if summary:
                summaries.append(summary)
    return CrawlResult(runs, summaries)
