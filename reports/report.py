"""What a weekly report holds once computed: the figures, the words and the charts of one week."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd


@dataclass
class Report:
    week: tuple[int, int]
    lang: str
    simulated: bool
    findings: list[str]
    metrics: pd.DataFrame
    latest: pd.DataFrame
    indexes: dict[str, pd.DataFrame]
    quality: dict[str, str]
    summary: pd.DataFrame
    end: dt.date
    """The last day (Sunday, JST) of the report week."""
    generated_at: dt.datetime
    commit: str
    charts: dict[str, bytes] = field(default_factory=dict)
    closed: pd.DataFrame = field(default_factory=pd.DataFrame)
    """MLIT's closed prices against the asking prices, per area and quarter (reports.closed)."""
    closed_latest: str | None = None
    """The latest quarter of closed prices imported for our wards, if any."""
    supply: pd.DataFrame = field(default_factory=pd.DataFrame)
    """New-condo projects per area (reports.new_supply); empty when none was crawled."""
    flips: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Early resales, never lived in, before handover, flip premium per area (reports.flips)."""
    towers: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The towers with the most flats offered in 12 months (reports.flips)."""
    low_rise: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Minato 3A's low-rise segment against its taller buildings (reports.flips)."""
