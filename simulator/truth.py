"""Compare what the database recorded with the simulator's ground truth.

Each check says what it compared ("price changes captured: 1843 of 1843") so that a replay's result
reads as evidence, not as a bare pass.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, text

from db.places.groups import PlaceGroup
from simulator.market import WARDS, Market, MarketConfig, mean_log_trend


@dataclass
class Check:
    name: str
    expected: int
    matched: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.matched == self.expected

    def line(self) -> str:
        extra = f" ({len(self.problems)} problem(s), e.g. {self.problems[:3]})" if self.problems else ""
        return f"{self.name}: {self.matched} of {self.expected}{extra}"


def _night_of_run(engine: Engine, nights: Sequence[int], runs: Mapping[int, int] | None = None) -> dict[int, int]:
    """Run id → simulated day of the used-condo crawls: ``runs`` when given (a night can have several
    runs), else one run per night, in order."""
    if runs is not None:
        return dict(runs)
    with engine.connect() as connection:
        run_ids = [
            row[0]
            for row in connection.execute(text("SELECT id FROM crawl_runs WHERE property_type = 'used' ORDER BY id"))
        ]
    if len(run_ids) != len(nights):
        raise ValueError(f"{len(run_ids)} runs recorded for {len(nights)} nights")
    return dict(zip(run_ids, nights, strict=True))


def compare(
    market: Market,
    engine: Engine,
    nights: Sequence[int],
    trusted: set[int],
    k: int = 2,
    runs: Mapping[int, int] | None = None,
) -> list[Check]:
    """Check listings, price histories, removals, relistings and units against the truth.

    ``trusted`` are the nights whose crawl was complete and healthy (every night of a clean replay):
    only they can see every listing, remove or relist. A night that was not trusted as a whole may still
    have covered some wards completely and healthily (the removal rules work per ward): the database's
    own per-ward verdicts (``crawl_run_wards``) extend the trust ward by ward, and a ward-night whose
    removals were held for review removes nothing (a later trusted night of that ward does).
    """
    night_of = _night_of_run(engine, nights, runs)
    with engine.connect() as connection:
        db_listings = {
            row[0]: row[1]
            for row in connection.execute(
                text("SELECT source_listing_id, listing_id FROM v_listings WHERE property_type = 'used'")
            )
        }
        prices: dict[str, list[int | None]] = defaultdict(list)
        for listing, price in connection.execute(
            text(
                "SELECT h.source_listing_id, h.price_yen FROM v_price_history h JOIN listings l ON l.id = h.listing_id"
                " WHERE l.property_type = 'used' ORDER BY h.seen_at, h.listing_id"
            )
        ):
            prices[listing].append(price)
        events: dict[str, list[tuple[str, int, float | None]]] = defaultdict(list)
        for listing, kind, run_id, gap in connection.execute(
            text(
                "SELECT l.source_listing_id, e.kind, e.run_id, e.gap_days FROM listing_events e"
                " JOIN listings l ON l.id = e.listing_id WHERE l.property_type = 'used' ORDER BY e.id"
            )
        ):
            events[listing].append((kind, night_of[run_id], gap))
        units = {
            row[0]: row[1]
            for row in connection.execute(
                text(
                    "SELECT source_listing_id, unit_id FROM v_listings"
                    " WHERE unit_id IS NOT NULL AND property_type = 'used'"
                )
            )
        }

        priced: dict[str, set[int]] = defaultdict(set)
        for listing, run_id in connection.execute(
            text(
                "SELECT l.source_listing_id, p.run_id FROM price_history p JOIN listings l ON l.id = p.listing_id"
                " WHERE l.property_type = 'used'"
            )
        ):
            priced[listing].add(night_of[run_id])
        sighted: dict[str, set[int]] = defaultdict(set)
        for listing, run_id in connection.execute(
            text(
                "SELECT l.source_listing_id, s.run_id FROM sightings s JOIN listings l ON l.id = s.listing_id"
                " WHERE s.page_kind = 'list' AND l.property_type = 'used'"
            )
        ):
            sighted[listing].add(night_of[run_id])

        ward_ok: dict[int, set[int]] = defaultdict(set)
        for run_id, ward_code in connection.execute(
            text(
                "SELECT run_id, ward_code FROM crawl_run_wards WHERE complete AND healthy AND (exact IS NULL OR exact)"
            )
        ):
            if run_id in night_of:  # the used-condo crawls (a new-condo crawl's wards are its own)
                ward_ok[night_of[run_id]].add(ward_code)
        # Ward-nights whose removals were held for review (too many for one night): none are expected
        # there; a later trusted night of the ward makes them, unless it holds them too.
        held = {
            (night_of[run_id], ward_code)
            for run_id, ward_code in connection.execute(
                text("SELECT run_id, ward_code FROM crawl_run_wards WHERE removals_held > 0")
            )
            if run_id in night_of
        }

    def trusted_for(lid: str, night: int) -> bool:
        return night in trusted or market.building_of(market.listings[lid]).ward_code in ward_ok[night]

    def seen(lid: str, night: int) -> bool:
        """On a trusted night the crawl saw everything in the ward; on another, what it recorded."""
        return market.listings[lid].active(night) if trusted_for(lid, night) else night in sighted[lid]

    checks = []
    untrue = sorted(
        (lid, n)
        for lid, ns in sighted.items()
        for n in ns
        if lid not in market.listings or not market.listings[lid].active(n)
    )
    partial = sum(1 for lid, ns in sighted.items() for n in ns if not trusted_for(lid, n))
    checks.append(
        Check(
            "sightings on untrusted nights that were on the site that night",
            partial,
            partial - len(untrue),
            [f"{lid} on night {n}" for lid, n in untrue],
        )
    )
    seen_truth = {lid for lid in market.listings if any(seen(lid, n) for n in nights)}
    listed = Check("listings recorded", len(seen_truth), len(seen_truth & set(db_listings)))
    listed.problems += [f"missing {lid}" for lid in sorted(seen_truth - set(db_listings))]
    listed.problems += [f"unexpected {lid}" for lid in sorted(set(db_listings) - {*market.listings})]
    checks.append(listed)

    expected_changes = matched_changes = 0
    history_problems = []
    for lid in sorted(seen_truth):
        truth = market.listings[lid]
        # On an untrusted night the price may have been unreadable (a layout drift): such a night counts
        # only where the database recorded a price, which must then be the true one.
        observed = [truth.price_on(n) for n in nights if (truth.active(n) if trusted_for(lid, n) else n in priced[lid])]
        distinct = [p for i, p in enumerate(observed) if i == 0 or p != observed[i - 1]]
        if not distinct and not prices.get(lid):
            # Seen only on untrusted nights whose pages gave no readable price: none to capture, none stored.
            continue
        expected_changes += len(distinct) - 1
        if prices.get(lid) == distinct:
            matched_changes += len(distinct) - 1
        else:
            history_problems.append(f"{lid}: truth {distinct} db {prices.get(lid)}")
    checks.append(Check("price changes captured", expected_changes, matched_changes, history_problems))

    expected_removals: set[tuple[str, int]] = set()
    expected_relists: set[tuple[str, int, float]] = set()
    for lid in seen_truth:
        absent_run = 0
        last_seen: int | None = None
        removed = False
        for n in nights:
            if seen(lid, n):
                if removed and last_seen is not None:
                    expected_relists.add((lid, n, float(n - last_seen)))
                removed, absent_run, last_seen = False, 0, n
            elif trusted_for(lid, n) and last_seen is not None and not removed:
                absent_run += 1
                ward_code = market.building_of(market.listings[lid]).ward_code
                if absent_run >= k and (n, ward_code) not in held:
                    expected_removals.add((lid, n))
                    removed = True
    db_removals = {(lid, n) for lid, evs in events.items() for kind, n, _ in evs if kind in ("removed", "ended")}
    db_relists = {(lid, n, gap) for lid, evs in events.items() for kind, n, gap in evs if kind == "relisted"}
    removal = Check(
        f"removals recorded after {k} complete and healthy nights of absence",
        len(expected_removals),
        len(expected_removals & db_removals),
    )
    removal.problems += [f"missed {x}" for x in sorted(expected_removals - db_removals)]
    false_removals = sorted(db_removals - expected_removals)
    removal.problems += [f"false removal {x}" for x in false_removals]
    checks.append(removal)
    checks.append(
        Check(
            "false removals (a listing removed that was still on the site)",
            0,
            0,
            [
                f"{lid} on night {n}"
                for lid, n in false_removals
                if any(market.listings[lid].active(m) for m in range(n - k + 1, n + 1))
            ],
        )
    )
    relist = Check("relistings with their gap in days", len(expected_relists), len(expected_relists & db_relists))
    relist.problems += [f"missed {x}" for x in sorted(expected_relists - db_relists)]
    relist.problems += [f"unexpected {x}" for x in sorted(db_relists - expected_relists)]
    checks.append(relist)

    by_truth_unit: dict[int, set[int]] = defaultdict(set)
    by_db_unit: dict[int, set[int]] = defaultdict(set)
    for lid, db_unit in units.items():
        by_truth_unit[market.listings[lid].unit_id].add(db_unit)
        by_db_unit[db_unit].add(market.listings[lid].unit_id)
    shared = {u for u, listings in _listings_per_unit(market, set(units)).items() if len(listings) > 1}
    unit_check = Check(
        "flats with several listings linked to one unit",
        len(shared),
        sum(1 for u in shared if len(by_truth_unit[u]) == 1),
    )
    unit_check.problems += [f"truth unit {u} split into {sorted(d)}" for u, d in by_truth_unit.items() if len(d) > 1]
    unit_check.problems += [f"db unit {d} merges truth units {sorted(t)}" for d, t in by_db_unit.items() if len(t) > 1]
    checks.append(unit_check)
    return checks


def _listings_per_unit(market: Market, listing_ids: set[str]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for lid in listing_ids:
        out[market.listings[lid].unit_id].add(lid)
    return out


def wrong_values(market: Market, engine: Engine, runs: Mapping[int, int]) -> list[str]:
    """Values stored as if right that the truth contradicts: price rows whose price was not the
    listing's asking price on the night of their run, and listings whose latest floor, floor area or
    direction is not their flat's (an unknown value is not wrong)."""
    problems = []
    with engine.connect() as connection:
        for listing, run_id, price in connection.execute(
            text(
                "SELECT l.source_listing_id, p.run_id, p.price_yen"
                " FROM price_history p JOIN listings l ON l.id = p.listing_id WHERE l.property_type = 'used'"
            )
        ):
            truth = market.listings.get(listing)
            if truth is None or run_id not in runs:
                problems.append(f"{listing}: price row of an unknown listing or run {run_id}")
            elif price is not None and price != truth.price_on(runs[run_id]):
                problems.append(f"{listing}: {price} on night {runs[run_id] + 1}, truth {truth.price_on(runs[run_id])}")
        for listing, floor, area, direction in connection.execute(
            text("SELECT source_listing_id, floor, area_m2, direction FROM v_listings WHERE property_type = 'used'")
        ):
            truth = market.listings.get(listing)
            if truth is None:
                continue
            unit = market.units[truth.unit_id]
            for name, stored, true in (("floor", floor, unit.floor), ("direction", direction, unit.direction)):
                if stored is not None and stored != true:
                    problems.append(f"{listing}: {name} {stored}, truth {true}")
            if area is not None and abs(float(area) - float(unit.shown_area_m2)) > 0.01:
                problems.append(f"{listing}: area {area}, truth {unit.shown_area_m2}")
    return problems


