"""Removal rules that cannot invent a crash.

A listing is marked ``removed`` only when it is absent from the last K trusted *nights* of its ward and
property type (db.nights: a re-run within a night does not count twice), and was last seen before the
first of them. A night is trusted for a ward when a run covered it completely, healthily, without
suspicion and exactly (every listing the site counted was seen: a listing missed inside the coverage
tolerance is not removed on that night's evidence). Nights in between that were blocked, truncated,
partial, killed, unhealthy or suspect neither count nor reset the count. Too many removals in one
night are held for review. The site's "listing ended" page marks a listing ``ended`` only from a
trusted night, and never when the list showed it that night (``apply_ended``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, insert, or_, select, text
from sqlalchemy.orm import Session

from db.latest import latest_per_listing
from db.models import CrawlRun, CrawlRunWard, Listing, ListingEvent, ListingSnapshot, SightingSpan
from db.nights import night_of
from db.rows import ACTIVE_KINDS, GONE_KINDS, EventKind, event_row, removal_note

DEFAULT_REMOVAL_RUNS = 2
ANALYZED_TABLES = ("listings", "listing_events", "listing_snapshots", "sighting_spans")
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


def trusted_ward_nights(
    session: Session, source: str, property_type: str, ward_code: int, limit: int
) -> list[tuple[dt.date, list[CrawlRun]]]:
    """The latest ``limit`` nights whose runs covered the ward completely, healthily and exactly (every
    listing the site counted was seen), newest first, each with its trusted runs.

    Nights in between that were blocked, truncated, partial, killed, unhealthy, suspect or inexact
    neither count nor reset the count.
    """
    query = (
        select(CrawlRun)
        .join(CrawlRunWard, CrawlRunWard.run_id == CrawlRun.id)
        .where(
            CrawlRun.source == source,
            CrawlRun.property_type == property_type,
            CrawlRunWard.ward_code == ward_code,
            CrawlRunWard.complete.is_(True),
            CrawlRunWard.healthy.is_(True),
            CrawlRunWard.exact.is_not(False),
        )
        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        .limit(limit * 8)
    )
    nights: dict[dt.date, list[CrawlRun]] = {}
    for run in session.scalars(query):
        night = run.night or night_of(run.started_at)
        if night not in nights and len(nights) >= limit:
            break
        nights.setdefault(night, []).append(run)
    return list(nights.items())


def _active_listings_in_ward(source: str, property_type: str, ward_code: int) -> Select[int]:
    """The ids of the listings whose latest event is active and whose latest snapshot is in the ward."""
    latest_event = latest_per_listing(ListingEvent)
    latest_snapshot = latest_per_listing(ListingSnapshot)
    query = (
        select(Listing.id)
        .join(latest_event, latest_event.c.listing_id == Listing.id)
        .join(ListingEvent, ListingEvent.id == latest_event.c.id)
        .join(latest_snapshot, latest_snapshot.c.listing_id == Listing.id)
        .join(ListingSnapshot, ListingSnapshot.id == latest_snapshot.c.id)
        .where(
            Listing.source == source,
            Listing.property_type == property_type,
            ListingEvent.kind.in_(ACTIVE_KINDS),
            ListingSnapshot.ward_code == ward_code,
        )
    )
    return query


def missing_tonight(
    session: Session, source: str, property_type: str, ward_code: int, seen: set[str]
) -> list[tuple[str, str]]:
    """(site listing id, detail URL) of the ward's active listings that are not in ``seen`` (the ids
    tonight's list showed): the listings the ward would start to lose tonight."""
    active = _active_listings_in_ward(source, property_type, ward_code).subquery()
    rows = session.execute(select(Listing.source_listing_id, Listing.url).join(active, active.c.id == Listing.id)).all()
    return sorted((listing_id, url) for listing_id, url in rows if listing_id not in seen)


@dataclass
class Removals:
    removed: int = 0
    held: int = 0
    held_wards: list[str] = field(default_factory=list)


def apply_removals(
    session: Session,
    run: CrawlRun,
    k: int = DEFAULT_REMOVAL_RUNS,
    now: dt.datetime | None = None,
    max_share: float = 1.0,
    min_held: int = 0,
) -> Removals:
    """Mark removed the listings of the run's trusted wards that the last ``k`` trusted nights did not
    see. Nothing happens for a ward this run did not cover completely, healthily and exactly.

    When a ward would lose more than ``max_share`` of its active listings (and at least ``min_held``)
    in one night, nothing is marked: the removals are held for review (counted on the run's ward row,
    which says why, and raised by the alarm). A later night marks them only if its own removals, these
    among them, are within the share again; otherwise ``condo db release-held`` (:func:`release_held`)
    applies them after a person has looked.
    """
    if k < 1:
        raise ValueError("k (nights a listing must be absent from) must be at least 1")
    now = now or run.finished_at or run.started_at
    wards = session.scalars(
        select(CrawlRunWard).where(
            CrawlRunWard.run_id == run.id,
            CrawlRunWard.complete.is_(True),
            CrawlRunWard.healthy.is_(True),
            CrawlRunWard.exact.is_not(False),
        )
    ).all()
    if wards:
        refresh_statistics(session)
    result = Removals()
    for ward in wards:
        found = _gone(session, run, ward.ward_code, k)
        if found is None:
            continue
        gone, note = found
        active = (
            session.scalar(
                select(func.count()).select_from(
                    _active_listings_in_ward(run.source, run.property_type, ward.ward_code).subquery()
                )
            )
            or 0
        )
        if len(gone) > max_share * active and len(gone) >= max(min_held, 1):
            ward.removals_held = len(gone)
            held = f"{len(gone)} of {active} active listings would be removed in one night: held for review"
            ward.reasons = "; ".join(filter(None, [ward.reasons, held]))
            result.held += len(gone)
            result.held_wards.append(ward.ward)
            continue
        _mark_removed(session, run, gone, note, now)
        ward.removed = len(gone)
        result.removed += len(gone)
    session.flush()
    return result


