"""The history's rows, each built in one place.

The history writer (db.history), the removal rules (db.removal), the run bookkeeping (db.runs) and the
simulator's bulk loader (simulator.bulk, which makes the writer's decisions per listing over its whole
life, for speed) all build their rows here: a new price field, a new event kind or a new snapshot
field is written once.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from db.models import SNAPSHOT_FIELDS


class EventKind(enum.StrEnum):
    """``listing_events.kind``: a listing's life on the site."""

    FIRST_SEEN = "first_seen"
    RELISTED = "relisted"
    """Seen again after a removal (with the gap in days)."""
    REMOVED = "removed"
    """Absent from the last K trusted nights of its ward (db.removal)."""
    ENDED = "ended"
    """The site's own "listing ended" page."""


ACTIVE_KINDS = (EventKind.FIRST_SEEN, EventKind.RELISTED)
GONE_KINDS = (EventKind.REMOVED, EventKind.ENDED)

PRICE_FIELDS = ("price_status", "price_yen", "price_min_yen", "price_max_yen", "price_planned")
"""An asking price as the history keeps it: a new ``price_history`` row whenever one of these changes."""
_PRICE_YEN = PRICE_FIELDS.index("price_yen")
_PLANNED = PRICE_FIELDS.index("price_planned")

BUILDING_RULE = "building:name+ward+built+floors"
UNIT_RULE = "building+floor+area+layout+direction"
"""``listing_unit_links.rule``: how a listing was linked to its building, or to its flat (db.identity)."""


def price_of(values: Mapping[str, Any]) -> tuple[Any, ...]:
    """An item's (or a row's) asking price as PRICE_FIELDS.

    >>> price_of({"price_status": "fixed", "price_yen": 5, "price_min_yen": 5, "price_max_yen": 5})
    ('fixed', 5, 5, 5, None)
    """
    return tuple(values.get(name) for name in PRICE_FIELDS)


def same_price(stored: tuple[Any, ...] | None, seen: tuple[Any, ...]) -> bool:
    """Whether an observed price is the stored one. A stored row whose 予定 flag is unknown (written
    before the flag was kept) matches either flag: that is not a change of the price.

    >>> same_price(("fixed", 5, 5, 5, None), ("fixed", 5, 5, 5, False))
    True
    >>> same_price(("fixed", 5, 5, 5, True), ("fixed", 5, 5, 5, False))
    False
    """
    if stored is None:
        return False
    if stored[_PLANNED] is None:
        return stored[:_PLANNED] == seen[:_PLANNED] and stored[_PLANNED + 1 :] == seen[_PLANNED + 1 :]
    return stored == seen


def price_row(
    listing_id: int,
    run_id: int | None,
    seen_at: dt.datetime,
    price: tuple[Any, ...],
    previous: tuple[Any, ...] | None,
    archive_record: str | None = None,
    price_text: str | None = None,
) -> dict[str, Any]:
    """A ``price_history`` row: the price seen (as PRICE_FIELDS), the yen it replaced, the archived
    page that showed it, and the price as printed when it is not one exact amount."""
    return {
        "listing_id": listing_id,
        "run_id": run_id,
        "seen_at": seen_at,
        **dict(zip(PRICE_FIELDS, price, strict=True)),
        "previous_price_yen": previous[_PRICE_YEN] if previous is not None else None,
        "archive_record": archive_record,
        "price_text": price_text,
    }


def span_row(
    listing_id: int, page_kind: str, run_id: int, seen_at: dt.datetime, archive_record: str | None = None
) -> dict[str, Any]:
    """A new ``sighting_spans`` row: the listing on a page of a run, the first of a stretch of runs."""
    return {
        "listing_id": listing_id,
        "page_kind": page_kind,
        "first_run_id": run_id,
        "last_run_id": run_id,
        "first_seen_at": seen_at,
        "last_seen_at": seen_at,
        "first_archive_record": archive_record,
        "last_archive_record": archive_record,
    }


