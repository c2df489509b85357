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


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six nights of condo demo, with its page archive."""
    out = tmp_path_factory.mktemp("reparse") / "demo"
    env = {"DATABASE_URL": "", "CONDO_DATA_DIR": str(out.parent / "data")}
    result = CliRunner().invoke(main, ["demo", "--nights", "6", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output[-2000:]
    return out


@pytest.mark.slow
def test_reparsing_the_demo_s_archive_rebuilds_its_history(demo: Path, tmp_path: Path) -> None:
    env = {"DATABASE_URL": "", "CONDO_DATA_DIR": str(tmp_path / "data")}
    rebuilt = tmp_path / "rebuilt.sqlite3"
    arguments = ["reparse", "--archive", str(demo / "archive"), "--database-url", f"sqlite:///{rebuilt}"]
    result = CliRunner().invoke(main, arguments, env=env)
    assert result.exit_code == 0, result.output
    assert "12 of 12 run(s) re-parsed" in result.output  # 6 nights × (used, new condos)
    for sql in (LISTINGS, PRICES):
        original, again = rows(demo / "demo.sqlite3", sql), rows(rebuilt, sql)
        assert len(original) > 1000 and original == again
    # Into a database that already holds crawls: refused, nothing written.
    again = CliRunner().invoke(main, arguments, env=env)
    assert again.exit_code == 1 and "already holds crawl runs" in again.output
    assert rows(rebuilt, "SELECT COUNT(*) FROM crawl_runs") == [(12,)]


def test_explain_names_the_archived_page_that_showed_each_price(demo: Path) -> None:
    """Provenance: each price row names its WARC record, and that record's page shows the price."""
    from scraper.archive.warc import read_records

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


@pytest.mark.slow
def test_corrections_fill_what_a_broken_parser_missed_without_market_events(tmp_path: Path) -> None:
    """Nights crawled by a deliberately broken spider (its detail pages lose floor and direction) into
    the live database, with the page archive on; then today's parsers read the archive again: a dry run
    counts and writes nothing; the real run fills both fields as corrections, the values the simulated
    flats really have, and not one price change, event or run appears; a second run finds nothing."""
    from simulator.market import DEMO_SEED, build_market, demo_config
    from simulator.replay import replay

    market = build_market(demo_config(DEMO_SEED, 4, scale=1))
    live = tmp_path / "live.sqlite3"
    archive = tmp_path / "archive"
    settings = {"SPIDER_MODULES": "tests.support.broken_spider", "CONDO_ARCHIVE_DIR": str(archive)}
    replay(market, f"sqlite:///{live}", range(4), tmp_path / "logs", settings=settings)
    counts = (
        "SELECT (SELECT COUNT(*) FROM price_history), (SELECT COUNT(*) FROM listing_events),"
        " (SELECT COUNT(*) FROM crawl_runs)"
    )
    before = rows(live, counts)
    assert rows(live, "SELECT COUNT(*) FROM v_listings WHERE floor IS NOT NULL") == [(0,)]
    missing = rows(live, "SELECT COUNT(*) FROM v_listings")[0][0]
    arguments = ["reparse", "--archive", str(archive), "--corrections", "--database-url", f"sqlite:///{live}"]
    dry = CliRunner().invoke(main, [*arguments, "--dry-run"])
    assert dry.exit_code == 0 and f"would correct: direction {missing}, floor {missing}" in dry.output, dry.output
    assert rows(live, "SELECT COUNT(*) FROM v_listings WHERE floor IS NOT NULL") == [(0,)]
    applied = CliRunner().invoke(main, arguments)
    assert applied.exit_code == 0 and f"corrected: direction {missing}, floor {missing}" in applied.output
    assert rows(live, "SELECT COUNT(*) FROM v_listings WHERE floor IS NULL") == [(0,)]
    assert rows(live, counts) == before  # no fake price change, removal or run
    assert rows(live, "SELECT COUNT(*) FROM corrections WHERE applied") == [(2 * missing,)]
    truth = {listing.listing_id: market.units[listing.unit_id].floor for listing in market.listings.values()}
    for listing_id, floor in rows(live, "SELECT source_listing_id, floor FROM v_listings"):
        assert floor == truth[str(listing_id)]
    again = CliRunner().invoke(main, [*arguments, "--dry-run"])
    assert again.exit_code == 0 and "would correct: nothing" in again.output


def test_pruning_drops_gone_listings_detail_pages_and_keeps_the_rest_readable(demo: Path, tmp_path: Path) -> None:
    import shutil

    from scraper.archive.warc import read_records

    folder = tmp_path / "archive"
    shutil.copytree(demo / "archive", folder)
    before = list(read_records(sorted(folder.glob("*.warc.gz"))))
    gone = {
        row[0]
        for row in rows(demo / "demo.sqlite3", "SELECT source_listing_id FROM v_listings WHERE status = 'removed'")
    }
    active = rows(demo / "demo.sqlite3", "SELECT source_listing_id FROM v_listings WHERE status = 'active' LIMIT 1")[0][
        0
    ]
    assert gone
    database = f"sqlite:///{demo / 'demo.sqlite3'}"
    arguments = ["archive", "prune", "--archive", str(folder), "--keep-days", "0", "--database-url", database]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0 and f"of {len(gone)} listing(s) gone over 0 days" in result.output, result.output
    after = list(read_records(sorted(folder.glob("*.warc.gz"))))
    assert all(record.body is not None for record in after)  # no revisit left pointing at a dropped body
    list_pages = [r.url for r in before if "/nc_" not in r.url]
    assert [r.url for r in after if "/nc_" not in r.url] == list_pages  # every list page kept
    # A gone listing's pages are dropped, except a body a kept page revisits (every "listing ended" page
    # is one body: the removal check reads it under many listings' URLs).
    originals = {r.refers_to for r in after if r.kind == "revisit"}
    left = [r for r in after if any(f"/nc_{listing}/" in r.url for listing in gone)]
    assert all(r.kind == "response" and (r.url, r.date) in originals for r in left), left[:3]
    assert len(left) < len([r for r in before if any(f"/nc_{listing}/" in r.url for listing in gone)])
    assert [r for r in after if f"/nc_{active}/" in r.url]  # an active listing's detail page kept
    assert CliRunner().invoke(main, arguments).output.startswith(f"{len(list(folder.glob('*.warc.gz')))} WARC")
