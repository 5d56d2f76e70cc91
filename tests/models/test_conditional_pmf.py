"""Conditional PMF of future purchases given the history: BG/NBD, MBG/NBD, Pareto/NBD, BG/BB.

Properties: agreement with the mpmath / plain-Python references of ``tests/reference``; the
probabilities sum to 1 over ``n`` and their mean is the conditional expectation; they agree
with Monte-Carlo simulations of the model (customers simulated from the prior and kept when
their history matches, or the future simulated from the posterior given the history).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ecomstrat as es
from ecomstrat.exceptions import InvalidInputError
from tests.reference.bgnbd import COMPARISONS as BG_TABLE
from tests.reference.discrete import COMPARISONS as DISCRETE_TABLE
from tests.reference.paretonbd import COMPARISONS as PARETO_TABLE

CONTINUOUS = {
    "bgnbd": es.BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week"),
    "mbgnbd": es.MBGNBD.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614, time_unit="week"),
    "paretonbd": es.ParetoNBD.from_params(
        r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="week"
    ),
}
BGBB = es.BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
HISTORY = (
    np.array([0.0, 1.0, 2.0, 7.0, 30.0]),
    np.array([0.0, 1.71, 30.43, 38.0, 12.0]),
    np.array([38.86, 38.86, 38.86, 38.86, 60.0]),
)
DISCRETE_HISTORY = (
    np.array([0, 3, 3, 6, 2]),
    np.array([0, 6, 3, 6, 4]),
    np.array([6, 6, 6, 6, 11]),
)


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(math.log(lo), math.log(hi)).map(math.exp)


@st.composite
def continuous_cases(draw: st.DrawFn) -> tuple[Any, ...]:
    theta = tuple(draw(log_uniform(0.05, 15.0)) for _ in range(4))
    size = draw(st.integers(1, 4))
    x = np.array([draw(st.integers(0, 25)) for _ in range(size)], dtype=float)
    T = np.array([draw(log_uniform(0.1, 200.0)) for _ in range(size)])
    u = np.array([draw(st.floats(0.0, 1.0)) for _ in range(size)])
    t_x = np.where(x > 0, u * T, 0.0)
    t = np.array([draw(log_uniform(0.01, 300.0)) for _ in range(size)])
    n = np.array([draw(st.integers(0, 12)) for _ in range(size)], dtype=float)
    return theta, n, t, x, t_x, T


# ------------------------------------------------------------------ agreement with references


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])
@settings(max_examples=15)
@given(case=continuous_cases())
def test_bg_family_kernel_agrees_with_mpmath(model: str, case: tuple[Any, ...]) -> None:
    theta, *columns = case
    entry = BG_TABLE[f"{model}_conditional_pmf"]
    want = entry["python"](*theta, *columns)
    got = entry["numba"](*theta, *columns)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-300)


@settings(max_examples=8)
@given(case=continuous_cases())
def test_paretonbd_kernel_agrees_with_mpmath(case: tuple[Any, ...]) -> None:
    theta, *columns = case
    entry = PARETO_TABLE["paretonbd_conditional_pmf"]
    np.testing.assert_allclose(
        entry["numba"](*theta, *columns), entry["python"](*theta, *columns), rtol=1e-9
    )


@settings(max_examples=20)
@given(
    theta=st.tuples(*(log_uniform(0.1, 10.0) for _ in range(4))),
    rows=st.lists(
        st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(0, 8), st.integers(0, 8)),
        min_size=1,
        max_size=5,
    ),
)
def test_bgbb_kernel_agrees_with_python(theta: tuple[float, ...], rows: list[Any]) -> None:
    n = np.array([max(a, b) for a, b, _, _ in rows], dtype=float)
    x = np.array([min(a, b) for a, b, _, _ in rows], dtype=float)
    t_x = np.where(x > 0, np.maximum(x, n), 0.0)  # last purchase at the last opportunity
    k = np.array([c for *_, c, _ in rows], dtype=float)
    t = np.array([d for *_, d in rows], dtype=float)
    entry = DISCRETE_TABLE["bgbb_conditional_pmf"]
    np.testing.assert_allclose(
        entry["numba"](theta, k, t, x, t_x, n), entry["python"](theta, k, t, x, t_x, n), rtol=1e-9
    )


# ------------------------------------------------------------------------ sum to 1, mean


@pytest.mark.parametrize("model", sorted(CONTINUOUS))
@pytest.mark.parametrize("t", [0.0, 1.0, 39.0, 156.0])
def test_continuous_pmf_sums_to_one_and_has_the_conditional_mean(model: str, t: float) -> None:
    fitted = CONTINUOUS[model]
    ns = range(400)
    table = np.array([fitted.conditional_probability_of_purchases(n, t, HISTORY) for n in ns])
    assert np.all((table >= 0) & (table <= 1))
    np.testing.assert_allclose(table.sum(axis=0), 1.0, rtol=1e-9)
    mean = np.arange(len(ns)) @ table
    np.testing.assert_allclose(
        mean, fitted.conditional_expected_purchases(t, HISTORY), rtol=1e-8, atol=1e-14
    )


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])
@settings(max_examples=10)
@given(case=continuous_cases())
def test_bg_family_properties_on_random_parameters(model: str, case: tuple[Any, ...]) -> None:
    theta, _, t, x, t_x, T = case
    r, alpha, a, b = theta
    estimator = es.BGNBD if model == "bgnbd" else es.MBGNBD
    fitted = estimator.from_params(r=r, alpha=alpha, a=a, b=b, time_unit="week")
    for i in range(len(x)):
        # X(t) <= an NBD count whose tail decays like z^n n^(r+x-1), z = t / (α + T + t)
        z = t[i] / (alpha + T[i] + t[i])
        top = int(100 + (40.0 + 2.0 * (r + x[i])) / (1.0 - z))
        history = tuple(np.full(top, column[i]) for column in (x, t_x, T))
        pmf = fitted.conditional_probability_of_purchases(np.arange(top), t[i], history)
        assert abs(pmf.sum() - 1.0) <= 1e-7
        one = (x[i : i + 1], t_x[i : i + 1], T[i : i + 1])
        want = fitted.conditional_expected_purchases(t[i], one)[0]
        assert np.arange(top) @ pmf == pytest.approx(want, rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("t", [0, 1, 5, 20])
def test_bgbb_pmf_sums_to_one_and_has_the_conditional_mean(t: int) -> None:
    table = np.array(
        [BGBB.conditional_probability_of_purchases(n, t, DISCRETE_HISTORY) for n in range(t + 3)]
    )
    np.testing.assert_allclose(table.sum(axis=0), 1.0, rtol=1e-12)
    assert np.all(table[t + 1 :] == 0.0)
    np.testing.assert_allclose(
        np.arange(t + 3) @ table,
        BGBB.conditional_expected_purchases(t, DISCRETE_HISTORY),
        rtol=1e-10,
        atol=1e-15,
    )


def test_per_customer_n_and_t() -> None:
    fitted = CONTINUOUS["bgnbd"]
    n = np.array([0, 1, 2, 3, 4])
    t = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    got = fitted.conditional_probability_of_purchases(n, t, HISTORY)
    each = [
        fitted.conditional_probability_of_purchases(
            int(n[i]), t[i], tuple(column[i : i + 1] for column in HISTORY)
        )[0]
        for i in range(5)
    ]
    np.testing.assert_array_equal(got, each)


@pytest.mark.parametrize("model", sorted(CONTINUOUS))
@pytest.mark.parametrize(
    ("n", "t", "match"),
    [(-1, 1.0, "n"), (1.5, 1.0, "n"), (1, -2.0, "t"), (1, math.nan, "t"), ([1, 2], 1.0, "n")],
)
def test_typed_errors(model: str, n: Any, t: Any, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        CONTINUOUS[model].conditional_probability_of_purchases(n, t, HISTORY)


@pytest.mark.parametrize(("n", "t", "match"), [(-1, 1, "n"), (1, 1.5, "t"), (1, [1, 2], "t")])
def test_bgbb_typed_errors(n: Any, t: Any, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        BGBB.conditional_probability_of_purchases(n, t, DISCRETE_HISTORY)


# ---------------------------------------------------------------------------- Monte Carlo


def _agree(counts: np.ndarray, probabilities: np.ndarray) -> None:
    """Frequencies within 5 binomial standard errors (plus a little) of the probabilities."""
    total = counts.sum()
    frequencies = counts / total
    error = np.sqrt(probabilities * (1 - probabilities) / total)
    assert np.all(np.abs(frequencies - probabilities) <= 5 * error + 2e-4), (
        frequencies,
        probabilities,
    )


def _simulate_bg_family(
    rng: np.random.Generator,
    size: int,
    theta: tuple[float, ...],
    shift: float,
    end: float,
    T: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Repeat purchases in (0, T] and (T, end] of ``size`` customers drawn from the prior."""
    r, alpha, a, b = theta
    rate = rng.gamma(r, 1.0 / alpha, size)
    p = rng.beta(a, b, size)
    alive = np.ones(size, dtype=bool) if shift == 0.0 else rng.random(size) >= p
    time = np.zeros(size)
    before = np.zeros(size, dtype=np.int64)
    after = np.zeros(size, dtype=np.int64)
    while alive.any():
        idx = np.flatnonzero(alive)
        time[idx] += rng.exponential(1.0 / rate[idx])
        over = time[idx] > end
        alive[idx[over]] = False
        idx = idx[~over]
        early = time[idx] <= T
        before[idx[early]] += 1
        after[idx[~early]] += 1
        alive[idx[rng.random(idx.size) < p[idx]]] = False
    return before, after


