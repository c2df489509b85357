"""Dated snapshots of the analysts' views for people who work in files: Parquet and CSV, with a data
dictionary (``condo export``; the weekly job can write one too).

A snapshot is a folder ``condo-export-<YYYY-MM-DD>/`` holding, for each view, ``<view>.parquet`` (typed:
ready for pandas, R's arrow or DuckDB) and ``<view>.csv`` (UTF-8, ISO dates), and ``dictionary.md`` and
``dictionary.json``: every column with its pandas dtype and its meaning (from docs/schema.md). The
column types are fixed by name (:func:`dtype_of`), so a column means the same in every snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, text

from db.provenance import holds_simulated_data

VIEWS = ("v_listings", "v_units", "v_price_history", "v_crawl_runs", "v_presence", "v_weekly_panel")
FORMATS = ("parquet", "csv")

_FLOATS = {"area_m2", "price_per_m2", "change_ratio", "coverage", "gap_days"}
_BOOLEANS = {"complete", "healthy", "price_planned"}
_TEXT_ENDINGS = ("_name", "_status", "_scope", "_type", "_basis", "_reasons")
_TEXT = {
    "source",
    "source_listing_id",
    "url",
    "building_name",
    "district",
    "area_group",
    "layout",
    "structure",
    "direction",
    "station",
    "agent",
    "status",
    "spider",
    "wards",
    "verdict",
    "week_jst",
}


def dtype_of(column: str) -> str:
    """The pandas dtype a column has in every export, decided by its name.

    >>> [dtype_of(c) for c in ("price_yen", "price_per_m2", "seen_at", "night_jst", "week_jst", "healthy")]
    ['Int64', 'float64', 'datetime64[us, UTC]', 'datetime64[us]', 'string', 'boolean']
    """
    if column.endswith("_at"):
        return "datetime64[us, UTC]"
    if "night_jst" in column:
        return "datetime64[us]"
    if column in _FLOATS:
        return "float64"
    if column in _BOOLEANS:
        return "boolean"
    if column in _TEXT or column.endswith(_TEXT_ENDINGS):
        return "string"
    return "Int64"


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every column in its export dtype (times as UTC, nights as dates at midnight)."""
    out = frame.copy()
    for column in out.columns:
        dtype = dtype_of(column)
        if dtype == "datetime64[us, UTC]":
            out[column] = pd.to_datetime(out[column], utc=True, format="mixed").astype(dtype)
        elif dtype == "datetime64[us]":
            out[column] = pd.to_datetime(out[column].astype("string"), format="%Y-%m-%d").astype(dtype)
        elif dtype == "Int64":
            out[column] = pd.to_numeric(out[column]).round().astype("Int64")
        elif dtype == "float64":
            out[column] = pd.to_numeric(out[column]).astype("float64")
        elif dtype == "boolean":
            out[column] = out[column].astype("boolean")
        else:
            out[column] = out[column].astype("string")
    return out


def column_docs(schema: str | None = None) -> dict[str, dict[str, str]]:
    """View → column → meaning, read from docs/schema.md's tables (a row may name several columns).

    >>> column_docs()["v_presence"]["night_jst"]
    'The Japan night it was seen, and its ISO week.'
    """
    schema = schema if schema is not None else resources.files("exports").joinpath("schema.md").read_text("utf-8")
    docs: dict[str, dict[str, str]] = {}
    for view, section in re.findall(r"### `(v_\w+)`[^\n]*\n(.*?)(?=\n### |\n## |\Z)", schema, flags=re.DOTALL):
        columns = docs.setdefault(view, {})
        for names, meaning in re.findall(r"^\| (`[^|]+`) \| (.+?) \|$", section, flags=re.MULTILINE):
            for name in re.findall(r"`(\w+)`", names):
                columns[name] = meaning.strip()
    return docs


@dataclass
class Export:
    folder: Path
    simulated: bool
    rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def write_export(
    engine: Engine, out_dir: Path, formats: tuple[str, ...] = FORMATS, today: dt.date | None = None
) -> Export:
    """Write a dated snapshot of every view into ``out_dir`` (a folder of that date is replaced)."""
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        raise ValueError(f"formats are {', '.join(FORMATS)}, not {', '.join(sorted(unknown)) or 'none'}")
    day = today or dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=9))).date()
    folder = out_dir / f"condo-export-{day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    docs = column_docs()
    with engine.connect() as connection:
        export = Export(folder, holds_simulated_data(connection))
        dictionary: dict[str, list[dict[str, str]]] = {}
        for view in VIEWS:
            frame = typed(pd.read_sql(text(f"SELECT * FROM {view}"), connection))
            export.rows[view] = len(frame)
            if "parquet" in formats:
                frame.to_parquet(folder / f"{view}.parquet", index=False)
                export.files.append(folder / f"{view}.parquet")
            if "csv" in formats:
                frame.to_csv(folder / f"{view}.csv", index=False, date_format="%Y-%m-%dT%H:%M:%S%z")
                export.files.append(folder / f"{view}.csv")
            dictionary[view] = [
                {"column": column, "dtype": str(frame[column].dtype), "meaning": docs.get(view, {}).get(column, "")}
                for column in frame.columns
            ]
    _write_dictionary(folder, dictionary, export, day)
    return export


def _write_dictionary(folder: Path, dictionary: dict[str, list[dict[str, str]]], export: Export, day: dt.date) -> None:
    label = "SIMULATED DATA (condo demo): not the real market. " if export.simulated else ""
    meta = {"date_jst": day.isoformat(), "simulated": export.simulated, "rows": export.rows, "views": dictionary}
    (folder / "dictionary.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [
        f"# tokyo-condo-tracker export of {day.isoformat()} (Japan date)",
        "",
        f"{label}Asking prices from SUUMO for Koto, Bunkyo and Minato, as the analysts' views held them.",
        "Times are UTC (`…_at`); nights are Japan dates (`…night_jst`, noon to noon, named by the morning);",
        "weeks are ISO weeks of those nights (`week_jst`). Yen are whole yen. The full documentation of",
        "every view is docs/schema.md of the project.",
        "",
        "```python",
        "import pandas as pd",
        'panel = pd.read_parquet("v_weekly_panel.parquet")  # dtypes as listed below',
        "```",
    ]
    for view, columns in dictionary.items():
        lines += ["", f"## {view} ({export.rows[view]} rows)", "", "| Column | dtype | Meaning |", "|---|---|---|"]
        lines += [f"| `{c['column']}` | {c['dtype']} | {c['meaning']} |" for c in columns]
    (folder / "dictionary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    export.files += [folder / "dictionary.md", folder / "dictionary.json"]
