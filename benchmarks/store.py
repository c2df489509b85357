"""Benchmark 2, store: listing observations per second through the real item pipelines into a database.

Work: the crawl's own pipelines in order (clean 200, validate 300, dedupe 400, persist 800 with its
batches, run bookkeeping, verdict and removal rules) on the items one simulated night yields, into
SQLite and PostgreSQL. Two nights: a *first night* (every listing new: a list card and a detail page
each) and a *steady-state night* (the next night: every listing seen again, most prices unchanged, new
and repriced listings with a detail page). Floor: a plain ``executemany`` INSERT of the same rows (one
row of the same columns per observation) into a table of the same engine, in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, make_url, text

from benchmarks.harness import interleaved, peak_memory, profile, ratio, timed
from db.engine import make_engine
from db.migrate import upgrade
from scraper import settings
from scraper.extensions import CrawlRunRecorder
from scraper.items import ListingItem
from scraper.pipelines import CleanItemPipeline, DedupeItemPipeline, PersistItemPipeline, ValidateItemPipeline
from scraper.spiders.suumo_chuko import SuumoChukoSpider
from scraper.statkeys import DB_COUNTS, DB_VERDICT, db_count
from simulator.load import night_items, night_stats
from simulator.market import Market, MarketConfig, build_market
from simulator.replay import crawl_time

TARGET = 1 / 3
"""Pipeline rate ≥ 1/3 of the plain insert's rate."""

ITEM_FIELDS = [f.name for f in dataclasses.fields(ListingItem)]


def _market(scale: float, days: int, seed: int) -> Market:
    base = MarketConfig()
    return build_market(
        dataclasses.replace(
            base,
            seed=seed,
            days=days,
            arrivals_per_day={ward: rate * scale for ward, rate in base.arrivals_per_day.items()},
            buildings_per_ward=max(base.buildings_per_ward, round(base.buildings_per_ward * scale)),
        )
    )


def market_for(live: int, days: int, seed: int = 20260901) -> Market:
    """A simulated market with about ``live`` listings on the site on its last night (of ``days``).

    The number on the site grows with the arrival rate and, as returns pile up, with the length of the
    history: the arrival rate is calibrated on a market a tenth the size over the same nights.
    """
    probe_scale = max(live / 50_000, 0.2)
    probe = _market(probe_scale, days, seed)
    on_site = max(len(probe.active(days - 1)), 1)
    return _market(probe_scale * live / on_site, days, seed)


