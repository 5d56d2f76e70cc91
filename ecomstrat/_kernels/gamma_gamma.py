"""Gamma-Gamma spend kernel: log-likelihood of mean repeat spend, with its gradient.

Each transaction value is Gamma(p, ν); ``ν ~ Gamma(q, γ)`` across customers. For a customer
with ``x`` repeat transactions of mean value ``m`` (Fader & Hardie 2013, "The Gamma-Gamma model
of monetary value"):

``ℓ = log Γ(px+q) - log Γ(px) - log Γ(q) + q log γ + (px-1) log m + px log x
- (px+q) log(γ + xm)``.
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, jit, over_range
from ecomstrat._kernels.special import digamma

_Floats: TypeAlias = NDArray[np.float64]

#: Rows (patterns) from which the parallel kernel is used.
PARALLEL_MIN_ROWS = 20_000
#: Fixed chunks of the reduction (deterministic whatever the number of threads).
N_CHUNKS = 64


def loglik(params: _Floats, x: _Floats, m: _Floats, weights: _Floats) -> tuple[float, _Floats]:
    """Weighted Gamma-Gamma log-likelihood and its gradient in (p, q, γ), for ``x > 0``.

    ``∂p = x [ψ(px+q) - ψ(px) - log(1 + γ/(xm))]``, ``∂q = ψ(px+q) - ψ(q) - log(1 + xm/γ)``,
    ``∂γ = q/γ - (px+q)/(γ+xm)``. The rows are cut into :data:`N_CHUNKS` fixed chunks whose
    partial sums are added in chunk order (the result does not depend on the threads).
    """
    return _loglik(params, x, m, weights, False)


def loglik_parallel(
    params: _Floats, x: _Floats, m: _Floats, weights: _Floats
) -> tuple[float, _Floats]:
    """:func:`loglik` with the chunks spread over the threads."""
    return _loglik(params, x, m, weights, True)


def _loglik(
    params: _Floats, x: _Floats, m: _Floats, weights: _Floats, parallel: bool
) -> tuple[float, _Floats]:
    arrays = (frozen(params), frozen(x), frozen(m), frozen(weights))
    partial = np.zeros((N_CHUNKS, 4))

    def chunks(lo: int, hi: int) -> Any:
        return _loglik_chunks(*arrays, lo, hi, partial)

    over_range(chunks, N_CHUNKS, parallel)
    total = np.cumsum(partial, axis=0)[-1]  # chunk by chunk, in order
    return float(total[0]), total[1:].copy()


@jit
def _loglik_chunks(
    params: _Floats,
    x: _Floats,
    m: _Floats,
    weights: _Floats,
    first_chunk: int,
    end_chunk: int,
    partial: _Floats,
) -> None:
    """Weighted sums of chunks ``first_chunk..end_chunk-1`` into their rows of ``partial``."""
    p = params[0]
    q = params[1]
    g = params[2]
    n = x.shape[0]
    log_g = math.log(g)
    lg_q = math.lgamma(q)
    psi_q = digamma(q)
    size = (n + N_CHUNKS - 1) // N_CHUNKS
    for chunk in range(first_chunk, end_chunk):
        acc0 = 0.0
        acc1 = 0.0
        acc2 = 0.0
        acc3 = 0.0
        for i in range(chunk * size, min(n, (chunk + 1) * size)):
            wi = weights[i]
            if wi == 0.0:
                continue
            xi = x[i]
            mi = m[i]
            px = p * xi
            spent = xi * mi
            psi_sum = digamma(px + q)
            value = math.lgamma(px + q) - math.lgamma(px) - lg_q + q * log_g
            value += (px - 1.0) * math.log(mi) + px * math.log(xi) - (px + q) * math.log(g + spent)
            acc0 += wi * value
            acc1 += wi * xi * (psi_sum - digamma(px) - math.log1p(g / spent))
            acc2 += wi * (psi_sum - psi_q - math.log1p(spent / g))
            acc3 += wi * (q / g - (px + q) / (g + spent))
        partial[chunk, 0] = acc0
        partial[chunk, 1] = acc1
        partial[chunk, 2] = acc2
        partial[chunk, 3] = acc3


def warm_up() -> None:
    """Compile (or load from the on-disk cache) the kernel of this module."""
    loglik(np.array([6.0, 3.0, 15.0]), np.array([1.0, 3.0]), np.array([5.0, 6.0]), np.ones(2))
