"""Removal rules that cannot invent a crash.

A listing is marked ``removed`` only when it is absent from the last K consecutive complete and
healthy runs of its ward and property type (runs in between that were blocked, truncated, partial,
killed or unhealthy neither count nor reset the count), and was last seen before the first of them.
The site's "listing ended" page marks a listing ``ended`` directly (see db.history.record_ended).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, func, insert, or_, select, text
from sqlalchemy.orm import Session

from db.history import ACTIVE_KINDS
from db.models import CrawlRun, CrawlRunWard, Listing, ListingEvent, ListingSnapshot, Sighting

DEFAULT_REMOVAL_RUNS = 2
ANALYZED_TABLES = ("listings", "listing_events", "listing_snapshots", "sightings")
"""The tables the removal query reads: analysed first on PostgreSQL (see ``refresh_statistics``)."""


def refresh_statistics(session: Session) -> None:
    """Refresh PostgreSQL's planner statistics of the tables the removal query reads (nothing on SQLite).

    The night's batches can change these tables faster than autovacuum analyses them (the first nights
    of a database, a restore, a bulk load). With stale statistics the planner takes the latest-event
    subqueries for a handful of rows and nests loops over them: measured on a second night of 10,000
    listings, 22 s for the three wards instead of 0.04 s. ANALYZE reads a fixed-size sample of each
    table (30,000 rows at the default statistics target), so its cost does not grow with the history.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {', '.join(ANALYZED_TABLES)}"))


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


def _active_listings_in_ward(source: str, property_type: str, ward_code: int) -> Select[int]:
    """The ids of the listings whose latest event is active and whose latest snapshot is in the ward."""
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
    return query


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
    if wards:
        refresh_statistics(session)
    removed = 0
    for ward in wards:
        runs = healthy_ward_runs(session, run.source, run.property_type, ward.ward_code, k)
        if len(runs) < k or runs[0].id != run.id:
            continue
        run_ids = [r.id for r in runs]
        earliest = min(r.started_at for r in runs)
        # Gone: not sighted by the window's runs, nor by any run (an unhealthy one) since the window began.
        sighted = (
            select(Sighting.listing_id)
            .where(Sighting.listing_id == Listing.id)
            .where(or_(Sighting.run_id.in_(run_ids), Sighting.seen_at >= earliest))
            .exists()
        )
        query = _active_listings_in_ward(run.source, run.property_type, ward.ward_code).where(~sighted)
        note = f"absent from {k} complete and healthy runs: {', '.join(map(str, sorted(run_ids)))}"
        gone = list(session.scalars(query).all())
        if gone:
            session.execute(
                insert(ListingEvent),
                [
                    {"listing_id": listing_id, "run_id": run.id, "kind": "removed", "at": now, "note": note}
                    for listing_id in gone
                ],
            )
        removed += len(gone)
    session.flush()
    return removed
