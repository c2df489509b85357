"""End to end against known truth: the real spider crawls a SIMULATED SUUMO night after night into a
database, and the database is compared with the simulator's ground truth.

Each check reports what it compared; the lines are printed in the test summary.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from db.engine import make_engine
from simulator.market import Market, MarketConfig, build_market
from simulator.replay import Night, replay
from simulator.truth import Check, compare, project_check
from tests.conftest import TRUTH_REPORT

pytestmark = pytest.mark.slow

# A smaller market than the demo's, three weeks long: the same mechanics in under a minute.
CI_MARKET = MarketConfig(
    seed=7, days=21, buildings_per_ward=10, arrivals_per_day={"koto": 2.0, "bunkyo": 1.5, "minato": 2.0}
)


def report(title: str, checks: list[Check]) -> None:
    TRUTH_REPORT.append(title)
    TRUTH_REPORT.extend(f"  {check.line()}" for check in checks)


@pytest.fixture(scope="module")
def clean_replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Market, Engine, list[Night]]]:
    market = build_market(CI_MARKET)
    folder = tmp_path_factory.mktemp("replay")
    url = f"sqlite:///{folder / 'replay.sqlite3'}"
    nights = replay(market, url, range(CI_MARKET.days), folder / "logs", new_condos=True)
    engine = make_engine(url)
    yield market, engine, nights
    engine.dispose()


def test_new_condo_projects_match_the_truth_every_night(clean_replay: tuple[Market, Engine, list[Night]]) -> None:
    """The new-condo spider, crawling the simulated projects: every project on the site each night is in
    the database with the truth's price range and phase (price undecided during its preview)."""
    market, engine, nights = clean_replay
    assert all(n.new_condo_run is not None and n.new_condo_run.returncode == 0 for n in nights)
    result = project_check(market, engine, [n.day for n in nights])
    TRUTH_REPORT.append(
        f"SIMULATED new-condo projects, {len(nights)} clean nights: {result['matched']} of"
        f" {result['project_nights']} project-nights match the truth"
    )
    assert result["project_nights"] > 50
    assert result["matched"] == result["project_nights"], result["problems"]


def test_every_clean_night_is_complete_and_healthy(clean_replay: tuple[Market, Engine, list[Night]]) -> None:
    _, _, nights = clean_replay
    assert [n.run.returncode for n in nights] == [0] * len(nights)
    assert {n.summary.verdict for n in nights if n.summary} == {"complete_healthy"}
    assert all(n.summary for n in nights)


def test_database_matches_the_truth(clean_replay: tuple[Market, Engine, list[Night]]) -> None:
    market, engine, nights = clean_replay
    days = [n.day for n in nights]
    checks = compare(market, engine, days, set(days))
    report(
        f"SIMULATED replay, {len(days)} clean nights"
        " (tolerance: a removal is recorded 2 nights after the last sighting):",
        checks,
    )
    for check in checks:
        assert check.ok, check.line()
    # The truth has enough of each event for the comparison to mean something.
    named = {check.name.split(" ")[0]: check.expected for check in checks}
    assert named["listings"] > 200 and named["price"] > 100 and named["removals"] > 20
    assert named["relistings"] > 0 and named["flats"] > 5


def test_steady_state_nights_fetch_few_detail_pages(clean_replay: tuple[Market, Engine, list[Night]]) -> None:
    _, engine, _ = clean_replay
    with engine.connect() as connection:
        runs = connection.execute(text("SELECT id, list_pages, detail_pages FROM crawl_runs ORDER BY id")).all()
        hits = {
            run_id: [
                h
                for (h,) in connection.execute(
                    text("SELECT hits FROM crawl_run_wards WHERE run_id = :id"), {"id": run_id}
                )
            ]
            for run_id, _, _ in runs
        }
    first_id, _, first_details = runs[0]
    assert first_details == sum(hits[first_id])  # every listing is new on the first night: all details fetched
    for run_id, list_pages, detail_pages in runs[7:]:
        # List pages: the floor, ceil(hits / 100) per ward. Detail pages: new listings and a spread-out
        # refresh of details older than 45-90 days, a minority of the listings on the site.
        assert list_pages == sum(-(-h // 100) for h in hits[run_id])
        assert detail_pages < 0.4 * sum(hits[run_id]), (detail_pages, sum(hits[run_id]))


FAULTS = {
    3: {"blocked"},
    4: {"forbidden"},
    5: {"truncated"},
    6: {"drift"},
    8: {"blocked"},
    9: {"unavailable", "slow"},
    10: {"timeouts"},
}


@pytest.fixture(scope="module")
def faulty_replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Market, Engine, list[Night]]]:
    config = MarketConfig(
        seed=11, days=12, buildings_per_ward=8, arrivals_per_day={"koto": 2.0, "bunkyo": 1.0, "minato": 2.0}
    )
    market = build_market(config)
    folder = tmp_path_factory.mktemp("faulty")
    url = f"sqlite:///{folder / 'faulty.sqlite3'}"
    nights = replay(
        market,
        url,
        range(config.days),
        folder / "logs",
        faults=FAULTS,
        settings={"RETRY_TIMES": "2", "SUUMO_PAGE_SIZE": "20", "DOWNLOAD_TIMEOUT": "1"},
    )
    engine = make_engine(url)
    yield market, engine, nights
    engine.dispose()


def test_fault_nights_are_marked_and_invent_no_removal(faulty_replay: tuple[Market, Engine, list[Night]]) -> None:
    market, engine, nights = faulty_replay
    verdicts = {n.day: n.summary.verdict for n in nights if n.summary}
    for day in (3, 4, 5, 6, 8):
        assert verdicts[day] != "complete_healthy", (day, verdicts[day])
    trusted = {day for day, verdict in verdicts.items() if verdict == "complete_healthy"}
    checks = compare(market, engine, [n.day for n in nights], trusted)
    report(
        f"SIMULATED replay with faults {sorted((d, sorted(f)) for d, f in FAULTS.items())}; "
        f"untrusted nights {sorted(set(verdicts) - trusted)}:",
        checks,
    )
    by_name = {check.name: check for check in checks}
    false_removals = next(c for name, c in by_name.items() if name.startswith("false removals"))
    assert false_removals.ok, false_removals.line()
    for check in checks:
        assert check.ok, check.line()


def test_condo_demo_labels_everything_as_simulated(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from condo.cli import main

    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--nights", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "[SIMULATED DATA] night 2/2 (2026-09-08): complete_healthy" in result.stderr
    assert "=== SIMULATED DATA: every figure below comes from a simulated market, not from SUUMO ===" in result.stdout
    titles = [line for line in result.stdout.splitlines() if line and not line.startswith((" ", "=", "Where"))]
    assert titles and all(title.endswith("[SIMULATED DATA]") for title in titles), titles
    assert (out / "truth.json").exists() and (out / "demo.sqlite3").exists()
    assert f"ground truth  {out / 'truth.json'}" in result.stdout
    assert list((out / "reports").glob("*/report.html")), "condo demo ends with the weekly report"
    assert "Weekly report, findings [SIMULATED DATA]" in result.stdout
