"""The shared maximum-likelihood driver: estimates, covariance, errors, BLAS threads."""

from __future__ import annotations

import math

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from ecomstrat.exceptions import ConvergenceError, InvalidInputError
from ecomstrat.models._fit import Mixing, check_weights, maximize_likelihood


def _blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def _gamma_sample_loglik(total: float, total_log: float, n: int):  # type: ignore[no-untyped-def]
    """Log-likelihood of a Gamma(shape k, rate λ) sample given its sufficient statistics."""

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        k, rate = theta
        value = n * (k * math.log(rate) - math.lgamma(k)) + (k - 1.0) * total_log - rate * total
        from scipy.special import digamma

        d_k = n * (math.log(rate) - float(digamma(k))) + total_log
        d_rate = n * k / rate - total
        return value, np.array([d_k, d_rate])

    return objective


def test_gamma_estimates_and_standard_errors() -> None:
    sample = np.random.default_rng(3).gamma(shape=2.5, scale=1 / 0.5, size=20_000)
    objective = _gamma_sample_loglik(sample.sum(), np.log(sample).sum(), sample.size)
    estimate = maximize_likelihood(
        objective, [1.0, 1.0], ("k", "rate"), n_customers=sample.size, n_patterns=sample.size
    )
    k, rate = estimate.params
    # The maximum satisfies rate = k / mean, and k near the truth within a few SEs.
    assert rate == pytest.approx(k / sample.mean(), rel=1e-6)
    assert abs(k - 2.5) < 4 * estimate.standard_errors[0]
    assert estimate.diagnostics.converged
    assert estimate.diagnostics.gradient_norm < 1e-3
    assert np.all(np.linalg.eigvalsh(estimate.covariance) > 0)


def test_optimiser_runs_with_one_blas_thread_and_restores_the_pools() -> None:
    before = _blas_threads()
    seen: list[list[int]] = []
    sample = np.random.default_rng(4).gamma(shape=3.0, size=1_000)
    inner = _gamma_sample_loglik(sample.sum(), np.log(sample).sum(), sample.size)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        seen.append(_blas_threads())
        return inner(theta)

    maximize_likelihood(objective, [1.0, 1.0], ("k", "rate"), n_customers=1_000, n_patterns=1_000)
    assert seen
    assert all(threads == [1] * len(before) for threads in seen)
    assert _blas_threads() == before


def test_unbounded_likelihood_raises_convergence_error_naming_the_parameter() -> None:
    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        # Increasing without bound in the first parameter.
        return float(np.log(theta[0])), np.array([1.0 / theta[0]])

    with pytest.raises(ConvergenceError, match="a ran to exp"):
        maximize_likelihood(objective, [1.0], ("a",), n_customers=1, n_patterns=1)


def test_the_point_is_judged_not_the_optimisers_message() -> None:
    # Two iterations are not enough for L-BFGS-B ("ITERATIONS REACHED LIMIT"), but Newton
    # steps with the analytic gradient finish the job and the point is a maximum.
    sample = np.random.default_rng(3).gamma(shape=2.5, scale=1 / 0.5, size=20_000)
    objective = _gamma_sample_loglik(sample.sum(), np.log(sample).sum(), sample.size)
    estimate = maximize_likelihood(
        objective,
        [1.0, 1.0],
        ("k", "rate"),
        n_customers=sample.size,
        n_patterns=sample.size,
        max_iterations=2,
    )
    diagnostics = estimate.diagnostics
    assert not diagnostics.optimizer_success
    assert "LIMIT" in diagnostics.message
    assert diagnostics.converged
    assert diagnostics.newton_steps >= 1
    assert diagnostics.min_curvature > 0.0
    k, rate = estimate.params
    assert rate == pytest.approx(k / sample.mean(), rel=1e-10)


def test_a_saddle_point_is_not_a_maximum() -> None:
    def saddle(theta: np.ndarray) -> tuple[float, np.ndarray]:
        # -u0^2 + u1^2 in log-parameters: stationary at theta = (1, 1), rising along u1
        u = np.log(theta)
        return float(-(u[0] ** 2) + u[1] ** 2), np.array([-2.0 * u[0], 2.0 * u[1]]) / theta

    with pytest.raises(ConvergenceError, match="not negative definite") as caught:
        maximize_likelihood(saddle, [1.0, 1.0], ("a", "b"), n_customers=1, n_patterns=1)
    assert "smallest curvature -2 per customer" in str(caught.value)
    assert "converged=False" in str(caught.value)


