from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.parsing.area import M2_PER_TSUBO, Area, parse_area, parse_area_range, parse_balcony
from tests.strategies import any_text, full_width


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("74.04m2（壁芯）", Area(74.04, "wall_center")),
        ("25.98m<sup>2</sup>（壁芯）", Area(25.98, "wall_center")),
        ("74.04m 2 （壁芯）", Area(74.04, "wall_center")),
        ("30.17m2（9.12坪）（壁芯）", Area(30.17, "wall_center")),
        ("32.51m2（9.83坪）", Area(32.51, None)),
        ("65.3㎡（内法）", Area(65.3, "inner")),
        ("６５.３０ｍ２", Area(65.3, None)),
        ("20坪", Area(66.12, None)),
        ("57.64m2～81.22m2", None),
        ("-", None),
        ("相談", None),
    ],
)
def test_parse_area(text: str, expected: Area | None) -> None:
    assert parse_area(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("57.64m<sup>2</sup>～81.22m<sup>2</sup>", (57.64, 81.22)),
        ("40.32m2・70.33m2", (40.32, 70.33)),
        ("30m2～140.26m2", (30.0, 140.26)),
        ("93.37m2", (93.37, 93.37)),
        ("-", None),
    ],
)
def test_parse_area_range(text: str, expected: tuple[float, float] | None) -> None:
    assert parse_area_range(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("バルコニー面積：11.88m2", 11.88), ("2.69m<sup>2</sup>", 2.69), ("-", None), ("専用庭：20m2", None)],
)
def test_parse_balcony(text: str, expected: float | None) -> None:
    assert parse_balcony(text) == expected


@given(any_text)
def test_area_parsers_never_raise(text: str | None) -> None:
    parse_area(text)
    parse_area_range(text)
    parse_balcony(text)


@given(st.decimals(min_value="5", max_value="999.99", places=2), st.sampled_from(["m2", "m<sup>2</sup>", "㎡", "ｍ２"]))
def test_any_area_reads_back_in_every_unit_spelling(value: object, unit: str) -> None:
    area = parse_area(full_width(f"{value}") + unit + "（壁芯）")
    assert area == Area(float(value), "wall_center")  # type: ignore[arg-type]


@given(st.decimals(min_value="1", max_value="300", places=2))
def test_tsubo_only_is_converted(value: object) -> None:
    area = parse_area(f"{value}坪")
    assert area is not None
    assert area.m2 == pytest.approx(float(value) * M2_PER_TSUBO, abs=0.006)  # type: ignore[arg-type]
