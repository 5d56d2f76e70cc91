"""Pareto/NBD model: published estimates, parity with lifetimes, recovery, properties, errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ecomstrat.datasets import SimulationParameters, simulate_transactions
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import BoundaryEstimateWarning, ConvergenceError, InvalidInputError
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.models._data import as_rfm_arrays
from ecomstrat.models._protocols import continuous_discount_rate
from ecomstrat.models.paretonbd import (
    SUBSAMPLE_ABOVE,
    FittedParetoNBD,
    ParetoNBD,
    ParetoNBDParams,
    _moment_start,
)
from tests.reference import paretonbd as ref

#: Fader, Hardie & Lee (2005), "A Note on Implementing the Pareto/NBD Model in MATLAB".
PUBLISHED = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}


def model(**overrides: float) -> FittedParetoNBD:
    return ParetoNBD.from_params(**{**PUBLISHED, **overrides}, time_unit="week")


@pytest.fixture(scope="module")
def cdnow(shared_data: Path) -> CustomerSummary:
    raw = np.loadtxt(shared_data / "cdnow_sample_summary.csv", delimiter=",", skiprows=1)
    return CustomerSummary.from_arrays(raw[:, 1], raw[:, 2], raw[:, 3], time_unit="week")


def simulate_pareto_nbd(
    n: int, r: float, alpha: float, s: float, beta: float, *, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) of a Pareto/NBD customer base: λ ~ Γ(r, α), μ ~ Γ(s, β), lifetime Exp(μ).

    Each customer is observed for T ~ U(26, 78) after the first purchase; repeat purchases
    are Poisson(λ) while alive, so x ~ Poisson(λ · min(lifetime, T)) and, given x, the
    purchase times are uniform on the active period: t_x = active · U^(1/x).
    """
    rng = np.random.default_rng(seed)
    T = rng.uniform(26.0, 78.0, n).round(2)
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.gamma(s, 1.0 / beta, n)
    active = np.minimum(rng.exponential(1.0 / dropout), T)
    x = rng.poisson(rate * active).astype(float)
    t_x = np.where(x > 0, active * rng.random(n) ** (1.0 / np.maximum(x, 1.0)), 0.0)
    return x, np.minimum(t_x.round(2), T), T


# --------------------------------------------------------------------------------------------
# Published numbers and the peer implementation


@pytest.mark.reference_data
def test_cdnow_reproduces_the_published_estimates(cdnow):
    fitted = ParetoNBD().fit(cdnow)
    got = fitted.params.to_dict()
    for name in ("r", "alpha", "s"):
        assert round(got[name], 3) == PUBLISHED[name]
    # The exact maximum is beta = 11.6679 (Newton iterations on the mpmath-checked
    # likelihood converge there); the published 11.669 is 2e-4 standard errors away, on the
    # flat ridge of the likelihood, and its log-likelihood is lower by 8e-5.
    assert got["beta"] == pytest.approx(PUBLISHED["beta"], abs=2e-3)
    assert round(fitted.fit.log_likelihood, 1) == -9595.0
    assert fitted.fit.log_likelihood > model().log_likelihood(cdnow)
    assert fitted.time_unit is TimeUnit.WEEK
    assert fitted.fit.diagnostics.converged
    assert fitted.fit.diagnostics.n_patterns < len(cdnow)  # compressed
    errors = fitted.fit.standard_errors
    assert errors["r"] == pytest.approx(0.0476, abs=1e-3)
    assert errors["beta"] == pytest.approx(6.21, abs=0.05)


@pytest.mark.reference_data
def test_cdnow_log_likelihood_matches_mpmath(cdnow):
    data = (cdnow.frequency, cdnow.recency, cdnow.T)
    rows = as_rfm_arrays(data)
    keys = np.unique(np.stack([rows.x, rows.t_x, rows.T], axis=1), axis=0, return_counts=True)
    expected = math.fsum(
        w * ref.log_likelihood(*PUBLISHED.values(), *row)
        for row, w in zip(keys[0].tolist(), keys[1].tolist(), strict=True)
    )
    assert model().log_likelihood(data) == pytest.approx(expected, rel=1e-12)


