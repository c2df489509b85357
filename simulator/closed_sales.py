"""Closed prices of the SIMULATED market, as MLIT's XIT001 API would publish them.

A flat that left the site because it sold (``Market.sales``) and never came back closes below its last
asking price: by 4–8 % (fixed per listing; 6 % on average), the negotiation discount the report's
asking-to-closed gap should find. MLIT publishes such a sale as a contract price (REINS) for about
60 % of sales and as a transaction price (buyers' questionnaires) for about 35 %, some as both, with
the price rounded to the million yen and the area to 5 m², in the API's own Japanese text (full-width
layouts and structures, ``2026年第3四半期``). Nothing here draws from the market's random stream.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from simulator.market import Market

DISCOUNT = (0.04, 0.08)
"""A sale closes this much below the last asking price (uniform per listing)."""
CONTRACT_SHARE = 0.60
TRANSACTION_SHARE = 0.35
CATEGORY_TEXT = {"contract": "成約価格情報", "transaction": "不動産取引価格情報"}


@dataclass(frozen=True)
class ClosedSale:
    day: int
    date: dt.date
    listing_id: str
    ward_code: int
    ward_name: str
    district: str
    asking_yen: int
    price_yen: int
    """As MLIT publishes it: the closing price rounded to the million yen."""
    area_m2: int
    """Rounded to 5 m², as MLIT publishes condo areas."""
    layout: str
    built_year: int
    structure: str
    categories: tuple[str, ...]

    @property
    def quarter(self) -> tuple[int, int]:
        return self.date.year, (self.date.month - 1) // 3 + 1


def _share(listing_id: str, salt: str) -> float:
    """A fixed number in [0, 1) per listing and purpose."""
    return (zlib.crc32(f"{salt}:{listing_id}".encode()) % 10_000) / 10_000


def closed_sales(market: Market) -> list[ClosedSale]:
    """Every sale on the simulated days (day 0 on) whose flat never came back to the site."""
    back_after: dict[int, int] = {}
    for listing in market.listings.values():
        for start, _ in listing.intervals:
            if start is not None:
                back_after[listing.unit_id] = max(back_after.get(listing.unit_id, start), start)
    out = []
    for sale in market.sales:
        if sale.day < 0 or back_after.get(sale.unit_id, -1) > sale.day:
            continue
        unit = market.units[sale.unit_id]
        building = market.buildings[unit.building_id]
        low, high = DISCOUNT
        closing = sale.asking_yen * (1 - (low + (high - low) * _share(sale.listing_id, "discount")))
        categories = tuple(
            name
            for name, share in (("contract", CONTRACT_SHARE), ("transaction", TRANSACTION_SHARE))
            if _share(sale.listing_id, name) < share
        )
        out.append(
            ClosedSale(
                day=sale.day,
                date=market.date(sale.day),
                listing_id=sale.listing_id,
                ward_code=building.ward_code,
                ward_name=building.ward_name,
                district=building.district,
                asking_yen=sale.asking_yen,
                price_yen=max(1, round(closing / 1_000_000)) * 1_000_000,
                area_m2=max(5, round(unit.area_m2 / 5) * 5),
                layout=unit.layout,
                built_year=building.built_year,
                structure=building.structure,
                categories=categories,
            )
        )
    return out


def _wide(text: str) -> str:
    """Half-width ASCII letters and digits to full width, as XIT001's Japanese text writes layouts."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def xit001_records(sales: list[ClosedSale], city: int, year: int, quarter: int) -> list[dict[str, Any]]:
    """The XIT001 records (language ja) of one municipality and quarter."""
    records = []
    for sale in sales:
        if sale.ward_code != city or sale.quarter != (year, quarter):
            continue
        for category in sale.categories:
            records.append(
                {
                    "PriceCategory": CATEGORY_TEXT[category],
                    "Type": "中古マンション等",
                    "Region": "",
                    "MunicipalityCode": str(city),
                    "Prefecture": "東京都",
                    "Municipality": sale.ward_name,
                    "DistrictName": unicodedata.normalize("NFKC", sale.district),
                    "TradePrice": str(sale.price_yen),
                    "PricePerUnit": "",
                    "FloorPlan": _wide(sale.layout),
                    "Area": str(sale.area_m2),
                    "UnitPrice": "",
                    "LandShape": "",
                    "Frontage": "",
                    "TotalFloorArea": "",
                    "BuildingYear": f"{sale.built_year}年",
                    "Structure": _wide(sale.structure),
                    "Use": "住宅" if category == "transaction" else "",
                    "Purpose": "住宅" if category == "transaction" else "",
                    "Direction": "",
                    "Classification": "",
                    "Breadth": "",
                    "CityPlanning": "",
                    "CoverageRatio": "",
                    "FloorAreaRatio": "",
                    "Period": f"{year}年第{quarter}四半期",
                    "Renovation": "",
                    "Remarks": "",
                }
            )
    return records


def published_quarters(market: Market, nights: int) -> Iterator[tuple[int, int, int, list[dict[str, Any]]]]:
    """(city, year, quarter, XIT001 records) of every quarter with a simulated sale in days
    ``0..nights-1``, in order: what the API would publish for the crawled days."""
    sales = [sale for sale in closed_sales(market) if sale.day < nights]
    for city, year, quarter in sorted({(sale.ward_code, *sale.quarter) for sale in sales}):
        yield city, year, quarter, xit001_records(sales, city, year, quarter)


def load_closed_prices(engine: Engine, market: Market, nights: int) -> int:
    """Import the SIMULATED sales of days ``0..nights-1`` straight into the database, one response per
    ward and quarter as the API would give them (the fast path for tests and benchmarks; the demo
    fetches them over HTTP from simulator.mlit_api). Returns the records added."""
    import json

    from db.engine import session_scope
    from scraper.closed_prices.importer import import_body

    added = 0
    for city, year, quarter, records in published_quarters(market, nights):
        body = json.dumps({"status": "OK", "data": records}, ensure_ascii=False)
        with session_scope(engine) as session:
            added += import_body(session, body, f"SIMULATED XIT001 city={city} {year}Q{quarter}").added
    return added
