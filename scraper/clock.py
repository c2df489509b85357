"""The crawl's clock. ``CONDO_NOW`` (an ISO time) pins it: the offline replay crawls simulated nights
seconds apart and needs each night's items stamped with that night's date, not with the wall clock."""

from __future__ import annotations

import datetime as dt
import os


def now_utc() -> dt.datetime:
    """The current time in UTC, or ``CONDO_NOW`` when set.

    >>> import os; os.environ["CONDO_NOW"] = "2026-09-07T17:30:00+00:00"; now_utc().isoformat()
    '2026-09-07T17:30:00+00:00'
    >>> del os.environ["CONDO_NOW"]
    """
    pinned = os.environ.get("CONDO_NOW")
    if pinned:
        value = dt.datetime.fromisoformat(pinned)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return dt.datetime.now(dt.UTC)
