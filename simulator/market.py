"""A seeded, deterministic market of used condos in Koto, Bunkyo and Minato, day by day.

Listings arrive, cut (or raise) their asking price, are listed by several agents, leave, and come back
(under the same listing id or a new one). Price levels follow published orders of magnitude per ward
(asking price per m² roughly: Minato 1.6 million yen, Bunkyo 1.25 million, Koto 1.05 million in 2025-26),
with a configurable quality-adjusted trend per ward and week, and a configurable drift of the mix of
what is listed (more small flats over time) so that a naive median and the true trend disagree.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from db.places.wards import TRACKED_WARDS

DISTRICTS = {
    "koto": ["豊洲", "有明", "東雲", "辰巳", "門前仲町", "木場", "大島", "亀戸"],
    "bunkyo": ["本駒込", "千駄木", "小石川", "白山", "湯島", "本郷", "音羽", "千石"],
    "minato": ["麻布十番", "元麻布", "南麻布", "赤坂", "南青山", "北青山", "芝浦", "港南", "三田", "高輪"],
}
"""The simulated market's 町 per ward."""
WARDS = {ward.slug: (ward.code, ward.name, DISTRICTS[ward.slug]) for ward in TRACKED_WARDS}
"""Slug → (JIS code, Japanese name, districts), from db.places.wards."""
BASE_PRICE_PER_M2 = {"koto": 1_050_000, "bunkyo": 1_250_000, "minato": 1_600_000}
DISTRICT_PREMIUM = {
    "豊洲": 1.12,
    "有明": 1.05,
    "東雲": 1.0,
    "辰巳": 0.92,
    "大島": 0.85,
    "亀戸": 0.88,
    "麻布十番": 1.25,
    "元麻布": 1.4,
    "南麻布": 1.2,
    "赤坂": 1.25,
    "南青山": 1.35,
    "北青山": 1.3,
    "本駒込": 1.05,
    "小石川": 1.08,
    "音羽": 1.02,
    "湯島": 0.95,
}
STATIONS = {
    "koto": [
        ("東京メトロ有楽町線", "豊洲"),
        ("ゆりかもめ", "有明"),
        ("東京メトロ東西線", "門前仲町"),
        ("ＪＲ総武線", "亀戸"),
    ],
    "bunkyo": [
        ("東京メトロ南北線", "本駒込"),
        ("都営三田線", "白山"),
        ("東京メトロ丸ノ内線", "茗荷谷"),
        ("東京メトロ千代田線", "千駄木"),
    ],
    "minato": [
        ("都営大江戸線", "麻布十番"),
        ("東京メトロ銀座線", "表参道"),
        ("ＪＲ山手線", "田町"),
        ("東京メトロ南北線", "白金高輪"),
    ],
}
BRANDS = [
    "パークホームズ",
    "プラウド",
    "ブリリア",
    "シティタワー",
    "ザ・パークハウス",
    "ライオンズ",
    "クレヴィア",
    "ルネ",
    "グランスイート",
    "ディアナコート",
]
SUFFIXES = [
    "レジデンス",
    "タワー",
    "ガーデン",
    "テラス",
    "コート",
    "ヒルズ",
    "",
    "ザ・レジデンス",
    "イースト",
    "ウエスト",
]
DIRECTIONS = ["南", "南東", "南西", "東", "西", "北東", "北西", "北"]
AGENTS = [
    "三井のリハウス 豊洲センター",
    "野村の仲介+ 青山センター",
    "東急リバブル 文京センター",
    "住友不動産販売 港営業センター",
    "(株)長谷工リアルエステート",
    "センチュリー21(株)ベイサイド",
    "(株)大京穴吹不動産 本郷店",
    "スターツピタットハウス(株)",
]
LAYOUTS = [
    (25, "1K"),
    (35, "1LDK"),
    (45, "1LDK"),
    (55, "2LDK"),
    (65, "2LDK"),
    (72, "3LDK"),
    (85, "3LDK"),
    (110, "4LDK"),
]


