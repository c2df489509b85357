"""The index controls for land tenure: a week with more leasehold flats is not a fall in prices."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reports.index import fit_index


def new_flat(unit_key: int, week: pd.Timestamp, price: float, area: float, **fields: object) -> dict[str, object]:
    """One row of the index's input: a new flat of a freehold ten-floor building in 豊洲 built in 2010
    (``fields`` change any of it)."""
    return {
        "unit_key": unit_key,
        "week_end": week,
        "year": week.year,
        "price_yen": price,
        "area_m2": area,
        "area_basis": "wall_center",
        "floor": 5.0,
        "built_year": 2010.0,
        "walk_minutes": 5.0,
        "total_floors": 10.0,
        "district": "豊洲",
        "land_tenure": "ownership",
        **fields,
    }


def market(control: bool, seed: int = 7) -> pd.DataFrame:
    """Twelve weeks of new flats at a flat true price; leasehold flats (30 % cheaper) go from 5 % of the
    new flats to 60 % over the span. ``control=False`` hides the tenure (as a page that does not say)."""
    rng = np.random.default_rng(seed)
    rows = []
    weeks = pd.date_range("2026-09-14", periods=12, freq="7D")
    for i, week in enumerate(weeks):
        share = 0.05 + 0.55 * i / (len(weeks) - 1)
        for n in range(60):
            leasehold = rng.random() < share
            area = float(rng.uniform(35, 95))
            price = 1_300_000 * area * (0.7 if leasehold else 1.0) * float(np.exp(rng.normal(0, 0.05)))
            tenure = ("fixed_term_leasehold" if leasehold else "ownership") if control else None
            rows.append(new_flat(i * 1000 + n, week, price, area, land_tenure=tenure))
    return pd.DataFrame(rows)


def test_a_shift_to_leaseholds_is_not_a_fall_when_the_tenure_is_known() -> None:
    covered = 0
    for seed in range(1, 11):
        with_tenure = fit_index(market(control=True, seed=seed), "koto")
        without = fit_index(market(control=False, seed=seed), "koto")
        assert with_tenure is not None and without is not None
        last = with_tenure.table.iloc[-1]
        # The truth is 100 throughout. Blind to tenure, the index falls with the leasehold share (−15 % or so).
        assert abs(last["index"] - 100) < 2.0, (seed, with_tenure.table)
        assert without.table["index"].iloc[-1] < 90, (seed, without.table)
        covered += bool(last["low"] <= 100 <= last["high"])
    # A 95 % interval: 8 of these 10 seeds cover the truth in the last window (measured; the windows overlap).
    assert covered >= 8
