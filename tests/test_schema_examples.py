"""Every example of docs/schema.md runs on SQLite and on PostgreSQL against a simulated demo database
and returns rows (issue 20): the SQL blocks statement by statement, the pandas block as written (its
engine pointed at the test database)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, text

from condo.demo import EXAMPLE_QUERIES
from db.engine import make_engine
from db.migrate import upgrade
from db.schema_docs import sql_examples
from simulator.closed_sales import load_closed_prices
from simulator.load import load_market, load_projects
from simulator.market import DEMO_SEED, build_market, demo_config

SCHEMA = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text(encoding="utf-8")
NIGHTS = 21
"""Three weeks of the demo's market (from Monday 7 September 2026): cuts, removals, relistings."""


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", SCHEMA, flags=re.DOTALL)


def statements() -> list[tuple[str, str]]:
    """(title: the comment above it, SQL) of every statement in the sql blocks."""
    return [(example.title, example.sql) for example in sql_examples(SCHEMA)]


_numbers = itertools.count()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('schema') / 'demo.sqlite3'}")
        upgrade(engine)
        admin = None
    else:
        server = request.getfixturevalue("postgres")
        name = f"condo_examples_{next(_numbers)}"
        admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name} TEMPLATE condo_template"))
        engine = make_engine(server.url(name))
    market = build_market(demo_config(DEMO_SEED, NIGHTS, scale=1))
    load_market(engine, market, range(NIGHTS))
    load_projects(engine, market, range(NIGHTS))
    load_closed_prices(engine, market, NIGHTS)
    yield engine
    engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


def test_the_docs_have_the_questions_analysts_ask() -> None:
    titles = " | ".join(title for title, _ in statements())
    questions = ("by ward and ISO week", "Price cuts", "Days on market", "building's history", "3A", "on a date")
    for question in (*questions, "Closed against asking"):
        assert question in titles, question
    assert not [sql for _, sql in statements() if "INTERVAL" in sql.upper() or "NOW()" in sql.upper()]


@pytest.mark.parametrize(("title", "sql"), statements(), ids=[title for title, _ in statements()])
def test_every_sql_example_returns_rows(demo: Engine, title: str, sql: str) -> None:
    with demo.connect() as connection:
        rows = connection.execute(text(sql)).all()
    assert rows, f"{title}: no rows on {demo.dialect.name}"


def test_the_pandas_example_runs_as_written(demo: Engine) -> None:
    (block,) = blocks("python")
    url = demo.url.render_as_string(hide_password=False)
    source = block.replace('sa.create_engine("sqlite:///data/condo.sqlite3")', f"sa.create_engine({url!r})")
    assert source != block, "the example's engine line changed: update this test"
    namespace: dict[str, Any] = {}
    exec(compile(source, "docs/schema.md", "exec"), namespace)  # our own documentation
    namespace["engine"].dispose()
    for name in ("panel", "weekly_median", "market", "by_ward", "history", "cuts"):
        value = namespace[name]
        assert isinstance(value, pd.DataFrame | pd.Series) and not value.empty, name
    assert set(namespace["weekly_median"].columns) == {"江東区", "文京区", "港区"}
    assert namespace["weekly_median"].index[0].startswith("2026-W37")


@pytest.mark.parametrize("title", sorted(EXAMPLE_QUERIES))
def test_the_demo_s_own_queries_return_rows(demo: Engine, title: str) -> None:
    with demo.connect() as connection:
        assert connection.execute(text(EXAMPLE_QUERIES[title])).all(), f"{title}: no rows on {demo.dialect.name}"


def test_the_demo_s_flats_with_several_agents_all_have_a_price(demo: Engine) -> None:
    """The example once listed flats whose agents had all left, with an empty cheapest price."""
    with demo.connect() as connection:
        rows = connection.execute(text(EXAMPLE_QUERIES["Flats on sale by several agents now"])).all()
    assert rows and all(row.cheapest_price_yen is not None and row.active_listings > 1 for row in rows)
