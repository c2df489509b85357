"""Floor areas: ``74.04m2（壁芯）``, ``25.98m<sup>2</sup>``, ``㎡``, ``坪`` and ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from scraper.parsing.text import is_blank, squash

AreaBasis = Literal["wall_center", "inner"]

M2_PER_TSUBO = 3.305785
"""Square metres in one 坪 (the legal definition, 400/121 m²)."""

_M2 = re.compile(r"(\d+(?:\.\d+)?)(?:m2|m²|平米|平方メートル)")
_TSUBO = re.compile(r"(\d+(?:\.\d+)?)坪")
_NOTES = re.compile(r"\([^()]*\)")
# The m<sup>2</sup> markup loses its tags when text is extracted, leaving "m 2" or "m2".
_SUP_M2 = re.compile(r"m\s*(?:<sup>)?\s*2\s*(?:</sup>)?")


@dataclass(frozen=True)
class Area:
    """A floor area in m² and the basis it was measured on (壁芯 wall-centre; 内法 inner walls, which is
    how the registered area, 登記簿面積, is measured)."""

    m2: float
    basis: AreaBasis | None = None


def _basis(text: str) -> AreaBasis | None:
    if "壁芯" in text:
        return "wall_center"
    if "内法" in text or "登記" in text:
        return "inner"
    return None


def _normalise(text: str | None) -> str | None:
    flat = squash(text)
    if flat is None or is_blank(flat):
        return None
    return _SUP_M2.sub("m2", flat)


def parse_area(text: str | None) -> Area | None:
    """Read one floor area. When only 坪 is given it is converted (1坪 = 3.305785 m²).

    >>> parse_area("74.04m<sup>2</sup>（壁芯）")
    Area(m2=74.04, basis='wall_center')
    >>> parse_area("30.17m2（9.12坪）（壁芯）").m2
    30.17
    >>> parse_area("58.2m2（登記）")
    Area(m2=58.2, basis='inner')
    >>> parse_area("20坪")
    Area(m2=66.12, basis=None)
    """
    flat = _normalise(text)
    if flat is None:
        return None
    # The whole text must be one area; notes in brackets (壁芯, 9.12坪) may follow.
    core = _NOTES.sub("", flat)
    if match := _M2.fullmatch(core):
        return Area(m2=round(float(match.group(1)), 2), basis=_basis(flat))
    if match := _TSUBO.fullmatch(core):
        return Area(m2=round(float(match.group(1)) * M2_PER_TSUBO, 2), basis=_basis(flat))
    return None


def parse_area_range(text: str | None) -> tuple[float, float] | None:
    """Read the smallest and largest area of a project (``57.64m2～81.22m2``, ``40.32m2・70.33m2``).

    >>> parse_area_range("57.64m<sup>2</sup>～81.22m<sup>2</sup>")
    (57.64, 81.22)
    >>> parse_area_range("93.37m2")
    (93.37, 93.37)
    """
    flat = _normalise(text)
    if flat is None:
        return None
    values = [round(float(v), 2) for v in _M2.findall(flat)]
    if not values:
        return None
    return min(values), max(values)


def parse_balcony(text: str | None) -> float | None:
    """Read a balcony area (``バルコニー面積：11.88m2`` or ``2.69m<sup>2</sup>``); a dash is ``None``.

    >>> parse_balcony("バルコニー面積：11.88m2"), parse_balcony("-")
    (11.88, None)
    """
    flat = _normalise(text)
    if flat is None:
        return None
    match = re.search(r"(?<!ルーフ)バルコニー(?:面積)?:?(\d+(?:\.\d+)?)m2", flat)
    if match:
        return round(float(match.group(1)), 2)
    if ":" in flat:
        return None  # labelled areas (専用庭：…, ルーフバルコニー：…) that are not the balcony
    area = parse_area(flat)
    return area.m2 if area else None
