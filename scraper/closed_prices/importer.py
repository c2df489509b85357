"""Load XIT001 responses into ``closed_prices``: all or nothing, and idempotently.

A response (a file saved from the API, or the body ``condo mlit fetch`` received) must be
``{"status": "OK", "data": [...]}``; anything else is refused with a message saying what it is. Every
used-condo record is normalised first (scraper.closed_prices.records); one that cannot be read refuses the
whole response, so nothing is half-imported. Records already stored (same ``record_key``) are skipped.
Callers own the session.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from db.models import ClosedPriceRecord
from scraper.closed_prices.records import ClosedPrice, RecordError, is_used_condo, normalise


class ResponseRefused(ValueError):
    """Not a usable XIT001 response: the message names the source and the fault."""


@dataclass
class ImportResult:
    added: int = 0
    already: int = 0
    """Used-condo records that were stored before (a second import adds nothing)."""
    other_types: int = 0
    """Records of other kinds (land, land and building): not condo prices, not stored."""
    quarters: set[str] = field(default_factory=set)
    ward_codes: set[int] = field(default_factory=set)

    def __iadd__(self, other: ImportResult) -> ImportResult:
        self.added += other.added
        self.already += other.already
        self.other_types += other.other_types
        self.quarters |= other.quarters
        self.ward_codes |= other.ward_codes
        return self


def read_response(body: bytes | str, source: str) -> list[dict[str, Any]]:
    """The records of a response body (gzip or plain JSON). Raises :class:`ResponseRefused`."""
    if isinstance(body, bytes) and body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except OSError as error:
            raise ResponseRefused(f"{source}: a broken gzip body ({error})") from error
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ResponseRefused(f"{source}: not JSON ({str(error).splitlines()[0]})") from error
    if not isinstance(payload, dict) or "status" not in payload:
        raise ResponseRefused(f"{source}: not an XIT001 response (no status)")
    if payload["status"] != "OK":
        message = payload.get("message") or payload.get("data") or ""
        raise ResponseRefused(f"{source}: the API answered status {payload['status']!r} {message}".rstrip())
    records = payload.get("data")
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise ResponseRefused(f"{source}: 'data' is not a list of records")
    return records


def normalise_all(records: Sequence[Mapping[str, Any]], source: str) -> tuple[list[ClosedPrice], int]:
    """The used-condo records normalised, and how many records were of other kinds."""
    prices, others = [], 0
    copies: Counter[str] = Counter()
    for number, record in enumerate(records, start=1):
        if not is_used_condo(record):
            others += 1
            continue
        text = json.dumps(record, ensure_ascii=False, sort_keys=True)
        copies[text] += 1
        try:
            prices.append(normalise(record, copies[text]))
        except RecordError as error:
            raise ResponseRefused(f"{source}: record {number}: {error}; nothing was imported") from error
    return prices, others


def store(session: Session, prices: Iterable[ClosedPrice], source: str, now: dt.datetime) -> ImportResult:
    """Insert the records not stored yet."""
    result = ImportResult()
    fresh: dict[str, ClosedPrice] = {}
    for price in prices:
        fresh.setdefault(price.record_key, price)
        result.quarters.add(price.quarter)
        if price.ward_code is not None:
            result.ward_codes.add(price.ward_code)
    keys = list(fresh)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for (known,) in session.execute(
            select(ClosedPriceRecord.record_key).where(ClosedPriceRecord.record_key.in_(chunk))
        ):
            del fresh[known]
    result.already = len(keys) - len(fresh)
    rows = [
        {
            **{name: getattr(price, name) for name in price.__dataclass_fields__},
            "source": source[:255],
            "imported_at": now,
        }
        for price in fresh.values()
    ]
    if rows:
        session.execute(insert(ClosedPriceRecord), rows)
    result.added = len(rows)
    return result


def import_body(session: Session, body: bytes | str, source: str, now: dt.datetime | None = None) -> ImportResult:
    """One response into the database (the session's transaction: all or nothing)."""
    prices, others = normalise_all(read_response(body, source), source)
    result = store(session, prices, source, now or dt.datetime.now(dt.UTC))
    result.other_types = others
    return result


@dataclass
class CheckedFile:
    path: Path
    prices: list[ClosedPrice]
    other_types: int


def check_files(paths: Sequence[Path]) -> list[CheckedFile]:
    """Read and normalise saved responses, touching no database. Raises :class:`ResponseRefused`."""
    checked = []
    for path in paths:
        try:
            body = path.read_bytes()
        except OSError as error:
            raise ResponseRefused(f"{path}: cannot be read ({error.strerror})") from error
        checked.append(CheckedFile(path, *normalise_all(read_response(body, str(path)), str(path))))
    return checked


def import_files(session: Session, files: Sequence[CheckedFile], now: dt.datetime | None = None) -> ImportResult:
    """Checked responses (:func:`check_files`) into the database, in the session's transaction."""
    total = ImportResult()
    for file in files:
        result = store(session, file.prices, file.path.name, now or dt.datetime.now(dt.UTC))
        result.other_types = file.other_types
        total += result
    return total
