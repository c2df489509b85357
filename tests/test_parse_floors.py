from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.parsing.floors import Building, Floor, parse_floor, parse_floor_and_structure, parse_structure
from tests.strategies import any_text, full_width


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4階", Floor(4)),
        ("４階", Floor(4)),
        ("地下1階", Floor(-1)),
        ("B1", Floor(-1)),
        ("B2階", Floor(-2)),
        ("12-13階", Floor(12, 13)),
        ("12～13階", Floor(12, 13)),
        ("3階部分", Floor(3)),
        ("0階", None),
        ("-", None),
        ("最上階", None),
    ],
)
def test_parse_floor(text: str, expected: Floor | None) -> None:
    assert parse_floor(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RC22階建", Building("RC", 22)),
        ("ＳＲＣ１４階建", Building("SRC", 14)),
        ("SRC14階地下2階建", Building("SRC", 14, 2)),
        ("RC地下1階付き10階建", Building("RC", 10, 1)),
        ("鉄筋コンクリート造5階建", Building("RC", 5)),
        ("S3階建", Building("S", 3)),
        ("22階建", Building(None, 22)),
        ("-", None),
    ],
)
def test_parse_structure(text: str, expected: Building | None) -> None:
    assert parse_structure(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4階/RC22階建", (Floor(4), Building("RC", 22))),
        ("地下1階/RC5階地下1階建", (Floor(-1), Building("RC", 5, 1))),
        ("12-13階/SRC15階建", (Floor(12, 13), Building("SRC", 15))),
        ("4階／RC22階建", (Floor(4), Building("RC", 22))),
        ("RC22階建", (None, Building("RC", 22))),
    ],
)
def test_parse_floor_and_structure(text: str, expected: tuple[Floor | None, Building | None]) -> None:
    assert parse_floor_and_structure(text) == expected


@given(any_text)
def test_floor_parsers_never_raise(text: str | None) -> None:
    parse_floor(text)
    parse_structure(text)
    parse_floor_and_structure(text)


@given(st.integers(1, 60), st.integers(0, 60), st.sampled_from(["RC", "SRC", "S"]), st.booleans())
def test_any_floor_and_height_read_back(floor: int, extra: int, structure: str, wide: bool) -> None:
    text = f"{floor}階/{structure}{floor + extra}階建"
    assert parse_floor_and_structure(full_width(text) if wide else text) == (
        Floor(floor),
        Building(structure, floor + extra),
    )


@given(st.integers(1, 5))
def test_basements_are_negative(depth: int) -> None:
    assert parse_floor(f"地下{depth}階") == Floor(-depth)
    assert parse_floor(f"B{depth}") == Floor(-depth)