@pytest.mark.parametrize(("model", "shift"), [("bgnbd", 0.0), ("mbgnbd", 1.0)])
def test_bg_family_matches_simulated_customers_without_repeat_purchases(
    model: str, shift: float
) -> None:
    """Customers simulated from the prior, kept when they made no repeat purchase by T."""
    fitted = CONTINUOUS[model]
    rng = np.random.default_rng(11)
    T, t = 20.0, 30.0
    before, after = _simulate_bg_family(rng, 400_000, fitted.params.to_tuple(), shift, T + t, T)
    kept = after[before == 0]
    history = (np.zeros(1), np.zeros(1), np.full(1, T))
    n = np.arange(6)
    probabilities = np.array(
        [fitted.conditional_probability_of_purchases(k, t, history)[0] for k in n]
    )
    counts = np.array([np.sum(kept == k) for k in n])
    _agree(counts, probabilities)


def test_paretonbd_matches_simulated_customers_without_repeat_purchases() -> None:
    fitted = CONTINUOUS["paretonbd"]
    r, alpha, s, beta = fitted.params.to_tuple()
    rng = np.random.default_rng(12)
    size, T, t = 400_000, 20.0, 30.0
    rate = rng.gamma(r, 1.0 / alpha, size)
    lifetime = rng.exponential(1.0 / rng.gamma(s, 1.0 / beta, size))
    before = rng.poisson(rate * np.minimum(lifetime, T))
    after = rng.poisson(rate * np.clip(lifetime - T, 0.0, t))
    kept = after[before == 0]
    history = (np.zeros(1), np.zeros(1), np.full(1, T))
    n = np.arange(6)
    probabilities = np.array(
        [fitted.conditional_probability_of_purchases(k, t, history)[0] for k in n]
    )
    _agree(np.array([np.sum(kept == k) for k in n]), probabilities)


