"""reports.index.ols_hc1 gives statsmodels' figures (OLS, pinv, HC1) in a few blocks of rows of memory."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

from reports.index import ROWS_AT_A_TIME, ols_hc1


def _design(rows: int, seed: int, collinear: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    weeks = rng.integers(0, 12, rows)
    columns = [np.ones(rows)] + [(weeks == week).astype(float) for week in range(1, 12)]
    columns += [rng.normal(4, 0.4, rows), rng.integers(1, 40, rows).astype(float), (rng.random(rows) < 0.1) * 1.0]
    if collinear:  # an exactly collinear pair, as two dummies of the same flats would be
        columns.append(columns[-1] * 1.0)
    x = np.column_stack(columns)
    y = x @ rng.normal(0, 0.1, x.shape[1]) + rng.standard_t(4, rows) * 0.05 * (1 + columns[-2] / 40)
    return x, y


@pytest.mark.parametrize("rows", [40, ROWS_AT_A_TIME - 1, 3 * ROWS_AT_A_TIME + 17])
@pytest.mark.parametrize("collinear", [False, True], ids=["full-rank", "collinear"])
def test_the_figures_are_statsmodels(rows: int, collinear: bool) -> None:
    x, y = _design(rows, seed=rows, collinear=collinear)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SingularMatrixWarning)
        expected = sm.OLS(y, x).fit(method="pinv", cov_type="HC1")
    params, cov, df_resid = ols_hc1(x, y)
    assert df_resid == expected.df_resid == rows - x.shape[1] + collinear
    np.testing.assert_allclose(params, expected.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(cov, expected.cov_params(), rtol=1e-8, atol=1e-15)
