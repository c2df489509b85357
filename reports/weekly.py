"""``condo report weekly``: build the weekly ward report from the database.

Outputs, in ``<out>/<YYYY>-W<ww>/``: ``report.html`` (self-contained: charts embedded, readable on a
phone and in print), ``report.md``, and the tables as CSV and Parquet (``metrics.*``, ``index.*``).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, inspect, text

from reports.charts import bar_chart, index_chart, line_chart
from reports.data import ReportData, load
from reports.index import CONTROLS, ward_indexes
from reports.metrics import FAMILY_MIN_M2, FAMILY_MIN_ROOMS, MIN_UNITS, iso_week_of, metrics_table, week_end
from reports.text import TEXT

WARD_ORDER = ["Koto", "Bunkyo", "Minato"]


class ReportError(Exception):
    """The report cannot be built (no data, a week outside the data); the message says why."""


@dataclass
class Report:
    week: tuple[int, int]
    lang: str
    simulated: bool
    findings: list[str]
    metrics: pd.DataFrame
    latest: pd.DataFrame
    indexes: dict[str, pd.DataFrame]
    quality: dict[str, str]
    charts: dict[str, bytes] = field(default_factory=dict)


def parse_week(value: str) -> tuple[int, int]:
    """``2026-W44`` → (2026, 44); raises ValueError with the expected form otherwise."""
    try:
        year, week = value.upper().split("-W")
        dt.date.fromisocalendar(int(year), int(week), 1)
        return int(year), int(week)
    except ValueError as error:
        raise ValueError(f"week {value!r} is not of the form YYYY-Www (for example 2026-W44)") from error


def _pct(value: float) -> str:
    return f"{value:+.1f}%"


def _yen(value: float) -> str:
    return f"¥{value:,.0f}"


def _is_simulated(engine: Engine) -> bool:
    with engine.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM listing_snapshots WHERE title LIKE '%SIMULATED%' LIMIT 1"))
        return found.first() is not None


def _quality(data: ReportData, start: pd.Timestamp, end: pd.Timestamp, lang: str) -> dict[str, str]:
    t = TEXT[lang]
    seen = data.sightings[(data.sightings["seen_at"] >= start) & (data.sightings["seen_at"] < end)]
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
        t["q_completeness"]: ", ".join(f"{k} {v:.0%}" for k, v in completeness.items()),
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
    untrusted = rows[verdict != "complete_healthy"]
    if untrusted.empty:
        return "0"
    suspect = untrusted[untrusted["verdict"] == "suspect"]
    named = "; ".join(
        f"{pd.Timestamp(night):%Y-%m-%d} {', '.join(t['ward'].get(w.capitalize(), w) for w in sorted(set(group['ward'])))}"
        for night, group in suspect.groupby("night")
    )
    return f"{len(untrusted)}" + (f" ({t['q_suspect_named']}: {named})" if named else "")


INDEX_SHORT_WEEKS = 4
"""An index with fewer weeks than this is flagged as a short history in the findings."""
THIN_WEEK_UNITS = 30
"""A latest index week with fewer flats than this is flagged as thin."""
DISAGREE_POINTS = 2.0
"""The median and the index disagree when their four-week changes differ in sign (each beyond 1 %) or
by more than this many percentage points: the findings then say why."""


def _small_share(metrics: pd.DataFrame, area: str, window_end: object) -> float | None:
    """Share of the area's flats on sale that are under 40 m², in the window ending ``window_end``."""
    rows = metrics[(metrics["area"] == area) & (metrics["window_end"] == window_end)].set_index("segment")
    if "all" not in rows.index or "under 40 m²" not in rows.index or not rows.loc["all", "active_units"]:
        return None
    return float(rows.loc["under 40 m²", "active_units"] / rows.loc["all", "active_units"])


