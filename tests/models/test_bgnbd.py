"""BG/NBD: published estimates, parity with lifetimes, recovery, properties, input errors."""

from __future__ import annotations

import math
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ecomstrat.datasets import SimulationParameters, simulate_transactions
from ecomstrat.exceptions import BoundaryEstimateWarning, InvalidInputError
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.models._protocols import DiscountedTransactionModel, TransactionModel
from ecomstrat.models.bgnbd import BGNBD, BGNBDParams, FittedBGNBD

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def read_cdnow(folder: Path) -> CustomerSummary:
    data = np.genfromtxt(folder / "cdnow_sample_summary.csv", delimiter=",", names=True)
    return CustomerSummary.from_arrays(
        data["frequency"],
        data["recency"],
        data["T"],
        customer_ids=data["ID"].astype(int),
        time_unit="week",
    )


@pytest.fixture(scope="module")
def cdnow(shared_data: Path) -> CustomerSummary:
    return read_cdnow(shared_data)


@pytest.fixture(scope="module")
def published() -> FittedBGNBD:
    return BGNBD.from_params(**PUBLISHED, time_unit="week")


# ---------------------------------------------------------------------------------- golden


@pytest.mark.reference_data
def test_cdnow_fit_reproduces_published_estimates(cdnow: CustomerSummary) -> None:
    # Fader, Hardie & Lee (2005), Marketing Science 24(2): r = 0.243, alpha = 4.414,
    # a = 0.793, b = 2.426, LL = -9582.4 on the 2,357 CDNOW sample customers (weeks).
    fitted = BGNBD().fit(cdnow)
    estimates = fitted.params.to_dict()
    for name, value in PUBLISHED.items():
        assert round(estimates[name], 3) == value, name
    assert fitted.fit is not None
    assert round(fitted.fit.log_likelihood, 1) == -9582.4
    assert fitted.fit.diagnostics.converged
    assert fitted.fit.diagnostics.n_customers == 2357
    assert fitted.fit.diagnostics.n_patterns < 2357  # compressed to distinct patterns
    # Standard errors from the observed information (delta method not involved).
    assert 0.005 < fitted.fit.standard_errors["r"] < 0.05
    assert fitted.log_likelihood(cdnow) == pytest.approx(fitted.fit.log_likelihood, rel=1e-12)


@pytest.mark.reference_data
def test_cdnow_fit_does_not_depend_on_compression(cdnow: CustomerSummary) -> None:
    packed = BGNBD().fit(cdnow, compress=True)
    plain = BGNBD().fit(cdnow, compress=False)
    assert packed.fit is not None
    assert plain.fit is not None
    assert plain.fit.diagnostics.n_patterns == 2357
    for name, value in packed.params.to_dict().items():
        assert getattr(plain.params, name) == pytest.approx(value, rel=1e-5)
    assert plain.fit.log_likelihood == pytest.approx(packed.fit.log_likelihood, rel=1e-9)


# ------------------------------------------------------------------------- lifetimes parity


@pytest.fixture(scope="module")
def lifetimes_model():
    lifetimes = pytest.importorskip("lifetimes")
    pd = pytest.importorskip("pandas")
    model = lifetimes.BetaGeoFitter()
    model.params_ = pd.Series(PUBLISHED)
    return model


@pytest.mark.reference_data
@pytest.mark.parametrize("t", [1.0, 10.0, 52.0])
def test_conditional_expected_purchases_match_lifetimes(cdnow, published, lifetimes_model, t):
    want = lifetimes_model.conditional_expected_number_of_purchases_up_to_time(
        t, cdnow.frequency, cdnow.recency, cdnow.T
    )
    got = published.conditional_expected_purchases(t, cdnow)
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-6)


@pytest.mark.reference_data
def test_probability_alive_matches_lifetimes(cdnow, published, lifetimes_model) -> None:
    want = lifetimes_model.conditional_probability_alive(cdnow.frequency, cdnow.recency, cdnow.T)
    np.testing.assert_allclose(published.probability_alive(cdnow), want, rtol=1e-6)


