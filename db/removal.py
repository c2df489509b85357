"""Removal rules that cannot invent a crash.

A listing is marked ``removed`` only when it is absent from the last K consecutive complete and
healthy runs of its ward and property type (runs in between that were blocked, truncated, partial,
killed or unhealthy neither count nor reset the count), and was last seen before the first of them.
The site's "listing ended" page marks a listing ``ended`` directly (see db.history.record_ended).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.history import ACTIVE_KINDS
from db.models import CrawlRun, CrawlRunWard, Listing, ListingEvent, ListingSnapshot, Sighting

DEFAULT_REMOVAL_RUNS = 2


def healthy_ward_runs(session: Session, source: str, property_type: str, ward_code: int, limit: int) -> list[CrawlRun]:
    """The latest ``limit`` complete and healthy runs that covered the ward, newest first."""
    query = (
        select(CrawlRun)
        .join(CrawlRunWard, CrawlRunWard.run_id == CrawlRun.id)
        .where(
            CrawlRun.source == source,
            CrawlRun.property_type == property_type,
            CrawlRunWard.ward_code == ward_code,
            CrawlRunWard.complete.is_(True),
            CrawlRunWard.healthy.is_(True),
        )
        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query).all())


def _active_listings_in_ward(session: Session, source: str, property_type: str, ward_code: int) -> list[int]:
    latest_event = (
        select(ListingEvent.listing_id, func.max(ListingEvent.id).label("event_id"))
        .group_by(ListingEvent.listing_id)
        .subquery()
    )
    latest_snapshot = (
        select(ListingSnapshot.listing_id, func.max(ListingSnapshot.id).label("snapshot_id"))
        .group_by(ListingSnapshot.listing_id)
        .subquery()
    )
    query = (
        select(Listing.id)
        .join(latest_event, latest_event.c.listing_id == Listing.id)
        .join(ListingEvent, ListingEvent.id == latest_event.c.event_id)
        .join(latest_snapshot, latest_snapshot.c.listing_id == Listing.id)
        .join(ListingSnapshot, ListingSnapshot.id == latest_snapshot.c.snapshot_id)
        .where(
            Listing.source == source,
            Listing.property_type == property_type,
            ListingEvent.kind.in_(ACTIVE_KINDS),
            ListingSnapshot.ward_code == ward_code,
        )
    )
    return list(session.scalars(query).all())


def apply_removals(
    session: Session, run: CrawlRun, k: int = DEFAULT_REMOVAL_RUNS, now: dt.datetime | None = None
) -> int:
    """Mark removed the listings of the run's complete and healthy wards that the last ``k`` such runs
    did not see. Returns how many were marked. Nothing happens for a ward this run did not cover
    completely and healthily."""
    if k < 1:
        raise ValueError("k (runs a listing must be absent from) must be at least 1")
    now = now or run.finished_at or run.started_at
    wards = session.scalars(
        select(CrawlRunWard).where(
            CrawlRunWard.run_id == run.id, CrawlRunWard.complete.is_(True), CrawlRunWard.healthy.is_(True)
        )
    ).all()
    removed = 0
    for ward in wards:
        runs = healthy_ward_runs(session, run.source, run.property_type, ward.ward_code, k)
        if len(runs) < k or runs[0].id != run.id:
            continue
        run_ids = [r.id for r in runs]
        earliest = min(r.started_at for r in runs)
        for listing_id in _active_listings_in_ward(session, run.source, run.property_type, ward.ward_code):
            last_seen = session.scalar(select(func.max(Sighting.seen_at)).where(Sighting.listing_id == listing_id))
            seen_in_window = session.scalar(
                select(func.count())
                .select_from(Sighting)
                .where(Sighting.listing_id == listing_id, Sighting.run_id.in_(run_ids))
            )
            if seen_in_window:
                continue
            if last_seen is not None:
                last = last_seen if last_seen.tzinfo else last_seen.replace(tzinfo=dt.UTC)
                if last >= earliest:
                    continue  # seen by an unhealthy run inside the window: not gone
            session.add(
                ListingEvent(
                    listing_id=listing_id,
                    run_id=run.id,
                    kind="removed",
                    at=now,
                    note=f"absent from {k} complete and healthy runs: {', '.join(map(str, sorted(run_ids)))}",
                )
            )
            removed += 1
    session.flush()
    return removed
