"""BG/NBD with static covariates: kernels, gradient, invariants and CLVTools' references."""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat import BGNBD, TransactionLog, rfm_summary
from ecomstrat._kernels.covariates import bgnbd_loglik_terms
from ecomstrat.exceptions import BoundaryEstimateWarning, ConvergenceError, InvalidInputError
from ecomstrat.frames.covariates import CustomerCovariates
from ecomstrat.models._covariate_models import Rows
from ecomstrat.models._covariates import CovariateMatrices
from ecomstrat.models._data import RFMArrays
from ecomstrat.models.covariate_bgnbd import _FAMILY, CovariateBGNBD, FittedCovariateBGNBD
from tests.reference.bgnbd import bgnbd_loglik_python

BOTH = ("Gender", "Channel")
X = np.array([0.0, 1.0, 3.0, 6.0, 2.0, 0.0])
TX = np.array([0.0, 5.0, 20.0, 93.29, 99.57, 0.0])
TT = np.array([30.0, 40.0, 52.0, 104.0, 104.0, 80.0])
IDS = np.array(["a", "b", "c", "d", "e", "f"])
GENDER = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
CHANNEL = np.array([1.0, 1.0, 0.0, 0.0, 1.0, 0.0])
DATA = (X, TX, TT)
#: The fixed parameters of CLVTools' pointwise file (README-covariates.md).
FIXED = {
    "purchase.Gender": 0.3,
    "purchase.Channel": 0.6,
    "dropout.Gender": -0.2,
    "dropout.Channel": 0.3,
}


def _covariates() -> CustomerCovariates:
    return CustomerCovariates.from_arrays(IDS, {"Gender": GENDER, "Channel": CHANNEL})


def _model(coefficients: dict[str, float]) -> FittedCovariateBGNBD:
    return CovariateBGNBD(purchase=BOTH, dropout=BOTH).from_params(
        r=0.6, alpha=20.0, a=1.3, b=8.9, coefficients=coefficients, time_unit="week",
        covariates=_covariates(),
    )  # fmt: skip


def test_one_dropout_coefficient_scales_a_and_b() -> None:
    # customer "b" (1, 1): α = 20 e^(−0.9) = 8.1314, a = 1.3 e^(−0.2 + 0.3) = 1.3 · 1.10517
    # = 1.43672, b = 8.9 · 1.10517 = 9.8360; a/(a + b) = 1.3/10.2 = 0.12745 for everyone.
    per = _model(FIXED).customer_params(DATA, covariates=_covariates())
    assert per["alpha"][1] == pytest.approx(8.1314, abs=1e-4)
    assert per["a"][1] == pytest.approx(1.43672, abs=1e-5)
    assert per["b"][1] == pytest.approx(9.8360, abs=1e-4)
    np.testing.assert_allclose(per["a"] / (per["a"] + per["b"]), 1.3 / 10.2, rtol=1e-14)


def test_each_customer_is_a_bgnbd_at_its_own_parameters() -> None:
    m = _model(FIXED)
    scale = math.exp(0.1)
    plain = BGNBD.from_params(
        r=0.6, alpha=20 * math.exp(-0.9), a=1.3 * scale, b=8.9 * scale, time_unit="week"
    )
    data = (X[1:2], TX[1:2], TT[1:2])
    cov = {"customer_id": ["b"], "Gender": [1.0], "Channel": [1.0]}
    checks = [
        ("probability_alive", (data,), {}),
        ("conditional_expected_purchases", (26, data), {}),
        ("conditional_probability_of_purchases", (1, 26, data), {}),
        ("expected_residual_purchases", (data,), {"annual_discount_rate": 0.1}),
    ]
    for name, args, kwargs in checks:
        ours = getattr(m, name)(*args, **kwargs, covariates=cov)
        np.testing.assert_allclose(ours, getattr(plain, name)(*args, **kwargs), rtol=1e-13)


def test_all_coefficients_zero_is_the_plain_bgnbd() -> None:
    m = _model(dict.fromkeys(FIXED, 0.0))
    plain = BGNBD.from_params(r=0.6, alpha=20.0, a=1.3, b=8.9, time_unit="week")
    cov = _covariates()
    np.testing.assert_allclose(
        m.probability_alive(DATA, covariates=cov), plain.probability_alive(DATA), rtol=1e-14
    )
    np.testing.assert_allclose(
        m.conditional_expected_purchases(52, DATA, covariates=cov),
        plain.conditional_expected_purchases(52, DATA),
        rtol=1e-14,
    )
    assert m.log_likelihood(DATA, covariates=cov) == pytest.approx(
        plain.log_likelihood(DATA), rel=1e-13
    )
    np.testing.assert_allclose(
        m.expected_purchases([5.0, 52.0]), plain.expected_purchases([5.0, 52.0]), rtol=1e-14
    )
    np.testing.assert_allclose(
        m.probability_of_purchases([0, 1, 3], 52), plain.probability_of_purchases([0, 1, 3], 52),
        rtol=1e-14,
    )  # fmt: skip


