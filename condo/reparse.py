"""``condo reparse``: archived nights crawled again, in order and each at its own time, by today's
spiders, parsers and pipelines, into a database.

Each WARC file of the page archive is one crawl run. The real spider crawls it again, its requests
answered from the file (scraper.middlewares.ArchiveReplayMiddleware: nothing is fetched from the
network, and each page keeps its original URL), with the crawl's own clock pinned to the run's start
(from the file's name) and the database detail policy, so that it asks for what the night's crawl asked
for. Into an empty database this rebuilds the history the live crawls built; a night's verdict,
removals and relistings follow from the same rules. Corrections into a live database (filling what an
old parser missed, marked as corrections) are not built yet: the target must be empty.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select

from archive import read_records
from db.engine import session_scope
from db.migrate import upgrade
from db.models import CrawlRun
from scraper.runner import SpiderRun, run_spider_process

_FILE = re.compile(r"(?P<spider>[a-z_]+)-(?P<stamp>\d{8}T\d{6}Z)-\d+\.warc\.gz")
_WARD = re.compile(r"/sc_([a-z]+)/")


class ReparseError(ValueError):
    """The archive or the target cannot be re-parsed: the message says why."""


@dataclass(frozen=True)
class ArchivedRun:
    path: Path
    spider: str
    started: dt.datetime


def archived_runs(folder: Path, first: dt.date | None = None, last: dt.date | None = None) -> list[ArchivedRun]:
    """The archive's runs in the order they ran (optionally those started between two UTC dates)."""
    runs = []
    for path in sorted(folder.glob("*.warc.gz")):
        match = _FILE.fullmatch(path.name)
        if match is None:
            continue
        started = dt.datetime.strptime(match.group("stamp"), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        if (first and started.date() < first) or (last and started.date() > last):
            continue
        runs.append(ArchivedRun(path, match.group("spider"), started))
    return sorted(runs, key=lambda run: run.started)


def reparse(
    engine: Engine,
    folder: Path,
    log_dir: Path,
    first: dt.date | None = None,
    last: dt.date | None = None,
    on_run: Callable[[ArchivedRun, SpiderRun], None] | None = None,
) -> list[SpiderRun]:
    """Crawl every archived run of ``folder`` again into ``engine``'s database, which must hold none."""
    runs = archived_runs(folder, first, last)
    if not runs:
        raise ReparseError(f"no WARC file of the page archive in {folder}")
    upgrade(engine)
    with session_scope(engine) as session:
        if session.scalar(select(func.count()).select_from(CrawlRun)):
            raise ReparseError(
                "the target database already holds crawl runs: re-parse into an empty database (corrections "
                "into a live database are not built yet)"
            )
    url = engine.url.render_as_string(hide_password=False)
    log_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for index, run in enumerate(runs):
        earlier = [r.path for r in runs[:index] if r.spider == run.spider]
        urls = [record.url for record in read_records([run.path], resolve=False)]
        wards = sorted({m.group(1) for url_ in urls for m in _WARD.finditer(url_)})
        base = next((u.split("/ms/", 1)[0] for u in urls if "/ms/" in u), "https://suumo.jp")
        result = run_spider_process(
            run.spider,
            wards=",".join(wards) or None,
            settings={
                "SUUMO_BASE_URL": base,
                "SUUMO_DETAIL_POLICY": "scraper.detail_policy.DatabaseDetailPolicy",
                "CONDO_ARCHIVE_DIR": "",
                "CONDO_REPLAY_WARC": os.pathsep.join(str(path) for path in [run.path, *earlier]),
                "DOWNLOAD_DELAY": "0",
                "AUTOTHROTTLE_ENABLED": "False",
                "CONCURRENT_REQUESTS": "4",
                "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
            },
            time_limit=3600,
            log_path=log_dir / f"reparse-{run.path.stem}.log",
            env={"DATABASE_URL": url, "CONDO_NOW": run.started.isoformat()},
        )
        done.append(result)
        if on_run:
            on_run(run, result)
    return done
