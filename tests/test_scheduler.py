"""The scheduler on a controllable clock: JST times on a UTC server, a missed night run once on wake,
overlap refused, retries then failure, a restart keeps the schedule, two processes never double-run,
and the real nightly job against the simulated site."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler
from click.testing import CliRunner
from sqlalchemy import text

from condo.cli import main
from condo.scheduling import jobs
from condo.scheduling.config import ConfigError, load_config
from condo.scheduling.runs import run_job
from condo.scheduling.serving import configure, planned_jobs, scheduler_options
from condo.status import collect_status
from db.engine import make_engine
from db.locks import database_lock
from db.migrate import upgrade
from tests.conftest import REPO

UTC = dt.UTC
JST = dt.timezone(dt.timedelta(hours=9))


class FakeClock:
    """Replaces ``datetime`` inside APScheduler so that tests move time instead of sleeping."""

    def __init__(self, start: dt.datetime):
        self.now = start
        clock = self

        class FakeDatetime(dt.datetime):
            @classmethod
            def now(cls, tz: dt.tzinfo | None = None) -> FakeDatetime:  # type: ignore[override]
                return clock.now.astimezone(tz) if tz else clock.now.replace(tzinfo=None)  # type: ignore[return-value]

        self.datetime = FakeDatetime

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class ManualScheduler(BaseScheduler):
    """A scheduler that only processes jobs when the test says so."""

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)

    def wakeup(self) -> None:
        pass

    def tick(self) -> None:
        self._process_jobs()


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CONDO_DATA_DIR", str(tmp_path / "data"))
    database = tmp_path / "condo.sqlite3"
    upgrade(make_engine(f"sqlite:///{database}"))
    path = tmp_path / "scheduler.toml"
    path.write_text(f"""
[scheduler]
database_url = "sqlite:///{database}"
max_retries = 2
retry_backoff_seconds = 60

