"""Simulated flips: new flats resold within months, most in large bay towers.

Two kinds, each with its truth:

- **Before handover**: buyers of a project's early phases resell their unit while the project is still
  selling later phases (as happened at the large bay developments). The resale is a used listing of a
  building that carries the project's name, ward, district, height and units, completed on the
  project's delivery date: never lived in (未入居), handed over on that date, asking the phase's price
  for its size with a premium.
- **Young towers**: towers of the bay districts completed a few months before the tracker starts, whose
  first buyers resell: some never lived in, some let to a tenant (賃貸中), at a premium over the value.

``add_flips`` adds them to a market built by ``simulator.market.build_market`` (after it, from a random
stream of its own: every other listing, price and date of a seed is unchanged); the demo does
(``condo demo``), the index's accuracy benchmark does not. Every flip is in the truth (``truth.json``:
``flips``), and the demo's truth check compares what the database says of them with it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text

from simulator.market import (
    AGENTS,
    DIRECTIONS,
    LAYOUTS,
    STATIONS,
    WARDS,
    Building,
    Listing,
    Market,
    Unit,
    poisson,
    true_value,
)
from simulator.projects import BAY_DISTRICTS, Project

RESALE_SHARE = {"bay_tower": 0.08, "other": 0.03}
"""Share of a phase's units resold before handover: more in large bay towers (MLIT's survey found more
resales in buildings of 100 units or more, and in the central and bay wards)."""
YOUNG_TOWERS = {"koto": 2, "bunkyo": 0, "minato": 1}
"""Towers completed a few months before day 0, per ward, whose first buyers resell."""
YOUNG_RESALES_PER_UNIT = 0.05
"""Resales a young tower's units give over the simulated span, per unit (Poisson)."""
PREMIUM = (0.12, 0.04)
"""Log-normal premium of a flip's asking price over its launch price or value (mean, σ of the log)."""


@dataclass(frozen=True)
class Flip:
    listing_id: str
    building_id: int
    project_id: str | None
    """The project it was bought from, for a resale before handover."""
    first_day: int
    unoccupied: bool
    rented: bool
    handover: str
    """``immediate``, or the project's delivery date (``YYYY-MM``) before handover."""


def _layout_for(area: float) -> str:
    return min(LAYOUTS, key=lambda item: abs(item[0] - area))[1]


def _unit(rng: random.Random, market: Market, building: Building, area: float) -> Unit:
    unit = Unit(
        id=max(market.units, default=0) + 1,
        building_id=building.id,
        floor=rng.randint(2, building.floors),
        area_m2=round(area, 2),
        layout=_layout_for(area),
        direction=rng.choice(DIRECTIONS),
        balcony_m2=round(rng.uniform(5, 15), 2),
        management_fee_yen=int(area * rng.uniform(250, 420)) // 10 * 10,
        repair_reserve_yen=int(area * rng.uniform(100, 200)) // 10 * 10,
    )
    market.units[unit.id] = unit
    return unit


def _listing(rng: random.Random, market: Market, unit: Unit, day: int, price: float, next_id: int) -> Listing:
    asking = max(1, round(price * rng.lognormvariate(*PREMIUM) / 100_000)) * 100_000
    end = day + max(7, round(rng.expovariate(1 / 60)))
    listing = Listing(
        str(next_id), unit.id, rng.choice(AGENTS), [[day, end if end < market.config.days else None]], [[day, asking]]
    )
    market.listings[listing.listing_id] = listing
    return listing


def _building(market: Market, **facts: object) -> Building:
    building = Building(id=max(market.buildings) + 1, structure="RC", **facts)  # type: ignore[arg-type]
    market.buildings[building.id] = building
    return building


