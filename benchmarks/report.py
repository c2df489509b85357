"""Benchmark 4, report: time and peak memory to build the weekly report from a long history.

Set-up: a simulated market of ``live`` listings on the site (default 30,000) over ``days`` nights
(default 1,095: three years), written with ``simulator.bulk.bulk_load`` (the rows the nightly crawl would
have stored) into SQLite. Work: what the weekly job does, ``reports.weekly.build_report`` and
``write_report`` (HTML, Markdown, charts, CSV, Parquet) for the last week. Floor: the least reading that
could produce it, ``pandas.read_sql`` of the rows the report's weeks need (``read_needed``: the rows of
every listing on sale in them, of each table the report reads, and their runs), whole, with no work on
them. The database's bytes per live listing and night are measured too (every table and index).
"""

from __future__ import annotations

import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import text

from benchmarks.harness import peak_memory, profile, progress, ratio, repeat
from benchmarks.store import market_for
from db.engine import make_engine
from db.migrate import upgrade
from reports.data import first_run_since, on_sale_since, seen_range
from reports.metrics import HISTORY_WEEKS, iso_week_of, week_end
from reports.weekly import build_report, write_report
from simulator.bulk import bulk_load

TARGET = 2.0
"""Report build time ≤ 2 × the pandas read floor."""
HISTORY_GROWTH_TARGET = 1.15
"""The report's time when the history doubles (same live listings): at most 1.15 × (flat in history)."""
BYTES_TARGET = 40
"""Database bytes per live listing and night."""

LISTING_TABLES = (
    "listings",
    "listing_snapshots",
    "listing_unit_links",
    "listing_events",
    "price_history",
    "sighting_spans",
)


def read_needed(engine: Any) -> dict[str, pd.DataFrame]:
    """The floor: the rows the report of the last week needs, read whole into pandas: of each table it
    reads, the rows of the listings on sale in its weeks (``reports.metrics.HISTORY_WEEKS``), and those
    weeks' runs."""
    seen = seen_range(engine)
    assert seen is not None, "an empty database"
    since = week_end(*iso_week_of(seen[1])) - pd.Timedelta(weeks=HISTORY_WEEKS)
    with engine.connect() as connection:
        first_run = first_run_since(connection, since)
        shown = on_sale_since(first_run)
        frames = {
            table: pd.read_sql(
                text(f"SELECT * FROM {table} WHERE {'id' if table == 'listings' else 'listing_id'} IN ({shown})"),
                connection,
            )
            for table in LISTING_TABLES
        }
        frames["crawl_runs"] = pd.read_sql(text(f"SELECT * FROM crawl_runs WHERE id >= {first_run}"), connection)
    return frames


@dataclass(frozen=True)
class History:
    """A report benchmark's database: ``days`` nights of the simulated market at about ``live`` listings,
    bulk-written (``simulator.bulk``) into a SQLite file, and what setting it up took."""

    path: Path
    live: int
    days: int
    live_listings: int
    rows: dict[str, int]
    listing_nights: int
    """Σ over nights of the listings on the site (what a row per listing and night would have been)."""
    simulate_seconds: float
    bulk_load_seconds: float
    in_parallel: bool = False
    """Set up alongside another set-up (its times are those of a busy machine)."""


def prepare(work_dir: Path, live: int = 20_000, days: int = 365) -> History:
    """Simulate the market and write its history (set-up: nothing here is a benchmark figure)."""
    label = f"report {live:,} × {days}"
    progress(f"{label}: simulating {days} nights of about {live:,} live listings")
    started = time.perf_counter()
    market = market_for(live, days=days)
    market_seconds = time.perf_counter() - started
    path = work_dir / f"report-{live}-{days}.sqlite3"
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    started = time.perf_counter()
    rows = bulk_load(engine, market, range(days), lambda message: progress(f"{label}: {message}"))
    load_seconds = time.perf_counter() - started
    with engine.connect() as connection:
        # The bulk history has one run a night, so a span's nights are its run numbers' count.
        listing_nights = connection.execute(
            text("SELECT SUM(last_run_id - first_run_id + 1) FROM sighting_spans WHERE page_kind = 'list'")
        ).scalar()
    engine.dispose()
    return History(
        path,
        live,
        days,
        len(market.active(days - 1)),
        rows,
        int(listing_nights or 0),
        round(market_seconds, 1),
        round(load_seconds, 1),
    )


def prepare_all(work_dir: Path, sizes: list[tuple[int, int]], workers: int = 2) -> list[History]:
    """Set up a database for each ``(live, days)``, ``workers`` at a time in processes of their own.

    The set-up is most of the report benchmark's run time and none of its figures: it runs before
    any timing starts, the largest first, so on two cores three databases take about as long as the
    largest one alone. The set-up times recorded are then those of a busy machine.
    """
    if workers < 2 or len(sizes) < 2:
        return [prepare(work_dir, live, days) for live, days in sizes]
    order = sorted(range(len(sizes)), key=lambda index: -sizes[index][0] * sizes[index][1])
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of the parent's state
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        futures = {index: pool.submit(prepare, work_dir, *sizes[index]) for index in order}
        return [replace(futures[index].result(), in_parallel=True) for index in range(len(sizes))]


def measure(
    history: History,
    repeats: int = 1,
    profile_if_missed: bool = True,
    with_floor: bool = True,
    always_profile: bool = False,
) -> dict[str, Any]:
    """Time the report on ``history`` against the floor.

    ``with_floor=False`` times the report alone (the scale pass compares report times); a profile of
    one more build is taken when the target is missed (``profile_if_missed``) or ``always_profile``.
    """
    engine = make_engine(f"sqlite:///{history.path}")
    out_dir = history.path.with_suffix("")

    def build() -> None:
        shutil.rmtree(out_dir, ignore_errors=True)
        write_report(build_report(engine), out_dir)

    progress(f"report {history.live:,} × {history.days}: building the weekly report")
    with peak_memory() as memory:  # the high-water mark of the timed builds (reading it costs nothing)
        timing = repeat(build, repeats)
    result: dict[str, Any] = {
        "live_listings": history.live_listings,
        "nights": history.days,
        "rows": history.rows,
        "price_observations": history.rows.get("price_history"),
        "database_mib": round(history.path.stat().st_size / 2**20, 1),
        "listing_nights": history.listing_nights,
        "bytes_per_listing_night": round(history.path.stat().st_size / max(history.listing_nights, 1), 1),
        "bytes_target": BYTES_TARGET,
        "simulate_seconds": history.simulate_seconds,
        "bulk_load_seconds": history.bulk_load_seconds,
        "set_up": "in parallel with another set-up (times of a busy machine)" if history.in_parallel else "alone",
        "report": timing.as_dict(),
        "peak_rss_mib": memory.peak_mib,
        "added_rss_mib": memory.added_mib,
    }
    if with_floor:
        progress(f"report {history.live:,} × {history.days}: reading the rows it needs into pandas (the floor)")
        with peak_memory() as floor_memory:
            floor_timing = repeat(lambda: read_needed(engine), repeats)
        result |= {
            "floor_pandas_read": floor_timing.as_dict(),
            "ratio": ratio(timing.median, floor_timing.median),
            "target_ratio": TARGET,
            "meets_target": timing.median <= TARGET * floor_timing.median,
            "floor_peak_rss_mib": floor_memory.peak_mib,
            "floor_added_rss_mib": floor_memory.added_mib,
        }
    if always_profile or (profile_if_missed and result.get("meets_target") is False):
        progress(f"report {history.live:,} × {history.days}: profiling the build")
        result["profile"] = profile(build)
    engine.dispose()
    return result
