"""The shared maximum-likelihood driver: estimates, covariance, errors, BLAS threads."""

from __future__ import annotations

import math

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from ecomstrat.exceptions import ConvergenceError
from ecomstrat.models._fit import maximize_likelihood


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