@pytest.mark.reference_data
@pytest.mark.parametrize("t", [1.0, 10.0, 52.0])
def test_cdnow_predictions_match_lifetimes(cdnow, t):
    lifetimes = pytest.importorskip("lifetimes")
    pd = pytest.importorskip("pandas")
    peer = lifetimes.ParetoNBDFitter()
    peer.params_ = pd.Series(PUBLISHED)
    x, t_x, T = cdnow.frequency.astype(float), cdnow.recency, cdnow.T
    ours = model()
    np.testing.assert_allclose(
        ours.conditional_expected_purchases(t, cdnow),
        peer.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, T),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        ours.probability_alive(cdnow), peer.conditional_probability_alive(x, t_x, T), rtol=1e-6
    )
    horizons = np.array([t, 39.0, 78.0])
    np.testing.assert_allclose(
        ours.expected_purchases(horizons),
        peer.expected_number_of_purchases_up_to_time(horizons),
        rtol=1e-6,
    )


def test_predictions_for_a_new_customer_match_mpmath():
    m = model()
    t = np.array([0.0, 0.5, 39.0, 1e4])
    expected = [ref.expected_new(*PUBLISHED.values(), v) for v in t]
    np.testing.assert_allclose(m.expected_purchases(t), expected, rtol=1e-13)
    pmf = m.probability_of_purchases([[0], [3]], [1.0, 39.0])
    assert pmf.shape == (2, 2)
    reference = [[ref.pmf_new(*PUBLISHED.values(), n, v) for v in (1.0, 39.0)] for n in (0, 3)]
    np.testing.assert_allclose(pmf, reference, rtol=1e-12)


