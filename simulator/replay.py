"""Replay the simulated market night by night through the real spiders into a database.

The library behind ``condo demo`` and the ground-truth tests: a simulated SUUMO on 127.0.0.1, one
real ``suumo_chuko`` crawl per simulated night (in its own process, its clock pinned to that night at
02:30 JST), the real pipelines and database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.summary import RunSummary, run_summary
from scraper.runner import SpiderRun, run_spider_process
from simulator.market import Market
from simulator.site import SimulatedSuumo, serve

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
    summary: RunSummary | None


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
) -> list[Night]:
    """Crawl the simulated site once per simulated day in ``nights`` into ``database_url``."""
    engine = make_engine(database_url)
    upgrade(engine)
    log_dir.mkdir(parents=True, exist_ok=True)
    site = SimulatedSuumo(market)
    done: list[Night] = []
    with serve(site) as base_url:
        for day in nights:
            site.day = day
            site.faults = set((faults or {}).get(day, set()))
            run = run_spider_process(
                "suumo_chuko",
                settings={
                    **REPLAY_SETTINGS,
                    "SUUMO_BASE_URL": base_url,
                    "CONDO_DATABASE_URL": database_url,
                    "SUUMO_DETAIL_POLICY": "db.policy.DatabaseDetailPolicy",
                    **(settings or {}),
                },
                time_limit=600,
                log_path=log_dir / f"night-{day:03d}-{market.date(day).isoformat()}.log",
                env={"CONDO_NOW": crawl_time(market, day).isoformat()},
            )
            summary = None
            if run.run_id is not None:
                with session_scope(engine) as session:
                    summary = run_summary(session, run.run_id)
            night = Night(day, market.date(day), frozenset(site.faults), run, summary)
            done.append(night)
            if on_night:
                on_night(night)
    engine.dispose()
    return done
