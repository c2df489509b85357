"""The recent level of each ward and field, read from the trusted nights before a run: what the verdict
(scraper.health) compares a night with."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CrawlRun, CrawlRunField, CrawlRunWard
from db.verdicts import Verdict


@dataclass(frozen=True)
class WardBaseline:
    """A ward's recent level: medians over its last trusted nights."""

    nights: int
    hits: float
    cards: float
    long_nights: int = 0
    long_hits: float = 0.0
    """The median hit count over the longer history (``long_nights`` trusted nights): a slow decline
    drags the recent median down with it, not this one."""


@dataclass(frozen=True)
class Baseline:
    wards: Mapping[int, WardBaseline] = field(default_factory=dict)
    """By ward code."""
    fill_rates: Mapping[tuple[str, str], float] = field(default_factory=dict)
    """(page kind, field) → median fill rate over the recent trusted runs."""


def read_baseline(
    session: Session, run: CrawlRun, ward_codes: list[int], nights: int, long_nights: int = 28
) -> Baseline:
    """Medians over the last ``nights`` trusted nights of the run's spider before ``run``: per ward, the
    site's hit count and the listings seen (the night's last trusted run of the ward); per field and
    page kind, the fill rate (the night's last trusted run).

    A night is trusted for a ward when its verdict there was complete_healthy. Suspect nights never
    enter a baseline, so a site that stays broken keeps being compared with the last good level. Each
    ward's hit count has a second, longer median (over ``long_nights`` trusted nights), which a slow
    decline cannot drag down in a week.
    """
    span = max(nights, long_nights)
    ward_rows = session.execute(
        select(CrawlRunWard.ward_code, CrawlRun.night, CrawlRunWard.hits, CrawlRunWard.cards)
        .join(CrawlRun, CrawlRun.id == CrawlRunWard.run_id)
        .where(
            CrawlRun.spider == run.spider,
            CrawlRun.id != run.id,
            CrawlRun.started_at <= run.started_at,
            CrawlRunWard.ward_code.in_(ward_codes),
            CrawlRunWard.complete.is_(True),
            CrawlRunWard.healthy.is_(True),
        )
        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        .limit(span * len(ward_codes) * 4)
    ).all()
    per_ward: dict[int, dict[object, tuple[int, int]]] = defaultdict(dict)
    for code, night, hits, cards in ward_rows:
        if hits is None or night in per_ward[code] or len(per_ward[code]) >= span:
            continue
        per_ward[code][night] = (hits, cards)
    wards = {}
    for code, values in per_ward.items():
        if not values:
            continue
        recent = list(values.values())[:nights]  # newest first
        longer = list(values.values())[:long_nights]
        wards[code] = WardBaseline(
            len(recent),
            statistics.median(h for h, _ in recent),
            statistics.median(c for _, c in recent),
            len(longer),
            statistics.median(h for h, _ in longer) if longer else 0.0,
        )
    trusted_runs = session.execute(
        select(CrawlRun.id, CrawlRun.night)
        .where(
            CrawlRun.spider == run.spider,
            CrawlRun.id != run.id,
            CrawlRun.started_at <= run.started_at,
            CrawlRun.verdict == Verdict.COMPLETE_HEALTHY,
        )
        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        .limit(nights * 4)
    ).all()
    run_ids: list[int] = []
    seen_nights: set[object] = set()
    for run_id, night in trusted_runs:
        if night not in seen_nights and len(seen_nights) < nights:
            seen_nights.add(night)
            run_ids.append(run_id)
    rates: dict[tuple[str, str], list[float]] = defaultdict(list)
    if run_ids:
        for kind, name, items, filled in session.execute(
            select(CrawlRunField.page_kind, CrawlRunField.field, CrawlRunField.items, CrawlRunField.filled).where(
                CrawlRunField.run_id.in_(run_ids)
            )
        ):
            if items:
                rates[(kind, name)].append(filled / items)
    fill = {key: statistics.median(values) for key, values in rates.items()}
    return Baseline(wards, fill)
