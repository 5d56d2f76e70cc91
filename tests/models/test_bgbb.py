"""BG/BB: published estimates, parity with lifetimes, kernels vs references, properties."""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.frames.discrete import DiscretePatterns
from ecomstrat.models.bgbb import BGBB, BGBBParams, FittedBGBB
from tests.reference.discrete import (
    COMPARISONS,
    bgbb_loglik_python,
)

#: Fader, Hardie & Shang (2010), Section 4: ML estimates on the 1995 donor cohort.
PUBLISHED = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
PUBLISHED_LL = -33_225.6
PUBLISHED_MODEL = BGBB.from_params(**PUBLISHED)


def model_of(theta: tuple) -> FittedBGBB:
    """The model with ``theta = (alpha, beta, gamma, delta)``."""
    return BGBB.from_params(**dict(zip(PUBLISHED, theta, strict=True)))


def donations(shared_data: Path) -> DiscretePatterns:
    table = np.loadtxt(shared_data / "donations.csv", delimiter=",", skiprows=1)
    return DiscretePatterns(table[:, 0], table[:, 1], table[:, 2], table[:, 3])


def all_patterns(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every valid (x, t_x) for ``n`` opportunities, as float arrays."""
    rows = [(0, 0)] + [(x, t) for t in range(1, n + 1) for x in range(1, t + 1)]
    x, t_x = (np.array(c, dtype=np.float64) for c in zip(*rows, strict=True))
    return x, t_x, np.full(len(x), float(n))


#: mpmath (arbitrary precision) backs the ₂F₁ and high-precision references.
needs_mpmath = pytest.mark.skipif(
    importlib.util.find_spec("mpmath") is None, reason="mpmath is not installed"
)

params_strategy = st.tuples(*[st.floats(0.1, 8.0) for _ in range(4)])


@st.composite
def patterns(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    size = draw(st.integers(1, 12))
    rows = []
    for _ in range(size):
        n = draw(st.integers(0, 25))
        t_x = draw(st.integers(0, n))
        x = draw(st.integers(1, t_x)) if t_x > 0 else 0
        rows.append((x, t_x, n))
    x, t_x, n = (np.array(c, dtype=np.float64) for c in zip(*rows, strict=True))
    return x, t_x, n


def simulate(params: dict[str, float], n_customers: int, n_periods: int, seed: int) -> np.ndarray:
    """0/1 histories from the BG/BB story: die at the start of an opportunity, else buy w.p. p."""
    rng = np.random.default_rng(seed)
    p = rng.beta(params["alpha"], params["beta"], n_customers)
    theta = rng.beta(params["gamma"], params["delta"], n_customers)
    alive_through = rng.geometric(theta) - 1  # opportunities survived before dying
    opportunity = np.arange(1, n_periods + 1)
    alive = opportunity[None, :] <= alive_through[:, None]
    buys = rng.random((n_customers, n_periods)) < p[:, None]
    return (alive & buys).astype(np.int8)


# --- published numbers ------------------------------------------------------------------


@pytest.mark.reference_data
def test_donations_reproduce_published_estimates(shared_data: Path) -> None:
    data = donations(shared_data)
    assert data.n_customers == 11_104
    fitted = BGBB().fit(data)
    got = {name: round(value, 3) for name, value in fitted.params.to_dict().items()}
    assert got == PUBLISHED
    assert fitted.fit is not None
    assert round(fitted.fit.log_likelihood, 1) == PUBLISHED_LL
    assert fitted.fit.diagnostics.converged
    assert fitted.fit.diagnostics.n_patterns == 22
    errors = fitted.fit.standard_errors
    assert all(0 < errors[name] < value for name, value in PUBLISHED.items())
    # the published (rounded) estimates give the published log-likelihood too
    assert PUBLISHED_MODEL.log_likelihood(data) == pytest.approx(PUBLISHED_LL, abs=0.1)


@pytest.mark.reference_data
def test_donations_fit_from_other_starting_values(shared_data: Path) -> None:
    fitted = BGBB().fit(donations(shared_data), initial=(0.1, 0.1, 0.1, 0.1))
    got = [round(v, 3) for v in fitted.params.to_dict().values()]
    assert got == list(PUBLISHED.values())
    fitted = BGBB().fit(donations(shared_data), initial={**PUBLISHED, "alpha": 5.0})
    assert {k: round(v, 3) for k, v in fitted.params.to_dict().items()} == PUBLISHED


# --- parity with lifetimes --------------------------------------------------------------


@pytest.fixture(scope="module")
def lifetimes_fitter():  # type: ignore[no-untyped-def]
    pd = pytest.importorskip("pandas")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifetimes sets deprecated pandas options on import
        lifetimes = pytest.importorskip("lifetimes")
    fitter = lifetimes.BetaGeoBetaBinomFitter()
    fitter.params_ = pd.Series(PUBLISHED)
    return fitter


@pytest.mark.parametrize("n", [1, 6, 11])
def test_parity_with_lifetimes(lifetimes_fitter, n: int) -> None:  # type: ignore[no-untyped-def]
    """P(alive), conditional expectation and P(X(n) = x) agree with lifetimes to 1e-6.

    lifetimes adds 1e-15 to the unnormalised sum of the likelihood (``B = 1e-15 + …``); at
    these parameters that moves nothing above 1e-10, so the definitions match.
    """
    import pandas as pd

    x, t_x, periods = all_patterns(n)
    ints = [a.astype(int) for a in (x, t_x, periods)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ahead in (1, 3):
            want = lifetimes_fitter.conditional_probability_alive(ahead, *ints)
            got = PUBLISHED_MODEL.probability_alive((x, t_x, periods), periods_ahead=ahead)
            np.testing.assert_allclose(got, want, rtol=1e-6)
        for t in (1, 5, 20):
            want = lifetimes_fitter.conditional_expected_number_of_purchases_up_to_time(t, *ints)
            got = PUBLISHED_MODEL.conditional_expected_purchases(t, (x, t_x, periods))
            np.testing.assert_allclose(got, want, rtol=1e-6)
        # lifetimes returns P(X(n) = x) times the customers, for the x in its data; its
        # index arithmetic assumes the x values are consecutive from the smallest (true here).
        counts = np.arange(1.0, n + 2.0)
        lifetimes_fitter.data = pd.DataFrame(
            {
                "frequency": np.arange(n + 1),
                "recency": np.arange(n + 1),
                "n_periods": n,
                "weights": counts,
            }
        )
        want = lifetimes_fitter.expected_number_of_transactions_in_first_n_periods(n)
    got = PUBLISHED_MODEL.probability_of_purchases(np.arange(n + 1), n) * counts.sum()
    np.testing.assert_allclose(got, want["model"].to_numpy(), rtol=1e-6)


# --- kernels against the plain-Python references ----------------------------------------


@pytest.mark.parametrize("name", ["numba", "numba-parallel"])
@given(theta=params_strategy, data=patterns())
def test_loglik_kernel_matches_reference(name: str, theta: tuple, data: tuple) -> None:
    want_ll, want_grad = COMPARISONS["bgbb_loglik_terms"]["python"](theta, *data)
    got_ll, got_grad = COMPARISONS["bgbb_loglik_terms"][name](theta, *data)
    np.testing.assert_allclose(got_ll, want_ll, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(got_grad, want_grad, rtol=1e-8, atol=1e-9)


@given(theta=params_strategy, data=patterns(), ahead=st.integers(0, 5))
def test_probability_alive_kernel_matches_reference(theta: tuple, data: tuple, ahead: int) -> None:
    impl = COMPARISONS["bgbb_probability_alive"]
    want = impl["python"](theta, *data, float(ahead))
    np.testing.assert_allclose(impl["numba"](theta, *data, float(ahead)), want, rtol=1e-10)


@given(theta=params_strategy, data=patterns(), t=st.integers(0, 60))
def test_conditional_expectation_kernel_matches_reference(
    theta: tuple, data: tuple, t: int
) -> None:
    if abs(theta[2] - 1.0) < 0.05:  # the reference's δ/(γ − 1) form cancels near γ = 1
        theta = (*theta[:2], theta[2] + 0.1, theta[3])
    impl = COMPARISONS["bgbb_conditional_expected_purchases"]
    future = np.full(len(data[0]), float(t))
    want = impl["python"](theta, *data, future)
    np.testing.assert_allclose(impl["numba"](theta, *data, future), want, rtol=1e-9, atol=1e-13)


@needs_mpmath
@given(theta=params_strategy, data=patterns(), rate=st.floats(0.01, 2.0))
def test_dert_kernel_matches_reference(theta: tuple, data: tuple, rate: float) -> None:
    impl = COMPARISONS["bgbb_dert"]
    want = impl["python"](theta, *data, rate)
    np.testing.assert_allclose(impl["numba"](theta, *data, rate), want, rtol=1e-10)


@given(theta=params_strategy, t=st.lists(st.integers(0, 80), min_size=1, max_size=8))
def test_expected_purchases_kernel_matches_reference(theta: tuple, t: list[int]) -> None:
    impl = COMPARISONS["bgbb_expected_purchases"]
    periods = np.array(t, dtype=np.float64)
    want = impl["python"](theta, periods)
    np.testing.assert_allclose(impl["numba"](theta, periods), want, rtol=1e-11, atol=1e-300)


@given(theta=params_strategy, data=patterns())
def test_probability_of_purchases_kernel_matches_reference(theta: tuple, data: tuple) -> None:
    impl = COMPARISONS["bgbb_probability_of_purchases"]
    purchases, _, periods = data
    np.testing.assert_allclose(
        impl["numba"](theta, purchases, periods),
        impl["python"](theta, purchases, periods),
        rtol=1e-10,
    )


def test_gradient_matches_finite_differences() -> None:
    x, t_x, n = all_patterns(8)
    weights = np.linspace(1.0, 50.0, len(x))
    theta = np.array([0.9, 1.7, 1.3, 2.2])

    def total(th: np.ndarray) -> float:
        return float(weights @ bgbb_loglik_python(tuple(th), x, t_x, n)[0])

    _, gradient = COMPARISONS["bgbb_loglik_terms"]["numba"](tuple(theta), x, t_x, n)
    analytic = weights @ gradient
    for k in range(4):
        step = np.zeros(4)
        step[k] = 1e-6 * theta[k]
        numeric = (total(theta + step) - total(theta - step)) / (2 * step[k])
        assert analytic[k] == pytest.approx(numeric, rel=1e-6)


def test_kernels_run_as_plain_python() -> None:
    """With NUMBA_DISABLE_JIT=1 the kernels are ordinary Python (coverage, debugging)."""
    script = textwrap.dedent(
        """
        import numpy as np
        from ecomstrat._kernels import bgbb, sbg
        from tests.reference.discrete import bgbb_loglik_python, sbg_loglik_python
        x, t, n = np.array([0.0, 2.0, 3.0]), np.array([0.0, 4.0, 3.0]), np.array([6.0, 6.0, 6.0])
        for kernel in (bgbb.bgbb_loglik_terms, bgbb.bgbb_loglik_terms_parallel):
            for a, b in zip(kernel((1.2, 0.7, 0.6, 2.8), x, t, n),
                            bgbb_loglik_python((1.2, 0.7, 0.6, 2.8), x, t, n)):
                np.testing.assert_allclose(a, b, rtol=1e-9)
        p, c = np.array([1.0, 3.0, 3.0]), np.array([1.0, 1.0, 0.0])
        for a, b in zip(sbg.sbg_loglik_terms(0.7, 1.2, p, c), sbg_loglik_python(0.7, 1.2, p, c)):
            np.testing.assert_allclose(a, b, rtol=1e-9)
        bgbb.warm_up()
        sbg.warm_up()
        assert not hasattr(bgbb.bgbb_dert, "py_func")
        """
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


# --- properties -------------------------------------------------------------------------


@given(theta=params_strategy, data=patterns(), ahead=st.integers(0, 10))
def test_probabilities_lie_in_unit_interval(theta: tuple, data: tuple, ahead: int) -> None:
    model = model_of(theta)
    alive = model.probability_alive(data, periods_ahead=ahead)
    assert np.all((alive >= 0) & (alive <= 1))
    later = model.probability_alive(data, periods_ahead=ahead + 1)
    assert np.all(later <= alive * (1 + 1e-12))  # alive later implies alive now
    _x, t_x, n = data
    assert np.all(model.probability_alive(data, periods_ahead=0)[t_x == n] == pytest.approx(1.0))


@given(theta=params_strategy, t=st.integers(0, 40))
def test_purchase_distribution_sums_to_one_and_gives_the_mean(theta: tuple, t: int) -> None:
    model = model_of(theta)
    counts = np.arange(t + 1)
    pmf = model.probability_of_purchases(counts, t)
    assert np.all((pmf >= 0) & (pmf <= 1))
    assert pmf.sum() == pytest.approx(1.0, rel=1e-12)
    # eq. (7) against the mean of eq. (8)
    assert model.expected_purchases(t) == pytest.approx(counts @ pmf, rel=1e-10, abs=1e-14)


@given(theta=params_strategy, data=patterns(), t=st.integers(0, 30))
def test_conditional_expectation_bounds(theta: tuple, data: tuple, t: int) -> None:
    model = model_of(theta)
    now = model.conditional_expected_purchases(t, data)
    later = model.conditional_expected_purchases(t + 1, data)
    assert np.all((now >= 0) & (now <= t * (1 + 1e-12)))
    assert np.all(later >= now)
    # a new customer (x = t_x = n = 0) expects what eq. (7) says
    fresh = model.conditional_expected_purchases(t, ([0], [0], [0]))
    assert fresh == pytest.approx(model.expected_purchases([t]), rel=1e-12)


@given(theta=params_strategy, data=patterns(), rate=st.floats(0.01, 0.6))
def test_dert_bounded_and_decreasing_in_the_rate(theta: tuple, data: tuple, rate: float) -> None:
    model = model_of(theta)
    dert = model.expected_residual_purchases(data, discount_rate_per_period=rate)
    lower = model.expected_residual_purchases(data, discount_rate_per_period=rate * 1.5)
    assert np.all((dert > 0) & (dert <= 1 / rate))
    assert np.all(lower < dert)


@needs_mpmath
@pytest.mark.parametrize("gamma", [1.0, 1.0 + 1e-12, 1.0 - 1e-9, 1.0 + 1e-6, 0.999, 3.0])
@pytest.mark.parametrize("horizon", [1, 7, 250])
def test_survival_sum_accurate_near_gamma_one(gamma: float, horizon: int) -> None:
    """The paper's δ/(γ − 1)[…] form is 0/0 at γ = 1; the kernel keeps full accuracy there."""
    impl = COMPARISONS["survival_sum"]
    for delta in (0.3, 2.783, 40.0, 1006.0):
        want = impl["python"](gamma, delta, horizon)
        assert impl["numba"](gamma, delta, horizon) == pytest.approx(want, rel=1e-13)


def test_conditional_expectation_continuous_at_gamma_one() -> None:
    x, t_x, n = all_patterns(6)
    at_one, near = (
        model_of((1.2, 0.8, g, 2.5)).conditional_expected_purchases(10, (x, t_x, n))
        for g in (1.0, 1.0 + 1e-12)
    )
    np.testing.assert_allclose(at_one, near, rtol=1e-10)


def _loglik_mpmath(theta: tuple, x: int, t_x: int, n: int) -> float:
    """Eq. (5) in 50-digit arithmetic, for rows whose terms underflow float64."""
    import mpmath

    alpha, beta, gamma, delta = (mpmath.mpf(v) for v in theta)
    with mpmath.workdps(50):
        b = mpmath.beta
        total = b(alpha + x, beta + n - x) * b(gamma, delta + n)
        for i in range(n - t_x):
            total += b(alpha + x, beta + t_x - x + i) * b(gamma + 1, delta + t_x + i)
        return float(mpmath.log(total / (b(alpha, beta) * b(gamma, delta))))


EXTREME_ROWS = [(0, 0, 1000), (1, 1, 1000), (500, 1000, 1000), (1000, 1000, 1000), (3, 999, 1000)]


@needs_mpmath
def test_extreme_histories_loglik_matches_high_precision() -> None:
    x, t_x, n = (np.array(c, dtype=np.float64) for c in zip(*EXTREME_ROWS, strict=True))
    loglik, gradient = COMPARISONS["bgbb_loglik_terms"]["numba"](
        tuple(PUBLISHED.values()), x, t_x, n
    )
    want = [_loglik_mpmath(tuple(PUBLISHED.values()), *row) for row in EXTREME_ROWS]
    np.testing.assert_allclose(loglik, want, rtol=1e-12)
    assert np.all(np.isfinite(gradient))


def test_extreme_histories_stay_finite() -> None:
    """n up to 1000, x = 0 or x = n: finite and in range."""
    x, t_x, n = (np.array(c, dtype=np.float64) for c in zip(*EXTREME_ROWS, strict=True))
    model = PUBLISHED_MODEL
    assert np.isfinite(model.log_likelihood((x, t_x, n)))
    for values in (
        model.probability_alive((x, t_x, n)),
        model.conditional_expected_purchases(1000, (x, t_x, n)),
        model.expected_residual_purchases((x, t_x, n), discount_rate_per_period=0.01),
        model.expected_purchases([0, 1, 1000, 10**6]),
        model.probability_of_purchases([0, 500, 1000], 1000),
    ):
        assert np.all(np.isfinite(values))
        assert np.all(values >= 0)
    zeros = np.zeros(3)
    never = (zeros, zeros, np.array([1.0, 10.0, 1000.0]))
    assert np.all(np.diff(model.probability_alive(never)) < 0)  # silence is bad news


def test_single_pattern_predicts_and_all_zero_data_fails_cleanly() -> None:
    one = DiscretePatterns([2], [3], [6], [1])
    model = PUBLISHED_MODEL
    assert model.log_likelihood(one) < 0
    assert np.isfinite(model.expected_residual_purchases(one, discount_rate_per_period=0.1)).all()
    nobody_buys = DiscretePatterns([0, 0], [0, 0], [3, 6], [500, 500])
    with pytest.raises(InvalidInputError, match=r"frequency is 0 in every history"):
        BGBB().fit(nobody_buys)
    always = DiscretePatterns([3, 6, 0], [3, 6, 0], [3, 6, 6], [5, 5, 0])
    with pytest.raises(InvalidInputError, match=r"frequency equals periods in every"):
        BGBB().fit(always)


# --- recovery ---------------------------------------------------------------------------


def test_recovers_simulated_parameters() -> None:
    truth = {"alpha": 1.3, "beta": 0.9, "gamma": 0.7, "delta": 2.5}
    histories = simulate(truth, n_customers=30_000, n_periods=12, seed=7)
    data = DiscretePatterns.from_histories(histories)
    assert data.n_customers == 30_000
    assert len(data) < 100
    fitted = BGBB().fit(data)
    assert fitted.fit is not None
    for name, value in truth.items():
        estimate = getattr(fitted.params, name)
        error = fitted.fit.standard_errors[name]
        assert abs(estimate - value) < 4 * error, (name, estimate, error)
        assert error < 0.15 * value


def test_fitted_model_is_frozen_and_records_the_fit() -> None:
    data = DiscretePatterns.from_histories(simulate(PUBLISHED, 2_000, 6, seed=1))
    fitted = BGBB().fit(data)
    assert isinstance(fitted, FittedBGBB)
    assert fitted.fit is not None
    assert fitted.log_likelihood(data) == pytest.approx(fitted.fit.log_likelihood, rel=1e-12)
    assert fitted.fit.covariance.shape == (4, 4)
    with pytest.raises(AttributeError):
        fitted.params = BGBBParams(1, 1, 1, 1)  # type: ignore[misc]
    assert BGBB.from_params(**PUBLISHED).fit is None


# --- inputs -----------------------------------------------------------------------------


def test_from_histories_compresses_to_patterns() -> None:
    histories = [[0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0], [0, 1, 0, 1], [1, 1, 1, 1]]
    p = DiscretePatterns.from_histories(np.array(histories, dtype=bool))
    rows = list(zip(p.frequency.tolist(), p.recency.tolist(), p.periods.tolist(), strict=True))
    assert rows == [(0, 0, 4), (2, 3, 4), (2, 4, 4), (4, 4, 4)]
    assert p.weights.tolist() == [2.0, 1.0, 1.0, 1.0]
    assert not p.frequency.flags.writeable
    assert "4 patterns, 5 customers" in repr(p)
    assert list(p.columns()) == ["frequency", "recency", "periods", "weights"]


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        (([-1], [0], [3], [1]), r"frequency\[0\]=-1 .* must be >= 0"),
        (([1.5], [2], [3], [1]), r"frequency\[0\]=1.5 .* whole number"),
        (([1], [4], [3], [1]), r"recency\[0\]=4 .* must be <= periods"),
        (([3], [2], [5], [1]), r"recency\[0\]=2 .* must be >= frequency"),
        (([0], [2], [5], [1]), r"recency\[0\]=2 .* must be 0 when frequency is 0"),
        (([0], [0], [-2], [1]), r"periods\[0\]=-2 .* must be >= 0"),
        (([0], [0], [np.nan], [1]), r"periods\[0\]=nan"),
        (([0, 1], [0, 1], [3, 3], [1, -1]), r"weights\[1\]=-1.0 .* finite and >= 0"),
        (([0, 1], [0, 1], [3, 3], [1]), r"len\(weights\)=1"),
        ((["a"], [0], [3], [1]), r"frequency\[0\]='a' is invalid: must be a number, not str"),
        (([[0]], [[0]], [[3]], [[1]]), r"one-dimensional"),
    ],
)
def test_invalid_patterns_name_the_field(columns: tuple, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        DiscretePatterns(*columns)


def test_invalid_histories() -> None:
    with pytest.raises(InvalidInputError, match=r"histories\[1, 2\]=2.0 .* must be 0 or 1"):
        DiscretePatterns.from_histories([[0, 1, 0], [1, 0, 2]])
    with pytest.raises(InvalidInputError, match=r"histories=.* must be 2-D"):
        DiscretePatterns.from_histories([0, 1, 0])
    with pytest.raises(EmptyInputError):
        DiscretePatterns.from_histories(np.zeros((0, 3)))
    with pytest.raises(EmptyInputError):
        DiscretePatterns([], [], [], [])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: BGBBParams(0.0, 1, 1, 1), r"alpha=0.0 .* must be > 0"),
        (lambda: BGBBParams(1, 1, math.nan, 1), r"gamma=nan .* finite"),
        (lambda: model_of((1, 1, 1, -2)), r"delta=-2.0 .* must be > 0"),
        (lambda: BGBB().fit(([0], [0], [1]), initial=(1, 1)), r"initial=.* four values"),
        (lambda: BGBB().fit(([0], [0], [1]), initial=(1, 1, 0, 1)), r"initial gamma=0 is"),
        (
            lambda: PUBLISHED_MODEL.probability_alive(([1], [1], [2]), periods_ahead=-1),
            r"periods_ahead=-1.0 .* >= 0",
        ),
        (
            lambda: PUBLISHED_MODEL.conditional_expected_purchases(-1, ([1], [1], [2])),
            r"^t=-1.0 .* >= 0",
        ),
        (
            lambda: PUBLISHED_MODEL.conditional_expected_purchases([1, 2], ([1], [1], [2])),
            r"^t=.* one value or one per row",
        ),
        (
            lambda: PUBLISHED_MODEL.expected_residual_purchases(
                ([1], [1], [2]), discount_rate_per_period=0.0
            ),
            r"discount_rate_per_period=0.0 .* must be > 0 over an infinite horizon",
        ),
        (
            lambda: PUBLISHED_MODEL.expected_residual_purchases(
                ([1], [1], [2]), discount_rate_per_period=1.5
            ),
            r"discount_rate_per_period=1.5 .* must lie in \[0, 1\]",
        ),
        (lambda: PUBLISHED_MODEL.expected_purchases([1, 2.5]), r"t\[1\]=2.5 .* whole"),
        (lambda: PUBLISHED_MODEL.probability_of_purchases([1, 4], 3), r"n\[1\]=4.0 .* <= t"),
        (lambda: PUBLISHED_MODEL.probability_alive(([1], [0], [2])), r"recency\[0\]=0"),
        (lambda: PUBLISHED_MODEL.probability_alive([1, 2]), r"data=.* DiscretePatterns"),  # type: ignore[arg-type]
    ],
)
def test_invalid_arguments_name_the_argument(call, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError, match=match):
        call()


