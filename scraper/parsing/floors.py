"""Floors and building height: ``4階/RC22階建``, ``地下1階``, ``B1``, maisonettes ``12-13階``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scraper.parsing.text import is_blank, squash

# Longest codes first so that "SRC" is not read as "S".
_STRUCTURES = ("SRC", "HPC", "RC", "PC", "ALC", "S", "鉄骨鉄筋コンクリート", "鉄筋コンクリート", "鉄骨", "木造")
_STRUCTURE_CODES = {"鉄骨鉄筋コンクリート": "SRC", "鉄筋コンクリート": "RC", "鉄骨": "S", "木造": "W"}
_BASEMENT = re.compile(r"^(?:地下|B)(\d+)(?:階|F)?$")
_ABOVE = re.compile(r"^(\d+)(?:階|F)?$")
_SPAN = re.compile(r"^(地下|B)?(\d+)(?:階|F)?[-~・](\d+)(?:階|F)?$")
_HEIGHT = re.compile(r"(?:地下(\d+)階(?:付き?)?)?(\d+)階(?:地下(\d+)階)?建")


@dataclass(frozen=True)
class Floor:
    """The floor of a unit: ``floor`` is the lowest floor (negative below ground), ``top`` the highest
    floor of a maisonette (``None`` for a one-floor unit)."""

    floor: int
    top: int | None = None


@dataclass(frozen=True)
class Building:
    """A building's structure code (RC, SRC, S, …) and height in floors above and below ground."""

    structure: str | None
    floors: int
    basement_floors: int = 0


def parse_floor(text: str | None) -> Floor | None:
    """Read the floor of a unit.

    >>> parse_floor("4階"), parse_floor("地下1階"), parse_floor("B1")
    (Floor(floor=4, top=None), Floor(floor=-1, top=None), Floor(floor=-1, top=None))
    >>> parse_floor("12-13階")
    Floor(floor=12, top=13)
    """
    flat = squash(text)
    if flat is None or is_blank(flat):
        return None
    flat = flat.replace("階部分", "階").upper()
    if match := _BASEMENT.match(flat):
        return Floor(floor=-int(match.group(1))) if int(match.group(1)) > 0 else None
    if match := _ABOVE.match(flat):
        return Floor(floor=int(match.group(1))) if int(match.group(1)) > 0 else None
    if match := _SPAN.match(flat):
        sign = -1 if match.group(1) else 1
        low, high = sign * int(match.group(2)), sign * int(match.group(3))
        if 0 in (low, high):
            return None
        return Floor(floor=min(low, high), top=max(low, high))
    return None


def parse_structure(text: str | None) -> Building | None:
    """Read a building's structure and height.

    >>> parse_structure("RC22階建")
    Building(structure='RC', floors=22, basement_floors=0)
    >>> parse_structure("SRC14階地下2階建")
    Building(structure='SRC', floors=14, basement_floors=2)
    """
    flat = squash(text)
    if flat is None or is_blank(flat):
        return None
    flat = flat.replace("造", "")
    height = _HEIGHT.search(flat)
    if not height or int(height.group(2)) == 0:
        return None
    basement = int(height.group(1) or height.group(3) or 0)
    prefix = flat[: height.start()]
    structure = None
    for code in _STRUCTURES:
        if prefix.upper().startswith(code) or prefix.endswith(code):
            structure = _STRUCTURE_CODES.get(code, code)
            break
    return Building(structure=structure, floors=int(height.group(2)), basement_floors=basement)


def parse_floor_and_structure(text: str | None) -> tuple[Floor | None, Building | None]:
    """Read the detail page's 所在階/構造・階建 cell.

    >>> parse_floor_and_structure("4階/RC22階建")
    (Floor(floor=4, top=None), Building(structure='RC', floors=22, basement_floors=0))
    """
    flat = squash(text)
    if flat is None or "/" not in flat:
        return None, parse_structure(flat)
    floor_text, _, building_text = flat.partition("/")
    return parse_floor(floor_text), parse_structure(building_text)
