from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.parsing.money import Price, parse_monthly_fee, parse_price, parse_yen
from scraper.parsing.text import squash
from tests.strategies import any_text, full_width, yen_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1億800万円", 108_000_000),
        ("3980万円", 39_800_000),
        ("1億円", 100_000_000),
        ("2億8990万円", 289_900_000),
        ("1万9620円／月（委託(通勤)）", 19_620),
        ("9230円／月", 9_230),
        ("1,078円/月", 1_078),
        ("１億８００万円", 108_000_000),
        ("5.5万円", 55_000),
        ("1億2千万円", 120_000_000),
        ("4980万円（税込）", 49_800_000),
        ("価格未定", None),
        ("-", None),
        ("", None),
        (None, None),
        ("1000万円台", None),  # a band is not one amount
        ("3000万円～4000万円", None),  # nor is a range
    ],
)
def test_parse_yen(text: str | None, expected: int | None) -> None:
    assert parse_yen(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1億800万円", Price("fixed", 108_000_000, 108_000_000)),
        ("9998万円", Price("fixed", 99_980_000, 99_980_000)),
        ("価格未定", Price("undecided")),
        ("価格未定（予定）", Price("undecided", planned=True)),
        ("1億2890万円～1億9800万円 （先着順）", Price("range", 128_900_000, 198_000_000)),
        ("9448万円・9548万円", Price("range", 94_480_000, 95_480_000)),
        ("1億6000万円台～2億円台※1000万円単位／予定", Price("band", 160_000_000, 200_000_000, planned=True)),
        ("1億6890万円～4億5000万円／予定", Price("range", 168_900_000, 450_000_000, planned=True)),
        ("4億5000万円（予定）", Price("fixed", 450_000_000, 450_000_000, planned=True)),
        ("5480万円（税込）", Price("fixed", 54_800_000, 54_800_000)),
        ("約1億円", Price("approximate", 100_000_000, 100_000_000)),
        ("8000万円程度", Price("approximate", 80_000_000, 80_000_000)),
        ("-", None),
        ("お問い合わせください", None),
    ],
)
def test_parse_price(text: str, expected: Price | None) -> None:
    assert parse_price(text) == expected


def test_fixed_price_has_a_single_yen_and_ranges_do_not() -> None:
    assert parse_price("3980万円").yen == 39_800_000  # type: ignore[union-attr]
    assert parse_price("3000万円～4000万円").yen is None  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["約1億円", "約 9,800万円", "1億円前後", "3000万円～3500万円", "価格未定"])
def test_a_price_that_is_not_one_exact_amount_keeps_its_text_and_no_yen(text: str) -> None:
    price = parse_price(text)
    assert price is not None and price.yen is None and price.status != "fixed"
    assert price.text is not None and price.text == squash(text)
    assert parse_price("1億円").text is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1万9620円／月（委託(通勤)）", 19_620), ("なし", 0), ("-", None), ("委託", None), (None, None)],
)
def test_monthly_fee_none_means_zero_but_dash_means_unknown(text: str | None, expected: int | None) -> None:
    assert parse_monthly_fee(text) == expected


@given(any_text)
def test_money_parsers_never_raise(text: str | None) -> None:
    parse_yen(text)
    parse_price(text)
    parse_monthly_fee(text)


@given(st.integers(min_value=1, max_value=99_999_999_999))
def test_any_amount_written_the_suumo_way_reads_back(value: int) -> None:
    assert parse_yen(yen_text(value)) == value
    assert parse_yen(full_width(yen_text(value))) == value
    assert parse_price(yen_text(value)) == Price("fixed", value, value)


@given(st.integers(min_value=100, max_value=9_999), st.integers(min_value=100, max_value=9_999))
def test_ranges_give_min_and_max_whatever_the_order(a: int, b: int) -> None:
    price = parse_price(f"{yen_text(a * 10_000)}～{yen_text(b * 10_000)}")
    assert price is not None
    if a == b:
        assert price.status == "range" and price.min_yen == price.max_yen == a * 10_000
    else:
        assert (price.status, price.min_yen, price.max_yen) == ("range", min(a, b) * 10_000, max(a, b) * 10_000)
