"""Crawls one after another in one long-lived process (scraper.crawl_session): each with the
environment, settings, spider arguments and log it would have had in a process of its own."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import make_engine
from db.migrate import upgrade
from scraper.crawl_session import CrawlSession
from scraper.runner import run_spider_process
from simulator.market import MarketConfig, build_market
from simulator.site import SimulatedSuumo, serve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    suumo = SimulatedSuumo(build_market(MarketConfig(seed=3, days=1, buildings_per_ward=2)))
    suumo.start_night(0, set())
    with serve(suumo) as base:
        yield base


def _crawl(session: CrawlSession, site: str, folder: Path, night: str, **extra: str) -> tuple[int, str, Path]:
    url = f"sqlite:///{folder / night}.sqlite3"
    engine = make_engine(url)
    upgrade(engine)
    log = folder / f"{night}.log"
    run = run_spider_process(
        "suumo_chuko",
        wards="koto",
        settings={"SUUMO_BASE_URL": site, "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", **extra},
        env={"CONDO_NOW": f"{night}T17:30:00+00:00", "DATABASE_URL": url},
        log_path=log,
        session=session,
    )
    with engine.connect() as connection:
        started = connection.execute(text("SELECT started_at FROM crawl_runs")).scalar_one_or_none()
        wards = connection.execute(text("SELECT DISTINCT ward_code FROM crawl_run_wards")).scalars().all()
    engine.dispose()
    assert run.returncode != 0 or wards == [13108], wards  # -a wards=koto reached the spider
    return run.returncode, str(started)[:10], log


def test_crawls_share_a_process_but_not_their_environment_or_log(site: str, tmp_path: Path) -> None:
    with CrawlSession() as session:
        first = _crawl(session, site, tmp_path, "2026-09-07")
        pid = session.pid
        second = _crawl(session, site, tmp_path, "2026-09-08")
        assert session.pid == pid
        assert (session.crawls, session.workers) == (2, 1)
    # Each crawl in its own database (DATABASE_URL is read by the settings module, read again per
    # crawl) on its own pinned night.
    assert first[:2] == (0, "2026-09-07")
    assert second[:2] == (0, "2026-09-08")
    for _, _, log in (first, second):
        text_ = log.read_text()
        assert text_.count("Scrapy 2.") == 1 and text_.count("Crawl run 1 opened") == 1
        assert "progress ward=koto page=1" in text_ and "Spider closed (finished)" in text_
        assert "condo-crawl-ended" not in text_
    assert session.pid is None  # closed with the block


def test_a_crawl_that_cannot_start_fails_alone(site: str, tmp_path: Path) -> None:
    with CrawlSession() as session:
        code, _, log = _crawl(session, site, tmp_path, "2026-09-07", CONDO_WRITE_ATTEMPTS="0")
        assert code == 1
        assert "CONDO_WRITE_ATTEMPTS must be at least 1" in log.read_text()
        assert _crawl(session, site, tmp_path, "2026-09-08")[:2] == (0, "2026-09-08")
        assert session.workers == 1


def test_a_killed_crawl_takes_its_worker_and_the_next_crawl_gets_a_new_one(site: str, tmp_path: Path) -> None:
    with CrawlSession() as session:
        # A crawl that lasts (a request every 5 s to a port nobody listens on), killed as the runner's
        # watchdog kills one.
        argv = ["scrapy", "crawl", "suumo_chuko", "-s", "SUUMO_BASE_URL=http://127.0.0.1:9", "-s", "DOWNLOAD_DELAY=5"]
        crawl = session.start(argv, {**os.environ, "SCRAPY_SETTINGS_MODULE": "scraper.settings"})
        time.sleep(0.5)
        crawl.send_signal(signal.SIGKILL)
        # The watchdog polls beside the thread reading the crawl's lines: a poll must not take the pipe.
        while crawl.poll() is None:
            time.sleep(0.05)
        assert crawl.poll() == -signal.SIGKILL
        assert crawl.wait() == -signal.SIGKILL
        assert crawl.poll() == -signal.SIGKILL
        assert _crawl(session, site, tmp_path, "2026-09-08")[:2] == (0, "2026-09-08")
        assert session.workers == 2


def test_a_crawl_whose_lines_were_not_read_does_not_lend_them_to_the_next(site: str, tmp_path: Path) -> None:
    with CrawlSession() as session:
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "scraper.settings"}
        argv = ["scrapy", "crawl", "suumo_chuko", "-a", "wards=koto", "-s", f"SUUMO_BASE_URL={site}"]
        first = session.start([*argv, "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"], env)
        # Its caller gave up on it without reading a line (an exception in a progress callback).
        assert first.returncode is None
        code, night, log = _crawl(session, site, tmp_path, "2026-09-08")
        assert first.returncode == 0
        assert (code, night) == (0, "2026-09-08")
        assert log.read_text().count("Scrapy 2.") == 1
