"""What flats sold for beside what sellers asked: MLIT's closed prices per ward, district group and
quarter, and the asking-to-closed gap.

For each area and each quarter that both MLIT and the crawl cover: the median closed price per m² of
contract prices (closed sales reported to REINS) where the quarter has any, else of transaction prices
(buyers' questionnaires), saying which; the number of sales; and the gap against the median asking
price per m² of the flats on sale in the same quarter. Court, auction and related-party sales and areas
published only as "N㎡以上" are left out. A cell of fewer than MIN_UNITS sales is suppressed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from reports.data import JST, ReportData
from reports.metrics import MIN_UNITS, Window, area_masks, units_table, window_units

COLUMNS = [
    "area",
    "quarter",
    "category",
    "sales",
    "closed_median_per_m2",
    "asking_flats",
    "asking_median_per_m2",
    "gap",
    "suppressed",
]


def quarter_window(quarter: str) -> Window:
    """The quarter ``YYYYQn`` as a JST window.

    >>> quarter_window("2026Q3").label
    '2026-09-30'
    """
    year, number = int(quarter[:4]), int(quarter[-1])
    start = pd.Timestamp(year, 3 * number - 2, 1).tz_localize(JST)
    return Window(start, start + pd.DateOffset(months=3))


def closed_table(data: ReportData) -> pd.DataFrame:
    """One row per area (wards, then district groups) and quarter; empty without closed prices."""
    closed = data.closed
    if closed.empty or data.sightings.empty:
        return pd.DataFrame(columns=COLUMNS)
    usable = closed[~closed["special_sale"].astype(bool) & ~closed["area_capped"].astype(bool)]
    usable = usable[usable["price_per_m2"].notna()]
    first, last = data.sightings["seen_at"].min(), data.sightings["seen_at"].max()
    units = units_table(data)
    areas = list(zip(area_masks(usable), area_masks(units), strict=True))
    rows = []
    for quarter in sorted(usable["quarter"].unique()):
        window = quarter_window(quarter)
        if window.end <= first or window.start > last:
            continue  # a quarter the crawl did not see: no asking price to compare with
        asking = window_units(data, units, window)
        in_quarter = usable["quarter"].to_numpy() == quarter
        for (area, closed_mask), (_, unit_mask) in areas:
            sales = usable[closed_mask & in_quarter]
            category = "contract" if (sales["price_category"] == "contract").any() else "transaction"
            values = sales.loc[sales["price_category"] == category, "price_per_m2"].to_numpy(float)
            on_sale = asking[asking.index.isin(units.index[unit_mask])] if len(asking) else asking
            asking_values = on_sale["price_per_m2"].dropna().to_numpy(float) if len(on_sale) else np.array([])
            closed_median = float(np.median(values)) if len(values) else math.nan
            asking_median = float(np.median(asking_values)) if len(asking_values) else math.nan
            rows.append(
                {
                    "area": area,
                    "quarter": quarter,
                    "category": category,
                    "sales": len(values),
                    "closed_median_per_m2": closed_median,
                    "asking_flats": len(asking_values),
                    "asking_median_per_m2": asking_median,
                    "gap": closed_median / asking_median - 1 if asking_median else math.nan,
                    "suppressed": len(values) < MIN_UNITS or len(asking_values) < MIN_UNITS,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)
