"""Crawl runs as first-class data: open a run, close it with its figures and verdict, apply removals.

The verdict itself is reached from the crawl's stats on the scraper's side (scraper.health); this
module only stores what it is given and applies the removal rules (db.removal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from db.latest import latest_per_listing
from db.models import CrawlRun, CrawlRunField, CrawlRunWard, ListingSnapshot, SightingSpan
from db.nights import night_of
from db.removal import DEFAULT_REMOVAL_RUNS, apply_ended, apply_removals
from db.verdicts import RunFigures, RunVerdict, Verdict


def start_run(
    session: Session, spider: str, source: str, property_type: str, wards: Sequence[str], now: dt.datetime
) -> CrawlRun:
    """Record the start of a run. Earlier runs of the same spider that never finished were killed:
    they are marked interrupted (not complete, not healthy) so nothing ever trusts them."""
    session.execute(
        update(CrawlRun)
        .where(CrawlRun.spider == spider, CrawlRun.finished_at.is_(None), CrawlRun.verdict.is_(None))
        .values(verdict=Verdict.INTERRUPTED, complete=False, healthy=False, verdict_reasons="the crawl never finished")
    )
    run = CrawlRun(
        spider=spider,
        source=source,
        property_type=property_type,
        wards=",".join(wards),
        started_at=now,
        night=night_of(now),
    )
    session.add(run)
    session.flush()
    return run


def stored_list_sightings(session: Session, run_id: int) -> dict[int, int]:
    """Per ward code, the listings whose list sighting the database holds for the run (the ward of
    each listing's latest snapshot): what was stored, which the verdict compares with what was read."""
    first_run = aliased(CrawlRun)
    spider = select(CrawlRun.spider).where(CrawlRun.id == run_id).scalar_subquery()
    listed = (
        select(SightingSpan.listing_id)
        .join(first_run, first_run.id == SightingSpan.first_run_id)
        .where(
            SightingSpan.page_kind == "list",
            SightingSpan.first_run_id <= run_id,
            SightingSpan.last_run_id >= run_id,
            first_run.spider == spider,
        )
    )
    latest = latest_per_listing(ListingSnapshot, ListingSnapshot.listing_id.in_(listed))
    query = (
        select(ListingSnapshot.ward_code, func.count())
        .select_from(latest)
        .join(ListingSnapshot, ListingSnapshot.id == latest.c.id)
        .group_by(ListingSnapshot.ward_code)
    )
    return {code: count for code, count in session.execute(query) if code is not None}


def close_run(
    session: Session,
    run: CrawlRun,
    verdict: RunVerdict,
    figures: RunFigures,
    now: dt.datetime,
    removal_runs: int = DEFAULT_REMOVAL_RUNS,
    max_removal_share: float = 0.15,
    min_removals_held: int = 10,
    ended: Sequence[tuple[Any, ...]] = (),
) -> RunVerdict:
    """Store the run's verdict, per-ward coverage, field fill rates and figures; apply the "listing
    ended" pages (``ended``: source, listing id, time) and the removal rules (db.removal), which only
    trusted ward runs may drive. Reasons found here (ended pages refused, removals held) are added to
    the verdict, which is returned."""
    for ward in verdict.wards:
        session.add(
            CrawlRunWard(
                run_id=run.id,
                ward_code=ward.ward_code,
                ward=ward.ward,
                hits=ward.hits,
                cards=ward.cards,
                list_pages_failed=ward.list_pages_failed,
                complete=ward.complete,
                healthy=ward.healthy,
                reasons="; ".join(ward.reasons) or None,
                verdict=ward.verdict,
                list_pages=ward.list_pages,
                stored=ward.stored,
                exact=ward.exact,
                removed=0,
                removals_held=0,
            )
        )
    for (kind, name), (items, filled) in sorted(verdict.fill_rates.items()):
        session.add(CrawlRunField(run_id=run.id, page_kind=kind, field=name, items=items, filled=filled))
    session.flush()
    run.finished_at = now
    run.finish_reason = figures.finish_reason
    run.complete, run.healthy, run.verdict = verdict.complete, verdict.healthy, verdict.verdict
    run.list_pages, run.detail_pages, run.items = figures.list_pages, figures.detail_pages, figures.items
    run.blocked, run.errors = figures.blocked, figures.errors
    run.new_listings, run.price_changes, run.relisted = figures.new_listings, figures.price_changes, figures.relisted
    run.stats = {
        k: (v if isinstance(v, int | float | str | bool) or v is None else str(v)) for k, v in figures.stats.items()
    }
    trusted = {w.ward_code for w in verdict.wards if w.trusted}
    ended_outcome = apply_ended(session, run, ended, trusted)
    run.ended = ended_outcome.ended
    if ended_outcome.rejected_listed:
        verdict.reasons.append(
            f'{ended_outcome.rejected_listed} "listing ended" page(s) for listings the list still showed: not ended'
        )
    if ended_outcome.rejected_untrusted:
        verdict.reasons.append(
            f'{ended_outcome.rejected_untrusted} "listing ended" page(s) on an untrusted night: not taken'
        )
    removals = apply_removals(session, run, removal_runs, now, max_removal_share, min_removals_held)
    run.removed, run.removals_held = removals.removed, removals.held
    if removals.held:
        verdict.reasons.append(
            f"{removals.held} removal(s) held for review in {', '.join(removals.held_wards)} (too many for one night)"
        )
    run.verdict_reasons = "; ".join(verdict.reasons) or None
    session.flush()
    return verdict


def latest_runs(session: Session, limit: int = 20) -> list[CrawlRun]:
    return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)).all())
