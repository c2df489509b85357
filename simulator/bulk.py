"""Write a long SIMULATED history (a year of nights, tens of thousands of listings) straight into the
database, row by row in bulk, for benchmarks of the report at scale.

It stores what :func:`simulator.load.load_market` stores (every night a complete and healthy run with a
list sighting of every listing on the site and a detail sighting of the new and repriced ones, or of
those the crawl's own detail rule picks, kept as spans of consecutive nights; prices on change;
first_seen / removed after two absent nights / relisted events; a snapshot of what the night's pages
said and a link to its building, or to its flat once a detail page was read) without going through the
history writer: the decisions the writer makes one observation at a time are made here per listing over its
whole life, and each table is written with one ``executemany``. Identity comes from the simulated
truth (a simulated building is one building, a simulated flat one unit), which is what the writer's
identity rules recover on the simulated market (tests compare the two paths row by row).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table

from db.history import insert_rows
from db.identity import building_name_key
from db.models import (
    Building,
    CrawlRun,
    CrawlRunWard,
    Listing,
    ListingEvent,
    ListingSnapshot,
    ListingUnitLink,
    PriceChange,
    SightingSpan,
    Unit,
)
from db.nights import night_of
from db.removal import DEFAULT_REMOVAL_RUNS
from db.rows import (
    EventKind,
    event_row,
    link_row,
    listing_row,
    merged_snapshot,
    price_of,
    price_row,
    removal_note,
    same_price,
    snapshot_row,
)
from simulator.load import WARD_ORDER, DetailMemory, fixed_price, observation, ward_stats
from simulator.market import WARDS, Market
from simulator.market import Listing as SimulatedListing
from simulator.replay import crawl_time

CHUNK = 50_000


@contextmanager
def _begin(engine: Engine) -> Iterator[Connection]:
    """One transaction; on SQLite with a page cache big enough for the indexes of a year of history
    (with the default 2 MB, inserting millions of index entries keeps reading pages back from disk)."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MiB, this connection only
        try:
            yield connection
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default


