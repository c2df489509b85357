"""Write observations into the append-only history. Callers own the session: nothing here commits.

``record_observation`` takes one listing item (as a plain dict) seen in a crawl run and appends only
what is new: the listing the first time, a sighting per run and page kind, a price row when the asking
price changed, a snapshot when what we know changed, a unit link when identity changed, and a
``relisted`` event when a removed listing comes back. Replaying the same item changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.identity import building_name_key, same_building, same_unit
from db.models import (
    SNAPSHOT_FIELDS,
    Building,
    Listing,
    ListingEvent,
    ListingSnapshot,
    ListingUnitLink,
    PriceChange,
    Sighting,
    Unit,
)

ACTIVE_KINDS = ("first_seen", "relisted")
GONE_KINDS = ("removed", "ended")
PRICE_FIELDS = ("price_status", "price_yen", "price_min_yen", "price_max_yen")


@dataclass
class Outcome:
    """What one observation changed."""

    new_listing: bool = False
    price_changed: bool = False
    relisted: bool = False
    snapshot: bool = False
    relinked: bool = False


def _latest(session: Session, model: Any, listing_id: int) -> Any:
    return session.scalars(
        select(model).where(model.listing_id == listing_id).order_by(model.id.desc()).limit(1)
    ).first()


def latest_event(session: Session, listing_id: int) -> ListingEvent | None:
    result: ListingEvent | None = _latest(session, ListingEvent, listing_id)
    return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _content_hash(values: Mapping[str, Any]) -> str:
    payload = json.dumps({k: _jsonable(values.get(k)) for k in SNAPSHOT_FIELDS}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _merged_snapshot(previous: ListingSnapshot | None, item: Mapping[str, Any]) -> dict[str, Any]:
    """What we know now: the last snapshot, overlaid with every value this observation knows.

    A list card does not know the floor; it must not erase what the detail page told us.
    """
    merged = {name: getattr(previous, name) if previous else None for name in SNAPSHOT_FIELDS}
    for name in SNAPSHOT_FIELDS:
        value = item.get(name)
        if name == "plans" and not value:
            continue
        if value is not None:
            merged[name] = _as_date(value) if name in ("info_date", "next_update_date") else value
    return merged


def _find_or_create_building(
    session: Session, known: Mapping[str, Any], run_id: int | None, now: dt.datetime
) -> Building | None:
    key = building_name_key(known.get("building_name"))
    if key is None or known.get("ward_code") is None:
        return None
    candidates = session.scalars(
        select(Building).where(Building.ward_code == known["ward_code"], Building.name_key == key).order_by(Building.id)
    ).all()
    for building in candidates:
        if same_building(
            {
                "built_year": building.built_year,
                "built_month": building.built_month,
                "total_floors": building.total_floors,
            },
            known,
        ):
            return building
    building = Building(
        name_key=key,
        name=known["building_name"],
        ward_code=known["ward_code"],
        district=known.get("district"),
        built_year=known.get("built_year"),
        built_month=known.get("built_month"),
        total_floors=known.get("total_floors"),
        total_units=known.get("total_units"),
        created_at=now,
        created_run_id=run_id,
    )
    session.add(building)
    session.flush()
    return building


def _find_or_create_unit(
    session: Session, building: Building, known: Mapping[str, Any], run_id: int | None, now: dt.datetime
) -> Unit | None:
    if known.get("floor") is None or known.get("area_m2") is None:
        return None
    candidates = session.scalars(
        select(Unit).where(Unit.building_id == building.id, Unit.floor == known["floor"]).order_by(Unit.id)
    ).all()
    matches = [
        unit
        for unit in candidates
        if same_unit(
            {"floor": unit.floor, "area_m2": unit.area_m2, "layout": unit.layout, "direction": unit.direction}, known
        )
    ]
    if matches:
        return min(matches, key=lambda unit: abs(unit.area_m2 - float(known["area_m2"])))
    unit = Unit(
        building_id=building.id,
        floor=known["floor"],
        area_m2=float(known["area_m2"]),
        layout=known.get("layout"),
        direction=known.get("direction"),
        created_at=now,
        created_run_id=run_id,
    )
    session.add(unit)
    session.flush()
    return unit


def _link(session: Session, listing: Listing, known: Mapping[str, Any], run_id: int | None, now: dt.datetime) -> bool:
    building = _find_or_create_building(session, known, run_id, now)
    unit = None
    if building is not None and listing.listing_scope == "unit":
        unit = _find_or_create_unit(session, building, known, run_id, now)
    current: ListingUnitLink | None = _latest(session, ListingUnitLink, listing.id)
    building_id = building.id if building else None
    unit_id = unit.id if unit else None
    if current is not None:
        if (current.building_id, current.unit_id) == (building_id, unit_id):
            return False
        # Never downgrade: a list card without a floor does not undo a unit the detail page gave.
        if unit_id is None and current.unit_id is not None and current.building_id == building_id:
            return False
        if building_id is None and current.building_id is not None:
            return False
    if building_id is None:
        return False
    rule = "building+floor+area+layout+direction" if unit_id else "building:name+ward+built+floors"
    session.add(
        ListingUnitLink(
            listing_id=listing.id, building_id=building_id, unit_id=unit_id, rule=rule, linked_at=now, run_id=run_id
        )
    )
    return True


def last_seen_at(session: Session, listing_id: int, before_run: int | None = None) -> dt.datetime | None:
    query = select(func.max(Sighting.seen_at)).where(Sighting.listing_id == listing_id)
    if before_run is not None:
        query = query.where(Sighting.run_id != before_run)
    value = session.scalar(query)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def record_observation(session: Session, run_id: int | None, item: Mapping[str, Any], now: dt.datetime) -> Outcome:
    """Append what one listing item adds to the history (see the module docstring)."""
    outcome = Outcome()
    seen_at = item.get("scraped_at") or now
    if isinstance(seen_at, str):
        seen_at = dt.datetime.fromisoformat(seen_at)
    listing = session.scalars(
        select(Listing).where(Listing.source == item["source"], Listing.source_listing_id == str(item["listing_id"]))
    ).first()
    if listing is None:
        listing = Listing(
            source=item["source"],
            source_listing_id=str(item["listing_id"]),
            property_type=item["property_type"],
            listing_scope=item.get("listing_scope") or "unit",
            url=item["url"],
            first_seen_at=seen_at,
            first_run_id=run_id,
        )
        session.add(listing)
        session.flush()
        session.add(ListingEvent(listing_id=listing.id, run_id=run_id, kind="first_seen", at=seen_at))
        outcome.new_listing = True
    else:
        event = latest_event(session, listing.id)
        if event is not None and event.kind in GONE_KINDS:
            previous = last_seen_at(session, listing.id, before_run=run_id)
            gap = (seen_at - previous).total_seconds() / 86400 if previous else None
            session.add(ListingEvent(listing_id=listing.id, run_id=run_id, kind="relisted", at=seen_at, gap_days=gap))
            outcome.relisted = True

    page_kind = item.get("page_kind") or "list"
    if session.get(Sighting, (run_id, listing.id, page_kind)) is None and run_id is not None:
        session.add(Sighting(run_id=run_id, listing_id=listing.id, page_kind=page_kind, seen_at=seen_at))

    if item.get("price_status") is not None:
        latest_price: PriceChange | None = _latest(session, PriceChange, listing.id)
        new_price = tuple(item.get(name) for name in PRICE_FIELDS)
        old_price = tuple(getattr(latest_price, name) for name in PRICE_FIELDS) if latest_price else None
        if new_price != old_price:
            session.add(
                PriceChange(
                    listing_id=listing.id,
                    run_id=run_id,
                    seen_at=seen_at,
                    price_status=item["price_status"],
                    price_yen=item.get("price_yen"),
                    price_min_yen=item.get("price_min_yen"),
                    price_max_yen=item.get("price_max_yen"),
                    previous_price_yen=latest_price.price_yen if latest_price else None,
                )
            )
            outcome.price_changed = latest_price is not None

    previous_snapshot: ListingSnapshot | None = _latest(session, ListingSnapshot, listing.id)
    merged = _merged_snapshot(previous_snapshot, item)
    digest = _content_hash(merged)
    if previous_snapshot is None or previous_snapshot.content_hash != digest:
        session.add(
            ListingSnapshot(listing_id=listing.id, run_id=run_id, observed_at=seen_at, content_hash=digest, **merged)
        )
        outcome.snapshot = True
    outcome.relinked = _link(session, listing, merged, run_id, seen_at)
    session.flush()
    return outcome


def record_ended(session: Session, run_id: int | None, source: str, listing_id: str, now: dt.datetime) -> bool:
    """The site's "listing ended" page was served for a listing: mark it ended (once)."""
    listing = session.scalars(
        select(Listing).where(Listing.source == source, Listing.source_listing_id == str(listing_id))
    ).first()
    if listing is None:
        return False
    event = latest_event(session, listing.id)
    if event is not None and event.kind in GONE_KINDS:
        return False
    session.add(ListingEvent(listing_id=listing.id, run_id=run_id, kind="ended", at=now, note="listing ended page"))
    session.flush()
    return True
