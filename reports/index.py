"""A hedonic index of new asking prices per m², per ward and for Minato's 3A as a whole.

Asking prices are sticky: a listing keeps the price its seller set when it came on the market, less
any cuts, so the stock of listings on the site in a week tells more about past weeks than about this
one. The index is therefore built on **new listings**: each flat enters once, at the first asking
price of its first listing, in the week it first appeared (a flat seen before, relisted or sold by a
second agent, does not enter again).

log(price per m²) = Σ_t δ_t·week_t + β·controls + ε, fitted by least squares (:func:`ols_hc1`) with
heteroskedasticity-robust (HC1) standard errors; one row per flat, so errors clustered by flat are
the same thing. Controls are the MLIT ones we have: log floor area and size band, floor, tower (20+
floors), building age, walk minutes, district, whether the area shown is the registered one
(登記, measured inside the walls, a few % smaller than the wall-centre area), and the land tenure (a
leasehold or fixed-term leasehold flat sells far below a freehold one, so a week with more of them
would otherwise look like a fall; an unknown tenure is its own category). Each building with at least
MIN_BUILDING_FLATS new flats has an effect of its own (the premium its flats share, which no listing
field states), absorbed rather than a column each (thousands of buildings at all-Tokyo size); flats of
other buildings carry the controls.

One week has too few new flats to be quoted (a ward has 20-40 on the demo's market): the published
value for a week is the mean of δ_t over the **four weeks ending that week** (the window of every other
metric of the report), and its 95 % interval comes from the fit's covariance of that mean. The index is
100 in the first full window after a four-week burn-in. How close it comes to the truth on simulated
markets it was not tuned on is measured by ``python -m benchmarks --only index`` (docs/report.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from db.places.groups import load_groups
from reports.data import ReportData
from reports.metrics import LEASEHOLD, WARDS, in_group, units_table

RETURN_WINDOW_DAYS = 28
"""Listings first seen this soon after the tracker's first night may be returning from before it began,
at an old price: they are left out of the index (a burn-in of four weeks)."""
WINDOW_WEEKS = 4
"""Weeks pooled in each published value of the index."""
MIN_UNITS = 20
"""An area needs this many new flats (after the burn-in) to get an index."""
MIN_BUILDING_FLATS = 2
"""A building gets an effect of its own in the fit once it has this many new flats in the area's data."""
AREA_BANDS = ((0, 40), (40, 50), (50, 70), (70, 90))
"""Size bands (m²) used as dummies beside log floor area; 90 m² and over is the base."""


@dataclass
class IndexResult:
    area: str
    table: pd.DataFrame
    """week_end (last day of the window), index, low, high, observations (new flats in the window), units."""


def _week_end(moments: pd.Series) -> pd.Series:
    """The Monday 00:00 after each moment's day (the exclusive end of its ISO week)."""
    days = moments.dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D") + pd.Timedelta(days=7)


def new_listing_observations(data: ReportData) -> pd.DataFrame:
    """One row per flat: the first asking price of its first listing, in the week it first appeared.

    Flats already on the site on the tracker's first night, or first seen in its first
    RETURN_WINDOW_DAYS, are left out: their price may have been set before the tracker began.
    """
    units = units_table(data)
    listings = data.listings.set_index("listing_id")
    first_price = data.prices.sort_values("seen_at", kind="stable").groupby("listing_id").first().reset_index()
    first_price["unit_key"] = first_price["listing_id"].map(listings["unit_key"])
    first_price["first_seen_at"] = first_price["listing_id"].map(listings["first_seen_at"])
    first_price = first_price.dropna(subset=["price_yen", "first_seen_at"])
    # A flat enters once: at its first listing (a second agent's or a later relisting does not enter).
    first_price = first_price.sort_values(["first_seen_at", "listing_id"], kind="stable")
    first_price = first_price.drop_duplicates("unit_key", keep="first")
    if data.sightings.empty:
        return first_price.iloc[:0]
    if data.since is not None:  # a flat first seen before the weeks read is not new in them
        first_price = first_price[first_price["first_seen_at"] >= data.since]
    first_night = (data.first_seen if data.first_seen is not None else data.sightings["seen_at"].min()).normalize()
    fresh = first_price["first_seen_at"].dt.normalize() > first_night + pd.Timedelta(days=RETURN_WINDOW_DAYS)
    # A flat whose first listing fell in the burn-in stays out, with its later listings.
    first_price = first_price[fresh]
    first_price["week_end"] = _week_end(first_price["first_seen_at"])
    frame = first_price[["unit_key", "listing_id", "week_end", "price_yen"]].join(units, on="unit_key")
    frame["year"] = frame["week_end"].dt.year
    return frame.dropna(subset=["price_yen", "area_m2"])


