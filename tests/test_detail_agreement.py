"""A detail page must agree with the list card that led to it (issue 26): held on every real used-condo
detail page, with a card made of what a list card shows of the same flat, and with another page's card."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from parsel import Selector

from scraper.items import ListingItem
from scraper.parsing.fieldlog import FieldLog
from scraper.suumo.agreement import disagreements
from scraper.suumo.detail import parse_detail
from tests.conftest import read_shared
from tests.test_suumo_detail import FROZEN_NOW
from tests.test_suumo_detail_2026 import PAGES as PAGES_2026

REAL_PAGES = {
    **{page: values["url"] for page, values in PAGES_2026.items()},
    "suumo/chuko-detail-koto-nc73305798-2024-02.html": "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/",
}


def page_item(page: str) -> ListingItem:
    item = parse_detail(Selector(text=read_shared(page)), REAL_PAGES[page], "used", FROZEN_NOW, FieldLog())
    assert item is not None
    return item


def card_of(item: ListingItem) -> ListingItem:
    """What a list card shows of the flat: id, name (as the card prints it), area and layout."""
    return ListingItem(
        item.source,
        "used",
        "list",
        item.listing_id,
        item.url,
        FROZEN_NOW,
        building_name=item.building_name,
        area_m2=item.area_m2,
        layout=item.layout,
    )


@pytest.mark.parametrize("page", sorted(REAL_PAGES))
def test_every_real_page_agrees_with_its_own_card(page: str) -> None:
    item = page_item(page)
    assert item.area_m2 is not None and item.layout is not None and item.building_name is not None
    assert disagreements(card_of(item), item) == []
    # The card may print the name without the page's spacing, or cut short, and still agree.
    squeezed = dataclasses.replace(card_of(item), building_name=item.building_name.replace(" ", "")[:6])
    assert disagreements(squeezed, item) == []


@pytest.mark.parametrize(("a", "b"), list(itertools.permutations(sorted(REAL_PAGES), 2)))
def test_another_flats_page_never_agrees(a: str, b: str) -> None:
    card, other = card_of(page_item(a)), page_item(b)
    assert "listing_id" in disagreements(card, other)
    # The same page with the asked listing's ids (a cache mix-up that keeps the ids) still disagrees.
    mixed = dataclasses.replace(other, listing_id=card.listing_id)
    assert disagreements(card, mixed), (a, b)