def test_shapes_follow_the_inputs() -> None:
    model = PUBLISHED_MODEL
    assert model.expected_purchases(6).shape == ()
    assert model.expected_purchases([[1, 2], [3, 4]]).shape == (2, 2)
    assert model.probability_of_purchases([[0], [1]], [2, 3, 4]).shape == (2, 3)
    per_row = model.conditional_expected_purchases([1, 2], ([0, 1], [0, 1], [3, 3]))
    assert per_row.dtype == np.float64
    assert per_row.shape == (2,)


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)), min_size=1).map(
        lambda rows: [(min(a, b, c), sorted((a, b, c))[1], max(a, b, c)) for a, b, c in rows]
    ),
    st.sampled_from([0, 10**5, 2 * 10**6]),
)
def test_distinct_patterns_round_trip(rows: list[tuple[int, int, int]], offset: int) -> None:
    """Rows are rebuilt from (patterns, inverse) and weights add up, on every code path.

    ``offset`` added to every ``n`` (and t_x, x) moves the packed key from a counting table
    (small n) to a sort of packed keys (n ~ 1e5) and to a sort of rows (n ~ 2e6, overflow).
    """
    x, t_x, n = (np.array(c, dtype=np.int64) for c in zip(*rows, strict=True))
    t_x[x == 0] = 0  # no purchase, no recency
    x, t_x, n = x + offset, t_x + offset, n + offset
    weights = np.arange(1.0, len(x) + 1.0)
    data = DiscretePatterns(x, t_x, n, weights)
    patterns, inverse = data.distinct()
    np.testing.assert_array_equal(patterns.frequency[inverse], x)
    np.testing.assert_array_equal(patterns.recency[inverse], t_x)
    np.testing.assert_array_equal(patterns.periods[inverse], n)
    assert patterns.weights.sum() == pytest.approx(weights.sum())
    keys = list(zip(patterns.periods, patterns.frequency, patterns.recency, strict=True))
    assert keys == sorted(set(keys))


def test_predictions_per_pattern_equal_per_customer_kernels() -> None:
    """Predictions through the distinct histories equal the kernel run on every row."""
    from ecomstrat._kernels import bgbb as kernels

    model = BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    x = np.array([0, 1, 1, 3, 0, 6, 1, 3], dtype=np.float64)
    t_x = np.array([0, 1, 4, 5, 0, 6, 1, 5], dtype=np.float64)
    n = np.full(8, 6.0)
    values = (1.204, 0.750, 0.657, 2.783)
    np.testing.assert_array_equal(
        model.probability_alive((x, t_x, n)),
        kernels.bgbb_probability_alive(values, x, t_x, n, 1.0),
    )
    np.testing.assert_array_equal(
        model.conditional_expected_purchases(5, (x, t_x, n)),
        kernels.bgbb_conditional_expected_purchases(values, x, t_x, n, np.full(8, 5.0)),
    )
    np.testing.assert_array_equal(
        model.expected_residual_purchases((x, t_x, n), discount_rate_per_period=0.1),
        kernels.bgbb_dert(values, x, t_x, n, 0.1),
    )
