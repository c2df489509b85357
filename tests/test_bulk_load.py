"""The bulk writer of long simulated histories stores what the real history writer stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from db.engine import make_engine
from db.migrate import upgrade
from simulator.bulk import bulk_load
from simulator.load import load_market
from simulator.market import MarketConfig, build_market

CONFIG = MarketConfig(seed=7, days=30, buildings_per_ward=30)

QUERIES = {
    "listings": "SELECT source_listing_id, url, first_seen_at, first_run_id FROM listings",
    "sightings": "SELECT l.source_listing_id, s.run_id, s.page_kind, s.seen_at FROM sightings s"
    " JOIN listings l ON l.id = s.listing_id",
    "prices": "SELECT l.source_listing_id, p.run_id, p.seen_at, p.price_status, p.price_yen, p.previous_price_yen"
    " FROM price_history p JOIN listings l ON l.id = p.listing_id",
    "events": "SELECT l.source_listing_id, e.run_id, e.kind, e.at, e.gap_days, e.note FROM listing_events e"
    " JOIN listings l ON l.id = e.listing_id",
    "snapshots": "SELECT l.source_listing_id, s.run_id, s.content_hash FROM listing_snapshots s"
    " JOIN listings l ON l.id = s.listing_id",
    "links": "SELECT l.source_listing_id, k.run_id, k.rule, b.name_key, b.built_year, u.floor, u.area_m2, u.layout"
    " FROM listing_unit_links k JOIN listings l ON l.id = k.listing_id JOIN buildings b ON b.id = k.building_id"
    " LEFT JOIN units u ON u.id = k.unit_id",
    "runs": "SELECT id, started_at, verdict, new_listings, price_changes, removed, relisted, items FROM crawl_runs",
    "wards": "SELECT run_id, ward_code, hits, cards, complete, healthy FROM crawl_run_wards",
    "latest": "SELECT source_listing_id, price_yen, floor, removed_at, last_seen_at, building_name FROM v_listings",
}


def _rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return sorted(connection.execute(text(sql)).all(), key=repr)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Engine]:
    folder: Path = tmp_path_factory.mktemp("bulk")
    market = build_market(CONFIG)
    engines = []
    for name in ("writer", "bulk"):
        engine = make_engine(f"sqlite:///{folder / name}.sqlite3")
        upgrade(engine)
        engines.append(engine)
    load_market(engines[0], market, range(CONFIG.days))
    bulk_load(engines[1], market, range(CONFIG.days))
    return engines[0], engines[1]


@pytest.mark.parametrize("table", sorted(QUERIES))
def test_bulk_history_equals_the_writers(both: tuple[Engine, Engine], table: str) -> None:
    writer, bulk = both
    expected, got = _rows(writer, QUERIES[table]), _rows(bulk, QUERIES[table])
    assert len(expected) > 0
    assert got == expected


def test_the_market_has_every_kind_of_event(both: tuple[Engine, Engine]) -> None:
    kinds = {row[2] for row in _rows(both[0], QUERIES["events"])}
    assert kinds == {"first_seen", "removed", "relisted"}
