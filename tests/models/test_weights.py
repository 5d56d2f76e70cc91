"""Weighted and penalised fits: compressed data fit exactly as the expanded rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ecomstrat.datasets import simulate_transactions
from ecomstrat.exceptions import BoundaryEstimateWarning, InvalidInputError
from ecomstrat.frames.discrete import DiscretePatterns, SurvivorCounts
from ecomstrat.models.bgbb import BGBB
from ecomstrat.models.bgnbd import BGNBD, MBGNBD
from ecomstrat.models.gamma_gamma import GammaGamma
from ecomstrat.models.paretonbd import ParetoNBD
from ecomstrat.models.sbg import SBG

RTOL = 1e-8


def _close(a: Any, b: Any) -> None:
    np.testing.assert_allclose(a.params.to_tuple(), b.params.to_tuple(), rtol=RTOL)
    assert a.fit.log_likelihood == pytest.approx(b.fit.log_likelihood, rel=1e-10)
    assert a.fit.diagnostics.n_customers == b.fit.diagnostics.n_customers


@pytest.fixture(scope="module")
def patterns() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """400 distinct (x, t_x, T, monetary) rows and integer weights 1..5."""
    summary = simulate_transactions(400, seed=11).summary()
    weights = np.random.default_rng(5).integers(1, 6, size=400).astype(np.float64)
    return summary.frequency, summary.recency, summary.T, summary.monetary, weights


def _expanded(columns: tuple[np.ndarray, ...], weights: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each row repeated ``weights`` times, in a shuffled order."""
    index = np.repeat(np.arange(len(weights)), weights.astype(np.int64))
    np.random.default_rng(1).shuffle(index)
    return tuple(column[index] for column in columns)


def _split(columns: tuple[np.ndarray, ...], weights: np.ndarray) -> tuple[Any, ...]:
    """Each row twice, its weight split 30/70 (compress must add weights up)."""
    doubled = tuple(np.concatenate([c, c]) for c in columns)
    return doubled, np.concatenate([0.3 * weights, 0.7 * weights])


@pytest.mark.parametrize("model", [BGNBD(), MBGNBD(), ParetoNBD()], ids=type)
def test_rfm_models_weighted_equals_expanded(model: Any, patterns: Any) -> None:
    x, t_x, T, _, w = patterns
    weighted = model.fit((x, t_x, T), time_unit="week", weights=w)
    expanded = model.fit(_expanded((x, t_x, T), w), time_unit="week")
    _close(weighted, expanded)
    doubled, halves = _split((x, t_x, T), w)
    _close(model.fit(doubled, time_unit="week", weights=halves, compress=True), expanded)


def test_gamma_gamma_weighted_equals_expanded(patterns: Any) -> None:
    x, _, _, m, w = patterns
    weighted = GammaGamma().fit((x, m), weights=w)
    expanded = GammaGamma().fit(_expanded((x, m), w))
    _close(weighted, expanded)
    doubled, halves = _split((x, m), w)
    _close(GammaGamma().fit(doubled, weights=halves, compress=True), expanded)


def test_bgbb_weighted_equals_expanded() -> None:
    rng = np.random.default_rng(2)
    p, theta = rng.beta(1.2, 0.8, size=(600, 1)), rng.beta(0.7, 2.8, size=(600, 1))
    alive = np.cumprod(rng.random((600, 6)) > theta, axis=1) > 0
    histories = alive & (rng.random((600, 6)) < p)
    data = DiscretePatterns.from_histories(histories)
    distinct, _ = data.distinct()
    w = np.random.default_rng(3).integers(1, 6, size=len(distinct.weights)).astype(np.float64)
    weighted = BGBB().fit(distinct, weights=w)
    columns = (distinct.frequency, distinct.recency, distinct.periods)
    expanded = BGBB().fit(
        _expanded(tuple(np.asarray(c, float) for c in columns), w * distinct.weights)
    )
    _close(weighted, expanded)


def test_sbg_cohort_weights_equal_repeated_cohorts() -> None:
    a, b = [1000, 631, 468, 382, 326], [500, 300, 250, 200]
    weighted = SBG().fit(SurvivorCounts.from_cohorts([a, b]), weights=[3.0, 2.0])
    repeated = SBG().fit(SurvivorCounts.from_cohorts([a, a, a, b, b]))
    _close(weighted, repeated)
    dropped = SBG().fit(SurvivorCounts.from_cohorts([a, b]), weights=[1.0, 0.0])
    _close(dropped, SBG().fit(a))


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([1.0, -1.0, 1.0], r"weights\[1\]=-1.0 is invalid: must be finite and >= 0"),
        ([1.0, np.nan, 1.0], r"weights\[1\]"),
        ([1.0, 1.0], r"weights"),
        ("abc", r"weights"),
    ],
)
def test_invalid_weights_are_named(weights: Any, match: str) -> None:
    data = ([1, 0, 2], [1.0, 0.0, 3.0], [4.0, 4.0, 4.0])
    with pytest.raises(InvalidInputError, match=match):
        BGNBD().fit(data, weights=weights)
    with pytest.raises(InvalidInputError, match=match):
        GammaGamma().fit(([1, 0, 2], [3.0, 0.0, 4.0]), weights=weights)


def test_invalid_penalty_is_named(patterns: Any) -> None:
    x, t_x, T, _, _ = patterns
    with pytest.raises(InvalidInputError, match="penalty"):
        BGNBD().fit((x, t_x, T), penalty=-1.0)


def test_penalty_shrinks_log_parameters_and_keeps_plain_log_likelihood(patterns: Any) -> None:
    x, t_x, T, _, _ = patterns
    plain = BGNBD().fit((x, t_x, T), time_unit="week")
    penalised = BGNBD().fit((x, t_x, T), time_unit="week", penalty=5.0)
    u0, u1 = (np.log(m.params.to_tuple()) for m in (plain, penalised))
    assert np.sum(u1**2) < np.sum(u0**2)
    assert penalised.fit.diagnostics.penalty == 5.0
    assert plain.fit.diagnostics.penalty == 0.0
    # the reported log-likelihood is the plain one at the penalised estimate
    assert penalised.fit.log_likelihood == pytest.approx(
        penalised.log_likelihood((x, t_x, T)), rel=1e-12
    )
    assert penalised.fit.log_likelihood < plain.fit.log_likelihood

    # the penalised estimate maximises loglik − λ Σ (log θ)²
    def objective(m: Any) -> float:
        return float(m.log_likelihood((x, t_x, T)) - 5.0 * np.sum(np.log(m.params.to_tuple()) ** 2))

    assert objective(penalised) > objective(plain)


def test_penalty_makes_a_boundary_fit_interior() -> None:
    # no heterogeneity in the churn probability: alpha + beta run off without a penalty
    counts = [1000.0 * 0.7**k for k in range(8)]
    with pytest.warns(BoundaryEstimateWarning):
        SBG().fit(counts)
    fitted = SBG().fit(counts, penalty=0.5)
    assert not fitted.fit.diagnostics.at_boundary
    assert np.all(np.isfinite(list(fitted.fit.standard_errors.values())))
