"""Migrations: up from empty on both engines, models and migrations agree (alembic check), views exist."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

from db.engine import make_engine
from db.migrate import check, current_revision, downgrade, upgrade
from db.views import VIEW_NAMES


def test_migrated_to_head_and_alembic_check_is_clean(engine: Engine) -> None:
    assert current_revision(engine) == "0003"
    check(engine)  # raises when models and the migrated schema differ


def test_tables_and_views(engine: Engine) -> None:
    inspector = inspect(engine)
    assert {
        "crawl_runs",
        "crawl_run_wards",
        "buildings",
        "units",
        "listings",
        "listing_unit_links",
        "sightings",
        "price_history",
        "listing_events",
        "listing_snapshots",
    } <= set(inspector.get_table_names())
    assert set(VIEW_NAMES) <= set(inspector.get_view_names())
    with engine.connect() as connection:
        for view in VIEW_NAMES:
            assert connection.execute(text(f"SELECT COUNT(*) FROM {view}")).scalar() == 0


def test_downgrade_to_empty_and_up_again(engine: Engine) -> None:
    downgrade(engine, "base")
    assert not set(VIEW_NAMES) & set(inspect(engine).get_view_names())
    assert "listings" not in inspect(engine).get_table_names()
    upgrade(engine)
    check(engine)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'condo.sqlite3'}")  # the folder is created
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
