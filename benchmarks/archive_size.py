"""The page archive's cost (``python -m benchmarks --only archive``): bytes per live listing and night,
the growth of a year at 10,000 live listings, the crawl's time with and without the archive, and the
speed of re-parsing archived nights against the live crawl's.

The market is the demo's (SIMULATED), crawled night by night by the real spider on 127.0.0.1 twice,
archive on and off, into two databases; then the archive is re-parsed into a third.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import progress
from db.engine import make_engine
from scraper.archive.warc import read_records
from scraper.reparse import reparse
from simulator.market import DEMO_SEED, build_market, demo_config
from simulator.replay import replay

YEAR_AT = 10_000
"""The live listings a year's growth is given for."""


def measure(nights: int = 14, seed: int = DEMO_SEED, scale: int = 1) -> dict[str, Any]:
    market = build_market(demo_config(seed, nights, scale))
    with tempfile.TemporaryDirectory(prefix="condo-archive-bench-") as work:
        folder = Path(work)
        timings: dict[str, float] = {}
        for label, settings in (("archive_off", {}), ("archive_on", {"CONDO_ARCHIVE_DIR": str(folder / "archive")})):
            progress(f"archive: {nights} SIMULATED nights crawled, {label.replace('_', ' ')}")
            started = time.perf_counter()
            replay(
                market, f"sqlite:///{folder / (label + '.sqlite3')}", range(nights), folder / "logs", settings=settings
            )
            timings[label] = time.perf_counter() - started
        files = sorted((folder / "archive").glob("*.warc.gz"))
        sizes = [path.stat().st_size for path in files]
        responses = sum(1 for _ in read_records(files, resolve=False))
        live = [len(market.active(day)) for day in range(nights)]
        progress(f"archive: re-parsing the {len(files)} archived nights")
        engine = make_engine(f"sqlite:///{folder / 'reparsed.sqlite3'}")
        started = time.perf_counter()
        reparse(engine, folder / "archive", folder / "logs")
        reparse_seconds = time.perf_counter() - started
        engine.dispose()
    steady = sum(sizes[1:]) / max(sum(live[1 : len(sizes)]), 1)
    return {
        "nights": nights,
        "seed": seed,
        "scale": scale,
        "live_listings_mean": round(sum(live) / len(live)),
        "first_night_bytes": sizes[0] if sizes else None,
        "steady_night_bytes_mean": round(sum(sizes[1:]) / max(len(sizes) - 1, 1)),
        "bytes_per_live_listing_night": round(steady, 1),
        "first_night_bytes_per_live_listing": round(sizes[0] / live[0], 1) if sizes and live[0] else None,
        "year_bytes_at_10000_live": round(steady * YEAR_AT * 365),
        "crawl_seconds_archive_off": round(timings["archive_off"], 1),
        "crawl_seconds_archive_on": round(timings["archive_on"], 1),
        "archive_overhead_pct": round(100 * (timings["archive_on"] / timings["archive_off"] - 1), 1),
        "responses": responses,
        "archive_ms_per_response": round(1000 * (timings["archive_on"] - timings["archive_off"]) / responses, 2),
        "reparse_nights_per_minute": round(60 * len(sizes) / reparse_seconds, 1),
        "crawl_nights_per_minute": round(60 * nights / timings["archive_on"], 1),
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    r = result
    return [
        f"Page archive ({r['nights']} SIMULATED nights, seed {r['seed']}, about {r['live_listings_mean']} live "
        "listings):",
        f"- first night {r['first_night_bytes'] / 1e6:.2f} MB ({r['first_night_bytes_per_live_listing']} B per live "
        f"listing: every detail page), then {r['steady_night_bytes_mean'] / 1e6:.2f} MB a night "
        f"({r['bytes_per_live_listing_night']} B per live listing and night)",
        f"- a year at {YEAR_AT:,} live listings: {r['year_bytes_at_10000_live'] / 1e9:.2f} GB",
        f"- the crawl took {r['crawl_seconds_archive_on']} s with the archive, {r['crawl_seconds_archive_off']} s "
        f"without ({r['archive_overhead_pct']:+.1f} % on 127.0.0.1 with no delay: {r['archive_ms_per_response']} ms "
        f"per response over {r['responses']} responses; against the real crawl's 3 s between requests, "
        f"{r['archive_ms_per_response'] / 30:.3f} %)",
        f"- re-parse {r['reparse_nights_per_minute']} nights a minute, against the live crawl's "
        f"{r['crawl_nights_per_minute']} (both on 127.0.0.1, no politeness delay)",
    ]