@pytest.mark.parametrize("t", [10.0, 52.0])
def test_probability_of_purchases_matches_lifetimes(published, lifetimes_model, t) -> None:
    n = np.arange(6)
    want = [lifetimes_model.probability_of_n_purchases_up_to_time(t, int(k)) for k in n]
    np.testing.assert_allclose(published.probability_of_purchases(n, t), want, rtol=1e-6)


def test_expected_purchases_match_lifetimes(published, lifetimes_model) -> None:
    t = np.array([0.5, 1.0, 10.0, 39.0, 52.0, 78.0, 520.0])
    want = lifetimes_model.expected_number_of_purchases_up_to_time(t)
    np.testing.assert_allclose(published.expected_purchases(t), want, rtol=1e-6)


def test_hand_checked_values(published: FittedBGNBD) -> None:
    # x = 0: P(alive) = 1 and E[Y(t)] = E[X(t)] with (r, α + T): 1 - (β/(β+t))^r ... by eq. 9
    h = ([0], [0.0], [38.86])
    assert published.probability_alive(h)[0] == 1.0
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    # x = 2, t_x = 30.43, T = 38.86: odds = a/(b+1) ((α+T)/(α+t_x))^(r+2)
    odds = a / (b + 1) * ((alpha + 38.86) / (alpha + 30.43)) ** (r + 2)
    assert published.probability_alive(([2], [30.43], [38.86]))[0] == pytest.approx(
        1 / (1 + odds), rel=1e-14
    )
    # P(X(t) = 0) = (α/(α+t))^r B(a, b)/B(a, b) = (4.414/14.414)^0.243
    assert published.probability_of_purchases(0, 10.0) == pytest.approx(
        (alpha / (alpha + 10.0)) ** r, rel=1e-14
    )


# -------------------------------------------------------------------------------- recovery


def test_recovers_simulated_parameters_within_three_standard_errors() -> None:
    # Low purchase rates: the simulator's summary merges same-day purchases (daily periods),
    # which at CDNOW's rates undercounts the heaviest buyers enough to bias alpha by ~2 SE.
    truth = SimulationParameters(r=0.5, alpha=20.0, a=0.8, b=2.5)
    simulation = simulate_transactions(40_000, parameters=truth, seed=3, observation_length=104.0)
    fitted = BGNBD().fit(simulation.summary())
    assert fitted.fit is not None
    assert fitted.time_unit.value == "week"
    for name, value in fitted.params.to_dict().items():
        error = fitted.fit.standard_errors[name]
        assert abs(value - getattr(truth, name)) < 3 * error, (name, value, error)


def test_time_unit_equivariance() -> None:
    summary = simulate_transactions(5_000, seed=2).summary()
    weeks = BGNBD().fit(summary)
    days = BGNBD().fit(summary.to_unit("day"))
    assert days.time_unit.value == "day"
    assert days.params.alpha == pytest.approx(7 * weeks.params.alpha, rel=1e-5)
    for name in ("r", "a", "b"):
        assert getattr(days.params, name) == pytest.approx(getattr(weeks.params, name), rel=1e-5)
    np.testing.assert_allclose(
        days.conditional_expected_purchases(70.0, summary),
        weeks.conditional_expected_purchases(10.0, summary),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        days.probability_alive(summary), weeks.probability_alive(summary), rtol=1e-5
    )
    np.testing.assert_allclose(
        days.expected_purchases([7.0, 364.0]), weeks.expected_purchases([1.0, 52.0]), rtol=1e-5
    )
    # A summary is converted to the model's unit; time_unit= converts before fitting.
    assert BGNBD().fit(summary, time_unit="day").params.alpha == pytest.approx(
        days.params.alpha, rel=1e-9
    )


def test_fit_from_arrays_defaults_to_days() -> None:
    s = simulate_transactions(2_000, seed=4).summary(time_unit="day")
    fitted = BGNBD().fit((s.frequency, s.recency, s.T))
    assert fitted.time_unit.value == "day"
    again = BGNBD().fit((s.frequency, s.recency, s.T), initial=fitted.params)
    assert again.params.r == pytest.approx(fitted.params.r, rel=1e-5)


