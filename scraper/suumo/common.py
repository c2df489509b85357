"""Pieces shared by the SUUMO list and detail parsers."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from scraper.clock import now_utc
from scraper.items import ListingItem
from scraper.parsing.access import parse_access
from scraper.parsing.address import parse_address
from scraper.parsing.fieldlog import FieldLog
from scraper.parsing.money import Price
from scraper.suumo.pages import elements, hit_count, list_cards, scan_page

__all__ = ["SOURCE", "ListPage", "now_utc"]

SOURCE = "suumo"
_FOOTER_SUMMARY = re.compile(r'"summary"\s*:\s*(\{.*?\})\s*-->', re.S)


@dataclass
class ListPage:
    """What one list page gives: its items and the numbers the crawl checks itself against."""

    items: list[ListingItem]
    hit_count: int | None
    footer_ids: list[str] | None
    next_url: str | None
    fields: FieldLog = field(default_factory=FieldLog)
    cards_seen: int = 0
    cards_skipped: int = 0


@lru_cache(maxsize=512)
def _css_xpath(css: str) -> etree.XPath:
    return etree.XPath(HTMLTranslator().css_to_xpath(css))


def select_all(node: Selector | etree._Element, css: str) -> list[etree._Element]:
    """The lxml elements under ``node`` matching ``css``: parsel's own CSS-to-XPath translation,
    compiled once, without a selector object for each match (cards are read in the thousands)."""
    root = node.root if isinstance(node, Selector) else node
    return elements(_css_xpath(css)(root))


def text_at(node: Selector | etree._Element, css: str) -> str | None:
    """All text of the first element matching ``css``."""
    found = select_all(node, css)
    return "".join(found[0].itertext()) if found else None


def attr_at(node: Selector | etree._Element, css: str, name: str) -> str | None:
    """The first ``name`` attribute among the elements matching ``css`` (``css(f"{css}::attr(name)").get()``)."""
    for element in select_all(node, css):
        value = element.get(name)
        if value is not None:
            return str(value)
    return None


def footer_ids(html: str) -> list[str] | None:
    """The listing ids the page lists in its footer ``"summary"`` comment (``fp``), in order."""
    match = _FOOTER_SUMMARY.search(html)
    if not match:
        return None
    try:
        summary = json.loads(match.group(1))
    except json.JSONDecodeError:
        return None
    ids = summary.get("fp")
    return [str(i) for i in ids] if isinstance(ids, list) else None


def footer_url(html: str) -> str | None:
    """The list URL a page names in its footer summary (``orgurl2``), used when no URL is given."""
    match = _FOOTER_SUMMARY.search(html)
    if not match:
        return None
    try:
        url = json.loads(match.group(1)).get("orgurl2")
    except json.JSONDecodeError:
        return None
    return url if isinstance(url, str) else None


def next_page_url(selector: Selector, page_url: str) -> str | None:
    """The 次へ (next) link of a list page; ``None`` on the last page."""
    href = scan_page(selector).next_href
    return urljoin(page_url, href) if href else None


def apply_price(item: ListingItem, price: Price | None) -> None:
    """Copy a parsed price onto the item's price fields (nothing when the price is unknown)."""
    if price is None:
        return
    item.price_status, item.price_yen = price.status, price.yen
    item.price_min_yen, item.price_max_yen = price.min_yen, price.max_yen
    item.price_planned = price.planned
    item.price_text = price.text


CardParser = Callable[[Selector, str, dt.datetime, FieldLog], ListingItem | None]


def parse_list_page(
    selector: Selector, page_url: str, scraped_at: dt.datetime, parse_card: CardParser, html: str | None = None
) -> ListPage:
    """Parse every card of a list page with ``parse_card``, plus the page's hit count, ids and next link.

    ``html`` is the page's text when the caller has it (otherwise the tree is serialised to find the
    footer ids)."""
    page = ListPage(
        items=[],
        hit_count=hit_count(selector),
        footer_ids=footer_ids(html if html is not None else selector.get()),
        next_url=next_page_url(selector, page_url),
    )
    for card in list_cards(selector):
        page.cards_seen += 1
        item = parse_card(card, page_url, scraped_at, page.fields)
        if item is None:
            page.cards_skipped += 1
        else:
            page.items.append(item)
    return page


def apply_address(item: ListingItem, raw: str | None, fields: FieldLog) -> None:
    address = fields.read("address", raw, parse_address)
    if address is None:
        return
    item.address = address.text
    item.ward_name = address.ward_name
    item.ward_code = address.ward_code
    item.district = address.district
    item.area_group = address.area_group
    if address.ward_code is None:
        fields.note_unparsed("ward_code", address.text)


def apply_access(item: ListingItem, raw: str | None, fields: FieldLog) -> None:
    access = fields.read("access", raw, parse_access)
    if access is None:
        return
    item.line = access.line
    item.station = access.station
    item.walk_minutes = access.walk_minutes
    item.bus_minutes = access.bus_minutes
    item.bus_stop_walk_minutes = access.stop_walk_minutes
