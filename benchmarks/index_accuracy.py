"""How close the quality-adjusted index comes to the truth, on markets it was not tuned on.

For each seed, a SIMULATED market of the demo's size (``simulator.market.demo_config(seed)``: 91 nights,
three wards, every bias of ``simulator.market.BIASES`` on) is written night by night into a fresh SQLite
database by :func:`simulator.load.load_market` (what a complete and healthy crawl of each night stores;
the crawl itself is faithful, see tests/test_replay_truth.py), the report's own code fits every ward's
index and 3A's, and each published value (a four-week window) is compared with the trend the simulator
injected:

- ``mean_gap``: the mean of index − truth, in index points (bias);
- ``max_abs_gap``: the largest |index − truth| in any week;
- ``coverage``: the share of weeks whose 95 % interval holds the truth;
- ``raw_median``: the same gaps for the raw median price per m² of the same new flats over the same
  windows (100 in the first window), beside them.

The truth of a published value is the injected level averaged (in logs) over the days of its four-week
window, against the same average over the base window. The first window is the base (100 by definition
on both sides) and is left out. Per area and overall,
over every seed. Targets (issue 15): ``coverage`` ≥ 0.93 overall, |``mean_gap``| ≤ 0.5 and
``max_abs_gap`` ≤ 3 points.
"""

from __future__ import annotations

import math
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from simulator.market import DEMO_NIGHTS

AREAS = ("Koto", "Bunkyo", "Minato", "3A")
TARGETS = {"coverage": 0.93, "abs_mean_gap": 0.5, "max_abs_gap": 3.0}


def parse_seeds(text: str) -> list[int]:
    """``A-B`` or ``A``: the seeds, inclusive.

    >>> parse_seeds("3-5"), parse_seeds("7")
    ([3, 4, 5], [7])
    """
    first, _, last = text.partition("-")
    if not first.isdigit() or (last and not last.isdigit()) or int(last or first) < int(first):
        raise ValueError(f"seeds are A-B (whole numbers, A ≤ B), not {text!r}")
    return list(range(int(first), int(last or first) + 1))


