"""A listing's story, each change with the night, the price before and after, and the archived page
that showed it (``condo explain``): what an analyst needs to defend a number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.latest import latest_per_listing
from db.models import SIGHTINGS, CrawlRun, Listing, ListingEvent, ListingSnapshot, ListingUnitLink, PriceChange
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
    price_status: str | None = None
    price_min_yen: int | None = None
    price_max_yen: int | None = None
    price_text: str | None = None
    """A price that is not one amount: its range, and the text as printed."""


@dataclass
class Story:
    listing: Listing
    latest: dict[str, Any]
    nights_seen: int
    first_night: dt.date | None
    last_night: dt.date | None
    steps: list[Step] = field(default_factory=list)
    building: BuildingStory | None = None


@dataclass
class BuildingStory:
    """A building from its launch to its resales (v_buildings, v_project_history, v_listings)."""

    facts: dict[str, Any]
    """Its v_buildings row."""
    phases: list[dict[str, Any]] = field(default_factory=list)
    """The project's first sighting and each phase released: night, phase, price range, units."""
    resales: list[dict[str, Any]] = field(default_factory=list)
    """Its used listings, first offered first: id, first night, price, flags, status."""


def building_story(session: Session, building_id: int) -> BuildingStory | None:
    """The building's story, or None when the database does not know it."""
    facts = session.execute(text("SELECT * FROM v_buildings WHERE building_id = :id"), {"id": building_id})
    row = facts.mappings().first()
    if row is None:
        return None
    story = BuildingStory(dict(row))
    if row["project_listing_id"] is not None:
        story.phases = [
            dict(r)
            for r in session.execute(
                text(
                    "SELECT night_jst, sale_phase, price_status, price_min_yen, price_max_yen, units_on_sale"
                    " FROM v_project_history WHERE listing_id = :id AND (first_seen = 1 OR phase_changed = 1)"
                    " ORDER BY changed_at"
                ),
                {"id": row["project_listing_id"]},
            ).mappings()
        ]
    story.resales = [
        dict(r)
        for r in session.execute(
            text(
                "SELECT source_listing_id, first_seen_night_jst, price_yen, price_per_m2, floor, layout, area_m2,"
                " unoccupied, rented, status FROM v_listings"
                " WHERE building_id = :id AND property_type = 'used' ORDER BY first_seen_at, listing_id"
            ),
            {"id": building_id},
        ).mappings()
    ]
    return story


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
                CrawlRun.id.in_(select(SIGHTINGS.c.run_id).where(SIGHTINGS.c.listing_id == listing.id))
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
            for (seen,) in session.execute(select(SIGHTINGS.c.seen_at).where(SIGHTINGS.c.listing_id == listing.id))
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
                price_status=price.price_status,
                price_min_yen=price.price_min_yen,
                price_max_yen=price.price_max_yen,
                price_text=price.price_text,
            )
        )
    for event in session.scalars(
        select(ListingEvent).where(ListingEvent.listing_id == listing.id).order_by(ListingEvent.id)
    ):
        story.steps.append(Step(night_of(event.at), event.kind, note=event.note))
    story.steps.sort(key=lambda step: (step.night, step.what != "first_seen"))
    latest_link = latest_per_listing(ListingUnitLink)
    building_id = session.scalar(
        select(ListingUnitLink.building_id)
        .join(latest_link, latest_link.c.id == ListingUnitLink.id)
        .where(ListingUnitLink.listing_id == listing.id)
    )
    if building_id is not None:
        story.building = building_story(session, building_id)
    return story
