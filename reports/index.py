"""A hedonic time-dummy index of asking price per m², per ward and for Minato's 3A as a whole.

log(price per m²) = Σ_t δ_t·week_t + β·controls + ε, fitted by least squares on unit-weeks (each flat
active in a week, at its asking price at its last sighting that week). Controls are the MLIT ones we
have: log floor area, floor, tower (20+ floors), building age, walk minutes, and district dummies,
plus time on the market (asking prices are cut as a listing ages). Flats already listed on the
tracker's first night are left out: their listing date is unknown.
The index is 100·exp(δ_t − δ_base); its 95 % interval uses standard errors clustered by unit (one
flat is observed week after week), from statsmodels. How close it comes to the truth on simulated
markets it was not tuned on is measured by ``python -m benchmarks --only index`` (docs/report.md).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

from reports.data import ReportData
from reports.metrics import AREA_GROUPS, WARDS, units_table

RETURN_WINDOW_DAYS = 28
"""Listings first seen this soon after the tracker's first night may be returning from before it began:
their listing date is unknown and they are left out of the index (a burn-in of four weeks)."""
AREA_BANDS = ((0, 40), (40, 50), (50, 70), (70, 90))
"""Size bands (m²) used as dummies beside log floor area; 90 m² and over is the base."""
CONTROLS = (
    "log floor area and size band, floor, tower (20+ floors), building age, walk minutes to the station, district,"
    " and time on the market"
)


@dataclass
class IndexResult:
    area: str
    table: pd.DataFrame
    """week_end, index, low, high, observations, units (per week)."""


def weekly_observations(data: ReportData) -> pd.DataFrame:
    """Unit-weeks: each flat active in a week, priced at its cheapest listing's last price that week."""
    units = units_table(data)
    seen = data.sightings.copy()
    seen["week_end"] = seen["date"] - pd.to_timedelta(seen["date"].dt.day_of_week, unit="D") + pd.Timedelta(days=7)
    last = seen.groupby(["listing_id", "week_end"])["seen_at"].max().reset_index()
    last = last.sort_values("seen_at")
    prices = data.prices.sort_values("seen_at")
    priced = pd.merge_asof(last, prices, on="seen_at", by="listing_id", direction="backward")
    # Time on the market counts from the listing's first sighting. A listing that comes back after a gap
    # keeps its old asking price (less a cut), so it keeps its clock too; a flat relisted by a new agent
    # is a new listing with a fresh price and a fresh clock.
    priced["spell_start"] = priced["listing_id"].map(data.listings.set_index("listing_id")["first_seen_at"])
    priced["unit_key"] = priced["listing_id"].map(data.listings.set_index("listing_id")["unit_key"])
    priced = priced.dropna(subset=["price_yen"])
    cheapest = priced.loc[priced.groupby(["unit_key", "week_end"])["price_yen"].idxmin()]
    frame = cheapest[["unit_key", "week_end", "price_yen", "spell_start"]].join(units, on="unit_key")
    frame["year"] = frame["week_end"].dt.year
    # Listings already on the site on the tracker's first night have an unknown listing date: their
    # time on the market (a control) would be wrong, so they are left out. So are listings first seen in
    # the tracker's first RETURN_WINDOW_DAYS: a listing withdrawn before the tracker began can come back
    # under its old id and old price, and would pass for a new one (on the simulated market, leaving
    # them in made the index drift up by about 0.15 points a week).
    first_night = data.sightings["date"].min()
    frame = frame[frame["spell_start"].dt.normalize() > first_night + pd.Timedelta(days=RETURN_WINDOW_DAYS)]
    frame["weeks_on_market"] = (frame["week_end"] - frame["spell_start"]).dt.days / 7
    return frame.dropna(subset=["price_yen", "area_m2"])


