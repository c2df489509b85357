"""The bulk writer of long simulated histories stores what the real history writer stores."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from db.engine import make_engine
from db.migrate import upgrade
from scraper.detail_policy import refresh_share
from simulator.bulk import bulk_load, detail_days
from simulator.load import load_market
from simulator.market import MarketConfig, build_market
from simulator.replay import crawl_time

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
    "runs": "SELECT id, started_at, night, verdict, new_listings, price_changes, removed, relisted, items"
    " FROM crawl_runs",
    "wards": "SELECT run_id, ward_code, hits, cards, complete, healthy, verdict, stored, exact FROM crawl_run_wards",
    "spans": "SELECT l.source_listing_id, s.page_kind, s.first_run_id, s.last_run_id, s.first_seen_at, s.last_seen_at"
    " FROM sighting_spans s JOIN listings l ON l.id = s.listing_id",
    "latest": "SELECT source_listing_id, price_yen, floor, removed_at, last_seen_at, building_name FROM v_listings",
}


def _rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return sorted(connection.execute(text(sql)).all(), key=repr)


@pytest.fixture(
    scope="module",
    params=[None, 6.0],
    ids=["new-and-repriced-details", "crawl-detail-rule"],
)
def both(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Engine]:
    """The same market through the history writer and through the bulk writer; detail pages either
    for the new and repriced listings or by the crawl's own rule (a 6-day refresh, so refreshes happen
    within the 30 nights)."""
    folder: Path = tmp_path_factory.mktemp("bulk")
    market = build_market(CONFIG)
    engines = []
    for name in ("writer", "bulk"):
        engine = make_engine(f"sqlite:///{folder / name}.sqlite3")
        upgrade(engine)
        engines.append(engine)
    rule = {"detail_max_age_days": request.param, "detail_on_price_change": False} if request.param else {}
    load_market(engines[0], market, range(CONFIG.days), **rule)
    bulk_load(engines[1], market, range(CONFIG.days), **rule)
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


def test_detail_days_follow_the_crawl_rule() -> None:
    """A listing on the site every night: its detail page on the first night (new to the database),
    then each time it is older than its share of the maximum age; no refresh under the default."""
    market = build_market(CONFIG)
    nights = list(range(CONFIG.days))
    when = {day: crawl_time(market, day) for day in nights}
    listing = next(
        candidate
        for candidate in market.listings.values()
        if all(candidate.active(day) for day in nights) and len({candidate.price_on(day) for day in nights}) == 1
    )
    prices = listing.prices_on(nights)
    days = detail_days(listing, nights, prices, when, detail_max_age_days=6.0, detail_on_price_change=False)
    step = math.floor(6.0 * refresh_share(listing.listing_id)) + 1
    assert days == list(range(0, CONFIG.days, step))
    assert detail_days(listing, nights, prices, when) == []  # on the site before night 0 and never repriced


def test_prices_on_is_price_on_night_by_night() -> None:
    """The one-pass price lookup the bulk writer uses answers as the market does, warm-up nights too."""
    market = build_market(CONFIG)
    days = list(range(-10, CONFIG.days))
    for listing in market.listings.values():
        assert listing.prices_on(days) == [listing.price_on(day) for day in days]


def test_the_bulk_writer_leaves_the_schema_as_migrated(both: tuple[Engine, Engine]) -> None:
    """The indexes it drops for the load of the sighting spans are there again afterwards."""
    from sqlalchemy import inspect

    writer, bulk = both
    for table in ("sighting_spans", "listings", "price_history"):
        assert inspect(bulk).get_indexes(table) == inspect(writer).get_indexes(table)
    names = {index["name"] for index in inspect(bulk).get_indexes("sighting_spans")}
    assert names == {"ix_sighting_spans_listing_id", "ix_sighting_spans_last_run_id"}
