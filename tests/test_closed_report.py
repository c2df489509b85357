"""The weekly report's closed-price section (issue 18): MLIT's closed prices per ward, group and quarter
against the asking prices of the same quarter, with MLIT named as the source; and a plain note when no
closed prices are imported."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from db.engine import make_engine
from db.migrate import upgrade
from reports.render import render_html, render_markdown
from reports.weekly import build_report
from simulator.closed_sales import load_closed_prices
from simulator.load import load_market
from simulator.market import DEMO_SEED, build_market, demo_config

NIGHTS = 35


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Engine]]:
    market = build_market(demo_config(DEMO_SEED, NIGHTS, scale=1))
    engines = []
    for name in ("with", "without"):
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp(name) / 'condo.sqlite3'}")
        upgrade(engine)
        load_market(engine, market, range(NIGHTS))
        engines.append(engine)
    load_closed_prices(engines[0], market, NIGHTS)
    yield engines[0], engines[1]
    for engine in engines:
        engine.dispose()


def test_closed_medians_are_those_of_the_imported_contract_prices(databases: tuple[Engine, Engine]) -> None:
    with_closed, _ = databases
    report = build_report(with_closed)
    closed = report.closed.set_index(["area", "quarter"])
    koto = closed.loc[("Koto", "2026Q3")]
    with with_closed.connect() as connection:
        values = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT price_per_m2 FROM v_closed_prices WHERE ward_code = 13108 AND quarter = '2026Q3'"
                    " AND price_category = 'contract' AND NOT special_sale AND price_per_m2 IS NOT NULL"
                )
            )
        ]
    assert koto["category"] == "contract" and koto["sales"] == len(values) >= 20
    assert koto["closed_median_per_m2"] == pytest.approx(statistics.median(values))
    assert not koto["suppressed"] and -0.3 < koto["gap"] < 0  # sales close below asking
    assert report.closed_latest == "2026Q4"
    thin = report.closed[report.closed["sales"] < 20]
    assert len(thin) and thin["suppressed"].all()


def test_the_section_names_mlit_and_hides_thin_cells(databases: tuple[Engine, Engine], tmp_path: Path) -> None:
    report = build_report(databases[0])
    markdown = render_markdown(report)
    section = markdown.split("## Closed prices (MLIT) against asking prices", 1)[1].split("## Data quality", 1)[0]
    assert "Source: MLIT (which does not guarantee the data's currency or accuracy)" in section
    assert "SIMULATED DATA" in section and "| Koto (江東区) | 2026Q3 | contract (REINS) |" in section
    assert "| — | — | — |" in section  # the thin 3A parts
    assert "This service uses the MLIT API" in markdown
    assert "成約価格（国土交通省）" in render_html(build_report(databases[0], lang="ja"))


def test_without_closed_prices_the_report_says_how_to_get_them(databases: tuple[Engine, Engine]) -> None:
    report = build_report(databases[1])
    assert report.closed.empty and report.closed_latest is None
    assert "No closed prices imported yet: `condo mlit fetch`" in render_markdown(report)
