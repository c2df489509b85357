"""The index learns buildings: new listings that lean toward a dear building are not a rise in prices.

A building's premium (view, brand, finish) is shared by every flat in it and no listing field carries
it. When the new listings of a month come more from one dear tower, an index blind to buildings reads
the mix as a rise; with an effect per building it does not. The simulator's side: ``building-premium``
is a bias of its own random stream, so every listing and date of a seed is unchanged by it.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from reports.index import fit_index
from simulator.market import BUILDING_PREMIUM_SIGMA, build_market, true_value
from tests.test_index_tenure import new_flat


def market(seed: int) -> pd.DataFrame:
    """Twelve weeks of new flats at a flat true price in ten buildings of the same kind; one of them is
    worth 25 % more, and its share of the new flats goes from 5 % to 60 % over the span."""
    rng = np.random.default_rng(seed)
    premiums = {building: 1.0 for building in range(1, 11)}
    premiums[1] = 1.25
    rows = []
    weeks = pd.date_range("2026-09-14", periods=12, freq="7D")
    for i, week in enumerate(weeks):
        share = 0.05 + 0.55 * i / (len(weeks) - 1)
        for n in range(60):
            building = 1 if rng.random() < share else int(rng.integers(2, 11))
            area = float(rng.uniform(35, 95))
            price = 1_300_000 * area * premiums[building] * float(np.exp(rng.normal(0, 0.05)))
            rows.append(new_flat(i * 1000 + n, week, price, area, building_id=building, total_floors=30.0))
    return pd.DataFrame(rows)


def test_a_shift_toward_a_dear_building_is_not_a_rise() -> None:
    covered = 0
    for seed in range(1, 11):
        frame = market(seed)
        with_buildings = fit_index(frame, "koto")
        blind = fit_index(frame, "koto", building_effects=False)
        assert with_buildings is not None and blind is not None
        last = with_buildings.table.iloc[-1]
        # The truth is 100 throughout; blind to buildings the index rises with the dear tower's share (about
        # +9 %: 40 points more of the new flats at +25 %).
        assert abs(last["index"] - 100) < 2.0, (seed, with_buildings.table)
        assert blind.table["index"].iloc[-1] > 105, (seed, blind.table)
        covered += bool(last["low"] <= 100 <= last["high"])
    assert covered >= 8


def test_a_building_seen_once_or_not_known_still_counts() -> None:
    """Flats of a building with one new flat, or with no building, are kept (they carry the controls)."""
    frame = market(3)
    frame.loc[frame.index[::7], "building_id"] = np.nan
    frame.loc[frame.index[1], "building_id"] = 99
    result = fit_index(frame, "koto")
    assert result is not None
    assert result.table["observations"].iloc[0] == 4 * 60
    assert abs(result.table["index"].iloc[-1] - 100) < 3


def test_the_simulated_market_has_building_premiums_of_their_own_stream() -> None:
    config = dataclasses.replace(build_market().config, days=14, warmup_days=14)
    with_premium = build_market(config)
    without = build_market(
        dataclasses.replace(config, biases=tuple(b for b in config.biases if b != "building-premium"))
    )
    # The buildings are the same (the premiums come from a random stream of their own); only the premium differs.
    assert [dataclasses.replace(b, premium=1.0) for b in with_premium.buildings.values()] == list(
        without.buildings.values()
    )
    premiums = np.array([b.premium for b in with_premium.buildings.values()])
    assert {b.premium for b in without.buildings.values()} == {1.0}
    assert abs(np.log(premiums).std() - BUILDING_PREMIUM_SIGMA) < 0.03
    # Every flat of a building is worth its premium more.
    unit = next(iter(with_premium.units.values()))
    building = with_premium.buildings[unit.building_id]
    value = true_value(with_premium, unit, 0)
    building.premium = 1.0
    assert value == pytest.approx(true_value(with_premium, unit, 0) * premiums[unit.building_id - 1])


def test_absorbed_building_effects_give_the_dummy_regression_s_figures() -> None:
    """Absorbing the effects (each flat less its building's mean) is the same regression as a dummy
    column per building: the same index and intervals (HC1's degrees of freedom corrected), with
    buildings of one flat, flats of no known building and two districts in the mix."""
    frame = market(3)
    frame.loc[frame.index % 7 == 0, "building_id"] = np.nan
    frame.loc[frame.index % 11 == 0, "building_id"] = 100 + frame.index[frame.index % 11 == 0]
    frame.loc[frame["building_id"] == 4, "district"] = "有明"
    absorbed = fit_index(frame, "koto")
    dummies = fit_index(frame, "koto", absorb=False)
    assert absorbed is not None and dummies is not None
    pd.testing.assert_frame_equal(absorbed.table, dummies.table, rtol=1e-9)