def _design(
    frame: pd.DataFrame, weeks: list[pd.Timestamp], building_effects: bool = True, absorb: bool = False
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray | None]:
    """The regression's matrix, response and column names; with ``absorb`` the building effects are not
    columns but groups (each effect's building, -1 for the flats of the base), returned last (None
    when no building has an effect)."""
    age = (frame["year"] - frame["built_year"]).astype(float)
    columns: dict[str, np.ndarray] = {"const": np.ones(len(frame))}
    for week in weeks[1:]:
        columns[_week_name(week)] = (frame["week_end"] == week).to_numpy(float)
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
    # A registered area is measured inside the walls: the same flat shows fewer m², a higher price per m².
    columns["registered_area"] = (frame["area_basis"] == "inner").to_numpy(float)
    # Land tenure: ownership is the base; each lease kind, and an unknown tenure, a dummy of its own.
    tenure = frame["land_tenure"] if "land_tenure" in frame else pd.Series(None, index=frame.index, dtype=object)
    for kind in LEASEHOLD:
        columns[f"tenure {kind}"] = (tenure == kind).to_numpy(float)
    columns["tenure unknown"] = tenure.isna().to_numpy(float)
    districts = sorted(frame["district"].dropna().unique())
    for district in districts[1:]:
        columns[f"district {district}"] = (frame["district"] == district).to_numpy(float)
    # Building effects: a dummy for each building with at least two new flats here (a premium every flat
    # of it shares); the others (one flat, or no building known) are the base and carry the controls.
    groups = None
    if building_effects and "building_id" in frame:
        buildings = frame["building_id"]
        counts = buildings.value_counts()
        effects = sorted(counts[counts >= MIN_BUILDING_FLATS].index)
        if absorb and effects:
            groups = np.where(buildings.isin(effects).to_numpy(), buildings.to_numpy("float64"), -1.0)
        elif not absorb:
            for building in effects:
                columns[f"building {int(building)}"] = (buildings == building).to_numpy(float)
    # Absorbed effects leave no constant (each group's mean is taken out): it is not a column then.
    names = [n for n, v in columns.items() if np.ptp(v) > 0 or (n == "const" and groups is None)]
    x = np.empty((len(frame), len(names)))
    for index, name in enumerate(names):  # a column at a time: the columns are freed as they are copied
        x[:, index] = columns.pop(name)
    del columns
    y = np.log(frame["price_yen"].to_numpy(float) / frame["area_m2"].to_numpy(float))
    return x, y, names, groups


