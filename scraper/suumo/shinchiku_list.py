"""New-condo (新築マンション) list pages: ``/ms/shinchiku/tokyo/sc_<ward>/``.

Two kinds of card share the template (``ul.cassette_list > li > div.cassette.property_unit``):

- **project** cards (``js-keisaiKbn`` 3 or 4): a development with one
  price line per sale phase (``価格未定（第3期3次）``, ``9448万円～2億5498万円（先着順）``) and
  per-type rows;
- **unit** cards (``js-keisaiKbn`` 8): one completed-but-never-occupied flat resold as new
  (築後未入居), with a single price, layout and area.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin

from parsel import Selector

from scraper.items import ListingItem, ListingScope, PlanType
from scraper.parsing.area import parse_area, parse_area_range
from scraper.parsing.dates import parse_year_month
from scraper.parsing.fieldlog import FieldLog
from scraper.parsing.layout import parse_layout, parse_layout_range
from scraper.parsing.money import Price, parse_price
from scraper.parsing.tenure import tenure_kind
from scraper.parsing.text import clean, fold, is_blank
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

PROJECT_KINDS = frozenset({"3", "4"})
UNIT_KIND = "8"


def combine_prices(prices: list[Price]) -> Price | None:
    """One price for a project with several sale phases: the span of every phase that has a price.

    A project whose every phase is 価格未定 is undecided.

    >>> combine_prices([Price("undecided"), Price("range", 94480000, 254980000)])
    Price(status='range', min_yen=94480000, max_yen=254980000, planned=False)
    """
    if not prices:
        return None
    priced = [p for p in prices if p.min_yen is not None and p.max_yen is not None]
    planned = any(p.planned for p in prices)
    if not priced:
        return Price(status="undecided", planned=planned)
    low = min(p.min_yen for p in priced if p.min_yen is not None)
    high = max(p.max_yen for p in priced if p.max_yen is not None)
    if any(p.status == "band" for p in priced):
        return Price(status="band", min_yen=low, max_yen=high, planned=planned)
    if len(priced) == 1 and priced[0].status == "fixed":
        return priced[0]
    return Price(status="range", min_yen=low, max_yen=high, planned=planned)


def phase_note(value_text: str | None, price_text: str | None) -> tuple[str | None, str | None]:
    """Split the note beside a price line into the sale phase and a tenure note.

    The note is the text of ``div.cassette_price-value`` after the price: ``（第3期3次）``,
    ``（先着順(定期転借地権)）``, ``（（一般定期借地権））``, ``（第三期二次（一般定期借地権））``.

    >>> phase_note("価格未定 （第3期3次）", "価格未定")
    ('第3期3次', None)
    >>> phase_note("8890万円～ （先着順(定期転借地権)）", "8890万円～")
    ('先着順', '定期転借地権')
    >>> phase_note("価格未定 （（一般定期借地権））", "価格未定")
    (None, '一般定期借地権')
    """
    rest = fold(value_text) or ""
    price = fold(price_text) or ""
    if price and rest.startswith(price):
        rest = rest[len(price) :]
    rest = rest.strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    tenure = None
    inner = rest.rfind("(")
    if inner != -1 and rest.endswith(")") and tenure_kind(rest[inner + 1 : -1]) is not None:
        tenure, rest = rest[inner + 1 : -1].strip(), rest[:inner].strip()
    elif tenure_kind(rest) is not None and ("借地" in rest or "地上権" in rest):
        tenure, rest = rest, ""
    return (rest or None), tenure


def _basics(card: Selector) -> dict[str, str]:
    out: dict[str, str] = {}
    for box in select_all(card, "div.cassette_basic-item"):
        label = clean(text_at(box, "p.cassette_basic-title"))
        value = text_at(box, "p.cassette_basic-value")
        if label and value is not None:
            out.setdefault(label, value)
    return out


def _plan_rows(card: Selector, fields: FieldLog) -> list[PlanType]:
    plans = []
    for row in select_all(card, "li.cassette_plantable-list_item"):
        price = fields.read("plan_price", text_at(row, "p.cassette_plantable-price"), parse_price)
        layout_area = fold(text_at(row, "p.cassette_plantable-layout")) or ""
        layout_text, _, area_text = layout_area.partition("/")
        layout = parse_layout(layout_text)
        area = parse_area(area_text)
        type_text = clean(text_at(row, "p.cassette_plantable-type"))
        plans.append(
            PlanType(
                type_name=type_text.removeprefix("タイプ：").removeprefix("タイプ:") if type_text else None,
                layout=layout.label if layout else None,
                area_m2=area.m2 if area else None,
                price_status=price.status if price else None,
                price_min_yen=price.min_yen if price else None,
                price_max_yen=price.max_yen if price else None,
            )
        )
    return plans


def parse_card(card: Selector, page_url: str, scraped_at: dt.datetime, fields: FieldLog) -> ListingItem | None:
    """One new-condo card → one item; ``None`` (counted) without a listing id."""
    links = select_all(card, "a.cassette_header-title")
    link = links[0] if links else None
    href = link.get("href") if link is not None else None
    url = urljoin(page_url, href) if href else None
    listing_id = attr_at(card, "input[name=bc]", "value") or (listing_id_from_url(url) if url else None)
    if url is None or not listing_id:
        fields.note_missing("listing_id")
        return None
    phases = select_all(card, "li.cassette_price-list_item")
    kind = attr_at(card, "input.js-keisaiKbn", "value")
    scope: ListingScope
    if kind == UNIT_KIND:
        scope = "unit"
    elif kind in PROJECT_KINDS:
        scope = "project"
    else:
        # An unknown card kind: judge by shape, and count it so the new kind gets looked at.
        fields.note_unparsed("listing_scope", f"js-keisaiKbn={kind}")
        has_plans = bool(select_all(card, "li.cassette_plantable-list_item"))
        scope = "project" if has_plans or len(phases) > 1 else "unit"
    item = ListingItem(
        source=SOURCE,
        property_type="new",
        page_kind="list",
        listing_id=listing_id,
        url=url,
        scraped_at=scraped_at,
        listing_scope=scope,
        building_name=clean("".join(link.itertext())) if link is not None else None,
        title=clean(text_at(card, "div.cassette_description_header-description")),
    )
    basics = _basics(card)
    apply_address(item, basics.get("所在地"), fields)
    apply_access(item, basics.get("交通"), fields)
    delivery = basics.get("引渡時期")
    item.delivery = None if is_blank(delivery) else fold(delivery)
    if delivery is None:
        fields.note_missing("delivery")
    when = parse_year_month(delivery)
    if when is not None:
        item.delivery_year, item.delivery_month = when

    if not phases:
        fields.note_missing("price")
    prices: list[Price] = []
    layouts, areas, notes, tenures = [], [], [], []
    for phase in phases:
        price_text = text_at(phase, "span.cassette_price-accent")
        price = fields.read("price", price_text, parse_price)
        if price is not None:
            prices.append(price)
        note, tenure_note = phase_note(text_at(phase, "div.cassette_price-value"), price_text)
        if note:
            notes.append(note)
        if tenure_note:
            tenures.append(tenure_note)
        layout_text, _, area_text = (fold(text_at(phase, "p.cassette_price-description")) or "").partition("/")
        layouts.append(layout_text.strip())
        areas.append(area_text.strip())
    apply_price(item, combine_prices(prices))
    item.sale_phase = " / ".join(notes) or None
    if tenures:
        # A card names a lease only when there is one; a freehold card says nothing (unknown here).
        item.land_tenure_raw = " / ".join(dict.fromkeys(tenures))
        item.land_tenure = tenure_kind(item.land_tenure_raw)

    if scope == "unit":
        layout = fields.read("layout", layouts[0] if layouts else None, parse_layout)
        if layout is not None:
            item.layout, item.rooms = layout.label, layout.rooms
            item.rooms_min = item.rooms_max = layout.rooms
        area = fields.read("area_m2", areas[0] if areas else None, parse_area)
        if area is not None:
            item.area_m2, item.area_basis = area.m2, area.basis
            item.area_min_m2 = item.area_max_m2 = area.m2
    else:
        room_ranges = [r for r in (fields.read("rooms_range", t, parse_layout_range) for t in layouts) if r]
        area_ranges = [r for r in (fields.read("area_range", t, parse_area_range) for t in areas) if r]
        item.layout = " / ".join(t for t in layouts if t) or None
        if room_ranges:
            item.rooms_min = min(r[0] for r in room_ranges)
            item.rooms_max = max(r[1] for r in room_ranges)
        if area_ranges:
            item.area_min_m2 = min(r[0] for r in area_ranges)
            item.area_max_m2 = max(r[1] for r in area_ranges)
        item.plans = _plan_rows(card, fields)
    return item


def parse_shinchiku_list(
    selector: Selector, page_url: str, scraped_at: dt.datetime, html: str | None = None
) -> ListPage:
    """Parse a new-condo list page into items plus its hit count, footer ids and next link."""
    return parse_list_page(selector, page_url, scraped_at, parse_card, html)
