"""SQLAlchemy 2.0 models of the price-history database (documented in docs/schema.md).

Identity rows (buildings, units, listings) are written once. History is append-only: price changes,
snapshots of a listing's attributes, events (first seen, removed, relisted, ended) and links from
listings to units. Sightings are kept as spans of consecutive runs, the one thing a later run extends
(its last run, time and record); besides them only a crawl run's own bookkeeping (its end, counts and
verdict) is updated in place.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every engine (SQLite stores it naive; it comes back aware)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store UTC-aware datetimes only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


Yen = Annotated[int | None, mapped_column(BigInteger)]
"""Money as integer yen (BIGINT: prices above 2.1 billion yen exist)."""
UTC = Annotated[dt.datetime, mapped_column(UTCDateTime())]
UTCOptional = Annotated[dt.datetime | None, mapped_column(UTCDateTime())]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, str: String(255)}  # noqa: RUF012 (SQLAlchemy API)


class CrawlRun(Base):
    """One spider run: when, what it covered, what it saw, and whether it can be trusted."""

    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_spider_id", "spider", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    spider: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))
    property_type: Mapped[str] = mapped_column(String(8))
    wards: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[UTC]
    finished_at: Mapped[UTCOptional]
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    complete: Mapped[bool | None]
    healthy: Mapped[bool | None]
    verdict: Mapped[str | None] = mapped_column(String(32))
    verdict_reasons: Mapped[str | None] = mapped_column(Text)
    list_pages: Mapped[int | None]
    detail_pages: Mapped[int | None]
    items: Mapped[int | None]
    blocked: Mapped[int | None]
    errors: Mapped[int | None]
    new_listings: Mapped[int | None]
    price_changes: Mapped[int | None]
    removed: Mapped[int | None]
    relisted: Mapped[int | None]
    stats: Mapped[dict[str, Any] | None]
    night: Mapped[dt.date | None]
    """The night the run belongs to: the Japan date of the morning it ran in (noon to noon JST), so a
    02:30 crawl and a re-run at 23:00 the evening before are one night (db.nights)."""
    ended: Mapped[int | None]
    """Listings marked ended from their "listing ended" page (accepted only on a trusted night)."""
    removals_held: Mapped[int | None]
    """Removals not applied because they were too many for one night (held for review)."""


class CrawlRunWard(Base):
    """A run's view of one ward: the site's hit count against the cards seen, and the ward's verdict.

    Removal rules read this table: only complete and healthy ward runs can mark a listing removed.
    """

    __tablename__ = "crawl_run_wards"

    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), primary_key=True)
    ward_code: Mapped[int] = mapped_column(primary_key=True)
    ward: Mapped[str] = mapped_column(String(32))
    hits: Mapped[int | None]
    cards: Mapped[int]
    list_pages_failed: Mapped[int]
    complete: Mapped[bool]
    healthy: Mapped[bool]
    reasons: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[str | None] = mapped_column(String(32))
    """complete_healthy, suspect (a sudden fall against the ward's recent healthy nights), incomplete,
    unhealthy or incomplete_unhealthy. Only complete_healthy wards are trusted (healthy is false for
    a suspect ward)."""
    list_pages: Mapped[int | None]
    """List pages parsed for the ward."""
    stored: Mapped[int | None]
    """Listings of the ward whose list sighting the database holds for this run (what was stored, not
    what the spider counted)."""
    exact: Mapped[bool | None]
    """Every listing the site counted was seen (cards ≥ hits): only such a night is evidence that a
    listing is gone."""
    removed: Mapped[int | None]
    removals_held: Mapped[int | None]


class CrawlRunField(Base):
    """How often a run's items carried each field, per page kind (``list``, ``detail``): the field
    baselines of the verdict (a renamed label empties a field without any parse error)."""

    __tablename__ = "crawl_run_fields"

    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), primary_key=True)
    page_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    items: Mapped[int]
    filled: Mapped[int]


class Building(Base):
    """A building: normalised name (advertising copy stripped) + ward + built year-month + height."""

    __tablename__ = "buildings"
    __table_args__ = (Index("ix_buildings_ward_name", "ward_code", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_key: Mapped[str]
    name: Mapped[str] = mapped_column(Text)
    ward_code: Mapped[int | None]
    district: Mapped[str | None] = mapped_column(String(64))
    built_year: Mapped[int | None]
    built_month: Mapped[int | None]
    total_floors: Mapped[int | None]
    total_units: Mapped[int | None]
    created_at: Mapped[UTC]
    created_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))


class Unit(Base):
    """One physical flat: a building, a floor, a floor area (±0.5 m²), a layout, a direction."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    floor: Mapped[int]
    area_m2: Mapped[float] = mapped_column(Float)
    layout: Mapped[str | None] = mapped_column(String(32))
    direction: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[UTC]
    created_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))


