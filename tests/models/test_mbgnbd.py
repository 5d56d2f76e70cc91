"""MBG/NBD: agreement with lifetimes' ModifiedBetaGeoFitter, recovery, properties."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.models._protocols import DiscountedTransactionModel
from ecomstrat.models.bgnbd import BGNBD, MBGNBD, FittedMBGNBD, MBGNBDParams


@pytest.fixture(scope="module")
def cdnow(shared_data: Path) -> CustomerSummary:
    data = np.genfromtxt(shared_data / "cdnow_sample_summary.csv", delimiter=",", names=True)
    return CustomerSummary.from_arrays(
        data["frequency"], data["recency"], data["T"], time_unit="week"
    )


@pytest.fixture(scope="module")
def lifetimes_fit(cdnow: CustomerSummary):
    lifetimes = pytest.importorskip("lifetimes")
    return lifetimes.ModifiedBetaGeoFitter().fit(cdnow.frequency, cdnow.recency, cdnow.T)


@pytest.mark.reference_data
def test_cdnow_fit_matches_lifetimes(cdnow, lifetimes_fit) -> None:
    fitted = MBGNBD().fit(cdnow)
    assert fitted.fit is not None
    theirs = lifetimes_fit.params_
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fitted.params, name) == pytest.approx(theirs[name], rel=1e-4), name
    # lifetimes rescales time before fitting, so compare log-likelihoods in our units.
    at_theirs = MBGNBD.from_params(**theirs.to_dict(), time_unit="week").log_likelihood(cdnow)
    assert fitted.fit.log_likelihood >= at_theirs - 1e-6
    assert fitted.fit.log_likelihood == pytest.approx(at_theirs, rel=1e-6)
    # Fitted values recorded for the documentation (published by nobody: lifetimes is the peer).
    assert round(fitted.fit.log_likelihood, 1) == -9582.1


@pytest.mark.reference_data
@pytest.mark.parametrize("t", [1.0, 10.0, 52.0])
def test_predictions_match_lifetimes(cdnow, lifetimes_fit, t) -> None:
    model = MBGNBD.from_params(**lifetimes_fit.params_.to_dict(), time_unit="week")
    f, rec, T = cdnow.frequency, cdnow.recency, cdnow.T
    np.testing.assert_allclose(
        model.conditional_expected_purchases(t, cdnow),
        lifetimes_fit.conditional_expected_number_of_purchases_up_to_time(t, f, rec, T),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        model.probability_alive(cdnow),
        lifetimes_fit.conditional_probability_alive(f, rec, T),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        model.expected_purchases(t),
        lifetimes_fit.expected_number_of_purchases_up_to_time(t),
        rtol=1e-6,
    )
    want = [lifetimes_fit.probability_of_n_purchases_up_to_time(t, n) for n in range(6)]
    np.testing.assert_allclose(model.probability_of_purchases(np.arange(6), t), want, rtol=1e-6)


def test_differs_from_bgnbd_only_through_time_zero_dropout() -> None:
    theta = {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 1.6}
    mbg = MBGNBD.from_params(**theta, time_unit="week")
    bg = BGNBD.from_params(**theta, time_unit="week")
    # A one-time buyer may be gone in the MBG/NBD: P(alive | x=0) = 1/(1 + a/b (1+T/α)^r).
    p = mbg.probability_alive(([0], [0.0], [10.0]))[0]
    assert p == pytest.approx(1 / (1 + 0.9 / 1.6 * (16.0 / 6.0) ** 0.5), rel=1e-14)
    assert bg.probability_alive(([0], [0.0], [10.0]))[0] == 1.0
    # E[X(t)] = b/(a+b) E_BG/NBD[X(t) | b+1].
    shifted = BGNBD.from_params(r=0.5, alpha=6.0, a=0.9, b=2.6, time_unit="week")
    np.testing.assert_allclose(
        mbg.expected_purchases([1.0, 30.0]),
        1.6 / 2.5 * shifted.expected_purchases([1.0, 30.0]),
        rtol=1e-13,
    )


def simulate_mbgnbd(n: int, r: float, alpha: float, a: float, b: float, seed: int):
    """Exact MBG/NBD histories in continuous time (the package simulator draws BG/NBD).

    ``N ~ Poisson(λT)`` purchases of an immortal customer; dropout opportunities come at
    time 0 and after each purchase, the first fatal one after ``J ~ Geometric(p) - 1``
    survivals, so ``x = min(N, J)``; the last of ``x`` purchases among ``N`` uniform ones is
    the ``x``-th order statistic, ``T · Beta(x, N - x + 1)``.
    """
    rng = np.random.default_rng(seed)
    T = rng.uniform(26.0, 78.0, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    immortal = rng.poisson(lam * T)
    survived = rng.geometric(p) - 1
    x = np.minimum(immortal, survived)
    t_x = np.zeros(n)
    buyers = x > 0
    t_x[buyers] = T[buyers] * rng.beta(x[buyers], immortal[buyers] - x[buyers] + 1)
    return x.astype(float), t_x, T


def test_recovers_simulated_parameters_within_three_standard_errors() -> None:
    truth = {"r": 0.4, "alpha": 8.0, "a": 0.9, "b": 2.5}
    data = simulate_mbgnbd(30_000, **truth, seed=2)
    fitted = MBGNBD().fit(data, time_unit="week")
    assert fitted.fit is not None
    for name, value in fitted.params.to_dict().items():
        error = fitted.fit.standard_errors[name]
        assert abs(value - truth[name]) < 3 * error, (name, value, error)
    # And the BG/NBD, misspecified here, fits these data worse.
    assert BGNBD().fit(data, time_unit="week").fit.log_likelihood < fitted.fit.log_likelihood


def test_edge_cases_are_finite() -> None:
    m = MBGNBD.from_params(r=0.5, alpha=6.0, a=0.9, b=1.6, time_unit="week")
    data = ([0, 10_000, 3, 2], [0.0, 60.0, 5.0, 1e7], [1e-6, 60.0, 5.0, 1e8])
    for values in (
        m.probability_alive(data),
        m.conditional_expected_purchases(52.0, data),
        m.expected_residual_purchases(data, annual_discount_rate=0.1),
    ):
        assert np.isfinite(values).all()
    assert isinstance(m, DiscountedTransactionModel)


def test_params_and_errors() -> None:
    assert MBGNBDParams(1, 2, 3, 4).to_dict() == {"r": 1.0, "alpha": 2.0, "a": 3.0, "b": 4.0}
    assert isinstance(MBGNBD.from_params(r=1, alpha=2, a=3, b=4, time_unit="day"), FittedMBGNBD)
    with pytest.raises(InvalidInputError, match=r"r=-1.0 is invalid: must be > 0"):
        MBGNBDParams(-1, 2, 3, 4)
    with pytest.raises(InvalidInputError, match=r"recency\[0\]=9.0 is invalid: must be <= T"):
        MBGNBD().fit(([1], [9.0], [5.0]))


@pytest.mark.parametrize(
    ("parameters", "explanation"),
    [
        ({"a": 2e5, "b": 8e5}, "+ b grew without bound (a="),
        ({"r": 1e5, "alpha": 2e6}, "r="),
    ],
)
@pytest.mark.parametrize("model", [BGNBD, MBGNBD])
def test_collapsed_heterogeneity_is_explained(model, parameters, explanation) -> None:  # type: ignore[no-untyped-def]
    """Without heterogeneity the maximum is at infinite parameters: the fit says so.

    Whatever the optimiser reports, the point is judged: the estimates are kept with one
    BoundaryEstimateWarning (pointing at the caller) that names the pair and the limit.
    """
    from ecomstrat.datasets.simulate import SimulationParameters, simulate_transactions
    from ecomstrat.exceptions import BoundaryEstimateWarning

    data = simulate_transactions(
        20_000, parameters=SimulationParameters(**parameters), seed=3
    ).summary()
    what = "dropout probabilities" if "a" in parameters else "purchase rates"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = model().fit(data)
    boundary = [w for w in caught if issubclass(w.category, BoundaryEstimateWarning)]
    assert len(boundary) == 1
    assert boundary[0].filename == __file__
    message = str(boundary[0].message)
    assert explanation in message
    assert f"the {what} hardly vary" in message
    assert fitted.fit is not None
    assert fitted.fit.diagnostics.at_boundary
    assert np.all(np.isfinite(fitted.conditional_expected_purchases(10.0, data)))