def event_row(
    listing_id: int,
    run_id: int | None,
    kind: EventKind,
    at: dt.datetime,
    gap_days: float | None = None,
    note: str | None = None,
    archive_record: str | None = None,
) -> dict[str, Any]:
    """A ``listing_events`` row (every column, so rows of any kind go in one executemany)."""
    return {
        "listing_id": listing_id,
        "run_id": run_id,
        "kind": EventKind(kind).value,
        "at": at,
        "gap_days": gap_days,
        "note": note,
        "archive_record": archive_record,
    }


def removal_note(k: int, run_ids: Iterable[int]) -> str:
    """Why a listing was marked removed.

    >>> removal_note(2, [12, 11])
    'absent from 2 trusted nights: runs 11, 12'
    """
    return f"absent from {k} trusted nights: runs {', '.join(str(run_id) for run_id in sorted(run_ids))}"


def listing_row(
    source: str,
    source_listing_id: str,
    property_type: str,
    listing_scope: str | None,
    url: str,
    first_seen_at: dt.datetime,
    run_id: int | None,
) -> dict[str, Any]:
    """A ``listings`` row: a listing the first time any crawl saw it."""
    return {
        "source": source,
        "source_listing_id": source_listing_id,
        "property_type": property_type,
        "listing_scope": listing_scope or "unit",
        "url": url,
        "first_seen_at": first_seen_at,
        "first_run_id": run_id,
    }


def link_rule(unit_id: int | None) -> str:
    """How a link matched: to a flat (its unit) or to its building only."""
    return UNIT_RULE if unit_id is not None else BUILDING_RULE


def link_row(
    listing_id: int, building_id: int, unit_id: int | None, linked_at: dt.datetime, run_id: int | None
) -> dict[str, Any]:
    """A ``listing_unit_links`` row: the listing's building, and its flat when the floor and area
    identify one (the rule says which)."""
    return {
        "listing_id": listing_id,
        "building_id": building_id,
        "unit_id": unit_id,
        "rule": link_rule(unit_id),
        "linked_at": linked_at,
        "run_id": run_id,
    }


# --- snapshots -------------------------------------------------------------------------------------

_DATE_FIELDS = ("info_date", "next_update_date")
_SORTED_SNAPSHOT_FIELDS = tuple(sorted(SNAPSHOT_FIELDS))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a snapshot value")


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def merged_snapshot(previous: Mapping[str, Any] | None, item: Mapping[str, Any]) -> dict[str, Any]:
    """What we know now: the last snapshot, overlaid with every value this observation knows.

    A list card does not know the floor; it must not erase what the detail page told us.

    >>> merged_snapshot({"floor": 12, "layout": "2LDK"}, {"layout": "3LDK", "floor": None})["floor"]
    12
    """
    merged = {name: previous.get(name) if previous else None for name in SNAPSHOT_FIELDS}
    for name in SNAPSHOT_FIELDS:
        value = item.get(name)
        if name == "plans" and not value:
            continue
        if value is not None:
            merged[name] = _as_date(value) if name in _DATE_FIELDS else value
    return merged


def content_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 of the snapshot's fields as JSON with sorted keys (dates as ISO text).

    The dict is built in key order instead of asking ``json`` to sort it (only the plan rows, the one
    nested value, still need sorting), and only dates go through ``default``: the same text as
    ``json.dumps(..., sort_keys=True)``, for a fraction of the time.
    """
    payload = json.dumps(
        {name: values.get(name) for name in _SORTED_SNAPSHOT_FIELDS},
        ensure_ascii=False,
        default=_jsonable,
        sort_keys=bool(values.get("plans")),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def snapshot_row(
    listing_id: int,
    run_id: int | None,
    observed_at: dt.datetime,
    snapshot: Mapping[str, Any],
    digest: str | None = None,
    archive_record: str | None = None,
) -> dict[str, Any]:
    """A ``listing_snapshots`` row (``digest``: the snapshot's content hash when already computed)."""
    return {
        "listing_id": listing_id,
        "run_id": run_id,
        "observed_at": observed_at,
        "content_hash": digest or content_hash(snapshot),
        **snapshot,
        "archive_record": archive_record,
    }
