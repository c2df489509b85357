"""Towers and flips: are new flats being resold soon after they are bought, where, and at what premium?

The listing-side mirror of MLIT's registry survey (reference: shared/reference/mlit-resale-survey-2025.md).
For each ward and district group, at the end of the report week:

- **early resales (12 months)**: used listings first seen in the last 12 months whose first month came
  no later than 12 months after their building's completion (a resale before handover included), and
  their share of the units of the **young buildings** (completed in the last 24 months, or not yet):
  offers, not sales, so it is not MLIT's share of transfers;
- **never lived in (未入居)** and **before handover** (the building not complete at the week's end):
  shares of the listings on sale whose detail page was read;
- **flip premium**: the median of each resale's asking price per m² over the midpoint of its project's
  price range per m² (buildings whose new-condo project was crawled);
- **marketed in Chinese**: the share of listings on sale whose page says they are marketed in Chinese
  (中国語対応, 中文 …): how the adverts are marketed, never who buys.

Shares of fewer than MIN_LISTINGS listings (or young buildings of fewer than MIN_YOUNG_UNITS units) and
premiums of fewer than MIN_PREMIUM resales are suppressed; counts are always shown.

Beside it, the towers (20 floors or more) with the most flats offered in 12 months, and the 3A
low-rise segment (7 floors or fewer) against 3A's taller buildings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reports.data import ReportData
from reports.formatting import area_name, count, share
from reports.metrics import WARDS, area_masks, load_groups
from reports.text import TEXT

MIN_LISTINGS = 20
"""Listings on sale an area needs before its shares are shown."""
MIN_YOUNG_UNITS = 100
"""Units of young buildings an area needs before its early-resale share is shown."""
MIN_PREMIUM = 3
"""Resales with a crawled project an area needs before its flip premium is shown."""
TOWER_FLOORS = 20
LOW_RISE_FLOORS = 7
TOWER_ROWS = 10
TOWER_COLUMNS = ["building", "district", "completion", "units", "offered", "turnover", "early", "unoccupied", "premium"]
LOW_COLUMNS = ["segment", "on_sale", "median_per_m2"]
COLUMNS = [
    "area",
    "on_sale",
    "early_12m",
    "young_units",
    "early_share",
    "unoccupied",
    "unoccupied_share",
    "before_handover",
    "before_handover_share",
    "rented",
    "chinese",
    "chinese_share",
    "premium",
    "premium_n",
]


def _months(year: pd.Series, month: pd.Series) -> pd.Series:
    return year * 12 + month


FRAME_COLUMNS = [
    "listing_id",
    "unit_key",
    "building_id",
    "building_name",
    "ward_code",
    "district",
    "built_year",
    "built_month",
    "total_floors",
    "first_seen_at",
    "last_seen_at",
    "removed_at",
    "price_per_m2",
    "unoccupied",
    "rented",
    "marketed_in_chinese",
]
"""What the section reads of each listing (a copy of the whole frame would be its largest allocation)."""


def _frame(data: ReportData, end: pd.Timestamp) -> pd.DataFrame:
    """The used listings with their building's facts and what the report needs of them."""
    listings = data.listings[FRAME_COLUMNS].copy()
    buildings = data.buildings.set_index("building_id") if not data.buildings.empty else pd.DataFrame()
    for column in ("completion_year", "completion_month", "total_units", "project_mid_per_m2"):
        listings[column] = (
            listings["building_id"].map(buildings[column]) if column in buildings else pd.Series(np.nan, listings.index)
        )
    listings["completion_year"] = listings["completion_year"].fillna(listings["built_year"])
    listings["completion_month"] = listings["completion_month"].fillna(listings["built_month"])
    first = listings["first_seen_at"]
    completion = _months(listings["completion_year"], listings["completion_month"])
    listings["early"] = (_months(first.dt.year, first.dt.month) - completion) <= 12
    listings["new_12m"] = (first >= end - pd.Timedelta(days=365)) & (first < end)
    week_start = end - pd.Timedelta(days=7)
    listings["on_sale"] = (
        (first < end)
        & (listings["last_seen_at"] >= week_start)
        & (listings["removed_at"].isna() | (listings["removed_at"] >= week_start))
    )
    end_month = end.year * 12 + end.month
    listings["young"] = completion >= end_month - 24
    listings["not_complete"] = completion > end_month
    listings["premium"] = listings["price_per_m2"] / listings["project_mid_per_m2"] - 1
    return listings


def _share(numerator: float, denominator: float, least: int) -> float:
    return numerator / denominator if denominator >= least and denominator > 0 else np.nan


