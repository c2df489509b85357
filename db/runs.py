"""Crawl runs as first-class data: open a run, close it with its stats and verdict, apply removals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.baselines import read_baseline
from db.health import RunVerdict, Thresholds, judge_run
from db.models import CrawlRun, CrawlRunField, CrawlRunWard, ListingSnapshot, Sighting
from db.nights import night_of
from db.removal import DEFAULT_REMOVAL_RUNS, apply_ended, apply_removals


def start_run(
    session: Session, spider: str, source: str, property_type: str, wards: Sequence[str], now: dt.datetime
) -> CrawlRun:
    """Record the start of a run. Earlier runs of the same spider that never finished were killed:
    they are marked interrupted (not complete, not healthy) so nothing ever trusts them."""
    session.execute(
        update(CrawlRun)
        .where(CrawlRun.spider == spider, CrawlRun.finished_at.is_(None), CrawlRun.verdict.is_(None))
        .values(verdict="interrupted", complete=False, healthy=False, verdict_reasons="the crawl never finished")
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


def _int(stats: Mapping[str, Any], key: str) -> int:
    value = stats.get(key)
    return int(value) if isinstance(value, int | float) else 0


def stored_list_sightings(session: Session, run_id: int) -> dict[int, int]:
    """Per ward code, the listings whose list sighting the database holds for the run (the ward of
    each listing's latest snapshot): what was stored, which the verdict compares with what was read."""
    latest = (
        select(ListingSnapshot.listing_id, func.max(ListingSnapshot.id).label("snapshot_id"))
        .where(ListingSnapshot.listing_id.in_(select(Sighting.listing_id).where(Sighting.run_id == run_id)))
        .group_by(ListingSnapshot.listing_id)
        .subquery()
    )
    query = (
        select(ListingSnapshot.ward_code, func.count())
        .select_from(Sighting)
        .join(latest, latest.c.listing_id == Sighting.listing_id)
        .join(ListingSnapshot, ListingSnapshot.id == latest.c.snapshot_id)
        .where(Sighting.run_id == run_id, Sighting.page_kind == "list")
        .group_by(ListingSnapshot.ward_code)
    )
    return {code: count for code, count in session.execute(query) if code is not None}


def finish_run(
    session: Session,
    run: CrawlRun,
    stats: Mapping[str, Any],
    wards: Sequence[tuple[str, int]],
    counts: Mapping[str, int],
    now: dt.datetime,
    removal_runs: int = DEFAULT_REMOVAL_RUNS,
    thresholds: Thresholds | None = None,
    prefix: str = "suumo",
    ended: Sequence[tuple[str, str, dt.datetime]] = (),
) -> RunVerdict:
    """Judge the run against its stats, what the database stored and the recent trusted nights; store
    its stats, verdict, per-ward coverage and field fill rates; apply the "listing ended" pages and
    the removal rules (db.removal)."""
    thresholds = thresholds or Thresholds()
    baseline = read_baseline(session, run, [code for _, code in wards], thresholds.baseline_nights)
    stored = stored_list_sightings(session, run.id)
    verdict = judge_run(stats, wards, prefix, thresholds, baseline, stored)
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
    run.finish_reason = str(stats.get("finish_reason") or "")
    run.complete, run.healthy, run.verdict = verdict.complete, verdict.healthy, verdict.verdict
    run.verdict_reasons = "; ".join(verdict.reasons) or None
    run.list_pages = sum(v for k, v in stats.items() if k.startswith(f"{prefix}/list_pages/") and isinstance(v, int))
    run.detail_pages = sum(
        v for k, v in stats.items() if k.startswith(f"{prefix}/detail_pages/") and isinstance(v, int)
    )
    run.items = _int(stats, "item_scraped_count")
    run.blocked = _int(stats, f"{prefix}/blocked")
    run.errors = _int(stats, "log_count/ERROR")
    run.new_listings = counts.get("new_listings", 0)
    run.price_changes = counts.get("price_changes", 0)
    run.relisted = counts.get("relisted", 0)
    run.stats = {k: (v if isinstance(v, int | float | str | bool) or v is None else str(v)) for k, v in stats.items()}
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
    removals = apply_removals(
        session, run, removal_runs, now, thresholds.max_removal_share, thresholds.min_removals_held
    )
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
