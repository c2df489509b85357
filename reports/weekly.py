"""``condo report weekly``: build the weekly ward report from the database.

Outputs, in ``<out>/<YYYY>-W<ww>/``: ``report.html`` (self-contained: charts embedded, readable on a
phone and in print), ``report.md``, the summary table (``summary.csv``) and the tables as CSV and
Parquet (``metrics.*``, ``index.*``). Rendering is reports/render.py's (Jinja2 templates).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine, inspect

from db.places.groups import PlaceTableError, load_groups
from db.provenance import holds_simulated_data
from db.verdicts import Verdict
from reports.charts import bar_chart, index_chart, line_chart
from reports.closed import closed_table
from reports.data import ReportData, load, seen_range
from reports.findings import findings
from reports.flips import flip_findings, flip_tables
from reports.formatting import area_name, day
from reports.index import ward_indexes
from reports.metrics import HISTORY_WEEKS, iso_week_of, metrics_table, week_end
from reports.new_supply import supply_findings, supply_table
from reports.render import render_html, render_markdown
from reports.report import Report
from reports.summary import WARD_ORDER, area_order, summary_table
from reports.text import TEXT

JST_ZONE = ZoneInfo("Asia/Tokyo")


class ReportError(Exception):
    """The report cannot be built (no data, a week outside the data); the message says why."""


def parse_week(value: str) -> tuple[int, int]:
    """``2026-W44`` → (2026, 44); raises ValueError with the expected form otherwise."""
    try:
        year, week = value.upper().split("-W")
        dt.date.fromisocalendar(int(year), int(week), 1)
        return int(year), int(week)
    except ValueError as error:
        raise ValueError(f"week {value!r} is not of the form YYYY-Www (for example 2026-W44)") from error


def _quality(data: ReportData, start: pd.Timestamp, end: pd.Timestamp, lang: str) -> dict[str, str]:
    t = TEXT[lang]
    seen = data.sightings_between(start, end)
    listing_ids = set(seen["listing_id"])
    listings = data.listings[data.listings["listing_id"].isin(listing_ids)]
    units = listings["unit_key"].nunique()
    runs = data.runs[(data.runs["started_at"] >= start) & (data.runs["started_at"] < end)]
    completeness = {
        name: listings[name].notna().mean() for name in ("area_m2", "layout", "floor", "built_year", "walk_minutes")
    }
    coverage = runs["coverage"].dropna()
    return {
        t["q_listings"]: f"{len(listing_ids):,}",
        t["q_units"]: f"{units:,}",
        t["q_duplicates"]: f"{len(listing_ids) - units:,}",
        t["q_completeness"]: t["list_join"].join(f"{t['fields'][k]} {v:.0%}" for k, v in completeness.items()),
        t["q_coverage"]: f"{coverage.min():.1%} – {coverage.max():.1%}" if len(coverage) else "—",
        t["q_runs"]: f"{len(runs)}",
        t["q_unhealthy"]: f"{int((runs['verdict'] != 'complete_healthy').sum())}",
        t["q_untrusted"]: _untrusted_wards(data, start, end, lang),
        t["q_held"]: f"{int(_in_window(data.ward_runs, start, end)['removals_held'].fillna(0).sum())}",
    }


def _in_window(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    if frame.empty:  # an empty frame's times were not converted to Japan time (reports.data.load)
        return frame
    return frame[(frame["started_at"] >= start) & (frame["started_at"] < end)]


def _untrusted_wards(data: ReportData, start: pd.Timestamp, end: pd.Timestamp, lang: str) -> str:
    """The ward-nights not trusted in the window, the suspect ones named (a well-formed night far below
    the ward's recent level: nothing was removed from them)."""
    t = TEXT[lang]
    rows = _in_window(data.ward_runs, start, end)
    if rows.empty:
        return "0"
    verdict = rows["verdict"].fillna("")
    untrusted = rows[verdict != Verdict.COMPLETE_HEALTHY]
    if untrusted.empty:
        return "0"
    suspect = untrusted[untrusted["verdict"] == Verdict.SUSPECT]
    named = "; ".join(
        f"{day(pd.Timestamp(night).date(), lang)} "
        f"{t['list_join'].join(area_name(w.capitalize(), lang) for w in sorted(set(group['ward'])))}"
        for night, group in suspect.groupby("night")
    )
    return f"{len(untrusted)}" + (f" ({t['q_suspect_named']}: {named})" if named else "")


def build_report(engine: Engine, week: tuple[int, int] | None = None, lang: str = "en") -> Report:
    """Compute everything the weekly report shows. Raises ReportError when there is nothing to show."""
    if lang not in TEXT:
        raise ReportError(f"language {lang!r} is not available: choose from {', '.join(TEXT)}")
    try:
        load_groups()
    except PlaceTableError as error:
        raise ReportError(f"the district-group table is wrong: {error}") from error
    if "v_listings" not in inspect(engine).get_view_names():
        raise ReportError(TEXT[lang]["no_schema"])
    seen = seen_range(engine)
    if seen is None:
        raise ReportError(TEXT[lang]["empty"])
    first_seen, last_seen = seen
    week = week or iso_week_of(last_seen)
    end = week_end(*week)
    if end - pd.Timedelta(days=7) > last_seen or end <= first_seen:
        first = iso_week_of(first_seen)
        raise ReportError(
            TEXT[lang]["no_week"].format(
                week=f"{week[0]}-W{week[1]:02d}",
                first=f"{first[0]}-W{first[1]:02d}",
                last=f"{iso_week_of(last_seen)[0]}-W{iso_week_of(last_seen)[1]:02d}",
            )
        )
    # Only the weeks the report shows (its windows of four weeks back to the year-on-year comparison):
    # its cost follows them, not the years of history kept.
    data = load(engine, since=end - pd.Timedelta(weeks=HISTORY_WEEKS), seen=seen)
    if data.empty:
        raise ReportError(TEXT[lang]["empty"])
    metrics = metrics_table(data, week)
    latest = metrics[metrics["window_end"] == metrics["window_end"].max()].copy()
    indexes = {area: result.table for area, result in ward_indexes(data).items()}
    indexes = {area: table[table["week_end"] < end.date().isoformat()] for area, table in indexes.items()}
    last_day = (end - pd.Timedelta(days=1)).date()
    report = Report(
        week=week,
        lang=lang,
        simulated=holds_simulated_data(engine),
        findings=findings(metrics, latest, indexes, day(last_day, lang), lang),
        metrics=metrics,
        latest=latest,
        indexes=indexes,
        quality=_quality(data, end - pd.Timedelta(days=28), end, lang),
        summary=summary_table(latest, indexes),
        end=last_day,
        generated_at=dt.datetime.now(JST_ZONE).replace(microsecond=0),
        commit=code_version(),
    )
    report.closed = closed_table(data)
    report.supply = supply_table(data, latest, end)
    report.findings += supply_findings(report.supply, lang)
    report.flips, report.towers, report.low_rise = flip_tables(data, end)
    report.findings += flip_findings(report.flips, lang)
    report.closed_latest = str(data.closed["quarter"].max()) if not data.closed.empty else None
    _charts(report, metrics)
    return report


def _charts(report: Report, metrics: pd.DataFrame) -> None:
    t = TEXT[report.lang]
    lang = report.lang
    mark = t["simulated_short"] if report.simulated else None
    areas = [*WARD_ORDER, "3A"]
    labels = {area: area_name(area, lang) for area, _ in area_order()}
    shown = {area: table for area, table in report.indexes.items() if area in areas and len(table)}
    if shown:
        report.charts["index"] = index_chart(shown, labels, t["c_index"], t["c_index_y"], lang, mark)
    wards = metrics[(metrics["segment"] == "all") & metrics["area"].isin(WARD_ORDER)]
    series = {
        area: wards[wards["area"] == area].set_index("window_end")["median_price_per_m2"].dropna()
        for area in WARD_ORDER
    }
    series = {k: v for k, v in series.items() if len(v)}
    if series:
        report.charts["median"] = line_chart(series, labels, t["c_median"], t["c_median_y"], lang, mark)
    latest = report.latest[(report.latest["segment"] == "all") & report.latest["area"].isin(WARD_ORDER)]
    latest = latest[~latest["suppressed"].astype(bool)]
    latest = latest.sort_values("area", key=lambda areas: areas.map(WARD_ORDER.index))
    if not latest.empty:
        shown_areas = list(latest["area"])
        report.charts["supply"] = bar_chart(
            shown_areas,
            labels,
            {
                t["new"]: list(latest["new_units"]),
                t["removed"]: list(latest["removed_units"]),
                t["inventory"]: list(latest["inventory_units"]),
            },
            t["c_supply"],
            t["c_units"],
            mark,
        )
        report.charts["cuts"] = bar_chart(
            shown_areas,
            labels,
            {
                t["cut_share"]: list(latest["price_cut_share"] * 100),
                t["rise_share"]: list(latest["price_rise_share"] * 100),
            },
            t["c_cuts"],
            "%",
            mark,
        )


def code_version() -> str:
    """The commit the report was made with (``git describe``), or the package version outside a checkout."""
    root = Path(__file__).resolve().parent.parent
    try:
        found = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty", "--abbrev=10"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return found.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        try:
            return "v" + importlib.metadata.version("tokyo-condo-tracker")
        except importlib.metadata.PackageNotFoundError:
            return "unknown"


def write_report(report: Report, out_dir: Path) -> dict[str, Path]:
    """Write the HTML, Markdown, CSV and Parquet files; returns them by kind."""
    folder = out_dir / f"{report.week[0]}-W{report.week[1]:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "html": folder / "report.html",
        "markdown": folder / "report.md",
        "summary_csv": folder / "summary.csv",
        "metrics_csv": folder / "metrics.csv",
        "metrics_parquet": folder / "metrics.parquet",
        "index_csv": folder / "index.csv",
        "index_parquet": folder / "index.parquet",
    }
    files["html"].write_text(render_html(report), encoding="utf-8")
    files["markdown"].write_text(render_markdown(report), encoding="utf-8")
    report.summary.assign(simulated=report.simulated).to_csv(files["summary_csv"], index=False)
    metrics = report.metrics.assign(simulated=report.simulated)
    metrics.to_csv(files["metrics_csv"], index=False)
    metrics.to_parquet(files["metrics_parquet"], index=False)
    index = (
        pd.concat([table.assign(area=area) for area, table in report.indexes.items()], ignore_index=True)
        if report.indexes
        else pd.DataFrame(columns=["area", "week_end", "index", "low", "high", "observations", "units"])
    )
    index = index.assign(simulated=report.simulated)
    index.to_csv(files["index_csv"], index=False)
    index.to_parquet(files["index_parquet"], index=False)
    return files


__all__ = ["Report", "ReportError", "build_report", "parse_week", "write_report"]
