"""How the report writes numbers, dates and place names, in English and Japanese.

Prices are in 万円 (10,000 yen), the unit Japanese property reports use, rounded to what the data can
carry: whole 万円 for a flat's price (8,750万円, 1億2,300万円), one decimal for a price per m² (125.3万円).
"""

from __future__ import annotations

import datetime as dt
import math

from db.places.groups import load_groups

WARD_NAMES = {
    "en": {"Koto": "Koto (江東区)", "Bunkyo": "Bunkyo (文京区)", "Minato": "Minato (港区)"},
    "ja": {"Koto": "江東区", "Bunkyo": "文京区", "Minato": "港区"},
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MISSING = "—"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def man_yen(value: float | None, unit: bool = True) -> str:
    """A price in 万円, whole, with 億 above 1億円.

    >>> man_yen(87_504_000), man_yen(123_456_789), man_yen(100_000_000), man_yen(float("nan"))
    ('8,750万円', '1億2,346万円', '1億円', '—')
    >>> man_yen(87_504_000, unit=False)
    '8,750'
    """
    if _missing(value):
        return MISSING
    man = round(float(value) / 10_000)  # type: ignore[arg-type]
    if not unit:
        return f"{man:,}"
    oku, rest = divmod(man, 10_000)
    if oku:
        return f"{oku}億" + (f"{rest:,}万円" if rest else "円")
    return f"{man:,}万円"


def man_per_m2(value: float | None, unit: bool = True) -> str:
    """A price per m² in 万円 with one decimal.

    >>> man_per_m2(1_253_400), man_per_m2(1_253_400, unit=False)
    ('125.3万円/m²', '125.3')
    """
    if _missing(value):
        return MISSING
    text = f"{float(value) / 10_000:,.1f}"  # type: ignore[arg-type]
    return f"{text}万円/m²" if unit else text


def pct_change(value: float | None) -> str:
    """A change in per cent with its sign (−, the minus sign, for falls).

    >>> pct_change(2.345), pct_change(-0.04), pct_change(float("nan"))
    ('+2.3%', '−0.0%', '—')
    """
    if _missing(value):
        return MISSING
    text = f"{float(value):+.1f}%"  # type: ignore[arg-type]
    return text.replace("-", "−")


def share(value: float | None) -> str:
    """A share in whole per cent.

    >>> share(0.237)
    '24%'
    """
    return MISSING if _missing(value) else f"{float(value):.0%}"  # type: ignore[arg-type]


def count(value: float | None) -> str:
    return MISSING if _missing(value) else f"{round(float(value)):,}"  # type: ignore[arg-type]


def day(value: dt.date | str, lang: str) -> str:
    """A date as readers write it.

    >>> day("2026-11-01", "en"), day("2026-11-01", "ja")
    ('1 Nov 2026', '2026年11月1日')
    """
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if lang == "ja":
        return f"{date.year}年{date.month}月{date.day}日"
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def week_ending(value: dt.date | str, lang: str) -> str:
    """The label of a week (or of a window) by its last day.

    >>> week_ending("2026-11-01", "en"), week_ending("2026-11-01", "ja")
    ('week ending 1 Nov 2026', '2026年11月1日までの週')
    """
    return f"{day(value, lang)}までの週" if lang == "ja" else f"week ending {day(value, lang)}"


def area_name(area: str, lang: str) -> str:
    """A ward's or a district group's name in ``lang`` (the key itself when unknown).

    >>> area_name("Koto", "ja"), area_name("3A", "en"), area_name("koto-bay", "ja")
    ('江東区', 'Minato 3A', '江東区湾岸エリア')
    """
    if area in WARD_NAMES[lang]:
        return WARD_NAMES[lang][area]
    for group in load_groups():
        if group.key == area:
            return group.name(lang)
    return area