def add_flips(market: Market, projects: Sequence[Project]) -> list[Flip]:
    """Add the flips of ``projects`` and of the young towers to ``market`` (see the module's docstring)."""
    config = market.config
    rng = random.Random(f"flips-{config.seed}")
    next_id = 95_000_000 + rng.randint(0, 99_999)
    flips: list[Flip] = []
    for project in sorted(projects, key=lambda p: p.listing_id):
        building = _building(
            market,
            name=project.name,
            ward=project.ward,
            ward_code=project.ward_code,
            ward_name=project.ward_name,
            district=project.district,
            block=project.block,
            built_year=project.delivery_year,
            built_month=project.delivery_month,
            floors=project.floors,
            total_units=project.total_units,
            line=project.line,
            station=project.station,
            walk_minutes=project.walk_minutes,
            land_tenure=project.tenure,
            lease_years_remaining=70 if project.tenure == "fixed_term_leasehold" else None,
        )
        bay_tower = project.district in BAY_DISTRICTS and project.total_units >= 300
        share = RESALE_SHARE["bay_tower" if bay_tower else "other"]
        for phase in project.phases:
            for _ in range(sum(rng.random() < share for _ in range(phase.units))):
                day = phase.start_day + rng.randint(7, 75)
                area = rng.uniform(project.area_min_m2, project.area_max_m2)
                if not 0 <= day < config.days:
                    continue
                unit = _unit(rng, market, building, area)
                span = max(project.area_max_m2 - project.area_min_m2, 1.0)
                price = phase.price_min_yen + (area - project.area_min_m2) / span * (
                    phase.price_max_yen - phase.price_min_yen
                )
                next_id += rng.randint(1, 40)
                listing = _listing(rng, market, unit, day, price, next_id)
                handover = f"{project.delivery_year}-{project.delivery_month:02d}"
                flips.append(Flip(listing.listing_id, building.id, project.listing_id, day, True, False, handover))
    for ward, count in YOUNG_TOWERS.items():
        code, ward_name, districts = WARDS[ward]
        bay = [d for d in districts if d in BAY_DISTRICTS] or districts
        for number in range(count):
            month_index = config.start.year * 12 + config.start.month - 1 - rng.randint(2, 8)
            district = rng.choice(bay)
            line, station = rng.choice(STATIONS[ward])
            total = rng.randint(400, 900)
            building = _building(
                market,
                name=f"{('ザ・ベイタワー', 'パークタワー', 'ブリリアタワー')[number % 3]}{district}",
                ward=ward,
                ward_code=code,
                ward_name=ward_name,
                district=district,
                block=rng.randint(1, 7),
                built_year=month_index // 12,
                built_month=month_index % 12 + 1,
                floors=rng.randint(30, 52),
                total_units=total,
                line=line,
                station=station,
                walk_minutes=rng.randint(3, 10),
            )
            resales = poisson(rng, YOUNG_RESALES_PER_UNIT * total * config.days / 91)
            for _ in range(resales):
                day = rng.randrange(config.days)
                unit = _unit(rng, market, building, rng.uniform(45, 95))
                next_id += rng.randint(1, 40)
                listing = _listing(rng, market, unit, day, true_value(market, unit, day) * 1.1, next_id)
                roll = rng.random()
                unoccupied, rented = roll < 0.4, 0.4 <= roll < 0.7
                flips.append(Flip(listing.listing_id, building.id, None, day, unoccupied, rented, "immediate"))
    market._active.clear()
    market.flips.update({flip.listing_id: flip for flip in flips})
    return flips


def months_after(year: int, month: int, date_year: int, date_month: int) -> int:
    """Whole months from a year-month to a later date's (the rule v_buildings' ``early_resales_12m``
    applies: the listing's first month minus the completion month)."""
    return (date_year * 12 + date_month) - (year * 12 + month)


def flip_truth(market: Market, days: Sequence[int], projects: Sequence[Project]) -> dict[str, int]:
    """What the database should report of the crawled ``days``, by the rules of v_buildings and
    v_listings: ``early_resales`` (used listings first on the site within 12 months of their building's
    completion, counted over the last 12 months), ``unoccupied`` and ``rented`` (flips seen), and
    ``linked_projects`` (projects crawled whose building had resales)."""
    crawled = sorted(days)
    last = crawled[-1]
    counts = {"early_resales": 0, "unoccupied": 0, "rented": 0, "linked_projects": 0}
    seen_projects = {p.listing_id for p in projects if any(p.active(day) for day in crawled)}
    linked: set[str] = set()
    for listing in market.listings.values():
        first = next((day for day in crawled if listing.active(day)), None)
        if first is None:
            continue
        building = market.building_of(listing)
        date = market.date(first)
        if last - first <= 365 and months_after(building.built_year, building.built_month, date.year, date.month) <= 12:
            counts["early_resales"] += 1
        flip = market.flips.get(listing.listing_id)
        if flip is not None:
            counts["unoccupied"] += flip.unoccupied
            counts["rented"] += flip.rented
            if flip.project_id in seen_projects:
                linked.add(flip.project_id)
    counts["linked_projects"] = len(linked)
    return counts


REPORTED = {
    "early_resales": "SELECT COALESCE(SUM(early_resales_12m), 0) FROM v_buildings",
    "unoccupied": "SELECT COUNT(*) FROM v_listings WHERE property_type = 'used' AND unoccupied",
    "rented": "SELECT COUNT(*) FROM v_listings WHERE property_type = 'used' AND rented",
    "linked_projects": (
        "SELECT COUNT(DISTINCT project_listing_id) FROM v_buildings"
        " WHERE project_listing_id IS NOT NULL AND units_listed_12m > 0"
    ),
}
"""What the database says of each flip measure (the views analysts query)."""


def flip_check(market: Market, engine: Engine, days: Sequence[int], projects: Sequence[Project]) -> dict[str, Any]:
    """``{measure: {"reported": n, "truth": n}}``: the database's views against :func:`flip_truth`."""
    truth = flip_truth(market, days, projects)
    with engine.connect() as connection:
        reported = {name: int(connection.execute(text(sql)).scalar() or 0) for name, sql in REPORTED.items()}
    return {name: {"reported": reported[name], "truth": truth[name]} for name in REPORTED}