BIASES = (
    "hidden-quality",
    "overpricing",
    "withdraw-not-cut",
    "composition",
    "registered-area",
    "thin-weeks",
    "building-premium",
)
"""What real asking prices do that the index's regression does not model, each switchable
(``MarketConfig(biases=…)``, docs/simulator.md):

- ``hidden-quality``: each flat has a quality no page shows (view, renovation, noise), log-normal σ 8 %;
- ``overpricing``: a third of sellers start well above the value (+12 % against +3 %); a listing sells
  the slower the further its asking price is above what the flat is worth, so cuts follow time on market;
- ``withdraw-not-cut``: a quarter of sellers never cut; unsold after 50-110 days they withdraw (and
  may come back at their old price);
- ``composition``: over the simulated span new listings come more from towers and from buildings
  under five years old (beside the drift to small flats of ``small_flat_share``);
- ``registered-area``: a share of flats (10 % rising to 30 %) is shown with its registered area (登記,
  measured inside the walls, about 6 % under the wall-centre area) and a share with a whole-m² area;
- ``thin-weeks``: arrivals fall to a third in holiday weeks (New Year, Golden Week, Obon, Silver Week);
- ``building-premium``: each building has a premium every flat in it shares (brand, view, finish, the
  lobby), log-normal σ BUILDING_PREMIUM_SIGMA, drawn from a random stream of its own; with
  ``composition`` the new listings lean toward some buildings over time, and so toward their premiums.
"""
BUILDING_PREMIUM_SIGMA = 0.10
"""σ of the log of a building's premium (``building-premium``): real towers of one ward and age differ by
±10-20 % in price per m² for reasons no listing field carries."""
DEMO_NIGHTS = 91
"""Nights ``condo demo`` crawls by default (13 weeks, a quarter): the index needs a four-week burn-in
and four-week windows, so a shorter demo has too few of them to show a trend."""
DEMO_SCALE = 3.0
"""New listings a day in the demo's market, as a multiple of MarketConfig's (15, 9 and 12 a day in Koto,
Bunkyo and Minato, wards of 300-800 listings): still smaller than SUUMO's real wards, and the size at
which the index's accuracy targets are met (docs/report.md)."""
DEMO_SEED = 20260901
HOLIDAYS = ((1, 1, 5), (4, 29, 7), (8, 11, 6), (9, 19, 5), (12, 28, 4))
"""(month, day, length in days): spans in which few flats come on sale (``thin-weeks``)."""
TENURE_SHARES = (("leasehold", 0.05), ("fixed_term_leasehold", 0.04))
"""Share of buildings on leased land (the rest are freehold), the same all along: the mix of new listings
moves only as the buildings' draws do."""
TENURE_FACTOR = {"ownership": 1.0, "leasehold": 0.8, "fixed_term_leasehold": 0.7}
"""A flat on leased land is worth this much of a freehold one (a fixed-term lease runs out)."""
REGISTERED_AREA_RATIO = 0.94
"""Registered (inner-wall) area over wall-centre area, a typical ratio for a condo."""


@dataclass(frozen=True)
class MarketConfig:
    seed: int = DEMO_SEED
    start: dt.date = dt.date(2026, 9, 7)  # a Monday
    days: int = 56
    warmup_days: int = 60
    """Days simulated before the first crawled day (day 0), so that the market starts full."""
    buildings_per_ward: int = 24
    arrivals_per_day: dict[str, float] = field(default_factory=lambda: {"koto": 5.0, "bunkyo": 3.0, "minato": 4.0})
    mean_days_on_market: float = 45.0
    weekly_trend: dict[str, float] = field(default_factory=lambda: {"koto": 0.004, "bunkyo": 0.002, "minato": 0.006})
    """Quality-adjusted log growth of asking prices per week, per ward (0.004 ≈ +0.4 % a week)."""
    small_flat_share: tuple[float, float] = (0.25, 0.6)
    """Share of new listings under 50 m² on the first and on the last day: the mix drifts."""
    cut_probability_per_day: float = 1 / 25
    rise_probability_per_day: float = 1 / 400
    second_agent_probability: float = 0.15
    same_id_return_probability: float = 0.2
    new_id_return_probability: float = 0.1
    biases: tuple[str, ...] = BIASES
    """The departures from the index's model the market has (see BIASES); ``()`` for none."""


@dataclass
class Building:
    id: int
    name: str
    ward: str
    ward_code: int
    ward_name: str
    district: str
    block: int
    built_year: int
    built_month: int
    floors: int
    total_units: int
    structure: str
    line: str
    station: str
    walk_minutes: int
    land_tenure: str = "ownership"
    """``ownership``, ``leasehold`` or ``fixed_term_leasehold`` (TENURE_SHARES; its own random stream)."""
    lease_years_remaining: int | None = None
    premium: float = 1.0
    """What every flat of the building is worth over its hedonic level (``building-premium``; 1.0 without)."""

    @property
    def tenure_text(self) -> str:
        """敷地の権利形態 as the detail page prints it."""
        if self.land_tenure == "leasehold":
            return "旧法借地権"
        if self.land_tenure == "fixed_term_leasehold":
            return f"定期借地権（残存期間：約{self.lease_years_remaining}年）"
        return "所有権"


