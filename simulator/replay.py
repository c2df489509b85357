"""Replay the simulated market night by night through the real spiders into a database.

The library behind ``condo demo`` and the ground-truth tests: a simulated SUUMO on 127.0.0.1, one
real ``suumo_chuko`` crawl per simulated night (its clock pinned to that night at 02:30 JST; with
``new_condos``, a ``suumo_shinchiku`` crawl of the simulated projects after it), the real pipelines and
database. The crawls run one after another in one long-lived process (scraper.crawl_session), each with
its own environment, settings and log.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.summary import RunSummary, run_summary
from scraper.crawl_session import CrawlSession
from scraper.runner import SpiderRun, run_spider_process
from simulator.market import Market
from simulator.site import FAULTS, SITE_FAULTS, SimulatedSuumo, serve

JST = dt.timezone(dt.timedelta(hours=9))
REPLAY_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "4",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
    "RETRY_BACKOFF_MAX_DELAY": "0.5",
    "LOG_LEVEL": "INFO",
}
"""The simulated site is local: no politeness delay is needed (the real site gets the defaults)."""


@dataclass
class Night:
    day: int
    date: dt.date
    faults: frozenset[str]
    run: SpiderRun
    """The night's (last) crawl."""
    summary: RunSummary | None
    runs: list[SpiderRun] = field(default_factory=list)
    """Every crawl of the night (two with ``rerun-same-night``)."""
    requests: int = 0
    """Requests the site answered that night."""
    new_condo_run: SpiderRun | None = None
    """The night's ``suumo_shinchiku`` crawl, when the replay crawls new condos."""

    @property
    def run_ids(self) -> list[int]:
        return [run.run_id for run in self.runs if run.run_id is not None]


WRITE_LOCK_HOLD_SECONDS = 1.5
WRITE_LOCK_BUSY_TIMEOUT_MS = 300
"""The write-lock drill: another connection holds the write lock for 1.5 s, twice, while the crawl's
SQLite connections wait at most 0.3 s for it (a crawl's own default is 30 s; see db.engine)."""


@contextmanager
def write_lock_holder(database_url: str, site: SimulatedSuumo, holds: int = 2) -> Iterator[None]:
    """Hold the SQLite database's write lock past the crawl's busy timeout, ``holds`` times, once the
    crawl has started requesting pages (another process writing: a backup, a second crawl, a notebook)."""
    path = make_url(database_url).database
    if not path:
        raise ValueError("the write-lock drill needs a SQLite database file")
    stop = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            for index in range(holds):
                while site.night_requests < 2 + 6 * index and not stop.is_set():
                    time.sleep(0.02)
                if stop.is_set():
                    return
                connection.execute("BEGIN IMMEDIATE")
                stop.wait(WRITE_LOCK_HOLD_SECONDS)
                connection.execute("COMMIT")
        finally:
            connection.close()

    thread = threading.Thread(target=hold, name="write-lock drill", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def crawl_time(market: Market, day: int) -> dt.datetime:
    """A night's crawl starts at 02:30 JST on the simulated date."""
    return dt.datetime.combine(market.date(day), dt.time(2, 30), tzinfo=JST).astimezone(dt.UTC)


def replay(
    market: Market,
    database_url: str,
    nights: range,
    log_dir: Path,
    faults: Mapping[int, set[str]] | None = None,
    settings: Mapping[str, str] | None = None,
    on_night: Callable[[Night], None] | None = None,
    new_condos: bool = False,
) -> list[Night]:
    """Crawl the simulated site once per simulated day in ``nights`` into ``database_url``; with
    ``new_condos``, the new-condo spider crawls the simulated projects after the used-condo crawl."""
    engine = make_engine(database_url)
    upgrade(engine)
    log_dir.mkdir(parents=True, exist_ok=True)
    site = SimulatedSuumo(market)
    done: list[Night] = []
    with serve(site) as base_url, CrawlSession() as crawls:
        for day in nights:
            night_faults = set((faults or {}).get(day, set()))
            unknown = night_faults - set(FAULTS)
            if unknown:
                raise ValueError(f"unknown fault(s) {sorted(unknown)}; known: {', '.join(FAULTS)}")
            site.start_night(day, night_faults & set(SITE_FAULTS))
            runs = []
            night_settings = {
                **REPLAY_SETTINGS,
                "SUUMO_BASE_URL": base_url,
                "SUUMO_DETAIL_POLICY": "scraper.detail_policy.DatabaseDetailPolicy",
                **(settings or {}),
            }
            env = {"DATABASE_URL": database_url}
            if {"timeouts", "packet-drop"} & night_faults:
                # The site hangs for ``timeout_seconds`` (3 s): the crawler must give up before it does.
                night_settings.setdefault("DOWNLOAD_TIMEOUT", "1.5")
            if "write-lock" in night_faults:
                night_settings["CONDO_BATCH_SIZE"] = "10"
                env["CONDO_SQLITE_BUSY_TIMEOUT_MS"] = str(WRITE_LOCK_BUSY_TIMEOUT_MS)
            for attempt in range(2 if "rerun-same-night" in night_faults else 1):
                started = crawl_time(market, day) + dt.timedelta(hours=attempt)
                suffix = f"-rerun{attempt}" if attempt else ""
                with ExitStack() as stack:
                    if "write-lock" in night_faults:
                        stack.enter_context(write_lock_holder(database_url, site))
                    runs.append(
                        run_spider_process(
                            "suumo_chuko",
                            settings=night_settings,
                            time_limit=600,
                            log_path=log_dir / f"night-{day:03d}-{market.date(day).isoformat()}{suffix}.log",
                            env={**env, "CONDO_NOW": started.isoformat()},
                            session=crawls,
                        )
                    )
            new_condo_run = None
            if new_condos:
                started = crawl_time(market, day) + dt.timedelta(minutes=30)
                new_condo_run = run_spider_process(
                    "suumo_shinchiku",
                    settings=night_settings,
                    time_limit=600,
                    log_path=log_dir / f"night-{day:03d}-{market.date(day).isoformat()}-shinchiku.log",
                    env={**env, "CONDO_NOW": started.isoformat()},
                    session=crawls,
                )
            run = runs[-1]
            summary = None
            if run.run_id is not None:
                with session_scope(engine) as session:
                    summary = run_summary(session, run.run_id)
            night = Night(
                day,
                market.date(day),
                frozenset(night_faults),
                run,
                summary,
                runs,
                requests=site.night_requests,
                new_condo_run=new_condo_run,
            )
            done.append(night)
            if on_night:
                on_night(night)
    engine.dispose()
    return done
