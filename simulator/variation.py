"""How much a ward moves from one night to the next on the simulated market: the measurement behind
the verdict's default thresholds (scraper.health.Thresholds; docs/operations.md).

For every ward and night it compares the listings on the site with the median of the ward's previous
seven nights (the verdict's baseline), and counts the listings that left since the night before as a
share of the ward (what a night's removals would be). The largest of each, over many seeded markets,
is what a healthy night can do; the thresholds sit well above it.

    python -m simulator.variation --seeds 1-20            # the demo's market (demo_config: 91 nights)
    python -m simulator.variation --seeds 1-20 --small    # the drill tests' market
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass

from simulator.market import WARDS, MarketConfig, build_market, demo_config


@dataclass(frozen=True)
class Variation:
    seed: int
    largest_fall: float
    """Largest fall of a ward's listings below the median of its previous seven nights (a share)."""
    largest_fall_listings: float
    largest_departure_share: float
    """Largest share of a ward's listings gone since the night before."""
    largest_departures: int
    smallest_ward: int
    largest_ward: int
    largest_long_fall: float = 0.0
    """Largest fall below the median of the previous 28 nights (the verdict's longer baseline), among
    falls of at least MIN_FALL_LISTINGS listings (smaller ones never make a night suspect)."""


MIN_FALL_LISTINGS = 10
"""The verdict's floor (Thresholds.min_fall_listings): a fall of fewer listings is never suspect."""
LONG_NIGHTS = 28


def measure(config: MarketConfig) -> Variation:
    market = build_market(config)
    fall, fall_listings, share, departures, long_fall = 0.0, 0.0, 0.0, 0, 0.0
    sizes: list[int] = []
    for ward in WARDS:
        counts = [len(market.active(day, ward)) for day in range(config.days)]
        sizes += counts
        for day in range(1, config.days):
            base = statistics.median(counts[max(0, day - 7) : day])
            if (base - counts[day]) / base > fall:
                fall, fall_listings = (base - counts[day]) / base, base - counts[day]
            longer = statistics.median(counts[max(0, day - LONG_NIGHTS) : day])
            if longer - counts[day] >= MIN_FALL_LISTINGS:
                long_fall = max(long_fall, (longer - counts[day]) / longer)
            left = sum(1 for listing in market.active(day - 1, ward) if not listing.active(day))
            if left / counts[day - 1] > share:
                share, departures = left / counts[day - 1], left
    return Variation(config.seed, fall, fall_listings, share, departures, min(sizes), max(sizes), long_fall)


def small_config(seed: int) -> MarketConfig:
    """The drill tests' market (tests/test_drills.py)."""
    return MarketConfig(
        seed=seed, days=8, buildings_per_ward=10, arrivals_per_day={"koto": 3.0, "bunkyo": 2.0, "minato": 3.0}
    )


def replay_config(seed: int) -> MarketConfig:
    """The replay tests' market (tests/test_replay_truth.py): three weeks, wards of a few dozen."""
    return MarketConfig(
        seed=seed, days=21, buildings_per_ward=10, arrivals_per_day={"koto": 2.0, "bunkyo": 1.5, "minato": 2.0}
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seeds", default="1-20", help="A-B: the seeds of the markets to measure (default 1-20).")
    parser.add_argument("--small", action="store_true", help="The drill tests' market instead of the demo's.")
    parser.add_argument(
        "--replay", action="store_true", help="The replay tests' market (three weeks, small wards) instead."
    )
    args = parser.parse_args(argv)
    first, _, last = args.seeds.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        parser.error("--seeds takes A-B (whole numbers)")
    seeds = range(int(first), int(last or first) + 1)
    configs = {True: small_config, False: demo_config}
    make = replay_config if args.replay else configs[args.small]
    results = [measure(make(seed)) for seed in seeds]
    print("SIMULATED markets: seed, largest fall below the 7-night median, largest one-night departures, ward sizes")
    for r in results:
        print(
            f"  {r.seed:3}  fall {r.largest_fall:5.1%} ({r.largest_fall_listings:g} listings)  departures "
            f"{r.largest_departure_share:5.1%} ({r.largest_departures})  wards {r.smallest_ward}-{r.largest_ward}"
            f"  28-night fall {r.largest_long_fall:5.1%}"
        )
    print(
        f"Over {len(results)} markets: largest fall {max(r.largest_fall for r in results):.1%}, "
        f"largest departures {max(r.largest_departure_share for r in results):.1%}, "
        f"largest fall below the 28-night median {max(r.largest_long_fall for r in results):.1%}"
    )


if __name__ == "__main__":
    main()