def weekly_rows(
    seed: int,
    days: int = DEMO_NIGHTS,
    scale: float = 1.0,
    without: tuple[str, ...] = (),
    building_effects: bool = True,
) -> list[dict[str, Any]]:
    """One row per area and published week of the seed's market (every bias on but ``without``):
    index (with or without building effects), interval, truth, raw median."""
    from db.engine import make_engine
    from db.migrate import upgrade
    from db.places.groups import load_groups
    from reports.data import load
    from reports.index import WINDOW_WEEKS, raw_median_indexes, ward_indexes
    from simulator.load import load_market
    from simulator.market import DEMO_SCALE, build_market, demo_config
    from simulator.truth import area_wards, index_against_truth

    config = demo_config(seed, days, DEMO_SCALE * scale)
    config = replace(config, biases=tuple(b for b in config.biases if b not in without))
    market = build_market(config)
    with tempfile.TemporaryDirectory(prefix="condo-index-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'index.sqlite3'}")
        upgrade(engine)
        load_market(engine, market, range(config.days))
        data = load(engine)
        engine.dispose()
    indexes, medians = ward_indexes(data, building_effects), raw_median_indexes(data)
    tables = {area: indexes[area].table for area in AREAS if area in indexes}
    rows = index_against_truth(config, tables, area_wards(load_groups()), WINDOW_WEEKS)
    for row in rows:
        raw = medians[row["area"]].set_index("week_end")["raw_median_index"]
        row.update(seed=seed, raw_median=float(raw.get(row["week_end"], math.nan)))
        row["observations"] = int(tables[row["area"]]["observations"].iloc[row["week"]])
    return rows


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The figures of the module docstring over ``rows`` (base weeks left out)."""
    rows = [r for r in rows if r["week"] > 0]
    if not rows:
        return {"weeks": 0}
    gaps = [r["index"] - r["truth"] for r in rows]
    raw = [r["raw_median"] - r["truth"] for r in rows if not math.isnan(r["raw_median"])]
    return {
        "weeks": len(rows),
        "mean_gap": round(statistics.mean(gaps), 3),
        "max_abs_gap": round(max(abs(g) for g in gaps), 3),
        "coverage": round(sum(r["low"] <= r["truth"] <= r["high"] for r in rows) / len(rows), 4),
        "mean_interval_width": round(statistics.mean(r["high"] - r["low"] for r in rows), 3),
        # The gap in standard errors (the interval's half-width / 1.96): about 1.96 at most in 95 % of
        # values if the index is unbiased and its errors are right; a large gap with a small z is noise.
        "max_abs_z": round(max(abs(r["index"] - r["truth"]) * 3.92 / max(r["high"] - r["low"], 1e-9) for r in rows), 2),
        "raw_median": {
            "mean_gap": round(statistics.mean(raw), 3) if raw else None,
            "max_abs_gap": round(max(abs(g) for g in raw), 3) if raw else None,
        },
    }


def measure(
    seeds: Sequence[int],
    workers: int = 2,
    days: int = DEMO_NIGHTS,
    scale: float = 1.0,
    without: tuple[str, ...] = (),
    building_effects: bool = True,
) -> dict[str, Any]:
    """Every seed's market (``workers`` at a time, each in a process of its own), summarised per area,
    overall and per seed, with the targets and whether they are met."""
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    n = len(seeds)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        per_seed = list(pool.map(weekly_rows, seeds, [days] * n, [scale] * n, [without] * n, [building_effects] * n))
    rows = [row for seed_rows in per_seed for row in seed_rows]
    overall = summarise(rows)
    areas = {area: summarise([r for r in rows if r["area"] == area]) for area in AREAS}
    meets = bool(
        overall.get("weeks")
        and overall["coverage"] >= TARGETS["coverage"]
        and abs(overall["mean_gap"]) <= TARGETS["abs_mean_gap"]
        and overall["max_abs_gap"] <= TARGETS["max_abs_gap"]
    )
    return {
        "simulated_data": "every market here is SIMULATED (simulator/market.py)",
        "seeds": list(seeds),
        "nights": days,
        "arrivals_scale": scale,
        "biases_off": list(without),
        "building_effects": building_effects,
        "targets": TARGETS,
        "overall": overall,
        "areas": areas,
        "worst_area_mean_gap": max((abs(a["mean_gap"]) for a in areas.values() if a.get("weeks")), default=None),
        "per_seed": {
            str(seed): {area: summarise([r for r in seed_rows if r["area"] == area]) for area in AREAS}
            for seed, seed_rows in zip(seeds, per_seed, strict=True)
        },
        "meets_targets": meets,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _size(result: dict[str, Any]) -> str:
    scale = result.get("arrivals_scale", 1.0)
    return "the demo's size" if scale == 1.0 else f"{scale:g}× the demo's new listings a day"


def _biases(result: dict[str, Any]) -> str:
    off = result.get("biases_off") or []
    return "every bias on" if not off else f"every bias on but {', '.join(off)}"


def _variant(result: dict[str, Any]) -> str:
    return "with building effects" if result.get("building_effects", True) else "without building effects"


def summary_lines(result: dict[str, Any]) -> list[str]:
    """The results as a Markdown table."""
    seeds = result["seeds"]
    lines = [
        f"Index accuracy on {len(seeds)} SIMULATED markets (seeds {seeds[0]}-{seeds[-1]}, {result['nights']} nights "
        f"each, {_size(result)}, {_biases(result)}; the index {_variant(result)}), index points against the "
        "injected trend, each value a four-week window, the base window left out:",
        "",
        "| Area | Values | Mean gap | Largest gap | Largest gap in standard errors | Coverage of the 95 % interval "
        "| Raw median: mean gap | Raw median: largest gap |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, figures in [*result["areas"].items(), ("All", result["overall"])]:
        if not figures.get("weeks"):
            continue
        raw = figures["raw_median"]
        lines.append(
            f"| {name} | {figures['weeks']} | {figures['mean_gap']:+.2f} | {figures['max_abs_gap']:.2f} | "
            f"{figures['max_abs_z']:.2f} | {figures['coverage']:.1%} | {raw['mean_gap']:+.2f} | "
            f"{raw['max_abs_gap']:.2f} |"
        )
    t = result["targets"]
    lines += [
        "",
        f"Targets: coverage ≥ {t['coverage']:.0%}, |mean gap| ≤ {t['abs_mean_gap']}, largest gap ≤ {t['max_abs_gap']}: "
        + ("met." if result["meets_targets"] else "**not met**."),
    ]
    return lines