@pytest.mark.parametrize(
    ("mixing", "values", "expected"),
    [
        (
            Mixing("gamma", "r", "alpha", "purchase rates", "per week"),
            {"r": 2e5, "alpha": 4e6},
            "r=2e+05 and alpha=4e+06 grew together: the purchase rates hardly vary across"
            " customers, and the likelihood keeps rising towards a single value r/alpha=0.05"
            " per week, a limit the M reaches only at infinite parameters.",
        ),
        (
            Mixing("beta", "a", "b", "dropout probabilities"),
            {"a": 3e4, "b": 1e4},
            "a + b grew without bound (a=3e+04 and b=1e+04): the dropout probabilities hardly"
            " vary across customers, and the likelihood keeps rising towards a single value"
            " a/(a+b)=0.75, a limit the M reaches only at infinite parameters.",
        ),
        (Mixing("gamma", "r", "alpha", "purchase rates"), {"r": 9e3, "alpha": 1e9}, ""),
        (Mixing("beta", "a", "b", "dropout probabilities"), {"a": 5e3, "b": 4e3}, ""),
    ],
)
def test_collapsed_mixing_is_explained(mixing: Mixing, values: dict, expected: str) -> None:  # type: ignore[type-arg]
    assert mixing.explain("M", values) == expected


def test_a_collapsed_mixing_distribution_is_a_boundary_maximum() -> None:
    # l = -(u0 - 1)^2 - exp(-u1): rises towards u1 -> infinity (shape "s" collapsing)
    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        u = np.log(theta)
        value = -((u[0] - 1.0) ** 2) - np.exp(-u[1])
        return float(value), np.array([-2.0 * (u[0] - 1.0), np.exp(-u[1])]) / theta

    mixing = (Mixing("gamma", "s", "beta", "dropout rates"),)
    # theta = (beta, s): the names are matched, not the positions
    estimate = maximize_likelihood(
        objective, [1.0, 1.0], ("beta", "s"), n_customers=1, n_patterns=1, mixing=mixing
    )
    assert estimate.diagnostics.at_boundary
    assert estimate.diagnostics.converged
    assert estimate.params[1] > 1e4
    assert estimate.params[0] == pytest.approx(np.e, rel=1e-9)  # the free parameter is exact
    assert "s=" in estimate.boundary
    assert "the dropout rates hardly vary" in estimate.boundary


def test_penalised_maximum_and_its_covariance() -> None:
    sample = np.random.default_rng(3).gamma(shape=2.5, scale=1 / 0.5, size=200)
    objective = _gamma_sample_loglik(sample.sum(), np.log(sample).sum(), sample.size)
    plain = maximize_likelihood(
        objective, [1.0, 1.0], ("k", "rate"), n_customers=200, n_patterns=200
    )
    penalty = 20.0
    estimate = maximize_likelihood(
        objective, [1.0, 1.0], ("k", "rate"), n_customers=200, n_patterns=200, penalty=penalty
    )
    theta = estimate.params
    value, gradient = objective(theta)
    # stationary point of loglik − λ Σ (log θ)²: θ ∂ℓ/∂θ = 2 λ log θ
    np.testing.assert_allclose(theta * gradient, 2 * penalty * np.log(theta), atol=1e-6)
    assert estimate.log_likelihood == pytest.approx(value, rel=1e-12)
    assert estimate.log_likelihood < plain.log_likelihood
    assert np.sum(np.log(theta) ** 2) < np.sum(np.log(plain.params) ** 2)
    assert estimate.diagnostics.penalty == penalty
    # the penalty adds curvature: the variances shrink
    assert np.all(np.diag(estimate.covariance) < np.diag(plain.covariance))


def test_penalty_keeps_a_runaway_parameter_finite() -> None:
    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        return float(np.log(theta[0])), np.array([1.0 / theta[0]])

    estimate = maximize_likelihood(
        objective, [1.0], ("a",), n_customers=1, n_patterns=1, penalty=0.5
    )
    # maximum of log a − 0.5 (log a)²: log a = 1
    assert estimate.params[0] == pytest.approx(np.e, rel=1e-8)


@pytest.mark.parametrize("penalty", [-1.0, float("nan"), float("inf"), "0.1"])
def test_invalid_penalty(penalty: object) -> None:
    with pytest.raises(InvalidInputError, match="penalty"):
        maximize_likelihood(
            lambda t: (0.0, np.zeros(1)),
            [1.0],
            ("a",),
            n_customers=1,
            n_patterns=1,
            penalty=penalty,  # type: ignore[arg-type]
        )


def test_check_weights() -> None:
    np.testing.assert_array_equal(check_weights(None, 3), np.ones(3))
    np.testing.assert_array_equal(check_weights([0, 2.5, 1], 3), [0.0, 2.5, 1.0])
    with pytest.raises(InvalidInputError, match=r"weights\[2\]=-1.0"):
        check_weights([1, 1, -1], 3)
    with pytest.raises(InvalidInputError, match=r"weights\[0\]=inf"):
        check_weights([np.inf, 1, 1], 3)
    with pytest.raises(InvalidInputError, match="one entry per row"):
        check_weights([1, 1], 3)
    with pytest.raises(InvalidInputError, match="weights"):
        check_weights([[1, 1, 1]], 3)