def test_a_boundary_maximum_keeps_its_estimates_and_says_why() -> None:
    # One repeat buyer among 51: the likelihood keeps rising as the dropout probability
    # after a repeat purchase tends to 1 for everybody (a + b -> infinity, a/(a+b) -> 1).
    x = np.r_[np.zeros(50), 1.0]
    T = np.r_[np.linspace(1.0, 30.0, 50), 30.0]
    data = (x, np.r_[np.zeros(50), 1.0], T)
    with pytest.warns(BoundaryEstimateWarning, match="a \\+ b grew without bound") as caught:
        fitted = BGNBD().fit(data, time_unit="week")
    assert caught[0].filename == __file__
    assert "the dropout probabilities hardly vary" in str(caught[0].message)
    assert fitted.fit is not None
    assert fitted.fit.diagnostics.at_boundary
    assert fitted.fit.diagnostics.converged
    p = fitted.params.a / (fitted.params.a + fitted.params.b)
    assert p == pytest.approx(1.0, abs=1e-6)
    assert np.all(np.isfinite(fitted.conditional_expected_purchases(10.0, data)))


def test_fit_without_repeat_purchases_is_rejected() -> None:
    data = (np.zeros(50), np.zeros(50), np.linspace(1.0, 30.0, 50))
    with pytest.raises(InvalidInputError, match="frequency='<all 0>' is invalid"):
        BGNBD().fit(data, time_unit="week")


# ------------------------------------------------------------------------------ properties


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(math.log(lo), math.log(hi)).map(math.exp)


@st.composite
def models(draw: st.DrawFn) -> FittedBGNBD:
    return BGNBD.from_params(
        r=draw(log_uniform(0.01, 50.0)),
        alpha=draw(log_uniform(0.01, 500.0)),
        a=draw(log_uniform(0.01, 50.0)),
        b=draw(log_uniform(0.01, 50.0)),
        time_unit="week",
    )


@st.composite
def customers(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 8))
    x = np.array(draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n)), dtype=float)
    T = np.array(draw(st.lists(log_uniform(1e-3, 1e6), min_size=n, max_size=n)))
    u = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    return x, np.where(x > 0, u * T, 0.0), T


@settings(max_examples=40)
@given(model=models(), data=customers(), t=log_uniform(1e-3, 1e4))
def test_probabilities_and_expectations_are_valid(model, data, t) -> None:
    alive = model.probability_alive(data)
    assert ((alive >= 0) & (alive <= 1)).all()
    assert (alive[data[0] == 0] == 1.0).all()
    pmf = model.probability_of_purchases(np.arange(8), t)
    assert ((pmf >= 0) & (pmf <= 1)).all()
    assert pmf.sum() <= 1 + 1e-12
    times = np.array([0.0, t, 2 * t, 10 * t])
    expected = np.array([model.conditional_expected_purchases(s, data) for s in times])
    assert np.isfinite(expected).all()
    assert (expected[0] == 0).all()
    assert (np.diff(expected, axis=0) >= -1e-12 * np.abs(expected[1:])).all()
    new = model.expected_purchases(times)
    assert np.isfinite(new).all()
    assert (np.diff(new) >= 0).all()


@settings(max_examples=20)
@given(model=models(), t=log_uniform(1e-2, 1e3))
def test_probabilities_of_purchases_add_up_to_one(model, t) -> None:
    # Σ_n P(X(t) = n) = 1; the mean of the distribution is E[X(t)].
    n = np.arange(4000)
    pmf = model.probability_of_purchases(n, t)
    if pmf[-1] > 1e-14:  # heavy tail: the truncated sums would not be exact
        return
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    assert (n * pmf).sum() == pytest.approx(float(model.expected_purchases(t)), rel=1e-7)


