"""Pareto/NBD with time-varying covariates: hand-worked values, the plain reference, CLVTools."""

from __future__ import annotations

import csv
import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat import TransactionLog
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import BoundaryEstimateWarning, InvalidInputError
from ecomstrat.frames.covariates import TimeVaryingCovariates
from ecomstrat.io.covariates import read_time_varying_covariates
from ecomstrat.io.csv import read_csv
from ecomstrat.models._protocols import continuous_discount_rate
from ecomstrat.models.dynamic_paretonbd import (
    DynamicParetoNBD,
    FittedDynamicParetoNBD,
    _history,
    _Prepared,
)
from ecomstrat.models.paretonbd import ParetoNBD
from tests.reference.dyncov import expected_customer, loglik_customer

NAMES = ("high_season", "gender", "channel")
CAL_END = "2006-12-31"
#: Fixed parameters of ref_clvtools_dyncov_pointwise.csv (README-covariates.md).
FIXED = {
    "purchase.high_season": 0.4,
    "purchase.gender": 0.3,
    "purchase.channel": 0.6,
    "dropout.high_season": 0.2,
    "dropout.gender": -0.5,
    "dropout.channel": 0.7,
}


def _weekly(customers: dict[str, list[float]], start: str = "2024-01-01") -> TimeVaryingCovariates:
    """Covariate ``promo`` per customer per week from ``start``."""
    ids, dates, values = [], [], []
    for cid, promo in customers.items():
        ids += [cid] * len(promo)
        dates += list(np.datetime64(start, "D") + 7 * np.arange(len(promo)))
        values += list(promo)
    return TimeVaryingCovariates.from_table(
        {"customer_id": np.array(ids), "cov_date": np.array(dates), "promo": np.array(values)}
    )


# --------------------------------------------------------------------------------------------
# Hand-worked


def test_hand_worked_dropout_covariate() -> None:
    # r = s = α = β = 1, no repeat purchase, T = 1 week, dropout covariate 1 with γ_d = ln 2,
    # so c = 2 all week and a = 1: A(τ) = τ, C(τ) = 2τ.
    # B = (1 + 1)^-1 (1 + 2)^-1 = 1/6
    # s ∫_0^1 2 (1 + τ)^-1 (1 + 2τ)^-2 dτ; partial fractions
    #   1/((1+τ)(1+2τ)²) = 1/(1+τ) − 2/(1+2τ) + 2/(1+2τ)²
    #   ∫_0^1 = ln 2 − ln 3 + (1 − 1/3) = 0.2612015; times c = 2: 0.5224031
    # L = 1/6 + 0.5224031 = 0.6890698, log L = −0.3722945, P(alive) = (1/6) / L = 0.2418727
    log = TransactionLog.from_arrays(["a"], ["2024-01-01"], [1.0])
    cov = _weekly({"a": [1.0, 1.0]})
    model = DynamicParetoNBD(dropout=["promo"]).from_params(
        time_unit="week",
        r=1,
        alpha=1,
        s=1,
        beta=1,
        coefficients={"dropout.promo": math.log(2.0)},
        covariates=cov,
    )
    expected = 1 / 6 + 2 * (math.log(2 / 3) + 2 / 3)
    ll = model.customer_log_likelihood(log, calibration_end="2024-01-08")
    assert ll[0] == pytest.approx(math.log(expected), rel=1e-12)
    data = model.customers_of(log, calibration_end="2024-01-08")
    assert model.probability_alive(data)[0] == pytest.approx((1 / 6) / expected, rel=1e-12)


def test_purchase_on_the_last_day_means_alive() -> None:
    # t_x = T: no time to die unseen, P(alive) = 1 exactly.
    log = TransactionLog.from_arrays(["a", "a"], ["2024-01-01", "2024-01-15"], [1.0, 1.0])
    model = DynamicParetoNBD(purchase=["promo"]).from_params(
        time_unit="week", r=0.8, alpha=5, s=0.6, beta=10, coefficients={"purchase.promo": 0.5},
        covariates=_weekly({"a": [0, 1, 1, 0]}),
    )  # fmt: skip
    assert model.probability_alive(model.customers_of(log, calibration_end="2024-01-15"))[
        0
    ] == pytest.approx(1.0, abs=1e-15)