class Listing(Base):
    """One advert on one site, keyed by the site and its own listing id."""

    __tablename__ = "listings"
    __table_args__ = (UniqueConstraint("source", "source_listing_id", name="uq_listings_source_listing"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    source_listing_id: Mapped[str] = mapped_column(String(32))
    property_type: Mapped[str] = mapped_column(String(8))
    listing_scope: Mapped[str] = mapped_column(String(8))
    url: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[UTC]
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))


class ListingUnitLink(Base):
    """Which building and unit a listing belongs to, and by which rule; the latest row is current."""

    __tablename__ = "listing_unit_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    rule: Mapped[str] = mapped_column(String(64))
    linked_at: Mapped[UTC]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))


class SightingSpan(Base):
    """A stretch of consecutive runs of one spider in which a listing was on a list page
    (``page_kind = list``) or its detail page was read: the storage of the ``sightings`` view.

    A listing on sale for 90 nights costs one row, not 90: each run extends the stretch that ended at
    the spider's previous run (a finished one), and starts a new one after a gap. The first and last
    runs keep their exact time and archived page; the runs between are the spider's runs in the id
    range (``db/view_sql/0012/sightings.sql``).
    """

    __tablename__ = "sighting_spans"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    page_kind: Mapped[str] = mapped_column(String(8))
    first_run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    last_run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    first_seen_at: Mapped[UTC]
    last_seen_at: Mapped[UTC]
    first_archive_record: Mapped[str | None] = mapped_column(String(64))
    """The archived response (WARC-Record-ID) that showed it on the first run (docs/archive.md)."""
    last_archive_record: Mapped[str | None] = mapped_column(String(64))
    """The archived response that showed it on the last run."""


SIGHTINGS = Table(
    "sightings",
    MetaData(),
    Column("run_id", Integer),
    Column("listing_id", Integer),
    Column("page_kind", String(8)),
    Column("seen_at", UTCDateTime()),
    Column("archive_record", String(64)),
)
"""The ``sightings`` view (one row per run, listing and page kind, expanded from ``sighting_spans``),
for reading; its own metadata, so nothing creates it as a table."""


class PriceChange(Base):
    """One row per change of a listing's asking price (the first price included)."""

    __tablename__ = "price_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    seen_at: Mapped[UTC]
    price_status: Mapped[str] = mapped_column(String(16))
    price_yen: Mapped[Yen]
    price_min_yen: Mapped[Yen]
    price_max_yen: Mapped[Yen]
    price_planned: Mapped[bool | None]
    """The price was marked 予定 (planned, not final); NULL on rows written before it was kept (0004)."""
    previous_price_yen: Mapped[Yen]
    archive_record: Mapped[str | None] = mapped_column(String(64))
    """The archived response that showed this price first."""
    price_text: Mapped[str | None] = mapped_column(Text)
    """The price as printed when it is not one exact amount (``約1億円``: status ``approximate``, a range,
    a band, 価格未定); NULL for an exact price and on rows written before it was kept (0009)."""