def test_no_nan_in_edge_cases(published: FittedBGNBD) -> None:
    cases = {
        "x = 0": ([0, 0], [0.0, 0.0], [1e-6, 1e6]),
        "one customer": ([3], [2.0], [5.0]),
        "x = 10^4": ([10_000], [60.0], [60.0]),
        "t_x = T": ([5, 1], [38.86, 1e-3], [38.86, 1e-3]),
        "very large T": ([2, 0], [1e7, 0.0], [1e8, 1e8]),
    }
    for name, data in cases.items():
        for values in (
            published.probability_alive(data),
            published.conditional_expected_purchases(52.0, data),
            published.conditional_expected_purchases(0.0, data),
            published.expected_residual_purchases(data, annual_discount_rate=0.1),
            published.expected_residual_purchases(data, annual_discount_rate=0.5, horizon=52.0),
        ):
            assert np.isfinite(values).all(), name
    assert np.isfinite(published.probability_of_purchases([0, 10_000], [1e-9, 1e9])).all()


def test_dert_matches_posterior_expectation(published: FittedBGNBD) -> None:
    # DERT = P(alive) E[λ / (δ + pλ)] over the posterior λ ~ Gamma(r+x, α+T),
    # p ~ Beta(a, b+x): future purchases k happen at Gamma(k, λ) times while p spares them.
    x, t_x, T = 2.0, 30.43, 38.86
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    delta = math.log1p(0.1) / (365.2425 / 7)
    with mp.workdps(20):
        shape, rate = r + x, alpha + T

        def inner(p):
            f = lambda lam: (  # noqa: E731
                lam
                / (delta + p * lam)
                * rate**shape
                * lam ** (shape - 1)
                * mp.exp(-rate * lam)
                / mp.gamma(shape)
            )
            return mp.quad(f, [0, shape / rate, 10 * shape / rate, mp.inf])

        dens = lambda p: p ** (a - 1) * (1 - p) ** (b + x - 1) / mp.beta(a, b + x)  # noqa: E731
        expectation = mp.quad(lambda p: dens(p) * inner(p), [0, 0.5, 1])
    alive = published.probability_alive(([x], [t_x], [T]))[0]
    got = published.expected_residual_purchases(([x], [t_x], [T]), annual_discount_rate=0.1)
    assert got[0] == pytest.approx(alive * float(expectation), rel=1e-8)


def test_discounting_orders_and_limits(published: FittedBGNBD) -> None:
    data = ([2, 0, 7], [30.43, 0.0, 20.0], [38.86, 38.86, 30.0])
    low = published.expected_residual_purchases(data, annual_discount_rate=0.05)
    high = published.expected_residual_purchases(data, annual_discount_rate=0.2)
    assert (high < low).all()
    # No discounting over a horizon H is E[Y(H)].
    np.testing.assert_allclose(
        published.expected_residual_purchases(data, annual_discount_rate=0.0, horizon=52.0),
        published.conditional_expected_purchases(52.0, data),
        rtol=1e-12,
    )


# ---------------------------------------------------------------------------------- errors


def test_protocols_are_satisfied(published: FittedBGNBD) -> None:
    assert isinstance(published, TransactionModel)
    assert isinstance(published, DiscountedTransactionModel)