def _index_finding(text: dict[str, Any], name: str, table: pd.DataFrame) -> tuple[float, str]:
    """(how far the index moved, the sentence): a move only when its interval excludes no change."""
    last, base = table.iloc[-1], table.iloc[0]["week_end"]
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
        sentence += " " + text["f_short"].format(weeks=len(table))
    if last["units"] < THIN_WEEK_UNITS:
        sentence += " " + text["f_thin"].format(units=int(last["units"]))
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


def _findings(
    metrics: pd.DataFrame, latest: pd.DataFrame, indexes: dict[str, pd.DataFrame], end_label: str, lang: str
) -> list[str]:
    """One finding per ward and for 3A, the areas whose quality-adjusted prices moved most first.

    A move of the index is stated only when its 95 % interval excludes no change; otherwise the area is
    "not yet distinguishable from flat". Short histories and thin weeks are flagged, and where the
    median and the index disagree a sentence says why (the mix of flats on sale changed).
    """
    t = TEXT[lang]
    ranked: list[tuple[float, str]] = []
    for area in [*WARD_ORDER, "3A"]:
        name = t["ward"].get(area, area)
        row = latest[(latest["area"] == area) & (latest["segment"] == "all")]
        if row.empty or row.iloc[0]["suppressed"]:
            ranked.append((-1.0, t["f_suppressed"].format(area=name, n=MIN_UNITS)))
            continue
        r = row.iloc[0]
        sentences = []
        rank = -0.5
        table = indexes.get(area)
        if table is not None and len(table) >= 2:
            rank, sentence = _index_finding(t, name, table)
            sentences.append(sentence)
        else:
            sentences.append(t["f_no_index"].format(area=name))
        change = r["median_price_per_m2_mom_pct"]
        if math.isnan(change):
            sentences.append(
                t["f_level"].format(
                    area=name, value=_yen(r["median_price_per_m2"]), end=end_label, cut=r["price_cut_share"]
                )
            )
        else:
            sentences.append(
                t["f_median"].format(
                    area=name,
                    direction=t["rose"] if change > 0 else t["fell"],
                    change=abs(change),
                    end=end_label,
                    value=_yen(r["median_price_per_m2"]),
                    cut=r["price_cut_share"],
                )
            )
            if table is not None and len(table) >= 2:
                reconcile = _reconcile(t, metrics, area, float(change), table)
                if reconcile:
                    sentences.append(reconcile)
        ranked.append((rank, t["sentence_join"].join(sentences)))
    return [sentence for _, sentence in sorted(ranked, key=lambda item: -item[0])]


def build_report(engine: Engine, week: tuple[int, int] | None = None, lang: str = "en") -> Report:
    """Compute everything the weekly report shows. Raises ReportError when there is nothing to show."""
    if lang not in TEXT:
        raise ReportError(f"language {lang!r} is not available: choose from {', '.join(TEXT)}")
    if "v_listings" not in inspect(engine).get_view_names():
        raise ReportError(TEXT[lang]["no_schema"])
    data = load(engine)
    if data.empty:
        raise ReportError(TEXT[lang]["empty"])
    last_seen = data.sightings["seen_at"].max()
    week = week or iso_week_of(last_seen)
    end = week_end(*week)
    if end - pd.Timedelta(days=7) > last_seen or end <= data.sightings["seen_at"].min():
        first = iso_week_of(data.sightings["seen_at"].min())
        raise ReportError(
            TEXT[lang]["no_week"].format(
                week=f"{week[0]}-W{week[1]:02d}",
                first=f"{first[0]}-W{first[1]:02d}",
                last=f"{iso_week_of(last_seen)[0]}-W{iso_week_of(last_seen)[1]:02d}",
            )
        )
    metrics = metrics_table(data, week)
    latest = metrics[metrics["window_end"] == metrics["window_end"].max()].copy()
    indexes = {area: result.table for area, result in ward_indexes(data).items()}
    indexes = {area: table[table["week_end"] < end.date().isoformat()] for area, table in indexes.items()}
    end_label = (end - pd.Timedelta(days=1)).date().isoformat()
    report = Report(
        week=week,
        lang=lang,
        simulated=_is_simulated(engine),
        findings=_findings(metrics, latest, indexes, end_label, lang),
        metrics=metrics,
        latest=latest,
        indexes=indexes,
        quality=_quality(data, end - pd.Timedelta(days=28), end, lang),
    )
    _charts(report, metrics)
    return report


