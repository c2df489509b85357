"""Migrations: up from empty on both engines, models and migrations agree (alembic check), views exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from db.engine import make_engine
from db.migrate import check, current_revision, downgrade, upgrade
from db.views import VIEW_NAMES


def test_migrated_to_head_and_alembic_check_is_clean(engine: Engine) -> None:
    assert current_revision(engine) == "0014"
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
        "sighting_spans",
        "price_history",
        "listing_events",
        "listing_snapshots",
    } <= set(inspector.get_table_names())
    assert {*VIEW_NAMES, "sightings"} <= set(inspector.get_view_names())
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


def test_the_views_a_migrated_database_has_are_the_latest_in_db_views(tmp_path: Path) -> None:
    """db/views.py (what docs/schema.md documents) and the migrations agree: a view edited without a
    migration fails here."""
    from db.views import view_sql

    engine = make_engine(f"sqlite:///{tmp_path / 'views.sqlite3'}")
    upgrade(engine)
    with engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'view'")).all())
    engine.dispose()
    assert {name: " ".join(sql.split()) for name, sql in stored.items()} == {
        name: " ".join(sql.split()) for name, sql in view_sql("sqlite").items()
    }


def test_a_frozen_view_edited_after_its_migration_is_refused(tmp_path: Path, monkeypatch: Any) -> None:
    import shutil

    import db.views
    from db.views import FrozenViewsChanged, view_sql, views_digest

    frozen = views_digest("0001")
    shutil.copytree(db.views.SQL_DIR, tmp_path / "view_sql")
    monkeypatch.setattr(db.views, "SQL_DIR", tmp_path / "view_sql")
    assert view_sql("sqlite", "0001", frozen)
    listing = tmp_path / "view_sql" / "0001" / "v_listings.sql"
    listing.write_text(listing.read_text().replace("l.url,", "l.url, 1 AS extra,"))
    with pytest.raises(FrozenViewsChanged, match="new folder with a new migration"):
        view_sql("sqlite", "0001", frozen)


def test_every_migration_applies_views_by_frozen_revision_and_digest() -> None:
    """A migration that creates views names its folder and digest; none reads the latest view SQL."""
    import ast

    from db.views import views_digest

    versions = Path(__file__).resolve().parents[1] / "db" / "migrations" / "versions"
    calls = 0
    for migration in sorted(versions.glob("0*.py")):
        tree = ast.parse(migration.read_text())
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "view_sql":
                calls += 1
                assert len(node.args) == 3, f"{migration.name}: view_sql without a revision and a digest"
                revision, digest = node.args[1], node.args[2]
                assert isinstance(revision, ast.Constant) and isinstance(digest, ast.Name)
                assert constants.get(digest.id) == views_digest(str(revision.value)), migration.name
    assert calls >= 2


def _table(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return sorted((tuple(row) for row in connection.execute(text(sql))), key=repr)


def test_sightings_of_a_database_at_0011_become_spans_and_every_view_answers_the_same(engine: Engine) -> None:
    """A database written with one sighting row per night (0011, each row with its own time and page)
    migrated to spans: the analysts' views give the same rows (v_presence's time of a night inside a
    span becomes its run's end), the ends of each span keep their time and page, and it takes fewer rows."""
    from tests.test_db_history import item, night

    listings = [item("10000001"), item("10000002", 9000, building_name="別のマンション")]
    for day in range(6):
        seen = listings if day != 3 else listings[:1]  # the second listing is absent on night 3
        night(engine, day, [{**i, "price_man": 8000 - 10 * day} for i in seen], finish=day != 4)
    downgrade(engine, "0011")
    with engine.begin() as connection:  # as the old writer left it: each night its own time and page
        connection.execute(
            text(
                "UPDATE sightings"
                " SET archive_record = 'rec-' || CAST(run_id AS TEXT) || '-' || CAST(listing_id AS TEXT)"
            )
        )
    views = ("v_listings", "v_weekly_panel", "v_price_history", "v_units", "v_buildings")
    before = {view: _table(engine, f"SELECT * FROM {view}") for view in views}
    presence_columns = "listing_id, unit_id, night_jst, week_jst, price_yen, ward_code, area_m2, floor"
    presence = _table(engine, f"SELECT {presence_columns} FROM v_presence")
    sightings = _table(engine, "SELECT run_id, listing_id, page_kind, seen_at, archive_record FROM sightings")
    upgrade(engine)
    check(engine)
    assert {view: _table(engine, f"SELECT * FROM {view}") for view in views} == before
    assert _table(engine, f"SELECT {presence_columns} FROM v_presence") == presence
    after = _table(engine, "SELECT run_id, listing_id, page_kind, seen_at, archive_record FROM sightings")
    assert [row[:3] for row in after] == [row[:3] for row in sightings]
    with engine.connect() as connection:
        ends = {
            (run, listing)
            for first, last, listing in connection.execute(
                text("SELECT first_run_id, last_run_id, listing_id FROM sighting_spans")
            )
            for run in (first, last)
        }
        spans = connection.execute(text("SELECT COUNT(*) FROM sighting_spans")).scalar()
    assert [row for row in after if row[:2] in ends] == [row for row in sightings if row[:2] in ends]
    # Listing 1: nights 0-4 (night 4's run never finished: a span ends there) and 5; listing 2: 0-2, 4 and 5.
    assert spans == 4 < len(sightings) == 11
