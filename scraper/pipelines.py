"""Item pipelines, one concern each, in order (see docs/pipelines.md).

200 CleanItemPipeline     whitespace and empty strings: "" is never a value, it is None
300 ValidateItemPipeline  plausibility: a value no Tokyo condo can have is a parse error → None
400 DedupeItemPipeline    the same listing twice in one run (listings move between pages mid-crawl)
500 FieldStatsPipeline    how often each field is filled, per page kind (the verdict's field baselines)
800 PersistItemPipeline   batches into the price-history database (only with a database URL)
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import MutableMapping
from dataclasses import asdict, is_dataclass
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from scraper.clock import now_utc
from scraper.items import ListingEnded

logger = logging.getLogger(__name__)

# Inclusive plausible ranges. Wider than the market, narrower than a misplaced 万 or a stray digit.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "price_yen": (1_000_000, 20_000_000_000),
    "price_min_yen": (1_000_000, 20_000_000_000),
    "price_max_yen": (1_000_000, 20_000_000_000),
    "most_common_price_yen": (1_000_000, 20_000_000_000),
    "area_m2": (5, 2_000),
    "area_min_m2": (5, 2_000),
    "area_max_m2": (5, 2_000),
    "balcony_m2": (0, 1_000),
    "rooms": (1, 20),
    "floor": (-10, 120),
    "total_floors": (1, 120),
    "total_units": (1, 10_000),
    "walk_minutes": (0, 120),
    "bus_minutes": (0, 180),
    "management_fee_yen": (0, 1_000_000),
    "repair_reserve_yen": (0, 1_000_000),
}


def fields_of(item: Any) -> MutableMapping[str, Any]:
    """The item's fields as a mutable mapping: a dataclass item's own ``vars()`` (writes go to the
    item), a dict itself, anything else through ItemAdapter. Reading a ListingItem's fields through
    ItemAdapter costs more than the rest of the pipelines together (it inspects every value)."""
    if is_dataclass(item) and hasattr(item, "__dict__"):
        return vars(item)
    if isinstance(item, dict):
        return item
    return ItemAdapter(item)


def as_row(item: Any) -> dict[str, Any]:
    """A plain dict of the item's fields, nested dataclasses (plan rows) as dicts."""
    values = dict(fields_of(item))
    for name, value in values.items():
        if isinstance(value, list) and value and is_dataclass(value[0]):
            values[name] = [
                asdict(entry) if is_dataclass(entry) and not isinstance(entry, type) else entry for entry in value
            ]
    return values


def _stats(crawler: Crawler) -> StatsCollector:
    assert crawler.stats is not None
    return crawler.stats


class CleanItemPipeline:
    """Strip surrounding whitespace from text fields and turn empty text into None (counted as
    ``clean/<field>/empty``)."""

    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanItemPipeline:
        return cls(_stats(crawler))

    def process_item(self, item: Any) -> Any:
        adapter = fields_of(item)
        for name, value in list(adapter.items()):
            if isinstance(value, str):
                stripped = value.strip()
                if not stripped:
                    self.stats.inc_value(f"clean/{name}/empty")
                    adapter[name] = None
                elif stripped != value:
                    adapter[name] = stripped
        return item


class ValidateItemPipeline:
    """Null out implausible values (counted as ``validate/<field>/implausible``) and drop items that
    cannot be used at all (no listing id or URL: ``validate/dropped/<reason>``)."""

    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateItemPipeline:
        return cls(_stats(crawler))

    def process_item(self, item: Any) -> Any:
        adapter = fields_of(item)
        for required in ("listing_id", "url"):
            if not adapter.get(required):
                self.stats.inc_value(f"validate/dropped/no_{required}")
                raise DropItem(f"item without {required}")
        if isinstance(item, ListingEnded):
            return item
        for name, (low, high) in PLAUSIBLE.items():
            value = adapter.get(name)
            if value is not None and not low <= value <= high:
                self.stats.inc_value(f"validate/{name}/implausible")
                logger.warning(
                    "Implausible %s=%r for listing %s: stored as unknown", name, value, adapter.get("listing_id")
                )
                adapter[name] = None
        built = adapter.get("built_year")
        if built is not None and not 1900 <= built <= dt.date.today().year + 6:
            self.stats.inc_value("validate/built_year/implausible")
            logger.warning("Implausible built_year=%r for listing %s", built, adapter.get("listing_id"))
            adapter["built_year"] = adapter["built_month"] = None
        price_min, price_max = adapter.get("price_min_yen"), adapter.get("price_max_yen")
        if price_min is not None and price_max is not None and price_min > price_max:
            self.stats.inc_value("validate/price_range/inverted")
            adapter["price_min_yen"], adapter["price_max_yen"] = price_max, price_min
        self.stats.inc_value("validate/items_ok")
        return item


