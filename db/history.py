"""Write observations into the append-only history. Callers own the session: nothing here commits.

``record_observation`` takes one listing item (as a plain dict) seen in a crawl run and appends only
what is new: the listing the first time, a sighting per run and page kind (the span of consecutive runs
that ended at the spider's previous run extended, or a new one), a price row when the asking price
changed, a snapshot when what we know changed, a unit link when identity changed, and a ``relisted``
event when a removed listing comes back. Replaying the same item changes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.orm import Session

from db.identity import building_name_key, same_building, same_unit
from db.latest import latest_ids, latest_per_listing
from db.models import (
    SIGHTINGS,
    SNAPSHOT_FIELDS,
    Building,
    CrawlRun,
    Listing,
    ListingEvent,
    ListingSnapshot,
    ListingUnitLink,
    PriceChange,
    SightingSpan,
    Unit,
)
from db.rows import (
    GONE_KINDS,
    PRICE_FIELDS,
    EventKind,
    content_hash,
    event_row,
    link_row,
    link_rule,
    listing_row,
    merged_snapshot,
    price_of,
    price_row,
    same_price,
    snapshot_row,
    span_row,
)
from db.verdicts import Verdict


@dataclass
class Outcome:
    """What one observation changed."""

    new_listing: bool = False
    price_changed: bool = False
    relisted: bool = False
    snapshot: bool = False
    relinked: bool = False


@dataclass
class _Known:
    """What the database (and the batch so far) knows of one listing."""

    id: int
    scope: str
    event: str | None = None
    price: tuple[Any, ...] | None = None
    """The latest stored price, as PRICE_FIELDS."""
    snapshot: dict[str, Any] | None = None
    snapshot_hash: str | None = None
    snapshot_id: int | None = None
    snapshot_run: int | None = None
    """The stored latest snapshot's id and run: a later page of the same run updates it."""
    pending_snapshot: dict[str, Any] | None = None
    """The snapshot row this batch appends (a later page of the same run merges into it)."""
    building: Any = None
    """The current link's building (a Building, or an int id for one already stored)."""
    unit: Any = None
    link_id: int | None = None
    link_run: int | None = None
    """The stored current link's id and run: a later page of the same run updates it."""
    pending_link: int | None = None
    """The index in the batch's links of the link this batch appends for the listing."""
    seen: set[str] = field(default_factory=set)
    """Page kinds already sighted in this run."""
    open_spans: dict[str, int] = field(default_factory=dict)
    """By page kind, the span that ended at the spider's previous run (this run extends it)."""


def _id_of(ref: Any) -> int | None:
    return ref if ref is None or isinstance(ref, int) else ref.id


def _latest_rows(session: Session, model: Any, columns: list[Any], listing_ids: list[int]) -> dict[int, Any]:
    """The newest row of ``model`` for each listing (one query per chunk of ids)."""
    out: dict[int, Any] = {}
    for chunk in _chunks(listing_ids):
        newest = latest_ids(model, model.listing_id.in_(chunk))
        for row in session.connection().execute(select(model.listing_id, *columns).where(model.id.in_(newest))):
            out[row[0]] = row
    return out


