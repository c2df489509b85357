"""The report's findings: one paragraph per ward and district group, the largest quality-adjusted
moves first, saying only what the data support."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from reports.formatting import area_name, day, man_per_m2
from reports.metrics import MIN_UNITS
from reports.summary import WARD_ORDER, area_order
from reports.text import TEXT

INDEX_SHORT_WEEKS = 4
"""An index with fewer values than this is flagged as a short history in the findings."""
THIN_WEEK_UNITS = 30
"""A latest index value resting on fewer new flats than this is flagged as thin."""
DISAGREE_POINTS = 2.0
"""The median and the index disagree when their four-week changes differ in sign (each beyond 1 %) or
by more than this many percentage points: the findings then say why."""


def _small_share(metrics: pd.DataFrame, area: str, window_end: object) -> float | None:
    """Share of the area's flats on sale that are under 40 m², in the window ending ``window_end``."""
    rows = metrics[(metrics["area"] == area) & (metrics["window_end"] == window_end)].set_index("segment")
    if "all" not in rows.index or "under 40 m²" not in rows.index or not rows.loc["all", "active_units"]:
        return None
    return float(rows.loc["under 40 m²", "active_units"] / rows.loc["all", "active_units"])


def _index_finding(text: dict[str, Any], name: str, table: pd.DataFrame, lang: str) -> tuple[float, str]:
    """(how far the index moved, the sentence): a move only when its interval excludes no change."""
    last, base = table.iloc[-1], day(table.iloc[0]["week_end"], lang)
    move = float(last["index"] - 100)
    if last["low"] > 100 or last["high"] < 100:
        sentence = text["f_index_move"].format(
            area=name,
            direction=text["rose"] if move > 0 else text["fell"],
            change=abs(move),
            base=base,
            low=last["low"] - 100,
            high=last["high"] - 100,
        )
        rank = abs(move)
    else:
        sentence = text["f_index_flat"].format(
            area=name, value=last["index"], low=last["low"], high=last["high"], base=base
        )
        rank = 0.0
    if len(table) < INDEX_SHORT_WEEKS:
        sentence += text["sentence_join"] + text["f_short"].format(weeks=len(table))
    if last["units"] < THIN_WEEK_UNITS:
        sentence += text["sentence_join"] + text["f_thin"].format(units=int(last["units"]))
    return rank, sentence


def _reconcile(
    text: dict[str, Any], metrics: pd.DataFrame, area: str, median_change: float, table: pd.DataFrame
) -> str:
    """A sentence saying why the median and the index disagree over four weeks, or "" when they agree."""
    earlier = table.iloc[-5] if len(table) >= 5 else table.iloc[0]
    index_change = 100 * (float(table.iloc[-1]["index"]) / float(earlier["index"]) - 1)
    opposite = median_change * index_change < 0 and abs(median_change) > 1 and abs(index_change) > 1
    if not (opposite or abs(median_change - index_change) > DISAGREE_POINTS):
        return ""
    windows = sorted(metrics["window_end"].unique()) if "window_end" in metrics else []
    now = _small_share(metrics, area, windows[-1]) if windows else None
    before = _small_share(metrics, area, windows[-5]) if len(windows) >= 5 else None
    words = {
        "median": text["rose"] if median_change > 0 else text["fell"],
        "median_change": abs(median_change),
        "index": text["rose"] if index_change > 0 else text["fell"],
        "index_change": abs(index_change),
    }
    if now is not None and before is not None:
        return text["f_reconcile_mix"].format(**words, now=now, before=before)
    return text["f_reconcile"].format(**words)


def findings(
    metrics: pd.DataFrame, latest: pd.DataFrame, indexes: dict[str, pd.DataFrame], end_label: str, lang: str
) -> list[str]:
    """One finding per ward and per district group that is not part of a wider one (3A, Koto's bay area,
    Bunkyo's school districts), the areas whose quality-adjusted prices moved most first.

    A move of the index is stated only when its 95 % interval excludes no change; otherwise the area is
    "not yet distinguishable from flat". Short histories and thin weeks are flagged, and where the
    median and the index disagree a sentence says why (the mix of flats on sale changed).
    """
    t = TEXT[lang]
    ranked: list[tuple[float, str]] = []
    # Every ward and every district group that is not part of a wider one (3A, not 3A Azabu).
    areas = [area for area, parent in area_order() if parent is None or parent in WARD_ORDER]
    for area in areas:
        name = area_name(area, lang)
        row = latest[(latest["area"] == area) & (latest["segment"] == "all")]
        if row.empty or row.iloc[0]["suppressed"]:
            ranked.append((-1.0, t["f_suppressed"].format(area=name, n=MIN_UNITS)))
            continue
        r = row.iloc[0]
        sentences = []
        rank = -0.5
        table = indexes.get(area)
        if table is not None and len(table) >= 2:
            rank, sentence = _index_finding(t, name, table, lang)
            sentences.append(sentence)
        else:
            sentences.append(t["f_no_index"].format(area=name))
        change = r["median_price_per_m2_mom_pct"]
        if math.isnan(change):
            sentences.append(
                t["f_level"].format(
                    area=name, value=man_per_m2(r["median_price_per_m2"]), end=end_label, cut=r["price_cut_share"]
                )
            )
        else:
            sentences.append(
                t["f_median"].format(
                    area=name,
                    direction=t["rose"] if change > 0 else t["fell"],
                    change=abs(change),
                    end=end_label,
                    value=man_per_m2(r["median_price_per_m2"]),
                    cut=r["price_cut_share"],
                )
            )
            if table is not None and len(table) >= 2:
                reconcile = _reconcile(t, metrics, area, float(change), table)
                if reconcile:
                    sentences.append(reconcile)
        ranked.append((rank, t["sentence_join"].join(sentences)))
    return [sentence for _, sentence in sorted(ranked, key=lambda item: -item[0])]