def test_dert_matches_the_closed_form_with_units_converted():
    m = model()
    data = ([2, 0, 25], [30.43, 0.0, 38.0], [38.86, 38.86, 38.86])
    got = m.expected_residual_purchases(data, annual_discount_rate=0.15)
    delta = math.log(1.15) / (365.2425 / 7.0)  # continuous rate per week
    expected = [ref.dert(*PUBLISHED.values(), delta, *c) for c in zip(*data, strict=True)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@given(
    params=st.fixed_dictionaries(
        {k: st.floats(math.log(1e-2), math.log(1e2)).map(math.exp) for k in PUBLISHED}
    ),
    x=st.integers(0, 30),
    share=st.floats(0.0, 1.0),
    horizon=st.floats(0.1, 500.0),
    rate=st.floats(0.0, 1.0),
)
@settings(max_examples=30)
def test_discounted_purchases_match_mpmath(params, x, share, horizon, rate):
    m = ParetoNBD.from_params(**params, time_unit="week")
    data = ([x], [share * 40.0 if x else 0.0], [40.0])
    got = m.expected_residual_purchases(data, annual_discount_rate=rate, horizon=horizon)[0]
    delta = continuous_discount_rate(rate, "week")
    theta = [params[name] for name in PUBLISHED]
    expected = ref.discounted_expected(*theta, *(c[0] for c in data), horizon, delta)
    assert got == pytest.approx(expected, rel=1e-10, abs=1e-300)
    if delta == 0.0:
        plain = m.conditional_expected_purchases(horizon, data)[0]
        assert got == pytest.approx(plain, rel=1e-12)


def test_discounted_purchases_over_the_whole_lifetime_are_the_dert():
    m = model()
    data = ([2, 0, 25], [30.43, 0.0, 38.0], [38.86, 38.86, 38.86])
    far = m.expected_residual_purchases(data, annual_discount_rate=0.1, horizon=1e7)
    np.testing.assert_allclose(
        far, m.expected_residual_purchases(data, annual_discount_rate=0.1), rtol=1e-12
    )


# --------------------------------------------------------------------------------------------
# Estimation


def test_recovers_simulated_parameters_within_three_standard_errors():
    truth = {"r": 0.55, "alpha": 10.6, "s": 0.6, "beta": 11.7}
    x, t_x, T = simulate_pareto_nbd(20_000, *truth.values(), seed=11)
    fitted = ParetoNBD().fit((x, t_x, T), time_unit="week")
    errors = fitted.fit.standard_errors
    for name, value in fitted.params.to_dict().items():
        assert abs(value - truth[name]) <= 3.0 * errors[name], (name, value, errors[name])
    assert fitted.fit.diagnostics.converged


def test_subsample_start_reaches_the_same_maximum():
    summary = simulate_transactions(SUBSAMPLE_ABOVE + 5_000, seed=4).summary()
    default = ParetoNBD().fit(summary)  # via the subsample estimate
    direct = ParetoNBD().fit(summary, initial=_moment_start(as_rfm_arrays(summary)))
    for name, value in default.params.to_dict().items():
        assert value == pytest.approx(direct.params.to_dict()[name], rel=1e-4)
    assert default.fit.log_likelihood == pytest.approx(direct.fit.log_likelihood, abs=1e-4)


@pytest.mark.parametrize("compress", [True, False, None])
def test_compression_does_not_change_the_estimates(compress):
    x, t_x, T = simulate_pareto_nbd(3_000, 0.5, 8.0, 0.8, 15.0, seed=2)
    fitted = ParetoNBD().fit((x.round(), t_x.round(), T.round()), compress=compress)
    reference = ParetoNBD().fit((x.round(), t_x.round(), T.round()), compress=True)
    for name, value in fitted.params.to_dict().items():
        assert value == pytest.approx(reference.params.to_dict()[name], rel=1e-5)
    expected_patterns = len(x) if compress is False else reference.fit.diagnostics.n_patterns
    assert fitted.fit.diagnostics.n_patterns == expected_patterns


def test_initial_values_in_every_accepted_form():
    x, t_x, T = simulate_pareto_nbd(2_000, 0.5, 8.0, 0.8, 15.0, seed=5)
    fits = [
        ParetoNBD().fit((x, t_x, T), initial=start)
        for start in (
            ParetoNBDParams(1.0, 5.0, 1.0, 20.0),
            {"r": 1.0, "alpha": 5.0, "s": 1.0, "beta": 20.0},
            (1.0, 5.0, 1.0, 20.0),
        )
    ]
    assert fits[0].params.to_dict() == fits[1].params.to_dict() == fits[2].params.to_dict()
    assert fits[0].time_unit is TimeUnit.DAY  # arrays default to days


def test_time_unit_of_the_fit_follows_the_summary_or_the_argument():
    summary = simulate_transactions(3_000, seed=8).summary()  # weeks
    weeks = ParetoNBD().fit(summary)
    days = ParetoNBD().fit(summary, time_unit="day")
    days_summary = ParetoNBD().fit(summary.to_unit("day"))
    assert weeks.time_unit is TimeUnit.WEEK
    assert days.time_unit is TimeUnit.DAY
    w, d = weeks.params.to_dict(), days.params.to_dict()
    for name in ("r", "s"):
        assert d[name] == pytest.approx(w[name], rel=1e-5)
    for name in ("alpha", "beta"):
        assert d[name] == pytest.approx(7.0 * w[name], rel=1e-5)
        assert days_summary.params.to_dict()[name] == pytest.approx(d[name], rel=1e-6)
    np.testing.assert_allclose(
        days.conditional_expected_purchases(70.0, summary),
        weeks.conditional_expected_purchases(10.0, summary),
        rtol=1e-4,
    )


def test_convergence_error_carries_diagnostics():
    # Every customer bought at the very end, all at the same rate: the purchase rates
    # collapse to one value (a boundary maximum), but the dropout rate's estimate also runs
    # to zero along a flat ridge, which is no maximum.
    x = np.array([1.0, 2.0, 3.0, 4.0] * 50)
    T = np.array([10.0, 20.0, 30.0, 40.0] * 50)
    with pytest.raises(ConvergenceError, match="FitDiagnostics") as caught:
        ParetoNBD().fit((x, T.copy(), T))
    message = str(caught.value)
    assert "did not converge" in message
    assert "Stopped at r=" in message
    assert "n_iterations=" in message
    assert "gradient_norm=" in message
    assert "not negative definite" in message


def test_runaway_estimates_are_explained():
    # BG/NBD data whose dropout rates the Pareto/NBD cannot tell apart: s and beta run off.
    parameters = SimulationParameters(r=1.55, alpha=38.5, a=1.24, b=3.28)
    summary = simulate_transactions(5_000, parameters=parameters, seed=1).summary()
    with pytest.warns(
        BoundaryEstimateWarning, match="grew together: the dropout rates hardly vary"
    ) as caught:
        fitted = ParetoNBD().fit(summary)
    assert caught[0].filename == __file__
    assert fitted.fit is not None
    assert fitted.fit.diagnostics.at_boundary
    assert fitted.params.s > 1e4
    # the limit: every customer drops out at the same rate s/beta (weeks)
    assert 0.001 < fitted.params.s / fitted.params.beta < 0.1


def test_data_without_repeat_purchases_is_refused():
    with pytest.raises(InvalidInputError, match="frequency is 0 for every customer"):
        ParetoNBD().fit(([0, 0, 0], [0.0, 0.0, 0.0], [5.0, 6.0, 7.0]))


# --------------------------------------------------------------------------------------------
# Properties


@st.composite
def extreme_params(draw: st.DrawFn) -> dict[str, float]:
    values = st.floats(math.log(1e-4), math.log(1e4)).map(math.exp)
    return {"r": draw(values), "alpha": draw(values), "s": draw(values), "beta": draw(values)}


@st.composite
def customer_bases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 12))
    x = np.array(draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n)), dtype=float)
    T = np.array(draw(st.lists(st.floats(0.01, 1e6), min_size=n, max_size=n)))
    share = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    t_x = np.where(x > 0, T * share, 0.0)
    return x, t_x, T


