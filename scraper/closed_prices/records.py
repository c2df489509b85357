"""MLIT's XIT001 price records, normalised (../shared/reference/mlit-xit001.md).

A record is a dict of strings as the API gives it, in Japanese or English. :func:`normalise` reads one
used-condo record into a :class:`ClosedPrice`: full-width text folded, the period read as a quarter
(``2024Q1``; the older era and full-width forms too), the built year (``戦前`` / ``Before the war`` is a
pre-war building with no year), rounded areas kept as published (``2000㎡以上`` is 2000 with a flag),
the price per m² computed, the price category as ``transaction`` or ``contract``, and court or
related-party sales flagged. Every key of the record, known or not, is kept in ``raw``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

USED_CONDO_TYPES = ("中古マンション等", "Pre-owned Condominiums, etc.")
CATEGORIES = {
    "不動産取引価格情報": "transaction",
    "Real Estate Transaction Price Information": "transaction",
    "成約価格情報": "contract",
    "Contract Price Information": "contract",
}
RENOVATION = {"改装済み": True, "Done": True, "未改装": False, "Not yet": False}
SPECIAL_SALES = ("調停", "競売", "関係者間", "auction", "mediation", "related part")
"""Remarks that mark a sale analysts leave out of price statistics (court, auction, related parties)."""
OPEN_FLOOR = "open floor"
"""オープンフロア (en: Studio Apartment): one room without a layout code."""
ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
ORDINALS = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


class RecordError(ValueError):
    """A record that cannot be read as a price (no price, no period): named, never stored."""


@dataclass(frozen=True)
class ClosedPrice:
    record_key: str
    """SHA-256 of the record as published and its copy number: the same record imported twice is stored
    once, and two sales published alike (same place, quarter, price, area…) stay two."""
    price_category: str
    ward_code: int | None
    municipality: str | None
    district: str | None
    district_code: str | None
    quarter: str
    price_yen: int
    area_m2: float | None
    area_capped: bool
    """The area was published as "N㎡以上": at least ``area_m2``."""
    price_per_m2: float | None
    layout: str | None
    built_year: int | None
    built_prewar: bool
    structure: str | None
    renovated: bool | None
    remarks: str | None
    special_sale: bool
    raw: dict[str, Any] = field(compare=False)


def is_used_condo(record: Mapping[str, Any]) -> bool:
    return _text(record.get("Type")) in USED_CONDO_TYPES


def _text(value: Any) -> str | None:
    """Folded (NFKC: full-width letters and digits to half-width), stripped, None when empty."""
    if value is None:
        return None
    folded = unicodedata.normalize("NFKC", str(value)).strip()
    return folded or None


def record_key(record: Mapping[str, Any], copy: int = 1) -> str:
    """The record's identity: its published text, and which copy of that same text in its response it is
    (MLIT publishes two sales with equal attributes as two equal records)."""
    text = json.dumps(record, ensure_ascii=False, sort_keys=True) + f"#{copy}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def quarter_of(period: str | None) -> str:
    """``YYYYQn`` from a period as XIT001 (and older APIs) write it.

    >>> [quarter_of(p) for p in ("2024年第1四半期", "2nd quarter 2024", "平成27年第２四半期", "令和6年第4四半期")]
    ['2024Q1', '2024Q2', '2015Q2', '2024Q4']
    """
    text = _text(period) or ""
    if match := re.fullmatch(r"(\d{4})年第([1-4])四半期", text):
        return f"{match.group(1)}Q{match.group(2)}"
    if match := re.fullmatch(r"(令和|平成|昭和)(\d+|元)年第([1-4])四半期", text):
        year = ERAS[match.group(1)] + (1 if match.group(2) == "元" else int(match.group(2)))
        return f"{year}Q{match.group(3)}"
    if match := re.fullmatch(r"(1st|2nd|3rd|4th) quarter (\d{4})", text):
        return f"{match.group(2)}Q{ORDINALS[match.group(1)]}"
    raise RecordError(f"period {period!r} is not a quarter (2024年第1四半期, 1st quarter 2024)")


def _built(value: Any) -> tuple[int | None, bool]:
    """(year, pre-war) of ``BuildingYear``: ``2004年``, ``2004``, ``戦前``, ``Before the war``, ``平成5年``."""
    text = _text(value)
    if text is None:
        return None, False
    if text in ("戦前", "Before the war"):
        return None, True
    if match := re.fullmatch(r"(\d{4})年?", text):
        return int(match.group(1)), False
    if match := re.fullmatch(r"(令和|平成|昭和)(\d+|元)年", text):
        return ERAS[match.group(1)] + (1 if match.group(2) == "元" else int(match.group(2))), False
    raise RecordError(f"building year {value!r} cannot be read")


def _area(value: Any) -> tuple[float | None, bool]:
    text = _text(value)
    if text is None:
        return None, False
    if match := re.fullmatch(r"([\d.]+)(?:m\^2|m2|㎡|平方メートル)?(以上|or more)?", text.replace(",", "")):
        return float(match.group(1)), bool(match.group(2))
    raise RecordError(f"area {value!r} cannot be read")


def normalise(record: Mapping[str, Any], copy: int = 1) -> ClosedPrice:
    """One used-condo record as stored (``copy``: the how-many-th equal record of its response it is).
    Raises :class:`RecordError` naming what cannot be read."""
    category = CATEGORIES.get(_text(record.get("PriceCategory")) or "")
    if category is None:
        raise RecordError(f"price category {record.get('PriceCategory')!r} is neither transaction nor contract")
    price_text = (_text(record.get("TradePrice")) or "").replace(",", "")
    if not price_text.isdigit() or int(price_text) <= 0:
        raise RecordError(f"trade price {record.get('TradePrice')!r} is not a whole number of yen")
    price = int(price_text)
    area, capped = _area(record.get("Area"))
    built_year, prewar = _built(record.get("BuildingYear"))
    code = _text(record.get("MunicipalityCode"))
    remarks = _text(record.get("Remarks"))
    layout = _text(record.get("FloorPlan"))
    return ClosedPrice(
        record_key=record_key(record, copy),
        price_category=category,
        ward_code=int(code) if code and code.isdigit() else None,
        municipality=_text(record.get("Municipality")),
        district=_text(record.get("DistrictName")),
        district_code=_text(record.get("DistrictCode")),
        quarter=quarter_of(record.get("Period")),
        price_yen=price,
        area_m2=area,
        area_capped=capped,
        price_per_m2=price / area if area and not capped else None,
        layout=OPEN_FLOOR if layout in ("オープンフロア", "Studio Apartment") else layout,
        built_year=built_year,
        built_prewar=prewar,
        structure=_text(record.get("Structure")),
        renovated=RENOVATION.get(_text(record.get("Renovation")) or ""),
        remarks=remarks,
        special_sale=bool(remarks) and any(mark in (remarks or "").lower() for mark in SPECIAL_SALES),
        raw=dict(record),
    )