@dataclass
class Unit:
    id: int
    building_id: int
    floor: int
    area_m2: float
    layout: str
    direction: str
    balcony_m2: float
    management_fee_yen: int
    repair_reserve_yen: int
    hidden_quality: float = 1.0
    """What no page shows (view, renovation): a factor on the flat's value."""
    shown_area_m2: float = 0.0
    """The area the adverts show: wall-centre (``area_m2``), registered or rounded."""
    area_basis: str = "wall_center"
    """``wall_center`` or ``inner`` (registered, 登記)."""

    def __post_init__(self) -> None:
        if not self.shown_area_m2:
            self.shown_area_m2 = self.area_m2


@dataclass
class Listing:
    listing_id: str
    unit_id: int
    agent: str
    intervals: list[list[int | None]]
    """Days the listing is on the site: ``[start, end)`` pairs; ``end`` is None while still listed."""
    prices: list[list[int]]
    """``[day, price_yen]`` from the day each asking price starts."""
    relist_of: str | None = None
    """The earlier listing id of the same flat when it came back under a new id."""

    def active(self, day: int) -> bool:
        return any(start is not None and start <= day and (end is None or day < end) for start, end in self.intervals)

    def new_or_repriced(self, day: int) -> bool:
        """Whether ``day`` is the listing's first day back on the site or its asking price changed."""
        return self.price_on(day) != self.price_on(day - 1) or not self.active(day - 1)

    def price_on(self, day: int) -> int:
        current = self.prices[0][1]
        for start, price in self.prices:
            if start <= day:
                current = price
        return current

    def prices_on(self, days: Sequence[int]) -> list[int]:
        """``price_on`` of each of ``days`` (ascending) in one pass over the price changes, which the
        market appends in day order (a year of nights asked one by one is most of a bulk load).

        >>> Listing("1", 1, "agent", [[0, None]], [[0, 100], [5, 90], [9, 95]]).prices_on([0, 4, 5, 8, 9, 30])
        [100, 100, 90, 90, 95, 95]
        """
        out: list[int] = []
        changes, index, current = self.prices, 0, self.prices[0][1]
        for day in days:
            while index < len(changes) and changes[index][0] <= day:
                current = changes[index][1]
                index += 1
            out.append(current)
        return out


@dataclass(frozen=True)
class Sale:
    day: int
    unit_id: int
    listing_id: str
    asking_yen: int
    """The asking price on the day it left the site."""


@dataclass
class Market:
    config: MarketConfig
    buildings: dict[int, Building]
    units: dict[int, Unit]
    listings: dict[str, Listing]
    sales: list[Sale] = field(default_factory=list)
    """Each day a flat left the site because it sold (not withdrawn), with its last asking price; a
    flat that comes back on the site later was not sold after all (simulator.closed_sales)."""
    flips: dict[str, Any] = field(default_factory=dict)
    """Listing id → its ``simulator.flips.Flip``, for the flips ``add_flips`` added (none otherwise)."""
    _active: dict[tuple[int, str | None], list[Listing]] = field(default_factory=dict, repr=False, compare=False)

    def date(self, day: int) -> dt.date:
        return self.config.start + dt.timedelta(days=day)

    def active(self, day: int, ward: str | None = None) -> list[Listing]:
        """The listings on the site on ``day`` (in one ward), in the order they were created.

        The market does not change once built, so each answer is kept: a simulated site asks the same
        question once per page it serves.
        """
        key = (day, ward)
        if key not in self._active:
            self._active[key] = [
                listing
                for listing in self.listings.values()
                if listing.active(day) and (ward is None or self.building_of(listing).ward == ward)
            ]
        return self._active[key]

    def building_of(self, listing: Listing) -> Building:
        return self.buildings[self.units[listing.unit_id].building_id]

    def trend_index(self, ward: str, day: int) -> float:
        """The injected quality-adjusted price level (1.0 on day 0)."""
        return math.exp(self.config.weekly_trend[ward] * day / 7)

    def write_truth(self, path: Path, projects: Sequence[Any] = ()) -> None:
        """The ground truth: every building, unit and listing with its prices and dates, the trend, and the
        new-condo ``projects`` when given (simulator.projects builds them on this module's tables)."""
        weeks = self.config.days // 7 + 1
        truth: dict[str, Any] = {
            "simulated": True,
            "note": "SIMULATED market: generated data, not real listings.",
            "config": {**asdict(self.config), "start": self.config.start.isoformat()},
            "buildings": [asdict(b) for b in self.buildings.values()],
            "units": [asdict(u) for u in self.units.values()],
            "listings": [asdict(listing) for listing in self.listings.values()],
            "trend": {ward: [self.trend_index(ward, 7 * w) for w in range(weeks)] for ward in WARDS},
            "projects": [asdict(project) for project in projects],
            "flips": [asdict(flip) for flip in self.flips.values()],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(truth, ensure_ascii=False, indent=1))


