"""Used-condo (中古マンション) list pages: ``/ms/chuko/tokyo/sc_<ward>/``.

Card markup (2026 template): ``div#js-bukkenList > div.property_unit``, fields in ``dl > dt/dd`` under
``div.property_unit-info``. The card has no floor, direction, fees or unit count: those need the
detail page.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urljoin

from parsel import Selector

from scraper.items import ListingItem
from scraper.parsing.area import parse_area, parse_balcony
from scraper.parsing.dates import parse_year_month
from scraper.parsing.fieldlog import FieldLog
from scraper.parsing.layout import parse_layout
from scraper.parsing.money import parse_price
from scraper.parsing.text import clean
from scraper.suumo.common import (
    SOURCE,
    ListPage,
    apply_access,
    apply_address,
    apply_price,
    attr_at,
    parse_list_page,
    select_all,
    text_at,
)
from scraper.suumo.urls import listing_id_from_url

_CLIPKEY = re.compile(r"^(\d+)_\d+$")


def card_fields(card: Selector) -> dict[str, str]:
    """The card's label → text map (``物件名``, ``販売価格``, ``専有面積`` …); first label wins."""
    fields: dict[str, str] = {}
    for dl in select_all(card, "div.property_unit-info dl"):
        # lxml's own child lookup: the same first ``./dt`` and ``./dd``, without a selector for each.
        dt_node, dd_node = dl.find("dt"), dl.find("dd")
        label = clean("".join(dt_node.itertext())) if dt_node is not None else None
        value = "".join(dd_node.itertext()) if dd_node is not None else None
        if label and value is not None and label not in fields:
            fields[label] = value
    return fields


def parse_card(card: Selector, page_url: str, scraped_at: dt.datetime, fields: FieldLog) -> ListingItem | None:
    """One card → one item; ``None`` (counted) when the card has no usable listing id."""
    href = attr_at(card, "h2.property_unit-title a", "href")
    url = urljoin(page_url, href) if href else None
    listing_id = listing_id_from_url(url) if url else None
    clip = _CLIPKEY.match(attr_at(card, "input.js-clipkey", "value") or "")
    if listing_id is None and clip:
        listing_id = clip.group(1)
    if url is None or listing_id is None:
        fields.note_missing("listing_id")
        return None
    if clip and clip.group(1) != listing_id:
        fields.note_unparsed("listing_id", f"href id {listing_id} != clipkey {clip.group(1)}")

    labels = card_fields(card)
    item = ListingItem(
        source=SOURCE,
        property_type="used",
        page_kind="list",
        listing_id=listing_id,
        url=url,
        scraped_at=scraped_at,
        title=clean(text_at(card, "h2.property_unit-title a")),
        building_name=clean(labels.get("物件名")),
        agent=clean(text_at(card, "div.shopmore-title")),
    )
    if item.building_name is None:
        fields.note_missing("building_name")
    apply_price(item, fields.read("price", labels.get("販売価格"), parse_price))
    apply_address(item, labels.get("所在地"), fields)
    apply_access(item, labels.get("沿線・駅"), fields)
    area = fields.read("area_m2", labels.get("専有面積"), parse_area)
    if area is not None:
        item.area_m2, item.area_basis = area.m2, area.basis
    layout = fields.read("layout", labels.get("間取り"), parse_layout)
    if layout is not None:
        item.layout, item.rooms = layout.label, layout.rooms
    item.balcony_m2 = fields.read("balcony_m2", labels.get("バルコニー"), parse_balcony)
    built = fields.read("built", labels.get("築年月"), parse_year_month)
    if built is not None:
        item.built_year, item.built_month = built
    return item


def parse_chuko_list(selector: Selector, page_url: str, scraped_at: dt.datetime, html: str | None = None) -> ListPage:
    """Parse a used-condo list page into items plus its hit count, footer ids and next link."""
    return parse_list_page(selector, page_url, scraped_at, parse_card, html)