def area_wards(groups: Iterable[PlaceGroup]) -> dict[str, str]:
    """The simulator ward whose injected trend each report area follows: a ward its own (``Koto`` →
    ``koto``), a district group its ward's (``3A`` → ``minato``)."""
    by_code = {code: ward for ward, (code, _, _) in WARDS.items()}
    out = {ward.capitalize(): ward for ward in WARDS}
    out |= {group.key: by_code[group.ward_code] for group in groups if group.ward_code in by_code}
    return out


def index_against_truth(
    config: MarketConfig, tables: Mapping[str, pd.DataFrame], ward_of: Mapping[str, str], window_weeks: int
) -> list[dict[str, Any]]:
    """Each value of each area's index (``tables``: week_end, index, low, high) beside the injected
    trend of its ward (``ward_of``: area → simulator ward), both as 100 in the area's first window: the
    truth of a window is the trend's mean log level over its days."""
    rows = []
    for area, table in tables.items():
        if area not in ward_of or table.empty:
            continue

        def level(week_end: str, ward: str = ward_of[area]) -> float:
            last = (dt.date.fromisoformat(week_end) - config.start).days
            return mean_log_trend(config, ward, range(last - 7 * window_weeks + 1, last + 1))

        base = level(str(table["week_end"].iloc[0]))
        for week, row in enumerate(table.itertuples(index=False)):
            truth = 100 * math.exp(level(str(row.week_end)) - base)
            rows.append(
                {
                    "area": area,
                    "week": week,
                    "week_end": str(row.week_end),
                    "index": float(row.index),
                    "low": float(row.low),
                    "high": float(row.high),
                    "truth": truth,
                    "inside": bool(row.low <= truth <= row.high),
                }
            )
    return rows