def _charts(report: Report, metrics: pd.DataFrame) -> None:
    t = TEXT[report.lang]
    labels = {area: t["ward"].get(area, area) for area in [*WARD_ORDER, "3A"]}
    if report.indexes:
        report.charts["index"] = index_chart(report.indexes, labels, t["c_index"], t["c_index_y"])
    wards = metrics[(metrics["segment"] == "all") & metrics["area"].isin(WARD_ORDER)]
    series = {
        area: wards[wards["area"] == area].set_index("window_end")["median_price_per_m2"].dropna()
        for area in WARD_ORDER
    }
    series = {k: v for k, v in series.items() if len(v)}
    if series:
        report.charts["median"] = line_chart(series, labels, t["c_median"], t["c_median_y"])
    latest = report.latest[(report.latest["segment"] == "all") & report.latest["area"].isin(WARD_ORDER)]
    latest = latest[~latest["suppressed"].astype(bool)]
    if not latest.empty:
        names = [labels[a] for a in latest["area"]]
        report.charts["supply"] = bar_chart(
            names,
            {
                t["new"]: list(latest["new_units"]),
                t["removed"]: list(latest["removed_units"]),
                t["inventory"]: list(latest["inventory_units"]),
            },
            t["c_supply"],
            t["c_units"],
        )
        report.charts["cuts"] = bar_chart(
            names,
            {
                t["cut_share"]: list(latest["price_cut_share"] * 100),
                t["rise_share"]: list(latest["price_rise_share"] * 100),
            },
            t["c_cuts"],
            "%",
        )


TABLE_COLUMNS = (
    ("active_units", "units"),
    ("new_units", "int"),
    ("inventory_units", "int"),
    ("removed_units", "int"),
    ("median_price_yen", "yen"),
    ("median_price_per_m2", "yen"),
    ("median_price_per_tsubo", "yen"),
    ("eq70_mean_yen", "yen"),
    ("median_new_listing_price_yen", "yen"),
    ("price_cut_share", "share"),
    ("median_cut_pct", "pct"),
    ("price_rise_share", "share"),
    ("age_of_inventory_days", "int"),
    ("days_on_market_removed", "int"),
    ("removals_per_active", "share"),
    ("median_price_per_m2_mom_pct", "pct"),
)


def _cell(value: float, kind: str, suppressed: bool) -> str:
    if suppressed and kind != "units":
        return "—"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return {
        "units": f"{int(value):,}",
        "int": f"{round(value):,}",
        "yen": _yen(value),
        "share": f"{value:.0%}",
        "pct": f"{value:+.1f}%",
    }[kind]


def _table_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    t = TEXT[report.lang]
    header = [t["area"], t["segment"], *[t["col"][name] for name, _ in TABLE_COLUMNS]]
    rows = []
    for _, row in report.latest.iterrows():
        suppressed = bool(row["suppressed"])
        rows.append(
            [
                t["ward"].get(row["area"], row["area_label"]),
                t["segments"].get(row["segment"], row["segment"]),
                *[_cell(row[name], kind, suppressed) for name, kind in TABLE_COLUMNS],
            ]
        )
    return header, rows


