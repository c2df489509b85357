"""``condo reparse`` (issue 16): the demo's archived nights crawled again from the page archive into a
new database give the demo database's history row for row; a database that already holds crawls is
refused (corrections into a live database are not built yet)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from condo.cli import main

LISTINGS = (
    "SELECT source, source_listing_id, property_type, listing_scope, url, building_name, ward_code, district,"
    " area_group, price_status, price_yen, price_min_yen, price_max_yen, price_planned, area_m2, area_basis,"
    " layout, rooms, floor, total_floors, structure, built_year, built_month, age_years, walk_minutes, station,"
    " direction, management_fee_yen, repair_reserve_yen, agent, first_seen_at, last_seen_at, status, removed_at,"
    " days_on_market FROM v_listings"
)
PRICES = (
    "SELECT source, source_listing_id, seen_at, night_jst, price_status, price_yen, price_min_yen, price_max_yen,"
    " price_planned, previous_price_yen, change_yen, change_ratio FROM v_price_history"
)


def rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return sorted((tuple(row) for row in connection.execute(sql)), key=repr)


@pytest.mark.slow
def test_reparsing_the_demo_s_archive_rebuilds_its_history(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    env = {"DATABASE_URL": "", "CONDO_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(main, ["demo", "--nights", "6", "--out", str(demo)], env=env)
    assert result.exit_code == 0, result.output[-2000:]
    rebuilt = tmp_path / "rebuilt.sqlite3"
    arguments = ["reparse", "--archive", str(demo / "archive"), "--database-url", f"sqlite:///{rebuilt}"]
    result = CliRunner().invoke(main, arguments, env=env)
    assert result.exit_code == 0, result.output
    assert "6 of 6 run(s) re-parsed" in result.output
    for sql in (LISTINGS, PRICES):
        original, again = rows(demo / "demo.sqlite3", sql), rows(rebuilt, sql)
        assert len(original) > 1000 and original == again
    # Into a database that already holds crawls: refused, nothing written.
    again = CliRunner().invoke(main, arguments, env=env)
    assert again.exit_code == 1 and "already holds crawl runs" in again.output
    assert rows(rebuilt, "SELECT COUNT(*) FROM crawl_runs") == [(6,)]
