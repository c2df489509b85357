"""Extensions: the crawl checks itself against the site's own numbers when it closes, records its run
in the database, and writes its stats to a file."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.statscollectors import StatsCollector

from db.engine import session_scope
from db.models import CrawlRun
from db.runs import start_run
from scraper.archive.warc import ArchiveWriter
from scraper.clock import now_utc
from scraper.database import WriteRetries, crawl_database_url, crawl_engine, dispose_crawl_engine
from scraper.items import ListingEnded
from scraper.statkeys import (
    ARCHIVE_BYTES,
    ARCHIVE_FILE,
    ARCHIVE_RECORDS,
    ARCHIVE_REVISITS,
    ARCHIVE_WRITE_ERROR,
    ARCHIVE_WRITE_FAILED,
    DB_ENDED,
    DB_REMOVED,
    DB_RUN_ID,
    DB_VERDICT,
    FINISH_REASON,
    StatKeys,
)

logger = logging.getLogger(__name__)


class CoverageGuard:
    """Truncation and drift guard.

    At close, for each ward, compare the unique listing cards seen with the hit count the site
    printed. Sets ``suumo/coverage/<ward>`` (cards ÷ hits, 0–1+) and logs an error when cards are
    missing (a truncated or interrupted walk through the pages) and a warning when there are more
    cards than hits (the site's count or our card selector drifted).
    """

    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CoverageGuard:
        assert crawler.stats is not None
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        prefix = getattr(spider, "stats_prefix", None)
        wards: list[Any] = getattr(spider, "wards", [])
        if prefix is None:
            return
        keys = StatKeys(prefix)
        for ward in wards:
            hits = self.stats.get_value(keys.hits(ward.slug))
            cards = self.stats.get_value(keys.cards_unique(ward.slug), 0)
            if hits is None:
                logger.error("No hit count was read for %s: the ward's list was not crawled", ward.slug)
                continue
            coverage = 1.0 if hits == 0 else cards / hits
            self.stats.set_value(keys.coverage(ward.slug), round(coverage, 4))
            if cards < hits:
                self.stats.set_value(keys.truncated(ward.slug), True)
                logger.error(
                    "Coverage for %s: %d of %d listings seen (%.1f%%): the crawl is incomplete",
                    ward.slug,
                    cards,
                    hits,
                    100 * coverage,
                )
            elif cards > hits:
                logger.warning("Coverage for %s: %d cards seen but the site reported %d hits", ward.slug, cards, hits)
            else:
                logger.info("Coverage for %s: %d of %d listings seen", ward.slug, cards, hits)


class StatsFile:
    """Write the crawl's final stats as JSON to the ``STATS_FILE`` setting's path (if set).

    This is the monitoring contract in machine-readable form: the crawl runner and the tests read it.
    """

    def __init__(self, stats: StatsCollector, path: str):
        self.stats = stats
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("STATS_FILE")
        if not path:
            raise NotConfigured
        assert crawler.stats is not None
        extension = cls(crawler.stats, path)
        # Low priority handlers run last; connect after CoverageGuard so its figures are included.
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        import json
        from pathlib import Path

        stats = dict(self.stats.get_stats())
        stats[FINISH_REASON] = reason
        Path(self.path).write_text(json.dumps(stats, default=str, ensure_ascii=False, indent=1, sort_keys=True))


class CrawlRunRecorder:
    """The crawl run in the database (enabled with a database, the ``DATABASE_URL`` setting).

    When the spider opens, the run is opened (``db/run_id``; an earlier run of the spider that never
    finished is marked interrupted). "Listing ended" items are collected as they are scraped. When
    the spider closes, after the pipelines have written their last batch and the coverage guard has
    put its figures into the stats, the run is judged from its final stats (scraper.health), closed
    with its verdict, figures and removals (db.runs), and the verdict is logged and put into the stats
    (``db/verdict``, ``db/removed``, ``db/ended``) before the stats file is written. The crawl's
    database engine is disposed last.

    A database that cannot be reached when the spider opens stops the crawl at once (close reason
    ``database_error``): nothing is fetched that could not be stored.
    """

    def __init__(self, crawler: Crawler):
        from scraper.health import Thresholds

        self.crawler = crawler
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.engine = crawl_engine(crawler)
        settings = crawler.settings
        self.removal_nights = settings.getint("CONDO_REMOVAL_NIGHTS", 2)
        self.thresholds = Thresholds.from_settings(
            lambda name: None if settings.get(name) is None else str(settings.get(name))
        )
        self.writes = WriteRetries.from_settings(settings, self.stats)
        self.run_id: int | None = None
        self.ended: list[tuple[str, str, dt.datetime, str | None]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        if not crawl_database_url(crawler):
            raise NotConfigured("no database URL: no crawl run is recorded")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        wards = [ward.slug for ward in getattr(spider, "wards", [])]
        try:
            with session_scope(self.engine) as session:
                run = start_run(
                    session,
                    spider=spider.name,
                    source=getattr(spider, "source", "unknown"),
                    property_type=getattr(spider, "property_type", "unknown"),
                    wards=wards,
                    now=now_utc(),
                )
                self.run_id = run.id
        except SQLAlchemyError as error:
            logger.error("Cannot open a crawl run in the database: %s", str(error).splitlines()[0])
            assert self.crawler.engine is not None
            self.crawler.engine.close_spider(spider, "database_error")
            return
        self.stats.set_value(DB_RUN_ID, self.run_id)
        logger.info("Crawl run %s opened", self.run_id)

    def item_scraped(self, item: Any, spider: Spider) -> None:
        if isinstance(item, ListingEnded):
            # Judged when the run closes: only a trusted night may end a listing, and never one the
            # list still showed that night (db.removal.apply_ended).
            self.ended.append((item.source, item.listing_id, item.scraped_at, item.archive_record))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        try:
            if self.run_id is not None:
                self._close(spider, reason)
        finally:
            dispose_crawl_engine(self.crawler)

    def _close(self, spider: Spider, reason: str) -> None:
        from scraper.health import finish_run

        stats = dict(self.stats.get_stats())
        stats[FINISH_REASON] = reason
        wards = [(ward.slug, ward.code) for ward in getattr(spider, "wards", [])]
        now = now_utc()

        def close() -> tuple[Any, int | None, int | None]:
            with session_scope(self.engine) as session:
                run = session.get(CrawlRun, self.run_id)
                assert run is not None
                verdict = finish_run(
                    session,
                    run,
                    stats,
                    wards,
                    now,
                    removal_runs=self.removal_nights,
                    thresholds=self.thresholds,
                    prefix=getattr(spider, "stats_prefix", "suumo"),
                    ended=self.ended,
                )
                return verdict, run.removed, run.ended

        verdict, removed, ended = self.writes.run("close the crawl run", close)
        self.stats.set_value(DB_VERDICT, str(verdict.verdict))
        self.stats.set_value(DB_REMOVED, removed)
        self.stats.set_value(DB_ENDED, ended or 0)
        log = logger.info if verdict.healthy and verdict.complete else logger.error
        log(
            "Crawl run %s: %s%s",
            self.run_id,
            verdict.verdict,
            f" ({'; '.join(verdict.reasons)})" if verdict.reasons else "",
        )


class PageArchive:
    """Keep every response the crawl receives in the page archive (archive/: WARC, one file per run,
    identical bodies stored once), when ``CONDO_ARCHIVE_DIR`` names a folder (``condo crawl`` sets
    ``<data>/archive``; empty: off). Stats: ``archive/records``, ``archive/revisits``, ``archive/bytes``,
    ``archive/file`` (kept with the run in ``crawl_runs.stats``: which file holds the night's pages).

    An archive that cannot be written (disk full, read-only, its folder gone) does not stop the crawl:
    the first failure is logged once with its cause (``archive/write_error``), archiving stops for the
    run (a WARC file cut mid-record would hide every record after it), and every response not archived
    is counted (``archive/write_failed``); the verdict names it, and the items keep no record id."""

    def __init__(self, crawler: Crawler, folder: Path):
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.folder = folder
        self.writer: ArchiveWriter | None = None
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageArchive:
        folder = crawler.settings.get("CONDO_ARCHIVE_DIR")
        if not folder:
            raise NotConfigured("no CONDO_ARCHIVE_DIR: pages are not archived")
        extension = cls(crawler, Path(folder))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        stamp = now_utc().strftime("%Y%m%dT%H%M%SZ")
        self.writer = ArchiveWriter(self.folder, f"{spider.name}-{stamp}-{os.getpid()}")
        self.stats.set_value(ARCHIVE_FILE, self.writer.path.name)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        if self.failed:
            self.stats.inc_value(ARCHIVE_WRITE_FAILED)
            return
        if self.writer is None:
            return
        try:
            written = self.writer.write(
                response.url,
                request.method,
                _header_pairs(request.headers),
                response.status,
                _header_pairs(response.headers),
                response.body,
                now_utc(),
            )
        except (OSError, sqlite3.Error) as error:
            # sqlite3: the archive's digest index (disk full, read-only database) fails the same way.
            self.failed = True
            self.stats.inc_value(ARCHIVE_WRITE_FAILED)
            cause = f"{getattr(error, 'strerror', None) or error}: {getattr(error, 'filename', None) or self.folder}"
            self.stats.set_value(ARCHIVE_WRITE_ERROR, cause)
            logger.error("The page archive cannot be written (%s): pages are no longer archived tonight", cause)
            return
        # The items this page gives name the record they came from (provenance: docs/archive.md).
        request.meta["archive_record"] = written.record_id
        self.stats.inc_value(ARCHIVE_RECORDS)
        if written.revisit:
            self.stats.inc_value(ARCHIVE_REVISITS)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.writer is not None:
            self.stats.set_value(ARCHIVE_BYTES, self.writer.bytes_written)
            try:
                self.writer.close()
            except (OSError, sqlite3.Error) as error:
                self.stats.inc_value(ARCHIVE_WRITE_FAILED)
                self.stats.set_value(ARCHIVE_WRITE_ERROR, f"{getattr(error, 'strerror', None) or error} on close")


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]