def _chunks(values: list[Any], size: int = 1000) -> list[list[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


class _Batch:
    """One batch of observations: read what is known in a few queries, decide in memory, write in bulk."""

    def __init__(self, session: Session, run_id: int | None, items: Sequence[Mapping[str, Any]]):
        self.session = session
        self.run_id = run_id
        self.known: dict[tuple[str, str], _Known] = {}
        self.rows: dict[Any, list[dict[str, Any]]] = {
            ListingEvent: [],
            SightingSpan: [],
            PriceChange: [],
            ListingSnapshot: [],
        }
        self.links: list[tuple[int, Any, Any, dt.datetime]] = []
        self.extended: list[dict[str, Any]] = []
        """Spans this run extends: id, last_run_id, last_seen_at, last_archive_record."""
        self.link_updates: list[tuple[int, Any, Any]] = []
        """Links an earlier batch of this run wrote (id), now to this building and unit."""
        self.snapshot_updates: list[dict[str, Any]] = []
        """Snapshots an earlier batch of this run wrote, merged with what a later page said."""
        self.buildings: dict[tuple[int | None, str], list[dict[str, Any]]] = {}
        self.units: dict[tuple[Any, int], list[dict[str, Any]]] = {}
        """Known flats by (building, floor); a building is an id, or a Building this batch creates."""
        self.new_buildings: list[Building] = []
        self.new_units: list[tuple[Unit, Building | int]] = []
        self._load(items)

    def _load(self, items: Sequence[Mapping[str, Any]]) -> None:
        # Core execution on the session's connection: plain rows, without the ORM's per-row loading.
        session, connection = self.session, self.session.connection()
        by_source: dict[str, set[str]] = {}
        for item in items:
            by_source.setdefault(item["source"], set()).add(str(item["listing_id"]))
        for source, source_ids in by_source.items():
            for chunk in _chunks(sorted(source_ids)):
                query = select(Listing.id, Listing.source_listing_id, Listing.listing_scope).where(
                    Listing.source == source, Listing.source_listing_id.in_(chunk)
                )
                for listing_id, source_id, scope in connection.execute(query):
                    self.known[(source, source_id)] = _Known(listing_id, scope)
        existing = {known.id: known for known in self.known.values()}
        ids = sorted(existing)
        for listing_id, kind in _latest_rows(session, ListingEvent, [ListingEvent.kind], ids).values():
            existing[listing_id].event = kind
        price_columns = [getattr(PriceChange, name) for name in PRICE_FIELDS]
        for row in _latest_rows(session, PriceChange, price_columns, ids).values():
            existing[row[0]].price = tuple(row[1:])
        snapshot_columns = [
            ListingSnapshot.id,
            ListingSnapshot.run_id,
            ListingSnapshot.content_hash,
            *(getattr(ListingSnapshot, f) for f in SNAPSHOT_FIELDS),
        ]
        for row in _latest_rows(session, ListingSnapshot, snapshot_columns, ids).values():
            known = existing[row[0]]
            known.snapshot_id, known.snapshot_run, known.snapshot_hash = row[1], row[2], row[3]
            known.snapshot = dict(zip(SNAPSHOT_FIELDS, row[4:], strict=True))
        link = ListingUnitLink
        link_columns = [link.id, link.run_id, link.building_id, link.unit_id]
        for listing_id, link_id, run_id, building_id, unit_id in _latest_rows(
            session, ListingUnitLink, link_columns, ids
        ).values():
            known = existing[listing_id]
            known.link_id, known.link_run, known.building, known.unit = link_id, run_id, building_id, unit_id
        if self.run_id is not None:
            previous = previous_finished_run(connection, self.run_id)
            since = previous if previous is not None else self.run_id
            spans = (SightingSpan.id, SightingSpan.listing_id, SightingSpan.page_kind)
            for chunk in _chunks(ids):
                open_or_covering = select(*spans, SightingSpan.first_run_id, SightingSpan.last_run_id).where(
                    SightingSpan.listing_id.in_(chunk), SightingSpan.last_run_id >= since
                )
                for span_id, listing_id, page_kind, first_run, last_run in connection.execute(open_or_covering):
                    if first_run <= self.run_id <= last_run:
                        existing[listing_id].seen.add(page_kind)
                    elif last_run == previous:
                        existing[listing_id].open_spans[page_kind] = span_id
        self._load_buildings(items)

    def _load_buildings(self, items: Sequence[Mapping[str, Any]]) -> None:
        keys: set[str] = set()
        for item in items:
            known = self.known.get((item["source"], str(item["listing_id"])))
            for name in (
                item.get("building_name"),
                known.snapshot.get("building_name") if known and known.snapshot else None,
            ):
                key = building_name_key(name)
                if key is not None:
                    keys.add(key)
        connection = self.session.connection()
        columns = (Building.id, Building.ward_code, Building.name_key, Building.built_year, Building.built_month)
        building_ids: list[int] = []
        for chunk in _chunks(sorted(keys)):
            query = select(*columns, Building.total_floors).where(Building.name_key.in_(chunk)).order_by(Building.id)
            for building_id, ward_code, name_key, year, month, floors in connection.execute(query):
                facts = {"id": building_id, "built_year": year, "built_month": month, "total_floors": floors}
                self.buildings.setdefault((ward_code, name_key), []).append(facts)
                building_ids.append(building_id)
        unit_columns = (Unit.id, Unit.building_id, Unit.floor, Unit.area_m2, Unit.layout, Unit.direction)
        for chunk in _chunks(building_ids):
            units = select(*unit_columns).where(Unit.building_id.in_(chunk)).order_by(Unit.id)
            for unit_id, in_building, floor, area, layout, direction in connection.execute(units):
                unit = {"id": unit_id, "floor": floor, "area_m2": area, "layout": layout, "direction": direction}
                self.units.setdefault((in_building, floor), []).append(unit)

    def create_listings(self, items: Sequence[Mapping[str, Any]]) -> set[tuple[str, str]]:
        """Insert the listings seen for the first time (their ids are needed by every other row)."""
        created: dict[tuple[str, str], dict[str, Any]] = {}
        for item in items:
            key = (item["source"], str(item["listing_id"]))
            if key in self.known or key in created:
                continue
            created[key] = listing_row(
                item["source"],
                key[1],
                item["property_type"],
                item.get("listing_scope"),
                item["url"],
                _seen_at(item, None),
                self.run_id,
            )
        if created:
            table = cast(Table, Listing.__table__)
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids = self.session.execute(statement, list(created.values())).scalars().all()
            for (key, row), listing_id in zip(created.items(), ids, strict=True):
                self.known[key] = _Known(listing_id, row["listing_scope"])
        return set(created)

    def building_for(self, known: Mapping[str, Any], now: dt.datetime) -> Any:
        key = building_name_key(known.get("building_name"))
        if key is None or known.get("ward_code") is None:
            return None
        candidates = self.buildings.setdefault((known["ward_code"], key), [])
        for facts in candidates:
            if same_building(facts, known):
                return facts["ref"] if "ref" in facts else facts["id"]
        building = Building(
            name_key=key,
            name=known["building_name"],
            ward_code=known["ward_code"],
            district=known.get("district"),
            built_year=known.get("built_year"),
            built_month=known.get("built_month"),
            total_floors=known.get("total_floors"),
            total_units=known.get("total_units"),
            created_at=now,
            created_run_id=self.run_id,
        )
        self.new_buildings.append(building)
        candidates.append(
            {
                "ref": building,
                "built_year": building.built_year,
                "built_month": building.built_month,
                "total_floors": building.total_floors,
            }
        )
        return building

    def unit_for(self, building: Any, known: Mapping[str, Any], now: dt.datetime) -> Any:
        if known.get("floor") is None or known.get("area_m2") is None:
            return None
        candidates = self.units.setdefault((building, known["floor"]), [])
        matches = [facts for facts in candidates if same_unit(facts, known)]
        if matches:
            best = min(matches, key=lambda facts: abs(facts["area_m2"] - float(known["area_m2"])))
            return best["ref"] if "ref" in best else best["id"]
        unit = Unit(
            floor=known["floor"],
            area_m2=float(known["area_m2"]),
            layout=known.get("layout"),
            direction=known.get("direction"),
            created_at=now,
            created_run_id=self.run_id,
        )
        self.new_units.append((unit, building))
        candidates.append(
            {
                "ref": unit,
                "floor": unit.floor,
                "area_m2": unit.area_m2,
                "layout": unit.layout,
                "direction": unit.direction,
            }
        )
        return unit

    def link(self, state: _Known, known: Mapping[str, Any], now: dt.datetime) -> bool:
        building = self.building_for(known, now)
        unit = self.unit_for(building, known, now) if building is not None and state.scope == "unit" else None
        if state.building is not None or state.unit is not None:
            if (state.building, state.unit) == (building, unit):
                return False
            # Never downgrade: a list card without a floor does not undo a unit the detail page gave.
            if unit is None and state.unit is not None and state.building == building:
                return False
            if building is None and state.building is not None:
                return False
        if building is None:
            return False
        # One link a night, as one snapshot: the detail page's flat replaces the list card's building link
        # of the same run (keeping its time).
        if self.run_id is not None and state.pending_link is not None:
            at = self.links[state.pending_link][3]
            self.links[state.pending_link] = (state.id, building, unit, at)
        elif self.run_id is not None and state.link_id is not None and state.link_run == self.run_id:
            self.link_updates.append((state.link_id, building, unit))
        else:
            state.pending_link = len(self.links)
            self.links.append((state.id, building, unit, now))
        state.building, state.unit = building, unit
        return True

    def observe(self, item: Mapping[str, Any], new: bool, now: dt.datetime) -> Outcome:
        outcome = Outcome(new_listing=new)
        seen_at = _seen_at(item, now)
        state = self.known[(item["source"], str(item["listing_id"]))]
        if new:
            record = item.get("archive_record")
            self.rows[ListingEvent].append(
                event_row(state.id, self.run_id, EventKind.FIRST_SEEN, seen_at, archive_record=record)
            )
            state.event = EventKind.FIRST_SEEN
        elif state.event in GONE_KINDS:
            previous = last_seen_at(self.session, state.id, before_run=self.run_id)
            gap = (seen_at - previous).total_seconds() / 86400 if previous else None
            self.rows[ListingEvent].append(
                event_row(
                    state.id, self.run_id, EventKind.RELISTED, seen_at, gap, archive_record=item.get("archive_record")
                )
            )
            state.event = EventKind.RELISTED
            outcome.relisted = True

        page_kind = item.get("page_kind") or "list"
        if self.run_id is not None and page_kind not in state.seen:
            record = item.get("archive_record")
            span = state.open_spans.pop(page_kind, None)
            if span is None:
                self.rows[SightingSpan].append(span_row(state.id, page_kind, self.run_id, seen_at, record))
            else:
                self.extended.append(
                    {"last_run_id": self.run_id, "last_seen_at": seen_at, "last_archive_record": record, "id": span}
                )
            state.seen.add(page_kind)

        # Within a night the list card's price wins: a detail page can lag the list by a day, and taking
        # its price would flip the history back and forth.
        lagging_detail = page_kind == "detail" and "list" in state.seen
        if item.get("price_status") is not None and not lagging_detail:
            new_price = price_of(item)
            if not same_price(state.price, new_price):
                self.rows[PriceChange].append(
                    price_row(
                        state.id,
                        self.run_id,
                        seen_at,
                        new_price,
                        state.price,
                        item.get("archive_record"),
                        item.get("price_text"),
                    )
                )
                outcome.price_changed = state.price is not None
                state.price = new_price

        merged = merged_snapshot(state.snapshot, item)
        # Compare values first: hashing every unchanged listing's snapshot is most of a quiet night's work.
        digest = state.snapshot_hash if merged == state.snapshot else content_hash(merged)
        if state.snapshot_hash != digest:
            row = snapshot_row(state.id, self.run_id, seen_at, merged, digest, item.get("archive_record"))
            # One snapshot a night: a later page of the run (the detail page after the list card) merges
            # into the run's snapshot, which keeps its time (the night's first sight of the listing).
            changes = {key: row[key] for key in ("content_hash", *SNAPSHOT_FIELDS, "archive_record")}
            if self.run_id is not None and state.pending_snapshot is not None:
                state.pending_snapshot.update(changes)
            elif self.run_id is not None and state.snapshot_id is not None and state.snapshot_run == self.run_id:
                self.snapshot_updates.append(changes | {"id": state.snapshot_id})
            else:
                self.rows[ListingSnapshot].append(row)
                state.pending_snapshot = row
            state.snapshot, state.snapshot_hash = merged, digest
            outcome.snapshot = True
        outcome.relinked = self.link(state, merged, seen_at)
        return outcome

    def write(self) -> None:
        session = self.session
        if self.new_buildings:
            session.add_all(self.new_buildings)
            session.flush()
        if self.new_units:
            for unit, building in self.new_units:
                unit.building_id = _id_of(building)  # type: ignore[assignment]
            session.add_all([unit for unit, _ in self.new_units])
            session.flush()
        for model, rows in self.rows.items():
            _insert_rows(session, model, rows)
        update_rows(session.connection(), cast(Table, SightingSpan.__table__), self.extended)
        update_rows(session.connection(), cast(Table, ListingSnapshot.__table__), self.snapshot_updates)
        if self.link_updates:
            updates = [
                {
                    "building_id": _id_of(building),
                    "unit_id": _id_of(unit),
                    "rule": link_rule(_id_of(unit)),
                    "id": link_id,
                }
                for link_id, building, unit in self.link_updates
            ]
            update_rows(session.connection(), cast(Table, ListingUnitLink.__table__), updates)
        if self.links:
            rows = [
                link_row(listing_id, cast(int, _id_of(building)), _id_of(unit), at, self.run_id)
                for listing_id, building, unit, at in self.links
            ]
            _insert_rows(session, ListingUnitLink, rows)


def _row_keys(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row)


def _insert_rows(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    insert_rows(session.connection(), cast(Table, model.__table__), rows)


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert plain rows in order, one executemany per run of rows with the same keys.

    The rows go to the driver's own ``executemany`` with each value passed through its column type's
    bind processor (the UTC type, JSON, dates), which is what a Core insert does too, without its
    per-row parameter building (that cost more than the database's own work on a first night).
    """
    if not rows:
        return
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    mark = "%s" if dialect.paramstyle in ("format", "pyformat") else "?"
    for keys, group in itertools.groupby(rows, key=_row_keys):
        processors = [table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys]
        processed = [(index, process) for index, process in enumerate(processors) if process is not None]
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(key) for key in keys)}) "
            f"VALUES ({', '.join([mark] * len(keys))})"
        )
        params = []
        for row in group:
            values = list(row.values())
            for index, process in processed:
                values[index] = process(values[index])
            params.append(tuple(values))
        connection.exec_driver_sql(sql, params)


def update_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Update rows by id in one executemany (each row: the new values, then ``id``), values passed
    through their column types' bind processors as :func:`insert_rows` does."""
    if not rows:
        return
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    mark = "%s" if dialect.paramstyle in ("format", "pyformat") else "?"
    keys = [key for key in rows[0] if key != "id"]
    processors = [table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys]
    sql = (
        f"UPDATE {quote(table.name)} SET {', '.join(f'{quote(key)} = {mark}' for key in keys)} "
        f"WHERE {quote('id')} = {mark}"
    )
    params = [
        (
            *(
                process(row[key]) if process is not None else row[key]
                for key, process in zip(keys, processors, strict=True)
            ),
            row["id"],
        )
        for row in rows
    ]
    connection.exec_driver_sql(sql, params)


def previous_finished_run(connection: Connection, run_id: int) -> int | None:
    """The spider's run before ``run_id``, when it finished (a span of consecutive runs may extend from
    it); None when there is none or it never finished (a crashed run's end is unknown: never inside a
    span)."""
    spider = select(CrawlRun.spider).where(CrawlRun.id == run_id).scalar_subquery()
    row = connection.execute(
        select(CrawlRun.id, CrawlRun.finished_at)
        .where(CrawlRun.spider == spider, CrawlRun.id < run_id)
        .order_by(CrawlRun.id.desc())
        .limit(1)
    ).first()
    return row[0] if row is not None and row[1] is not None else None


def _seen_at(item: Mapping[str, Any], now: dt.datetime | None) -> dt.datetime:
    seen_at = item.get("scraped_at") or now
    if isinstance(seen_at, str):
        seen_at = dt.datetime.fromisoformat(seen_at)
    assert seen_at is not None, "an observation needs scraped_at or now"
    return seen_at


def last_seen_at(session: Session, listing_id: int, before_run: int | None = None) -> dt.datetime | None:
    query = select(func.max(SIGHTINGS.c.seen_at)).where(SIGHTINGS.c.listing_id == listing_id)
    if before_run is not None:
        query = query.where(SIGHTINGS.c.run_id != before_run)
    value = session.scalar(query)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def record_observations(
    session: Session, run_id: int | None, items: Sequence[Mapping[str, Any]], now: dt.datetime
) -> list[Outcome]:
    """Append what a batch of listing items adds to the history, in order (see the module docstring).

    The same as calling :func:`record_observation` item by item, in a handful of queries: what is known
    of the batch's listings, buildings and units is read first, the decisions are made in memory (a
    later item of the batch sees what an earlier one added), and the new rows are inserted in bulk.
    """
    if not items:
        return []
    batch = _Batch(session, run_id, items)
    created = batch.create_listings(items)
    outcomes = []
    for item in items:
        key = (item["source"], str(item["listing_id"]))
        outcomes.append(batch.observe(item, key in created, now))
        created.discard(key)
    batch.write()
    return outcomes


def record_observation(session: Session, run_id: int | None, item: Mapping[str, Any], now: dt.datetime) -> Outcome:
    """Append what one listing item adds to the history (see the module docstring)."""
    return record_observations(session, run_id, [item], now)[0]


def crawl_knowledge(
    session: Session, source: str, property_type: str
) -> dict[str, tuple[tuple[Any, ...] | None, dt.datetime | None]]:
    """What a crawl's detail policy needs of each known listing of a source and type, by the site's
    listing id: its latest stored price (as PRICE_FIELDS, None before any) and when its detail page
    was last read on a trusted night (None if never). A detail page read while the site dropped a
    field (a renamed label: a suspect night) does not count, so it is read again."""
    latest_price = latest_per_listing(PriceChange)
    last_detail = (
        select(SIGHTINGS.c.listing_id, func.max(SIGHTINGS.c.seen_at).label("seen_at"))
        .join(CrawlRun, CrawlRun.id == SIGHTINGS.c.run_id)
        .where(SIGHTINGS.c.page_kind == "detail", CrawlRun.verdict == Verdict.COMPLETE_HEALTHY)
        .group_by(SIGHTINGS.c.listing_id)
        .subquery()
    )
    query = (
        select(Listing.source_listing_id, *(getattr(PriceChange, f) for f in PRICE_FIELDS), last_detail.c.seen_at)
        .select_from(Listing)
        .outerjoin(latest_price, latest_price.c.listing_id == Listing.id)
        .outerjoin(PriceChange, PriceChange.id == latest_price.c.id)
        .outerjoin(last_detail, last_detail.c.listing_id == Listing.id)
        .where(Listing.source == source, Listing.property_type == property_type)
    )
    known: dict[str, tuple[tuple[Any, ...] | None, dt.datetime | None]] = {}
    for listing_id, *price, detail_at in session.execute(query):
        if isinstance(detail_at, str):
            detail_at = dt.datetime.fromisoformat(detail_at)
        if detail_at is not None and detail_at.tzinfo is None:
            detail_at = detail_at.replace(tzinfo=dt.UTC)
        known[listing_id] = (tuple(price) if price[0] is not None else None, detail_at)
    return known
