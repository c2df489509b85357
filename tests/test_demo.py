"""``condo demo`` end to end (the README's first command, shortened): a simulated market crawled by the
real spider, its closed prices fetched from the local XIT001 stand-in by the real client, and a weekly
report that shows both, every number labelled simulated."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from condo.cli import main


@pytest.mark.slow
def test_the_demo_runs_offline_and_its_report_shows_closed_prices_and_new_supply(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--nights", "9", "--out", str(out)], env={"DATABASE_URL": ""})
    assert result.exit_code == 0, result.output[-3000:]
    assert "=== SIMULATED DATA: every figure below comes from a simulated market" in result.output
    assert "Closed prices from a local stand-in of MLIT's XIT001 API [SIMULATED DATA]" in result.output
    assert "sale record(s) of 2026Q3 fetched by condo mlit fetch's client" in result.output
    raw = sorted(p.name for p in (out / "mlit" / "raw").iterdir())
    assert raw == ["13103-2026Q3.json.gz", "13105-2026Q3.json.gz", "13108-2026Q3.json.gz"]
    (report,) = (out / "reports").glob("2026-W*/report.md")
    text = report.read_text(encoding="utf-8")
    section = text.split("## Closed prices (MLIT) against asking prices", 1)[1].split("## Data quality", 1)[0]
    assert section.startswith("\n\nSIMULATED DATA.") and "Latest quarter imported: 2026Q3" in section
    assert "| Koto (江東区) | 2026Q3 | contract (REINS) |" in section
    # New condos: the simulated projects were crawled, checked against the truth and reported.
    assert "new-condo projects:" in result.output and "project-nights stored with the truth's" in result.output
    supply = text.split("## New supply: new-condo projects", 1)[1].split("## Closed prices", 1)[0]
    assert supply.startswith("\n\nSIMULATED DATA.")
    koto = next(line for line in supply.splitlines() if line.startswith("| Koto (江東区) |"))
    assert int(koto.split("|")[2]) >= 2  # projects on sale in Koto
    # Flips: the database's early resales, unoccupied listings and linked projects equal the truth's.
    import json

    flips = json.loads((out / "truth-check.json").read_text())["flips"]
    assert set(flips) >= {"early_resales", "unoccupied", "linked_projects"}
    assert all(value["reported"] == value["truth"] for value in flips.values()), flips
    assert flips["early_resales"]["truth"] > 0
    assert "flips (resales of new flats, simulated): early resales" in result.output
    section = text.split("## Towers and flips: new flats resold", 1)[1].split("## Closed prices", 1)[0]
    assert section.startswith("\n\nSIMULATED DATA.") and "MLIT's first registry survey" in section
    assert "never who buys" in section and "### Towers with the most flats offered in 12 months" in section
