"""Ward metrics over rolling 4-week windows, counted over units (physical flats), not adverts.

Definitions follow the reports readers know (docs/report.md): Redfin's supply and price-drop
measures, Tokyo Kantei's 70 m²-equivalent price, REINS-style coverage. A flat sold by three agents
counts once; its price is the cheapest of its listings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reports.data import JST, ReportData
from scraper.parsing.area import M2_PER_TSUBO

MIN_UNITS = 20
"""Cells with fewer units are suppressed."""
FAMILY_MIN_M2, FAMILY_MIN_ROOMS = 40.0, 2
"""The 70 m²-equivalent price uses family-type flats only: at least 40 m² and 2 rooms."""
WARDS = {13108: ("Koto", "江東区"), 13105: ("Bunkyo", "文京区"), 13103: ("Minato", "港区")}
AREA_GROUPS = {"3A-Azabu": ("Azabu", "麻布"), "3A-Akasaka": ("Akasaka", "赤坂"), "3A-Aoyama": ("Aoyama", "青山")}
METRICS = (
    "active_units",
    "new_units",
    "inventory_units",
    "removed_units",
    "age_of_inventory_days",
    "days_on_market_removed",
    "removals_per_active",
    "median_price_yen",
    "median_price_per_m2",
    "median_price_per_tsubo",
    "eq70_mean_yen",
    "eq70_median_yen",
    "median_new_listing_price_yen",
    "price_cut_share",
    "median_cut_pct",
    "price_rise_share",
)


def week_end(year: int, week: int) -> pd.Timestamp:
    """The end (exclusive, Monday 00:00 JST) of ISO week ``year-Wweek``."""
    monday = dt.date.fromisocalendar(year, week, 1)
    return pd.Timestamp(monday + dt.timedelta(days=7)).tz_localize(JST)


def iso_week_of(moment: pd.Timestamp) -> tuple[int, int]:
    iso = moment.date().isocalendar()
    return iso.year, iso.week


@dataclass
class Window:
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def label(self) -> str:
        return (self.end - pd.Timedelta(days=1)).date().isoformat()


def units_table(data: ReportData) -> pd.DataFrame:
    """One row per unit with its fixed attributes and first-seen time."""
    listings = data.listings.sort_values("listing_id")
    first = listings.groupby("unit_key").agg(
        first_seen_at=("first_seen_at", "min"),
        ward_code=("ward_code", "first"),
        district=("district", "first"),
        area_group=("area_group", "first"),
        area_m2=("area_m2", "first"),
        rooms=("rooms", "first"),
        total_floors=("total_floors", "first"),
        built_year=("built_year", "first"),
        floor=("floor", "first"),
        walk_minutes=("walk_minutes", "first"),
        listings=("listing_id", "count"),
    )
    return first


def _price_asof(data: ReportData, listing_ids: pd.Series, moments: pd.Series) -> pd.Series:
    """The asking price of each listing as of each moment (NaN before its first price)."""
    query = pd.DataFrame({"listing_id": listing_ids.to_numpy(), "t": moments.to_numpy(), "order": range(len(moments))})
    query = query.sort_values("t")
    prices = data.prices.rename(columns={"seen_at": "t"}).sort_values("t")
    merged = pd.merge_asof(query, prices, on="t", by="listing_id", direction="backward")
    return merged.sort_values("order")["price_yen"].reset_index(drop=True)


def window_units(data: ReportData, units: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Per unit active in the window: its end and start price, and whether it is new, in inventory or removed."""
    seen = data.sightings[(data.sightings["seen_at"] >= window.start) & (data.sightings["seen_at"] < window.end)]
    if seen.empty:
        return pd.DataFrame()
    key = data.listings.set_index("listing_id")["unit_key"]
    last_night = seen["date"].max()
    per_listing = seen.groupby("listing_id").agg(last=("seen_at", "max"), first=("seen_at", "min")).reset_index()
    per_listing["end_price"] = _price_asof(data, per_listing["listing_id"], per_listing["last"])
    start_price = _price_asof(data, per_listing["listing_id"], pd.Series([window.start] * len(per_listing)))
    first_price = _price_asof(data, per_listing["listing_id"], per_listing["first"])
    per_listing["start_price"] = start_price.fillna(first_price)
    per_listing["unit_key"] = per_listing["listing_id"].map(key)
    in_inventory = set(seen.loc[seen["date"] == last_night, "listing_id"].map(key))
    frame = per_listing.groupby("unit_key").agg(end_price=("end_price", "min"), start_price=("start_price", "min"))
    frame = frame.join(units, how="left")
    frame["new"] = (frame["first_seen_at"] >= window.start) & (frame["first_seen_at"] < window.end)
    frame["inventory"] = frame.index.isin(in_inventory)
    removed = data.removals[(data.removals["at"] >= window.start) & (data.removals["at"] < window.end)]
    removed_units = removed.assign(unit_key=removed["listing_id"].map(key)).groupby("unit_key")["at"].max()
    frame["removed_at"] = removed_units.reindex(frame.index)
    frame["removed"] = frame["removed_at"].notna() & ~frame["inventory"]
    frame["last_night"] = last_night
    frame["price_per_m2"] = frame["end_price"] / frame["area_m2"]
    frame["new_price"] = np.where(frame["new"], frame["start_price"], np.nan)
    return frame