def demo_config(seed: int = DEMO_SEED, nights: int = DEMO_NIGHTS, scale: float = DEMO_SCALE) -> MarketConfig:
    """The market of ``condo demo`` and of the index's accuracy benchmark: the default config with
    ``scale`` times the new listings a day and the buildings to hold them (DEMO_SCALE)."""
    base = MarketConfig(seed=seed, days=nights)
    return replace(
        base,
        arrivals_per_day={ward: rate * scale for ward, rate in base.arrivals_per_day.items()},
        buildings_per_ward=max(base.buildings_per_ward, round(base.buildings_per_ward * scale)),
    )


def mean_log_trend(config: MarketConfig, ward: str, days: Iterable[int]) -> float:
    """The injected log price level of ``ward`` averaged over ``days`` (day 0 is the first crawled day):
    the truth of a value that pools those days, such as one four-week window of the index."""
    levels = [config.weekly_trend[ward] * day / 7 for day in days]
    return sum(levels) / len(levels)


def _round_price(value: float) -> int:
    """Asking prices are whole 10万円 steps (3980万円, 1億800万円)."""
    return max(1, round(value / 100_000)) * 100_000


def _make_buildings(rng: random.Random, config: MarketConfig) -> dict[int, Building]:
    buildings: dict[int, Building] = {}
    for ward, (code, name, districts) in WARDS.items():
        for _ in range(config.buildings_per_ward):
            tower = rng.random() < 0.3
            district = rng.choice(districts)
            line, station = rng.choice(STATIONS[ward])
            building_id = len(buildings) + 1
            buildings[building_id] = Building(
                id=building_id,
                name=rng.choice(BRANDS)
                + district
                + rng.choice(SUFFIXES)
                + ("" if rng.random() < 0.7 else str(building_id)),
                ward=ward,
                ward_code=code,
                ward_name=name,
                district=district,
                block=rng.randint(1, 7),
                built_year=rng.randint(1978, 2024),
                built_month=rng.randint(1, 12),
                floors=rng.randint(20, 54) if tower else rng.randint(4, 14),
                total_units=rng.randint(300, 1100) if tower else rng.randint(20, 150),
                structure="RC" if tower or rng.random() < 0.7 else "SRC",
                line=line,
                station=station,
                walk_minutes=rng.randint(1, 15),
            )
    return buildings


def _assign_tenure(config: MarketConfig, buildings: dict[int, Building]) -> None:
    """Land tenure of each building, from a random stream of its own: the market's other draws (and so
    every seed's listings, prices and dates) are what they were before tenure was simulated."""
    rng = random.Random(f"tenure-{config.seed}")
    for building in buildings.values():
        roll, floor = rng.random(), 0.0
        for kind, share in TENURE_SHARES:
            if floor <= roll < floor + share:
                building.land_tenure = kind
                if kind == "fixed_term_leasehold":
                    building.lease_years_remaining = rng.randint(25, 60)
            floor += share


def _assign_premiums(config: MarketConfig, buildings: dict[int, Building]) -> None:
    """``building-premium``: each building's premium, from a random stream of its own (like tenure), so the
    buildings and the market's draws are what they were without it; but a listing's chance of selling
    depends on its asking price (rounded to 10万円) against the flat's value, so from the first sale that
    goes the other way the listings and dates of a seed differ from the market without premiums."""
    if "building-premium" not in config.biases:
        return
    rng = random.Random(f"building-premium-{config.seed}")
    for building in buildings.values():
        building.premium = rng.lognormvariate(0, BUILDING_PREMIUM_SIGMA)


