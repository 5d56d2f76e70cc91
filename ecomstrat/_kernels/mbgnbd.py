"""MBG/NBD kernels: log-likelihood with its gradient, and the per-customer predictions.

The modified BG/NBD of Batislam, Denizel & Filiztekin (2007), "Empirical validation and
comparison of models for customer base analysis", IJRM 24(3), lets a customer drop out at
time 0 too: with ``p ~ Beta(a, b)`` there are ``x + 1`` dropout opportunities after ``x``
repeat purchases instead of ``x``. Every quantity is therefore a BG/NBD quantity with ``b``
shifted by one, which is how the scalar functions of :mod:`ecomstrat._kernels.bgnbd` are
reused here.
"""

from __future__ import annotations

import math
from typing import TypeAlias

import numba
import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import jit, jit_serial_and_parallel
from ecomstrat._kernels.bgnbd import (
    N_CHUNKS,
    expected_count,
    log_nbd_pmf,
    log_nbd_tail,
    log_p_alive_odds,
    p_from_log_odds,
    posterior,
    posterior_parallel,
    two_term_log_sum,
)
from ecomstrat._kernels.special import digamma, log_add_exp, log_beta

_Floats: TypeAlias = NDArray[np.float64]


@jit
def _x_terms(r: float, a: float, b: float, x: float) -> tuple[float, float, float, float]:
    """Terms of the MBG/NBD log-likelihood that depend on x only, and their derivatives."""
    const = math.lgamma(r + x) - math.lgamma(r) + log_beta(a, b + x + 1.0) - log_beta(a, b)
    d_ab = digamma(a + b) - digamma(a + b + x + 1.0)
    return (
        const,
        digamma(r + x) - digamma(r),
        d_ab,
        digamma(b + x + 1.0) - digamma(b) + d_ab,
    )


@jit
def _x_table(r: float, a: float, b: float, max_x: int) -> NDArray[np.float64]:
    table = np.empty((max_x + 1, 4))
    for i in range(max_x + 1):
        c0, c1, c2, c3 = _x_terms(r, a, b, float(i))
        table[i, 0] = c0
        table[i, 1] = c1
        table[i, 2] = c2
        table[i, 3] = c3
    return table


def _loglik(
    params: _Floats, x: _Floats, t_x: _Floats, T: _Floats, weights: _Floats
) -> tuple[float, _Floats]:
    """Weighted MBG/NBD log-likelihood and its gradient in (r, α, a, b).

    ``ℓ = log Γ(r+x) - log Γ(r) + r log α + log B(a, b+x+1) - log B(a, b)
    + log[(α+T)^-(r+x) + a/(b+x) (α+t_x)^-(r+x)]`` (no ``x > 0`` indicator: a customer can
    drop out right after the first purchase). Per-chunk partial sums are reduced serially.
    """
    r = params[0]
    alpha = params[1]
    a = params[2]
    b = params[3]
    n = x.shape[0]
    max_x = 0
    for i in range(n):
        max_x = max(max_x, int(x[i]))
    use_table = max_x < n
    table = _x_table(r, a, b, max_x if use_table else 0)
    log_alpha = math.log(alpha)
    log_a = math.log(a)
    partial = np.zeros((N_CHUNKS, 5))
    size = (n + N_CHUNKS - 1) // N_CHUNKS
    for chunk in numba.prange(N_CHUNKS):
        acc0 = 0.0
        acc1 = 0.0
        acc2 = 0.0
        acc3 = 0.0
        acc4 = 0.0
        for i in range(chunk * size, min(n, (chunk + 1) * size)):
            wi = weights[i]
            if wi == 0.0:
                continue
            xi = x[i]
            if use_table:
                k = int(xi)
                c0 = table[k, 0]
                c1 = table[k, 1]
                c2 = table[k, 2]
                c3 = table[k, 3]
            else:
                c0, c1, c2, c3 = _x_terms(r, a, b, xi)
            rx = r + xi
            log_at = math.log(alpha + T[i])
            log_ar = math.log(alpha + t_x[i])
            u1 = -rx * log_at
            u2 = log_a - math.log(b + xi) - rx * log_ar
            top, w1, w2 = two_term_log_sum(u1, u2)
            acc0 += wi * (c0 + r * log_alpha + top)
            acc1 += wi * (c1 + log_alpha - w1 * log_at - w2 * log_ar)
            acc2 += wi * (r / alpha - rx * (w1 / (alpha + T[i]) + w2 / (alpha + t_x[i])))
            acc3 += wi * (c2 + w2 / a)
            acc4 += wi * (c3 - w2 / (b + xi))
        partial[chunk, 0] = acc0
        partial[chunk, 1] = acc1
        partial[chunk, 2] = acc2
        partial[chunk, 3] = acc3
        partial[chunk, 4] = acc4
    total = np.zeros(5)
    for chunk in range(N_CHUNKS):
        for j in range(5):
            total[j] += partial[chunk, j]
    return total[0], total[1:].copy()