def test_constant_covariates_are_the_static_model() -> None:
    # With x(t) = x for ever, A(t) = a t and C(t) = c t, and the likelihood is the plain
    # Pareto/NBD's at α/a, β/c (README: CLVTools' own check, Bksum = A·T, DkT = C·T).
    log = TransactionLog.from_arrays(
        ["a", "a", "a", "b"],
        ["2024-01-01", "2024-01-10", "2024-02-03", "2024-01-04"],
        [1.0] * 4,
    )
    cov = _weekly({"a": [1.0] * 12, "b": [1.0] * 12})
    g_p, g_d = 0.7, -0.4
    model = DynamicParetoNBD(purchase=["promo"], dropout=["promo"]).from_params(
        time_unit="week", r=0.9, alpha=6, s=0.7, beta=12,
        coefficients={"purchase.promo": g_p, "dropout.promo": g_d}, covariates=cov,
    )  # fmt: skip
    data = model.customers_of(log, calibration_end="2024-02-26")
    plain = ParetoNBD.from_params(
        r=0.9, alpha=6 * math.exp(-g_p), s=0.7, beta=12 * math.exp(-g_d), time_unit="week"
    )
    rfm = (data.frequency, data.recency, data.T)
    ll = model.customer_log_likelihood(log, calibration_end="2024-02-26")
    assert ll.sum() == pytest.approx(plain.log_likelihood(rfm), rel=1e-12)
    np.testing.assert_allclose(model.probability_alive(data), plain.probability_alive(rfm), 1e-12)
    np.testing.assert_allclose(
        model.conditional_expected_purchases(2.5, data),
        plain.conditional_expected_purchases(2.5, rfm),
        rtol=1e-12,
    )


# --------------------------------------------------------------------------------------------
# Against the plain-Python reference


@st.composite
def _customers(draw: st.DrawFn) -> tuple[Any, ...]:
    m = 14
    promo = np.array(draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=m, max_size=m)))
    other = np.array(draw(st.lists(st.floats(-1.0, 1.0), min_size=m, max_size=m)))
    first = draw(st.integers(0, 20))  # day of the first purchase
    end = draw(st.integers(first, 70))  # calibration end (day, inclusive)
    repeat = sorted(set(draw(st.lists(st.integers(first + 1, max(first + 1, end)), max_size=5))))
    repeat = [d for d in repeat if d <= end]
    params = (
        draw(st.floats(0.2, 3.0)),
        draw(st.floats(0.5, 30.0)),
        draw(st.floats(0.2, 3.0)),
        draw(st.floats(0.5, 30.0)),
        [draw(st.floats(-2.0, 2.0)), draw(st.floats(-1.0, 1.0))],
        [draw(st.floats(-2.0, 2.0))],
    )
    horizon = draw(st.floats(0.0, 12.0))
    return promo, other, first, end, repeat, params, horizon


