"""A deliberately broken used-condo spider, for the test of ``condo reparse --corrections``: today's
spider, except that its detail pages lose the floor and the direction, as a parser that missed both
labels would have read them. Selected with ``-s SPIDER_MODULES=tests.support.broken_spider``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from scraper.items import ListingItem
from scraper.spiders.suumo_chuko import SuumoChukoSpider


class BrokenSuumoChukoSpider(SuumoChukoSpider):
    name = "suumo_chuko"

    def parse_detail(
        self, response: Response, ward: str, scope: Any = "unit", card: ListingItem | None = None
    ) -> Iterator[Any]:
        for item in super().parse_detail(response, ward, scope, card):
            if isinstance(item, ListingItem):
                item.floor = item.direction = None
            yield item
