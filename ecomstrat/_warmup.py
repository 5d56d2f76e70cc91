"""Compile (or load from the on-disk cache) every numba kernel ahead of the first real call."""

from __future__ import annotations

import time

import numpy as np

__all__ = ["warm_up"]


def warm_up() -> float:
    """Compile or load all kernels on tiny inputs; return the seconds it took.

    The first call in a fresh environment compiles every kernel (about a minute on a 2-core
    machine); later processes load them from numba's on-disk cache (``cache=True``) in about a
    second. Each public function otherwise compiles only the kernels it uses on its first call.
    Call this at service start-up to keep that cost off the first request.

    Examples
    --------
    >>> seconds = warm_up()
    >>> seconds >= 0.0
    True
    """
    start = time.perf_counter()
    _rfm_kernels()
    _through_the_public_api()
    _parallel_variants()
    _optimiser()
    return time.perf_counter() - start


def _rfm_kernels() -> None:
    from ecomstrat._kernels.rfm import rfm_split, rfm_split_parallel

    # Frames hand read-only arrays to the kernels, and numba compiles (and caches) one
    # specialisation per array layout: warm up exactly that one.
    ints = np.zeros(1, dtype=np.int64)
    floats = np.zeros(1, dtype=np.float64)
    ints.flags.writeable = floats.flags.writeable = False
    for kernel in (rfm_split, rfm_split_parallel):
        kernel(ints, ints, floats, 1, 0, 0)


def _through_the_public_api() -> None:
    """Run each family once on a tiny simulated base, so the exact signatures get compiled."""
    from ecomstrat.datasets.simulate import simulate_transactions
    from ecomstrat.metrics.clv import customer_lifetime_value
    from ecomstrat.metrics.cohorts import cohort_retention
    from ecomstrat.metrics.lifecycle import stage_customers
    from ecomstrat.models.bgnbd import BGNBD
    from ecomstrat.models.gamma_gamma import GammaGamma
    from ecomstrat.models.mbgnbd import MBGNBD
    from ecomstrat.models.paretonbd import ParetoNBD

    simulation = simulate_transactions(40, seed=0)
    summary = simulation.summary()
    models = (
        BGNBD.from_params(r=0.24, alpha=4.4, a=0.79, b=2.4, time_unit="week"),
        MBGNBD.from_params(r=0.24, alpha=4.4, a=0.79, b=2.4, time_unit="week"),
        ParetoNBD.from_params(r=0.55, alpha=10.6, s=0.61, beta=11.7, time_unit="week"),
    )
    for model in models:
        model.log_likelihood(summary)
        model.probability_alive(summary)
        model.conditional_expected_purchases(4.0, summary)
        model.expected_purchases(4.0)
    spend = GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)
    customer_lifetime_value(models[0], spend, summary, horizon=1.0)
    stage_customers(simulation.log, simulation.observation_end)
    cohort_retention(simulation.log)


def _parallel_variants() -> None:
    """Kernels whose parallel copies only run on large inputs."""
    from ecomstrat._kernels import bgbb, bgnbd, paretonbd, sbg

    for module in (bgbb, bgnbd, paretonbd, sbg):
        module.warm_up()


def _optimiser() -> None:
    """Import scipy's optimiser and find the BLAS thread pools the fits limit."""
    from ecomstrat.models._fit import blas_pools

    blas_pools()
