"""Simulated new-condo projects: developments sold in phases (期), most of them in Koto's bay area.

A project appears on the site as a preview (予告広告, 価格未定) some weeks before its first phase,
then releases its units in two to four phases; each phase has a price range and a most common price
band that follow the ward's injected trend, a step up from the last phase (developers price later
phases higher when the first sells) and the project's own level. It leaves the site when its last
phase has sold. Some projects stand on a fixed-term leasehold (一般定期借地権), which the pages say
and which prices them about 25 % below a freehold project.

The projects draw from their own random stream (``projects-<seed>``): adding them left the used-condo
market of every seed exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from simulator.market import BASE_PRICE_PER_M2, DISTRICT_PREMIUM, STATIONS, WARDS, MarketConfig

PROJECTS_PER_WARD = {"koto": 6, "bunkyo": 2, "minato": 3}
"""Projects over the simulated span (the demo's 91 nights): Koto's bay towers dominate new supply."""
BAY_DISTRICTS = ("豊洲", "有明", "東雲")
NEW_PREMIUM = 1.3
"""New flats ask this much more per m² than used ones of the same place and trend."""
LEASEHOLD_FACTOR = 0.75
"""A fixed-term leasehold project's prices relative to a freehold one."""
PROJECT_NAMES = ("ザ・タワー", "パークタワー", "シティタワー", "ガーデンズ", "ザ・レジデンス")
BAY_NAMES = ("ベイレジデンス", "ベイタワー", "ザ・タワー", "シティタワー")
DEVELOPERS = ("三井不動産レジデンシャル", "野村不動産", "住友不動産", "三菱地所レジデンス", "東京建物")


@dataclass
class Phase:
    start_day: int
    number: int
    units: int
    price_min_yen: int
    price_max_yen: int
    most_common_yen: int
    """Lower bound of the most common price band (最多価格帯, 1000万円 bands above 1億円, 100万円 below)."""

    @property
    def label(self) -> str:
        return f"第{self.number}期"


@dataclass
class Project:
    listing_id: str
    name: str
    ward: str
    ward_code: int
    ward_name: str
    district: str
    block: int
    line: str
    station: str
    walk_minutes: int
    floors: int
    total_units: int
    area_min_m2: float
    area_max_m2: float
    rooms_min: int
    rooms_max: int
    delivery_year: int
    delivery_month: int
    tenure: str
    """``ownership`` or ``fixed_term_leasehold``."""
    developer: str
    first_day: int
    """The first day on the site (a preview: 価格未定)."""
    end_day: int
    """The day it leaves the site (sold out); exclusive."""
    phases: list[Phase] = field(default_factory=list)

    def active(self, day: int) -> bool:
        return self.first_day <= day < self.end_day

    def phase_on(self, day: int) -> Phase | None:
        """The phase on sale on ``day`` (the latest started), or None during the preview."""
        current = None
        for phase in self.phases:
            if phase.start_day <= day:
                current = phase
        return current

    def schedule_text(self, day: int, start: dt.date) -> str:
        """販売スケジュール as the project page prints it on ``day`` (``start``: the simulation's day 0)."""
        phase = self.phase_on(day)
        if phase is None:
            opens = start + dt.timedelta(days=self.phases[0].start_day)
            return f"販売開始予定\u3000{opens.year}年{opens.month}月上旬"
        return f"{phase.label} 販売中"

    @property
    def tenure_text(self) -> str | None:
        return "一般定期借地権" if self.tenure == "fixed_term_leasehold" else None


def _round(value: float, step: int) -> int:
    return max(1, round(value / step)) * step


def band_floor(yen: float) -> int:
    """The lower bound of the price band a price falls in (1000万円 bands from 1億円, 100万円 below).

    >>> band_floor(128_400_000), band_floor(89_900_000)
    (120000000, 89000000)
    """
    step = 10_000_000 if yen >= 100_000_000 else 1_000_000
    return int(yen // step) * step


def build_projects(config: MarketConfig) -> list[Project]:
    """The new-condo projects of a simulated market (same config, same projects)."""
    rng = random.Random(f"projects-{config.seed}")
    projects: list[Project] = []
    next_id = 60_000_000 + rng.randint(0, 999_999)
    for ward, count in PROJECTS_PER_WARD.items():
        code, ward_name, districts = WARDS[ward]
        bay = [d for d in districts if d in BAY_DISTRICTS] if ward == "koto" else []
        for number in range(count):
            district = rng.choice(bay) if bay and rng.random() < 0.8 else rng.choice(districts)
            tower = ward == "koto" or rng.random() < 0.5
            line, station = rng.choice(STATIONS[ward])
            # Some are on the site when the tracker starts, the others arrive during the span.
            first_day = rng.randint(-40, 0) if number % 2 == 0 else rng.randint(1, max(config.days - 30, 2))
            preview = rng.randint(14, 35)
            phase_count = rng.randint(2, 4)
            gap = rng.randint(25, 45)
            total = rng.randint(300, 900) if tower else rng.randint(40, 160)
            area_min = round(rng.uniform(35, 50), 2)
            area_max = round(rng.uniform(75, 120), 2)
            tenure = "fixed_term_leasehold" if rng.random() < 0.25 else "ownership"
            level = rng.lognormvariate(0, 0.06)
            walk = rng.randint(1, 12)
            next_id += rng.randint(1, 5000)
            project = Project(
                listing_id=str(next_id),
                name=f"{rng.choice(BAY_NAMES if district in BAY_DISTRICTS else PROJECT_NAMES)}{district}"
                + ("" if number < 2 else str(number + 1)),
                ward=ward,
                ward_code=code,
                ward_name=ward_name,
                district=district,
                block=rng.randint(1, 7),
                line=line,
                station=station,
                walk_minutes=walk,
                floors=rng.randint(30, 52) if tower else rng.randint(6, 14),
                total_units=total,
                area_min_m2=area_min,
                area_max_m2=area_max,
                rooms_min=1,
                rooms_max=3 if area_max < 100 else 4,
                delivery_year=config.start.year + rng.randint(1, 3),
                delivery_month=rng.randint(1, 12),
                tenure=tenure,
                developer=rng.choice(DEVELOPERS),
                first_day=first_day,
                end_day=first_day,
            )
            per_m2 = (
                BASE_PRICE_PER_M2[ward]
                * DISTRICT_PREMIUM.get(district, 1.0)
                * NEW_PREMIUM
                * (1.08 if project.floors >= 20 else 1.0)
                * (1 - 0.012 * walk)
                * (LEASEHOLD_FACTOR if tenure == "fixed_term_leasehold" else 1.0)
                * level
            )
            for k in range(phase_count):
                start = first_day + preview + k * gap
                trend = math.exp(config.weekly_trend[ward] * start / 7) * (1 + 0.02 * k)
                # A phase offers a few dozen units, as real phases do (the rest of a tower is sold in
                # later phases or first come, first served, beyond the simulated span).
                units = rng.randint(15, 80) if tower else rng.randint(5, 30)
                low = _round(per_m2 * trend * area_min * 0.97, 100_000)
                high = _round(per_m2 * trend * area_max * 1.1, 100_000)
                project.phases.append(
                    Phase(start, k + 1, units, low, high, band_floor(per_m2 * trend * (area_min + area_max) / 2))
                )
            project.end_day = project.phases[-1].start_day + rng.randint(20, 50)
            if project.end_day > 0:
                projects.append(project)
    return projects