[jobs.nightly_crawl]
spiders = ["suumo_chuko"]
""")
    return path


def job_runs(config_file: Path) -> list[tuple[str, int, str]]:
    engine = make_engine(load_config(config_file).database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT job, attempt, outcome FROM job_runs ORDER BY id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    import apscheduler.executors.base
    import apscheduler.schedulers.base

    fake = FakeClock(dt.datetime(2026, 11, 21, 12, 0, tzinfo=UTC))
    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", fake.datetime)
    monkeypatch.setattr(apscheduler.executors.base, "datetime", fake.datetime)
    return fake


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    monkeypatch.setitem(jobs.JOB_FUNCTIONS, "nightly_crawl", lambda config: made.append("crawl") or "ok")
    return made


def manual(config_file: Path) -> Iterator[ManualScheduler]:
    scheduler = ManualScheduler(**scheduler_options(load_config(config_file)), executors={"default": DebugExecutor()})
    configure(scheduler, load_config(config_file))
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)


def test_jobs_fire_at_jst_times_on_a_utc_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    config = load_config(None)
    jobs = {job.name: job.next_run for job in planned_jobs(config, dt.datetime(2026, 11, 21, 12, 0, tzinfo=UTC))}
    assert jobs["nightly_crawl"] == dt.datetime(2026, 11, 22, 2, 30, tzinfo=JST)
    assert jobs["nightly_crawl"].astimezone(UTC) == dt.datetime(2026, 11, 21, 17, 30, tzinfo=UTC)  # type: ignore[union-attr]
    assert jobs["weekly_report"] == dt.datetime(2026, 11, 23, 6, 0, tzinfo=JST)  # Monday
    assert jobs["maintenance"] == dt.datetime(2026, 11, 22, 4, 0, tzinfo=JST)  # Sunday


def test_a_missed_night_runs_once_on_wake(config_file: Path, clock: FakeClock, calls: list[str]) -> None:
    for scheduler in manual(config_file):
        clock.now = dt.datetime(2026, 11, 21, 17, 0, tzinfo=UTC)  # 02:00 JST: not yet
        scheduler.tick()
        assert calls == []
        # The machine sleeps through three nights and wakes at 05:00 JST on the 24th.
        clock.now = dt.datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
        scheduler.tick()
        scheduler.tick()
        assert calls == ["crawl"]
        assert scheduler.get_job("nightly_crawl").next_run_time == dt.datetime(2026, 11, 25, 2, 30, tzinfo=JST)
    assert job_runs(config_file) == [("nightly_crawl", 1, "success")]


def test_a_night_missed_beyond_the_grace_time_is_skipped(config_file: Path, clock: FakeClock, calls: list[str]) -> None:
    for scheduler in manual(config_file):
        clock.now = dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # 21:00 JST: 18.5 h late, grace is 6 h
        scheduler.tick()
        assert calls == []


def test_overlapping_runs_are_refused(config_file: Path, calls: list[str]) -> None:
    with database_lock(load_config(config_file).database_url, "job-nightly_crawl"):
        assert run_job("nightly_crawl", str(config_file)) == "skipped_locked"
    assert calls == []
    assert run_job("nightly_crawl", str(config_file)) == "success"
    assert job_runs(config_file) == [("nightly_crawl", 1, "skipped_locked"), ("nightly_crawl", 1, "success")]


def test_a_failing_job_is_retried_with_back_off_then_recorded_failed(
    config_file: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[dt.datetime] = []

    def broken(config: Any) -> str:
        attempts.append(clock.now)
        raise RuntimeError("site unreachable")

    monkeypatch.setitem(jobs.JOB_FUNCTIONS, "nightly_crawl", broken)
    clock.now = dt.datetime.now(UTC)  # retries are planned from the real clock
    for scheduler in manual(config_file):
        assert run_job("nightly_crawl", str(config_file)) == "retrying"
        clock.advance(seconds=30)
        scheduler.tick()
        assert len(attempts) == 1  # back-off: not yet
        clock.advance(seconds=40)
        scheduler.tick()
        assert len(attempts) == 2
        clock.advance(seconds=125)  # the second retry waits twice as long
        scheduler.tick()
        assert len(attempts) == 3
        clock.advance(seconds=600)
        scheduler.tick()
        assert len(attempts) == 3  # max_retries = 2: no more
    assert job_runs(config_file) == [
        ("nightly_crawl", 1, "retrying"),
        ("nightly_crawl", 2, "retrying"),
        ("nightly_crawl", 3, "failed"),
    ]
    warnings = collect_status(load_config(config_file)).warnings
    assert any("job nightly_crawl" in w and "last run failed: RuntimeError: site unreachable" in w for w in warnings)


def test_a_restart_keeps_the_schedule(config_file: Path, clock: FakeClock) -> None:
    config = load_config(config_file)
    first = ManualScheduler(**scheduler_options(config))
    configure(first, config)
    first.start()
    planned = {job.id: job.next_run_time for job in first.get_jobs()}
    first.shutdown(wait=False)
    second = ManualScheduler(**scheduler_options(config))  # nothing added: the job store remembers
    second.start()
    assert {job.id: job.next_run_time for job in second.get_jobs()} == planned
    assert set(planned) == {"nightly_crawl", "weekly_report", "maintenance"}
    second.shutdown(wait=False)


def test_two_scheduler_processes_do_not_both_run(config_file: Path, tmp_path: Path) -> None:
    env = {**os.environ, "CONDO_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, str(REPO / "scheduler.py"), "--config", str(config_file)]
    first = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = tmp_path / "condo.sqlite3.scheduler.lock"  # the lock belongs to the database, beside its file
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (lock.exists() and lock.read_text().startswith("host")):
        time.sleep(0.2)
    log = tmp_path / "data" / "logs" / "scheduler.log"
    while time.monotonic() < deadline and "next run" not in (log.read_text() if log.exists() else ""):
        time.sleep(0.2)
    second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 1
    assert "Not started: the scheduler lock of condo.sqlite3 is held by host" in second.stderr
    assert f"pid {first.pid}" in second.stderr and "already running" in second.stderr
    first.send_signal(signal.SIGTERM)
    _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert "Scheduler stopped" in log.read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[jobs.nightly_crawl]\ncron = '99 2 * * *'\n", "nightly_crawl.cron: '99 2 * * *' is not a crontab expression"),
        ("[jobs.nightly_crawl]\nhour = 2\n", "nightly_crawl.hour: unknown key; valid keys are"),
        ("[jobs.backup]\ncron = '0 1 * * *'\n", "unknown job 'backup'"),
        ("[scheduler]\nmax_retries = 'three'\n", "scheduler.max_retries: expected int, got 'three'"),
        ("[scheduler]\ntimezone = 'Mars/Olympus'\n", "scheduler.timezone: unknown time zone 'Mars/Olympus'"),
        ("[scheduler\n", "not valid TOML"),
        (
            "[jobs.nightly_crawl]\nspiders = ['suumo_chukko']\n",
            "nightly_crawl.spiders: expected some of suumo_chuko, suumo_shinchiku, got ['suumo_chukko']",
        ),
    ],
)
def test_bad_configuration_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)
    result = CliRunner().invoke(main, ["schedule", "--config", str(path), "--list"])
    assert result.exit_code == 2 and "Invalid value for --config" in result.output


def test_list_shows_jobs_and_next_runs() -> None:
    result = CliRunner().invoke(main, ["schedule", "--list"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("nightly_crawl   30 2 * * *      next run ")


@pytest.mark.slow
def test_the_real_nightly_job_against_the_simulated_site(config_file: Path, tmp_path: Path) -> None:
    from simulator.market import MarketConfig, build_market
    from simulator.site import SimulatedSuumo, serve

    market = build_market(
        MarketConfig(seed=3, days=2, buildings_per_ward=6, arrivals_per_day={"koto": 1.0, "bunkyo": 1.0, "minato": 1.0})
    )
    with serve(SimulatedSuumo(market, day=0)) as base_url:
        config_file.write_text(
            config_file.read_text()
            + f"""base_url = "{base_url}"