def _within(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each column less its mean in the row's group (``codes``: 0 … groups − 1), in place, a column at a
    time (a copy of the matrix would be the fit's largest allocation); returns ``values``."""
    counts = np.bincount(codes).astype(float)
    columns = values.reshape(len(values), -1)
    for index in range(columns.shape[1]):
        column = columns[:, index]
        column -= (np.bincount(codes, weights=column) / counts)[codes]
    return values


ROWS_AT_A_TIME = 8_192
"""Rows of the design read at a time by :func:`ols_hc1` (its memory is a few of these blocks)."""


def ols_hc1(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Least squares of ``y`` on ``x`` with HC1 (White, small-sample) covariance: (coefficients,
    covariance, residual degrees of freedom), the figures of statsmodels' ``OLS(y, x).fit(method="pinv",
    cov_type="HC1")`` (tests/test_index_ols.py) in a few blocks of rows of memory instead of several
    copies of the design.

    The R of a QR decomposition of ``[x | y]`` is built a block of rows at a time; x = QR gives the
    minimum-norm solution R⁺·Qᵀy (as x⁺y), (xᵀx)⁺ = R⁺R⁺ᵀ, and x's singular values (R's), hence its rank,
    with the thresholds statsmodels and numpy use (``pinv``'s 1e-15 of the largest; the rank's
    largest × columns × machine epsilon). The residuals' sandwich is summed a block at a time."""
    n, p = x.shape
    r = np.zeros((0, p + 1))
    for start in range(0, n, ROWS_AT_A_TIME):
        block = np.column_stack([x[start : start + ROWS_AT_A_TIME], y[start : start + ROWS_AT_A_TIME]])
        r = np.asarray(np.linalg.qr(np.vstack([r, block]), mode="r"))
    upper = np.zeros((p + 1, p + 1))
    upper[: r.shape[0]] = r
    r_x, qty = upper[:p, :p], upper[:p, p]
    singular = np.linalg.svd(r_x, compute_uv=False)
    rank = int((singular > singular.max() * p * np.finfo(float).eps).sum()) if p else 0
    inverse = np.linalg.pinv(r_x, rcond=1e-15)
    params = inverse @ qty
    bread = inverse @ inverse.T
    meat = np.zeros((p, p))
    for start in range(0, n, ROWS_AT_A_TIME):
        rows = x[start : start + ROWS_AT_A_TIME]
        scaled = rows * (y[start : start + ROWS_AT_A_TIME] - rows @ params)[:, None]
        meat += scaled.T @ scaled
    df_resid = n - rank
    return params, bread @ meat @ bread * (n / df_resid), df_resid


def _fit(
    x: np.ndarray, y: np.ndarray, names: list[str], groups: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """OLS with HC1 covariance: (coefficients, covariance, their names).

    With ``groups`` the building effects are absorbed (Frisch-Waugh-Lovell): y and every column are
    taken less their group's mean and fitted without a constant, which gives the coefficients and
    residuals of the regression with a dummy per group; HC1's degrees of freedom are then corrected for
    the groups absorbed, so the covariance is that regression's too. Thousands of buildings cost
    thousands of columns otherwise (minutes and gigabytes at all-Tokyo size). A district or band with
    no variation in the area is dropped by _design; an exactly collinear pair left over is solved by the
    pseudo-inverse (the week dummies are always identified)."""
    if groups is None:
        params, cov, _ = ols_hc1(x, y)
        return params, cov, names
    codes = pd.factorize(groups)[0]
    # x and y are the caller's, used once: taken less their group means where they are.
    params, cov, df_resid = ols_hc1(_within(x, codes), _within(y, codes))
    n = len(y)
    rank = n - df_resid
    scale = (n - rank) / (n - rank - (codes.max() + 1))
    return params, cov * scale, names


def _week_name(week: pd.Timestamp) -> str:
    return f"week {pd.Timestamp(week).date()}"


def _windows(weeks: list[pd.Timestamp]) -> list[list[pd.Timestamp]]:
    """The WINDOW_WEEKS consecutive calendar weeks ending at each week from the first full window on."""
    if not weeks:
        return []
    first, last = pd.Timestamp(weeks[0]), pd.Timestamp(weeks[-1])
    calendar = list(pd.date_range(first, last, freq="7D"))
    return [calendar[i - WINDOW_WEEKS + 1 : i + 1] for i in range(WINDOW_WEEKS - 1, len(calendar))]


def fit_index(frame: pd.DataFrame, area: str, building_effects: bool = True, absorb: bool = True) -> IndexResult | None:
    """Fit the time-dummy model on ``frame`` (new flats of one area) and average it over windows of
    WINDOW_WEEKS weeks; None without enough data (fewer than MIN_UNITS flats or than two windows).

    Ordinary least squares (:func:`ols_hc1`) with HC1 standard errors; the window means and their
    intervals are linear contrasts of the week coefficients. The building effects are absorbed
    (``absorb``, see :func:`_fit`); ``absorb=False`` fits them as dummy columns, the same figures slower.
    """
    weeks = sorted(pd.Timestamp(w) for w in frame["week_end"].unique())
    windows = _windows(weeks)
    if len(windows) < 2 or frame["unit_key"].nunique() < MIN_UNITS:
        return None
    params, cov, names = _fit(*_design(frame, weeks, building_effects, absorb))

    def mean_of(window: list[pd.Timestamp]) -> np.ndarray:
        # The first week is the regression's base (its δ is 0); a week without new flats has no δ and
        # the window's mean is over the weeks it has.
        present = [w for w in window if w in weeks]
        weights = np.zeros(len(names))
        for week in present:
            if _week_name(week) in names:
                weights[names.index(_week_name(week))] += 1 / len(present)
        return weights

    base = mean_of(windows[0])
    rows = []
    for window in windows:
        weights = mean_of(window) - base
        delta, se = float(weights @ params), float(np.sqrt(weights @ cov @ weights))
        in_window = frame[frame["week_end"].isin(window)]
        rows.append(
            {
                "week_end": (window[-1] - pd.Timedelta(days=1)).date().isoformat(),
                "index": 100 * np.exp(delta),
                "low": 100 * np.exp(delta - 1.96 * se),
                "high": 100 * np.exp(delta + 1.96 * se),
                "observations": len(in_window),
                "units": int(in_window["unit_key"].nunique()),
            }
        )
    return IndexResult(area, pd.DataFrame(rows))


def _areas(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each ward's rows, then each district group's (db/places/groups.toml: 3A, Koto's bay area, …)."""
    out = {english: frame[frame["ward_code"] == code] for code, (english, _) in WARDS.items()}
    codes, districts = frame["ward_code"].to_numpy("float64"), frame["district"].to_numpy(object)
    for group in load_groups():
        out[group.key] = frame[in_group(group, codes, districts)]
    return out


def ward_indexes(data: ReportData, building_effects: bool = True) -> dict[str, IndexResult]:
    """The index for each ward and each district group, 3A among them (areas with too few new flats for
    an index are left out); ``building_effects=False`` fits it without them (the benchmark's comparison)."""
    out: dict[str, IndexResult] = {}
    for area, rows in _areas(new_listing_observations(data)).items():
        result = fit_index(rows, area, building_effects)
        if result:
            out[area] = result
    return out


def raw_median_indexes(data: ReportData) -> dict[str, pd.DataFrame]:
    """The naive alternative the index is compared with: the median asking price per m² of the same new
    flats over the same windows, as 100 in the first window (for each area of :func:`ward_indexes`)."""
    return {area: _median_index(rows) for area, rows in _areas(new_listing_observations(data)).items()}


def _median_index(frame: pd.DataFrame) -> pd.DataFrame:
    weeks = sorted(pd.Timestamp(w) for w in frame["week_end"].unique())
    per_m2 = frame["price_yen"] / frame["area_m2"]
    ends, medians = [], []
    for window in _windows(weeks):
        ends.append((window[-1] - pd.Timedelta(days=1)).date().isoformat())
        medians.append(float(per_m2[frame["week_end"].isin(window)].median()))
    values = np.asarray(medians)
    return pd.DataFrame({"week_end": ends, "raw_median_index": 100 * values / values[0] if len(values) else values})
