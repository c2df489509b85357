"""Ward metrics over rolling 4-week windows, counted over units (physical flats), not adverts.

Definitions follow the reports readers know (docs/report.md): Redfin's supply and price-drop
measures, Tokyo Kantei's 70 m²-equivalent price, REINS-style coverage. A flat sold by three agents
counts once; its price is the cheapest of its listings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from db.places.groups import PlaceGroup, load_groups
from db.places.wards import TRACKED_WARDS
from reports.data import JST, ReportData, nanoseconds
from scraper.parsing.area import M2_PER_TSUBO

MIN_UNITS = 20
"""Cells with fewer units are suppressed."""
REPORT_WINDOWS = 53
"""Windows the report computes: the latest and the 52 weekly ones before it (the year-on-year change of
the latest window needs the one that ended 52 weeks earlier)."""
HISTORY_WEEKS = REPORT_WINDOWS - 1 + 4
"""Weeks of history a report reads: its windows of four weeks (reports.data.load's ``since``)."""
FAMILY_MIN_M2, FAMILY_MIN_ROOMS = 40.0, 2
"""The 70 m²-equivalent price uses family-type flats only: at least 40 m² and 2 rooms."""
WARDS = {ward.code: (ward.name_en, ward.name) for ward in TRACKED_WARDS}
"""Ward code → (English, Japanese) name, in report order (db.places.wards)."""
SEGMENTS = (
    "all",
    "tower (20+ floors)",
    "not tower",
    "under 40 m²",
    "40–70 m²",
    "70 m² and over",
    "built < 10 years ago",
    "built 10–29 years ago",
    "built 30+ years ago",
)
"""The segments of each ward, in the order the report shows them."""
LEASEHOLD = ("leasehold", "fixed_term_leasehold", "superficies")
"""Land tenures other than ownership (db: ``land_tenure``): the land is leased, the flat sells lower."""
METRICS = (
    "active_units",
    "leasehold_units",
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
        area_basis=("area_basis", "first"),
        land_tenure=("land_tenure", "first"),
        rooms=("rooms", "first"),
        total_floors=("total_floors", "first"),
        built_year=("built_year", "first"),
        floor=("floor", "first"),
        walk_minutes=("walk_minutes", "first"),
        building_id=("building_id", "first"),
        listings=("listing_id", "count"),
    )
    return first


DAY_NS = 86_400 * 10**9


def price_asof(data: ReportData, listing_ids: np.ndarray, moments: np.ndarray) -> np.ndarray:
    """The asking price of each listing as of each moment (UTC nanoseconds); NaN before its first price."""
    query = pd.DataFrame({"listing_id": listing_ids.astype("int64"), "t": moments.astype("int64")})
    query["order"] = np.arange(len(query))
    merged = pd.merge_asof(
        query.sort_values("t", kind="stable"), data.price_changes, on="t", by="listing_id", direction="backward"
    )
    out = np.empty(len(query))
    out[merged["order"].to_numpy()] = merged["price_yen"].to_numpy("float64")
    return out


def _median(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(np.median(values)) if len(values) else np.nan


def _mean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else np.nan


def window_units(data: ReportData, units: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Per unit active in the window: its end and start price, and whether it is new, in inventory or removed."""
    seen = data.sightings_between(window.start, window.end)
    if seen.empty:
        return pd.DataFrame()
    key = data.unit_of_listing
    last_night = seen["seen_at"].iloc[-1].normalize()  # the Japan date of the window's last sighting
    per_listing = seen.groupby("listing_id").agg(last=("seen_at", "max"), first=("seen_at", "min")).reset_index()
    ids = per_listing["listing_id"].to_numpy("int64")
    n = len(ids)
    # One lookup for the three moments: the last sighting, the window's start, the first sighting.
    moments = np.concatenate(
        [nanoseconds(per_listing["last"]), np.full(n, window.start.value), nanoseconds(per_listing["first"])]
    )
    prices = price_asof(data, np.tile(ids, 3), moments)
    end_price, start_price, first_price = prices[:n], prices[n : 2 * n], prices[2 * n :]
    per_listing["end_price"] = end_price
    per_listing["start_price"] = np.where(np.isnan(start_price), first_price, start_price)
    per_listing["unit_key"] = per_listing["listing_id"].map(key)
    on_last_night = data.sightings_between(last_night, window.end)["listing_id"]
    in_inventory = np.unique(key.reindex(on_last_night).to_numpy())
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


class _Columns:
    """A window's unit frame as plain arrays (numbers as float, NaN when unknown), read once per window."""

    def __init__(self, frame: pd.DataFrame) -> None:
        def number(name: str) -> np.ndarray:
            return frame[name].to_numpy("float64", na_value=np.nan)

        def days(a: pd.Series, b: pd.Series) -> np.ndarray:
            """Whole days from b to a (floored, as ``Timedelta.days``); NaN when either is unknown."""
            a_ns, b_ns = (pd.DatetimeIndex(pd.to_datetime(v, utc=True)).as_unit("ns").asi8 for v in (a, b))
            out = ((a_ns - b_ns) // DAY_NS).astype("float64")
            out[(a.isna() | b.isna()).to_numpy()] = np.nan
            return out

        self.end_price = number("end_price")
        self.start_price = number("start_price")
        self.area_m2 = number("area_m2")
        self.rooms = number("rooms")
        self.total_floors = number("total_floors")
        self.built_year = number("built_year")
        self.price_per_m2 = number("price_per_m2")
        self.new_price = number("new_price")
        self.ward_code = number("ward_code")
        self.district = frame["district"].to_numpy(object)
        self.new = frame["new"].to_numpy(bool)
        self.leasehold = frame["land_tenure"].isin(LEASEHOLD).to_numpy(bool)
        self.inventory = frame["inventory"].to_numpy(bool)
        self.removed = frame["removed"].to_numpy(bool)
        self.age_of_inventory = days(frame["last_night"], frame["first_seen_at"].dt.normalize())
        self.days_on_market = days(frame["removed_at"], frame["first_seen_at"])


def cell_metrics(columns: _Columns, rows: np.ndarray) -> dict[str, float]:
    """The metrics of one cell (an area × segment in one window, ``rows`` a mask over the window's units);
    suppressed below MIN_UNITS units."""
    active = int(rows.sum())
    out: dict[str, float] = {name: np.nan for name in METRICS}
    out["active_units"] = active
    out["suppressed"] = float(active < MIN_UNITS)
    if active < MIN_UNITS:
        return out
    c = columns
    inventory = rows & c.inventory
    removed = rows & c.removed
    family = rows & (c.area_m2 >= FAMILY_MIN_M2) & (c.rooms >= FAMILY_MIN_ROOMS)
    priced = rows & ~np.isnan(c.end_price) & ~np.isnan(c.start_price)
    cut = priced & (c.end_price < c.start_price)
    rise = priced & (c.end_price > c.start_price)
    new = rows & c.new
    out.update(
        leasehold_units=int((rows & c.leasehold).sum()),
        new_units=int(new.sum()),
        inventory_units=int(inventory.sum()),
        removed_units=int(removed.sum()),
        age_of_inventory_days=_median(c.age_of_inventory[inventory]),
        days_on_market_removed=_median(c.days_on_market[removed]),
        removals_per_active=int(removed.sum()) / active,
        median_price_yen=_median(c.end_price[rows]),
        median_price_per_m2=_median(c.price_per_m2[rows]),
        median_price_per_tsubo=_median(c.price_per_m2[rows]) * M2_PER_TSUBO,
        eq70_mean_yen=_mean(c.price_per_m2[family]) * 70,
        eq70_median_yen=_median(c.price_per_m2[family]) * 70,
        median_new_listing_price_yen=_median(c.new_price[new]),
        price_cut_share=int(cut.sum()) / active,
        median_cut_pct=_median((c.end_price[cut] / c.start_price[cut] - 1) * 100),
        price_rise_share=int(rise.sum()) / active,
    )
    return out


def cells(columns: _Columns, report_year: int) -> list[tuple[str, str, str, np.ndarray]]:
    """(area key, area label, segment, mask over the window's units) for every cell the report shows."""
    c = columns
    out = []
    age = report_year - c.built_year
    segments = {
        "tower (20+ floors)": c.total_floors >= 20,
        "not tower": c.total_floors < 20,
        "under 40 m²": c.area_m2 < 40,
        "40–70 m²": (c.area_m2 >= 40) & (c.area_m2 < 70),
        "70 m² and over": c.area_m2 >= 70,
        "built < 10 years ago": age < 10,
        "built 10–29 years ago": (age >= 10) & (age < 30),
        "built 30+ years ago": age >= 30,
    }
    for code, (english, _) in WARDS.items():
        ward = c.ward_code == code
        out.append((english, english, "all", ward))
        for name, rule in segments.items():
            out.append((english, english, name, ward & rule))
    for group in load_groups():
        out.append((group.key, group.name_en, "all", in_group(group, c.ward_code, c.district)))
    return out


def area_masks(frame: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """(area key, mask over ``frame``'s rows) for every ward and district group, in the report's order,
    from the frame's ``ward_code`` and ``district`` columns (the tables of closed prices and new supply)."""
    codes, districts = frame["ward_code"].to_numpy(), frame["district"].to_numpy()
    out = [(english, codes == code) for code, (english, _) in WARDS.items()]
    out += [(group.key, in_group(group, codes, districts)) for group in load_groups()]
    return out


def in_group(group: PlaceGroup, ward_code: np.ndarray, district: np.ndarray) -> np.ndarray:
    """A mask of the rows (ward codes and 町 names) that lie in ``group``."""
    return (ward_code == group.ward_code) & pd.Series(district).isin(list(group.districts)).to_numpy()


def metrics_table(data: ReportData, last_week: tuple[int, int], weeks: int | None = None) -> pd.DataFrame:
    """Metrics for every cell and every rolling 4-week window ending each week up to ``last_week`` (at most
    REPORT_WINDOWS of them, or ``weeks``), with week-on-week, month-on-month (4 weeks) and year-on-year
    (52 weeks) changes where history allows."""
    units = units_table(data)
    end = week_end(*last_week)
    first_seen = data.sightings["seen_at"].min()
    n_weeks = weeks or min(REPORT_WINDOWS, max(1, int(np.ceil((end - first_seen).days / 7))))
    rows = []
    for back in range(n_weeks - 1, -1, -1):
        window = Window(end - pd.Timedelta(weeks=back) - pd.Timedelta(days=28), end - pd.Timedelta(weeks=back))
        frame = window_units(data, units, window)
        if frame.empty:
            continue
        columns = _Columns(frame)
        for key, label, segment, mask in cells(columns, window.end.year):
            rows.append(
                {
                    "window_end": window.label,
                    "area": key,
                    "area_label": label,
                    "segment": segment,
                    **cell_metrics(columns, mask),
                }
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
