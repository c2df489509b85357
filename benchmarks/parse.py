"""Benchmark 1, parse: listings per second through the real page parsers, on the real saved pages.

Work: ``scraper.offline.parse_html`` (what the spiders run on a response: classify the page, build the
selector, read every card or the detail table). Floor: building the lxml tree of the same page
(``lxml.html.document_fromstring``), which any parser of the page must do first.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import lxml.html

from benchmarks.harness import interleaved, profile, ratio
from scraper.offline import guess_url, parse_html

TARGET = 0.5
"""Parse rate ≥ 1/2 of the lxml floor's rate."""

PAGES = (
    "suumo/chuko-list-chiyoda-2026-09.html",
    "suumo/shinchiku-list-minato-2026.html",
    "suumo/chuko-detail-koto-nc73305798-2024-02.html",
)
SCRAPED_AT = dt.datetime(2026, 11, 21, 17, 30, tzinfo=dt.UTC)


def run(pages_dir: Path, repeats: int = 30, size: int = 1) -> dict[str, Any]:
    """Parse each real page ``size`` × ``repeats`` times; return the rates, the floor and the ratio."""
    results: dict[str, Any] = {"target_ratio": TARGET, "pages": {}}
    total_listings = total_parse = total_floor = 0.0
    for relative in PAGES:
        path = pages_dir / relative
        if not path.exists():
            raise FileNotFoundError(f"{path}: the real saved page is missing (see ../shared/fixtures/pages/SOURCES.md)")
        html = path.read_text(encoding="utf-8")
        url = guess_url(html)
        assert url is not None, f"{path} names no URL of its own"
        listings = len(parse_html(html, url, scraped_at=SCRAPED_AT).items)
        if listings == 0:
            raise ValueError(f"{path}: the parser found no listing; the benchmark would measure nothing")

        def parse(html: str = html, url: str = url) -> None:
            for _ in range(size):
                parse_html(html, url, scraped_at=SCRAPED_AT)

        def floor(html: str = html) -> None:
            for _ in range(size):
                lxml.html.document_fromstring(html)

        parse_time, floor_time = interleaved(parse, floor, repeats)
        pages = size
        results["pages"][relative] = {
            "bytes": len(html.encode("utf-8")),
            "listings_per_page": listings,
            "parse": parse_time.as_dict(),
            "floor_lxml_tree": floor_time.as_dict(),
            "listings_per_s": round(listings * pages / parse_time.median, 1),
            "floor_listings_per_s": round(listings * pages / floor_time.median, 1),
            "ratio": ratio(floor_time.median, parse_time.median),
        }
        total_listings += listings * pages
        total_parse += parse_time.median
        total_floor += floor_time.median
    results["listings_per_s"] = round(total_listings / total_parse, 1)
    results["floor_listings_per_s"] = round(total_listings / total_floor, 1)
    results["ratio"] = ratio(total_floor, total_parse)
    results["meets_target"] = results["ratio"] >= TARGET
    if not results["meets_target"]:
        html = (pages_dir / PAGES[0]).read_text(encoding="utf-8")
        url = guess_url(html)
        assert url is not None
        results["profile"] = profile(lambda: [parse_html(html, url, scraped_at=SCRAPED_AT) for _ in range(20)])
    return results
