"""The market as of a date: the listings on the site that night, each at its asking price then.

The question behind every chart. In SQL, on either engine (docs/schema.md)::

    SELECT * FROM v_presence
    WHERE night_jst = (SELECT MAX(night_jst) FROM v_presence WHERE night_jst <= '2026-11-30')

that is, the last crawled night on or before the date (a night without a crawl shows the night before).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Engine, text

MARKET_ON = text(
    "SELECT * FROM v_presence"
    " WHERE night_jst = (SELECT MAX(night_jst) FROM v_presence WHERE night_jst <= :night)"
    " ORDER BY listing_id"
)


def market_on(connectable: Engine | Connection, night: dt.date | str) -> pd.DataFrame:
    """One row per listing on the site on the last crawled night on or before ``night`` (a Japan
    date), with that night's price, place and features (the columns of ``v_presence``); empty before
    the first crawl (tests/test_db_views.py)."""
    day = night.isoformat() if isinstance(night, dt.date) else dt.date.fromisoformat(night).isoformat()
    frame = pd.read_sql(MARKET_ON, connectable, params={"night": day})
    if not frame.empty:
        frame["night_jst"] = pd.to_datetime(frame["night_jst"]).dt.date
    return frame