def project_check(market: Market, engine: Engine, nights: Sequence[int]) -> dict[str, Any]:
    """The new-condo projects in the database against the simulated ones (simulator.projects).

    For every crawled night: the projects on the site that night, their price range and their phase, as
    the database's project history has them as of that night. Counts what matches; every mismatch is
    listed (up to 20)."""
    from simulator.projects import build_projects

    projects = {p.listing_id: p for p in build_projects(market.config)}
    with engine.connect() as connection:
        history = connection.execute(
            text(
                "SELECT source_listing_id, changed_at, price_status, price_min_yen, price_max_yen, sale_phase"
                " FROM v_project_history ORDER BY source_listing_id, changed_at"
            )
        ).all()
        # Nights as ISO text: SQLite gives text, PostgreSQL dates.
        seen = {
            (row[0], str(row[1]))
            for row in connection.execute(
                text(
                    "SELECT l.source_listing_id, v.night_jst FROM v_presence v JOIN listings l ON l.id = v.listing_id"
                    " WHERE v.listing_scope = 'project'"
                )
            )
        }
    by_project: dict[str, list[Any]] = {}
    for row in history:
        by_project.setdefault(row[0], []).append(row)
    expected = matched = 0
    problems: list[str] = []
    for day in nights:
        date = market.date(day)
        moment = dt.datetime.combine(date, dt.time(4, 0), tzinfo=dt.timezone(dt.timedelta(hours=9)))
        for project in projects.values():
            if not project.active(day):
                continue
            expected += 1
            rows = [r for r in by_project.get(project.listing_id, []) if _utc(r[1]) <= moment]
            phase = project.phase_on(day)
            want = (
                ("undecided", None, None, "第1期")
                if phase is None
                else ("range", phase.price_min_yen, phase.price_max_yen, phase.label)
            )
            got = tuple(rows[-1][2:6]) if rows else None
            on_site = (project.listing_id, date.isoformat()) in seen
            if got == want and on_site:
                matched += 1
            elif len(problems) < 20:
                problems.append(f"night {day + 1} project {project.listing_id}: stored {got}, truth {want}")
    return {"projects": len(projects), "project_nights": expected, "matched": matched, "problems": problems}


def _utc(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
