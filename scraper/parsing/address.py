"""Addresses: ward (区) with its JIS code, district (町丁 without the 丁目 number), 3A groups."""

from __future__ import annotations

import re
from dataclasses import dataclass

from db.places.groups import DEFAULT_TABLE, load_groups
from db.places.wards import TOKYO_WARD_CODES
from scraper.parsing.text import fold, is_blank

WARD_CODES: dict[str, int] = TOKYO_WARD_CODES
"""JIS X 0402 codes of Tokyo's 23 special wards (db.places.wards)."""

# Minato's "3A" districts (shared/reference/report-metrics.md), from the district-group table of
# places/ (the bundled one: what is stored must not depend on a reader's edits).
AREA_GROUPS: dict[str, str] = {
    district: group.key
    for group in load_groups(DEFAULT_TABLE)
    if group.parent == "3A"
    for district in sorted(group.districts)
}
MINATO = 13103

# Anchored after an optional 東京都, so that 北区 is not found inside 横浜市港北区.
_WARD = re.compile("^(?:東京都)?(" + "|".join(sorted(WARD_CODES, key=len, reverse=True)) + ")")
_KANJI_DIGITS = "一二三四五六七八九十"
# The district ends where the block number starts: an Arabic digit, or a kanji number + 丁目.
_DISTRICT_END = re.compile(rf"(\d|[{_KANJI_DIGITS}]+丁目|丁目|番地|[-,(])")


@dataclass(frozen=True)
class Address:
    """A folded address and what it says about location."""

    text: str
    ward_name: str | None
    ward_code: int | None
    district: str | None
    area_group: str | None


def district_of(rest: str) -> str | None:
    """The 町丁 name at the start of the part of an address after the ward.

    >>> district_of("豊洲5"), district_of("南青山七丁目"), district_of("三番町"), district_of("麻布十番2-1")
    ('豊洲', '南青山', '三番町', '麻布十番')
    """
    end = _DISTRICT_END.search(rest)
    name = (rest[: end.start()] if end else rest).strip()
    return name or None


def area_group_of(ward_code: int | None, district: str | None) -> str | None:
    """The 3A group (``3A-Azabu``, ``3A-Akasaka``, ``3A-Aoyama``) of a Minato district, else ``None``."""
    if ward_code != MINATO or district is None:
        return None
    return AREA_GROUPS.get(district)


def parse_address(text: str | None) -> Address | None:
    """Read an address with or without the 東京都 prefix.

    >>> parse_address("東京都江東区豊洲５")
    Address(text='東京都江東区豊洲5', ward_name='江東区', ward_code=13108, district='豊洲', area_group=None)
    >>> parse_address("港区南青山７").area_group
    '3A-Aoyama'
    """
    folded = fold(text)
    if folded is None or is_blank(folded):
        return None
    folded = folded.replace(" ", "")
    match = _WARD.match(folded)
    if not match:
        return Address(text=folded, ward_name=None, ward_code=None, district=None, area_group=None)
    ward_name = match.group(1)
    ward_code = WARD_CODES[ward_name]
    district = district_of(folded[match.end() :])
    return Address(
        text=folded,
        ward_name=ward_name,
        ward_code=ward_code,
        district=district,
        area_group=area_group_of(ward_code, district),
    )
