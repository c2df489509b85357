"""The one item every spider yields. Every field is documented in docs/data-format.md.

Unknown is ``None``: a field the page does not show, or shows in a form we cannot read, stays
``None`` (never 0 or "").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import MutableMapping
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any, Literal

PropertyType = Literal["used", "new"]
PageKind = Literal["list", "detail"]
ListingScope = Literal["unit", "project"]


@dataclass
class PlanType:
    """One row of a new-condo project's 間取りタイプ別価格 table."""

    type_name: str | None
    layout: str | None
    area_m2: float | None
    price_status: str | None
    price_min_yen: int | None
    price_max_yen: int | None


@dataclass
class ListingItem:
    """One observation of one listing, from a list card or a detail page."""

    # identity
    source: str
    property_type: PropertyType
    page_kind: PageKind
    listing_id: str
    url: str
    scraped_at: dt.datetime
    listing_scope: ListingScope = "unit"
    # names and place
    building_name: str | None = None
    title: str | None = None
    address: str | None = None
    ward_code: int | None = None
    ward_name: str | None = None
    district: str | None = None
    area_group: str | None = None
    # price
    price_yen: int | None = None
    price_min_yen: int | None = None
    price_max_yen: int | None = None
    price_status: str | None = None
    price_planned: bool | None = None
    most_common_price_yen: int | None = None
    price_text: str | None = None
    """The price as printed when it is not one exact amount (``約1億円``, a range, a band, 価格未定)."""
    # the flat
    area_m2: float | None = None
    area_basis: str | None = None
    area_min_m2: float | None = None
    area_max_m2: float | None = None
    balcony_m2: float | None = None
    layout: str | None = None
    rooms: int | None = None
    rooms_min: int | None = None
    rooms_max: int | None = None
    floor: int | None = None
    floor_top: int | None = None
    direction: str | None = None
    # the building
    total_floors: int | None = None
    basement_floors: int | None = None
    structure: str | None = None
    built_year: int | None = None
    built_month: int | None = None
    total_units: int | None = None
    units_on_sale: int | None = None
    # access
    line: str | None = None
    station: str | None = None
    walk_minutes: int | None = None
    bus_minutes: int | None = None
    bus_stop_walk_minutes: int | None = None
    # running costs
    management_fee_yen: int | None = None
    repair_reserve_yen: int | None = None
    # sale
    agent: str | None = None
    delivery: str | None = None
    delivery_year: int | None = None
    delivery_month: int | None = None
    sale_phase: str | None = None
    """The sale phase (期) each price line of a new-condo card names (``第3期3次 / 先着順``)."""
    sale_schedule: str | None = None
    info_date: dt.date | None = None
    next_update_date: dt.date | None = None
    # land tenure (敷地の権利形態)
    land_tenure: str | None = None
    """``ownership``, ``leasehold``, ``fixed_term_leasehold`` or ``superficies`` (scraper.parsing.tenure)."""
    land_tenure_raw: str | None = None
    lease_years_remaining: int | None = None
    # energy (rows added to the 2026 pages; kept as printed)
    energy_performance: str | None = None
    insulation_performance: str | None = None
    utility_cost: str | None = None
    # resale signals (used-condo detail pages; scraper.parsing.resale)
    handover: str | None = None
    """引渡可能時期: ``immediate`` (即引渡可), ``negotiable`` (相談) or the date given (``2028-01``)."""
    parking: str | None = None
    """駐車場: ``available``, ``full`` (空無), ``none`` (無), ``nearby`` (近隣); null for ``-``."""
    zoning_raw: str | None = None
    agent_licence: str | None = None
    """The agent's licence as printed (``東京都知事（1）第107658号``)."""
    agent_licence_renewals: int | None = None
    """The number in its brackets: 1 means never renewed (an agency under five years old)."""
    feature_tags: str | None = None
    """特徴ピックアップ's tags as printed, joined by `` / ``; null when the page lists none."""
    remarks: str | None = None
    """その他概要・特記事項, as printed."""
    agent_comment: str | None = None
    """担当者より, as printed."""
    unoccupied: bool | None = None
    """未入居 (never lived in) stated on the page; false when a detail page was read and says nothing."""
    unoccupied_source: str | None = None
    """Where it was read: ``tags``, ``remarks``, ``agent_comment`` or ``title``."""
    rented: bool | None = None
    """賃貸中 / オーナーチェンジ (sold with a tenant) stated on the page."""
    rented_source: str | None = None
    marketed_in_chinese: bool | None = None
    """中国語対応, 中文 and the like: how the advert is marketed, never who buys."""
    marketed_in_chinese_source: str | None = None
    plans: list[PlanType] = field(default_factory=list)
    # provenance
    archive_record: str | None = None
    """The WARC-Record-ID of the archived response the item was read from (archive/), when archived."""

    def to_json_dict(self) -> dict[str, Any]:
        """The item as :func:`item_row` gives it, with dates as ISO text: ready for ``json.dumps``."""
        return {
            key: value.isoformat() if isinstance(value, dt.datetime | dt.date) else value
            for key, value in item_row(self).items()
        }


@dataclass
class ListingEnded:
    """The site served its "listing ended" page for a listing's detail URL.

    Not a listing observation: the database marks the listing ended (a removal it can trust).
    """

    source: str
    property_type: PropertyType
    listing_id: str
    url: str
    scraped_at: dt.datetime
    archive_record: str | None = None


ITEM_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ListingItem))
RESALE_FIELDS: tuple[str, ...] = ITEM_FIELDS[ITEM_FIELDS.index("handover") : ITEM_FIELDS.index("plans")]
"""The resale signals of a used-condo detail page (scraper.parsing.resale), ``handover`` to
``marketed_in_chinese_source``."""


def fields_of(item: Any) -> MutableMapping[str, Any]:
    """The item's fields as a mutable mapping: a dataclass item's own ``vars()`` (writes go to the
    item), a dict itself, anything else through ItemAdapter. Reading a ListingItem's fields through
    ItemAdapter costs more than the rest of the pipelines together (it inspects every value)."""
    if is_dataclass(item) and hasattr(item, "__dict__"):
        return vars(item)
    if isinstance(item, dict):
        return item
    from itemadapter import ItemAdapter  # only for item classes of other kinds (it imports Scrapy)

    return ItemAdapter(item)


def item_row(item: Any) -> dict[str, Any]:
    """The one serialiser: a plain dict of the item's fields, nested plan rows as dicts (what the
    history writer stores, and, with dates as text, what ``condo parse`` prints).

    >>> row = item_row(ListingItem("suumo", "new", "detail", "1", "u", dt.datetime(2026, 1, 1),
    ...                            plans=[PlanType("A", "3LDK", 70.1, "fixed", 1, 2)]))
    >>> row["plans"][0]["layout"], row["listing_id"]
    ('3LDK', '1')
    """
    values = dict(fields_of(item))
    for name, value in values.items():
        if isinstance(value, list) and value and is_dataclass(value[0]):
            values[name] = [
                asdict(entry) if is_dataclass(entry) and not isinstance(entry, type) else entry for entry in value
            ]
    return values
