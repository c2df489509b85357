"""Benchmark 4, report: time and peak memory to build the weekly report from a long history.

Set-up: a simulated market of ``live`` listings on the site (default 20,000) over ``days`` nights
(default 365), written with ``simulator.bulk.bulk_load`` (the rows the nightly crawl would have stored)
into SQLite. Work: what the weekly job does, ``reports.weekly.build_report`` and ``write_report`` (HTML,
Markdown, charts, CSV, Parquet) for the last week. Floor: reading the tables the report reads
(``SELECT *`` of each) into pandas with ``pandas.read_sql``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import text

from benchmarks.harness import peak_memory, profile, progress, ratio, repeat
from benchmarks.store import market_for
from db.engine import make_engine
from db.migrate import upgrade
from reports.weekly import build_report, write_report
from simulator.bulk import bulk_load

TARGET = 3.0
"""Report build time ≤ 3 × the pandas read floor."""

TABLES = (
    "listings",
    "listing_snapshots",
    "listing_unit_links",
    "listing_events",
    "price_history",
    "sightings",
    "crawl_runs",
)


def read_tables(engine: Any) -> dict[str, pd.DataFrame]:
    """The floor: every table the report reads, whole, into pandas."""
    with engine.connect() as connection:
        return {table: pd.read_sql(text(f"SELECT * FROM {table}"), connection) for table in TABLES}


def measure(
    work_dir: Path,
    live: int = 20_000,
    days: int = 365,
    repeats: int = 1,
    profile_if_missed: bool = True,
    with_floor: bool = True,
    always_profile: bool = False,
) -> dict[str, Any]:
    """Build ``days`` nights of history at ``live`` listings, then time the report against the floor.

    ``with_floor=False`` times the report alone (the scale pass compares report times); a profile of
    one more build is taken when the target is missed (``profile_if_missed``) or ``always_profile``.
    """
    progress(f"report: simulating {days} nights of about {live} live listings")
    started = time.perf_counter()
    market = market_for(live, days=days)
    market_seconds = time.perf_counter() - started
    path = work_dir / f"report-{live}-{days}.sqlite3"
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    started = time.perf_counter()
    rows = bulk_load(engine, market, range(days), progress)
    load_seconds = time.perf_counter() - started
    out_dir = work_dir / f"report-{live}-{days}"

    def build() -> None:
        shutil.rmtree(out_dir, ignore_errors=True)
        write_report(build_report(engine), out_dir)

    progress("report: building the weekly report")
    with peak_memory() as memory:  # the high-water mark of the timed builds (reading it costs nothing)
        timing = repeat(build, repeats)
    result: dict[str, Any] = {
        "live_listings": len(market.active(days - 1)),
        "nights": days,
        "rows": rows,
        "price_observations": rows.get("price_history"),
        "database_mib": round(path.stat().st_size / 2**20, 1),
        "simulate_seconds": round(market_seconds, 1),
        "bulk_load_seconds": round(load_seconds, 1),
        "report": timing.as_dict(),
        "peak_rss_mib": memory.peak_mib,
        "added_rss_mib": memory.added_mib,
    }
    if with_floor:
        progress("report: reading the same tables into pandas (the floor)")
        with peak_memory() as floor_memory:
            floor_timing = repeat(lambda: read_tables(engine), repeats)
        result |= {
            "floor_pandas_read": floor_timing.as_dict(),
            "ratio": ratio(timing.median, floor_timing.median),
            "target_ratio": TARGET,
            "meets_target": timing.median <= TARGET * floor_timing.median,
            "floor_peak_rss_mib": floor_memory.peak_mib,
            "floor_added_rss_mib": floor_memory.added_mib,
        }
    if always_profile or (profile_if_missed and result.get("meets_target") is False):
        progress("report: profiling the build")
        result["profile"] = profile(build)
    engine.dispose()
    return result
