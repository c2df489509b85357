"""Dates: ``2016年10月``, ``24/2/10``, ``2024年2月10日``, eras 昭和/平成/令和, update promises."""

from __future__ import annotations

import datetime as dt
import re

from scraper.parsing.text import is_blank, squash

# First Gregorian year of each era (era year 1 = this year).
ERAS = {
    "明治": 1868,
    "大正": 1912,
    "昭和": 1926,
    "平成": 1989,
    "令和": 2019,
    "M": 1868,
    "T": 1912,
    "S": 1926,
    "H": 1989,
    "R": 2019,
}
_ERA = re.compile(r"(明治|大正|昭和|平成|令和)(元|\d{1,2})年|(?<![A-Z])([MTSHR])(元|\d{1,2})(?=[年./])")
_YEAR_MONTH = re.compile(r"(\d{4})年(?:(\d{1,2})月)?")
_FULL_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_SLASH_DATE = re.compile(r"^(\d{2}|\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$")
_WITHIN_DAYS = re.compile(r"(\d+)日以内")


def _era_to_gregorian(text: str) -> str:
    """Rewrite era years (``平成28年``) as Gregorian years (``2016年``)."""

    def replace(match: re.Match[str]) -> str:
        era, number = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
        year = ERAS[era] + (1 if number == "元" else int(number)) - 1
        return f"{year}年" if match.group(1) else str(year)

    return _ERA.sub(replace, text)


def _plausible_year(year: int) -> bool:
    return 1868 <= year <= 2200


def parse_year_month(text: str | None) -> tuple[int, int | None] | None:
    """Read a year and month (築年月, 引渡時期); the month is ``None`` when only a year is given.

    >>> parse_year_month("2016年10月"), parse_year_month("平成28年10月"), parse_year_month("昭和45年")
    ((2016, 10), (2016, 10), (1970, None))
    >>> parse_year_month("2028年1月下旬予定")
    (2028, 1)
    """
    flat = squash(text)
    if flat is None or is_blank(flat):
        return None
    match = _YEAR_MONTH.search(_era_to_gregorian(flat))
    if not match:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    if not _plausible_year(year) or (month is not None and not 1 <= month <= 12):
        return None
    return year, month


def parse_date(text: str | None) -> dt.date | None:
    """Read a full date.

    Two-digit years (``24/2/10``, the detail page header) are read as 20xx.

    >>> parse_date("2024年2月10日"), parse_date("24/2/10"), parse_date("令和6年2月10日")
    (datetime.date(2024, 2, 10), datetime.date(2024, 2, 10), datetime.date(2024, 2, 10))
    """
    flat = squash(text)
    if flat is None or is_blank(flat):
        return None
    flat = _era_to_gregorian(flat)
    match = _FULL_DATE.search(flat) or _SLASH_DATE.match(flat)
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_next_update(text: str | None, info_date: dt.date | None) -> dt.date | None:
    """Read 次回更新日: a date, or a promise such as ``情報提供より８日以内に更新``.

    A promise is turned into the latest date it allows (information date + N days).

    >>> parse_next_update("情報提供より８日以内に更新", dt.date(2024, 2, 10))
    datetime.date(2024, 2, 18)
    >>> parse_next_update("2024年2月18日", None)
    datetime.date(2024, 2, 18)
    """
    explicit = parse_date(text)
    if explicit is not None:
        return explicit
    flat = squash(text)
    if flat is None or info_date is None:
        return None
    match = _WITHIN_DAYS.search(flat)
    if not match:
        return None
    return info_date + dt.timedelta(days=int(match.group(1)))