def test_bgbb_matches_simulated_customers_with_the_same_history() -> None:
    """Discrete time: simulated customers kept when (x, t_x, n) equals the history exactly."""
    alpha, beta, gamma, delta = BGBB.params.to_tuple()
    rng = np.random.default_rng(13)
    size, n, t = 400_000, 6, 5
    p = rng.beta(alpha, beta, size)
    theta = rng.beta(gamma, delta, size)
    alive = np.ones(size, dtype=bool)
    buys = np.zeros((size, n + t), dtype=bool)
    for j in range(n + t):
        alive &= rng.random(size) >= theta  # dropout at the start of each opportunity
        buys[:, j] = alive & (rng.random(size) < p)
    x = buys[:, :n].sum(axis=1)
    last = np.where(x > 0, n - np.argmax(buys[:, :n][:, ::-1], axis=1), 0)
    future = buys[:, n:].sum(axis=1)
    for pattern in [(3, 6), (3, 3), (0, 0)]:
        kept = future[(x == pattern[0]) & (last == pattern[1])]
        history = ([pattern[0]], [pattern[1]], [n])
        k = np.arange(t + 1)
        probabilities = np.array(
            [BGBB.conditional_probability_of_purchases(j, t, history)[0] for j in k]
        )
        _agree(np.array([np.sum(kept == j) for j in k]), probabilities)


@pytest.mark.parametrize("model", sorted(CONTINUOUS))
def test_matches_the_future_simulated_from_the_posterior(model: str) -> None:
    """Repeat buyers: alive with P(alive), then the posterior rates and a fresh future."""
    fitted = CONTINUOUS[model]
    x, t_x, T, t = 4.0, 30.0, 38.86, 26.0
    history = ([x], [t_x], [T])
    alive_probability = float(fitted.probability_alive(history)[0])
    rng = np.random.default_rng(14)
    size = 300_000
    alive = rng.random(size) < alive_probability
    if model == "paretonbd":
        r, alpha, s, beta = fitted.params.to_tuple()
        rate = rng.gamma(r + x, 1.0 / (alpha + T), size)
        lifetime = rng.exponential(1.0 / rng.gamma(s, 1.0 / (beta + T), size))
        after = rng.poisson(rate * np.minimum(lifetime, t))
    else:
        r, alpha, a, b = fitted.params.to_tuple()
        b_post = b + x + (1.0 if model == "mbgnbd" else 0.0)
        _, after = _simulate_bg_family(rng, size, (r + x, alpha + T, a, b_post), 0.0, t, 0.0)
    after = np.where(alive, after, 0)
    n = np.arange(8)
    probabilities = np.array(
        [fitted.conditional_probability_of_purchases(k, t, history)[0] for k in n]
    )
    _agree(np.array([np.sum(after == k) for k in n]), probabilities)
