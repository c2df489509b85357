"""New supply: new-condo projects on sale per ward and district group, units released, and their price
range per m² against the used-flat median.

A project is one SUUMO new-condo page (v_projects); its offer over time is v_project_history. For the
report week and the four weeks to its end (the window of every other table):

- **projects on sale**: projects seen in the report week, and how many of them stand on a lease
  (借地権 of any kind);
- **phases opened** and **units released**: the phases (期) whose prices first appeared in the four
  weeks, and the units they offered (販売戸数 of the project's page; unknown when the page was not read);
- **new /m², low and high**: the medians, over the projects with a price, of the low end (cheapest price
  ÷ smallest area) and the high end (dearest ÷ largest) of each project's range at the end of the week;
- **used median /m²** beside it, from the used-flat table, and the **premium** of the new range's
  midpoint over it.

Price cells of fewer than MIN_PROJECTS priced projects are suppressed: two projects are two developers'
price lists, not a market. Counts are always shown.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from reports.data import ReportData
from reports.formatting import area_name, count, man_per_m2
from reports.metrics import LEASEHOLD, WARDS, area_masks
from reports.text import TEXT

MIN_PROJECTS = 3
"""Priced projects an area needs before its new-condo price range is shown."""
COLUMNS = [
    "area",
    "projects",
    "leasehold_projects",
    "priced_projects",
    "phases_opened",
    "units_released",
    "new_low_per_m2",
    "new_high_per_m2",
    "used_median_per_m2",
    "premium",
    "suppressed",
]


def _as_of(history: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Each project's offer as of ``end``: its latest history row before it."""
    before = history[history["changed_at"] < end]
    return before.sort_values("changed_at", kind="stable").groupby("listing_id").tail(1).set_index("listing_id")


def _releases(history: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The phases whose prices first appeared in [start, end): listing_id, units (NaN when unknown)."""
    window = history[(history["changed_at"] >= start) & (history["changed_at"] < end)]
    priced = window["price_min_yen"].notna()
    opened = (window["phase_changed"].astype(bool) & priced) | (
        window["price_range_changed"].astype(bool) & window["previous_price_min_yen"].isna() & priced
    )
    rows = []
    for row in window[opened].itertuples(index=False):
        later = window[(window["listing_id"] == row.listing_id) & (window["changed_at"] >= row.changed_at)]
        units = later["units_on_sale"].dropna()
        rows.append({"listing_id": row.listing_id, "units": float(units.iloc[0]) if len(units) else math.nan})
    return pd.DataFrame(rows, columns=["listing_id", "units"])


def supply_table(data: ReportData, latest: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """One row per ward and district group (as the used-flat tables); empty when no project was crawled."""
    projects, history = data.projects, data.project_history
    if projects.empty or history.empty:
        return pd.DataFrame(columns=COLUMNS)
    week_start, start = end - pd.Timedelta(days=7), end - pd.Timedelta(days=28)
    on_sale = projects[
        (projects["first_seen_at"] < end)
        & (projects["last_seen_at"] >= week_start)
        & (projects["removed_at"].isna() | (projects["removed_at"] >= week_start))
    ].set_index("listing_id")
    offer = _as_of(history, end).reindex(on_sale.index)
    on_sale = on_sale.assign(
        price_min_yen=offer["price_min_yen"],
        price_max_yen=offer["price_max_yen"],
    )
    on_sale["low_per_m2"] = on_sale["price_min_yen"] / on_sale["area_min_m2"]
    on_sale["high_per_m2"] = on_sale["price_max_yen"] / on_sale["area_max_m2"]
    releases = _releases(history, start, end)
    used = latest[latest["segment"] == "all"].set_index("area")
    rows = []
    for (area, all_mask), (_, mask) in zip(area_masks(projects), area_masks(on_sale), strict=True):
        here = on_sale[mask]
        ids = set(projects.loc[all_mask, "listing_id"])
        released = releases[releases["listing_id"].isin(ids)]
        priced = here.dropna(subset=["low_per_m2", "high_per_m2"])
        suppressed = len(priced) < MIN_PROJECTS
        low = float(np.median(priced["low_per_m2"])) if len(priced) else math.nan
        high = float(np.median(priced["high_per_m2"])) if len(priced) else math.nan
        used_median = float(used["median_price_per_m2"].get(area, math.nan)) if area in used.index else math.nan
        midpoint = float(np.median((priced["low_per_m2"] + priced["high_per_m2"]) / 2)) if len(priced) else math.nan
        rows.append(
            {
                "area": area,
                "projects": len(here),
                "leasehold_projects": int(here["land_tenure"].isin(LEASEHOLD).sum()),
                "priced_projects": len(priced),
                "phases_opened": len(released),
                "units_released": float(released["units"].sum(min_count=1)) if len(released) else 0.0,
                "new_low_per_m2": math.nan if suppressed else low,
                "new_high_per_m2": math.nan if suppressed else high,
                "used_median_per_m2": used_median,
                "premium": math.nan if suppressed or not used_median > 0 else midpoint / used_median - 1,
                "suppressed": suppressed,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def supply_findings(table: pd.DataFrame, lang: str) -> list[str]:
    """One plain sentence per ward with new-condo projects on sale (the findings list's last lines)."""
    t = TEXT[lang]
    out = []
    wards = {english for english, _ in WARDS.values()}
    for row in table.itertuples(index=False):
        if row.area not in wards or not row.projects:
            continue
        units = t["f_supply_units"].format(units=count(row.units_released)) if row.phases_opened else ""
        values = {
            "area": area_name(row.area, lang),
            "projects": count(row.projects),
            "leasehold": count(row.leasehold_projects),
            "phases": count(row.phases_opened),
            "units": units,
        }
        sentence = t["f_supply"].format(**values)
        if row.suppressed:
            sentence += t["f_supply_thin"].format(n=MIN_PROJECTS)
        else:
            sentence += t["f_supply_range"].format(
                low=man_per_m2(row.new_low_per_m2),
                high=man_per_m2(row.new_high_per_m2),
                used=man_per_m2(row.used_median_per_m2),
            )
        out.append(sentence)
    return out
