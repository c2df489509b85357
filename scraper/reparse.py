"""``condo reparse``: archived nights crawled again, in order and each at its own time, by today's
spiders, parsers and pipelines, into a database.

Each WARC file of the page archive is one crawl run. The real spider crawls it again, its requests
answered from the file (scraper.middlewares.ArchiveReplayMiddleware: nothing is fetched from the
network, and each page keeps its original URL), with the crawl's own clock pinned to the run's start
(from the file's name) and the database detail policy, so that it asks for what the night's crawl asked
for. Into an empty database this rebuilds the history the live crawls built; a night's verdict,
removals and relistings follow from the same rules. Corrections into a live database (filling what an
old parser missed, marked as corrections) are not built yet: the target must be empty.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select

from db.engine import session_scope
from db.migrate import upgrade
from db.models import CrawlRun
from scraper.archive.warc import read_records
from scraper.crawl_session import CrawlSession
from scraper.runner import SpiderRun, run_spider_process

_FILE = re.compile(r"(?P<spider>[a-z_]+)-(?P<stamp>\d{8}T\d{6}Z)-\d+\.warc\.gz")
_WARD = re.compile(r"/sc_([a-z]+)/")


class ReparseError(ValueError):
    """The archive or the target cannot be re-parsed: the message says why."""


@dataclass(frozen=True)
class ArchivedRun:
    path: Path
    spider: str
    started: dt.datetime


def archived_runs(folder: Path, first: dt.date | None = None, last: dt.date | None = None) -> list[ArchivedRun]:
    """The archive's runs in the order they ran (optionally those started between two UTC dates)."""
    runs = []
    for path in sorted(folder.glob("*.warc.gz")):
        match = _FILE.fullmatch(path.name)
        if match is None:
            continue
        started = dt.datetime.strptime(match.group("stamp"), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        if (first and started.date() < first) or (last and started.date() > last):
            continue
        runs.append(ArchivedRun(path, match.group("spider"), started))
    return sorted(runs, key=lambda run: run.started)


def reparse(
    engine: Engine,
    folder: Path,
    log_dir: Path,
    first: dt.date | None = None,
    last: dt.date | None = None,
    on_run: Callable[[ArchivedRun, SpiderRun], None] | None = None,
) -> list[SpiderRun]:
    """Crawl every archived run of ``folder`` again into ``engine``'s database, which must hold none."""
    runs = archived_runs(folder, first, last)
    if not runs:
        raise ReparseError(f"no WARC file of the page archive in {folder}")
    upgrade(engine)
    with session_scope(engine) as session:
        if session.scalar(select(func.count()).select_from(CrawlRun)):
            raise ReparseError(
                "the target database already holds crawl runs: re-parse into an empty database (corrections "
                "into a live database are not built yet)"
            )
    url = engine.url.render_as_string(hide_password=False)
    log_dir.mkdir(parents=True, exist_ok=True)
    done = []
    with CrawlSession() as crawls:  # one process for every night: started once, not per night
        for index, run in enumerate(runs):
            # Earlier files only when the archive has no digest index to resolve the night's revisits from.
            indexed = (run.path.parent / "digests.sqlite3").exists()
            earlier = [] if indexed else [r.path for r in runs[:index] if r.spider == run.spider]
            urls = [record.url for record in read_records([run.path], resolve=False)]
            wards = sorted({m.group(1) for url_ in urls for m in _WARD.finditer(url_)})
            base = next((u.split("/ms/", 1)[0] for u in urls if "/ms/" in u), "https://suumo.jp")
            result = run_spider_process(
                run.spider,
                wards=",".join(wards) or None,
                settings={
                    "SUUMO_BASE_URL": base,
                    "SUUMO_DETAIL_POLICY": "scraper.detail_policy.DatabaseDetailPolicy",
                    "CONDO_ARCHIVE_DIR": "",
                    "CONDO_REPLAY_WARC": os.pathsep.join(str(path) for path in [run.path, *earlier]),
                    "DOWNLOAD_DELAY": "0",
                    "AUTOTHROTTLE_ENABLED": "False",
                    "CONCURRENT_REQUESTS": "4",
                    "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
                },
                time_limit=3600,
                log_path=log_dir / f"reparse-{run.path.stem}.log",
                env={"DATABASE_URL": url, "CONDO_NOW": run.started.isoformat()},
                session=crawls,
            )
            done.append(result)
            if on_run:
                on_run(run, result)
    return done


@dataclass
class CorrectionReport:
    listings: int = 0
    """Listings whose archived pages were read again."""
    fields: dict[str, int] = field(default_factory=dict)
    """Corrections per field."""
    prices_differ: int = 0
    """Listings whose latest price reads differently (reported, never changed in the price history)."""
    unknown_listings: int = 0
    """Archived listings the database does not know (not added: a re-parse corrects, it does not crawl)."""
    applied: bool = False


def corrections(engine: Engine, folder: Path, dry_run: bool = True, now: dt.datetime | None = None) -> CorrectionReport:
    """Read every archived page again with today's parsers, in the order it was fetched, merge each
    listing's observations as the history writer does (db.rows.merged_snapshot), and compare with what
    the database holds now. A field that differs (filled by today's parser, or read otherwise) is a
    correction: with ``dry_run`` only counted; otherwise recorded in ``corrections`` and appended as a
    new snapshot with no run (a correction, not an observation of the market). Prices are compared
    and reported, never written: a different price is not a price change."""
    import json

    from db.latest import latest_per_listing
    from db.models import SNAPSHOT_FIELDS, Correction, Listing, ListingSnapshot, PriceChange
    from db.rows import PRICE_FIELDS, merged_snapshot, price_of, same_price, snapshot_row
    from scraper.items import item_row
    from scraper.offline import parse_archive

    runs = archived_runs(folder)
    if not runs:
        raise ReparseError(f"no WARC file of the page archive in {folder}")
    upgrade(engine)  # the corrections table (migration 0007), as condo crawl would
    merged: dict[tuple[str, str], dict[str, object]] = {}
    prices: dict[tuple[str, str], tuple[object, ...]] = {}
    records: dict[tuple[str, str], str | None] = {}
    for _, page in parse_archive([run.path for run in runs]):
        for item in page.items if page else []:
            key = (item.source, item.listing_id)
            row = item_row(item)
            merged[key] = merged_snapshot(merged.get(key), row)
            if row.get("price_status") is not None and (item.page_kind == "list" or key not in prices):
                prices[key] = price_of(row)
            records[key] = item.archive_record
    report = CorrectionReport(applied=not dry_run)
    moment = now or dt.datetime.now(dt.UTC)
    with session_scope(engine) as session:
        ids = {
            (source, source_id): listing_id
            for listing_id, source, source_id in session.execute(
                select(Listing.id, Listing.source, Listing.source_listing_id)
            )
        }
        latest = latest_per_listing(ListingSnapshot)
        stored = {
            snapshot.listing_id: snapshot
            for snapshot in session.scalars(select(ListingSnapshot).join(latest, latest.c.id == ListingSnapshot.id))
        }
        newest_price = latest_per_listing(PriceChange)
        stored_prices = {
            price.listing_id: tuple(getattr(price, name) for name in PRICE_FIELDS)
            for price in session.scalars(select(PriceChange).join(newest_price, newest_price.c.id == PriceChange.id))
        }
        for key, values in merged.items():
            listing_id = ids.get(key)
            if listing_id is None:
                report.unknown_listings += 1
                continue
            report.listings += 1
            if key in prices and not same_price(stored_prices.get(listing_id), prices[key]):
                report.prices_differ += 1
            snapshot = stored.get(listing_id)
            held = {name: getattr(snapshot, name) for name in SNAPSHOT_FIELDS} if snapshot else {}
            changed = [
                name for name in SNAPSHOT_FIELDS if values.get(name) is not None and values[name] != held.get(name)
            ]
            for name in changed:
                report.fields[name] = report.fields.get(name, 0) + 1
            if dry_run or not changed:
                continue
            for name in changed:
                session.add(
                    Correction(
                        listing_id=listing_id,
                        field=name,
                        stored_value=json.dumps(held.get(name), ensure_ascii=False, default=str),
                        archived_value=json.dumps(values[name], ensure_ascii=False, default=str),
                        archive_record=records.get(key),
                        applied=True,
                        corrected_at=moment,
                    )
                )
            corrected = merged_snapshot(held, {name: values[name] for name in changed})
            session.add(ListingSnapshot(**snapshot_row(listing_id, None, moment, corrected, None, records.get(key))))
        if dry_run:
            session.rollback()
    return report