@given(params=extreme_params(), data=customer_bases(), t=st.floats(0.0, 1e4))
@settings(max_examples=80)
def test_predictions_are_finite_and_in_range_everywhere(params, data, t):
    m = ParetoNBD.from_params(**params, time_unit="week")
    alive = m.probability_alive(data)
    assert ((alive >= 0.0) & (alive <= 1.0)).all()
    expected = m.conditional_expected_purchases(t, data)
    assert np.isfinite(expected).all()
    assert (expected >= 0.0).all()
    dert = m.expected_residual_purchases(data, annual_discount_rate=0.1)
    assert np.isfinite(dert).all()
    assert (dert >= 0.0).all()
    assert np.isfinite(m.log_likelihood(data))
    new = m.expected_purchases([0.0, t])
    assert np.isfinite(new).all()
    assert new[0] == 0.0
    assert new[1] >= 0.0


@given(params=extreme_params(), data=customer_bases(), grow=st.floats(1e-6, 1e3))
def test_probability_alive_decreases_with_age(params, data, grow):
    m = ParetoNBD.from_params(**params, time_unit="week")
    x, t_x, T = data
    younger = m.probability_alive((x, t_x, T))
    older = m.probability_alive((x, t_x, T * (1.0 + grow)))
    assert (older <= younger * (1.0 + 1e-12) + 1e-300).all()


@given(
    params=extreme_params(), data=customer_bases(), t=st.floats(0.0, 1e3), more=st.floats(0, 1e3)
)
def test_conditional_expectation_grows_with_the_horizon(params, data, t, more):
    m = ParetoNBD.from_params(**params, time_unit="week")
    shorter = m.conditional_expected_purchases(t, data)
    longer = m.conditional_expected_purchases(t + more, data)
    assert (shorter >= 0.0).all()
    assert (longer >= shorter * (1.0 - 1e-12)).all()


@given(params=extreme_params(), x=st.integers(0, 50), share=st.floats(0.0, 1.0))
def test_predictions_are_equivariant_in_the_time_unit(params, x, share):
    # (atol: subnormal results keep only a few digits)
    weeks = ParetoNBD.from_params(**params, time_unit="week")
    p = dict(params, alpha=7.0 * params["alpha"], beta=7.0 * params["beta"])
    days = ParetoNBD.from_params(**p, time_unit="day")
    T = 40.0
    summary = CustomerSummary.from_arrays([x], [share * T if x else 0.0], [T], time_unit="week")
    np.testing.assert_allclose(
        days.probability_alive(summary), weeks.probability_alive(summary), rtol=1e-9, atol=1e-300
    )
    np.testing.assert_allclose(
        days.conditional_expected_purchases(70.0, summary),
        weeks.conditional_expected_purchases(10.0, summary),
        rtol=1e-9,
        atol=1e-300,
    )
    np.testing.assert_allclose(
        days.expected_residual_purchases(summary, annual_discount_rate=0.1),
        weeks.expected_residual_purchases(summary, annual_discount_rate=0.1),
        rtol=1e-9,
        atol=1e-300,
    )
    np.testing.assert_allclose(
        days.expected_purchases(70.0), weeks.expected_purchases(10.0), rtol=1e-12, atol=1e-300
    )
    np.testing.assert_allclose(
        days.probability_of_purchases([0, 2], 70.0),
        weeks.probability_of_purchases([0, 2], 10.0),
        rtol=1e-9,
        atol=1e-300,
    )


def test_one_customer_and_x_zero_everywhere():
    m = model()
    one = ([0], [0.0], [1e-9])
    assert m.probability_alive(one)[0] == pytest.approx(1.0, abs=1e-9)
    assert m.conditional_expected_purchases(0.0, one)[0] == 0.0
    zeros = (np.zeros(4), np.zeros(4), np.array([1e-3, 1.0, 1e3, 1e9]))
    alive = m.probability_alive(zeros)
    assert (np.diff(alive) < 0).all()
    assert alive[-1] > 0.0
    assert m.probability_of_purchases(0, 0.0)[()] == 1.0
    assert m.probability_of_purchases(3, 0.0)[()] == 0.0