@given(_customers())
def test_matches_the_plain_reference(case: tuple[Any, ...]) -> None:
    # log L, P(alive), CET and DERT agree with quad on every period, to 1e-9 relative.
    promo, other, first, end, repeat, params, horizon = case
    base = np.datetime64("2024-01-01", "D")
    days = [first, *repeat]
    log = TransactionLog.from_arrays(["c"] * len(days), [base + d for d in days], [1.0] * len(days))
    cov = TimeVaryingCovariates.from_table(
        {
            "customer_id": np.array(["c"] * promo.shape[0]),
            "cov_date": base + 7 * np.arange(promo.shape[0]),
            "promo": promo,
            "other": other,
        }
    )
    r, alpha, s, beta, g_p, g_d = params
    model = DynamicParetoNBD(purchase=["promo", "other"], dropout=["promo"]).from_params(
        time_unit="week", r=r, alpha=alpha, s=s, beta=beta,
        coefficients={"purchase.promo": g_p[0], "purchase.other": g_p[1], "dropout.promo": g_d[0]},
        covariates=cov,
    )  # fmt: skip
    calibration_end = base + end
    stack = np.stack([promo, other], axis=1)
    origin = first / 7
    times = [(d - first) / 7 for d in repeat]
    T = (end - first) / 7
    ref_ll, ref_alive = loglik_customer(params, stack, promo[:, None], origin, times, T)
    ll = model.customer_log_likelihood(log, calibration_end=calibration_end)[0]
    assert ll == pytest.approx(ref_ll, rel=1e-9, abs=1e-9)
    data = model.customers_of(log, calibration_end=calibration_end)
    alive = model.probability_alive(data)[0]
    assert alive == pytest.approx(ref_alive, rel=1e-9, abs=1e-12)
    assert 0.0 <= alive <= 1.0
    if origin + T + horizon < promo.shape[0]:
        cet = model.conditional_expected_purchases(horizon, data)[0]
        ref = expected_customer(params, stack, promo[:, None], origin, times, T, horizon)
        assert cet == pytest.approx(ref, rel=1e-9, abs=1e-12)
        dert = model.expected_residual_purchases(data, annual_discount_rate=0.5, horizon=horizon)[0]
        delta = continuous_discount_rate(0.5, "week")
        ref_d = expected_customer(params, stack, promo[:, None], origin, times, T, horizon, delta)
        assert dert == pytest.approx(ref_d, rel=1e-8, abs=1e-12)
        assert dert <= cet * (1 + 1e-12)
        half = model.conditional_expected_purchases(horizon / 2, data)[0]
        assert 0.0 <= half <= cet * (1 + 1e-12)  # more time, more purchases


def test_daily_periods_match_the_reference() -> None:
    # A daily grid: times in days, the covariate changes every few days.
    promo = np.array([0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0], dtype=float)
    base = np.datetime64("2024-03-01", "D")
    cov = TimeVaryingCovariates.from_table(
        {"customer_id": np.zeros(20, dtype=np.int64), "cov_date": base + np.arange(20),
         "promo": promo},
        period="day",
    )  # fmt: skip
    log = TransactionLog.from_arrays([0, 0, 0], [base + 2, base + 5, base + 9], [1.0] * 3)
    params = (0.7, 3.0, 0.9, 6.0, [0.8], [-0.6])
    model = DynamicParetoNBD(purchase=["promo"], dropout=["promo"]).from_params(
        r=0.7, alpha=3.0, s=0.9, beta=6.0, time_unit="day",
        coefficients={"purchase.promo": 0.8, "dropout.promo": -0.6}, covariates=cov,
    )  # fmt: skip
    end = base + 12
    ref_ll, ref_alive = loglik_customer(
        params, promo[:, None], promo[:, None], 2.0, [3.0, 7.0], 10.0
    )
    assert model.customer_log_likelihood(log, calibration_end=end)[0] == pytest.approx(
        ref_ll, rel=1e-10
    )
    data = model.customers_of(log, calibration_end=end)
    assert model.probability_alive(data)[0] == pytest.approx(ref_alive, rel=1e-10)
    ref_cet = expected_customer(params, promo[:, None], promo[:, None], 2.0, [3.0, 7.0], 10.0, 5.5)
    assert model.conditional_expected_purchases(5.5, data)[0] == pytest.approx(ref_cet, rel=1e-10)