def _write(engine: Engine, model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Rows in chunks through the driver (``db.history.insert_rows``), one transaction."""
    written = 0
    chunk: list[dict[str, Any]] = []
    table = model.__table__
    with _begin(engine) as connection:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                insert_rows(connection, table, chunk)
                written += len(chunk)
                chunk = []
        if chunk:
            insert_rows(connection, table, chunk)
            written += len(chunk)
    return written


def detail_days(
    listing: SimulatedListing,
    seen: list[int],
    prices: list[int],
    when: dict[int, dt.datetime],
    detail_max_age_days: float | None = None,
    detail_on_price_change: bool = True,
) -> list[int]:
    """The nights on which a crawl reads ``listing``'s detail page, of the nights it is on the site
    (``seen``, ascending; ``prices``: its asking price on each of them, ``Listing.prices_on(seen)``).

    By default the new and repriced nights (as :func:`simulator.load.load_market`); with
    ``detail_max_age_days`` the crawl's own rule (``scraper.detail_policy.detail_reason``: new, stale, or repriced
    when ``detail_on_price_change``), the database holding nothing before the first night.
    """
    price_on = dict(zip(seen, prices, strict=True))
    if detail_max_age_days is None:
        # Back on the site or repriced; the market is asked only about a night before the ones given.
        return [
            day
            for day in seen
            if (price_on[day] != price_on[day - 1] if day - 1 in price_on else listing.new_or_repriced(day))
        ]
    memory = DetailMemory(dt.timedelta(days=detail_max_age_days), detail_on_price_change)
    return [
        day
        for day, price in zip(seen, prices, strict=True)
        if memory.reads_detail(listing.listing_id, _fixed(price), when[day])
    ]


def bulk_load(
    engine: Engine,
    market: Market,
    nights: range,
    progress: Callable[[str], None] | None = None,
    detail_max_age_days: float | None = None,
    detail_on_price_change: bool = True,
) -> dict[str, int]:
    """Store ``nights`` (consecutive days from 0) of ``market`` into an empty migrated database.

    Detail pages as :func:`detail_days` decides (``detail_max_age_days``: the crawl's own rule, for a
    database in the state the nightly crawl leaves). Returns the number of rows written per table.
    """
    if nights.start != 0 or nights.step != 1:
        raise ValueError("bulk_load writes consecutive nights from day 0 into an empty database")
    say = progress or (lambda message: None)
    days = list(nights)
    last = days[-1]
    run_of = {day: day + 1 for day in days}
    when = {day: crawl_time(market, day) for day in days}
    k = DEFAULT_REMOVAL_RUNS

    # Who is on the site each night, read from each listing's intervals (asking the market night by
    # night would scan every listing every night); ordered as a crawl first meets them: night, then
    # ward, then the site's order.
    on_site: dict[str, list[int]] = {}
    counts = {day: {"list": 0, "detail": 0, "new": 0, "price": 0, "relisted": 0, "removed": 0} for day in days}
    hits = {day: dict.fromkeys(WARD_ORDER, 0) for day in days}
    ward_index = {ward: number for number, ward in enumerate(WARD_ORDER)}
    first_met: dict[str, tuple[int, int, int]] = {}
    for position, listing in enumerate(market.listings.values()):
        ward = market.building_of(listing).ward
        nights_on = [
            day
            for start, end in listing.intervals
            if start is not None
            for day in range(max(start, 0), min(last + 1, end if end is not None else last + 1))
        ]
        if not nights_on:
            continue
        on_site[listing.listing_id] = nights_on
        first_met[listing.listing_id] = (nights_on[0], ward_index[ward], position)
        for day in nights_on:
            hits[day][ward] += 1
    order = sorted(on_site, key=first_met.__getitem__)
    say(f"bulk: {len(order)} listings over {len(days)} nights")
    listing_key = {listing_id: number for number, listing_id in enumerate(order, start=1)}

    listings: list[dict[str, Any]] = []
    prices: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []

    def removed_on(key: int, gone: int) -> None:
        """The removal rule's event: absent from the ``k`` trusted nights ending on night ``gone``."""
        note = removal_note(k, [run_of[d] for d in range(gone - k + 1, gone + 1)])
        events.append(event_row(key, run_of[gone], EventKind.REMOVED, when[gone], note=note))
        counts[gone]["removed"] += 1

    spans: list[tuple[int, int, str, int, int]] = []  # first run, listing, page kind, first and last night
    buildings: dict[int, dict[str, Any]] = {}
    units: dict[int, dict[str, Any]] = {}
    for listing_id in order:
        listing = market.listings[listing_id]
        key = listing_key[listing_id]
        seen = on_site[listing_id]
        first = seen[0]
        unit = market.units[listing.unit_id]
        building = market.buildings[unit.building_id]
        list_item = observation(market, listing, first, "list")
        listings.append(
            {"id": key} | listing_row("suumo", listing_id, "used", "unit", list_item["url"], when[first], run_of[first])
        )
        if building.id not in buildings:
            buildings[building.id] = {
                "id": building.id,
                "name_key": building_name_key(building.name),
                "name": building.name,
                "ward_code": building.ward_code,
                "district": building.district,
                "built_year": building.built_year,
                "built_month": building.built_month,
                "total_floors": None,  # a list card does not show the height; the building is made from it
                "total_units": None,
                "created_at": when[first],
                "created_run_id": run_of[first],
            }
        # The first night's list card gives a snapshot and a building link; the first detail page (the
        # first night the listing is new to the site or repriced) the full snapshot and the unit link.
        prices_seen = listing.prices_on(seen)
        details = set(detail_days(listing, seen, prices_seen, when, detail_max_age_days, detail_on_price_change))
        detail_day = min(details, default=None)
        merged = merged_snapshot(None, list_item)
        steps: list[tuple[int, dict[str, Any], int | None]] = [(first, merged, None)]
        if detail_day is not None:
            full = merged_snapshot(merged, observation(market, listing, detail_day, "detail"))
            steps.append((detail_day, full, unit.id))
            if unit.id not in units:
                units[unit.id] = {
                    "id": unit.id,
                    "building_id": building.id,
                    "floor": unit.floor,
                    "area_m2": float(unit.shown_area_m2),
                    "layout": unit.layout,
                    "direction": unit.direction,
                    "created_at": when[detail_day],
                    "created_run_id": run_of[detail_day],
                }
        for day, snapshot, unit_id in steps:
            if snapshots and snapshots[-1]["listing_id"] == key and snapshots[-1]["run_id"] == run_of[day]:
                # The detail page the night of the list card: one snapshot and one link a night (db.history).
                snapshots[-1] |= snapshot_row(key, run_of[day], when[day], snapshot)
                links[-1] |= link_row(key, building.id, unit_id, when[day], run_of[day])
            else:
                snapshots.append(snapshot_row(key, run_of[day], when[day], snapshot))
                links.append(link_row(key, building.id, unit_id, when[day], run_of[day]))
        events.append(event_row(key, run_of[first], EventKind.FIRST_SEEN, when[first]))
        counts[first]["new"] += 1

        stored_price: tuple[Any, ...] | None = None
        previous_day: int | None = None
        removed = False
        for day, price in zip(seen, prices_seen, strict=True):
            if previous_day is not None and day > previous_day + k and previous_day + k <= last:
                gone = previous_day + k
                removed_on(key, gone)
                removed = True
            if removed:
                assert previous_day is not None
                gap = (when[day] - when[previous_day]).total_seconds() / 86400
                events.append(event_row(key, run_of[day], EventKind.RELISTED, when[day], gap))
                counts[day]["relisted"] += 1
                removed = False
            counts[day]["list"] += 1
            if day in details:
                counts[day]["detail"] += 1
            seen_price = _fixed(price)
            if seen_price is not stored_price and not same_price(stored_price, seen_price):
                prices.append(price_row(key, run_of[day], when[day], seen_price, stored_price))
                if stored_price is not None:
                    counts[day]["price"] += 1
                stored_price = seen_price
            previous_day = day
        assert previous_day is not None
        for page_kind, nights_seen in (("list", seen), ("detail", sorted(details))):
            spans.extend((run_of[a], key, page_kind, a, b) for a, b in _stretches(nights_seen))
        if previous_day + k <= last:
            gone = previous_day + k
            removed_on(key, gone)

    runs = []
    ward_rows = []
    for day in days:
        count = counts[day]
        stats: dict[str, Any] = {"finish_reason": "finished", "item_scraped_count": count["list"] + count["detail"]}
        stats |= ward_stats(hits[day])
        for ward in WARD_ORDER:
            ward_rows.append(
                {
                    "run_id": run_of[day],
                    "ward_code": WARDS[ward][0],
                    "ward": ward,
                    "hits": hits[day][ward],
                    "cards": hits[day][ward],
                    "list_pages_failed": 0,
                    "complete": True,
                    "healthy": True,
                    "reasons": None,
                    "verdict": "complete_healthy",
                    "stored": hits[day][ward],
                    "exact": True,
                }
            )
        runs.append(
            {
                "id": run_of[day],
                "spider": "suumo_chuko",
                "source": "suumo",
                "property_type": "used",
                "wards": ",".join(WARD_ORDER),
                "started_at": when[day],
                "night": night_of(when[day]),
                "finished_at": when[day],
                "finish_reason": "finished",
                "complete": True,
                "healthy": True,
                "verdict": "complete_healthy",
                "verdict_reasons": None,
                "list_pages": 0,
                "detail_pages": 0,
                "items": count["list"] + count["detail"],
                "blocked": 0,
                "errors": 0,
                "new_listings": count["new"],
                "price_changes": count["price"],
                "removed": count["removed"],
                "relisted": count["relisted"],
                "stats": stats,
            }
        )
    # Events in the order the nights wrote them (the newest event of a listing has the highest id).
    events.sort(key=lambda row: (row["run_id"], _EVENT_ORDER[EventKind(row["kind"])], row["listing_id"]))
    written = {}
    for model, rows in (
        (CrawlRun, runs),
        (CrawlRunWard, ward_rows),
        (Building, list(buildings.values())),
        (Unit, list(units.values())),
        (Listing, listings),
        (ListingEvent, events),
        (PriceChange, prices),
        (ListingSnapshot, snapshots),
        (ListingUnitLink, links),
    ):
        say(f"bulk: writing {len(rows)} rows into {model.__tablename__}")
        written[model.__tablename__] = _write(engine, model, rows)
    say(f"bulk: writing {len(spans)} rows into sighting_spans")
    written["sighting_spans"] = _write_spans(engine, spans, run_of, when)
    _reset_sequences(engine)
    return written