settings = {{ DOWNLOAD_DELAY = "0", AUTOTHROTTLE_ENABLED = "False" }}
"""
        )
        assert run_job("nightly_crawl", str(config_file)) == "success"
    engine = make_engine(load_config(config_file).database_url)
    with engine.connect() as connection:
        verdicts = connection.execute(text("SELECT spider, verdict FROM v_crawl_runs")).all()
    engine.dispose()
    assert [tuple(v) for v in verdicts] == [("suumo_chuko", "complete_healthy")]
    assert job_runs(config_file) == [("nightly_crawl", 1, "success")]
    status = collect_status(load_config(config_file))
    assert status.spiders[0][:1] == ("suumo_chuko",) and status.spiders[0][2] == "complete_healthy"


def test_a_blocked_night_fails_the_job_backs_off_for_hours_and_raises_the_alarm(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.market import MarketConfig, build_market
    from simulator.site import SimulatedSuumo, serve
    from tests.support.webhook import webhook

    market = build_market(MarketConfig(seed=3, days=2, buildings_per_ward=6))
    site = SimulatedSuumo(market)
    site.start_night(0, {"blocked"})
    with serve(site) as base_url, webhook() as (alarm_url, received):
        monkeypatch.setenv("CONDO_ALARM_URLS", alarm_url)
        config_file.write_text(
            config_file.read_text()
            + f"""base_url = "{base_url}"