def test_gradient_matches_differences() -> None:
    log = TransactionLog.from_arrays(
        ["a", "a", "a", "b", "c", "c"],
        ["2024-01-01", "2024-01-17", "2024-02-20", "2024-01-05", "2024-01-02", "2024-01-03"],
        [1.0] * 6,
    )
    promo = [0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0]
    cov = _weekly({"a": promo, "b": promo[::-1], "c": promo})
    spec = DynamicParetoNBD(purchase=["promo"], dropout=["promo"], equal=["promo"])
    history = _history(log, "2024-03-10", TimeUnit.WEEK)
    prepared = _Prepared.build(spec.spec, history, cov, TimeUnit.WEEK)  # the fit's objective
    theta = np.array([0.9, 4.0, 0.7, 9.0, 0.6])
    value, gradient = prepared.objective(theta)
    for k in range(theta.shape[0]):
        h = 1e-6 * max(1.0, abs(theta[k]))
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        numeric = (prepared.objective(up)[0] - prepared.objective(down)[0]) / (2 * h)
        assert gradient[k] == pytest.approx(numeric, rel=1e-6, abs=1e-7)
    assert math.isfinite(value)


def test_equal_coefficient_is_both() -> None:
    log = TransactionLog.from_arrays(["a", "a"], ["2024-01-01", "2024-01-20"], [1.0, 1.0])
    cov = _weekly({"a": [0, 1, 1, 0, 1, 0]})
    tied = DynamicParetoNBD(purchase=["promo"], dropout=["promo"], equal=["promo"]).from_params(
        time_unit="week",
        r=1,
        alpha=3,
        s=1,
        beta=9,
        coefficients={"equal.promo": 0.3},
        covariates=cov,
    )
    both = DynamicParetoNBD(purchase=["promo"], dropout=["promo"]).from_params(
        time_unit="week", r=1, alpha=3, s=1, beta=9,
        coefficients={"purchase.promo": 0.3, "dropout.promo": 0.3}, covariates=cov,
    )  # fmt: skip
    end = "2024-01-29"
    assert tied.log_likelihood(log, calibration_end=end) == both.log_likelihood(
        log, calibration_end=end
    )


# --------------------------------------------------------------------------------------------
# Errors


def test_errors_name_the_argument() -> None:
    log = TransactionLog.from_arrays(["a", "a"], ["2024-01-01", "2024-01-20"], [1.0, 1.0])
    cov = _weekly({"a": [0, 1, 1, 0, 1]})
    model = DynamicParetoNBD(purchase=["promo"]).from_params(
        time_unit="week",
        r=1,
        alpha=3,
        s=1,
        beta=9,
        coefficients={"purchase.promo": 0.3},
        covariates=cov,
    )
    data = model.customers_of(log, calibration_end="2024-01-29")
    with pytest.raises(InvalidInputError, match="covariates"):
        model.conditional_expected_purchases(4, data)  # needs weeks 5..8
    with pytest.raises(InvalidInputError, match="horizon"):
        model.expected_residual_purchases(data, annual_discount_rate=0.1)
    with pytest.raises(InvalidInputError, match="time_unit"):
        model.customer_log_likelihood(log, calibration_end="2024-01-29", covariates=_daily_promo())
    with pytest.raises(InvalidInputError, match="covariates"):
        DynamicParetoNBD(purchase=["promo"]).fit(
            log, _weekly({"b": [0, 1, 1, 0, 1]}), calibration_end="2024-01-29"
        )
    with pytest.raises(InvalidInputError, match="calibration_end"):
        model.customers_of(log, calibration_end="not a date")
    with pytest.raises(InvalidInputError, match="dropout_penalty"):
        DynamicParetoNBD(dropout=["promo"], dropout_penalty=-1.0)
    assert model.conditional_expected_purchases(1, data)[0] > 0  # week 4 is covered


def test_fit_refuses_a_covariate_that_never_changes() -> None:
    log = TransactionLog.from_arrays(
        ["a", "a", "b", "b"], ["2024-01-01", "2024-01-20", "2024-01-02", "2024-01-09"], [1.0] * 4
    )
    cov = _weekly({"a": [1, 1, 1, 1, 1], "b": [1, 1, 1, 1, 1]})
    with pytest.raises(InvalidInputError, match="promo"):
        DynamicParetoNBD(purchase=["promo"]).fit(log, cov, calibration_end="2024-01-29")


