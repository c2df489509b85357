"""Read the database into pandas frames for the report: the views it shows, and the nights each listing
was on sale, written out from the sighting spans (``sighting_spans``) of the weeks the report covers.

``load(engine, since)`` reads only what a report from ``since`` on needs: the listings on sale at some
point since then (with their prices, events and runs), so its time and memory follow the weeks shown,
not the years of history kept. ``since=None`` reads the whole history (the index benchmark, the demo).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, inspect, select

from db.models import CrawlRun, Listing, SightingSpan
from db.places.wards import TRACKED_WARDS
from db.rows import GONE_KINDS

JST = "Asia/Tokyo"
SPANS_CHUNK = 200_000
"""Rows a chunked read takes at a time (the drivers' Python objects of a whole table are most of a read's
peak memory)."""
UNREAD_LISTING_COLUMNS = frozenset(
    {
        "url",
        "source_listing_id",
        "station",
        "structure",
        "direction",
        "agent",
        "remarks",
        "agent_comment",
        "feature_tags",
        "agent_licence",
        "land_tenure_raw",
        "zoning_raw",
        "delivery",
        "sale_phase",
        "handover",
        "parking",
        "unoccupied_source",
        "rented_source",
        "marketed_in_chinese_source",
        # Derived or constant for the used flats it reads, or new-condo facts: read, they were a third of
        # the listings' frame (110 MB at 30,000 live listings × 56 weeks).
        "source",
        "property_type",
        "listing_scope",
        "status",
        "ward_name",
        "price_status",
        "price_min_yen",
        "price_max_yen",
        "price_planned",
        "units_on_sale",
        "most_common_price_yen",
        "agent_licence_renewals",
        "management_fee_yen",
        "repair_reserve_yen",
        "lease_years_remaining",
        "age_years",
        "days_on_market",
        "first_seen_night_jst",
        "last_seen_night_jst",
        "removed_night_jst",
        "first_seen_week_jst",
        "removed_week_jst",
    }
)
"""v_listings' columns the report never reads: not read (most of a listing row's memory at 30,000
listings). ``removed_at``, ``first_seen_at`` and ``last_seen_at`` give the nights and weeks."""
CLOSED_COLUMNS = ["ward_code", "district", "quarter", "price_category", "price_per_m2", "area_capped", "special_sale"]
PROJECT_COLUMNS = [
    "listing_id",
    "ward_code",
    "district",
    "area_min_m2",
    "area_max_m2",
    "land_tenure",
    "first_seen_at",
    "last_seen_at",
    "removed_at",
]
BUILDING_COLUMNS = ["building_id", "completion_year", "completion_month", "total_units", "project_mid_per_m2"]
HISTORY_COLUMNS = [
    "listing_id",
    "changed_at",
    "price_min_yen",
    "price_max_yen",
    "previous_price_min_yen",
    "price_range_changed",
    "phase_changed",
    "sale_phase",
    "units_on_sale",
]


@dataclass
class ReportData:
    listings: pd.DataFrame
    """v_listings plus ``unit_key``: the unit id, or a negative listing id for a listing without a unit."""
    prices: pd.DataFrame
    """listing_id, seen_at (JST), price_yen: every change of asking price."""
    sightings: pd.DataFrame
    """listing_id, seen_at (JST): each night a list page showed the listing, in time order (from ``since``
    on). A sighting's Japan date is ``seen_at``'s midnight (``dt.normalize()``): not kept as a column, a
    year of nights at 30,000 listings is 11 million rows."""
    removals: pd.DataFrame
    """listing_id, at (JST): removed or ended events."""
    runs: pd.DataFrame
    """v_crawl_runs with started_at in JST."""
    ward_runs: pd.DataFrame
    """run_id, spider, night, started_at (JST), ward, verdict, removals_held: each run's verdict per ward."""
    closed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CLOSED_COLUMNS))
    """MLIT's closed prices of our wards (v_closed_prices): ward_code, district, quarter,
    price_category, price_per_m2, area_capped, special_sale. Empty until some are imported."""
    projects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROJECT_COLUMNS))
    """New-condo projects (v_projects), times in JST; empty when none was crawled."""
    project_history: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=HISTORY_COLUMNS))
    """Their offers over time (v_project_history), ``changed_at`` in JST."""
    buildings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BUILDING_COLUMNS))
    """v_buildings' facts: completion, units, and the midpoint of its project's price range per m²."""
    since: pd.Timestamp | None = None
    """The start of what was read (None: the whole history); listings first seen before it are in the
    frames only while still on sale after it."""
    first_seen: pd.Timestamp | None = None
    """The tracker's first list sighting of a used flat (JST), whatever ``since`` was: the index's
    burn-in starts there."""

    @property
    def empty(self) -> bool:
        return self.listings.empty or self.sightings.empty

    @cached_property
    def _sighting_times(self) -> np.ndarray:
        return nanoseconds(self.sightings["seen_at"])

    def sightings_between(self, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        """The sightings with ``start <= seen_at < end`` (a slice: the frame is in time order)."""
        times = self._sighting_times
        first, last = np.searchsorted(times, [start.value, end.value], side="left")
        return self.sightings.iloc[first:last]

    @cached_property
    def price_changes(self) -> pd.DataFrame:
        """listing_id, t (UTC nanoseconds), price_yen in time order: the input of ``merge_asof`` lookups."""
        frame = pd.DataFrame(
            {
                "listing_id": self.prices["listing_id"].to_numpy("int64"),
                "t": nanoseconds(self.prices["seen_at"]),
                "price_yen": self.prices["price_yen"].to_numpy("float64"),
            }
        )
        return frame.sort_values("t", kind="stable").reset_index(drop=True)

    @cached_property
    def unit_of_listing(self) -> pd.Series:
        """unit_key by listing_id."""
        return self.listings.set_index("listing_id")["unit_key"]


def nanoseconds(series: pd.Series) -> np.ndarray:
    """A datetime column as int64 nanoseconds since the epoch (UTC), whatever its unit or time zone."""
    if series.empty:
        return np.empty(0, dtype="int64")
    return pd.DatetimeIndex(series).as_unit("ns").asi8


def _jst(series: pd.Series) -> pd.Series:
    values = pd.to_datetime(series, utc=True, format="mixed")
    return values.dt.tz_convert(JST)


def seen_range(engine: Engine) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The first and last time a list page showed a used flat (JST); None before any."""
    query = (
        select(func.min(SightingSpan.first_seen_at), func.max(SightingSpan.last_seen_at))
        .join(Listing, Listing.id == SightingSpan.listing_id)
        .where(SightingSpan.page_kind == "list", Listing.property_type == "used")
    )
    with engine.connect() as connection:
        first, last = connection.execute(query).one()
    if first is None or last is None:
        return None
    return pd.Timestamp(first).tz_convert(JST), pd.Timestamp(last).tz_convert(JST)


def first_run_since(connection: Connection, since: pd.Timestamp | None) -> int:
    """The first run that started at or after ``since`` (0 for None: every run)."""
    if since is None:
        return 0
    query = select(func.min(CrawlRun.id)).where(CrawlRun.started_at >= since.tz_convert("UTC").to_pydatetime())
    first = connection.execute(query).scalar()
    return int(first) if first is not None else 2**62


def on_sale_since(first_run: int) -> str:
    """SQL for the listings a list page showed from run ``first_run`` on (their list spans end there or
    later)."""
    return f"SELECT listing_id FROM sighting_spans WHERE page_kind = 'list' AND last_run_id >= {int(first_run)}"


def _utc_nanoseconds(values: pd.Series) -> np.ndarray:
    """Times as the driver returns them (SQLite: naive UTC text; PostgreSQL: aware datetimes) as int64
    nanoseconds since the epoch, UTC."""
    return nanoseconds(pd.to_datetime(values, utc=True, format="ISO8601"))


def list_nights(connection: Connection, first_run: int) -> pd.DataFrame:
    """listing_id, seen_at (JST): a row per run from ``first_run`` on whose list pages showed a used flat,
    written out from the spans (as the ``sightings`` view does: a span's first and last runs at their
    exact time, the runs between at the run's end), in time order. The spans are read in chunks and the
    rows made as arrays: at 30,000 live listings a year is about 11 million rows."""
    query = (
        "SELECT s.listing_id, s.first_run_id, s.last_run_id, s.first_seen_at, s.last_seen_at, r.spider"
        " FROM sighting_spans s JOIN listings l ON l.id = s.listing_id JOIN crawl_runs r ON r.id = s.first_run_id"
        f" WHERE s.page_kind = 'list' AND l.property_type = 'used' AND s.last_run_id >= {int(first_run)}"
    )
    chunks = list(pd.read_sql(query, connection, chunksize=SPANS_CHUNK))
    spans = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
    if spans.empty:
        return pd.DataFrame(
            {"listing_id": pd.Series(dtype="int64"), "seen_at": pd.Series(dtype=f"datetime64[ns, {JST}]")}
        )
    runs = pd.read_sql("SELECT id, spider, finished_at FROM crawl_runs ORDER BY id", connection)
    listing_parts, time_parts = [], []
    for spider, group in spans.groupby("spider", sort=False):
        own = runs[runs["spider"] == spider]
        ids = own["id"].to_numpy("int64")
        # A run's end, the time of the runs inside a span (never an unfinished run: db.history).
        ends = _utc_nanoseconds(own["finished_at"].fillna(own["finished_at"].dropna().min()))
        first = group["first_run_id"].to_numpy("int64")
        last = group["last_run_id"].to_numpy("int64")
        start = np.searchsorted(ids, np.maximum(first, first_run), side="left")
        stop = np.searchsorted(ids, last, side="right")
        counts = stop - start
        offsets = np.cumsum(counts) - counts  # where each span's runs begin in the written-out rows
        positions = np.arange(counts.sum(), dtype="int64")
        positions += np.repeat(start - offsets, counts)
        moments = ends[positions]
        del positions
        # The ends of a span at their own time (its first run only when it falls in the rows read).
        first_in = ids[np.minimum(start, len(ids) - 1)] == first
        moments[offsets[first_in]] = _utc_nanoseconds(group["first_seen_at"])[first_in]
        moments[offsets + counts - 1] = _utc_nanoseconds(group["last_seen_at"])
        listing_parts.append(np.repeat(group["listing_id"].to_numpy("int32"), counts))  # half the bytes
        time_parts.append(moments)
    listing = listing_parts[0] if len(listing_parts) == 1 else np.concatenate(listing_parts)
    moments = time_parts[0] if len(time_parts) == 1 else np.concatenate(time_parts)
    del listing_parts, time_parts
    order = np.argsort(moments, kind="stable")
    moments = moments[order]
    listing = listing[order]
    del order
    seen_at = pd.DatetimeIndex(moments.view("datetime64[ns]")).tz_localize("UTC").tz_convert(JST)
    return pd.DataFrame({"listing_id": listing.astype("int64"), "seen_at": seen_at}, copy=False)


def _read_chunked(sql: str, connection: Connection, rows: int = SPANS_CHUNK) -> pd.DataFrame:
    """``pandas.read_sql`` of ``sql`` in chunks of ``rows`` (a whole table's driver rows at once cost
    more memory than the frame)."""
    chunks = list(pd.read_sql(sql, connection, chunksize=rows))
    if not chunks:
        return pd.read_sql(sql, connection)  # no rows: the columns still
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def load(
    engine: Engine,
    since: pd.Timestamp | None = None,
    seen: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> ReportData:
    """The report's frames: everything, or (``since``) what a report of the weeks from ``since`` on needs.
    ``seen``: :func:`seen_range`, when the caller has read it already."""
    seen = seen or seen_range(engine)
    with engine.connect() as connection:
        first_run = first_run_since(connection, since)
        # The listings a list page showed from the first run on (the whole history without ``since``),
        # and the other listings of their flats (a flat is new when its first listing was first seen).
        on_sale = on_sale_since(first_run)
        units = (
            f"SELECT u.unit_id FROM listing_unit_links u WHERE u.unit_id IS NOT NULL AND u.listing_id IN ({on_sale})"
        )
        shown = f" IN ({on_sale} UNION SELECT k.listing_id FROM listing_unit_links k WHERE k.unit_id IN ({units}))"
        # The nights first: their building's transient arrays are the read's largest.
        sightings = list_nights(connection, first_run)
        columns = [c["name"] for c in inspect(connection).get_columns("v_listings")]
        read = ", ".join(name for name in columns if name not in UNREAD_LISTING_COLUMNS)
        listings = _read_chunked(  # wide rows: small chunks
            f"SELECT {read} FROM v_listings WHERE property_type = 'used' AND listing_id{shown}", connection, 20_000
        )
        prices = _read_chunked(
            "SELECT p.listing_id, p.seen_at, p.price_yen FROM price_history p"
            " JOIN listings l ON l.id = p.listing_id WHERE l.property_type = 'used' AND p.price_yen IS NOT NULL"
            f" AND p.listing_id{shown}",
            connection,
        )
        gone = ", ".join(f"'{kind.value}'" for kind in GONE_KINDS)
        removals = pd.read_sql(
            f"SELECT listing_id, at FROM listing_events WHERE kind IN ({gone}) AND listing_id{shown}",
            connection,
        )
        runs = pd.read_sql(f"SELECT * FROM v_crawl_runs WHERE run_id >= {first_run}", connection)
        closed = pd.DataFrame(columns=CLOSED_COLUMNS)
        if "v_closed_prices" in inspect(connection).get_view_names():
            codes = ", ".join(str(ward.code) for ward in TRACKED_WARDS)
            closed = pd.read_sql(
                f"SELECT {', '.join(CLOSED_COLUMNS)} FROM v_closed_prices WHERE ward_code IN ({codes})", connection
            )
        projects = pd.DataFrame(columns=PROJECT_COLUMNS)
        project_history = pd.DataFrame(columns=HISTORY_COLUMNS)
        if "v_projects" in inspect(connection).get_view_names():
            projects = pd.read_sql(f"SELECT {', '.join(PROJECT_COLUMNS)} FROM v_projects", connection)
            project_history = pd.read_sql(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM v_project_history", connection)
        buildings = pd.DataFrame(columns=BUILDING_COLUMNS)
        if "v_buildings" in inspect(connection).get_view_names():
            buildings = pd.read_sql(
                "SELECT building_id, completion_year, completion_month, total_units,"
                " (project_price_min_per_m2 + project_price_max_per_m2) / 2 AS project_mid_per_m2 FROM v_buildings",
                connection,
            )
        ward_runs = pd.read_sql(
            "SELECT w.run_id, r.spider, r.night, r.started_at, w.ward, w.verdict, w.complete, w.healthy,"
            " w.removals_held FROM crawl_run_wards w JOIN crawl_runs r ON r.id = w.run_id"
            f" WHERE w.run_id >= {first_run} ORDER BY w.run_id",
            connection,
        )
    for frame, column in (
        (listings, "first_seen_at"),
        (listings, "last_seen_at"),
        (listings, "removed_at"),
        (prices, "seen_at"),
        (removals, "at"),
        (runs, "started_at"),
        (ward_runs, "started_at"),
        (projects, "first_seen_at"),
        (projects, "last_seen_at"),
        (projects, "removed_at"),
        (project_history, "changed_at"),
    ):
        if not frame.empty:
            frame[column] = _jst(frame[column])
    listings["unit_key"] = listings["unit_id"].fillna(-listings["listing_id"]).astype("int64")
    return ReportData(
        listings,
        prices,
        sightings,
        removals,
        runs,
        ward_runs,
        closed,
        projects,
        project_history,
        buildings,
        since=since,
        first_seen=seen[0] if seen else None,
    )
