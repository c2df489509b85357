"""Item pipelines, one concern each (see docs/pipelines.md).

300 ValidateItemPipeline: plausibility checks. A value outside what a Tokyo condo can be is a parse
error, so it is replaced by None (unknown) and counted, never stored as if it were right.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

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


class ValidateItemPipeline:
    """Null out implausible values (counted as ``validate/<field>/implausible``) and drop items that
    cannot be used at all (no listing id or URL: ``validate/dropped/<reason>``)."""

    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateItemPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        for required in ("listing_id", "url"):
            if not adapter.get(required):
                self.stats.inc_value(f"validate/dropped/no_{required}")
                raise DropItem(f"item without {required}")
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