def run_pipelines(url: str, market: Market, day: int, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Push ``items`` through the real pipelines as one crawl run of ``day``; return the run's counts."""
    import os

    os.environ["CONDO_NOW"] = crawl_time(market, day).isoformat()
    try:
        project = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
        crawler = get_crawler(SuumoChukoSpider, project | {"DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
        spider = SuumoChukoSpider.from_crawler(crawler)
        crawler.spider = spider
        assert crawler.stats is not None
        crawler.stats.open_spider()
        pipelines: list[Any] = [
            CleanItemPipeline.from_crawler(crawler),
            ValidateItemPipeline.from_crawler(crawler),
            DedupeItemPipeline.from_crawler(crawler),
        ]
        recorder = CrawlRunRecorder.from_crawler(crawler)
        recorder.spider_opened(spider)
        persist = PersistItemPipeline.from_crawler(crawler)
        for values in items:
            item: Any = ListingItem(**values)
            for pipeline in pipelines:
                item = pipeline.process_item(item)
            persist.process_item(item)
        persist.close_spider(spider)
        for key, value in night_stats(market, day).items():
            crawler.stats.set_value(key, value)
        recorder.spider_closed(spider, "finished")
        names = (*DB_COUNTS, "ended")
        return {name: crawler.stats.get_value(db_count(name), 0) for name in names} | {
            "verdict": crawler.stats.get_value(DB_VERDICT)
        }
    finally:
        os.environ.pop("CONDO_NOW", None)


def _floor_table(engine: Engine) -> None:
    columns = ", ".join(f"{name} TEXT" for name in ITEM_FIELDS)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS bench_floor"))
        connection.execute(text(f"CREATE TABLE bench_floor ({columns})"))


def _row(values: dict[str, Any]) -> tuple[Any, ...]:
    out = []
    for name in ITEM_FIELDS:
        value = values.get(name)
        out.append(value.isoformat() if isinstance(value, dt.datetime) else value)
    return tuple(out)


def plain_insert(engine: Engine, items: list[dict[str, Any]]) -> None:
    """The floor: one executemany of the observations' rows, one transaction."""
    rows = [_row(values) for values in items]
    mark = "%s" if engine.dialect.name == "postgresql" else "?"
    sql = f"INSERT INTO bench_floor ({', '.join(ITEM_FIELDS)}) VALUES ({', '.join([mark] * len(ITEM_FIELDS))})"
    with engine.begin() as connection:
        connection.exec_driver_sql(sql, rows)


@dataclass
class Databases:
    """Where the benchmark gets its databases: a new empty one, or a new copy of another."""

    new: Callable[[], str]
    copy: Callable[[str], str]


def _fresh(databases: Databases) -> str:
    url = databases.new()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def measure(databases: Databases, live: int, repeats: int = 3, profile_if_missed: bool = True) -> dict[str, Any]:
    """Both nights, each run on a database of its own: a migrated empty one for the first night, a copy
    of one that holds the first night for the steady-state night."""
    market = market_for(live, days=3)
    first_items, steady_items = night_items(market, 0), night_items(market, 1)
    after_first = _fresh(databases)
    run_pipelines(after_first, market, 0, first_items)
    out: dict[str, Any] = {"live_listings": len(market.active(1))}
    for name, items, prepare in (
        ("first_night", first_items, lambda: _fresh(databases)),
        ("steady_state_night", steady_items, lambda: databases.copy(after_first)),
    ):
        urls: list[str] = []

        def setup(prepare: Callable[[], str] = prepare, urls: list[str] = urls) -> None:
            urls.append(prepare())

        counts: dict[str, Any] = {}

        def work(items: list[dict[str, Any]] = items, urls: list[str] = urls, counts: dict[str, Any] = counts) -> None:
            counts.update(run_pipelines(urls[-1], market, 1 if items is steady_items else 0, items))

        floor_engine = make_engine(_fresh(databases))
        floor = partial(plain_insert, floor_engine, items)
        floor_setup = partial(_floor_table, floor_engine)
        timing, floor_timing = interleaved(work, floor, repeats - 1, setup, floor_setup)
        # The last pair of runs also gives the peak memory (a run of its own would cost one more night).
        setup()
        with peak_memory() as memory:
            timing.seconds.append(timed(work))
        floor_setup()
        with peak_memory() as floor_memory:
            floor_timing.seconds.append(timed(floor))
        floor_engine.dispose()
        rate = len(items) / timing.median
        floor_rate = len(items) / floor_timing.median
        result: dict[str, Any] = {
            "observations": len(items),
            "pipelines": timing.as_dict(),
            "floor_executemany": floor_timing.as_dict(),
            "observations_per_s": round(rate, 1),
            "floor_observations_per_s": round(floor_rate, 1),
            "ratio": ratio(rate, floor_rate),
            "meets_target": rate / floor_rate >= TARGET,
            "peak_rss_mib": memory.peak_mib,
            "added_rss_mib": memory.added_mib,
            "floor_peak_rss_mib": floor_memory.peak_mib,
            "floor_added_rss_mib": floor_memory.added_mib,
            "run": counts,
        }
        if not result["meets_target"] and profile_if_missed:
            setup()
            result["profile"] = profile(work)
        out[name] = result
    return out


@contextmanager
def sqlite_urls(directory: Any) -> Iterator[Databases]:
    """A new SQLite database file per call, in ``directory``; copies through SQLite's backup API."""
    count = iter(range(1_000_000))

    def new() -> str:
        return f"sqlite:///{directory}/store-{next(count)}.sqlite3"

    def copy(url: str) -> str:
        target = new()
        source = sqlite3.connect(make_url(url).database or "")
        destination = sqlite3.connect(make_url(target).database or "")
        try:
            source.backup(destination)
        finally:
            source.close()
            destination.close()
        return target

    yield Databases(new, copy)


@contextmanager
def postgres_urls() -> Iterator[Databases]:
    """A new database per call on a PostgreSQL 15 server started for the benchmark (as the tests do:
    a temporary directory, a free local port, fsync off); copies are made from a template."""
    from sqlalchemy import create_engine

    from db.temporary_server import postgres_server

    with postgres_server() as server:
        admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
        count = iter(range(1_000_000))

        def create(template: str | None = None) -> str:
            name = f"bench_{next(count)}"
            with admin.connect() as connection:
                copy_of = f" TEMPLATE {template}" if template else ""
                connection.execute(text(f"CREATE DATABASE {name}{copy_of}"))
            return server.url(name)

        try:
            yield Databases(create, lambda url: create(make_url(url).database))
        finally:
            admin.dispose()
