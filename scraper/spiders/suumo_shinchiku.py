"""New condos (新築マンション) in Koto, Bunkyo and Minato."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from parsel import Selector
from scrapy.http import Response

from scraper.spiders.suumo_base import SuumoSpider
from scraper.suumo.common import ListPage
from scraper.suumo.shinchiku_list import parse_shinchiku_list


class SuumoShinchikuSpider(SuumoSpider):
    """New-condo list pages ``/ms/shinchiku/tokyo/sc_<ward>/?pc=100`` (次へ followed), then detail pages.

    The list card carries price or price range per sale phase (and the phase, and a lease), layouts,
    areas, per-type rows and delivery. Project pages are read by label with the detail parser, for
    最多価格帯, 販売戸数, 総戸数, the sale schedule and the tenure (tested on the real partial project
    page; see docs/data-format.md). A project's page is read again whenever its price range moves
    (scraper.detail_policy), so each new phase's units are stored.
    Arguments: ``-a wards=koto,bunkyo,minato`` (default: all three).
    """

    name = "suumo_shinchiku"
    property_type = "new"

    def parse_list_page(
        self, selector: Selector, url: str, scraped_at: dt.datetime, html: str | None = None
    ) -> ListPage:
        return parse_shinchiku_list(selector, url, scraped_at, html)

    def parse_list(self, response: Response, ward: str) -> Iterator[Any]:
        """A new-condo list page: one item per project or unit card, and the next page.

        @suumo_path /ms/shinchiku/tokyo/sc_minato/?pc=100
        @cb_kwargs {"ward": "minato"}
        @returns items 1
        @returns requests 1
        @scrapes source property_type listing_id url listing_scope price_status building_name ward_code
        """
        return super().parse_list(response, ward)