def render_html(report: Report) -> str:
    t = TEXT[report.lang]
    e = html.escape
    week = f"{report.week[0]}-W{report.week[1]:02d}"
    banner = f'<p class="simulated">{e(t["simulated_banner"])}</p>' if report.simulated else ""
    charts = "".join(
        f'<figure><img alt="{e(t["alt"][name])}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        f"<figcaption>{e(t['alt'][name])}</figcaption></figure>"
        for name, png in report.charts.items()
    )
    header, rows = _table_rows(report)
    table = "<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr></thead><tbody>"
    table += "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows) + "</tbody></table>"
    quality = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in report.quality.items())
    methods = "".join(f"<li>{e(item)}</li>" for item in _methods(report))
    findings = "".join(f"<li>{e(item)}</li>" for item in report.findings)
    return f"""<!DOCTYPE html>
<html lang="{report.lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(t["title"])} {week}</title>
<style>
body {{ font-family: "Noto Sans JP", "IPAGothic", "Hiragino Sans", system-ui, sans-serif; margin: 0 auto; max-width: 980px;
       padding: 1rem; color: #222; line-height: 1.5; }}
h1 {{ font-size: 1.5rem; }} h2 {{ font-size: 1.2rem; border-bottom: 1px solid #ddd; }}
.simulated {{ background: #fff3cd; border: 2px solid #d4a017; padding: .6rem; font-weight: bold; }}
figure {{ margin: 1rem 0; }} img {{ max-width: 100%; height: auto; }}
figcaption {{ font-size: .85rem; color: #555; }}
.table-wrap {{ overflow-x: auto; }}
table {{ border-collapse: collapse; font-size: .8rem; }} th, td {{ border: 1px solid #ccc; padding: .25rem .4rem; text-align: right; }}
th:first-child, td:first-child, td:nth-child(2) {{ text-align: left; }}
.box {{ background: #f6f8fa; border: 1px solid #ddd; padding: .6rem 1rem; margin: 1rem 0; }}
@media print {{ body {{ max-width: none; }} figure {{ break-inside: avoid; }} .table-wrap {{ overflow: visible; }} }}
</style></head>
<body>
{banner}
<h1>{e(t["title"])}: {e(t["week"])} {week}</h1>
<h2>{e(t["findings"])}</h2><ul class="findings">{findings}</ul>
<h2>{e(t["charts"])}</h2>{charts}
<h2>{e(t["tables"])}</h2><p>{e(t["table_note"].format(n=MIN_UNITS))}</p><div class="table-wrap">{table}</div>
<div class="box"><h2>{e(t["quality"])}</h2><table>{quality}</table></div>
<div class="box"><h2>{e(t["methods"])}</h2><ul>{methods}</ul></div>
</body></html>"""


def _methods(report: Report) -> list[str]:
    t = TEXT[report.lang]
    items = [
        item.format(n=MIN_UNITS, m2=FAMILY_MIN_M2, rooms=FAMILY_MIN_ROOMS, controls=CONTROLS)
        for item in t["methods_items"]
    ]
    if report.simulated:
        items.insert(0, t["simulated_banner"])
    return items


def render_markdown(report: Report) -> str:
    t = TEXT[report.lang]
    week = f"{report.week[0]}-W{report.week[1]:02d}"
    lines = [f"# {t['title']}: {t['week']} {week}", ""]
    if report.simulated:
        lines += [f"> **{t['simulated_banner']}**", ""]
    lines += [f"## {t['findings']}", "", *[f"- {f}" for f in report.findings], ""]
    header, rows = _table_rows(report)
    lines += [
        f"## {t['tables']}",
        "",
        t["table_note"].format(n=MIN_UNITS),
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    lines += ["", f"## {t['quality']}", "", *[f"- {k}: {v}" for k, v in report.quality.items()], ""]
    lines += [f"## {t['methods']}", "", *[f"- {m}" for m in _methods(report)], ""]
    return "\n".join(lines)


def write_report(report: Report, out_dir: Path) -> dict[str, Path]:
    """Write the HTML, Markdown, CSV and Parquet files; returns them by kind."""
    folder = out_dir / f"{report.week[0]}-W{report.week[1]:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "html": folder / "report.html",
        "markdown": folder / "report.md",
        "metrics_csv": folder / "metrics.csv",
        "metrics_parquet": folder / "metrics.parquet",
        "index_csv": folder / "index.csv",
        "index_parquet": folder / "index.parquet",
    }
    files["html"].write_text(render_html(report), encoding="utf-8")
    files["markdown"].write_text(render_markdown(report), encoding="utf-8")
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
