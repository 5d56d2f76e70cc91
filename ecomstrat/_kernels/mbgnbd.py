"""MBG/NBD kernels: log-likelihood with its gradient, and the per-customer predictions.

The modified BG/NBD of Batislam, Denizel & Filiztekin (2007), "Empirical validation and
comparison of models for customer base analysis", IJRM 24(3), lets a customer drop out at
time 0 too: with ``p ~ Beta(a, b)`` there are ``x + 1`` dropout opportunities after ``x``
repeat purchases instead of ``x``. Every quantity is therefore a BG/NBD quantity with ``b``
shifted by one: the kernels are the BG/NBD family kernels of :mod:`ecomstrat._kernels.bgnbd`
called with ``shift = 1`` (``modified`` for the posterior), through that module's plain-Python
wrappers, so that this module compiles nothing of its own.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels.bgnbd import (
    elementwise,
    family_loglik,
    family_p_alive,
    family_pmf,
    family_posterior,
    family_unconditional,
)

_Floats: TypeAlias = NDArray[np.float64]


def loglik(
    params: _Floats, x: _Floats, t_x: _Floats, T: _Floats, weights: _Floats
) -> tuple[float, _Floats]:
    """Weighted MBG/NBD log-likelihood and its gradient in (r, α, a, b).

    ``ℓ = log Γ(r+x) - log Γ(r) + r log α + log B(a, b+x+1) - log B(a, b)
    + log[(α+T)^-(r+x) + a/(b+x) (α+t_x)^-(r+x)]``: the BG/NBD kernel with ``b + x`` shifted
    by one and no ``x > 0`` indicator (a customer can drop out right after the first purchase).
    """
    return family_loglik(params, x, t_x, T, weights, 1.0)


def loglik_parallel(
    params: _Floats, x: _Floats, t_x: _Floats, T: _Floats, weights: _Floats
) -> tuple[float, _Floats]:
    """Parallel version of :func:`loglik`."""
    return family_loglik(params, x, t_x, T, weights, 1.0, parallel=True)


def p_alive(
    r: float, alpha: float, a: float, b: float, x: _Floats, t_x: _Floats, T: _Floats
) -> _Floats:
    """P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)), for every x."""
    return elementwise(family_p_alive, (r, alpha, a, b), (x, t_x, T), 1.0, False)


def p_alive_parallel(
    r: float, alpha: float, a: float, b: float, x: _Floats, t_x: _Floats, T: _Floats
) -> _Floats:
    """Parallel version of :func:`p_alive`."""
    return elementwise(family_p_alive, (r, alpha, a, b), (x, t_x, T), 1.0, True)


def conditional(
    r: float, alpha: float, a: float, b: float, t: _Floats, x: _Floats, t_x: _Floats, T: _Floats
) -> _Floats:
    """E[Y(t) | x, t_x, T] = P(alive) E_BG/NBD[X(t) | r+x, α+T, a, b+x+1]."""
    return family_posterior(r, alpha, a, b, True, -1.0, 0.0, t, x, t_x, T)


def conditional_parallel(
    r: float, alpha: float, a: float, b: float, t: _Floats, x: _Floats, t_x: _Floats, T: _Floats
) -> _Floats:
    """Parallel version of :func:`conditional`."""
    return family_posterior(r, alpha, a, b, True, -1.0, 0.0, t, x, t_x, T, True)


def unconditional(r: float, alpha: float, a: float, b: float, t: _Floats) -> _Floats:
    """E[X(t)] = b/(a+b) E_BG/NBD[X(t) | r, α, a, b+1] (survive time 0, then BG/NBD)."""
    return elementwise(family_unconditional, (r, alpha, a, b), (t,), 1.0, False)


def unconditional_parallel(r: float, alpha: float, a: float, b: float, t: _Floats) -> _Floats:
    """Parallel version of :func:`unconditional`."""
    return elementwise(family_unconditional, (r, alpha, a, b), (t,), 1.0, True)


def pmf(r: float, alpha: float, a: float, b: float, n: _Floats, t: _Floats) -> _Floats:
    """P(X(t) = n) = B(a, b+n+1)/B(a, b) NBD(n) + B(a+1, b+n)/B(a, b) P(NBD >= n)."""
    return elementwise(family_pmf, (r, alpha, a, b), (n, t), 1.0, False)


def pmf_parallel(r: float, alpha: float, a: float, b: float, n: _Floats, t: _Floats) -> _Floats:
    """Parallel version of :func:`pmf`."""
    return elementwise(family_pmf, (r, alpha, a, b), (n, t), 1.0, True)


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
    return family_posterior(r, alpha, a, b, True, delta, horizon, x, x, t_x, T)


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
    return family_posterior(r, alpha, a, b, True, delta, horizon, x, x, t_x, T, True)
