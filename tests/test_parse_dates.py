from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.parsing.dates import ERAS, parse_date, parse_next_update, parse_year_month
from tests.strategies import any_text, full_width


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016年10月", (2016, 10)),
        ("２０１６年１０月", (2016, 10)),
        ("平成28年10月", (2016, 10)),
        ("昭和45年6月", (1970, 6)),
        ("令和元年5月", (2019, 5)),
        ("H28年10月", (2016, 10)),
        ("2004年", (2004, None)),
        ("2028年1月下旬予定", (2028, 1)),
        ("2029年10月下旬予定、2030年6月下旬予定", (2029, 10)),
        ("2016年13月", None),
        ("即引渡可", None),
        ("相談", None),
        ("RC22階建", None),
    ],
)
def test_parse_year_month(text: str, expected: tuple[int, int | None] | None) -> None:
    assert parse_year_month(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年2月10日", dt.date(2024, 2, 10)),
        ("24/2/10", dt.date(2024, 2, 10)),
        ("2024/02/10", dt.date(2024, 2, 10)),
        ("令和6年2月10日", dt.date(2024, 2, 10)),
        ("R6.2.10", dt.date(2024, 2, 10)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("2024年2月30日", None),
        ("情報提供より８日以内に更新", None),
        ("-", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


def test_next_update_promise_becomes_the_latest_date_it_allows() -> None:
    assert parse_next_update("情報提供より８日以内に更新", dt.date(2024, 2, 10)) == dt.date(2024, 2, 18)
    assert parse_next_update("情報提供より８日以内に更新", None) is None
    assert parse_next_update("2024年2月18日", dt.date(2024, 2, 10)) == dt.date(2024, 2, 18)
    assert parse_next_update("随時", dt.date(2024, 2, 10)) is None


@given(any_text)
def test_date_parsers_never_raise(text: str | None) -> None:
    parse_year_month(text)
    parse_date(text)
    parse_next_update(text, dt.date(2024, 1, 1))


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)), st.booleans())
def test_any_date_reads_back_in_every_form(day: dt.date, wide: bool) -> None:
    long_form = f"{day.year}年{day.month}月{day.day}日"
    short_form = f"{day.year % 100:02d}/{day.month}/{day.day}"
    assert parse_date(full_width(long_form) if wide else long_form) == day
    assert parse_date(short_form) == day


@given(st.sampled_from(["昭和", "平成", "令和"]), st.integers(1, 30), st.integers(1, 12))
def test_era_years_convert(era: str, year: int, month: int) -> None:
    assert parse_year_month(f"{era}{year}年{month}月") == (ERAS[era] + year - 1, month)
