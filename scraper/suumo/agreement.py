"""Does a detail page belong to the listing whose card led to it?

A site's cache can answer one flat's detail URL with another flat's page: either the other listing's
whole page (its own ids) or, worse, the asked listing's ids around another flat's facts. Stored as the
listing's facts, such a page gives it a wrong floor or direction and can split one flat sold by several
agents into two units. The list card is the check: what both state must agree.
"""

from __future__ import annotations

import unicodedata

from db.identity import building_name_key
from scraper.items import ListingItem

AREA_TOLERANCE_M2 = 0.015
"""Card and page print the same area to the hundredth of a m²; anything more is another flat."""


def _layout_key(layout: str | None) -> str | None:
    if not layout:
        return None
    return unicodedata.normalize("NFKC", layout).replace(" ", "").upper()


def _names_differ(card: str | None, page: str | None) -> bool:
    """Two building names that are not the same name, even shortened (the card may cut a long one)."""
    a, b = building_name_key(card), building_name_key(page)
    if a is None or b is None:
        return False
    return a not in b and b not in a


def disagreements(card: ListingItem, page: ListingItem) -> list[str]:
    """The fields a detail page states differently from the list card that led to it: the listing id,
    the area, the layout, the floor (where the card gives one) and the building name. Fields one of
    them lacks are not compared. A project page is held to its id only (its card and page give ranges).

    >>> import datetime as dt
    >>> at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    >>> card = ListingItem("suumo", "used", "list", "1", "u", at, building_name="パークタワー晴海", area_m2=70.12,
    ...                    layout="3LDK")
    >>> disagreements(card, ListingItem("suumo", "used", "detail", "1", "u", at, building_name="パークタワー晴海",
    ...                                 area_m2=70.12, layout="３ＬＤＫ", floor=12))
    []
    >>> disagreements(card, ListingItem("suumo", "used", "detail", "1", "u", at, building_name="ザ・東京タワーズ",
    ...                                 area_m2=55.3, layout="2LDK"))
    ['area_m2', 'layout', 'building_name']
    """
    problems = []
    if page.listing_id != card.listing_id:
        problems.append("listing_id")
    if page.listing_scope == "project" or card.listing_scope == "project":
        return problems
    if card.area_m2 is not None and page.area_m2 is not None and abs(card.area_m2 - page.area_m2) > AREA_TOLERANCE_M2:
        problems.append("area_m2")
    card_layout, page_layout = _layout_key(card.layout), _layout_key(page.layout)
    if card_layout and page_layout and card_layout != page_layout:
        problems.append("layout")
    if card.floor is not None and page.floor is not None and card.floor != page.floor:
        problems.append("floor")
    if _names_differ(card.building_name, page.building_name):
        problems.append("building_name")
    return problems
