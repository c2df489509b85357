"""Dated snapshots of the analysts' views for people who work in files: Parquet and CSV, with a data
dictionary (``condo export``; the weekly job can write one too).

A snapshot is a folder ``condo-export-<YYYY-MM-DD>/`` holding, for each view, ``<view>.parquet`` (typed:
ready for pandas, R's arrow or DuckDB) and ``<view>.csv`` (UTF-8, ISO dates), and ``dictionary.md`` and
``dictionary.json``: every column with its pandas dtype and its meaning (docs/schema.md, db.schema_docs). The
column types come from the database's schema (:func:`view_dtypes`: the type the engine reflects for the
view's column); a column SQLite cannot type (an expression) takes the type its name gives
(:func:`dtype_of`), which a test holds equal to the type PostgreSQL reflects for it, so a column means the
same in every snapshot and on both engines.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Boolean, Connection, Date, DateTime, Engine, Float, Integer, Numeric, String, inspect, text
from sqlalchemy.types import NullType, TypeEngine

from db.provenance import holds_simulated_data
from db.schema_docs import column_docs
from db.views import VIEW_NAMES

VIEWS = VIEW_NAMES
"""Every analysts' view (db.views), in creation order."""
FORMATS = ("parquet", "csv", "sqlite")
DEFAULT_FORMATS = ("parquet", "csv")

_FLOATS = {
    "area_m2",
    "price_per_m2",
    "change_ratio",
    "coverage",
    "gap_days",
    "area_min_m2",
    "area_max_m2",
    "price_min_per_m2",
    "price_max_per_m2",
    "median_price_per_m2",
    "project_price_min_per_m2",
    "project_price_max_per_m2",
}
_BOOLEANS = {
    "complete",
    "healthy",
    "price_planned",
    "area_capped",
    "built_prewar",
    "renovated",
    "special_sale",
    "unoccupied",
    "rented",
    "marketed_in_chinese",
}
_TEXT_ENDINGS = (
    "_name",
    "_status",
    "_scope",
    "_type",
    "_basis",
    "_reasons",
    "week_jst",
    "_category",
    "_source",
    "_raw",
)
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
    "municipality",
    "district_code",
    "remarks",
    "quarter",
    "quarter_jst",
    "land_tenure",
    "land_tenure_raw",
    "sale_phase",
    "previous_sale_phase",
    "sale_schedule",
    "delivery",
    "archive_record",
    "handover",
    "parking",
    "agent_licence",
    "feature_tags",
    "agent_comment",
    "project_link_rule",
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


def sql_dtype(sql_type: TypeEngine[object]) -> str | None:
    """The export dtype of a reflected SQL type, or None when the engine gave no type (a SQLite
    expression column).

    >>> from sqlalchemy import BigInteger, Text
    >>> sql_dtype(BigInteger()), sql_dtype(Text()), sql_dtype(NullType())
    ('Int64', 'string', None)
    """
    if isinstance(sql_type, NullType):
        return None
    if isinstance(sql_type, Boolean):
        return "boolean"
    if isinstance(sql_type, DateTime):
        return "datetime64[us, UTC]"
    if isinstance(sql_type, Date):
        return "datetime64[us]"
    if isinstance(sql_type, Integer):
        return "Int64"
    if isinstance(sql_type, Float | Numeric):
        return "float64"
    if isinstance(sql_type, String):
        return "string"
    return None


def view_dtypes(connection: Connection, view: str) -> dict[str, str]:
    """Column → export dtype of a view, from the types the database reflects for it; a column without
    one (an expression on SQLite) takes :func:`dtype_of`'s."""
    out = {}
    for column in inspect(connection).get_columns(view):
        out[column["name"]] = sql_dtype(column["type"]) or dtype_of(column["name"])
    return out


def typed(frame: pd.DataFrame, dtypes: dict[str, str] | None = None) -> pd.DataFrame:
    """The frame with every column in its export dtype (``dtypes``, else by name: :func:`dtype_of`;
    times as UTC, nights as dates at midnight)."""
    out = frame.copy()
    for column in out.columns:
        dtype = (dtypes or {}).get(column) or dtype_of(column)
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


@dataclass
class Export:
    folder: Path
    simulated: bool
    rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def write_export(
    engine: Engine, out_dir: Path, formats: tuple[str, ...] = DEFAULT_FORMATS, today: dt.date | None = None
) -> Export:
    """Write a dated snapshot of every view into ``out_dir`` (files of the same date are replaced).

    ``sqlite`` writes ``views.sqlite3``, each view as a table of the same name: what ``condo browse``
    serves for a PostgreSQL database (Datasette reads SQLite)."""
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        raise ValueError(f"formats are {', '.join(FORMATS)}, not {', '.join(sorted(unknown)) or 'none'}")
    day = today or dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=9))).date()
    folder = out_dir / f"condo-export-{day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    docs = column_docs()
    sqlite_path = folder / "views.sqlite3"
    if "sqlite" in formats:
        sqlite_path.unlink(missing_ok=True)
    with engine.connect() as connection:
        export = Export(folder, holds_simulated_data(connection))
        dictionary: dict[str, list[dict[str, str]]] = {}
        for view in VIEWS:
            frame = typed(pd.read_sql(text(f"SELECT * FROM {view}"), connection), view_dtypes(connection, view))
            export.rows[view] = len(frame)
            if "parquet" in formats:
                frame.to_parquet(folder / f"{view}.parquet", index=False)
                export.files.append(folder / f"{view}.parquet")
            if "csv" in formats:
                frame.to_csv(folder / f"{view}.csv", index=False, date_format="%Y-%m-%dT%H:%M:%S%z")
                export.files.append(folder / f"{view}.csv")
            if "sqlite" in formats:
                _to_sqlite(frame, sqlite_path, view)
            dictionary[view] = [
                {"column": column, "dtype": str(frame[column].dtype), "meaning": docs.get(view, {}).get(column, "")}
                for column in frame.columns
            ]
    if "sqlite" in formats:
        export.files.append(sqlite_path)
    _write_dictionary(folder, dictionary, export, day)
    return export


def _to_sqlite(frame: pd.DataFrame, path: Path, table: str) -> None:
    import sqlite3

    plain = frame.copy()
    for column in plain.columns:
        if str(plain[column].dtype).startswith("datetime64"):
            night = "night_jst" in column
            plain[column] = plain[column].dt.strftime("%Y-%m-%d" if night else "%Y-%m-%d %H:%M:%S%z").astype(object)
        plain[column] = plain[column].astype(object).where(plain[column].notna(), None)
    with sqlite3.connect(path) as connection:
        plain.to_sql(table, connection, index=False)


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
