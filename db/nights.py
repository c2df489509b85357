"""Nights: the unit the crawl's verdicts and removal rules count in.

A night runs from noon to noon, Japan time, and is named by the date of its morning: the 02:30 crawl
of 8 September, its retry at 04:00 and a manual re-run at 23:00 on 7 September are all the night of
8 September. Counting nights instead of runs means that a crawl re-run within one night cannot make a
listing look absent "twice".
"""

from __future__ import annotations

import datetime as dt

JST = dt.timezone(dt.timedelta(hours=9), "JST")


def night_of(moment: dt.datetime) -> dt.date:
    """The night a moment belongs to.

    >>> night_of(dt.datetime(2026, 9, 7, 17, 30, tzinfo=dt.UTC))  # 02:30 JST on 8 September
    datetime.date(2026, 9, 8)
    >>> night_of(dt.datetime(2026, 9, 7, 14, 0, tzinfo=dt.UTC))  # 23:00 JST on 7 September
    datetime.date(2026, 9, 8)
    >>> night_of(dt.datetime(2026, 9, 8, 2, 59, tzinfo=dt.UTC))  # 11:59 JST on 8 September
    datetime.date(2026, 9, 8)
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime: a night needs an aware moment")
    return (moment.astimezone(JST) + dt.timedelta(hours=12)).date()
