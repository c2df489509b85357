"""A listing's story, each change with the night, the price before and after, and the archived page
that showed it (``condo explain``): what an analyst needs to defend a number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CrawlRun, Listing, ListingEvent, ListingSnapshot, PriceChange, Sighting
from db.nights import night_of


@dataclass(frozen=True)
class Step:
    night: dt.date
    what: str
    """``price``, or an event kind (``first_seen``, ``removed``, ``ended``, ``relisted``)."""
    price_yen: int | None = None
    previous_yen: int | None = None
    note: str | None = None
    archive_file: str | None = None
    archive_record: str | None = None


@dataclass
class Story:
    listing: Listing
    latest: dict[str, Any]
    nights_seen: int
    first_night: dt.date | None
    last_night: dt.date | None
    steps: list[Step] = field(default_factory=list)


def listing_story(session: Session, source_listing_id: str, source: str = "suumo") -> Story | None:
    """The listing's history, or None when the database does not know it."""
    listing = session.scalars(
        select(Listing).where(Listing.source == source, Listing.source_listing_id == source_listing_id)
    ).first()
    if listing is None:
        return None
    files = {
        run_id: (stats or {}).get("archive/file")
        for run_id, stats in session.execute(
            select(CrawlRun.id, CrawlRun.stats).where(
                CrawlRun.id.in_(select(Sighting.run_id).where(Sighting.listing_id == listing.id))
            )
        )
    }
    snapshot = session.scalars(
        select(ListingSnapshot).where(ListingSnapshot.listing_id == listing.id).order_by(ListingSnapshot.id.desc())
    ).first()
    latest = {c.key: getattr(snapshot, c.key) for c in ListingSnapshot.__table__.columns} if snapshot else {}
    nights = sorted(
        {
            night_of(seen)
            for (seen,) in session.execute(select(Sighting.seen_at).where(Sighting.listing_id == listing.id))
        }
    )
    story = Story(listing, latest, len(nights), nights[0] if nights else None, nights[-1] if nights else None)
    for price in session.scalars(
        select(PriceChange).where(PriceChange.listing_id == listing.id).order_by(PriceChange.id)
    ):
        story.steps.append(
            Step(
                night_of(price.seen_at),
                "price",
                price.price_yen,
                price.previous_price_yen,
                archive_file=files.get(price.run_id) if price.run_id else None,
                archive_record=price.archive_record,
            )
        )
    for event in session.scalars(
        select(ListingEvent).where(ListingEvent.listing_id == listing.id).order_by(ListingEvent.id)
    ):
        story.steps.append(Step(night_of(event.at), event.kind, note=event.note))
    story.steps.sort(key=lambda step: (step.night, step.what != "first_seen"))
    return story