def cell_metrics(frame: pd.DataFrame) -> dict[str, float]:
    """The metrics of one cell (an area × segment in one window); suppressed below MIN_UNITS units."""
    active = len(frame)
    out: dict[str, float] = {name: np.nan for name in METRICS}
    out["active_units"] = active
    out["suppressed"] = float(active < MIN_UNITS)
    if active < MIN_UNITS:
        return out
    inventory = frame[frame["inventory"]]
    removed = frame[frame["removed"]]
    family = frame[(frame["area_m2"] >= FAMILY_MIN_M2) & (frame["rooms"] >= FAMILY_MIN_ROOMS)]
    priced = frame.dropna(subset=["end_price", "start_price"])
    cut = priced[priced["end_price"] < priced["start_price"]]
    rise = priced[priced["end_price"] > priced["start_price"]]
    out.update(
        new_units=int(frame["new"].sum()),
        inventory_units=len(inventory),
        removed_units=len(removed),
        age_of_inventory_days=float(
            (inventory["last_night"] - inventory["first_seen_at"].dt.normalize()).dt.days.median()
        )
        if len(inventory)
        else np.nan,
        days_on_market_removed=float((removed["removed_at"] - removed["first_seen_at"]).dt.days.median())
        if len(removed)
        else np.nan,
        removals_per_active=len(removed) / active,
        median_price_yen=float(frame["end_price"].median()),
        median_price_per_m2=float(frame["price_per_m2"].median()),
        median_price_per_tsubo=float(frame["price_per_m2"].median() * M2_PER_TSUBO),
        eq70_mean_yen=float(family["price_per_m2"].mean() * 70) if len(family) else np.nan,
        eq70_median_yen=float(family["price_per_m2"].median() * 70) if len(family) else np.nan,
        median_new_listing_price_yen=float(frame["new_price"].median()) if frame["new"].any() else np.nan,
        price_cut_share=len(cut) / active,
        median_cut_pct=float(((cut["end_price"] / cut["start_price"] - 1) * 100).median()) if len(cut) else np.nan,
        price_rise_share=len(rise) / active,
    )
    return out


def cells(frame: pd.DataFrame, report_year: int) -> list[tuple[str, str, str, pd.DataFrame]]:
    """(area key, area label, segment, rows) for every cell the report shows."""
    out = []
    for code, (english, _) in WARDS.items():
        ward = frame[frame["ward_code"] == code]
        out.append((english, english, "all", ward))
        age = report_year - ward["built_year"]
        segments: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
            "tower (20+ floors)": lambda f: f["total_floors"] >= 20,
            "not tower": lambda f: f["total_floors"] < 20,
            "under 40 m²": lambda f: f["area_m2"] < 40,
            "40–70 m²": lambda f: (f["area_m2"] >= 40) & (f["area_m2"] < 70),
            "70 m² and over": lambda f: f["area_m2"] >= 70,
        }
        for name, rule in segments.items():
            out.append((english, english, name, ward[rule(ward)]))
        out.append((english, english, "built < 10 years ago", ward[age < 10]))
        out.append((english, english, "built 10–29 years ago", ward[(age >= 10) & (age < 30)]))
        out.append((english, english, "built 30+ years ago", ward[age >= 30]))
    three_a = frame[frame["area_group"].isin(list(AREA_GROUPS))]
    out.append(("3A", "Minato 3A (Azabu, Akasaka, Aoyama)", "all", three_a))
    for group, (english, _) in AREA_GROUPS.items():
        out.append((group, f"3A {english}", "all", frame[frame["area_group"] == group]))
    return out


def metrics_table(data: ReportData, last_week: tuple[int, int], weeks: int | None = None) -> pd.DataFrame:
    """Metrics for every cell and every rolling 4-week window ending each week up to ``last_week``,
    with week-on-week, month-on-month (4 weeks) and year-on-year (52 weeks) changes where history allows."""
    units = units_table(data)
    end = week_end(*last_week)
    first_seen = data.sightings["seen_at"].min()
    n_weeks = weeks or max(1, int(np.ceil((end - first_seen).days / 7)))
    rows = []
    for back in range(n_weeks - 1, -1, -1):
        window = Window(end - pd.Timedelta(weeks=back) - pd.Timedelta(days=28), end - pd.Timedelta(weeks=back))
        frame = window_units(data, units, window)
        if frame.empty:
            continue
        for key, label, segment, cell in cells(frame, window.end.year):
            rows.append(
                {"window_end": window.label, "area": key, "area_label": label, "segment": segment, **cell_metrics(cell)}
            )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table = table.sort_values(["area", "segment", "window_end"]).reset_index(drop=True)
    for name, lag in (("wow", 1), ("mom", 4), ("yoy", 52)):
        for metric in ("median_price_per_m2", "eq70_mean_yen", "active_units"):
            previous = table.groupby(["area", "segment"])[metric].shift(lag)
            table[f"{metric}_{name}_pct"] = (table[metric] / previous - 1) * 100
    return table
