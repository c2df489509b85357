"""Drills: rehearse a failure on the simulated site and check the database against the truth.

``condo demo --faults zero-hits@5-6`` and the drill tests use this module: a fault spec says which
fault strikes which nights (numbered from 1, as the demo prints them), the replay crawls the simulated
site with it, and :func:`truth_check` says what the database got wrong: listings removed while they
were still on the site, price changes lost on nights the crawl could see, values stored that the
truth contradicts, and each night's verdict per spider and ward.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from simulator.market import Market
from simulator.replay import Night
from simulator.site import FAULTS
from simulator.truth import compare, wrong_values


@dataclass(frozen=True)
class FaultSpec:
    name: str
    first: int
    last: int
    """Nights, numbered from 1, inclusive."""

    def nights(self) -> range:
        return range(self.first, self.last + 1)


def parse_fault(spec: str, nights: int) -> FaultSpec:
    """``NAME``, ``NAME@N`` or ``NAME@N-M`` (nights numbered from 1; no night: every night).

    >>> parse_fault("zero-hits@5-6", 9)
    FaultSpec(name='zero-hits', first=5, last=6)
    >>> parse_fault("half-hits@3", 9)
    FaultSpec(name='half-hits', first=3, last=3)
    >>> parse_fault("slow", 4)
    FaultSpec(name='slow', first=1, last=4)
    """
    name, _, when = spec.strip().partition("@")
    if name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
    if not when:
        return FaultSpec(name, 1, nights)
    first_text, _, last_text = when.partition("-")
    if not first_text.isdigit() or (last_text and not last_text.isdigit()):
        raise ValueError(f"{spec!r}: nights are NAME@N or NAME@N-M with whole numbers")
    first = int(first_text)
    last = int(last_text) if last_text else first
    if not 1 <= first <= last <= nights:
        raise ValueError(f"{spec!r}: nights must lie within 1-{nights} and run forwards")
    return FaultSpec(name, first, last)


def faults_by_day(specs: Iterable[FaultSpec]) -> dict[int, set[str]]:
    """The replay's form: simulated day (night − 1) → fault names."""
    out: dict[int, set[str]] = {}
    for spec in specs:
        for night in spec.nights():
            out.setdefault(night - 1, set()).add(spec.name)
    return out


def _ward_verdicts(engine: Engine, run_ids: Sequence[int]) -> dict[str, str]:
    if not run_ids:
        return {}
    out: dict[str, str] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT r.spider, w.ward, COALESCE(w.verdict, r.verdict) FROM crawl_run_wards w"
                " JOIN crawl_runs r ON r.id = w.run_id WHERE r.id IN ("
                + ", ".join(str(int(run_id)) for run_id in run_ids)
                + ") ORDER BY r.id"
            )
        ).all()
    for spider, ward, verdict in rows:
        out[f"{spider}/{ward}"] = verdict  # a re-run's verdict replaces the first run's
    return dict(sorted(out.items()))


def truth_check(market: Market, engine: Engine, nights: Sequence[Night], k: int = 2) -> dict[str, Any]:
    """Compare the database with the truth after a replay (see the module docstring)."""
    runs = {run_id: night.day for night in nights for run_id in night.run_ids}
    days = [night.day for night in nights]
    checks = compare(market, engine, days, set(), k, runs)
    by_name = {check.name.split(" ")[0]: check for check in checks}
    price = by_name["price"]
    wrong = wrong_values(market, engine, runs)
    report: dict[str, Any] = {
        "simulated": True,
        "false_removals": len(by_name["false"].problems),
        "missed_price_changes": price.expected - price.matched,
        "wrong_values": len(wrong),
        "nights": [
            {
                "night": night.day + 1,
                "date": night.date.isoformat(),
                "faults": sorted(night.faults),
                "verdicts": _ward_verdicts(engine, night.run_ids),
                "runs": night.run_ids,
                "requests": night.requests,
            }
            for night in nights
        ],
        "checks": [
            {"name": check.name, "expected": check.expected, "matched": check.matched, "problems": check.problems[:20]}
            for check in checks
        ],
        "wrong_value_examples": wrong[:20],
    }
    return report


def truth_lines(report: dict[str, Any]) -> list[str]:
    """The truth check in words (what ``condo demo`` prints)."""
    lines = [
        f"false removals (listings marked gone while still on the site): {report['false_removals']}",
        f"price changes missed on nights the crawl could see: {report['missed_price_changes']}",
        f"values stored that the truth contradicts: {report['wrong_values']}",
    ]
    projects = report.get("projects")
    if projects:
        lines.append(
            f"new-condo projects: {projects['matched']} of {projects['project_nights']} project-nights stored with"
            f" the truth's price range and phase ({projects['projects']} simulated projects)"
        )
    flips = report.get("flips")
    if flips:
        measures = ", ".join(
            f"{name.replace('_', ' ')} {value['reported']} (truth {value['truth']})" for name, value in flips.items()
        )
        lines.append(f"flips (resales of new flats, simulated): {measures}")
    # Runs of nights with the same verdicts and no fault are one line.
    runs: list[tuple[dict[str, Any], dict[str, Any], str]] = []
    for night in report["nights"]:
        verdicts = night["verdicts"]
        distinct = sorted(set(verdicts.values()))
        summary = distinct[0] if len(distinct) == 1 else ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items()))
        faults = f" [fault: {', '.join(night['faults'])}]" if night["faults"] else ""
        text = f"{faults}: {summary or 'no verdict (crawl failed)'}"
        if runs and runs[-1][2] == text and not faults:
            runs[-1] = (runs[-1][0], night, text)
        else:
            runs.append((night, night, text))
    for first, last, text in runs:
        if first is last:
            lines.append(f"night {first['night']} ({first['date']}){text}")
        else:
            lines.append(f"nights {first['night']}-{last['night']} ({first['date']} to {last['date']}){text}")
    lines += index_lines(report.get("index", []))
    return lines


def index_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The index against the injected trend, an area a line: its latest value and how many of its values
    held the truth in their 95 % interval (one in twenty may not)."""
    if not rows:
        return []
    lines = [
        "index against the trend the simulator injected (100 in each area's first window; a 95 % interval misses",
        "the truth one time in twenty, and neighbouring values share three of their four weeks, so misses come",
        "in runs):",
    ]
    areas = dict.fromkeys(row["area"] for row in rows)
    for area in areas:
        own = [row for row in rows if row["area"] == area and row["week"] > 0]
        if not own:
            continue
        last = own[-1]
        inside = sum(row["inside"] for row in own)
        lines.append(
            f"  {last.get('name', area)}: {last['index']:.1f} ({last['low']:.1f}-{last['high']:.1f}) for the four "
            f"weeks to {last['week_end']}, truth {last['truth']:.1f}; {inside} of {len(own)} values held the truth"
        )
    return lines


def write_truth_check(report: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
