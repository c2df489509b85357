"""The report's summary table: one row per ward and district group, the figures a reader quotes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from db.places.groups import load_groups
from reports.metrics import WARDS

WARD_ORDER = ["Koto", "Bunkyo", "Minato"]
COLUMNS = (
    "area",
    "parent",
    "window_end",
    "inventory_units",
    "new_units",
    "median_price_per_m2",
    "eq70_mean_yen",
    "index",
    "index_low",
    "index_high",
    "index_units",
    "index_wow_pct",
    "index_mom_pct",
    "index_yoy_pct",
    "price_cut_share",
    "suppressed",
)
"""The table's columns (prices in yen; the report writes them in 万円)."""


def area_order() -> list[tuple[str, str | None]]:
    """(area, the area it is part of) in reading order: each ward, then its district groups, each group
    followed by its parts (Minato, 3A, 3A Azabu, …)."""
    groups = load_groups()
    codes = {english: code for code, (english, _) in WARDS.items()}
    out: list[tuple[str, str | None]] = []
    for ward in WARD_ORDER:
        out.append((ward, None))
        for group in groups:
            if group.ward_code == codes[ward] and group.parent is None:
                out.append((group.key, ward))
                out += [(part.key, group.key) for part in groups if part.parent == group.key]
    return out


def _change(table: pd.DataFrame, lag: int) -> float:
    if len(table) <= lag:
        return np.nan
    return 100 * (float(table["index"].iloc[-1]) / float(table["index"].iloc[-1 - lag]) - 1)


def summary_table(latest: pd.DataFrame, indexes: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The summary of the report's last window: from ``latest`` (the metrics of the last window, every
    area, segment "all") and the index tables (cut at the report week). Index changes compare with
    the window one week (w/w), four weeks (m/m) and 52 weeks (y/y) earlier; NaN where the history is
    shorter."""
    rows = []
    whole = latest[latest["segment"] == "all"].set_index("area")
    for area, parent in area_order():
        if area not in whole.index:
            continue
        metrics = whole.loc[area]
        suppressed = bool(metrics["suppressed"])
        table = indexes.get(area, pd.DataFrame())
        has_index = len(table) >= 2
        last = table.iloc[-1] if has_index else None
        rows.append(
            {
                "area": area,
                "parent": parent,
                "window_end": metrics["window_end"],
                "inventory_units": metrics["inventory_units"],
                "new_units": metrics["new_units"],
                "median_price_per_m2": np.nan if suppressed else metrics["median_price_per_m2"],
                "eq70_mean_yen": np.nan if suppressed else metrics["eq70_mean_yen"],
                "index": last["index"] if last is not None else np.nan,
                "index_low": last["low"] if last is not None else np.nan,
                "index_high": last["high"] if last is not None else np.nan,
                "index_units": last["units"] if last is not None else np.nan,
                "index_wow_pct": _change(table, 1) if has_index else np.nan,
                "index_mom_pct": _change(table, 4) if has_index else np.nan,
                "index_yoy_pct": _change(table, 52) if has_index else np.nan,
                "price_cut_share": np.nan if suppressed else metrics["price_cut_share"],
                "suppressed": suppressed,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))