def _gone(session: Session, run: CrawlRun, ward_code: int, k: int) -> tuple[list[int], str] | None:
    """The active listings of the ward absent from the last ``k`` trusted nights, ``run``'s the newest
    (None when it is not, or fewer than ``k`` nights are trusted)."""
    nights = trusted_ward_nights(session, run.source, run.property_type, ward_code, k)
    if len(nights) < k or run.id not in {r.id for r in nights[0][1]}:
        return None
    runs = [r for _, night_runs in nights for r in night_runs]
    note = removal_note(k, [r.id for r in runs])
    return _unseen_since(session, run, ward_code, runs), note


def _unseen_since(session: Session, run: CrawlRun, ward_code: int, window: list[CrawlRun]) -> list[int]:
    """The ward's active listings sighted neither by the ``window``'s runs nor by any run (an unhealthy
    one too) since the window began."""
    earliest = min((r.started_at for r in window), default=run.started_at)
    # A span holds a window run when it starts at or before it and ends at or after it.
    in_window = [and_(SightingSpan.first_run_id <= r.id, SightingSpan.last_run_id >= r.id) for r in window]
    sighted = (
        select(SightingSpan.listing_id)
        .where(SightingSpan.listing_id == Listing.id)
        .where(or_(*in_window, SightingSpan.last_seen_at >= earliest))
        .exists()
    )
    query = _active_listings_in_ward(run.source, run.property_type, ward_code).where(~sighted)
    return list(session.scalars(query).all())


def _mark_removed(session: Session, run: CrawlRun, gone: list[int], note: str, now: dt.datetime) -> None:
    if not gone:
        return
    session.execute(
        insert(ListingEvent),
        [event_row(listing_id, run.id, EventKind.REMOVED, now, note=note) for listing_id in gone],
    )


def release_held(session: Session, run_id: int, k: int = DEFAULT_REMOVAL_RUNS, now: dt.datetime | None = None) -> int:
    """Apply the removals held on a run after review: the listings of its held wards that are still
    absent (from the same ``k`` trusted nights and every run since) are marked removed. Returns how many."""
    run = session.get(CrawlRun, run_id)
    if run is None:
        raise ValueError(f"no crawl run {run_id}")
    wards = session.scalars(
        select(CrawlRunWard).where(CrawlRunWard.run_id == run_id, CrawlRunWard.removals_held > 0)
    ).all()
    if not wards:
        raise ValueError(f"run {run_id} holds no removals")
    released = 0
    for ward in wards:
        gone = _gone_since(session, run, ward.ward_code, k)
        note = f"held removal released after review: absent from {k} trusted nights to run {run.id}"
        _mark_removed(session, run, gone, note, now or dt.datetime.now(dt.UTC))
        ward.removed = (ward.removed or 0) + len(gone)
        ward.removals_held = 0
        released += len(gone)
    run.removed = (run.removed or 0) + released
    run.removals_held = 0
    session.flush()
    return released


def _gone_since(session: Session, run: CrawlRun, ward_code: int, k: int) -> list[int]:
    """The ward's active listings not sighted since the first of the ``k`` trusted nights that ended
    with ``run``'s night (nor by any run after it)."""
    run_night = run.night or night_of(run.started_at)
    nights = trusted_ward_nights(session, run.source, run.property_type, ward_code, 10 * k)
    window = [r for runs in [runs for night, runs in nights if night <= run_night][:k] for r in runs]
    return _unseen_since(session, run, ward_code, window)


def _latest(session: Session, model: Any, column: Any, listing_id: int) -> Any:
    """``column`` of the listing's newest row of ``model`` (None without one)."""
    return session.scalar(select(column).where(model.listing_id == listing_id).order_by(model.id.desc()).limit(1))


@dataclass
class EndedOutcome:
    ended: int = 0
    rejected_listed: int = 0
    """Listings whose detail page said "ended" while the list showed them that night."""
    rejected_untrusted: int = 0
    """"Listing ended" pages read on a night not trusted for the listing's ward."""


def apply_ended(
    session: Session, run: CrawlRun, ended: Sequence[tuple[Any, ...]], trusted_wards: set[int]
) -> EndedOutcome:
    """Mark ended the listings whose "listing ended" page the run read, ``(source, listing id, when)``,
    when the run's night is trusted for the listing's ward and the list did not show it that night
    (the site's detail pages and lists can disagree for a day; the list is what buyers see). An entry
    may carry a fourth element: the archived page's record (provenance)."""
    outcome = EndedOutcome()
    for source, source_id, at, *more in ended:
        listing = session.scalars(
            select(Listing).where(Listing.source == source, Listing.source_listing_id == str(source_id))
        ).first()
        if listing is None:
            continue
        listed = session.scalar(
            select(SightingSpan.listing_id).where(
                SightingSpan.listing_id == listing.id,
                SightingSpan.page_kind == "list",
                SightingSpan.last_seen_at >= run.started_at,
            )
        )
        if listed is not None:
            outcome.rejected_listed += 1
            continue
        if _latest(session, ListingSnapshot, ListingSnapshot.ward_code, listing.id) not in trusted_wards:
            outcome.rejected_untrusted += 1
            continue
        if _latest(session, ListingEvent, ListingEvent.kind, listing.id) in GONE_KINDS:
            continue
        record = more[0] if more else None
        event = event_row(listing.id, run.id, EventKind.ENDED, at, note="listing ended page", archive_record=record)
        session.add(ListingEvent(**event))
        outcome.ended += 1
    session.flush()
    return outcome