def _design(frame: pd.DataFrame, weeks: list[pd.Timestamp]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    age = (frame["year"] - frame["built_year"]).astype(float)
    columns: dict[str, np.ndarray] = {"const": np.ones(len(frame))}
    for week in weeks[1:]:
        columns[f"week {week.date()}"] = (frame["week_end"] == week).to_numpy(float)
    area = frame["area_m2"].to_numpy(float)
    columns["log_area"] = np.log(area)
    # Price per m² is not log-linear in size (small flats cost more per m²): size bands as well.
    for low, high in AREA_BANDS:
        columns[f"area {low}-{high} m2"] = ((area >= low) & (area < high)).astype(float)
    for name, values in (("floor", frame["floor"]), ("age", age), ("walk", frame["walk_minutes"])):
        filled = values.astype(float)
        columns[name] = filled.fillna(filled.median()).to_numpy()
        columns[f"{name}_missing"] = values.isna().to_numpy(float)
    columns["tower"] = (frame["total_floors"].fillna(0) >= 20).to_numpy(float)
    # Asking prices fall the longer a flat stays on the market; without this control the index would
    # follow the ageing of the stock instead of the market.
    columns["weeks_on_market"] = frame["weeks_on_market"].clip(lower=0).to_numpy(float)
    districts = sorted(frame["district"].dropna().unique())
    for district in districts[1:]:
        columns[f"district {district}"] = (frame["district"] == district).to_numpy(float)
    names = [n for n, v in columns.items() if np.ptp(v) > 0 or n == "const"]
    x = np.column_stack([columns[n] for n in names])
    y = np.log(frame["price_yen"].to_numpy(float) / frame["area_m2"].to_numpy(float))
    return x, y, names


def fit_index(frame: pd.DataFrame, area: str) -> IndexResult | None:
    """Fit the time-dummy model on ``frame`` (unit-weeks of one area); None without enough data.

    Ordinary least squares (statsmodels) with standard errors clustered by unit (CR1: the same flat is
    observed week after week, so its errors are not independent).
    """
    weeks = sorted(frame["week_end"].unique())
    if len(weeks) < 2 or frame["unit_key"].nunique() < 20:
        return None
    x, y, names = _design(frame, weeks)
    codes, _ = pd.factorize(frame["unit_key"].to_numpy())
    with warnings.catch_warnings():
        # A district or band with no variation in this area is dropped by _design; an exactly collinear
        # pair left over is solved by the pseudo-inverse (the week dummies are always identified).
        warnings.simplefilter("ignore", SingularMatrixWarning)
        fit = sm.OLS(y, x).fit(method="pinv", cov_type="cluster", cov_kwds={"groups": codes})
    params, errors = np.asarray(fit.params), np.asarray(fit.bse)
    rows = []
    counts = frame.groupby("week_end").agg(observations=("unit_key", "size"), units=("unit_key", "nunique"))
    for week in weeks:
        name = f"week {pd.Timestamp(week).date()}"
        if name in names:
            i = names.index(name)
            delta, se = float(params[i]), float(errors[i])
        else:
            delta, se = 0.0, 0.0
        rows.append(
            {
                "week_end": (pd.Timestamp(week) - pd.Timedelta(days=1)).date().isoformat(),
                "index": 100 * np.exp(delta),
                "low": 100 * np.exp(delta - 1.96 * se),
                "high": 100 * np.exp(delta + 1.96 * se),
                "observations": int(counts.loc[week, "observations"]),
                "units": int(counts.loc[week, "units"]),
            }
        )
    return IndexResult(area, pd.DataFrame(rows))


def ward_indexes(data: ReportData) -> dict[str, IndexResult]:
    """The index for each ward and for 3A as a whole (areas with too little data are left out)."""
    frame = weekly_observations(data)
    out: dict[str, IndexResult] = {}
    for code, (english, _) in WARDS.items():
        result = fit_index(frame[frame["ward_code"] == code], english)
        if result:
            out[english] = result
    result = fit_index(frame[frame["area_group"].isin(list(AREA_GROUPS))], "3A")
    if result:
        out["3A"] = result
    return out


def raw_median_index(data: ReportData, area_codes: list[int]) -> pd.DataFrame:
    """The naive alternative the index is compared with: the weekly median asking price per m², as 100
    in the first week."""
    frame = weekly_observations(data)
    return _median_index(frame[frame["ward_code"].isin(area_codes)])


def raw_median_indexes(data: ReportData) -> dict[str, pd.DataFrame]:
    """:func:`raw_median_index` for each ward and for 3A as a whole (the areas of :func:`ward_indexes`)."""
    frame = weekly_observations(data)
    out = {english: _median_index(frame[frame["ward_code"] == code]) for code, (english, _) in WARDS.items()}
    out["3A"] = _median_index(frame[frame["area_group"].isin(list(AREA_GROUPS))])
    return out


def _median_index(frame: pd.DataFrame) -> pd.DataFrame:
    medians = (frame["price_yen"] / frame["area_m2"]).groupby(frame["week_end"]).median()
    return pd.DataFrame(
        {
            "week_end": [(w - pd.Timedelta(days=1)).date().isoformat() for w in medians.index],
            "raw_median_index": 100 * medians.to_numpy() / medians.iloc[0],
        }
    )