def flip_tables(data: ReportData, end: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The section's three tables (:func:`flips_table`, :func:`towers_table`, :func:`low_rise_3a`), from
    one frame of the used listings with their buildings' facts."""
    if data.listings.empty:
        return pd.DataFrame(columns=COLUMNS), pd.DataFrame(columns=TOWER_COLUMNS), pd.DataFrame(columns=LOW_COLUMNS)
    frame = _frame(data, end)
    towers = towers_table(frame) if not data.buildings.empty else pd.DataFrame(columns=TOWER_COLUMNS)
    return flips_table(frame), towers, low_rise_3a(frame)


def flips_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per ward and district group, from :func:`_frame`'s listings."""
    rows = []
    for area, mask in area_masks(frame):
        area_rows = frame[mask]
        on_sale = area_rows[area_rows["on_sale"]]
        read = on_sale[on_sale["unoccupied"].notna()]
        early = area_rows[area_rows["early"] & area_rows["new_12m"]]
        young = area_rows[area_rows["young"]].drop_duplicates("building_id")
        young_units = float(young["total_units"].fillna(0).sum())
        premiums = on_sale["premium"].dropna()
        rows.append(
            {
                "area": area,
                "on_sale": len(on_sale),
                "early_12m": len(early),
                "young_units": young_units,
                "early_share": _share(early["unit_key"].nunique(), young_units, MIN_YOUNG_UNITS),
                "unoccupied": int(read["unoccupied"].astype(bool).sum()),
                "unoccupied_share": _share(read["unoccupied"].astype(bool).sum(), len(read), MIN_LISTINGS),
                "before_handover": int(on_sale["not_complete"].sum()),
                "before_handover_share": _share(on_sale["not_complete"].sum(), len(on_sale), MIN_LISTINGS),
                "rented": int(read["rented"].astype(bool).sum()),
                "chinese": int(read["marketed_in_chinese"].astype(bool).sum()),
                "chinese_share": _share(read["marketed_in_chinese"].astype(bool).sum(), len(read), MIN_LISTINGS),
                "premium": float(premiums.median()) if len(premiums) >= MIN_PREMIUM else np.nan,
                "premium_n": len(premiums),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def towers_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The towers with the most flats offered in the last 12 months: name, place, completion, units,
    flats offered, turnover (offered ÷ units), early resales, never lived in on sale, flip premium."""
    towers = frame[(frame["total_floors"] >= TOWER_FLOORS) & frame["new_12m"]]
    rows = []
    for _, rows_of in towers.groupby("building_id"):
        first = rows_of.iloc[0]
        units = first["total_units"]
        offered = rows_of["unit_key"].nunique()
        on_sale = rows_of[rows_of["on_sale"]]
        premiums = on_sale["premium"].dropna()
        rows.append(
            {
                "building": first["building_name"],
                "district": first["district"],
                "completion": f"{int(first['completion_year'])}-{int(first['completion_month']):02d}"
                if pd.notna(first["completion_month"])
                else None,
                "units": units,
                "offered": offered,
                "turnover": offered / units if pd.notna(units) and units else np.nan,
                "early": int(rows_of["early"].sum()),
                "unoccupied": int(on_sale["unoccupied"].fillna(False).astype(bool).sum()),
                "premium": float(premiums.median()) if len(premiums) >= MIN_PREMIUM else np.nan,
            }
        )
    out = pd.DataFrame(rows, columns=TOWER_COLUMNS)
    return out.sort_values(["offered", "building"], ascending=[False, True]).head(TOWER_ROWS).reset_index(drop=True)


def low_rise_3a(frame: pd.DataFrame) -> pd.DataFrame:
    """3A's listings on sale in low-rise buildings (7 floors or fewer) and in taller ones: counts and the
    median asking price per m² (suppressed under MIN_LISTINGS)."""
    group = next((g for g in load_groups() if g.key == "3A"), None)
    if group is None:
        return pd.DataFrame(columns=LOW_COLUMNS)
    in_3a = (frame["ward_code"] == group.ward_code) & frame["district"].isin(list(group.districts))
    on_sale = frame[in_3a & frame["on_sale"] & frame["total_floors"].notna()]
    rows = []
    for segment, mask in (
        ("low_rise", on_sale["total_floors"] <= LOW_RISE_FLOORS),
        ("taller", on_sale["total_floors"] > LOW_RISE_FLOORS),
    ):
        part = on_sale[mask]
        median = float(part["price_per_m2"].median()) if len(part) >= MIN_LISTINGS else np.nan
        rows.append({"segment": segment, "on_sale": len(part), "median_per_m2": median})
    return pd.DataFrame(rows, columns=LOW_COLUMNS)


def flip_findings(table: pd.DataFrame, lang: str) -> list[str]:
    """One plain sentence per ward with early resales: how many, their share of young units and the share
    of flats on sale never lived in, where the counts allow."""
    t = TEXT[lang]
    out = []
    wards = {english for english, _ in WARDS.values()}
    for row in table.itertuples(index=False):
        if row.area not in wards or not row.early_12m:
            continue
        share_text = t["f_flips_share"].format(share=share(row.early_share)) if pd.notna(row.early_share) else ""
        unoccupied = (
            t["f_flips_unoccupied"].format(share=share(row.unoccupied_share)) if pd.notna(row.unoccupied_share) else ""
        )
        out.append(
            t["f_flips"].format(
                area=area_name(row.area, lang),
                early=count(row.early_12m),
                s="" if row.early_12m == 1 else "s",
                were="was" if row.early_12m == 1 else "were",
                share=share_text,
                unoccupied=unoccupied,
            )
        )
    return out