def test_merged_customers_give_the_same_objective() -> None:
    # b and c have the same history and covariates: merged into one row of weight 2.
    log = TransactionLog.from_arrays(
        ["a", "a", "b", "c", "b", "c"],
        ["2024-01-01", "2024-01-20", "2024-01-02", "2024-01-02", "2024-01-09", "2024-01-09"],
        [1.0] * 6,
    )
    cov = _weekly({"a": [0, 1, 0, 1, 1], "b": [1, 0, 0, 1, 0], "c": [1, 0, 0, 1, 0]})
    spec = DynamicParetoNBD(purchase=["promo"], dropout=["promo"]).spec
    full = _Prepared.build(spec, _history(log, "2024-01-29", TimeUnit.WEEK), cov, TimeUnit.WEEK)
    merged = full.compressed()
    assert merged.weights is not None
    assert merged.weights.tolist() == [1.0, 2.0]
    theta = np.array([0.9, 4.0, 0.7, 9.0, 0.3, -0.4])
    (v1, g1), (v2, g2) = full.objective(theta), merged.objective(theta)
    assert v2 == pytest.approx(v1, rel=1e-14)
    np.testing.assert_allclose(g2, g1, rtol=1e-12)


def test_protocol_consumers_can_pass_an_rfm_summary() -> None:
    # CLV, the report and Dask call probability_alive(summary) / conditional_expected_purchases(t,
    # summary) with the library's own summary: same customers, same answers.
    from ecomstrat.metrics.summary import rfm_summary
    from ecomstrat.models._protocols import DiscountedTransactionModel, TransactionModel

    log = TransactionLog.from_arrays(
        ["a", "a", "a", "b", "c"],
        ["2024-01-03", "2024-01-03", "2024-01-20", "2024-01-09", "2024-01-02"],
        [1.0] * 5,
    )
    cov = _weekly({"a": [0, 1, 1, 0, 1, 0, 0], "b": [1, 1, 0, 0, 1, 1, 0], "c": [0] * 7})
    model = DynamicParetoNBD(purchase=["promo"], dropout=["promo"]).from_params(
        r=0.8, alpha=4, s=0.7, beta=8, time_unit="week",
        coefficients={"purchase.promo": 0.4, "dropout.promo": 0.3}, covariates=cov,
    )  # fmt: skip
    assert isinstance(model, TransactionModel)
    assert isinstance(model, DiscountedTransactionModel)
    own = model.customers_of(log, calibration_end="2024-01-29")
    summary = rfm_summary(log, observation_end="2024-01-29", time_unit="week")
    assert summary.frequency.tolist() == own.frequency.tolist() == [1, 0, 0]  # same day: one
    np.testing.assert_allclose(model.probability_alive(summary), model.probability_alive(own))
    np.testing.assert_allclose(
        model.conditional_expected_purchases(2, summary),
        model.conditional_expected_purchases(2, own),
    )
    with pytest.raises(InvalidInputError, match="initial"):
        DynamicParetoNBD(purchase=["promo"]).fit(
            log, cov, calibration_end="2024-01-29", initial={"gamma": 1.0}
        )


def _daily_promo() -> TimeVaryingCovariates:
    return TimeVaryingCovariates.from_table(
        {
            "customer_id": np.array(["a"] * 40),
            "cov_date": np.datetime64("2024-01-01", "D") + np.arange(40),
            "promo": np.zeros(40),
        },
        period="day",
    )


def test_runs_are_linear_in_customers_times_periods() -> None:
    # One run per change of covariates at most: never more runs than customer-periods.
    rng = np.random.default_rng(5)
    n, m = 50, 30
    cov = TimeVaryingCovariates.from_table(
        {
            "customer_id": np.repeat(np.arange(n), m),
            "cov_date": np.tile(np.datetime64("2024-01-01", "D") + 7 * np.arange(m), n),
            "promo": rng.integers(0, 2, n * m).astype(float),
        }
    )
    log = TransactionLog.from_arrays(np.arange(n), ["2024-01-01"] * n, np.ones(n))
    spec = DynamicParetoNBD(purchase=["promo"], dropout=["promo"]).spec
    history = _history(log, "2024-07-20", TimeUnit.WEEK)
    prepared = _Prepared.build(spec, history, cov, TimeUnit.WEEK)
    assert prepared.runs.start.shape[0] <= n * m
    assert np.all(prepared.runs.end > prepared.runs.start)


