"""Compile (or load from the on-disk cache) every numba kernel ahead of the first real call."""

from __future__ import annotations

import time

__all__ = ["warm_up"]


def warm_up() -> float:
    """Compile or load all kernels on tiny inputs; return the seconds it took.

    The first call in a fresh environment compiles every kernel (about 18 s on an idle
    2-core machine); later processes load them from numba's on-disk cache (``cache=True``) in
    about 0.7 s, most of it importing numba and scipy.optimize. Each public function
    otherwise compiles only the kernels it uses on its first call. Call this at service
    start-up to keep that cost off the first request: afterwards no public function
    compiles anything, whatever the size of its input (the parallel paths run the same
    kernels on several threads).

    Examples
    --------
    >>> seconds = warm_up()
    >>> seconds >= 0.0
    True
    """
    start = time.perf_counter()
    _every_kernel()
    _optimiser()
    return time.perf_counter() - start


def _every_kernel() -> None:
    """Each kernel module's ``warm_up``: every kernel, through the wrappers the API calls.

    The wrappers hand every kernel read-only C-contiguous float64/int64 arrays and Python
    scalars (:func:`ecomstrat._kernels._jit.frozen`), so each kernel has one specialisation
    and a tiny input compiles exactly the one that real inputs use.
    """
    from ecomstrat._kernels import (
        affinity,
        bgbb,
        bgnbd,
        cnbd,
        cohorts,
        covariates,
        dyncov,
        gamma_gamma,
        ggomnbd,
        hashing,
        landed_cost,
        lifecycle,
        paretonbd,
        patterns,
        rfm,
        sbg,
        stream,
    )

    for module in (
        hashing,
        rfm,
        cohorts,
        lifecycle,
        landed_cost,
        patterns,
        bgnbd,
        gamma_gamma,
        paretonbd,
        bgbb,
        sbg,
        stream,
        affinity,
        covariates,
        ggomnbd,
        cnbd,
        dyncov,
    ):
        module.warm_up()


def warm_up_report() -> float:
    """Compile or load only the kernels of the strategy report; return the seconds it took.

    ``ecomstrat report`` and ``ecomstrat demo`` use RFM, cohorts, lifecycle stages, BG/NBD,
    Gamma-Gamma and product affinity: on a first run this compiles about half of what
    :func:`warm_up` does.
    """
    from ecomstrat._kernels import (
        affinity,
        bgnbd,
        cohorts,
        gamma_gamma,
        hashing,
        lifecycle,
        patterns,
        rfm,
    )

    start = time.perf_counter()
    for module in (hashing, rfm, cohorts, lifecycle, patterns, gamma_gamma, affinity):
        module.warm_up()
    bgnbd.warm_up(with_pmf=False)
    return time.perf_counter() - start


def _optimiser() -> None:
    """Import scipy's optimiser and find the BLAS thread pools the fits limit."""
    from ecomstrat.models._fit import blas_pools

    blas_pools()