loglik, loglik_parallel = jit_serial_and_parallel(_loglik)


def _p_alive(
    r: float, alpha: float, a: float, b: float, x: _Floats, t_x: _Floats, T: _Floats
) -> _Floats:
    """P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)), for every x."""
    n = x.shape[0]
    out = np.empty(n)
    for i in numba.prange(n):
        out[i] = p_from_log_odds(log_p_alive_odds(r, alpha, a, b + x[i], x[i], t_x[i], T[i]))
    return out


p_alive, p_alive_parallel = jit_serial_and_parallel(_p_alive)


def _conditional(
    r: float, alpha: float, a: float, b: float, t: _Floats, x: _Floats, t_x: _Floats, T: _Floats
) -> _Floats:
    """E[Y(t) | x, t_x, T] = P(alive) E_BG/NBD[X(t) | r+x, α+T, a, b+x+1]."""
    return posterior(r, alpha, a, b, True, -1.0, 0.0, t, x, t_x, T)


def _conditional_parallel(
    r: float, alpha: float, a: float, b: float, t: _Floats, x: _Floats, t_x: _Floats, T: _Floats
) -> _Floats:
    """Parallel version of :func:`_conditional`."""
    return posterior_parallel(r, alpha, a, b, True, -1.0, 0.0, t, x, t_x, T)


conditional = jit(_conditional)
conditional_parallel = jit(_conditional_parallel)


def _unconditional(r: float, alpha: float, a: float, b: float, t: _Floats) -> _Floats:
    """E[X(t)] = b/(a+b) E_BG/NBD[X(t) | r, α, a, b+1] (survive time 0, then BG/NBD)."""
    n = t.shape[0]
    out = np.empty(n)
    survive = b / (a + b)
    for i in numba.prange(n):
        out[i] = survive * expected_count(r, alpha, a, b + 1.0, t[i])
    return out


unconditional, unconditional_parallel = jit_serial_and_parallel(_unconditional)


def _pmf(r: float, alpha: float, a: float, b: float, n: _Floats, t: _Floats) -> _Floats:
    """P(X(t) = n) = B(a, b+n+1)/B(a, b) NBD(n) + B(a+1, b+n)/B(a, b) P(NBD >= n)."""
    size = n.shape[0]
    out = np.empty(size)
    lb = log_beta(a, b)
    for i in numba.prange(size):
        ni = n[i]
        ti = t[i]
        if ti <= 0.0:
            out[i] = 1.0 if ni == 0.0 else 0.0
            continue
        z = ti / (alpha + ti)
        w = alpha / (alpha + ti)
        log_w = -math.log1p(ti / alpha)
        log_z = math.log(ti) - math.log(alpha + ti)
        first = log_beta(a, b + ni + 1.0) - lb + log_nbd_pmf(r, ni, log_z, log_w)
        second = log_beta(a + 1.0, b + ni) - lb + log_nbd_tail(r, ni, z, w)
        out[i] = min(1.0, math.exp(log_add_exp(first, second)))
    return out


pmf, pmf_parallel = jit_serial_and_parallel(_pmf)


def _discounted(
    r: float,
    alpha: float,
    a: float,
    b: float,
    delta: float,
    horizon: float,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
) -> _Floats:
    """``∫_0^H e^{-δt} dE[Y(t) | x, t_x, T]`` (``H`` may be infinite: DERT)."""
    return posterior(r, alpha, a, b, True, delta, horizon, x, x, t_x, T)


def _discounted_parallel(
    r: float,
    alpha: float,
    a: float,
    b: float,
    delta: float,
    horizon: float,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
) -> _Floats:
    """Parallel version of :func:`_discounted`."""
    return posterior_parallel(r, alpha, a, b, True, delta, horizon, x, x, t_x, T)


discounted = jit(_discounted)
discounted_parallel = jit(_discounted_parallel)
