"""``condo browse``: Datasette over a demo database, opened in headless Chromium (issue 20): the views'
descriptions and the simulated-data label are there, a canned query opens and shows rows, and the
database cannot be written."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.engine import make_engine
from db.migrate import upgrade
from db.schema_docs import sql_examples
from reports.browse import DEFAULT_HOST, datasette_command, metadata, query_name
from simulator.load import load_market
from simulator.market import DEMO_SEED, build_market, demo_config
from tests.test_report import chromium

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_browse(folder: Path, database: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``condo browse`` on ``database`` in a process of its own; it and its address once Datasette answers."""
    port = free_port()
    env = {**os.environ, "CONDO_DATA_DIR": str(folder / "data"), "DATABASE_URL": f"sqlite:///{database}"}
    log = folder / f"browse-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "condo", "browse", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).close()
            return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"condo browse did not start: {log.read_text()}") from None
            time.sleep(0.3)


def assert_stopped(process: subprocess.Popen[bytes], base: str, signum: int) -> None:
    """Send ``signum`` to ``condo browse``: it ends, and nothing answers on its port any more (Datasette,
    its child, did not outlive it)."""
    process.send_signal(signum)
    assert process.wait(timeout=15) == 0
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(f"{base}/-/versions.json", timeout=1).close()
        except OSError:
            return
        assert time.monotonic() < deadline, f"Datasette still answers at {base} after condo browse ended"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browse")
    database = folder / "demo.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    load_market(engine, build_market(demo_config(DEMO_SEED, 10, scale=1)), range(10))
    engine.dispose()
    return database


@pytest.fixture(scope="module")
def server(demo_database: Path) -> Iterator[str]:
    before = (demo_database.stat().st_mtime_ns, demo_database.stat().st_size)
    process, base = start_browse(demo_database.parent, demo_database)
    yield base
    assert_stopped(process, base, signal.SIGTERM)
    assert (demo_database.stat().st_mtime_ns, demo_database.stat().st_size) == before, "browsing changed the database"


def test_ctrl_c_stops_datasette_too(demo_database: Path) -> None:
    process, base = start_browse(demo_database.parent, demo_database)
    assert_stopped(process, base, signal.SIGINT)


def test_read_only_and_on_this_machine_only_by_default(tmp_path: Path) -> None:
    command = datasette_command(tmp_path / "demo.sqlite3", tmp_path / "m.json", DEFAULT_HOST, 8001)
    assert "--immutable" in command and command[command.index("--host") + 1] == "127.0.0.1"


def test_every_schema_example_is_a_canned_query_with_a_unique_name() -> None:
    queries = metadata("demo", simulated=True)["databases"]["demo"]["queries"]
    assert len(queries) == len(sql_examples()) and all(queries.values())
    assert query_name(sql_examples()[1].title) in queries


def test_a_canned_query_opens_in_chromium_and_shows_rows(server: str) -> None:
    from playwright.sync_api import sync_playwright

    browser_path = chromium()
    cuts = query_name(next(e.title for e in sql_examples() if e.title.startswith("Price cuts")))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{server}/demo")
        assert "SIMULATED DATA" in page.inner_text("body")
        assert page.locator(f"a[href='/demo/{cuts}']").count() == 1
        page.goto(f"{server}/demo/{cuts}")
        assert page.locator("table.rows-and-columns tbody tr").count() > 0
        header = page.inner_text("table.rows-and-columns thead")
        assert "previous_price_yen" in header and "change_ratio" in header
        page.goto(f"{server}/demo/v_weekly_panel")
        body = page.inner_text("body")
        assert "one row per flat and ISO week it was on sale" in body and "SIMULATED DATA" in body
        assert page.locator("table.rows-and-columns tbody tr").count() > 0
        browser.close()


def test_the_database_cannot_be_written_through_it(server: str) -> None:
    import json
    import urllib.parse

    sql = urllib.parse.quote("DELETE FROM listings")
    try:
        with urllib.request.urlopen(f"{server}/demo.json?sql={sql}", timeout=10) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        answer = json.loads(error.read())
    assert answer.get("ok") is False
    with urllib.request.urlopen(f"{server}/demo/listings.json?_size=1", timeout=10) as response:
        assert json.loads(response.read())["rows"]
