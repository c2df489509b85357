"""The crawl process's database: one URL (the ``DATABASE_URL`` setting, which the project's settings
read from the ``DATABASE_URL`` environment variable), one engine, shared by the run recorder
(scraper.extensions.CrawlRunRecorder), the persist pipeline and the detail policy, and disposed when
the run is closed.

``condo crawl`` hands the URL to the spider process through the environment, never on its command
line, where a PostgreSQL password would be visible to every user of the machine in ``ps``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from db.engine import make_engine
from scraper.statkeys import DB_WRITE_RETRIES

logger = logging.getLogger(__name__)
T = TypeVar("T")

_ENGINES: WeakKeyDictionary[Crawler, Engine] = WeakKeyDictionary()


def crawl_database_url(crawler: Crawler) -> str | None:
    """The database this crawl writes to, or None (items are then not stored)."""
    return crawler.settings.get("DATABASE_URL") or None


def crawl_engine(crawler: Crawler) -> Engine:
    """The crawl's one engine (created on first use). Raises ValueError without a database URL."""
    engine = _ENGINES.get(crawler)
    if engine is None:
        url = crawl_database_url(crawler)
        if not url:
            raise ValueError("this crawl has no database: set DATABASE_URL")
        engine = _ENGINES[crawler] = make_engine(url)
    return engine


def dispose_crawl_engine(crawler: Crawler) -> None:
    """Close the crawl's connections (when its run is closed)."""
    engine = _ENGINES.pop(crawler, None)
    if engine is not None:
        engine.dispose()


@dataclass
class WriteRetries:
    """Run one transaction, again after a database error with a doubling pause, up to
    ``CONDO_WRITE_ATTEMPTS`` times (``CONDO_WRITE_BACKOFF_SECONDS`` first); the last failure is raised.

    A write can fail for a moment ("database is locked" while another connection holds the write lock
    past the busy timeout, a dropped connection); a batch or the run's close must not be lost for it.
    Each retry is counted as ``db/write_retries``.
    """

    attempts: int
    backoff: float
    stats: StatsCollector | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings, stats: StatsCollector | None = None) -> WriteRetries:
        attempts = settings.getint("CONDO_WRITE_ATTEMPTS", 6)
        if attempts < 1:
            raise ValueError("CONDO_WRITE_ATTEMPTS must be at least 1")
        return cls(attempts, settings.getfloat("CONDO_WRITE_BACKOFF_SECONDS", 0.5), stats)

    def run(self, what: str, work: Callable[[], T]) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                return work()
            except DBAPIError as error:
                if attempt == self.attempts:
                    raise
                pause = self.backoff * 2 ** (attempt - 1)
                if self.stats is not None:
                    self.stats.inc_value(DB_WRITE_RETRIES)
                logger.warning(
                    "Could not %s (attempt %d of %d): %s; trying again in %.1f s",
                    what,
                    attempt,
                    self.attempts,
                    _first_line(error),
                    pause,
                )
                time.sleep(pause)
        raise AssertionError("unreachable")


def _first_line(error: DBAPIError) -> Any:
    return str(error.orig or error).splitlines()[0]