class ListingEvent(Base):
    """Lifecycle events: ``first_seen``, ``removed`` (absent from K healthy runs), ``ended`` (the
    site's "listing ended" page), ``relisted`` (seen again after a removal, with the gap)."""

    __tablename__ = "listing_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[UTC]
    gap_days: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    archive_record: Mapped[str | None] = mapped_column(String(64))
    """The archived page behind the event (first seen, relisted, the site's "listing ended" page);
    null for a removal, which is an absence."""


class ListingSnapshot(Base):
    """A listing's attributes, appended whenever what we know about it changes."""

    __tablename__ = "listing_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    observed_at: Mapped[UTC]
    archive_record: Mapped[str | None] = mapped_column(String(64))
    """The archived response whose page gave what changed."""
    content_hash: Mapped[str] = mapped_column(String(64))
    building_name: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    ward_code: Mapped[int | None]
    ward_name: Mapped[str | None] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(64))
    area_group: Mapped[str | None] = mapped_column(String(16))
    area_m2: Mapped[float | None] = mapped_column(Float)
    area_basis: Mapped[str | None] = mapped_column(String(16))
    area_min_m2: Mapped[float | None] = mapped_column(Float)
    area_max_m2: Mapped[float | None] = mapped_column(Float)
    balcony_m2: Mapped[float | None] = mapped_column(Float)
    layout: Mapped[str | None] = mapped_column(String(64))
    rooms: Mapped[int | None]
    rooms_min: Mapped[int | None]
    rooms_max: Mapped[int | None]
    floor: Mapped[int | None]
    floor_top: Mapped[int | None]
    direction: Mapped[str | None] = mapped_column(String(8))
    total_floors: Mapped[int | None]
    basement_floors: Mapped[int | None]
    structure: Mapped[str | None] = mapped_column(String(8))
    built_year: Mapped[int | None]
    built_month: Mapped[int | None]
    total_units: Mapped[int | None]
    units_on_sale: Mapped[int | None]
    line: Mapped[str | None] = mapped_column(String(64))
    station: Mapped[str | None] = mapped_column(String(64))
    walk_minutes: Mapped[int | None]
    bus_minutes: Mapped[int | None]
    bus_stop_walk_minutes: Mapped[int | None]
    management_fee_yen: Mapped[Yen]
    repair_reserve_yen: Mapped[Yen]
    most_common_price_yen: Mapped[Yen]
    agent: Mapped[str | None] = mapped_column(Text)
    delivery: Mapped[str | None] = mapped_column(String(128))
    delivery_year: Mapped[int | None]
    delivery_month: Mapped[int | None]
    info_date: Mapped[dt.date | None]
    next_update_date: Mapped[dt.date | None]
    plans: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    sale_phase: Mapped[str | None] = mapped_column(Text)
    """New-condo projects: the sale phase (期) of each price line (0008)."""
    sale_schedule: Mapped[str | None] = mapped_column(Text)
    land_tenure: Mapped[str | None] = mapped_column(String(24))
    """ownership, leasehold, fixed_term_leasehold, superficies; NULL when unknown (0008)."""
    land_tenure_raw: Mapped[str | None] = mapped_column(Text)
    lease_years_remaining: Mapped[int | None]
    energy_performance: Mapped[str | None] = mapped_column(Text)
    insulation_performance: Mapped[str | None] = mapped_column(Text)
    utility_cost: Mapped[str | None] = mapped_column(Text)
    # Resale signals of used-condo detail pages (0010; docs/data-format.md)
    handover: Mapped[str | None] = mapped_column(String(16))
    parking: Mapped[str | None] = mapped_column(String(16))
    zoning_raw: Mapped[str | None] = mapped_column(Text)
    agent_licence: Mapped[str | None] = mapped_column(Text)
    agent_licence_renewals: Mapped[int | None]
    feature_tags: Mapped[str | None] = mapped_column(Text)
    remarks: Mapped[str | None] = mapped_column(Text)
    agent_comment: Mapped[str | None] = mapped_column(Text)
    unoccupied: Mapped[bool | None]
    unoccupied_source: Mapped[str | None] = mapped_column(String(16))
    rented: Mapped[bool | None]
    rented_source: Mapped[str | None] = mapped_column(String(16))
    marketed_in_chinese: Mapped[bool | None]
    marketed_in_chinese_source: Mapped[str | None] = mapped_column(String(16))


