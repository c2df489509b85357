"""Used condos (中古マンション) in Koto, Bunkyo and Minato."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from parsel import Selector
from scrapy.http import Response

from scraper.items import ListingEnded, ListingItem, ListingScope
from scraper.spiders.suumo_base import SuumoSpider
from scraper.suumo.chuko_list import parse_chuko_list
from scraper.suumo.common import ListPage


class SuumoChukoSpider(SuumoSpider):
    """Used-condo list pages ``/ms/chuko/tokyo/sc_<ward>/?pc=100`` (次へ followed), then detail pages.

    Arguments: ``-a wards=koto,bunkyo,minato`` (default: all three).
    """

    name = "suumo_chuko"
    property_type = "used"

    def parse_list_page(
        self, selector: Selector, url: str, scraped_at: dt.datetime, html: str | None = None
    ) -> ListPage:
        return parse_chuko_list(selector, url, scraped_at, html)

    def parse_list(self, response: Response, ward: str) -> Iterator[Any]:
        """A used-condo list page: one item per card, a detail request per card, the next page.

        @suumo_path /ms/chuko/tokyo/sc_koto/?pc=100
        @cb_kwargs {"ward": "koto"}
        @returns items 1
        @returns requests 1
        @scrapes source property_type listing_id url price_yen area_m2 layout ward_code built_year
        """
        return super().parse_list(response, ward)

    def parse_detail(
        self, response: Response, ward: str, scope: ListingScope = "unit", card: ListingItem | None = None
    ) -> Iterator[ListingItem | ListingEnded]:
        """A used-condo detail page: one item with the fields the card lacks.

        @suumo_path /ms/chuko/tokyo/sc_koto/nc_73305798/
        @cb_kwargs {"ward": "koto"}
        @returns items 1 1
        @returns requests 0 0
        @scrapes listing_id price_yen floor total_floors direction management_fee_yen repair_reserve_yen total_units
        """
        return super().parse_detail(response, ward, scope, card)