settings = {{ DOWNLOAD_DELAY = "0", AUTOTHROTTLE_ENABLED = "False", RETRY_TIMES = "0" }}
"""
        )
        for scheduler in manual(config_file):
            before = dt.datetime.now(UTC)
            assert run_job("nightly_crawl", str(config_file)) == "retrying"
            retry = scheduler.get_job("nightly_crawl-retry-2")
            assert retry is not None
            # Not at once: three hours later (block_backoff_seconds), not the 60 s of other failures.
            wait = (retry.next_run_time - before).total_seconds()
            assert 3 * 3600 - 5 <= wait <= 3 * 3600 + 60, wait
    engine = make_engine(load_config(config_file).database_url)
    with engine.connect() as connection:
        error = connection.execute(text("SELECT error FROM job_runs")).scalar()
    engine.dispose()
    assert error is not None and error.startswith("CrawlBlocked: the site blocked suumo_chuko (suumo_chuko incomplete")
    (message,) = received
    assert "job nightly_crawl: retrying (attempt 1): CrawlBlocked" in message["message"]
    assert "3 blocked response(s)" in message["message"]
    assert "nothing was removed from these wards tonight" in message["message"]


def test_weekly_report_and_maintenance_jobs(config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.load import load_market
    from simulator.market import MarketConfig, build_market

    monkeypatch.chdir(tmp_path)
    config_file.write_text(config_file.read_text() + '\n[jobs.weekly_report]\nexport = "data/exports"\n')
    config = load_config(config_file)
    load_market(make_engine(config.database_url), build_market(MarketConfig(seed=3, days=3)), range(3))
    assert run_job("weekly_report", str(config_file)) == "success"
    assert (tmp_path / "data" / "reports" / "latest" / "report.html").exists()
    (export,) = (tmp_path / "data" / "exports").iterdir()
    assert (export / "v_weekly_panel.parquet").is_file() and (export / "dictionary.md").is_file()
    assert len(list((tmp_path / "data" / "reports").glob("20*-W*/report.html"))) == 1
    assert run_job("maintenance", str(config_file)) == "success"
    assert len(list((tmp_path / "data" / "backups").glob("condo-*.sqlite3"))) == 1


def test_the_closed_prices_job_fetches_the_last_quarters(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from condo.scheduling.jobs import last_quarters
    from simulator.mlit_api import MlitApi, serve_mlit
    from tests.conftest import shared_page

    monkeypatch.setenv("CONDO_MLIT_API_KEY", "scheduler-test-key")
    first, last = last_quarters(dt.date(2026, 12, 4), 4)
    assert (first, last) == ("2025Q4", "2026Q3")
    api = MlitApi("scheduler-test-key")
    records = json.loads(shared_page("mlit/xit001-ja-chuo-2015q2.json").read_text(encoding="utf-8"))["data"]
    year, quarter = int(last[:4]), int(last[-1])
    api.add(13108, year, quarter, [r | {"MunicipalityCode": "13108", "Municipality": "江東区"} for r in records])
    with serve_mlit(api) as url:
        config_file.write_text(
            config_file.read_text() + f'\n[jobs.closed_prices]\nenabled = true\nwards = "koto"\nbase_url = "{url}"\n'
        )
        monkeypatch.chdir(tmp_path)
        assert run_job("closed_prices", str(config_file)) == "success"
    engine = make_engine(load_config(config_file).database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT COUNT(*) FROM v_closed_prices WHERE ward_code = 13108")).scalar()
        message = connection.execute(text("SELECT error FROM job_runs WHERE job = 'closed_prices'")).scalar()
    engine.dispose()
    assert stored == 153 and message is not None and "153 added" in message
    assert len(api.requests) == 4  # one per quarter; three without records


def test_a_retry_saved_before_the_scheduler_moved_is_not_lost(config_file: Path) -> None:
    """A job store written when the scheduler was one module (``condo/scheduling.py``) names its functions
    ``condo.scheduling:run_job`` and ``condo.scheduling:_scheduled``, which no longer import: APScheduler
    would drop those jobs. Opening the scheduler rewrites them to where the functions are now."""
    import pickle

    from apscheduler.triggers.date import DateTrigger
    from apscheduler.util import ref_to_obj

    from condo.scheduling import runs
    from condo.scheduling.serving import make_scheduler

    config = load_config(config_file)
    first = ManualScheduler(**scheduler_options(config))
    first.start()
    when = dt.datetime.now(UTC) + dt.timedelta(hours=3)
    first.add_job(runs.run_job, DateTrigger(run_date=when), args=["nightly_crawl", str(config_file), 2], id="retry")
    first.add_job(runs._scheduled, DateTrigger(run_date=when), args=["weekly_report", None], id="weekly")
    first.shutdown(wait=False)
    engine = config.engine()
    with engine.begin() as connection:
        for job_id, old in (("retry", "condo.scheduling:run_job"), ("weekly", "condo.scheduling:_scheduled")):
            blob = connection.execute(text("SELECT job_state FROM apscheduler_jobs WHERE id = :id"), {"id": job_id})
            state = pickle.loads(blob.scalar_one())
            state["func"] = old
            connection.execute(
                text("UPDATE apscheduler_jobs SET job_state = :s WHERE id = :id"),
                {"s": pickle.dumps(state), "id": job_id},
            )
    with pytest.raises((ImportError, LookupError)):
        ref_to_obj("condo.scheduling:run_job")  # what APScheduler would fail on, and drop the job for

    make_scheduler(config)  # migrates the saved references (it is not started here)
    second = ManualScheduler(**scheduler_options(config))
    second.start()
    try:
        retry, weekly = second.get_job("retry"), second.get_job("weekly")
        assert retry is not None and retry.func is runs.run_job and retry.args == ("nightly_crawl", str(config_file), 2)
        assert weekly is not None and weekly.func is runs._scheduled
        assert retry.next_run_time == when
    finally:
        second.shutdown(wait=False)
