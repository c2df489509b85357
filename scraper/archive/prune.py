"""The archive's retention rule: list pages (and robots.txt, errors, blocks) are kept for ever; a
listing's detail pages are dropped once the listing has been gone longer than the keep time.

List pages are what a night's verdict, hit counts and removals rest on, and they are small (most of a
steady night's bytes, but few per listing); detail pages of a flat sold a year ago are rarely read
again. Files are rewritten without the dropped records and replaced atomically; the digests of dropped
bodies leave the index, so no later record refers to a body that is gone. A body can be shared by
several listings' pages (every "listing ended" page is the same page): a gone listing's response whose
body a kept record revisits is kept, so no revisit is left pointing at nothing. The digest index learns
where each kept body's record now starts in a rewritten file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from scraper.archive.warc import DigestIndex

DETAIL = re.compile(r"/nc_(\d+)/")


@dataclass
class PruneResult:
    files: int = 0
    records_dropped: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    listings: set[str] = field(default_factory=set)


def prune(folder: Path, gone_listings: Collection[str], dry_run: bool = False) -> PruneResult:
    """Drop the detail pages (request, response and revisit records) of ``gone_listings`` (site ids)
    from every WARC file of ``folder``."""
    result = PruneResult()
    dropped_digests: set[str] = set()
    needed = _revisited_by_kept(folder, gone_listings)
    for path in sorted(folder.glob("*.warc.gz")):
        result.files += 1
        size = path.stat().st_size
        result.bytes_before += size
        temporary = path.with_suffix(".pruning")
        dropped_here = 0
        offsets: dict[str, int] = {}
        """Where each kept response starts in the rewritten file (the digest index points there)."""
        with open(path, "rb") as source, open(temporary, "wb") as target:
            writer = WARCWriter(target, gzip=True)
            for record in ArchiveIterator(source):
                url = str(record.rec_headers.get_header("WARC-Target-URI") or "")
                match = DETAIL.search(url)
                digest = record.rec_headers.get_header("WARC-Payload-Digest")
                kept_body = record.rec_type == "response" and digest is not None and str(digest) in needed
                if match and match.group(1) in gone_listings and not kept_body:
                    dropped_here += 1
                    result.listings.add(match.group(1))
                    if digest and record.rec_type == "response":
                        dropped_digests.add(str(digest))
                    continue
                if record.rec_type == "response" and digest is not None:
                    offsets.setdefault(str(digest), target.tell())
                writer.write_record(record)
        if dry_run or not dropped_here:
            temporary.unlink()
            result.bytes_after += size
        else:
            os.replace(temporary, path)
            result.bytes_after += path.stat().st_size
            if (folder / "digests.sqlite3").exists():
                index = DigestIndex(folder)
                index.moved(path.name, offsets)
                index.close()
        result.records_dropped += dropped_here
    if dropped_digests and not dry_run and (folder / "digests.sqlite3").exists():
        index = DigestIndex(folder)
        index.connection.executemany("DELETE FROM digests WHERE digest = ?", [(d,) for d in dropped_digests])
        index.close()
    return result


def _revisited_by_kept(folder: Path, gone_listings: Collection[str]) -> set[str]:
    """The payload digests that revisit records of kept URLs refer to (their bodies must stay)."""
    needed: set[str] = set()
    for path in sorted(folder.glob("*.warc.gz")):
        with open(path, "rb") as source:
            for record in ArchiveIterator(source):
                if record.rec_type != "revisit":
                    continue
                match = DETAIL.search(str(record.rec_headers.get_header("WARC-Target-URI") or ""))
                digest = record.rec_headers.get_header("WARC-Payload-Digest")
                if digest and not (match and match.group(1) in gone_listings):
                    needed.add(str(digest))
    return needed


DEFAULT_KEEP_DAYS = 365
"""Detail pages are kept this long after their listing is gone (setting: --keep-days,
``[jobs.maintenance] archive_keep_days``)."""
