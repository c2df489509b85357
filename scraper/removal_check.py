"""Removals must be earned: before a ward's listings are removed, a sample of them is looked at.

A site that sheds a few percent more of each ward every night (a search index rotting, an A/B test, a
slow CDN fault) stays under every fall rule of the verdict while its baseline follows it down, and
each night would remove listings that are still on sale. So when a ward's list walk is over, the
spider fetches the detail pages of a sample of the ward's active listings that tonight's list did not
show (``CONDO_VERIFY_REMOVALS`` per ward, 10 by default; 0 turns the check off). A listing that has
really left answers the site's "listing ended" page (or 404); a sample whose pages are still on sale
makes the ward's night suspect (scraper.health: ``Thresholds.max_on_sale_share``), so nothing is
removed on it, and each listing found on sale is stored as seen (a detail sighting), so it is never
removed on that night's evidence.

The sample is fixed per night and listing (a hash), so a re-run of the night asks for the same pages.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from sqlalchemy import Engine

from db.engine import session_scope
from db.removal import missing_tonight
from scraper.clock import now_utc
from scraper.database import crawl_database_url, crawl_engine

DEFAULT_PER_WARD = 10


class RemovalCheck:
    """Which listings a ward would lose tonight, and a sample of them to look at."""

    def __init__(self, engine: Engine, per_ward: int, base_url: str, night: str):
        self.engine = engine
        self.per_ward = per_ward
        self.base_url = base_url
        self.night = night

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RemovalCheck | None:
        """The crawl's check, or None without a database or with ``CONDO_VERIFY_REMOVALS=0``."""
        per_ward = crawler.settings.getint("CONDO_VERIFY_REMOVALS", DEFAULT_PER_WARD)
        if per_ward < 0:
            raise ValueError(f"CONDO_VERIFY_REMOVALS must be 0 (off) or more, not {per_ward}")
        if per_ward == 0 or not crawl_database_url(crawler):
            return None
        base_url = crawler.settings.get("SUUMO_BASE_URL") or "https://suumo.jp"
        return cls(crawl_engine(crawler), per_ward, base_url, now_utc().date().isoformat())

    def sample(
        self, source: str, property_type: str, ward_code: int, seen: set[str]
    ) -> tuple[int, list[tuple[str, str]]]:
        """(how many active listings tonight's list did not show, a sample of them as (id, URL on the
        crawled site))."""
        with session_scope(self.engine) as session:
            missing = missing_tonight(session, source, property_type, ward_code, seen)
        # A cryptographic hash, not a CRC: a CRC of a fixed prefix and the id is an affine function of the
        # id's CRC, so its order would follow any other CRC-based choice of listings (the site's own).
        order = sorted(
            missing, key=lambda entry: hashlib.blake2b(f"{self.night}/{entry[0]}".encode(), digest_size=8).digest()
        )
        chosen = order[: self.per_ward]
        return len(missing), [(listing_id, self.on_site(url)) for listing_id, url in chosen]

    def on_site(self, url: str) -> str:
        """The stored URL's path on the site being crawled (the simulator's port, a mirror)."""
        parts = urlsplit(url)
        return urljoin(self.base_url.rstrip("/") + "/", parts.path.lstrip("/"))