def test_repr_and_params() -> None:
    m = BGNBD.from_params(r=0.25, alpha=4.0, a=0.8, b=2.5, time_unit="week")
    assert repr(m) == "FittedBGNBD(r=0.25, alpha=4, a=0.8, b=2.5, time_unit='week')"
    assert m.fit is None
    assert m.params == BGNBDParams(0.25, 4.0, 0.8, 2.5)
    with pytest.raises(InvalidInputError, match=r"alpha=0.0 is invalid: must be > 0"):
        BGNBDParams(r=0.25, alpha=0.0, a=0.8, b=2.5)
    with pytest.raises(InvalidInputError, match="b=nan"):
        BGNBD.from_params(r=0.25, alpha=1.0, a=0.8, b=math.nan, time_unit="week")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (([-1], [0.0], [5.0]), r"frequency\[0\]=-1.0 is invalid: must be a finite number >= 0"),
        (([1.5], [1.0], [5.0]), r"frequency\[0\]=1.5 is invalid: must be a whole number"),
        (([1, 2], [1.0, 6.0], [5.0, 5.0]), r"recency\[1\]=6.0 is invalid: must be <= T"),
        (([0], [1.0], [5.0]), r"recency\[0\]=1.0 is invalid: must be 0 when frequency is 0"),
        (([1], [1.0], [0.0]), r"T\[0\]=0.0 is invalid: must be finite and > 0"),
        (([1], [1.0], [5.0, 6.0]), r"equal lengths"),
    ],
)
def test_invalid_histories_name_the_field(published: FittedBGNBD, data, match) -> None:
    with pytest.raises(InvalidInputError, match=match):
        published.probability_alive(data)
    with pytest.raises(InvalidInputError, match=match):
        BGNBD().fit(data)


def test_invalid_prediction_arguments(published: FittedBGNBD) -> None:
    data = ([1, 2], [1.0, 2.0], [5.0, 5.0])
    with pytest.raises(InvalidInputError, match=r"t=-1.0 is invalid: must be a finite time"):
        published.conditional_expected_purchases(-1.0, data)
    with pytest.raises(InvalidInputError, match=r"one entry per customer \(2\)"):
        published.conditional_expected_purchases([1.0, 2.0, 3.0], data)
    with pytest.raises(InvalidInputError, match=r"n\[1\]=0.5 is invalid: must be a whole number"):
        published.probability_of_purchases([1, 0.5], 3.0)
    with pytest.raises(InvalidInputError, match=r"t\[0\]=nan"):
        published.expected_purchases([math.nan])
    with pytest.raises(InvalidInputError, match=r"horizon=0.0 is invalid"):
        published.expected_residual_purchases(data, annual_discount_rate=0.1, horizon=0.0)
    with pytest.raises(InvalidInputError, match=r"annual_discount_rate=-0.1 is invalid"):
        published.expected_residual_purchases(data, annual_discount_rate=-0.1)
    with pytest.raises(InvalidInputError, match=r"annual_discount_rate=10.0 is invalid"):
        published.expected_residual_purchases(data, annual_discount_rate=10.0)
    with pytest.raises(
        InvalidInputError, match=r"annual_discount_rate=0.0 is invalid: must be > 0"
    ):
        published.expected_residual_purchases(data, annual_discount_rate=0.0)
    with pytest.raises(InvalidInputError, match=r"initial r=-1.0 is invalid"):
        BGNBD().fit(data, initial=[-1.0, 1.0, 1.0, 1.0])


def test_summary_is_converted_to_model_unit(published: FittedBGNBD) -> None:
    weeks = CustomerSummary.from_arrays([2, 0], [30.43, 0.0], [38.86, 38.86], time_unit="week")
    days = weeks.to_unit("day")
    np.testing.assert_allclose(
        published.conditional_expected_purchases(10.0, days),
        published.conditional_expected_purchases(10.0, weeks),
        rtol=1e-12,
    )
    shape = published.probability_of_purchases(np.arange(3)[:, None], np.array([1.0, 5.0]))
    assert shape.shape == (3, 2)
    assert published.expected_purchases(5.0).shape == ()


def test_expectation_at_a_equal_one_and_large_r_is_exact() -> None:
    # a = 1 takes the integral of dE/dt; at r = e^3.75 the rate changes on a scale of 1/r in
    # log(1 + t/α), which one panel per unit missed by 1.7e-7. Reference: mpmath quadrature of
    # (r/α)(α/(α+τ))^(r+1) 2F1(r+1, b; a+b; τ/(α+τ)) over (0, t), 30 digits.
    model = BGNBD.from_params(r=math.exp(3.75), alpha=1.0, a=1.0, b=1.0, time_unit="week")
    got = float(model.expected_purchases(math.exp(0.5)))
    assert got == pytest.approx(4.815410704157864, rel=1e-12)
