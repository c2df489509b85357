"""Which detail pages a spider fetches.

A policy is any class with ``should_fetch(item) -> bool`` (and optionally ``from_crawler``), named by
the ``SUUMO_DETAIL_POLICY`` setting. The list card decides the question: a policy sees the list item
(id, price, …) and answers whether its detail page is worth a request tonight.

``DatabaseDetailPolicy`` (what ``condo crawl`` uses) crawls incrementally: a detail page is fetched
only for a listing that is new, or whose details (read on a trusted night) are older than its share
(50–100 %, fixed per listing, so refreshes spread over the nights) of ``SUUMO_DETAIL_MAX_AGE_DAYS``
(90), or, with ``SUUMO_DETAIL_ON_PRICE_CHANGE`` on, whose list price changed since we last stored it
(always for a new-condo project, whose page holds the new phase's units and price band).
A price change alone does not need the detail page by default: the list card carries the price, and
nothing on the detail page depends on it. A steady-state night costs the list pages plus the detail
pages of the night's new listings and a small share of refreshes (measured in benchmarks/).
"""

from __future__ import annotations

import datetime as dt
import logging
import zlib
from typing import Any, Protocol

from scrapy.crawler import Crawler
from sqlalchemy import Engine

from db.engine import session_scope
from db.history import PRICE_FIELDS, crawl_knowledge
from scraper.clock import now_utc
from scraper.database import crawl_database_url, crawl_engine
from scraper.items import ListingItem

logger = logging.getLogger(__name__)


class DetailPolicy(Protocol):
    def should_fetch(self, item: ListingItem) -> bool: ...


class FetchAll:
    """Fetch every detail page (the default until the database can say what changed)."""

    def should_fetch(self, item: ListingItem) -> bool:
        return True


class FetchNone:
    """Fetch no detail page: list pages only."""

    def should_fetch(self, item: ListingItem) -> bool:
        return False


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

    def __init__(
        self, engine: Engine, max_age_days: float, crawler: Crawler | None = None, on_price_change: bool = False
    ):
        self.engine = engine
        self.max_age = dt.timedelta(days=max_age_days)
        self.on_price_change = on_price_change
        self.crawler = crawler
        self.known: dict[tuple[str, str], dict[str, tuple[tuple[Any, ...] | None, dt.datetime | None]]] = {}
        self.now = now_utc()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatabaseDetailPolicy:
        if not crawl_database_url(crawler):
            raise ValueError("DatabaseDetailPolicy needs a database: set DATABASE_URL")
        return cls(
            crawl_engine(crawler),
            crawler.settings.getfloat("SUUMO_DETAIL_MAX_AGE_DAYS", 90),
            crawler,
            crawler.settings.getbool("SUUMO_DETAIL_ON_PRICE_CHANGE", False),
        )

    def _load(self, source: str, property_type: str) -> dict[str, tuple[tuple[Any, ...] | None, dt.datetime | None]]:
        with session_scope(self.engine) as session:
            known = crawl_knowledge(session, source, property_type)
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
            # A project's price range changes when a new phase opens: its page then has the phase's
            # units and most common price band (projects are a few dozen: the cost is nothing).
            self.on_price_change or item.listing_scope == "project",
        )
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"detail_policy/{reason or 'skip'}")
        return reason is not None
