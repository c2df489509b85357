"""Item pipelines, one concern each, in order (see docs/pipelines.md).

200 CleanItemPipeline     whitespace and empty strings: "" is never a value, it is None
300 ValidateItemPipeline  plausibility: a value no Tokyo condo can have is a parse error → None
400 DedupeItemPipeline    the same listing twice in one run (listings move between pages mid-crawl)
500 FieldStatsPipeline    how often each field is filled, per page kind (the verdict's field baselines)
800 PersistItemPipeline   batches into the price-history database (only with a database URL; the run
                          itself is opened and closed by scraper.extensions.CrawlRunRecorder)
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from db.engine import session_scope
from db.history import record_observations
from scraper.clock import now_utc
from scraper.database import WriteRetries, crawl_database_url, crawl_engine
from scraper.items import ListingEnded, fields_of, item_row
from scraper.statkeys import (
    DB_BATCHES,
    DB_COUNTS,
    DB_ITEMS_UNWRITTEN,
    DB_ITEMS_WRITTEN,
    DB_RUN_ID,
    DB_WRITE_FAILURES,
    db_count,
    fields_filled,
    fields_items,
)

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
    "units_on_sale": (1, 10_000),
    "lease_years_remaining": (0, 100),
    "walk_minutes": (0, 120),
    "bus_minutes": (0, 180),
    "management_fee_yen": (0, 1_000_000),
    "repair_reserve_yen": (0, 1_000_000),
}


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
        self.stats.inc_value(fields_items(kind))
        for name, value in values.items():
            if name not in IDENTITY_FIELDS and value is not None and value != []:
                self.stats.inc_value(fields_filled(kind, name))
        return item


class PersistItemPipeline:
    """Write items into the price-history database in batches, one transaction per batch.

    Enabled with a database (the ``DATABASE_URL`` setting); the crawl run it writes into is opened and
    closed by scraper.extensions.CrawlRunRecorder. What the history writer found is counted as
    ``db/new_listings``, ``db/price_changes`` and ``db/relisted``. "Listing ended" items pass through:
    the recorder judges them when the run closes. A crawl killed at any moment leaves every committed
    batch consistent and its run without an end, which the next run of the spider marks ``interrupted``.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = _stats(crawler)
        self.engine = crawl_engine(crawler)
        self.batch_size = crawler.settings.getint("CONDO_BATCH_SIZE", 1000)
        self.writes = WriteRetries.from_settings(crawler.settings, self.stats)
        self.buffer: list[Any] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PersistItemPipeline:
        if not crawl_database_url(crawler):
            raise NotConfigured("no database URL: items are not stored")
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ListingEnded):
            return item
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        from sqlalchemy.exc import DBAPIError

        if not self.buffer:
            return
        batch = self.buffer
        try:
            self.writes.run("write a batch", lambda: self._write(batch))
        except DBAPIError as error:
            # Kept for the next flush: the batch is written later or counted as unwritten at the close.
            self.stats.inc_value(DB_WRITE_FAILURES)
            logger.error("Could not write a batch of %d items: %s; kept for the next attempt", len(batch), error)
            return
        self.buffer = self.buffer[len(batch) :]
        self.stats.inc_value(DB_ITEMS_WRITTEN, len(batch))
        self.stats.inc_value(DB_BATCHES)

    def _write(self, batch: list[Any]) -> None:
        run_id = self.stats.get_value(DB_RUN_ID)
        if run_id is None:
            raise RuntimeError("no crawl run is open: enable scraper.extensions.CrawlRunRecorder")
        counts = dict.fromkeys(DB_COUNTS, 0)
        with session_scope(self.engine) as session:
            for outcome in record_observations(session, run_id, [item_row(item) for item in batch], now_utc()):
                counts["new_listings"] += outcome.new_listing
                counts["price_changes"] += outcome.price_changed
                counts["relisted"] += outcome.relisted
        for name, value in counts.items():
            self.stats.inc_value(db_count(name), value)

    def close_spider(self, spider: Spider | None = None) -> None:
        self.flush()
        if self.buffer:
            self.stats.set_value(DB_ITEMS_UNWRITTEN, len(self.buffer))
            logger.error("%d item(s) could not be written to the database", len(self.buffer))
