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

from ecomstrat._kernels._jit import jit_serial_and_parallel
from ecomstrat._kernels.bgnbd import (
    alive_probability,
    expected_count,
    family_loglik,
    family_loglik_parallel,
    log_nbd_pmf,
    log_nbd_tail,
    posterior,
    posterior_parallel,
)
from ecomstrat._kernels.special import log_add_exp, log_beta

_Floats: TypeAlias = NDArray[np.float64]


def loglik(
    params: _Floats, x: _Floats, t_x: _Floats, T: _Floats, weights: _Floats
) -> tuple[float, _Floats]:
    """Weighted MBG/NBD log-likelihood and its gradient in (r, α, a, b).

    ``ℓ = log Γ(r+x) - log Γ(r) + r log α + log B(a, b+x+1) - log B(a, b)
    + log[(α+T)^-(r+x) + a/(b+x) (α+t_x)^-(r+x)]``: the BG/NBD kernel with ``b + x`` shifted
    by one and no ``x > 0`` indicator (a customer can drop out right after the first purchase).
    """
    value, gradient = family_loglik(params, x, t_x, T, weights, 1.0)
    return float(value), np.asarray(gradient)


def loglik_parallel(
    params: _Floats, x: _Floats, t_x: _Floats, T: _Floats, weights: _Floats
) -> tuple[float, _Floats]:
    """Parallel version of :func:`loglik`."""
    value, gradient = family_loglik_parallel(params, x, t_x, T, weights, 1.0)
    return float(value), np.asarray(gradient)


def _p_alive(
    r: float, alpha: float, a: float, b: float, x: _Floats, t_x: _Floats, T: _Floats
) -> _Floats:
    """P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)), for every x."""
    n = x.shape[0]
    out = np.empty(n)
    for i in numba.prange(n):
        out[i] = alive_probability(r, alpha, a, b + x[i], x[i], t_x[i], T[i])
    return out


p_alive, p_alive_parallel = jit_serial_and_parallel(_p_alive)


def conditional(
    r: float, alpha: float, a: float, b: float, t: _Floats, x: _Floats, t_x: _Floats, T: _Floats
) -> _Floats:
    """E[Y(t) | x, t_x, T] = P(alive) E_BG/NBD[X(t) | r+x, α+T, a, b+x+1]."""
    return np.asarray(posterior(r, alpha, a, b, True, -1.0, 0.0, t, x, t_x, T))


def conditional_parallel(
    r: float, alpha: float, a: float, b: float, t: _Floats, x: _Floats, t_x: _Floats, T: _Floats
) -> _Floats:
    """Parallel version of :func:`conditional`."""
    return np.asarray(posterior_parallel(r, alpha, a, b, True, -1.0, 0.0, t, x, t_x, T))


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


def discounted(
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
    return np.asarray(posterior(r, alpha, a, b, True, delta, horizon, x, x, t_x, T))


def discounted_parallel(
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
    """Parallel version of :func:`discounted`."""
    return np.asarray(posterior_parallel(r, alpha, a, b, True, delta, horizon, x, x, t_x, T))