# --------------------------------------------------------------------------------------------
# Errors, types and protocol


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ParetoNBDParams(0.5, 1.0, -1.0, 1.0), "s="),
        (lambda: ParetoNBDParams(math.nan, 1.0, 1.0, 1.0), "r="),
        (
            lambda: ParetoNBD.from_params(r=0.5, alpha=math.inf, s=1.0, beta=1.0, time_unit="week"),
            "alpha=",
        ),
        (
            lambda: ParetoNBD.from_params(r=0.5, alpha=1.0, s=1.0, beta=1.0, time_unit="fortnight"),
            "time_unit=",
        ),
        (lambda: model().expected_purchases([1.0, -2.0]), "t[1]="),
        (lambda: model().probability_of_purchases(1.5, 2.0), "n="),
        (lambda: model().probability_of_purchases([1, 2], [1.0, 2.0, 3.0]), "t="),
        (lambda: model().conditional_expected_purchases(math.nan, ([1], [1.0], [2.0])), "t="),
        (lambda: model().conditional_expected_purchases([1.0, 2.0], ([1], [1.0], [2.0])), "t="),
        (lambda: model().probability_alive(([1], [3.0], [2.0])), "recency[0]="),
        (lambda: model().probability_alive(([-1], [0.0], [2.0])), "frequency[0]="),
        (lambda: model().probability_alive(([0], [1.0], [2.0])), "recency[0]="),
        (lambda: model().probability_alive(([1, 2], [1.0], [2.0])), "len(recency)=1"),
        (
            lambda: model().expected_residual_purchases(
                ([1], [1.0], [2.0]), annual_discount_rate=0
            ),
            "annual_discount_rate=",
        ),
        (lambda: ParetoNBD().fit(([1], [1.0], [2.0]), initial=(1.0, 2.0)), "initial="),
        (
            lambda: model().expected_residual_purchases(
                ([1], [1.0], [2.0]), annual_discount_rate=0.1, horizon=0.0
            ),
            "horizon=",
        ),
        (
            lambda: model().expected_residual_purchases(
                ([1], [1.0], [2.0]), annual_discount_rate=-0.1, horizon=5.0
            ),
            "annual_discount_rate=",
        ),
        (
            lambda: model().expected_residual_purchases(
                ([1], [1.0], [2.0]), annual_discount_rate=0.0, horizon=math.inf
            ),
            "annual_discount_rate=0.0",
        ),
        (lambda: ParetoNBD().fit(([1], [1.0], [2.0]), initial={"r": 1.0}), "initial="),
        (lambda: ParetoNBD().fit(([1], [1.0], [0.0])), "T[0]="),
    ],
)
def test_invalid_inputs_name_the_argument(call, name):
    with pytest.raises(InvalidInputError) as caught:
        call()
    assert name in str(caught.value)


def test_fitted_model_is_frozen_and_reports_itself():
    m = model()
    assert m.fit is None
    assert repr(m).startswith("FittedParetoNBD(r=0.553, alpha=10.578")
    with pytest.raises(AttributeError):
        m.params = ParetoNBDParams(1.0, 1.0, 1.0, 1.0)  # type: ignore[misc]
    assert ParetoNBDParams(1, 2, 3, 4).to_dict() == {"r": 1.0, "alpha": 2.0, "s": 3.0, "beta": 4.0}


def test_outputs_are_float64_arrays_of_the_input_shape():
    m = model()
    data = ([2, 0, 10], [30.43, 0.0, 35.0], [38.86, 38.86, 38.86])
    for out in (
        m.probability_alive(data),
        m.conditional_expected_purchases([1.0, 2.0, 3.0], data),
        m.expected_residual_purchases(data, annual_discount_rate=0.1),
    ):
        assert out.dtype == np.float64
        assert out.shape == (3,)
    assert m.expected_purchases(5.0).shape == ()
    assert m.expected_purchases([[1.0, 2.0]]).shape == (1, 2)


def test_satisfies_the_transaction_model_protocol():
    protocols = pytest.importorskip("ecomstrat.models._protocols")
    m = model()
    for protocol in ("TransactionModel", "DiscountedTransactionModel"):
        cls = getattr(protocols, protocol, None)
        if cls is not None and getattr(cls, "_is_runtime_protocol", False):
            assert isinstance(m, cls), protocol
    assert m.time_unit is TimeUnit.WEEK
    data = ([1], [1.0], [2.0])
    assert m.conditional_expected_purchases(1.0, data).shape == m.probability_alive(data).shape