SNAPSHOT_FIELDS: tuple[str, ...] = tuple(
    column.key
    for column in ListingSnapshot.__table__.columns
    if column.key not in {"id", "listing_id", "run_id", "observed_at", "content_hash", "archive_record"}
)
"""Item fields kept in snapshots (everything but identity and price, which have tables of their own)."""


class JobOutcome(enum.StrEnum):
    """``job_runs.outcome``."""

    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    RETRYING = "retrying"
    """Failed; a retry is scheduled with back-off."""
    SKIPPED_LOCKED = "skipped_locked"
    """Not run: another process held the job's lock."""
    INTERRUPTED = "interrupted"
    """The process running it ended without recording an outcome."""


class JobRun(Base):
    """One run (or attempt) of a scheduled job: the nightly crawl, the weekly report, maintenance."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64), index=True)
    attempt: Mapped[int]
    scheduled_for: Mapped[UTCOptional]
    started_at: Mapped[UTC]
    finished_at: Mapped[UTCOptional]
    outcome: Mapped[str] = mapped_column(String(32))
    """A :class:`JobOutcome`."""
    error: Mapped[str | None] = mapped_column(Text)


class ClosedPriceRecord(Base):
    """One used-condo price record of MLIT's XIT001 API (closed_prices): a transaction price (buyers'
    questionnaires) or a contract price (closed sales reported to REINS), per municipality and quarter."""

    __tablename__ = "closed_prices"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_key: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the record as published: importing a response twice stores it once."""
    price_category: Mapped[str] = mapped_column(String(16))
    ward_code: Mapped[int | None] = mapped_column(index=True)
    municipality: Mapped[str | None] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(64))
    district_code: Mapped[str | None] = mapped_column(String(16))
    quarter: Mapped[str] = mapped_column(String(6), index=True)
    price_yen: Mapped[int] = mapped_column(BigInteger)
    area_m2: Mapped[float | None] = mapped_column(Float)
    area_capped: Mapped[bool]
    price_per_m2: Mapped[float | None] = mapped_column(Float)
    layout: Mapped[str | None] = mapped_column(String(32))
    built_year: Mapped[int | None]
    built_prewar: Mapped[bool]
    structure: Mapped[str | None] = mapped_column(String(32))
    renovated: Mapped[bool | None]
    remarks: Mapped[str | None] = mapped_column(Text)
    special_sale: Mapped[bool]
    raw: Mapped[dict[str, Any]]
    """Every key of the record as published, the unknown ones too."""
    source: Mapped[str] = mapped_column(String(255))
    """The file or request (without the key) it came from."""
    imported_at: Mapped[UTC]


class Correction(Base):
    """A value the history held that a re-parse of the archived pages with today's parsers gives
    differently (``condo reparse --corrections``): a field an old parser missed or misread. Applied
    corrections are appended as a new snapshot (run_id null: not a crawl's observation); a price is never
    corrected in ``price_history`` (that would be a fake market event), only reported here."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    stored_value: Mapped[str | None] = mapped_column(Text)
    """The value the database held (JSON text), null when it held none."""
    archived_value: Mapped[str | None] = mapped_column(Text)
    """The value today's parsers read from the archived page (JSON text)."""
    archive_record: Mapped[str | None] = mapped_column(String(64))
    applied: Mapped[bool]
    corrected_at: Mapped[UTC]
