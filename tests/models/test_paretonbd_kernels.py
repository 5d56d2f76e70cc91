"""Pareto/NBD kernels against 50-digit mpmath references, across parameter regions."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ecomstrat._kernels import paretonbd as kernels
from ecomstrat.models._data import RFMArrays
from ecomstrat.models.paretonbd import _Patterns
from tests.reference import paretonbd as ref

# --------------------------------------------------------------------------------------------
# Inputs spanning the regions: α ≫ β, α ≪ β, α ≈ β, w = |α−β|/(max+t_x) → 1, x up to 10^4,
# t_x = 0, t_x = T, t_x within a hair of T, huge T.


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(math.log(lo), math.log(hi)).map(math.exp)


@st.composite
def params(draw: st.DrawFn) -> tuple[float, float, float, float]:
    r = draw(log_uniform(1e-3, 50.0))
    s = draw(log_uniform(1e-3, 50.0))
    alpha = draw(log_uniform(1e-3, 1e4))
    beta = draw(
        st.one_of(
            log_uniform(1e-3, 1e4),
            st.floats(-1e-6, 1e-6).map(lambda e: alpha * (1.0 + e)),  # α ≈ β
            st.just(alpha),
        )
    )
    return r, alpha, s, beta


@st.composite
def customers(draw: st.DrawFn) -> tuple[float, float, float]:
    T = draw(st.one_of(log_uniform(1e-2, 1e3), log_uniform(1e3, 1e9)))
    x = float(draw(st.one_of(st.integers(0, 30), st.integers(31, 10_000))))
    if x == 0:
        return x, 0.0, T
    t_x = draw(
        st.one_of(
            st.floats(0.0, 1.0).map(lambda u: u * T),
            st.just(0.0),
            st.just(T),
            log_uniform(1e-12, 1e-3).map(lambda e: T * (1.0 - e)),
        )
    )
    return x, min(t_x, T), T


def kernel_loglik(theta, x, t_x, T):
    """Per-pattern log-likelihood, gradient and ``G`` through the pair-table kernel."""
    rfm = RFMArrays(
        np.atleast_1d(x) * 1.0,
        np.atleast_1d(t_x) * 1.0,
        np.atleast_1d(T) * 1.0,
        np.ones(np.size(x)),
    )
    p = _Patterns.build(rfm, compress=False)
    _, _, terms = kernels.loglik_terms(
        *theta,
        p.rfm.x,
        p.rfm.t_x,
        p.rfm.T,
        p.rfm.weights,
        p.pair_x,
        p.pair_t,
        p.pair_of_tx,
        p.pair_of_T,
    )
    return terms


def kernel_alive(theta, x, t_x, T):
    return np.exp(-np.logaddexp(0.0, kernel_loglik(theta, x, t_x, T)[:, 5]))


def kernel_dert(theta, delta, x, t_x, T):
    r, alpha, s, beta = theta
    lifetime = kernels.discounted_lifetime(s, delta, np.array([beta + T]), math.inf)[0]
    return kernel_alive(theta, x, t_x, T)[0] * (r + x) / (alpha + T) * lifetime


REGIONS = {
    "cdnow": ((0.553, 10.578, 0.606, 11.669), (2.0, 30.43, 38.86)),
    "alpha>>beta": ((0.5, 100.0, 0.6, 0.01), (3.0, 1.0, 40.0)),
    "alpha<<beta": ((0.5, 0.01, 0.6, 100.0), (3.0, 1.0, 40.0)),
    "alpha=beta": ((0.5, 10.0, 0.6, 10.0), (3.0, 1.0, 40.0)),
    "alpha~beta": ((0.5, 10.0, 0.6, 10.000000001), (3.0, 1.0, 40.0)),
    "z->1 (alpha>beta)": ((0.7, 1e4, 1.3, 1e-3), (5.0, 0.0, 10.0)),
    "z->1 (alpha<beta)": ((0.7, 1e-3, 1.3, 1e4), (5.0, 0.0, 10.0)),
    "x=1e4": ((1.0, 5.0, 1.0, 7.0), (10_000.0, 20.0, 40.0)),
    "x=1e4, t_x=0": ((1.0, 5.0, 1.0, 7.0), (10_000.0, 0.0, 40.0)),
    "t_x=T": ((0.3, 5.0, 0.2, 50.0), (5.0, 40.0, 40.0)),
    "t_x=T-1e-9": ((0.3, 5.0, 0.2, 50.0), (5.0, 40.0 - 1e-9, 40.0)),
    "x=0": ((0.3, 5.0, 0.2, 50.0), (0.0, 0.0, 40.0)),
    "huge T": ((0.3, 5.0, 0.2, 50.0), (0.0, 0.0, 1e9)),
    "huge T, x>0": ((0.3, 5.0, 0.2, 50.0), (3.0, 1e8, 1e9)),
    "tiny r, s": ((1e-4, 2.0, 1e-4, 3.0), (1.0, 10.0, 20.0)),
    "large r, s": ((40.0, 2.0, 40.0, 3.0), (7.0, 10.0, 20.0)),
    "ratio 1e7": ((2.0, 1e-3, 3.0, 1e4), (50.0, 2.0, 3.0)),
}


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_loglik_and_alive_match_mpmath_in_every_region(region):
    theta, (x, t_x, T) = REGIONS[region]
    terms = kernel_loglik(theta, x, t_x, T)
    expected = ref.log_likelihood(*theta, x, t_x, T)
    assert terms[0, 0] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    alive = kernel_alive(theta, x, t_x, T)[0]
    assert alive == pytest.approx(ref.probability_alive(*theta, x, t_x, T), rel=1e-11)


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_gradient_matches_mpmath_in_every_region(region):
    theta, (x, t_x, T) = REGIONS[region]
    terms = kernel_loglik(theta, x, t_x, T)
    expected = ref.gradient(*theta, x, t_x, T)
    np.testing.assert_allclose(terms[0, 1:5], expected, rtol=1e-9, atol=1e-9)


@given(theta=params(), customer=customers())
def test_loglik_matches_mpmath_on_generated_inputs(theta, customer):
    terms = kernel_loglik(theta, *customer)
    expected = ref.log_likelihood(*theta, *customer)
    assert np.isfinite(terms[:, :5]).all()
    assert terms[0, 0] == pytest.approx(expected, rel=1e-10, abs=1e-10)


@given(theta=params(), customer=customers())
def test_probability_alive_matches_mpmath_on_generated_inputs(theta, customer):
    x, _, T = (np.array([v]) for v in customer)
    alive = kernel_alive(theta, *customer)
    reference = ref.probability_alive(*theta, *customer)
    assert alive[0] == pytest.approx(reference, rel=1e-10, abs=1e-300)
    expected = kernels.expected_given_history(*theta, x, T, np.array([10.0]), alive)
    reference = ref.conditional_expected(*theta, *customer, 10.0)
    assert expected[0] == pytest.approx(reference, rel=1e-10, abs=1e-300)


@given(theta=params(), customer=customers())
def test_gradient_matches_central_differences(theta, customer):
    terms = kernel_loglik(theta, *customer)
    value = terms[0, 0]
    h = 1e-5
    for j in range(4):
        up, down = list(theta), list(theta)
        up[j] *= math.exp(h)
        down[j] *= math.exp(-h)
        numeric = (kernel_loglik(up, *customer)[0, 0] - kernel_loglik(down, *customer)[0, 0]) / (
            2 * h
        )
        analytic = theta[j] * terms[0, j + 1]  # d/d log θ
        assert analytic == pytest.approx(numeric, abs=1e-5 * (1 + abs(value) + abs(analytic)))


@given(theta=params(), customer=customers())
def test_series_and_quadrature_agree(theta, customer):
    """Where the series applies, the quadrature fallback gives the same G and ∂ log I."""
    x, t_x, T = customer
    if t_x == T:
        return
    series = kernels.log_alive_odds(*theta, x, t_x, T, True)
    quadrature = kernels._odds_quadrature(*theta, x, t_x, T)
    assert quadrature[0] == pytest.approx(series[0], rel=1e-11, abs=1e-11)
    scale = 1.0 + np.abs(series[1:])
    np.testing.assert_array_less(np.abs(np.subtract(quadrature[1:], series[1:])), 1e-9 * scale)


def test_both_paths_are_used_in_the_regions():
    """The region table exercises the series, the quadrature and the ``t_x = T`` shortcut."""
    paths = set()
    for theta, (x, t_x, T) in REGIONS.values():
        if t_x == T:
            paths.add("t_x = T")
            continue
        ok1 = kernels._log_r_series(*theta, x, t_x, False)[-1]
        ok2 = kernels._log_r_series(*theta, x, T, False)[-1]
        paths.add("series" if ok1 and ok2 else "quadrature")
    assert paths == {"t_x = T", "series", "quadrature"}


def test_serial_and_parallel_kernels_agree():
    rng = np.random.default_rng(7)
    n = 3_000
    x = rng.integers(0, 40, n).astype(float)
    T = rng.uniform(1.0, 80.0, n).round(1)
    t_x = np.where(x > 0, (T * rng.random(n)).round(1), 0.0)
    p = _Patterns.build(RFMArrays(x, t_x, T, np.ones(n)), compress=False)
    args = (
        p.rfm.x,
        p.rfm.t_x,
        p.rfm.T,
        p.rfm.weights,
        p.pair_x,
        p.pair_t,
        p.pair_of_tx,
        p.pair_of_T,
    )
    theta = (0.6, 9.0, 0.8, 25.0)
    serial = kernels.loglik_terms(*theta, *args)
    parallel = kernels.loglik_terms_parallel(*theta, *args)
    np.testing.assert_array_equal(serial[2], parallel[2])
    assert serial[0] == pytest.approx(parallel[0], rel=1e-14)
    np.testing.assert_allclose(serial[1], parallel[1], rtol=1e-12)


def test_pair_table_matches_one_customer_at_a_time():
    rng = np.random.default_rng(3)
    n = 500
    x = rng.integers(0, 20, n).astype(float)
    T = rng.integers(10, 60, n).astype(float)
    t_x = np.where(x > 0, rng.integers(0, 60, n) % (T + 1), 0.0)
    theta = (0.5, 6.0, 1.4, 30.0)
    terms = kernel_loglik(theta, x, t_x, T)
    odds = np.array(
        [kernels.log_alive_odds(*theta, *c, True)[0] for c in zip(x, t_x, T, strict=True)]
    )
    np.testing.assert_allclose(terms[:, 5], odds, rtol=1e-14)
    expected = [ref.log_likelihood(*theta, *c) for c in zip(x[:40], t_x[:40], T[:40], strict=True)]
    np.testing.assert_allclose(terms[:40, 0], expected, rtol=1e-12)


@given(theta=params(), delta=log_uniform(1e-5, 1.0), customer=customers())
@settings(max_examples=40)
def test_dert_matches_mpmath_hyperu(theta, delta, customer):
    x, t_x, T = customer
    if x > 500 or T > 1e5:  # keep mpmath.hyperu quick
        return
    got = kernel_dert(theta, delta, x, t_x, T)
    assert got == pytest.approx(ref.dert(*theta, delta, x, t_x, T), rel=1e-10)


@given(theta=params(), n=st.integers(0, 40), t=log_uniform(1e-3, 1e3))
@settings(max_examples=25)
def test_pmf_matches_mpmath_quad(theta, n, t):
    got = kernels.pmf_new(*theta, np.array([float(n)]), np.array([t]))[0]
    assert got == pytest.approx(ref.pmf_new(*theta, n, t), rel=1e-10, abs=1e-280)


@pytest.mark.parametrize(
    "theta", [(0.553, 10.578, 0.606, 11.669), (2.0, 1.0, 3.0, 0.5), (0.2, 3.0, 0.05, 40.0)]
)
@pytest.mark.parametrize("t", [0.5, 39.0, 400.0])
def test_pmf_is_a_distribution_with_the_right_moments(theta, t):
    n = np.arange(0.0, 20_000.0)
    pmf = kernels.pmf_new(*theta, n, np.full(n.shape, t))
    assert pmf.sum() == pytest.approx(1.0, rel=1e-10)
    mean = kernels.expected_new(*theta, np.array([t]))[0]
    assert (n * pmf).sum() == pytest.approx(mean, rel=1e-9)
    assert (n * (n - 1) * pmf).sum() == pytest.approx(
        ref.second_factorial_moment_new(*theta, t), rel=1e-8
    )


def test_expected_new_is_continuous_at_s_equal_one():
    t = np.array([0.0, 1.0, 50.0, 1e6])
    for s in (1.0, 1.0 + 1e-9, 1.0 - 1e-9):
        got = kernels.expected_new(0.5, 4.0, s, 9.0, t)
        np.testing.assert_allclose(
            got, [ref.expected_new(0.5, 4.0, s, 9.0, v) for v in t], rtol=1e-12
        )


@given(
    k=st.floats(-5.0, 50.0),
    p1=log_uniform(1e-3, 1e3),
    a1=st.one_of(st.just(0.0), log_uniform(1e-3, 1e3)),
    p2=log_uniform(1e-3, 1e3),
    a2=log_uniform(1e-3, 1e3),
    lo=st.floats(-5.0, 5.0),
    width=log_uniform(1e-8, 20.0),
)
@settings(max_examples=40)
def test_log_concave_integral_matches_mpmath(k, p1, a1, p2, a2, lo, width):
    import mpmath as mp

    hi = lo + width
    got = kernels.log_concave_integral(k, p1, a1, p2, a2, 0.0, lo, hi)
    with mp.workdps(30):

        def phi(v):
            return k * v - p1 * mp.log(a1 + mp.exp(v)) - p2 * mp.log(a2 + mp.exp(v))

        grid = np.linspace(lo, hi, 9).tolist()
        top = max(phi(mp.mpf(v)) for v in grid)
        value = mp.quad(lambda v: mp.exp(phi(v) - top), grid)
        mean = mp.quad(lambda v: mp.exp(phi(v) - top) * mp.log(a1 + mp.exp(v)), grid) / value
        expected = float(top + mp.log(value))
    assert got[0] == pytest.approx(expected, rel=1e-11, abs=1e-11)
    assert got[1] == pytest.approx(float(mean), rel=1e-10, abs=1e-10)


def test_unique_rows_matches_numpy_unique():
    from ecomstrat._kernels.patterns import unique_rows

    rng = np.random.default_rng(0)
    cols = [rng.integers(0, 4, 2_000).astype(float) / 3 for _ in range(3)]
    bits = [np.ascontiguousarray(c).view(np.int64) for c in cols]
    first, inverse = unique_rows(*bits)
    rows = np.stack(cols, axis=1)
    assert len(first) == len(np.unique(rows, axis=0))
    np.testing.assert_array_equal(rows[first][inverse], rows)
    assert (np.diff(first) > 0).all()  # in order of first occurrence


def test_kernels_run_as_plain_python_without_jit():
    """With NUMBA_DISABLE_JIT=1 the kernels are ordinary Python (coverage, debugging)."""
    script = textwrap.dedent(
        """
        import numpy as np
        from ecomstrat._kernels import paretonbd as k
        from ecomstrat.models.paretonbd import ParetoNBD
        m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="week")
        data = ([2, 0, 10], [30.43, 0.0, 35.0], [38.86, 38.86, 38.86])
        assert np.allclose(m.probability_alive(data), [0.86916756, 0.2952866, 0.92733209])
        assert np.isclose(m.log_likelihood(data), LOGLIK, rtol=1e-12)
        assert np.isclose(m.probability_of_purchases(1, 39)[()], 0.16556295)
        assert not hasattr(k.loglik_terms, "py_func")
        """
    )
    script = script.replace("LOGLIK", "-37.159952205475605")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    # Without JIT the hash of unique_rows overflows numpy uint64 scalars on purpose.
    command = [sys.executable, "-W", "ignore::RuntimeWarning", "-c", script]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_alive_probability_parallel_equals_serial_and_reference() -> None:
    """The per-customer P(alive) kernel: both variants agree, and match mpmath on a sample."""
    from ecomstrat._kernels import paretonbd as kernels
    from tests.reference.paretonbd import probability_alive

    rng = np.random.default_rng(5)
    n = 25_000
    x = rng.integers(0, 30, n).astype(float)
    T = rng.uniform(0.5, 80.0, n)
    t_x = np.where(x > 0, T * rng.random(n), 0.0)
    theta = (0.553, 10.578, 0.606, 11.669)
    serial = kernels.alive_probability(*theta, x, t_x, T)
    parallel = kernels.alive_probability_parallel(*theta, x, t_x, T)
    np.testing.assert_array_equal(serial, parallel)
    assert np.all((serial >= 0.0) & (serial <= 1.0))
    for i in range(0, n, 2_500):
        want = float(probability_alive(*theta, x[i], t_x[i], T[i]))
        assert serial[i] == pytest.approx(want, rel=1e-10)
