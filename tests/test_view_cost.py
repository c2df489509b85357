"""Every analyst view costs about as much more as the listings it reads: twice the listings, not four
times the work. Counted in SQLite's virtual-machine steps (deterministic, unlike a time), on the same
simulated market at two sizes.

A view whose join SQLite cannot drive by an index recomputes its inner side once per outer row: v_units
did (units × listings, 51 s on the 91-night demo) until migration 0014.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from db.engine import make_engine
from db.migrate import upgrade
from db.views import STORAGE_VIEWS, VIEW_NAMES
from simulator.bulk import bulk_load
from simulator.market import MarketConfig, build_market

NIGHTS = 12
SIZES = (1, 2)
"""The second market has twice the buildings and the arrivals of the first."""
STEP = 1_000
"""SQLite calls the progress handler every STEP virtual-machine instructions."""
LARGEST_RATIO = 3.0
"""Linear work doubles (2×) when the listings double, n log n a little more; a join redone per row
quadruples it (4×)."""


def _database(folder: Path, size: int) -> Engine:
    engine = make_engine(f"sqlite:///{folder / f'market-{size}.sqlite3'}")
    upgrade(engine)
    base = MarketConfig()
    config = MarketConfig(
        seed=11,
        days=NIGHTS,
        warmup_days=30,
        buildings_per_ward=8 * size,
        arrivals_per_day={ward: rate * size for ward, rate in base.arrivals_per_day.items()},
    )
    market = build_market(config)
    bulk_load(engine, market, range(NIGHTS))
    return engine


@pytest.fixture(scope="module")
def markets(tmp_path_factory: pytest.TempPathFactory) -> list[Engine]:
    folder = tmp_path_factory.mktemp("view-cost")
    engines = [_database(folder, size) for size in SIZES]
    yield engines
    for engine in engines:
        engine.dispose()


def steps(engine: Engine, sql: str) -> int:
    """Thousands of virtual-machine instructions SQLite runs to answer ``sql`` in full."""
    connection = sqlite3.connect(make_url(str(engine.url)).database or "")
    count = 0

    def tick() -> int:
        nonlocal count
        count += 1
        return 0

    connection.set_progress_handler(tick, STEP)
    try:
        connection.execute(sql).fetchall()
    finally:
        connection.close()
    return count


def _listings(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT COUNT(*) FROM listings")).scalar_one())


def test_the_larger_market_has_about_twice_the_listings(markets: list[Engine]) -> None:
    small, large = (_listings(engine) for engine in markets)
    assert 1.7 < large / small < 2.3, (small, large)


LISTING_VIEWS = [name for name in (*STORAGE_VIEWS, *VIEW_NAMES) if name != "v_closed_prices"]
"""The views of the crawl's data (v_closed_prices reads MLIT's sales, which the bulk writer leaves empty)."""


@pytest.mark.parametrize("view", LISTING_VIEWS)
def test_a_view_costs_in_proportion_to_the_listings(markets: list[Engine], view: str) -> None:
    small, large = (steps(engine, f"SELECT * FROM {view}") for engine in markets)
    listings = _listings(markets[1]) / _listings(markets[0])
    assert small > 0
    assert large / small <= LARGEST_RATIO * listings / 2, (view, small, large)
