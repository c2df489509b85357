"""``condo demo``: the offline main job. A SIMULATED market, a simulated SUUMO on 127.0.0.1, the real
spiders crawling it night by night into a fresh embedded database, then a summary of what was found."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from db.engine import make_engine
from simulator.drills import FaultSpec, faults_by_day, truth_check, write_truth_check
from simulator.market import WARDS, MarketConfig, build_market, demo_config
from simulator.replay import Night, replay
from simulator.truth import index_against_truth

LABEL = "SIMULATED DATA"

EXAMPLE_QUERIES = {
    "Active listings by ward (mean asking price per m²)": """
        SELECT ward_name, COUNT(*) AS listings, ROUND(AVG(price_per_m2)) AS mean_price_per_m2
        FROM v_listings WHERE status = 'active' GROUP BY ward_name ORDER BY ward_name""",
    "Largest price cuts": """
        SELECT source_listing_id, seen_at, previous_price_yen, price_yen, ROUND(change_ratio * 100, 1) AS change_pct
        FROM v_price_history WHERE change_yen < 0 ORDER BY change_ratio LIMIT 5""",
    "Flats sold by several agents": """
        SELECT building_name, floor, area_m2, layout, listings, cheapest_price_yen
        FROM v_units WHERE listings > 1 ORDER BY listings DESC, unit_id LIMIT 5""",
    "Crawl runs": """
        SELECT run_id, verdict, new_listings, price_changes, removed, relisted, coverage
        FROM v_crawl_runs ORDER BY run_id DESC LIMIT 5""",
}


@dataclass
class DemoResult:
    out_dir: Path
    database_url: str
    truth_path: Path
    nights: list[Night]
    truth_check: dict[str, Any] = field(default_factory=dict)
    truth_check_path: Path | None = None


def run_demo(
    out_dir: Path,
    nights: int,
    seed: int,
    on_night: Callable[[Night], None] | None = None,
    faults: Sequence[FaultSpec] = (),
    settings: Mapping[str, str] | None = None,
) -> DemoResult:
    """Build the simulated market, write its ground truth, replay ``nights`` nights into a fresh database
    (with ``faults`` on their nights), and compare the database with the truth (``truth-check.json``)."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    market = build_market(demo_config(seed, nights))
    truth = out_dir / "truth.json"
    market.write_truth(truth)
    database_url = f"sqlite:///{out_dir / 'demo.sqlite3'}"
    done = replay(
        market,
        database_url,
        range(nights),
        out_dir / "logs",
        faults=faults_by_day(faults),
        settings=settings,
        on_night=on_night,
    )
    engine = make_engine(database_url)
    try:
        report = truth_check(market, engine, done)
        report["index"] = index_check(market.config, engine)
    finally:
        engine.dispose()
    path = write_truth_check(report, out_dir / "truth-check.json")
    return DemoResult(out_dir, database_url, truth, done, report, path)


def index_check(config: MarketConfig, engine: Engine) -> list[dict[str, Any]]:
    """Every value of the report's index (wards and district groups) beside the trend the simulator
    injected into its ward: how the index did on this very run (empty when the run is too short)."""
    from places import load_groups
    from reports.data import load
    from reports.formatting import area_name
    from reports.index import WINDOW_WEEKS, ward_indexes
    from reports.metrics import WARDS as REPORT_WARDS

    data = load(engine)
    if data.empty:
        return []
    simulated_ward = {code: key for key, (code, _, _) in WARDS.items()}
    ward_of = {english: simulated_ward[code] for code, (english, _) in REPORT_WARDS.items()}
    ward_of |= {
        group.key: simulated_ward[group.ward_code] for group in load_groups() if group.ward_code in simulated_ward
    }
    tables = {area: result.table for area, result in ward_indexes(data).items()}
    rows = index_against_truth(config, tables, ward_of, WINDOW_WEEKS)
    for row in rows:
        row["name"] = area_name(row["area"], "en")
    return rows


def example_queries(database_url: str) -> list[tuple[str, list[str], list[tuple[object, ...]]]]:
    engine = make_engine(database_url)
    results = []
    with engine.connect() as connection:
        for title, sql in EXAMPLE_QUERIES.items():
            cursor = connection.execute(text(sql))
            results.append((title, list(cursor.keys()), [tuple(row) for row in cursor]))
    engine.dispose()
    return results
