"""Gamma-Gamma spend model: published estimates, lifetimes parity, warnings, errors."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ecomstrat.datasets import simulate_transactions
from ecomstrat.exceptions import (
    BoundaryEstimateWarning,
    EmptyInputError,
    InvalidInputError,
    UnknownCodeError,
)
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.models.gamma_gamma import (
    FittedGammaGamma,
    FrequencyMonetaryCorrelationWarning,
    GammaGamma,
    GammaGammaParams,
    NonPositiveSpendWarning,
    frequency_monetary_correlation,
)
from tests.reference.bgnbd import COMPARISONS

PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def spend(shared_data: Path) -> tuple[np.ndarray, np.ndarray]:
    data = np.genfromtxt(shared_data / "cdnow_sample_summary_spend.csv", delimiter=",", names=True)
    return data["x"], data["zbar"]


@pytest.mark.reference_data
def test_cdnow_fit_reproduces_published_estimates(spend) -> None:
    # Fader & Hardie (2013) / FHL (2005, JMR): p = 6.25, q = 3.74, gamma = 15.44 on the 946
    # repeat buyers. The maximum of the likelihood is at gamma = 15.4477 (lifetimes finds the
    # same, to 6 digits), so the published 15.44 is truncated, not rounded: gamma is
    # checked to within 0.01.
    fitted = GammaGamma().fit(spend)
    assert fitted.fit is not None
    assert fitted.fit.diagnostics.n_customers == 946
    assert round(fitted.params.p, 2) == PUBLISHED["p"]
    assert round(fitted.params.q, 2) == PUBLISHED["q"]
    assert fitted.params.gamma == pytest.approx(PUBLISHED["gamma"], abs=0.01)
    assert fitted.params.gamma == pytest.approx(15.4477, abs=1e-4)
    assert round(fitted.fit.log_likelihood, 2) == -4055.92
    # The published point is a little lower on the same likelihood.
    at_published = GammaGamma.from_params(**PUBLISHED).log_likelihood(spend)
    assert at_published < fitted.fit.log_likelihood
    assert fitted.frequency_monetary_correlation == pytest.approx(0.1139, abs=1e-4)


@pytest.mark.reference_data
def test_conditional_spend_matches_lifetimes(spend) -> None:
    lifetimes = pytest.importorskip("lifetimes")
    pd = pytest.importorskip("pandas")
    theirs = lifetimes.GammaGammaFitter()
    theirs.params_ = pd.Series({"p": 6.25, "q": 3.74, "v": 15.44})
    x, m = spend
    want = theirs.conditional_expected_average_profit(pd.Series(x), pd.Series(m))
    got = GammaGamma.from_params(**PUBLISHED).conditional_expected_spend((x, m))
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-6)


def test_hand_checked_conditional_spend() -> None:
    # p (γ + x z̄) / (p x + q - 1): x = 2, z̄ = 22.35 -> 6.25 (15.44 + 44.70) / (12.5 + 2.74)
    model = GammaGamma.from_params(**PUBLISHED)
    got = model.conditional_expected_spend(([2, 0], [22.35, 0.0]))
    assert got[0] == pytest.approx(6.25 * (15.44 + 44.70) / 15.24, rel=1e-14)
    assert got[1] == pytest.approx(6.25 * 15.44 / 2.74, rel=1e-14)  # the population mean
    assert model.params.mean_spend == got[1]
    # q <= 1: the population mean spend does not exist.
    heavy = GammaGamma.from_params(p=2.0, q=0.8, gamma=10.0)
    assert np.isinf(heavy.conditional_expected_spend(([0], [0.0]))[0])
    assert np.isfinite(heavy.conditional_expected_spend(([3], [5.0]))[0])


@pytest.mark.parametrize("impl", ["numba", "numba-parallel"])
@settings(max_examples=40)
@given(
    theta=st.tuples(st.floats(0.1, 50), st.floats(0.1, 50), st.floats(0.1, 500)),
    rows=st.lists(
        st.tuples(st.integers(1, 500), st.floats(0.01, 1e4), st.integers(1, 5)),
        min_size=1,
        max_size=10,
    ),
)
def test_kernel_agrees_with_reference(impl, theta, rows) -> None:
    x, m, w = (np.array(col, dtype=float) for col in zip(*rows, strict=True))
    want_value, want_grad = COMPARISONS["gamma_gamma_loglik"]["python"](np.array(theta), x, m, w)
    value, grad = COMPARISONS["gamma_gamma_loglik"][impl](np.array(theta), x, m, w)
    assert value == pytest.approx(want_value, rel=1e-11, abs=1e-9)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-8, atol=1e-8 * np.abs(want_grad).max())


def test_gradient_matches_finite_differences() -> None:
    kernel = COMPARISONS["gamma_gamma_loglik"]["numba"]
    rng = np.random.default_rng(1)
    x = rng.integers(1, 30, 200).astype(float)
    m = rng.gamma(3.0, 10.0, 200)
    w = np.ones(200)
    theta = np.array([4.0, 3.0, 12.0])
    _, grad = kernel(theta, x, m, w)
    for j in range(3):
        h = 1e-6 * theta[j]
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        numeric = (kernel(up, x, m, w)[0] - kernel(down, x, m, w)[0]) / (2 * h)
        assert grad[j] == pytest.approx(numeric, rel=1e-6)


def test_recovers_simulated_parameters() -> None:
    simulation = simulate_transactions(40_000, seed=8)
    truth = simulation.parameters
    fitted = GammaGamma().fit(simulation.summary())
    assert fitted.fit is not None
    for name, value in fitted.params.to_dict().items():
        error = fitted.fit.standard_errors[name]
        assert abs(value - getattr(truth, name)) < 3 * error, (name, value, error)
    assert abs(fitted.frequency_monetary_correlation) < 0.05


def test_warns_when_frequency_and_spend_are_correlated() -> None:
    x = np.arange(1, 41, dtype=float)
    m = 5.0 + 2.0 * x  # heavy buyers spend more: r = 1
    # ... and the spend scales collapse to one value: a boundary maximum, explained
    with (
        pytest.warns(FrequencyMonetaryCorrelationWarning, match=r"Pearson r = 1.000"),
        pytest.warns(BoundaryEstimateWarning, match="the spend scales hardly vary"),
    ):
        fitted = GammaGamma().fit((x, m))
    assert fitted.frequency_monetary_correlation == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GammaGamma().fit((rng.integers(1, 9, 300), rng.gamma(4.0, 5.0, 300)))


def test_fits_on_repeat_buyers_only_and_compression_is_exact() -> None:
    summary = simulate_transactions(5_000, seed=3).summary()
    fitted = GammaGamma().fit(summary)
    repeat = summary.take(summary.frequency > 0)
    again = GammaGamma().fit((repeat.frequency, repeat.monetary), compress=True)
    assert fitted.fit is not None
    assert again.fit is not None
    assert again.fit.log_likelihood == pytest.approx(fitted.fit.log_likelihood, rel=1e-10)
    # Integer-valued spend repeats, so compression merges rows.
    x = np.tile([1.0, 2.0, 3.0], 100)
    m = np.tile([10.0, 20.0, 12.0], 100) + np.repeat(np.arange(100) % 7, 3)
    packed = GammaGamma().fit((x, m))
    plain = GammaGamma().fit((x, m), compress=False)
    assert packed.fit is not None
    assert plain.fit is not None
    assert packed.fit.diagnostics.n_patterns < plain.fit.diagnostics.n_patterns == 300
    assert packed.params.p == pytest.approx(plain.params.p, rel=1e-5)


def test_errors_name_the_customer() -> None:
    summary = CustomerSummary.from_arrays(
        [2, 0, 1],
        [3.0, 0.0, 1.0],
        [5.0, 5.0, 5.0],
        [10.0, 0.0, 0.0],
        customer_ids=["a", "b", "c"],
    )
    with pytest.raises(
        InvalidInputError,
        match=r"monetary\[2\]=0.0 \(customer 'c'\) is invalid: must be > 0 for a repeat buyer",
    ):
        GammaGamma().fit(summary, non_positive="raise")
    with pytest.raises(InvalidInputError, match=r"frequency\[0\]=1.5 is invalid"):
        GammaGamma().fit(([1.5], [3.0]))
    with pytest.raises(InvalidInputError, match=r"monetary\[0\]=nan \(customer 'a'\) is inv"):
        GammaGamma().fit(attrs_evolve_monetary(summary, [np.nan, 0.0, 1.0]))
    with pytest.raises(EmptyInputError, match="no repeat buyers"):
        GammaGamma().fit(([0, 0], [0.0, 0.0]))
    with pytest.raises(EmptyInputError, match=r"monetary > 0 \(1 repeat buyer\(s\) have"):
        GammaGamma().fit(([0, 2], [0.0, 0.0]))
    with pytest.raises(InvalidInputError, match=r"gamma=0.0 is invalid: must be > 0"):
        GammaGammaParams(1.0, 1.0, 0.0)
    with pytest.raises(
        InvalidInputError, match=r"must be a CustomerSummary, .* or a \(frequency, mon"
    ):
        GammaGamma().fit(([1], [2.0], [3.0]))  # type: ignore[arg-type]


def test_correlation_and_repr() -> None:
    assert np.isnan(frequency_monetary_correlation(([1, 0], [3.0, 0.0])))
    assert frequency_monetary_correlation(([1, 2, 3], [1.0, 2.0, 3.0])) == pytest.approx(1.0)
    model = GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)
    assert isinstance(model, FittedGammaGamma)
    assert repr(model) == "FittedGammaGamma(p=6.25, q=3.74, gamma=15.44)"


def attrs_evolve_monetary(summary: CustomerSummary, monetary: list[float]) -> CustomerSummary:
    return CustomerSummary.from_arrays(
        summary.frequency,
        summary.recency,
        summary.T,
        monetary,
        customer_ids=summary.customer_ids,
        time_unit=summary.time_unit,
    )


# --- repeat buyers whose spend is <= 0 -------------------------------------------------------


@pytest.fixture(scope="module")
def with_zero_spenders() -> tuple[CustomerSummary, np.ndarray]:
    """A simulated base with three repeat buyers whose mean spend is set to 0 or below."""
    summary = simulate_transactions(1_500, seed=11).summary()
    monetary = summary.monetary.copy()
    repeat = np.flatnonzero(summary.frequency > 0)
    bad = repeat[[3, 10, 40]]
    monetary[bad] = 0.0
    return attrs_evolve_monetary(summary, list(monetary)), bad


def test_fit_excludes_non_positive_spenders_with_a_counting_warning(with_zero_spenders) -> None:
    summary, bad = with_zero_spenders
    first = summary.customer_ids[bad[0]].item()
    with pytest.warns(
        NonPositiveSpendWarning,
        match=rf"^3 repeat buyer\(s\) with monetary <= 0 were left out of the fit, the first"
        rf" monetary\[{bad[0]}\]=0.0 \(customer {first!r}\)",
    ) as caught:
        fitted = GammaGamma().fit(summary)
    assert caught[0].filename == __file__  # points at the caller
    keep = (summary.frequency > 0) & (summary.monetary > 0)
    expected = GammaGamma().fit((summary.frequency[keep], summary.monetary[keep]))
    assert fitted.params == expected.params
    assert fitted.fit is not None
    assert fitted.fit.diagnostics.n_customers == int(keep.sum())
    assert fitted.frequency_monetary_correlation == expected.frequency_monetary_correlation
    assert frequency_monetary_correlation(summary) == expected.frequency_monetary_correlation
    with pytest.warns(NonPositiveSpendWarning, match="left out of the log-likelihood"):
        assert fitted.log_likelihood(summary) == pytest.approx(fitted.fit.log_likelihood)


def test_non_positive_spenders_are_predicted_like_one_time_buyers(with_zero_spenders) -> None:
    summary, bad = with_zero_spenders
    model = GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)
    with pytest.warns(
        NonPositiveSpendWarning,
        match=r"^3 repeat buyer\(s\) .* population mean spend .* = 35.219, like",
    ) as caught:
        spend = model.conditional_expected_spend(summary)
    assert caught[0].filename == __file__
    np.testing.assert_array_equal(spend[bad], model.params.mean_spend)
    others = np.setdiff1d(np.arange(len(summary)), bad)
    np.testing.assert_array_equal(
        spend[others],
        model.conditional_expected_spend((summary.frequency[others], summary.monetary[others])),
    )
    assert np.isfinite(spend).all()
    with pytest.raises(InvalidInputError, match=r"monetary\[\d+\]=0.0 .* 3 row\(s\) break"):
        model.conditional_expected_spend(summary, non_positive="raise")
    with pytest.raises(UnknownCodeError, match=r"non_positive='drop' is not known: valid values"):
        model.conditional_expected_spend(summary, non_positive="drop")  # type: ignore[arg-type]
    with pytest.warns(NonPositiveSpendWarning, match=r"the first monetary\[1\]=-4.0: the"):
        refunds = model.conditional_expected_spend(([2, 1], [10.0, -4.0]))
    assert refunds[1] == model.params.mean_spend  # a net refund: no spend information either
    with pytest.raises(UnknownCodeError, match=r"non_positive='zero' is not known"):
        GammaGamma().fit(summary, non_positive="zero")  # type: ignore[arg-type]


def test_no_warning_without_non_positive_spenders() -> None:
    model = GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.conditional_expected_spend(([2, 0], [10.0, 0.0]), non_positive="raise")
        model.conditional_expected_spend(([2, 0], [10.0, -3.0]))  # one-time buyers: ignored