def _stretches(nights: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Runs of consecutive nights (every night has its run here), as (first, last).

    >>> list(_stretches([1, 2, 3, 5, 7, 8]))
    [(1, 3), (5, 5), (7, 8)]
    """
    start = previous = None
    for night in nights:
        if previous is not None and night != previous + 1:
            yield cast(int, start), previous
            start = None
        if start is None:
            start = night
        previous = night
    if previous is not None:
        yield cast(int, start), previous


def _write_spans(
    engine: Engine, spans: list[tuple[int, int, str, int, int]], run_of: dict[int, int], when: dict[int, Any]
) -> int:
    """Spans through the driver's own executemany (no per-row type processing), in the order the crawls
    would have started them (first run, then listing); the secondary indexes are dropped for the load and
    built again once. Timestamps are given as the model's UTC type stores them on each engine."""
    spans.sort()
    stored: dict[int, Any] = {}
    for day, moment in when.items():
        utc = moment.astimezone(dt.UTC)
        # SQLite: the naive UTC text SQLAlchemy's DateTime writes; PostgreSQL: the aware datetime.
        stored[day] = utc.strftime("%Y-%m-%d %H:%M:%S.%f") if engine.dialect.name == "sqlite" else utc
    mark = "%s" if engine.dialect.paramstyle in ("format", "pyformat") else "?"
    sql = (
        "INSERT INTO sighting_spans (listing_id, page_kind, first_run_id, last_run_id, first_seen_at, last_seen_at)"
        f" VALUES ({', '.join([mark] * 6)})"
    )
    indexes = list(cast(Table, SightingSpan.__table__).indexes)
    with _begin(engine) as connection:
        for index in indexes:
            index.drop(connection)
        for start in range(0, len(spans), CHUNK * 4):
            chunk = [
                (key, kind, first_run, run_of[last], stored[first], stored[last])
                for first_run, key, kind, first, last in spans[start : start + CHUNK * 4]
            ]
            connection.exec_driver_sql(sql, chunk)
        for index in indexes:
            index.create(connection)
    return len(spans)


@functools.lru_cache(maxsize=65536)
def _fixed(yen: int) -> tuple[Any, ...]:
    """A simulated asking price as PRICE_FIELDS (one tuple per amount: the loop meets each many times)."""
    return price_of(fixed_price(yen))


_EVENT_ORDER = {EventKind.FIRST_SEEN: 0, EventKind.RELISTED: 0, EventKind.REMOVED: 1}


def _reset_sequences(engine: Engine) -> None:
    """PostgreSQL: move each id sequence past the ids written here (SQLite needs nothing)."""
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    with engine.begin() as connection:
        for table in ("crawl_runs", "buildings", "units", "listings", "listing_events", "price_history"):
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}")
            )
