"""The report as a reader gets it: HTML and Markdown from the Jinja2 templates in reports/templates/."""

from __future__ import annotations

import base64
import math
import struct
from typing import Any

import jinja2
import pandas as pd

from reports.charts import COLOURS, FONT_STACK
from reports.findings import THIN_WEEK_UNITS
from reports.flips import MIN_LISTINGS as FLIPS_MIN_LISTINGS
from reports.flips import MIN_PREMIUM, MIN_YOUNG_UNITS
from reports.formatting import MISSING, area_name, count, day, man_per_m2, man_yen, pct_change, share, week_ending
from reports.metrics import FAMILY_MIN_M2, FAMILY_MIN_ROOMS, MIN_UNITS, SEGMENTS
from reports.new_supply import MIN_PROJECTS
from reports.report import Report
from reports.summary import WARD_ORDER
from reports.text import TEXT

DOWNLOADS = ("summary.csv", "metrics.csv", "metrics.parquet", "index.csv", "index.parquet")
"""The data files written beside the report (``write_report``), linked from its footer."""
SUMMARY_COLUMNS = (
    "area",
    "inventory_units",
    "new_units",
    "median_price_per_m2",
    "eq70_mean_yen",
    "index",
    "index_wow_pct",
    "index_mom_pct",
    "index_yoy_pct",
    "price_cut_share",
)
DETAIL_COLUMNS = (
    ("active_units", "units"),
    ("leasehold_units", "int"),
    ("new_units", "int"),
    ("inventory_units", "int"),
    ("removed_units", "int"),
    ("median_price_per_m2", "per_m2"),
    ("median_price_per_m2_mom_pct", "pct"),
    ("eq70_mean_yen", "man"),
    ("median_price_yen", "man"),
    ("median_new_listing_price_yen", "man"),
    ("median_price_per_tsubo", "man"),
    ("price_cut_share", "share"),
    ("median_cut_pct", "pct"),
    ("price_rise_share", "share"),
    ("age_of_inventory_days", "int"),
    ("days_on_market_removed", "int"),
    ("removals_per_active", "share"),
)
"""The detail table's columns: the change right after the price it qualifies, prices in 万円."""

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("reports", "templates"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
_ENV.filters["md"] = lambda value: str(value).replace("|", "／")


def _detail_cell(value: Any, kind: str, suppressed: bool) -> str:
    """A detail cell in words; the formatters write a missing value as MISSING."""
    if suppressed and kind != "units":
        return MISSING
    return {
        "units": count,
        "int": count,
        "man": lambda v: man_yen(v, unit=False),
        "per_m2": lambda v: man_per_m2(v, unit=False),
        "share": share,
        "pct": pct_change,
    }[kind](value)


def detail_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """The detail table: every area and segment of the last window, in the summary's order."""
    t = TEXT[report.lang]
    header = [t["area"], t["segment"]]
    for name, kind in DETAIL_COLUMNS:
        unit = ("（万円）" if report.lang == "ja" else " (万円)") if kind in ("man", "per_m2") else ""
        header.append(t["col"][name] + unit)
    order = {area: i for i, area in enumerate(report.summary["area"])}
    segments = {segment: i for i, segment in enumerate(SEGMENTS)}
    latest = report.latest.assign(
        _area=report.latest["area"].map(order).fillna(len(order)),
        _segment=report.latest["segment"].map(segments),
    ).sort_values(["_area", "_segment"], kind="stable")
    rows = []
    for _, row in latest.iterrows():
        suppressed = bool(row["suppressed"])
        rows.append(
            [
                area_name(row["area"], report.lang),
                t["segments"].get(row["segment"], row["segment"]),
                *[_detail_cell(row[name], kind, suppressed) for name, kind in DETAIL_COLUMNS],
            ]
        )
    return header, rows


def summary_rows(report: Report) -> list[dict[str, Any]]:
    """The summary table's rows as text, with their nesting (ward, group, part of a group) and colour."""
    out = []
    for row in report.summary.itertuples(index=False):
        kind = "ward" if row.area in WARD_ORDER else ("part" if row.parent in WARD_ORDER else "subpart")
        index = "—" if math.isnan(row.index) else f"{row.index:.1f}"
        if not math.isnan(row.index_units) and row.index_units < THIN_WEEK_UNITS:
            index += " †"
        out.append(
            {
                "kind": kind,
                "colour": COLOURS.get(row.area, COLOURS.get(str(row.parent), "#888")),
                "indent": {"ward": "", "part": "　", "subpart": "　　"}[kind],
                "cells": [
                    area_name(row.area, report.lang),
                    count(row.inventory_units),
                    count(row.new_units),
                    man_per_m2(row.median_price_per_m2, unit=False),
                    man_yen(row.eq70_mean_yen, unit=False),
                    index,
                    pct_change(row.index_wow_pct),
                    pct_change(row.index_mom_pct),
                    pct_change(row.index_yoy_pct),
                    share(row.price_cut_share),
                ],
            }
        )
    return out


def closed_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """The closed-price table: each area and quarter, closed against asking, in words."""
    t = TEXT[report.lang]
    unit = "（万円）" if report.lang == "ja" else " (万円)"
    header = [t["area"], t["quarter"], t["closed_cols"]["category"], t["closed_cols"]["sales"]]
    header += [t["closed_cols"]["closed"] + unit, t["closed_cols"]["asking"] + unit, t["closed_cols"]["gap"]]
    rows = []
    for row in report.closed.itertuples(index=False):
        hidden = bool(row.suppressed)
        rows.append(
            [
                area_name(row.area, report.lang),
                row.quarter,
                t["closed_categories"][row.category],
                count(row.sales),
                MISSING if hidden else man_per_m2(row.closed_median_per_m2, unit=False),
                MISSING if hidden else man_per_m2(row.asking_median_per_m2, unit=False),
                MISSING if hidden else pct_change(100 * row.gap),
            ]
        )
    return header, rows


def supply_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """The new-supply table: projects, releases and the new range per m² against the used median."""
    t = TEXT[report.lang]
    unit = "（万円）" if report.lang == "ja" else " (万円)"
    c = t["supply_cols"]
    header = [t["area"], c["projects"], c["leasehold"], c["phases"], c["units"]]
    header += [c["low"] + unit, c["high"] + unit, c["used"] + unit, c["premium"]]
    rows = []
    for row in report.supply.itertuples(index=False):
        hidden = bool(row.suppressed)
        rows.append(
            [
                area_name(row.area, report.lang),
                count(row.projects),
                count(row.leasehold_projects),
                count(row.phases_opened),
                count(row.units_released),
                MISSING if hidden else man_per_m2(row.new_low_per_m2, unit=False),
                MISSING if hidden else man_per_m2(row.new_high_per_m2, unit=False),
                man_per_m2(row.used_median_per_m2, unit=False),
                MISSING if hidden else pct_change(100 * row.premium),
            ]
        )
    return header, rows


def flips_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """The flips table: per area, early resales and their share, and the shares of the flats on sale."""
    t = TEXT[report.lang]
    c = t["flips_cols"]
    header = [t["area"], c["on_sale"], c["early"], c["early_share"], c["unoccupied"], c["handover"]]
    header += [c["rented"], c["chinese"], c["premium"]]

    def with_share(number: float, part: float) -> str:
        return f"{count(number)} ({share(part)})" if not pd.isna(part) else count(number)

    rows = []
    for row in report.flips.itertuples(index=False):
        rows.append(
            [
                area_name(row.area, report.lang),
                count(row.on_sale),
                count(row.early_12m),
                share(row.early_share),
                with_share(row.unoccupied, row.unoccupied_share),
                with_share(row.before_handover, row.before_handover_share),
                count(row.rented),
                with_share(row.chinese, row.chinese_share),
                pct_change(100 * row.premium),
            ]
        )
    return header, rows


def towers_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """The towers with the most flats offered in 12 months."""
    c = TEXT[report.lang]["towers_cols"]
    header = [c[name] for name in ("building", "district", "completion", "units", "offered", "turnover")]
    header += [c["early"], c["unoccupied"], c["premium"]]
    rows = [
        [
            str(row.building),
            str(row.district or MISSING),
            str(row.completion or MISSING),
            count(row.units),
            count(row.offered),
            share(row.turnover),
            count(row.early),
            count(row.unoccupied),
            pct_change(100 * row.premium),
        ]
        for row in report.towers.itertuples(index=False)
    ]
    return header, rows


def low_rise_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """3A's low-rise buildings against its taller ones."""
    t = TEXT[report.lang]
    c = t["low_rise_cols"]
    unit = "（万円）" if report.lang == "ja" else " (万円)"
    header = [c["segment"], c["on_sale"], c["median"] + unit]
    rows = [
        [t["low_rise_segments"][row.segment], count(row.on_sale), man_per_m2(row.median_per_m2, unit=False)]
        for row in report.low_rise.itertuples(index=False)
    ]
    return header, rows


def methods(report: Report) -> list[str]:
    t = TEXT[report.lang]
    items = [
        item.format(n=MIN_UNITS, m2=FAMILY_MIN_M2, rooms=FAMILY_MIN_ROOMS, controls=t["controls"])
        for item in t["methods_items"]
    ]
    items.append(t["closed_method"].format(n=MIN_UNITS))
    items.append(t["supply_method"].format(n=MIN_PROJECTS))
    items.append(t["flips_method"])
    if report.simulated:
        items.insert(0, t["simulated_banner"])
    return items


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG (its IHDR chunk), so the page keeps its layout while charts load."""
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def context(report: Report) -> dict[str, Any]:
    t = TEXT[report.lang]
    lang = report.lang
    base = base_label(report.indexes)
    week_label = week_ending(report.end, lang)
    charts = []
    for name, png in report.charts.items():
        width, height = _png_size(png)
        charts.append({"alt": t["alt"][name], "png": base64.b64encode(png).decode(), "width": width, "height": height})
    header, rows = detail_rows(report)
    closed_header, closed = closed_rows(report)
    supply_header, supply = supply_rows(report)
    flips_header, flips = flips_rows(report)
    towers_header, towers = towers_rows(report)
    low_rise_header, low_rise = low_rise_rows(report)
    source = (t["source_simulated"] if report.simulated else t["source"]).format(
        commit=report.commit, generated=f"{day(report.generated_at.date(), lang)} {report.generated_at:%H:%M}"
    )
    return {
        "lang": lang,
        "t": t,
        "simulated": report.simulated,
        "font_stack": FONT_STACK,
        "week_label": week_label,
        "week_label_cap": week_label[:1].upper() + week_label[1:],
        "end_day": day(report.end, lang),
        "base_day": day(base, lang) if base else "—",
        "summary_columns": SUMMARY_COLUMNS,
        "summary_rows": summary_rows(report),
        "findings": report.findings,
        "charts": charts,
        "detail_header": header,
        "detail_rows": rows,
        "supply_header": supply_header,
        "supply_rows": supply,
        "supply_note": t["supply_note"].format(n=MIN_PROJECTS) if supply else t["supply_none"],
        "flips_header": flips_header,
        "flips_rows": flips,
        "flips_note": t["flips_note"].format(n=FLIPS_MIN_LISTINGS, young=MIN_YOUNG_UNITS, p=MIN_PREMIUM),
        "towers_header": towers_header,
        "towers_rows": towers,
        "low_rise_header": low_rise_header,
        "low_rise_rows": low_rise,
        "closed_header": closed_header,
        "closed_rows": closed,
        "closed_note": (
            t["closed_note"].format(latest=report.closed_latest, n=MIN_UNITS)
            if report.closed_latest
            else t["closed_none"]
        ),
        "min_units": MIN_UNITS,
        "thin_units": THIN_WEEK_UNITS,
        "quality": list(report.quality.items()),
        "methods": methods(report),
        "source": source,
        "downloads": DOWNLOADS,
    }


def render_html(report: Report) -> str:
    return _ENV.get_template("report.html.j2").render(context(report))


def render_markdown(report: Report) -> str:
    return _ENV.get_template("report.md.j2").render(context(report))


def base_label(indexes: dict[str, pd.DataFrame]) -> str | None:
    """The last day of the index's base window (the same for every area), or None without an index."""
    return next((table["week_end"].iloc[0] for table in indexes.values() if len(table)), None)
