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
from scraper.closed_prices.client import FetchResult
from simulator.drills import FaultSpec, faults_by_day, truth_check, write_truth_check
from simulator.flips import add_flips, flip_check
from simulator.market import Market, MarketConfig, build_market, demo_config
from simulator.projects import build_projects
from simulator.replay import Night, replay
from simulator.truth import area_wards, index_against_truth, project_check

LABEL = "SIMULATED DATA"
MARKER = ".condo-demo"
"""The file ``condo demo`` leaves in its output folder: the only kind of folder it will replace."""


class DemoFolderError(Exception):
    """The output folder holds something ``condo demo`` did not make: it is left alone."""


def _older_demo(out_dir: Path) -> bool:
    """A folder a demo made before the MARKER existed: its database and truth, and only demo files."""
    names = {path.name for path in out_dir.iterdir()}
    demo_files = {"demo.sqlite3", "demo.sqlite3-wal", "demo.sqlite3-shm", "truth.json", "truth-check.json"}
    return {"demo.sqlite3", "truth.json"} <= names and names <= demo_files | {"logs", "reports"}


def prepare_out_dir(out_dir: Path) -> None:
    """Make ``out_dir`` an empty folder of the demo's own. A folder an earlier demo made (it has the
    MARKER) is replaced; an empty one is used; anything else (``--out .``, a home folder, a data folder)
    is refused and left as it is."""
    if out_dir.exists():
        if not out_dir.is_dir():
            raise DemoFolderError(f"{out_dir} is a file, not a folder: choose a new folder for --out")
        if (out_dir / MARKER).is_file() or _older_demo(out_dir):
            shutil.rmtree(out_dir)
        elif any(out_dir.iterdir()):
            raise DemoFolderError(
                f"{out_dir} is not empty and was not made by condo demo (no {MARKER} file in it): nothing was "
                "deleted; choose a new or empty folder for --out"
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("made by condo demo; the next condo demo --out here replaces this folder\n")


EXAMPLE_QUERIES = {
    "Active listings by ward (mean asking price per m²)": """
        SELECT ward_name, COUNT(*) AS listings, ROUND(AVG(price_per_m2)) AS mean_price_per_m2
        FROM v_listings WHERE status = 'active' AND property_type = 'used' GROUP BY ward_name ORDER BY ward_name""",
    "Flats on sale by ward, the last four ISO weeks (Japan time)": """
        SELECT week_jst, ward_name, COUNT(*) AS flats, ROUND(AVG(price_per_m2)) AS mean_price_per_m2
        FROM v_weekly_panel
        WHERE week_jst >= (SELECT MIN(week_jst) FROM (
            SELECT DISTINCT week_jst FROM v_weekly_panel ORDER BY week_jst DESC LIMIT 4) AS recent)
        GROUP BY week_jst, ward_name ORDER BY week_jst, ward_name""",
    "Largest price cuts": """
        SELECT source_listing_id, night_jst, previous_price_yen, price_yen,
               ROUND(CAST(change_ratio * 100 AS NUMERIC), 1) AS change_pct
        FROM v_price_history WHERE change_yen < 0 ORDER BY change_ratio LIMIT 5""",
    "Flats on sale by several agents now": """
        SELECT building_name, floor, area_m2, layout, active_listings, cheapest_price_yen
        FROM v_units WHERE active_listings > 1 ORDER BY active_listings DESC, unit_id LIMIT 5""",
    "Closed against asking per m², by ward and quarter": """
        SELECT c.quarter, v.ward_name, COUNT(*) AS sales, ROUND(AVG(c.price_per_m2)) AS mean_closed_per_m2
        FROM v_closed_prices c JOIN (SELECT DISTINCT ward_code, ward_name FROM v_listings) v
             ON v.ward_code = c.ward_code
        WHERE c.price_category = 'contract' AND NOT c.special_sale
        GROUP BY c.quarter, v.ward_name ORDER BY c.quarter, v.ward_name""",
    "New-condo projects on sale (price range, phase, units of the phase, tenure)": """
        SELECT building_name, ward_name, price_status, price_min_yen, price_max_yen, sale_phase, units_on_sale,
               total_units, land_tenure
        FROM v_projects WHERE status = 'active' ORDER BY ward_code, price_min_yen IS NULL, price_min_yen LIMIT 8""",
    "New-condo phases released (v_project_history)": """
        SELECT night_jst, building_name, previous_sale_phase, sale_phase, price_min_yen, price_max_yen, units_on_sale
        FROM v_project_history WHERE phase_changed = 1 ORDER BY changed_at DESC LIMIT 5""",
    "Crawl runs": """
        SELECT run_id, spider, verdict, new_listings, price_changes, removed, relisted, coverage
        FROM v_crawl_runs ORDER BY run_id DESC LIMIT 6""",
}


@dataclass
class DemoResult:
    out_dir: Path
    database_url: str
    truth_path: Path
    nights: list[Night]
    truth_check: dict[str, Any] = field(default_factory=dict)
    truth_check_path: Path | None = None
    closed_prices: FetchResult | None = None
    """The SIMULATED closed prices fetched from the local XIT001 stand-in."""


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
    prepare_out_dir(out_dir)
    market = build_market(demo_config(seed, nights))
    projects = build_projects(market.config)
    add_flips(market, projects)
    truth = out_dir / "truth.json"
    market.write_truth(truth, projects)
    database_url = f"sqlite:///{out_dir / 'demo.sqlite3'}"
    done = replay(
        market,
        database_url,
        range(nights),
        out_dir / "logs",
        faults=faults_by_day(faults),
        settings={"CONDO_ARCHIVE_DIR": str((out_dir / "archive").resolve()), **(settings or {})},
        on_night=on_night,
        new_condos=True,
    )
    engine = make_engine(database_url)
    try:
        report = truth_check(market, engine, done)
        report["index"] = index_check(market.config, engine)
        report["projects"] = project_check(market, engine, [night.day for night in done])
        report["flips"] = flip_check(market, engine, [night.day for night in done], projects)
        closed = fetch_simulated_closed_prices(market, engine, nights, out_dir / "mlit" / "raw")
    finally:
        engine.dispose()
    path = write_truth_check(report, out_dir / "truth-check.json")
    return DemoResult(out_dir, database_url, truth, done, report, path, closed)


DEMO_MLIT_KEY = "SIMULATED-DEMO-KEY"
"""The local XIT001 stand-in's key in the demo (not a secret: nothing real is behind it)."""


def fetch_simulated_closed_prices(market: Market, engine: Engine, nights: int, raw_dir: Path) -> FetchResult:
    """The SIMULATED market's sales of the crawled days, published by a local XIT001 stand-in and
    fetched by the real client (``condo mlit fetch``'s library) into the demo database."""
    from db.places.wards import TRACKED_WARDS
    from scraper.closed_prices.client import Client, fetch
    from simulator.closed_sales import published_quarters
    from simulator.mlit_api import MlitApi, serve_mlit

    api = MlitApi(DEMO_MLIT_KEY)
    for city, year, quarter, records in published_quarters(market, nights):
        api.add(city, year, quarter, records)
    first, last = market.date(0), market.date(max(nights - 1, 0))
    with serve_mlit(api) as url:
        return fetch(
            engine,
            Client(DEMO_MLIT_KEY, url, pause_seconds=0),
            [ward.code for ward in TRACKED_WARDS],
            f"{first.year}Q{(first.month - 1) // 3 + 1}",
            f"{last.year}Q{(last.month - 1) // 3 + 1}",
            raw_dir,
        )


def index_check(config: MarketConfig, engine: Engine) -> list[dict[str, Any]]:
    """Every value of the report's index (wards and district groups) beside the trend the simulator
    injected into its ward: how the index did on this very run (empty when the run is too short)."""
    from db.places.groups import load_groups
    from reports.data import load
    from reports.formatting import area_name
    from reports.index import WINDOW_WEEKS, ward_indexes

    data = load(engine)
    if data.empty:
        return []
    ward_of = area_wards(load_groups())
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


def write_demo_report(result: DemoResult) -> tuple[Any, dict[str, Path]]:
    """The weekly report of the demo's database, written under ``<out>/reports``: the report and its
    files. Raises ``reports.weekly.ReportError`` when the nights give no report (too few of them)."""
    from reports.weekly import build_report, write_report

    engine = make_engine(result.database_url)
    try:
        report = build_report(engine)
    finally:
        engine.dispose()
    return report, write_report(report, result.out_dir / "reports")
