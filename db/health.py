"""Is a crawl run complete and healthy? Judged from its Scrapy stats (docs/stats.md).

Only complete and healthy ward runs may mark listings removed: a blocked, truncated, partial or
broken crawl must never be read as listings leaving the market.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Fields every list card carries; a share of them unreadable means the page template changed.
CORE_FIELDS = ("price", "area_m2", "layout", "address")


@dataclass(frozen=True)
class Thresholds:
    min_coverage: float = 0.98
    """Unique cards ÷ the site's hit count below which a ward's walk is incomplete. Listings move between
    pages while a crawl runs, so a few can be missed; more means truncation."""
    max_core_field_failure: float = 0.05
    """Share of cards with an unreadable or missing core field above which a run is unhealthy."""


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


@dataclass
class RunVerdict:
    complete: bool
    healthy: bool
    verdict: str
    reasons: list[str]
    wards: list[WardVerdict]


def _int(stats: Mapping[str, Any], key: str) -> int:
    value = stats.get(key)
    return int(value) if isinstance(value, int | float) else 0


def judge_ward(
    stats: Mapping[str, Any], prefix: str, ward: str, ward_code: int, thresholds: Thresholds, finished: bool
) -> WardVerdict:
    hits = stats.get(f"{prefix}/hits/{ward}")
    cards = _int(stats, f"{prefix}/cards/{ward}/unique")
    failed = _int(stats, f"{prefix}/list_pages_failed/{ward}")
    verdict = WardVerdict(ward, ward_code, hits, cards, failed, complete=True, healthy=True)
    incomplete, unhealthy = verdict.reasons, []
    if not finished:
        incomplete.append("crawl did not finish")
    if hits is None:
        incomplete.append(f"{ward}: no hit count read")
    if failed:
        incomplete.append(f"{ward}: {failed} list page(s) failed")
    if not stats.get(f"{prefix}/ward_done/{ward}"):
        incomplete.append(f"{ward}: last list page not reached")
    if isinstance(hits, int) and hits > 0 and cards < thresholds.min_coverage * hits:
        incomplete.append(f"{ward}: {cards} of {hits} listings seen")
    verdict.complete = not incomplete
    other = _int(stats, f"{prefix}/cards/{ward}/other_ward")
    if other:
        unhealthy.append(f"{ward}: {other} card(s) from another ward")
    if _int(stats, f"{prefix}/footer_ids/mismatch/{ward}"):
        unhealthy.append(f"{ward}: footer id list disagrees with the cards")
    verdict.healthy = not unhealthy
    verdict.reasons.extend(unhealthy)
    return verdict


def judge_run(
    stats: Mapping[str, Any],
    wards: Sequence[tuple[str, int]],
    prefix: str = "suumo",
    thresholds: Thresholds | None = None,
) -> RunVerdict:
    """Judge a run from its final stats. ``wards`` are the (slug, JIS code) pairs it was asked to cover.

    ``verdict`` is one of ``complete_healthy``, ``incomplete``, ``unhealthy``, ``incomplete_unhealthy``.
    """
    thresholds = thresholds or Thresholds()
    finished = stats.get("finish_reason") == "finished"
    ward_verdicts = [judge_ward(stats, prefix, slug, code, thresholds, finished) for slug, code in wards]
    reasons = [reason for w in ward_verdicts for reason in w.reasons]
    run_unhealthy: list[str] = []
    blocked = _int(stats, f"{prefix}/blocked")
    if blocked:
        run_unhealthy.append(f"{blocked} blocked response(s)")
    unrecognised = _int(stats, f"{prefix}/list_pages/unrecognised") + _int(stats, f"{prefix}/detail_pages/unrecognised")
    if unrecognised:
        run_unhealthy.append(f"{unrecognised} page(s) not recognised (layout drift?)")
    cards = sum(w.cards for w in ward_verdicts)
    for name in CORE_FIELDS:
        bad = _int(stats, f"{prefix}/field/{name}/unparsed") + _int(stats, f"{prefix}/field/{name}/missing")
        if cards and bad > thresholds.max_core_field_failure * cards:
            run_unhealthy.append(f"{name} unreadable on {bad} of {cards} cards")
    if run_unhealthy:
        for ward in ward_verdicts:
            ward.healthy = False
    reasons.extend(run_unhealthy)
    complete = all(w.complete for w in ward_verdicts) and finished
    healthy = all(w.healthy for w in ward_verdicts) and not run_unhealthy
    verdict = {
        (True, True): "complete_healthy",
        (False, True): "incomplete",
        (True, False): "unhealthy",
        (False, False): "incomplete_unhealthy",
    }[(complete, healthy)]
    return RunVerdict(complete, healthy, verdict, reasons, ward_verdicts)
