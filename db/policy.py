"""Incremental crawling: the spiders' detail hook, filled from the database.

A detail page is fetched only for a listing that is new, or whose details (read on a trusted night)
are older than its share (50–100 %, fixed per listing, so refreshes spread over the nights) of
``SUUMO_DETAIL_MAX_AGE_DAYS`` (90), or, with ``SUUMO_DETAIL_ON_PRICE_CHANGE`` on, whose list price
changed since we last stored it.
A price change alone does not need the detail page by default: the list card carries the price, and
nothing on the detail page depends on it. A steady-state night costs the list pages plus the detail
pages of the night's new listings and a small share of refreshes (measured in benchmarks/).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import zlib
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy import func, select

from db.engine import make_engine, session_scope
from db.history import PRICE_FIELDS
from db.models import CrawlRun, Listing, PriceChange, Sighting
from scraper.clock import now_utc
from scraper.items import ListingItem

logger = logging.getLogger(__name__)


def refresh_share(listing_id: str) -> float:
    """A fixed share (0.5–1.0) of the maximum detail age for each listing.

    Without it every listing first seen on one night would go stale on the same later night; with it
    the refreshes spread over half the maximum age, and no detail is ever older than the maximum.

    >>> 0.5 <= refresh_share("73305798") <= 1.0
    True
    """
    return 0.5 + (zlib.crc32(listing_id.encode()) % 1000) / 2000


def detail_reason(
    listing_id: str,
    known: bool,
    stored_price: tuple[Any, ...] | None,
    list_price: tuple[Any, ...] | None,
    detail_at: dt.datetime | None,
    now: dt.datetime,
    max_age: dt.timedelta,
    on_price_change: bool,
) -> str | None:
    """Why the detail page of a listing seen on a list page should be fetched, or None to skip it.

    >>> now = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)
    >>> week, month = dt.timedelta(days=7), dt.timedelta(days=30)
    >>> detail_reason("1", False, None, ("fixed", 1), None, now, month, False)
    'new'
    >>> detail_reason("1", True, ("fixed", 1), ("fixed", 2), now - week, now, month, False) is None
    True
    >>> detail_reason("1", True, ("fixed", 1), ("fixed", 2), now - week, now, month, True)
    'price_changed'
    >>> detail_reason("1", True, ("fixed", 1), ("fixed", 1), now - month, now, month, False)
    'stale'
    """
    if not known:
        return "new"
    if on_price_change and list_price is not None and list_price[0] is not None and stored_price != list_price:
        return "price_changed"
    if detail_at is None or now - detail_at > max_age * refresh_share(listing_id):
        return "stale"
    return None


class DatabaseDetailPolicy:
    """``should_fetch(item)`` from what the database knows (loaded once per source and type)."""

    def __init__(self, url: str, max_age_days: float, crawler: Crawler | None = None, on_price_change: bool = False):
        self.url = url
        self.max_age = dt.timedelta(days=max_age_days)
        self.on_price_change = on_price_change
        self.crawler = crawler
        self.known: dict[tuple[str, str], dict[str, tuple[tuple[Any, ...] | None, dt.datetime | None]]] = {}
        self.now = now_utc()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatabaseDetailPolicy:
        url = crawler.settings.get("CONDO_DATABASE_URL") or os.environ.get("DATABASE_URL")
        if not url:
            raise ValueError("DatabaseDetailPolicy needs CONDO_DATABASE_URL or DATABASE_URL")
        return cls(
            url,
            crawler.settings.getfloat("SUUMO_DETAIL_MAX_AGE_DAYS", 90),
            crawler,
            crawler.settings.getbool("SUUMO_DETAIL_ON_PRICE_CHANGE", False),
        )

    def _load(self, source: str, property_type: str) -> dict[str, tuple[tuple[Any, ...] | None, dt.datetime | None]]:
        engine = make_engine(self.url)
        latest_price = (
            select(PriceChange.listing_id, func.max(PriceChange.id).label("id"))
            .group_by(PriceChange.listing_id)
            .subquery()
        )
        # Only a detail page read on a trusted night counts: one read while the site dropped a field
        # (a renamed label: a suspect night) is read again on the next night.
        last_detail = (
            select(Sighting.listing_id, func.max(Sighting.seen_at).label("seen_at"))
            .join(CrawlRun, CrawlRun.id == Sighting.run_id)
            .where(Sighting.page_kind == "detail", CrawlRun.verdict == "complete_healthy")
            .group_by(Sighting.listing_id)
            .subquery()
        )
        query = (
            select(Listing.source_listing_id, *(getattr(PriceChange, f) for f in PRICE_FIELDS), last_detail.c.seen_at)
            .select_from(Listing)
            .outerjoin(latest_price, latest_price.c.listing_id == Listing.id)
            .outerjoin(PriceChange, PriceChange.id == latest_price.c.id)
            .outerjoin(last_detail, last_detail.c.listing_id == Listing.id)
            .where(Listing.source == source, Listing.property_type == property_type)
        )
        known: dict[str, tuple[tuple[Any, ...] | None, dt.datetime | None]] = {}
        with session_scope(engine) as session:
            for listing_id, status, yen, low, high, detail_at in session.execute(query):
                if isinstance(detail_at, str):
                    detail_at = dt.datetime.fromisoformat(detail_at)
                if detail_at is not None and detail_at.tzinfo is None:
                    detail_at = detail_at.replace(tzinfo=dt.UTC)
                price = (status, yen, low, high) if status is not None else None
                known[listing_id] = (price, detail_at)
        engine.dispose()
        logger.info("Detail policy: %d known %s %s listings", len(known), source, property_type)
        return known

    def should_fetch(self, item: ListingItem) -> bool:
        key = (item.source, item.property_type)
        if key not in self.known:
            self.known[key] = self._load(*key)
        price, detail_at = self.known[key].get(item.listing_id, (None, None))
        reason = detail_reason(
            item.listing_id,
            item.listing_id in self.known[key],
            price,
            tuple(getattr(item, f) for f in PRICE_FIELDS),
            detail_at,
            self.now,
            self.max_age,
            self.on_price_change,
        )
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"detail_policy/{reason or 'skip'}")
        return reason is not None