def true_value(market: Market, unit: Unit, day: int) -> float:
    """The quality-adjusted value of a flat on a day: hedonic level × the ward's injected trend."""
    building = market.buildings[unit.building_id]
    age = market.date(day).year - building.built_year
    per_m2 = (
        BASE_PRICE_PER_M2[building.ward]
        * DISTRICT_PREMIUM.get(building.district, 1.0)
        * math.exp(-0.012 * age)
        * (1 + 0.006 * unit.floor)
        * (1.08 if building.floors >= 20 else 1.0)
        * (1 - 0.012 * building.walk_minutes)
        * (1.06 if unit.area_m2 < 50 else 1.0)  # small flats cost more per m²
        * TENURE_FACTOR[building.land_tenure]
        * building.premium
    )
    return per_m2 * unit.area_m2 * unit.hidden_quality * market.trend_index(building.ward, day)


def _new_unit(
    rng: random.Random,
    market: Market,
    building: Building,
    small: bool,
    taken: set[tuple[int, str, str]],
    progress: float = 0.0,
) -> Unit:
    """A new flat of ``building`` on a floor/direction/layout not in ``taken`` (the building's flats so far)."""
    choices = [item for item in LAYOUTS if (item[0] < 50) == small]
    for _ in range(50):
        base_area, layout = rng.choice(choices)
        floor = rng.randint(1, building.floors)
        direction = rng.choice(DIRECTIONS)
        if (floor, direction, layout) not in taken:
            break
    area = round(base_area + rng.uniform(-4, 4), 2)
    unit = Unit(
        id=len(market.units) + 1,
        building_id=building.id,
        floor=floor,
        area_m2=area,
        layout=layout,
        direction=direction,
        balcony_m2=round(rng.uniform(3, 15), 2),
        management_fee_yen=int(area * rng.uniform(220, 420)) // 10 * 10,
        repair_reserve_yen=int(area * rng.uniform(150, 330)) // 10 * 10,
    )
    biases = market.config.biases
    if "hidden-quality" in biases:
        unit.hidden_quality = rng.lognormvariate(0, 0.08)
    if "registered-area" in biases:
        roll = rng.random()
        if roll < 0.1 + 0.2 * progress:
            unit.shown_area_m2, unit.area_basis = round(area * REGISTERED_AREA_RATIO, 2), "inner"
        elif roll < 0.3 + 0.2 * progress:
            unit.shown_area_m2 = float(round(area))
    market.units[unit.id] = unit
    taken.add((floor, direction, layout))
    return unit


