"""The wards: the three this project tracks, and the JIS codes of all 23 that an address can name.

The one table of wards: SUUMO's URL slugs (scraper.suumo.urls), the address parser's codes
(scraper.parsing.address), the report's names (reports.metrics) and the simulator's wards all derive
from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ward:
    slug: str
    """SUUMO's ``sc_<slug>`` and our short name: ``koto``."""
    code: int
    """JIS X 0402 code: 13108."""
    name: str
    """In Japanese, as addresses write it: 江東区."""
    name_en: str
    """As the English report writes it: Koto."""


TRACKED_WARDS: tuple[Ward, ...] = (
    Ward("koto", 13108, "江東区", "Koto"),
    Ward("bunkyo", 13105, "文京区", "Bunkyo"),
    Ward("minato", 13103, "港区", "Minato"),
)
"""In the order the crawl walks them and the report shows them."""

WARDS: dict[str, Ward] = {ward.slug: ward for ward in TRACKED_WARDS}
"""The tracked wards by slug.

>>> WARDS["minato"].code
13103
"""

WARDS_BY_CODE: dict[int, Ward] = {ward.code: ward for ward in TRACKED_WARDS}

TOKYO_WARD_CODES: dict[str, int] = {
    "千代田区": 13101,
    "中央区": 13102,
    "港区": 13103,
    "新宿区": 13104,
    "文京区": 13105,
    "台東区": 13106,
    "墨田区": 13107,
    "江東区": 13108,
    "品川区": 13109,
    "目黒区": 13110,
    "大田区": 13111,
    "世田谷区": 13112,
    "渋谷区": 13113,
    "中野区": 13114,
    "杉並区": 13115,
    "豊島区": 13116,
    "北区": 13117,
    "荒川区": 13118,
    "板橋区": 13119,
    "練馬区": 13120,
    "足立区": 13121,
    "葛飾区": 13122,
    "江戸川区": 13123,
}
"""JIS X 0402 codes of Tokyo's 23 special wards, by name (an address may name any of them)."""

assert all(TOKYO_WARD_CODES[ward.name] == ward.code for ward in TRACKED_WARDS)
