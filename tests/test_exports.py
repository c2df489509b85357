"""``condo export``: a dated snapshot of the views as Parquet and CSV with a data dictionary, loading in
pandas with the documented dtypes (issue 20)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from condo.cli import main
from db.engine import make_engine
from db.migrate import upgrade
from db.schema_docs import column_docs
from reports.exports import VIEWS, Export, dtype_of, sql_dtype, write_export
from simulator.closed_sales import load_closed_prices
from simulator.load import load_market, load_projects
from simulator.market import DEMO_SEED, MarketConfig, build_market, demo_config

DAY = dt.date(2026, 9, 21)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "demo.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    market = build_market(demo_config(DEMO_SEED, 10, scale=1))
    load_market(engine, market, range(10))
    load_projects(engine, market, range(10))
    load_closed_prices(engine, market, 10)
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def exported(database: Path, tmp_path_factory: pytest.TempPathFactory) -> Export:
    engine = make_engine(f"sqlite:///{database}")
    try:
        return write_export(engine, tmp_path_factory.mktemp("out"), today=DAY)
    finally:
        engine.dispose()


def count(database: Path, view: str) -> int:
    engine: Engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        value = connection.execute(text(f"SELECT COUNT(*) FROM {view}")).scalar_one()
    engine.dispose()
    return int(value)


def test_a_dated_folder_with_every_view_in_both_formats(exported: Export) -> None:
    assert exported.folder.name == "condo-export-2026-09-21"
    for view in VIEWS:
        assert (exported.folder / f"{view}.parquet").is_file() and (exported.folder / f"{view}.csv").is_file()
    assert (exported.folder / "dictionary.md").is_file()


@pytest.mark.parametrize("view", VIEWS)
def test_parquet_loads_in_pandas_with_the_documented_dtypes(exported: Export, database: Path, view: str) -> None:
    frame = pd.read_parquet(exported.folder / f"{view}.parquet")
    dictionary = json.loads((exported.folder / "dictionary.json").read_text())["views"][view]
    assert [(c["column"], c["dtype"]) for c in dictionary] == [(c, str(t)) for c, t in frame.dtypes.items()]
    assert all(str(frame[c["column"]].dtype) == dtype_of(c["column"]) for c in dictionary)
    assert len(frame) == count(database, view) > 0
    assert all(c["meaning"] for c in dictionary), f"{view}: undocumented columns"


def test_values_survive_the_trip(exported: Export, database: Path) -> None:
    frame = pd.read_parquet(exported.folder / "v_price_history.parquet")
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        first = connection.execute(
            text("SELECT price_yen, night_jst FROM v_price_history ORDER BY listing_id, seen_at LIMIT 1")
        ).one()
    engine.dispose()
    row = frame.sort_values(["listing_id", "seen_at"]).iloc[0]
    assert int(row["price_yen"]) == first[0] and row["night_jst"].date().isoformat() == first[1]
    assert str(frame["seen_at"].dt.tz) == "UTC"
    csv = pd.read_csv(exported.folder / "v_price_history.csv", parse_dates=["night_jst"])
    assert len(csv) == len(frame) and csv["price_yen"].sum() == frame["price_yen"].sum()


def test_the_dictionary_takes_its_meanings_from_the_schema_docs() -> None:
    docs = column_docs()
    assert set(VIEWS) <= set(docs)
    assert docs["v_weekly_panel"]["unit_key"].startswith("The flat")


def test_condo_export_command(database: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["export", "--database-url", f"sqlite:///{database}", "--out", str(tmp_path), "--format", "parquet"]
    )
    assert result.exit_code == 0, result.output
    assert "v_weekly_panel" in result.output and "dictionary" in result.output
    (folder,) = tmp_path.iterdir()
    assert sorted(p.suffix for p in folder.iterdir()) == [".json", ".md"] + [".parquet"] * len(VIEWS)


def test_export_on_both_engines_gives_the_same_dtypes(engine: Engine, tmp_path: Path) -> None:
    market = build_market(demo_config(DEMO_SEED, 3, scale=1))
    load_market(engine, market, range(3))
    load_projects(engine, market, range(3))
    load_closed_prices(engine, market, 3)
    export = write_export(engine, tmp_path, ("parquet", "sqlite"), today=DAY)
    for view in VIEWS:
        frame = pd.read_parquet(export.folder / f"{view}.parquet")
        assert {str(t) for c, t in frame.dtypes.items()} <= {
            "Int64",
            "float64",
            "string",
            "boolean",
            "datetime64[us, UTC]",
            "datetime64[us]",
        }
        assert all(str(t) == dtype_of(c) for c, t in frame.dtypes.items()), view
        assert len(frame) == export.rows[view] and (view == "v_weekly_panel" or len(frame) > 0)
    # What condo browse serves for a PostgreSQL database: the views as tables of one SQLite file.
    import sqlite3

    with sqlite3.connect(export.folder / "views.sqlite3") as snapshot:
        tables = {row[0] for row in snapshot.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        presence = snapshot.execute("SELECT COUNT(*) FROM v_presence").fetchone()[0]
    assert tables == set(VIEWS) and presence == export.rows["v_presence"] > 0


CRAWLED_MARKET = MarketConfig(
    seed=31, days=2, buildings_per_ward=4, arrivals_per_day={"koto": 1.0, "bunkyo": 1.0, "minato": 1.0}
)


def test_export_of_a_crawled_database_with_archive_provenance(engine: Engine, tmp_path: Path) -> None:
    """Two nights crawled by the real spider with the page archive on: the views carry WARC record ids
    (``<urn:uuid:…>``) in ``archive_record``, which the export keeps as text on both engines (a name
    rule once typed them as numbers and the export crashed on the demo's own database)."""
    from simulator.replay import replay

    market = build_market(CRAWLED_MARKET)
    url = engine.url.render_as_string(hide_password=False)
    nights = replay(market, url, range(2), tmp_path / "logs", settings={"CONDO_ARCHIVE_DIR": str(tmp_path / "warc")})
    assert all(run.returncode == 0 for night in nights for run in night.runs)
    export = write_export(engine, tmp_path / "out", ("parquet", "csv", "sqlite"), today=DAY)
    history = pd.read_parquet(export.folder / "v_price_history.parquet")
    assert str(history["archive_record"].dtype) == "string"
    assert history["archive_record"].str.startswith("<urn:uuid:").all() and len(history) > 0
    csv = pd.read_csv(export.folder / "v_price_history.csv")
    assert len(csv) == len(history)


def test_every_view_column_is_typed_as_the_database_types_it(engine: Engine) -> None:
    """Where the engine reflects a type for a view's column (PostgreSQL: every column; SQLite: columns
    taken straight from a table), the export's name rule gives the same dtype: the rule that types
    SQLite's expression columns is held to PostgreSQL's schema."""
    from sqlalchemy import inspect

    with engine.connect() as connection:
        inspector = inspect(connection)
        wrong = [
            (view, column["name"], sql_dtype(column["type"]), dtype_of(column["name"]))
            for view in VIEWS
            for column in inspector.get_columns(view)
            if sql_dtype(column["type"]) not in (None, dtype_of(column["name"]))
        ]
    assert wrong == []