def build_market(config: MarketConfig | None = None) -> Market:
    """Generate the whole market for ``config.days`` days. Same config, same market."""
    config = config or MarketConfig()
    rng = random.Random(config.seed)
    market = Market(config, _make_buildings(rng, config), {}, {})
    _assign_tenure(config, market.buildings)
    _assign_premiums(config, market.buildings)
    next_id = iter(range(70_000_000 + rng.randint(0, 999_999), 99_999_999, 7))
    by_ward = {ward: [b for b in market.buildings.values() if b.ward == ward] for ward in WARDS}
    returns: list[tuple[int, Listing, bool]] = []  # (day, listing, same id?)
    taken: dict[int, set[tuple[int, str, str]]] = {b: set() for b in market.buildings}
    # Listings whose last interval is open, by creation order: the only ones that can be active.
    order: dict[str, int] = {}
    still_open: dict[str, Listing] = {}

    biases = config.biases
    # The seller behind each listing: firm sellers never cut and withdraw on their day (withdraw-not-cut).
    withdraw_on: dict[str, int] = {}

    def open_listing(day: int, unit: Unit, relist_of: str | None = None, price: int | None = None) -> Listing:
        markup = 1.04
        if "overpricing" in biases:
            markup = 1.12 if rng.random() < 1 / 3 else 1.03
        asking = price or _round_price(true_value(market, unit, day) * rng.lognormvariate(math.log(markup), 0.05))
        listing = Listing(str(next(next_id)), unit.id, rng.choice(AGENTS), [[day, None]], [[day, asking]], relist_of)
        if "withdraw-not-cut" in biases and rng.random() < 0.25:
            withdraw_on[listing.listing_id] = day + rng.randint(50, 110)
        market.listings[listing.listing_id] = listing
        order[listing.listing_id] = len(order)
        still_open[listing.listing_id] = listing
        return listing

    for day in range(-config.warmup_days, config.days):
        progress = (day + config.warmup_days) / max(config.days + config.warmup_days - 1, 1)
        small_share = config.small_flat_share[0] + (config.small_flat_share[1] - config.small_flat_share[0]) * progress
        thin = "thin-weeks" in biases and _holiday(market.date(day))
        weights = _building_weights(market, by_ward, progress) if "composition" in biases else None
        for ward, rate in config.arrivals_per_day.items():
            for _ in range(poisson(rng, rate / 3 if thin else rate)):
                if weights is None:
                    building = rng.choice(by_ward[ward])
                else:
                    building = rng.choices(by_ward[ward], weights[ward])[0]
                unit = _new_unit(rng, market, building, rng.random() < small_share, taken[building.id], progress)
                first = open_listing(day, unit)
                if rng.random() < config.second_agent_probability:
                    # The same flat from another agent, a few days later, at a slightly different price.
                    later = min(day + rng.randint(0, 4), config.days - 1)
                    open_listing(later, unit, price=_round_price(first.prices[0][1] * rng.uniform(0.98, 1.02)))
        for _due, listing, same_id in [r for r in returns if r[0] == day]:
            unit = market.units[listing.unit_id]
            if same_id:
                withdraw_on.pop(listing.listing_id, None)  # a firm seller who comes back is firm no more
                listing.intervals.append([day, None])
                still_open[listing.listing_id] = listing
                listing.prices.append([day, _round_price(listing.price_on(day) * rng.uniform(0.95, 1.0))])
            else:
                open_listing(day, unit, relist_of=listing.listing_id)
        returns = [r for r in returns if r[0] != day]
        # Prices move and listings leave; a flat sold by several agents leaves all of them at once.
        leaving_units: set[int] = set()
        # Active today and listed before today (every other interval of a listing has ended).
        staying = sorted(
            (x for x in still_open.values() if (x.intervals[-1][0] or 0) < day), key=lambda x: order[x.listing_id]
        )
        for listing in staying:
            if listing.unit_id in leaving_units:
                continue
            if rng.random() < _sale_hazard(market, listing, day):
                leaving_units.add(listing.unit_id)
                # Recorded without another draw: the market's random stream is what it always was.
                market.sales.append(Sale(day, listing.unit_id, listing.listing_id, listing.price_on(day)))
                continue
            if withdraw_on.get(listing.listing_id, day + 1) <= day:
                leaving_units.add(listing.unit_id)
                continue
            roll = rng.random()
            if roll < config.cut_probability_per_day and listing.listing_id not in withdraw_on:
                listing.prices.append([day, _round_price(listing.price_on(day) * rng.uniform(0.94, 0.98))])
            elif roll < config.cut_probability_per_day + config.rise_probability_per_day:
                listing.prices.append([day, _round_price(listing.price_on(day) * 1.03)])
        for listing in staying:
            if listing.unit_id in leaving_units:
                listing.intervals[-1][1] = day
                del still_open[listing.listing_id]
                roll = rng.random()
                if roll < config.same_id_return_probability:
                    returns.append((day + rng.randint(5, 21), listing, True))
                elif roll < config.same_id_return_probability + config.new_id_return_probability:
                    returns.append((day + rng.randint(7, 28), listing, False))
    return market


def _sale_hazard(market: Market, listing: Listing, day: int) -> float:
    """The chance a listing leaves (sells) today: 1/mean days on market, and with ``overpricing`` lower
    the further the asking price is above what the flat is worth (a 10 % premium halves it)."""
    base = 1 / market.config.mean_days_on_market
    if "overpricing" not in market.config.biases:
        return base
    unit = market.units[listing.unit_id]
    premium = math.log(listing.price_on(day) / true_value(market, unit, day)) - math.log(1.04)
    return min(base * math.exp(-7 * premium), 0.2)


def _holiday(date: dt.date) -> bool:
    """Whether ``date`` falls in one of the HOLIDAYS spans."""
    for month, day, length in HOLIDAYS:
        for year in (date.year - 1, date.year):
            start = dt.date(year, month, day)
            if start <= date < start + dt.timedelta(days=length):
                return True
    return False


def _building_weights(market: Market, by_ward: dict[str, list[Building]], progress: float) -> dict[str, list[float]]:
    """``composition``: towers and buildings under five years old draw from 1× to 2.5× as many new
    listings as the others over the simulated span."""
    boost = 1 + 1.5 * progress
    year = market.config.start.year
    return {
        ward: [
            (boost if building.floors >= 20 else 1.0) * (boost if year - building.built_year < 5 else 1.0)
            for building in buildings
        ]
        for ward, buildings in by_ward.items()
    }


def poisson(rng: random.Random, rate: float) -> int:
    """A Poisson draw of mean ``rate`` (Knuth's method; the market's and the flips' random streams)."""
    threshold, count, product = math.exp(-rate), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count
