"""Load the SIMULATED market straight into the database, night by night, without crawling.

Each night records what a complete and healthy crawl would: a list observation of every listing on
the site and a detail observation of the new and repriced ones, through the same history writer and
run bookkeeping as the crawl pipelines. It is a fast way to build long histories (months) for report
tests and benchmarks; the crawl path itself is tested against the truth by the replays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from db.engine import session_scope
from db.history import record_observations
from db.models import CrawlRun
from db.rows import price_of
from db.runs import start_run
from scraper.detail_policy import detail_reason
from scraper.health import finish_run
from scraper.parsing.address import area_group_of
from scraper.parsing.text import clean
from scraper.statkeys import FINISH_REASON, StatKeys, db_count
from simulator.market import WARDS, Listing, Market
from simulator.projects import Project, build_projects
from simulator.replay import crawl_time

WARD_ORDER = list(WARDS)


def fixed_price(yen: int) -> dict[str, Any]:
    """A used flat's asking price as a list card gives it: one amount, not marked 予定."""
    return {
        "price_status": "fixed",
        "price_yen": yen,
        "price_min_yen": yen,
        "price_max_yen": yen,
        "price_planned": False,
    }


def observation(market: Market, listing: Listing, day: int, page_kind: str) -> dict[str, Any]:
    """The item a crawl would yield for ``listing`` on ``day`` (list card or detail page)."""
    unit = market.units[listing.unit_id]
    building = market.buildings[unit.building_id]
    price = listing.price_on(day)
    item: dict[str, Any] = {
        "source": "suumo",
        "property_type": "used",
        "page_kind": page_kind,
        "listing_scope": "unit",
        "listing_id": listing.listing_id,
        "url": f"https://suumo.jp/ms/chuko/tokyo/sc_{building.ward}/nc_{listing.listing_id}/",
        "scraped_at": crawl_time(market, day),
        "building_name": building.name,
        "title": f"【SIMULATED】{building.name} 駅徒歩圏",
        "address": f"東京都{building.ward_name}{building.district}{building.block}",
        "ward_code": building.ward_code,
        "ward_name": building.ward_name,
        "district": building.district,
        "area_group": area_group_of(building.ward_code, building.district),
        **fixed_price(price),
        "area_m2": unit.shown_area_m2,
        "area_basis": unit.area_basis,
        "balcony_m2": unit.balcony_m2,
        "layout": unit.layout,
        "rooms": int(unit.layout[0]),
        "built_year": building.built_year,
        "built_month": building.built_month,
        "line": building.line,
        "station": building.station,
        "walk_minutes": building.walk_minutes,
        "agent": listing.agent,
    }
    if page_kind == "detail":
        item.update(
            floor=unit.floor,
            direction=unit.direction,
            total_floors=building.floors,
            structure=building.structure,
            total_units=building.total_units,
            management_fee_yen=unit.management_fee_yen,
            repair_reserve_yen=unit.repair_reserve_yen,
            land_tenure=building.land_tenure,
            land_tenure_raw=building.tenure_text,
            lease_years_remaining=building.lease_years_remaining,
        )
    return item


def project_observation(market: Market, project: Project, day: int, page_kind: str) -> dict[str, Any]:
    """The item the new-condo spider yields for ``project`` on ``day`` (list card or project page), as it
    reads the simulated site's pages (simulator.site)."""
    phase = project.phase_on(day)
    item: dict[str, Any] = {
        "source": "suumo",
        "property_type": "new",
        "page_kind": page_kind,
        "listing_scope": "project",
        "listing_id": project.listing_id,
        "url": f"https://suumo.jp/ms/shinchiku/tokyo/sc_{project.ward}/nc_{project.listing_id}/",
        "scraped_at": crawl_time(market, day) + dt.timedelta(minutes=30),
        "building_name": project.name,
        "address": f"東京都{project.ward_name}{project.district}{project.block}",
        "ward_code": project.ward_code,
        "ward_name": project.ward_name,
        "district": project.district,
        "area_group": area_group_of(project.ward_code, project.district),
        "price_status": "undecided" if phase is None else "range",
        "price_yen": None,
        "price_min_yen": None if phase is None else phase.price_min_yen,
        "price_max_yen": None if phase is None else phase.price_max_yen,
        "price_planned": False,
        "area_min_m2": project.area_min_m2,
        "area_max_m2": project.area_max_m2,
        "rooms_min": project.rooms_min,
        "rooms_max": project.rooms_max,
        "line": project.line,
        "station": project.station,
        "walk_minutes": project.walk_minutes,
        "delivery": f"{project.delivery_year}年{project.delivery_month}月下旬予定",
        "delivery_year": project.delivery_year,
        "delivery_month": project.delivery_month,
    }
    if page_kind == "list":
        item["layout"] = f"{project.rooms_min}LDK~{project.rooms_max}LDK"
        item["sale_phase"] = "第1期" if phase is None else phase.label
        if project.tenure_text:
            item.update(land_tenure=project.tenure, land_tenure_raw=project.tenure_text)
    else:
        item.update(
            layout=f"{project.rooms_min}LDK~{project.rooms_max}LDK",
            total_units=project.total_units,
            units_on_sale=None if phase is None else phase.units,
            most_common_price_yen=None if phase is None else phase.most_common_yen,
            agent=project.developer,
            sale_schedule=clean(project.schedule_text(day, market.config.start)),
        )
        if project.tenure_text:
            item.update(land_tenure=project.tenure, land_tenure_raw=project.tenure_text)
    return item