class DedupeItemPipeline:
    """Drop a second observation of the same listing from the same kind of page within one run.

    SUUMO's lists shift while a crawl walks them: a listing can appear at the bottom of page 1 and again
    at the top of page 2. Counted as ``dedupe/dropped``.
    """

    def __init__(self, stats: StatsCollector):
        self.stats = stats
        self.seen: set[tuple[str, str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupeItemPipeline:
        return cls(_stats(crawler))

    def process_item(self, item: Any) -> Any:
        adapter = fields_of(item)
        kind = "ended" if isinstance(item, ListingEnded) else str(adapter.get("page_kind"))
        key = (str(adapter.get("source")), str(adapter.get("listing_id")), kind)
        if key in self.seen:
            self.stats.inc_value("dedupe/dropped")
            raise DropItem(f"listing {key[1]} already seen on a {kind} page in this run")
        self.seen.add(key)
        return item


IDENTITY_FIELDS = frozenset(
    {"source", "property_type", "page_kind", "listing_id", "url", "scraped_at", "listing_scope"}
)
"""Fields every item has by construction: their fill rate says nothing about the page."""


class FieldStatsPipeline:
    """Count, per page kind, the items and how many of them carry each field (alltheplaces-style field
    stats): ``fields/<page kind>/items`` and ``fields/<page kind>/<field>/filled``.

    A label the site renamed empties its field on every page without any parse error; the verdict
    compares these fill rates with the recent healthy nights (``db.health``) and makes such a night
    suspect. ``plans`` counts as filled when it has rows.
    """

    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FieldStatsPipeline:
        return cls(_stats(crawler))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ListingEnded):
            return item
        values = fields_of(item)
        kind = values.get("page_kind") or "list"
        self.stats.inc_value(f"fields/{kind}/items")
        for name, value in values.items():
            if name not in IDENTITY_FIELDS and value is not None and value != []:
                self.stats.inc_value(f"fields/{kind}/{name}/filled")
        return item


class PersistItemPipeline:
    """Write items into the price-history database in batches, one transaction per batch.

    Enabled when ``CONDO_DATABASE_URL`` (or the ``DATABASE_URL`` environment variable) is set; the crawl
    run is opened when the spider opens and closed, with its stats, verdict and removals, when it
    closes. A crawl killed at any moment leaves every committed batch consistent and its run without
    an end, which the next run of the spider marks ``interrupted``.
    """

    def __init__(self, crawler: Crawler, url: str):
        from db.engine import make_engine

        self.crawler = crawler
        self.stats = _stats(crawler)
        self.engine = make_engine(url)
        settings = crawler.settings
        self.batch_size = settings.getint("CONDO_BATCH_SIZE", 1000)
        self.removal_nights = settings.getint("CONDO_REMOVAL_NIGHTS", 2)
        self.write_attempts = settings.getint("CONDO_WRITE_ATTEMPTS", 6)
        self.write_backoff = settings.getfloat("CONDO_WRITE_BACKOFF_SECONDS", 0.5)
        if self.write_attempts < 1:
            raise ValueError("CONDO_WRITE_ATTEMPTS must be at least 1")

        def setting(name: str) -> Any:
            value = settings.get(name)
            return None if value is None else str(value)

        from db.health import Thresholds

        self.thresholds = Thresholds.from_settings(setting)
        self.buffer: list[Any] = []
        self.ended: list[tuple[str, str, dt.datetime]] = []
        self.run_id: int | None = None
        self.counts = {"new_listings": 0, "price_changes": 0, "relisted": 0, "ended": 0}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PersistItemPipeline:
        import os

        url = crawler.settings.get("CONDO_DATABASE_URL") or os.environ.get("DATABASE_URL")
        if not url:
            raise NotConfigured("no database URL: items are not stored")
        pipeline = cls(crawler, url)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider: Spider | None = None) -> None:
        from db.engine import session_scope
        from db.runs import start_run

        spider = spider or self.crawler.spider
        wards = [ward.slug for ward in getattr(spider, "wards", [])]
        with session_scope(self.engine) as session:
            run = start_run(
                session,
                spider=getattr(spider, "name", "unknown"),
                source=getattr(spider, "source", "unknown"),
                property_type=getattr(spider, "property_type", "unknown"),
                wards=wards,
                now=now_utc(),
            )
            self.run_id = run.id
        self.stats.set_value("db/run_id", self.run_id)
        logger.info("Crawl run %s opened", self.run_id)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ListingEnded):
            # Judged when the run closes: only a trusted night may end a listing, and never one the
            # list still showed that night (db.removal.apply_ended).
            self.ended.append((item.source, item.listing_id, item.scraped_at))
            return item
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def retrying(self, what: str, work: Any) -> Any:
        """Run ``work()`` (one transaction), again after a failure with a doubling pause, up to
        ``CONDO_WRITE_ATTEMPTS`` times; the last failure is raised. A write can fail for a moment
        ("database is locked" while another connection holds the write lock past the busy timeout,
        a dropped connection); the batch must not be lost for it."""
        from sqlalchemy.exc import DBAPIError

        for attempt in range(1, self.write_attempts + 1):
            try:
                return work()
            except DBAPIError as error:
                if attempt == self.write_attempts:
                    raise
                pause = self.write_backoff * 2 ** (attempt - 1)
                self.stats.inc_value("db/write_retries")
                logger.warning(
                    "Could not %s (attempt %d of %d): %s; trying again in %.1f s",
                    what,
                    attempt,
                    self.write_attempts,
                    str(error.orig or error).splitlines()[0],
                    pause,
                )
                time.sleep(pause)
        raise AssertionError("unreachable")

    def flush(self) -> None:
        from sqlalchemy.exc import DBAPIError

        if not self.buffer:
            return
        batch = self.buffer
        try:
            self.retrying("write a batch", lambda: self._write(batch))
        except DBAPIError as error:
            # Kept for the next flush: the batch is written later or counted as unwritten at the close.
            self.stats.inc_value("db/write_failures")
            logger.error("Could not write a batch of %d items: %s; kept for the next attempt", len(batch), error)
            return
        self.buffer = self.buffer[len(batch) :]
        self.stats.inc_value("db/items_written", len(batch))
        self.stats.inc_value("db/batches")

    def _write(self, batch: list[Any]) -> None:
        from db.engine import session_scope
        from db.history import record_observations

        counts = {"new_listings": 0, "price_changes": 0, "relisted": 0}
        with session_scope(self.engine) as session:
            for outcome in record_observations(session, self.run_id, [as_row(item) for item in batch], now_utc()):
                counts["new_listings"] += outcome.new_listing
                counts["price_changes"] += outcome.price_changed
                counts["relisted"] += outcome.relisted
        for name, value in counts.items():
            self.counts[name] += value

    def close_spider(self, spider: Spider | None = None) -> None:
        self.flush()
        if self.buffer:
            self.stats.set_value("db/items_unwritten", len(self.buffer))
            logger.error("%d item(s) could not be written to the database", len(self.buffer))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Close the run after the other extensions have put their figures into the stats."""
        from db.engine import session_scope
        from db.models import CrawlRun
        from db.runs import finish_run

        stats = dict(self.stats.get_stats())
        stats["finish_reason"] = reason
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
                    self.counts,
                    now,
                    removal_runs=self.removal_nights,
                    thresholds=self.thresholds,
                    prefix=getattr(spider, "stats_prefix", "suumo"),
                    ended=self.ended,
                )
                return verdict, run.removed, run.ended

        verdict, removed, ended = self.retrying("close the crawl run", close)
        self.counts["ended"] = ended or 0
        for key, value in (("db/verdict", verdict.verdict), ("db/removed", removed), *self.counts.items()):
            self.stats.set_value(key if key.startswith("db/") else f"db/{key}", value)
        log = logger.info if verdict.healthy and verdict.complete else logger.error
        log(
            "Crawl run %s: %s%s",
            self.run_id,
            verdict.verdict,
            f" ({'; '.join(verdict.reasons)})" if verdict.reasons else "",
        )
        self.engine.dispose()
