"""A crawl run's verdict as the database keeps it: per ward and for the whole run.

The verdict is reached on the crawl's side (scraper.health reads the Scrapy stats); the database
stores it (db.runs) and trusts only complete and healthy ward runs to remove listings (db.removal).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Verdict(enum.StrEnum):
    """A run's or a ward run's verdict (``crawl_runs.verdict``, ``crawl_run_wards.verdict``)."""

    COMPLETE_HEALTHY = "complete_healthy"
    SUSPECT = "suspect"
    INCOMPLETE = "incomplete"
    UNHEALTHY = "unhealthy"
    INCOMPLETE_UNHEALTHY = "incomplete_unhealthy"
    INTERRUPTED = "interrupted"
    """The crawl never finished (killed): marked when the spider's next run opens."""


def verdict_of(complete: bool, broken: bool, suspect: bool) -> Verdict:
    """The verdict's name from its three questions: was the walk complete, was anything broken (blocks,
    drift, lost writes), is anything suspect against the recent nights?

    >>> verdict_of(True, False, True).value
    'suspect'
    """
    if broken:
        return Verdict.UNHEALTHY if complete else Verdict.INCOMPLETE_UNHEALTHY
    if not complete:
        return Verdict.INCOMPLETE
    return Verdict.SUSPECT if suspect else Verdict.COMPLETE_HEALTHY


@dataclass
class WardVerdict:
    ward: str
    ward_code: int
    hits: int | None
    cards: int
    list_pages_failed: int
    complete: bool
    healthy: bool
    reasons: list[str] = field(default_factory=list)
    suspect: bool = False
    broken: bool = False
    """Unhealthy for a reason other than a suspicion (blocks, drift, lost writes)."""
    list_pages: int = 0
    stored: int | None = None
    exact: bool = False

    @property
    def trusted(self) -> bool:
        return self.complete and self.healthy

    @property
    def verdict(self) -> Verdict:
        return verdict_of(self.complete, self.broken, self.suspect)


@dataclass
class RunVerdict:
    complete: bool
    healthy: bool
    verdict: Verdict
    reasons: list[str]
    wards: list[WardVerdict]
    suspect: bool = False
    fill_rates: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """(page kind, field) → (items, filled) of the night: what crawl_run_fields keeps for later
    baselines."""


@dataclass(frozen=True)
class RunFigures:
    """What a run did, as ``crawl_runs`` keeps it beside the verdict."""

    finish_reason: str
    list_pages: int = 0
    detail_pages: int = 0
    items: int = 0
    blocked: int = 0
    errors: int = 0
    new_listings: int = 0
    price_changes: int = 0
    relisted: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    """The run's final stats, kept whole (JSON) for whoever investigates a night later."""