def load_projects(engine: Engine, market: Market, nights: Iterable[int]) -> None:
    """Record every night in ``nights`` as one complete and healthy run of the new-condo spider over the
    simulated projects: a card per project on the site, and its project page on the night it appears
    and whenever its price range moves (as the crawl's detail policy does for projects)."""
    projects = build_projects(market.config)
    shown: dict[str, tuple[Any, ...]] = {}
    for day in nights:
        items = []
        hits = {ward: 0 for ward in WARD_ORDER}
        for project in projects:
            if not project.active(day):
                continue
            hits[project.ward] += 1
            card = project_observation(market, project, day, "list")
            items.append(card)
            if shown.get(project.listing_id) != price_of(card):
                shown[project.listing_id] = price_of(card)
                items.append(project_observation(market, project, day, "detail"))
        now = crawl_time(market, day) + dt.timedelta(minutes=30)
        record_run(engine, "suumo_shinchiku", "new", now, items, ward_stats(hits))


def ward_stats(hits: Mapping[str, int]) -> dict[str, Any]:
    """The crawl stats of a complete night that saw ``hits[ward]`` listings in each ward."""
    keys = StatKeys("suumo")
    stats: dict[str, Any] = {}
    for ward, count in hits.items():
        stats[keys.hits(ward)] = stats[keys.cards_unique(ward)] = count
        stats[keys.ward_done(ward)] = True
    return stats


def night_stats(market: Market, day: int) -> dict[str, Any]:
    """The crawl stats of a complete night on ``day``: every listing on the site was seen."""
    return ward_stats({ward: len(market.active(day, ward)) for ward in WARD_ORDER})


def night_items(
    market: Market, day: int, wants_detail: Callable[[Listing, dict[str, Any]], bool] | None = None
) -> list[dict[str, Any]]:
    """What a crawl of ``day`` yields, ward by ward: a list card of every listing on the site, each
    followed by its detail page when ``wants_detail(listing, card)`` (default: new or repriced)."""
    items = []
    for ward in WARD_ORDER:
        for listing in market.active(day, ward):
            card = observation(market, listing, day, "list")
            items.append(card)
            if wants_detail(listing, card) if wants_detail else listing.new_or_repriced(day):
                items.append(observation(market, listing, day, "detail"))
    return items


@dataclass
class DetailMemory:
    """What the crawl's detail rule (``scraper.detail_policy.detail_reason``) knows of one listing from the
    database: the stored card price and when its detail page was last read. The loaders keep one per
    listing to decide, night by night, as the nightly crawl would."""

    max_age: dt.timedelta
    on_price_change: bool = True
    price: tuple[Any, ...] | None = None
    detail_at: dt.datetime | None = None

    def reads_detail(self, listing_id: str, price: tuple[Any, ...], now: dt.datetime) -> bool:
        """Whether a crawl at ``now`` reads the detail page of a card with ``price`` (then remembers both)."""
        reason = detail_reason(
            listing_id,
            self.price is not None,
            self.price,
            price,
            self.detail_at,
            now,
            self.max_age,
            self.on_price_change,
        )
        if reason is not None:
            self.detail_at = now
        self.price = price
        return reason is not None


def load_market(
    engine: Engine,
    market: Market,
    nights: Iterable[int],
    batch_size: int = 200,
    detail_max_age_days: float | None = None,
    detail_on_price_change: bool = True,
) -> None:
    """Record every night in ``nights`` as one complete and healthy run of the used-condo spider,
    written in batches of ``batch_size`` items as the crawl's persist pipeline does.

    Detail pages: by default for the new and repriced listings. With ``detail_max_age_days`` the loader
    follows the crawl's own rule (``scraper.detail_policy.detail_reason``) instead, so that a database loaded here
    is in the state the nightly crawl would have left (for benchmarks of steady-state requests); it
    then assumes the database held no listing before the first night.
    """
    memory: dict[str, DetailMemory] = {}
    max_age = dt.timedelta(days=detail_max_age_days or 0)
    for day in nights:
        now = crawl_time(market, day)
        wants_detail = None
        if detail_max_age_days is not None:

            def wants_detail(listing: Listing, card: dict[str, Any], now: dt.datetime = now) -> bool:
                known = memory.setdefault(listing.listing_id, DetailMemory(max_age, detail_on_price_change))
                return known.reads_detail(listing.listing_id, price_of(card), now)

        items = night_items(market, day, wants_detail)
        record_run(engine, "suumo_chuko", "used", now, items, night_stats(market, day), batch_size)


def record_run(
    engine: Engine,
    spider: str,
    property_type: str,
    now: dt.datetime,
    items: list[dict[str, Any]],
    ward_counts: dict[str, Any],
    batch_size: int = 200,
) -> None:
    """One complete and healthy run of ``spider`` at ``now`` that yielded ``items``: opened, written in
    batches of ``batch_size`` as the crawl's persist pipeline does, and closed with the stats a finished
    crawl leaves (``ward_counts``: hits and cards per ward, from ward_stats)."""
    with session_scope(engine) as session:
        run_id = start_run(session, spider, "suumo", property_type, WARD_ORDER, now).id
    counts = {"new_listings": 0, "price_changes": 0, "relisted": 0}
    for start in range(0, len(items), batch_size):
        with session_scope(engine) as session:
            for outcome in record_observations(session, run_id, items[start : start + batch_size], now):
                counts["new_listings"] += outcome.new_listing
                counts["price_changes"] += outcome.price_changed
                counts["relisted"] += outcome.relisted
    with session_scope(engine) as session:
        finished = session.get(CrawlRun, run_id)
        assert finished is not None
        stats: dict[str, Any] = {FINISH_REASON: "finished", **ward_counts, "item_scraped_count": len(items)}
        stats.update({db_count(name): value for name, value in counts.items()})
        finish_run(session, finished, stats, [(w, WARDS[w][0]) for w in WARD_ORDER], now)