# --------------------------------------------------------------------------------------------
# CLVTools on apparel (README-covariates.md)


@pytest.fixture(scope="module")
def apparel(shared_data):  # type: ignore[no-untyped-def]
    log = read_csv(
        shared_data / "clvtools_apparel_trans.csv", time="date", amount="price", id_type=int
    )
    past = read_time_varying_covariates(shared_data / "clvtools_apparel_dyncov.csv", id_type=int)
    future = read_time_varying_covariates(
        shared_data / "clvtools_apparel_dyncov_future.csv", id_type=int
    ).align(past.customer_ids)
    cov = TimeVaryingCovariates(
        past.customer_ids,
        np.concatenate([past.period_starts, future.period_starts]),
        past.names,
        np.concatenate([past.values, future.values], axis=1),
        past.period,
    )
    return log, cov


def _rows(path, key):  # type: ignore[no-untyped-def]
    with open(path, newline="") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


def _clvtools_fit(shared_data):  # type: ignore[no-untyped-def]
    with open(shared_data / "ref_clvtools_fits.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["label"].startswith("pnbd dyncov")]
    values = {r["param"]: float(r["estimate"]) for r in rows}
    coefficients = {}
    for name, value in values.items():
        if "." in name:
            process, covariate = name.split(".", 1)
            key = {"High.Season": "high_season", "Gender": "gender", "Channel": "channel"}
            coefficients[f"{'purchase' if process == 'trans' else 'dropout'}.{key[covariate]}"] = (
                value
            )
    return values, coefficients, float(rows[0]["LL"])


def test_pointwise_loglik_at_fixed_parameters(shared_data, apparel) -> None:  # type: ignore[no-untyped-def]
    log, cov = apparel
    spec = DynamicParetoNBD(purchase=NAMES, dropout=NAMES)
    fixed = spec.from_params(
        time_unit="week", r=0.8, alpha=50, s=0.6, beta=40, coefficients=FIXED, covariates=cov
    )
    ll = fixed.customer_log_likelihood(log, calibration_end=CAL_END)
    ids = fixed.customers_of(log, calibration_end=CAL_END).customer_ids
    ref = _rows(shared_data / "ref_clvtools_dyncov_pointwise.csv", "Id")
    expected = np.array([float(ref[str(i)]["LL_dyncov"]) for i in ids])
    gamma0 = np.array([float(ref[str(i)]["LL_dyncov_gamma0"]) for i in ids])
    # d_omega: the share of the first covariate period left after the first purchase
    first = fixed.customers_of(log, calibration_end=CAL_END).first_purchase
    assert first is not None
    offset = (first.astype("datetime64[D]") - cov.period_starts[0]).astype(np.int64) % 7
    d_omega = np.where(offset == 0, 1.0, (7 - offset) / 7)
    np.testing.assert_array_equal(d_omega, [float(ref[str(i)]["d_omega"]) for i in ids])
    np.testing.assert_allclose(ll, expected, rtol=1e-6)
    # README: −5798.86529590; the file's own rows add up to −5798.8652949589 (1.6e-10 apart)
    assert ll.sum() == pytest.approx(-5798.86529590, rel=1e-9)
    zero = spec.from_params(
        time_unit="week",
        r=0.8,
        alpha=50,
        s=0.6,
        beta=40,
        coefficients=dict.fromkeys(FIXED, 0.0),
        covariates=cov,
    )
    ll0 = zero.customer_log_likelihood(log, calibration_end=CAL_END)
    np.testing.assert_allclose(ll0, gamma0, rtol=1e-6)
    data = zero.customers_of(log, calibration_end=CAL_END)
    plain = ParetoNBD.from_params(r=0.8, alpha=50, s=0.6, beta=40, time_unit="week")
    assert ll0.sum() == pytest.approx(
        plain.log_likelihood((data.frequency, data.recency, data.T)), rel=1e-12
    )
    assert ll0.sum() == pytest.approx(-5929.27759236, abs=1e-7)


def test_predictions_at_clvtools_estimates(shared_data, apparel) -> None:  # type: ignore[no-untyped-def]
    log, cov = apparel
    values, coefficients, reference_ll = _clvtools_fit(shared_data)
    model = DynamicParetoNBD(purchase=NAMES, dropout=NAMES).from_params(
        time_unit="week", r=values["r"], alpha=values["alpha"], s=values["s"], beta=values["beta"],
        coefficients=coefficients, covariates=cov,
    )  # fmt: skip
    # CLVTools' optimum: the same log-likelihood at its estimates
    assert model.log_likelihood(log, calibration_end=CAL_END) == pytest.approx(
        reference_ll, abs=1e-6
    )
    data = model.customers_of(log, calibration_end=CAL_END)
    with open(shared_data / "ref_clvtools_apparel_predictions.csv", newline="") as handle:
        rows = {r["customer_id"]: r for r in csv.DictReader(handle) if r["label"] == "pnbd dyncov"}
    alive = np.array([float(rows[str(i)]["PAlive"]) for i in data.customer_ids])
    cet = np.array([float(rows[str(i)]["CET"]) for i in data.customer_ids])
    # prediction period 2007-01-01 .. 2010-12-20: t = 1450 days from T (2006-12-31)
    horizon = float(rows[str(data.customer_ids[0])]["period.length"])
    assert horizon == pytest.approx(1450 / 7, rel=1e-12)
    np.testing.assert_allclose(model.probability_alive(data), alive, rtol=1e-9)
    np.testing.assert_allclose(model.conditional_expected_purchases(1450 / 7, data), cet, rtol=1e-9)


def test_fit_on_apparel(shared_data, apparel) -> None:  # type: ignore[no-untyped-def]
    log, cov = apparel
    _, coefficients, reference_ll = _clvtools_fit(shared_data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = DynamicParetoNBD(purchase=NAMES, dropout=NAMES).fit(
            log, cov, calibration_end=CAL_END
        )
    assert isinstance(model, FittedDynamicParetoNBD)
    assert model.fit is not None
    # CLVTools stopped at −5752.93672 where the gradient is not zero; the maximum lies higher,
    # with dropout.high_season running off to −∞ (in high season nobody drops out).
    assert model.fit.log_likelihood >= reference_ll
    assert model.fit.log_likelihood == pytest.approx(-5752.62317, abs=1e-4)
    assert model.coefficients["dropout.high_season"] < -10
    assert any(
        issubclass(w.category, BoundaryEstimateWarning) and "dropout.high_season" in str(w.message)
        for w in caught
    )
    # the well-identified coefficient (CLVTools SE 0.028) agrees to 1e-3 relative
    assert model.coefficients["purchase.high_season"] == pytest.approx(
        coefficients["purchase.high_season"], rel=1e-3
    )
    assert list(model.fit.standard_errors)[:5] == [
        "r",
        "alpha",
        "s",
        "beta",
        "purchase.high_season",
    ]
    # the fitted model predicts for its own customers without any argument
    assert model.probability_alive().shape == (600,)
    assert model.conditional_expected_purchases(52).sum() > 0


def test_penalty_keeps_the_runaway_coefficient_finite(apparel) -> None:  # type: ignore[no-untyped-def]
    log, cov = apparel
    model = DynamicParetoNBD(purchase=NAMES, dropout=NAMES, dropout_penalty=0.5).fit(
        log, cov, calibration_end=CAL_END
    )
    assert abs(model.coefficients["dropout.high_season"]) < 10
    assert model.fit is not None
    assert model.fit.log_likelihood < -5752.62
