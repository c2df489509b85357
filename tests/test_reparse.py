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


def test_explain_names_the_archived_page_that_showed_each_price(tmp_path: Path) -> None:
    """Provenance: each price row names its WARC record, and that record's page shows the price."""
    from archive import read_records

    demo = tmp_path / "demo"
    env = {"DATABASE_URL": "", "CONDO_DATA_DIR": str(tmp_path / "data")}
    assert CliRunner().invoke(main, ["demo", "--nights", "4", "--out", str(demo)], env=env).exit_code == 0
    changed = rows(
        demo / "demo.sqlite3",
        "SELECT l.source_listing_id, p.price_yen, p.archive_record FROM price_history p"
        " JOIN listings l ON l.id = p.listing_id WHERE p.previous_price_yen IS NOT NULL",
    )
    assert changed and all(record for _, _, record in changed)
    listing_id, price_yen, record_id = changed[0]
    database = f"sqlite:///{demo / 'demo.sqlite3'}"
    result = CliRunner().invoke(main, ["explain", str(listing_id), "--database-url", database])
    assert result.exit_code == 0, result.output
    assert f"{record_id}" in result.output and ".warc.gz" in result.output
    page = next(r for r in read_records(sorted((demo / "archive").glob("*.warc.gz"))) if r.record_id == record_id)
    assert page.body is not None and str(price_yen // 10_000).encode() in page.body.replace(b",", b"")
    missing = CliRunner().invoke(main, ["explain", "1", "--database-url", database])
    assert missing.exit_code == 1 and "no listing '1'" in missing.output
