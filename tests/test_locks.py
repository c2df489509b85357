"""One crawl per database, with real processes: the lock belongs to the database (a file beside
SQLite's, an advisory lock on PostgreSQL), says who holds it, dies with its holder; a crawl child dies
with its parent; a job row left running by a killed process is marked interrupted on the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from db.engine import make_engine
from db.locks import DatabaseLocked, database_lock
from db.migrate import upgrade
from tests.conftest import REPO

HOLD = """
import sys, time
from db.locks import database_lock
with database_lock(sys.argv[1], sys.argv[2]):
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def holder() -> Iterator[Any]:
    """Start a process that takes a database lock and keeps it; yields a starter."""
    started: list[subprocess.Popen[str]] = []

    def start(url: str, name: str) -> subprocess.Popen[str]:
        process = subprocess.Popen([sys.executable, "-c", HOLD, url, name], cwd=REPO, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None and process.stdout.readline().strip() == "locked"
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()


def test_two_crawls_into_one_sqlite_database_from_two_data_folders(tmp_path: Path, holder: Any) -> None:
    database = tmp_path / "shared" / "condo.sqlite3"
    url = f"sqlite:///{database}"
    upgrade(make_engine(url))
    first = holder(url, "crawl")
    env = {**os.environ, "CONDO_DATA_DIR": str(tmp_path / "elsewhere")}  # another working folder
    second = subprocess.run(
        [sys.executable, "-m", "condo", "crawl", "--database-url", url, "--base-url", "http://127.0.0.1:9"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode == 3, second.stderr
    assert "Not crawling: the crawl lock of condo.sqlite3 is held by host" in second.stderr
    assert f"pid {first.pid}" in second.stderr
    assert (database.parent / "condo.sqlite3.crawl.lock").exists()
    first.kill()
    first.wait(timeout=30)
    with database_lock(url, "crawl"):  # the kernel let go of the dead holder's lock
        pass


def test_maintenance_waits_for_no_crawl(tmp_path: Path, holder: Any) -> None:
    from condo.scheduling.config import load_config
    from condo.scheduling.jobs import maintenance

    database = tmp_path / "condo.sqlite3"
    url = f"sqlite:///{database}"
    upgrade(make_engine(url))
    config_file = tmp_path / "scheduler.toml"
    config_file.write_text(f'[scheduler]\ndatabase_url = "{url}"\n[jobs.maintenance]\nbackups = "{tmp_path / "b"}"\n')
    holder(url, "crawl")
    with pytest.raises(DatabaseLocked, match="crawl lock"):
        maintenance(load_config(config_file))
    assert not (tmp_path / "b").exists() or not list((tmp_path / "b").iterdir())


def test_two_hosts_sharing_postgresql_one_crawls(postgres: Any, holder: Any) -> None:
    url = postgres.url("postgres")
    first = holder(url, "scheduler")
    with pytest.raises(DatabaseLocked) as raised, database_lock(url, "scheduler"):
        pass
    message = str(raised.value)
    assert "the scheduler lock of the database is held by condo scheduler lock: host" in message
    assert f"pid {first.pid}" in message
    with database_lock(url, "crawl"):  # another lock name is free
        pass
    first.kill()
    first.wait(timeout=30)
    deadline = time.monotonic() + 30
    while True:  # PostgreSQL ends the dead holder's session, and its lock with it
        try:
            with database_lock(url, "scheduler"):
                break
        except DatabaseLocked:
            assert time.monotonic() < deadline, "the lock outlived its holder"
            time.sleep(0.2)


PARENT = """
import subprocess, sys, time
from scraper.runner import die_with_parent
child = subprocess.Popen(["sleep", "120"], preexec_fn=die_with_parent)
print(child.pid, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def _descendants(pid: int) -> list[int]:
    """Every process under ``pid``: the crawl is the fork server's child, a grandchild of the job."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
def test_a_crawl_child_dies_with_its_parent() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=30)
    parent.stdout.close()
    deadline = time.monotonic() + 30
    while _alive(child):
        assert time.monotonic() < deadline, "the child outlived its killed parent"
        time.sleep(0.1)


@pytest.mark.slow
def test_a_killed_nightly_job_leaves_no_crawl_running_and_is_marked_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from condo.scheduling import jobs, runs
    from simulator.market import MarketConfig, build_market
    from simulator.site import SimulatedSuumo, serve

    database = tmp_path / "condo.sqlite3"
    url = f"sqlite:///{database}"
    upgrade(make_engine(url))
    site = SimulatedSuumo(build_market(MarketConfig(seed=3, days=2, buildings_per_ward=4)))
    site.start_night(0, {"slow"})
    site.slow_seconds = 2.0
    with serve(site) as base_url:
        config_file = tmp_path / "scheduler.toml"
        config_file.write_text(
            f'[scheduler]\ndatabase_url = "{url}"\n'
            f'[jobs.nightly_crawl]\nspiders = ["suumo_chuko"]\nbase_url = "{base_url}"\n'
            'settings = {DOWNLOAD_DELAY = "0", AUTOTHROTTLE_ENABLED = "False"}\n'
        )
        env = {**os.environ, "CONDO_DATA_DIR": str(tmp_path / "data")}
        job = subprocess.Popen(
            [sys.executable, "-m", "condo", "schedule", "--config", str(config_file), "--run", "nightly_crawl"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        children: list[int] = []
        while not children or site.night_requests == 0:
            assert time.monotonic() < deadline, "the crawl did not start"
            children = _descendants(job.pid)
            time.sleep(0.2)
        job.send_signal(signal.SIGKILL)
        job.wait(timeout=30)
        while any(_alive(child) for child in children):
            assert time.monotonic() < deadline + 60, "the crawl outlived its killed job"
            time.sleep(0.2)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT outcome FROM job_runs")).scalars().all() == ["running"]
    monkeypatch.setitem(jobs.JOB_FUNCTIONS, "nightly_crawl", lambda config: "quick")
    monkeypatch.setenv("CONDO_DATA_DIR", str(tmp_path / "data"))
    assert runs.run_job("nightly_crawl", str(config_file)) == "success"
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT outcome, error FROM job_runs ORDER BY id")).all()
    engine.dispose()
    assert [r[0] for r in rows] == ["interrupted", "success"]
    assert "ended without recording an outcome" in rows[0][1]
