"""The weekly report reads only the weeks it shows: on a history longer than them it gives the same
figures as a read of the whole history (SIMULATED market, bulk-written)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from db.engine import make_engine
from db.migrate import upgrade
from reports.data import load
from reports.metrics import HISTORY_WEEKS, REPORT_WINDOWS, iso_week_of, metrics_table, week_end
from reports.weekly import build_report
from simulator.bulk import bulk_load
from simulator.market import MarketConfig, build_market

NIGHTS = 7 * (HISTORY_WEEKS + 8)  # eight weeks more than the report reads


@pytest.fixture(scope="module")
def long_history(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    config = MarketConfig(
        seed=11, days=NIGHTS, buildings_per_ward=6, arrivals_per_day={"koto": 2.0, "bunkyo": 1.5, "minato": 1.5}
    )
    path: Path = tmp_path_factory.mktemp("long") / "long.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    bulk_load(engine, build_market(config), range(NIGHTS))
    return engine


def test_the_report_reads_its_weeks_and_gives_what_the_whole_history_gives(long_history: Engine) -> None:
    report = build_report(long_history)
    whole = load(long_history)
    last_week = iso_week_of(whole.sightings["seen_at"].max())
    assert report.week == last_week
    expected = metrics_table(whole, last_week)
    assert expected["window_end"].nunique() == REPORT_WINDOWS  # the history is longer than the report
    pd.testing.assert_frame_equal(report.metrics, expected)
    # What it read: the nights of its weeks, and only the listings on sale in them.
    since = week_end(*last_week) - pd.Timedelta(weeks=HISTORY_WEEKS)
    read = load(long_history, since=since)
    assert read.sightings["seen_at"].min() >= since > whole.sightings["seen_at"].min()
    assert len(read.listings) < len(whole.listings)
    # The index starts at 100 in the first window of the weeks read (the tracker began long before).
    koto = report.indexes["Koto"]
    assert koto["week_end"].min() > (since + pd.Timedelta(weeks=3)).date().isoformat()
    assert koto["index"].iloc[0] == pytest.approx(100)
