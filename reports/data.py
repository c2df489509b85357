"""Read the database's views into pandas frames for the report (one query per view)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

JST = "Asia/Tokyo"


@dataclass
class ReportData:
    listings: pd.DataFrame
    """v_listings plus ``unit_key``: the unit id, or a negative listing id for a listing without a unit."""
    prices: pd.DataFrame
    """listing_id, seen_at (JST), price_yen: every change of asking price."""
    sightings: pd.DataFrame
    """listing_id, date (JST): each night a list page showed the listing."""
    removals: pd.DataFrame
    """listing_id, at (JST): removed or ended events."""
    runs: pd.DataFrame
    """v_crawl_runs with started_at in JST."""

    @property
    def empty(self) -> bool:
        return self.listings.empty or self.sightings.empty


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
        sightings = pd.read_sql(
            "SELECT s.listing_id, s.seen_at FROM sightings s JOIN listings l ON l.id = s.listing_id"
            " WHERE s.page_kind = 'list' AND l.property_type = 'used'",
            connection,
        )
        removals = pd.read_sql(
            "SELECT listing_id, at FROM listing_events WHERE kind IN ('removed', 'ended')", connection
        )
        runs = pd.read_sql("SELECT * FROM v_crawl_runs", connection)
    for frame, column in (
        (listings, "first_seen_at"),
        (listings, "last_seen_at"),
        (listings, "removed_at"),
        (prices, "seen_at"),
        (sightings, "seen_at"),
        (removals, "at"),
        (runs, "started_at"),
    ):
        if not frame.empty:
            frame[column] = _jst(frame[column])
    listings["unit_key"] = listings["unit_id"].fillna(-listings["listing_id"]).astype("int64")
    sightings["date"] = (
        sightings["seen_at"].dt.normalize() if not sightings.empty else pd.Series(dtype="datetime64[ns, Asia/Tokyo]")
    )
    return ReportData(listings, prices, sightings, removals, runs)
