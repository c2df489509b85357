"""Benchmark 3, requests per night: what a steady-state night costs the site, per tracked listing.

Set-up: a simulated market of ``live`` listings on the site (default 10,000) and its history written for
``weeks`` weeks (default: twice the detail refresh age, at least four) with the crawl's own detail rule
(``scraper.detail_policy.detail_reason``), so the database is in the state that many nightly crawls leave and the
refreshes are at their steady rate. Work: the next nights crawled for real by
the ``suumo_chuko`` spider against the simulated site on 127.0.0.1, with the default settings (page size
100, ``DatabaseDetailPolicy``); requests are Scrapy's own ``downloader/request_count`` (robots.txt and
retries included). Floors: the list pages alone (Σ over wards of ⌈hits ÷ 100⌉, the largest page size),
and a crawler that fetches every detail page every night (measured: one more night with
``FetchAll``).
"""

from __future__ import annotations

import math
import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from benchmarks.harness import progress
from benchmarks.store import market_for
from db.engine import make_engine
from db.migrate import upgrade
from scraper import settings
from simulator.bulk import bulk_load
from simulator.replay import replay

TARGET = 1.5
"""Requests per steady-state night ≤ 1.5 × the list-page floor."""


def _night(engine: Any, run_id: int) -> dict[str, Any]:
    with engine.connect() as connection:
        stats, list_pages, detail_pages, verdict = connection.execute(
            text("SELECT stats, list_pages, detail_pages, verdict FROM crawl_runs WHERE id = :id"), {"id": run_id}
        ).one()
        hits = [
            h
            for (h,) in connection.execute(text("SELECT hits FROM crawl_run_wards WHERE run_id = :id"), {"id": run_id})
        ]
    if isinstance(stats, str):
        import json

        stats = json.loads(stats)
    size = settings.SUUMO_PAGE_SIZE
    tracked = sum(hits)
    floor = sum(-(-h // size) for h in hits)
    requests = int(stats.get("downloader/request_count", 0))
    reasons = {
        key.split("/", 1)[1]: value for key, value in stats.items() if key.startswith("detail_policy/") and value
    }
    return {
        "verdict": verdict,
        "tracked_listings": tracked,
        "requests": requests,
        "list_pages": list_pages,
        "detail_pages": detail_pages,
        "other_requests": requests - (list_pages or 0) - (detail_pages or 0),
        "detail_reasons": reasons,
        "list_floor_requests": floor,
        "requests_per_listing": round(requests / tracked, 5) if tracked else None,
        "floor_per_listing": round(floor / tracked, 5) if tracked else None,
        "ratio_to_list_floor": round(requests / floor, 3) if floor else None,
        # The least any crawler that reads each new listing's detail page once (for the floor and
        # direction that identify the flat) can spend: the list pages plus the night's new listings.
        "new_details_bound_requests": floor + reasons.get("new", 0),
        "new_details_bound_ratio": round((floor + reasons.get("new", 0)) / floor, 3) if floor else None,
    }


def _breakdown(night: dict[str, Any]) -> str:
    """One steady-state night's requests in words: what each kind of request is for."""
    reasons = night["detail_reasons"]
    parts = [f"{night['list_pages']} list pages (the floor: {night['list_floor_requests']})"]
    parts += [
        f"{count} detail pages of {reason} listings" for reason, count in sorted(reasons.items()) if reason != "skip"
    ]
    if night["other_requests"]:
        parts.append(f"{night['other_requests']} other (robots.txt, retries)")
    return (
        f"{night['requests']} requests = " + " + ".join(parts) + f". Reading each new listing's detail page once "
        f"already costs {night['new_details_bound_ratio']}× the list-page floor; "
        f"{reasons.get('skip', 0)} listings needed no detail page."
    )


def history_weeks(max_age_days: float) -> int:
    """Weeks of history before the measured nights: twice the longest detail age, and at least four.

    Every listing on the site on night 0 is new to the database and has its detail page read that night,
    so the first refreshes come in a wave between ½ and 1 × the maximum age later; after twice the
    maximum age the nightly refreshes are those of a crawl that has been running for ever.

    >>> history_weeks(30), history_weeks(90), history_weeks(7)
    (9, 26, 4)
    """
    return max(4, math.ceil(2 * max_age_days / 7))


def summarise_nights(steady: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of the steady-state nights: medians over the nights (the mean of the two middle
    nights for an even count), and every night's requests in words."""
    ratio = round(statistics.median(night["ratio_to_list_floor"] for night in steady), 3)
    out: dict[str, Any] = {
        "requests_per_listing": round(statistics.median(night["requests_per_listing"] for night in steady), 5),
        "ratio_to_list_floor": ratio,
        "meets_target": ratio <= TARGET,
        "target_ratio": TARGET,
    }
    bounds = [night["new_details_bound_ratio"] for night in steady if night["new_details_bound_ratio"] is not None]
    if bounds:
        out["new_details_bound_ratio"] = round(statistics.median(bounds), 3)
    if all("requests" in night for night in steady):
        words = [_breakdown(night) for night in steady]
        out["where_requests_go"] = (
            words[0] if len(words) == 1 else " ".join(f"Night {n}: {text}" for n, text in enumerate(words, 1))
        )
    return out


def measure(
    work_dir: Path,
    live: int = 10_000,
    weeks: int | None = None,
    nights: int = 2,
    fetch_all: bool = True,
    detail_max_age_days: float | None = None,
) -> dict[str, Any]:
    """Load ``weeks`` of history (default :func:`history_weeks`), then crawl ``nights`` steady-state
    nights (and one fetch-all night).

    The history is written by :func:`simulator.bulk.bulk_load` with the crawl's own detail rule (the
    same rows the nightly crawl would have stored: tests compare the two). ``detail_max_age_days``
    tries another refresh age than the project's ``SUUMO_DETAIL_MAX_AGE_DAYS`` (for the history loaded
    and the nights crawled).
    """
    max_age = settings.SUUMO_DETAIL_MAX_AGE_DAYS if detail_max_age_days is None else detail_max_age_days
    crawl_settings = {"SUUMO_DETAIL_MAX_AGE_DAYS": str(max_age)}
    loaded = (weeks or history_weeks(max_age)) * 7
    market = market_for(live, days=loaded + nights + 1)
    url = f"sqlite:///{work_dir / f'requests-{live}.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    progress(f"requests: loading {loaded} nights of about {live} live listings")
    bulk_load(
        engine,
        market,
        range(loaded),
        detail_max_age_days=max_age,
        detail_on_price_change=settings.SUUMO_DETAIL_ON_PRICE_CHANGE,
    )
    load_seconds = time.perf_counter() - started
    progress(f"requests: crawling {nights} steady-state nights for real")
    crawled = replay(market, url, range(loaded, loaded + nights), work_dir / f"logs-{live}", settings=crawl_settings)
    steady = [_night(engine, night.run.run_id) for night in crawled if night.run.run_id is not None]
    result: dict[str, Any] = {
        "live_listings": len(market.active(loaded)),
        "history_nights_loaded": loaded,
        "load_seconds": round(load_seconds, 1),
        "page_size": settings.SUUMO_PAGE_SIZE,
        "detail_max_age_days": max_age,
        "detail_on_price_change": settings.SUUMO_DETAIL_ON_PRICE_CHANGE,
        "steady_state_nights": steady,
    }
    if steady:
        result |= summarise_nights(steady)
    if fetch_all:
        progress("requests: one night fetching every detail page")
        night = loaded + nights
        crawled = replay(
            market,
            url,
            range(night, night + 1),
            work_dir / f"logs-{live}",
            settings=crawl_settings | {"SUUMO_DETAIL_POLICY": "scraper.detail_policy.FetchAll"},
        )
        if crawled and crawled[0].run.run_id is not None:
            everything = _night(engine, crawled[0].run.run_id)
            result["fetch_all_night"] = everything
            if steady:
                result["ratio_fetch_all_to_policy"] = round(
                    everything["requests_per_listing"] / result["requests_per_listing"], 2
                )
    engine.dispose()
    return result
