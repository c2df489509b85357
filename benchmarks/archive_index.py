"""The archive's revisits at a year's length (``python -m benchmarks --only archive-index``): what a
re-parse of one night costs to read that night's pages back, on the first, middle and last night of a
year of archive, through the digest index (today) and by reading every earlier file (before it).

The archive is written by ``scraper.archive.warc.ArchiveWriter`` as the crawl writes it: each night the
list pages (new bodies every night) and the detail pages of the listings on sale, most of them unchanged
since an earlier night (revisits). The pages are SIMULATED text of a realistic size, not real pages:
only the reading of records is measured.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import progress
from scraper.archive.replay import ArchivedSite
from scraper.archive.warc import ArchiveWriter

DETAIL_BYTES = 20_000
LIST_BYTES = 60_000


def _page(rng: random.Random, size: int, tag: str) -> bytes:
    words = [f"{tag}-{rng.randrange(10**6)}" for _ in range(size // 12)]
    return (" ".join(words)).encode()[:size]


def write_year(folder: Path, nights: int, listings: int, changes_per_night: float, seed: int = 1) -> list[Path]:
    """``nights`` WARC files: each night ``listings // 100`` list pages and every listing's detail page
    (``changes_per_night`` of them with a new body, the rest revisits)."""
    rng = random.Random(seed)
    bodies = {number: _page(rng, DETAIL_BYTES, f"flat{number}") for number in range(listings)}
    start = dt.datetime(2026, 1, 1, 17, 30, tzinfo=dt.UTC)
    paths = []
    for night in range(nights):
        if night % 60 == 0:
            progress(f"archive-index: writing night {night + 1} of {nights}")
        when = start + dt.timedelta(days=night)
        writer = ArchiveWriter(folder, f"suumo_chuko-{when:%Y%m%dT%H%M%SZ}-1")
        for page in range(max(listings // 100, 1)):
            url = f"https://suumo.jp/ms/chuko/tokyo/sc_koto/?pc=100&page={page + 1}"
            writer.write(url, "GET", [], 200, [("Content-Type", "text/html")], _page(rng, LIST_BYTES, "list"), when)
        for number in range(listings):
            if rng.random() < changes_per_night:
                bodies[number] = _page(rng, DETAIL_BYTES, f"flat{number}")
            url = f"https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_{number}/"
            writer.write(url, "GET", [], 200, [("Content-Type", "text/html")], bodies[number], when)
        writer.close()
        paths.append(writer.path)
    return paths


def _timed(files: list[Path], context: list[Path]) -> tuple[float, int]:
    started = time.perf_counter()
    site = ArchivedSite.from_files(files, context)
    return time.perf_counter() - started, len(site.pages)


def measure(nights: int = 365, listings: int = 200, changes_per_night: float = 0.02) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="condo-archive-index-") as work:
        folder = Path(work)
        started = time.perf_counter()
        paths = write_year(folder, nights, listings, changes_per_night)
        write_seconds = time.perf_counter() - started
        size = sum(path.stat().st_size for path in paths)
        rows = []
        for night in sorted({0, nights // 2, nights - 1}):
            progress(f"archive-index: reading night {night + 1} back, with the index and by every earlier file")
            indexed, pages = _timed([paths[night]], [])
            scanned, same = _timed([paths[night]], paths[:night])
            assert same == pages, "both ways answer every page of the night"
            rows.append(
                {
                    "night": night + 1,
                    "pages": pages,
                    "index_seconds": round(indexed, 3),
                    "earlier_files_seconds": round(scanned, 3),
                }
            )
    return {
        "nights": nights,
        "listings": listings,
        "changes_per_night": changes_per_night,
        "archive_mib": round(size / 2**20, 1),
        "write_seconds": round(write_seconds, 1),
        "nights_read": rows,
        # The first night has no revisit: the middle one is the steady state the last is compared with.
        "last_over_middle_index": round(rows[-1]["index_seconds"] / rows[-2]["index_seconds"], 2),
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    r = result
    lines = [
        f"Archive revisits over {r['nights']} nights (SIMULATED pages, {r['listings']} detail pages a night, "
        f"{r['changes_per_night']:.0%} changed a night; {r['archive_mib']} MiB):",
        "",
        "| Night read back | Pages | Through the digest index | Reading every earlier file |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {row['night']} | {row['pages']} | {row['index_seconds']} s | {row['earlier_files_seconds']} s |"
        for row in r["nights_read"]
    ]
    lines.append(
        f"\nThrough the index the last night costs {r['last_over_middle_index']} × the middle one (flat in the "
        "archive's length); reading every earlier file grows with it."
    )
    return lines
