"""The crawl runner: on Linux each crawl is forked from a fork server that imported Scrapy once
(scraper.runner.PRELOAD); the crawl is still a process of its own, with its own environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = """
import sys
from pathlib import Path

# No `if __name__ == "__main__"` guard: a crawl must not run this again.
with Path(sys.argv[1]).open("a") as marker:
    marker.write("main ran\\n")

from sqlalchemy import text

from db.engine import make_engine
from db.migrate import upgrade
from scraper.runner import run_spider_process
from simulator.market import MarketConfig, build_market
from simulator.site import SimulatedSuumo, serve

site = SimulatedSuumo(build_market(MarketConfig(seed=3, days=1, buildings_per_ward=2)))
site.start_night(0, set())
with serve(site) as base:
    settings = {"SUUMO_BASE_URL": base, "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}
    for night in ("2026-09-07", "2026-09-08"):
        url = f"sqlite:///{Path(sys.argv[1]).parent / night}.sqlite3"
        upgrade(make_engine(url))
        env = {"CONDO_NOW": f"{night}T17:30:00+00:00", "DATABASE_URL": url}
        run = run_spider_process("suumo_chuko", wards="koto", settings=settings, env=env)
        with make_engine(url).connect() as connection:
            started = connection.execute(text("SELECT started_at FROM crawl_runs")).scalar_one()
        print(run.returncode, run.stats.get("finish_reason"), str(started)[:10])
"""


@pytest.mark.slow
@pytest.mark.parametrize("start", ["fork", "exec"])
def test_crawls_run_apart_and_never_run_the_caller_again(tmp_path: Path, start: str) -> None:
    script, marker = tmp_path / "unguarded.py", tmp_path / "marker.txt"
    script.write_text(SCRIPT)
    env = {**os.environ, "CONDO_CRAWL_START": start, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, str(script), str(marker)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert marker.read_text() == "main ran\n"
    # Two crawls, each finished, each into its own database on its own pinned night: the environment is
    # each crawl's own, not the one the fork server started with.
    assert done.stdout.split("\n")[:2] == ["0 finished 2026-09-07", "0 finished 2026-09-08"], done.stdout
