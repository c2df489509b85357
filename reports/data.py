"""Read the database's views into pandas frames for the report (one query per view)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from sqlalchemy import Engine, inspect, select

from db.models import ListingEvent
from db.places.wards import TRACKED_WARDS
from db.rows import GONE_KINDS

JST = "Asia/Tokyo"
SIGHTINGS_CHUNK = 500_000
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
    """listing_id, seen_at, date (JST): each night a list page showed the listing, in time order."""
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


def load(engine: Engine) -> ReportData:
    with engine.connect() as connection:
        listings = pd.read_sql("SELECT * FROM v_listings WHERE property_type = 'used'", connection)
        prices = pd.read_sql(
            "SELECT p.listing_id, p.seen_at, p.price_yen FROM price_history p"
            " JOIN listings l ON l.id = p.listing_id WHERE l.property_type = 'used' AND p.price_yen IS NOT NULL",
            connection,
        )
        # The largest table (a row per listing per night): read in chunks, each converted as it comes,
        # so the text of millions of timestamps is never held at once.
        chunks = [
            chunk.assign(seen_at=_jst(chunk["seen_at"]))
            for chunk in pd.read_sql(
                "SELECT s.listing_id, s.seen_at FROM sightings s JOIN listings l ON l.id = s.listing_id"
                " WHERE s.page_kind = 'list' AND l.property_type = 'used'",
                connection,
                chunksize=SIGHTINGS_CHUNK,
            )
        ]
        sightings = (
            pd.concat(chunks, ignore_index=True)
            if chunks
            else pd.DataFrame(
                {"listing_id": pd.Series(dtype="int64"), "seen_at": pd.Series(dtype=f"datetime64[ns, {JST}]")}
            )
        )
        removals = pd.read_sql(
            select(ListingEvent.listing_id, ListingEvent.at).where(ListingEvent.kind.in_(GONE_KINDS)), connection
        )
        runs = pd.read_sql("SELECT * FROM v_crawl_runs", connection)
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
            " w.removals_held FROM crawl_run_wards w JOIN crawl_runs r ON r.id = w.run_id ORDER BY w.run_id",
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
    sightings = sightings.sort_values("seen_at", kind="stable").reset_index(drop=True)
    sightings["date"] = (
        sightings["seen_at"].dt.normalize() if not sightings.empty else pd.Series(dtype="datetime64[ns, Asia/Tokyo]")
    )
    return ReportData(
        listings, prices, sightings, removals, runs, ward_runs, closed, projects, project_history, buildings
    )