def test_kernel_terms_against_the_mpmath_reference() -> None:
    alpha = 20.0 * np.exp(-(0.3 * GENDER + 0.6 * CHANNEL))
    scale = np.exp(-0.2 * GENDER + 0.3 * CHANNEL)
    terms = bgnbd_loglik_terms(0.6, alpha, 1.3 * scale, 8.9 * scale, X, TX, TT)
    for i in range(len(X)):
        params = (0.6, alpha[i], 1.3 * scale[i], 8.9 * scale[i])
        value, grad = bgnbd_loglik_python(params, X[i : i + 1], TX[i : i + 1], TT[i : i + 1], [1])
        assert terms[i, 0] == pytest.approx(value, rel=1e-12)
        np.testing.assert_allclose(terms[i, 1:], grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("equal", [(), ("Channel",)])
def test_gradient_matches_finite_differences(equal: tuple[str, ...]) -> None:
    spec = CovariateBGNBD(purchase=BOTH, dropout=BOTH, equal=equal).spec
    design = np.column_stack([GENDER, CHANNEL])
    rows = Rows.build(
        RFMArrays(X, TX, TT, np.array([1.0, 2.0, 1.0, 1.0, 3.0, 1.0])),
        CovariateMatrices(design, design),
        compress=False,
    )
    theta = np.array([0.6, 20.0, 1.3, 8.9, *np.linspace(-0.4, 0.5, spec.n_coefficients)])

    def value(point: np.ndarray) -> tuple[float, np.ndarray]:
        gp, gd = spec.expand(point[4:])
        total, d_base, d_p, d_d = _FAMILY.loglik(point[:4], gp, gd, rows)
        return total, np.concatenate([d_base, spec.gradient(d_p, d_d)])

    _, analytic = value(theta)
    for j in range(len(theta)):
        h = 1e-6 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        numeric = (value(up)[0] - value(down)[0]) / (2 * h)
        assert analytic[j] == pytest.approx(numeric, rel=1e-6, abs=1e-7)


@given(n=st.integers(0, 6), t=st.floats(0.0, 200.0))
def test_conditional_pmf_is_a_probability(n: int, t: float) -> None:
    p = _model(FIXED).conditional_probability_of_purchases(n, t, DATA, covariates=_covariates())
    assert np.all((p >= 0) & (p <= 1))


def test_merged_rows_fit_as_the_expanded_rows() -> None:
    # duplicated customers (same history and covariates) are merged before the fit: fitting
    # 3 copies equals fitting one copy with weight 3.
    from ecomstrat.datasets import simulate_transactions

    summary = simulate_transactions(400, seed=3).summary()  # weeks
    x, t_x, T = summary.frequency, summary.recency, summary.T
    n = len(x)
    rng = np.random.default_rng(3)
    channel = rng.integers(0, 2, n).astype(float)
    model = CovariateBGNBD(purchase=["channel"])
    once = model.fit((x, t_x, T), {"customer_id": np.arange(n), "channel": channel},
                     time_unit="week", weights=np.full(n, 3.0))  # fmt: skip
    thrice = model.fit(
        (np.tile(x, 3), np.tile(t_x, 3), np.tile(T, 3)),
        {"customer_id": np.arange(3 * n), "channel": np.tile(channel, 3)},
        time_unit="week",
    )
    assert once.fit is not None
    assert thrice.fit is not None
    assert thrice.fit.diagnostics.n_patterns <= n
    assert thrice.fit.log_likelihood == pytest.approx(once.fit.log_likelihood, rel=1e-10)
    assert thrice.coefficients["purchase.channel"] == pytest.approx(
        once.coefficients["purchase.channel"], abs=1e-6
    )


def test_bad_inputs_name_the_argument() -> None:
    m = _model(FIXED)
    with pytest.raises(InvalidInputError, match="covariates"):
        m.probability_alive(DATA)
    with pytest.raises(InvalidInputError, match="frequency"):
        CovariateBGNBD(purchase=["Gender"]).fit(
            (np.zeros(6), np.zeros(6), TT), _covariates(), time_unit="week"
        )


# --------------------------------------------------------------------------- CLVTools references


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def pointwise(shared_data: Path) -> dict[str, Any]:
    rows = _read(shared_data / "ref_clvtools_staticcov_pointwise.csv")
    columns = {k: np.array([float(r[k]) for r in rows]) for k in rows[0] if k != "Id"}
    return {"Id": np.array([r["Id"] for r in rows]), **columns}


def test_pointwise_values_at_fixed_parameters(pointwise: dict[str, Any]) -> None:
    # The BG/NBD fit with these covariates is ill-conditioned (a, b run off to infinity), so
    # CLVTools' per-customer values at fixed parameters are the check.
    p = pointwise
    cov = {"customer_id": p["Id"], "Gender": p["Gender"], "Channel": p["Channel"]}
    m = CovariateBGNBD(purchase=BOTH, dropout=BOTH).from_params(
        r=0.6, alpha=20, a=1.3, b=8.9, coefficients=FIXED, time_unit="week", covariates=cov
    )
    data = (p["x"], p["t.x"], p["T.cal"])
    rfm, _, per = m._inputs(data, cov)
    ll = m._loglik(rfm, per)
    np.testing.assert_allclose(ll, p["bgnbd_LL"], rtol=1e-6)
    assert float(np.sum(ll)) == pytest.approx(-5865.08013, abs=1e-5)
    assert m.log_likelihood(data, covariates=cov) == pytest.approx(-5865.08013, abs=1e-5)
    alive = m.probability_alive(data, covariates=cov)
    np.testing.assert_allclose(alive, p["bgnbd_PAlive"], rtol=1e-6)
    cet = m.conditional_expected_purchases(52, data, covariates=cov)
    np.testing.assert_allclose(cet, p["bgnbd_CET52"], rtol=1e-6)


@pytest.fixture(scope="module")
def apparel(shared_data: Path) -> tuple[Any, CustomerCovariates]:
    rows = _read(shared_data / "clvtools_apparel_trans.csv")
    log = TransactionLog.from_arrays(
        np.array([r["customer_id"] for r in rows]),
        np.array([r["date"] for r in rows], dtype="datetime64[ns]"),
        np.array([float(r["price"]) for r in rows]),
    )
    summary = rfm_summary(log, observation_end="2006-12-31", time_unit="week")
    cov_rows = _read(shared_data / "clvtools_apparel_staticcov.csv")
    covariates = CustomerCovariates.from_table(
        {
            "customer_id": np.array([r["customer_id"] for r in cov_rows]),
            "Gender": np.array([float(r["gender"]) for r in cov_rows]),
            "Channel": np.array([float(r["channel"]) for r in cov_rows]),
        }
    )
    return summary, covariates


def test_predictions_file_at_clvtools_estimates(shared_data: Path, apparel: Any) -> None:
    # "bgnbd staticcov" predictions were made at the (ill-conditioned) fit
    # "bgnbd staticcov Gender+Channel both" of ref_clvtools_fits.csv; period 207.14 weeks.
    summary, covariates = apparel
    fit = {
        r["param"]: float(r["estimate"])
        for r in _read(shared_data / "ref_clvtools_fits.csv")
        if r["label"] == "bgnbd staticcov Gender+Channel both"
    }
    coefficients = {f"purchase.{c}": fit[f"trans.{c}"] for c in BOTH}
    coefficients |= {f"dropout.{c}": fit[f"life.{c}"] for c in BOTH}
    m = CovariateBGNBD(purchase=BOTH, dropout=BOTH).from_params(
        r=fit["r"], alpha=fit["alpha"], a=fit["a"], b=fit["b"], coefficients=coefficients,
        time_unit="week", covariates=covariates,
    )  # fmt: skip
    assert m.log_likelihood(summary) == pytest.approx(-5839.863485, abs=1e-6)
    rows = [
        r
        for r in _read(shared_data / "ref_clvtools_apparel_predictions.csv")
        if r["label"] == "bgnbd staticcov"
    ]
    where = {k: i for i, k in enumerate(summary.customer_ids)}
    order = np.array([where[r["customer_id"]] for r in rows])
    length = float(rows[0]["period.length"])
    alive = np.array([float(r["PAlive"]) for r in rows])
    cet = np.array([float(r["CET"]) for r in rows])
    np.testing.assert_allclose(m.probability_alive(summary)[order], alive, rtol=1e-6)
    np.testing.assert_allclose(
        m.conditional_expected_purchases(length, summary)[order], cet, rtol=1e-6
    )


def test_the_apparel_fit_runs_to_the_boundary(apparel: Any) -> None:
    # CLVTools stops at a = 1222.8, b = 9043.8 (LL −5839.863485, SEs ≈ 25): the likelihood
    # keeps rising as a, b → ∞ together. ecomstrat goes further along that ridge and says so:
    # a boundary estimate with a warning, or (where the optimiser's path also sends a
    # coefficient off, as with older scipy) a ConvergenceError that explains the ridge.
    summary, covariates = apparel
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitted = CovariateBGNBD(purchase=BOTH, dropout=BOTH).fit(summary, covariates)
        except ConvergenceError as error:
            refusal = str(error)
        else:
            refusal = ""
    if refusal:
        assert "a + b grew without bound" in refusal
        return
    assert any(issubclass(w.category, BoundaryEstimateWarning) for w in caught)
    assert fitted.fit is not None
    assert fitted.fit.diagnostics.at_boundary
    assert fitted.fit.log_likelihood >= -5839.863485 - 1e-6
    with pytest.raises(InvalidInputError, match="boundary"):
        fitted.probability_alive_interval(summary, n_draws=5)
