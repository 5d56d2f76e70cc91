"""Pareto/NBD and BG/NBD kernels with per-customer parameters (static covariates).

With static covariates (CLVTools' parameterisation) every customer ``i`` has their own gamma
rate ``α_i`` (and ``β_i`` for the Pareto/NBD, ``a_i, b_i`` for the BG/NBD), while the shapes
are shared. Each kernel here takes those per-customer parameters as arrays and evaluates, row
by row, the one-customer formulas of :mod:`ecomstrat._kernels.paretonbd` and
:mod:`ecomstrat._kernels.bgnbd` (imported, not copied): the likelihood with its derivatives in
``(r, α_i, s, β_i)`` or ``(r, α_i, a_i, b_i)``, P(alive), the conditional expectation and PMF,
the discounted residual purchases, and the new-customer expectation and PMF.

The chain rule from the per-customer derivatives to the covariate coefficients is left to
the caller (one matrix product, see :mod:`ecomstrat.models.covariate_paretonbd`).

Every kernel takes a range ``lo..hi`` of rows and writes its own rows of ``out``; the
wrappers run it on all rows or, from :data:`PARALLEL_MIN_ROWS` rows, in blocks on the thread
pool (:func:`~ecomstrat._kernels._jit.over_range`): results do not depend on the threads.
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels import bgnbd as _bg, paretonbd as _pn
from ecomstrat._kernels._jit import frozen, jit, over_range

_Floats: TypeAlias = NDArray[np.float64]

#: Rows from which the wrappers run their kernel in blocks on several threads.
PARALLEL_MIN_ROWS = 20_000

_GRADIENT = _pn._GRADIENT

# --------------------------------------------------------------------------------------------
# Pareto/NBD


@jit
def _pnbd_loglik_rows(
    r: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    """Rows ``lo..hi-1``: ``log L_i`` and its derivatives in ``(r, α_i, s, β_i)``, and ``G``.

    ``log L = log Γ(r+x) − log Γ(r) − r log(1 + T/α) − x log(α + T) − s log(1 + T/β)
    + log(1 + e^G)`` with ``G = log(s I / B)`` from :func:`~ecomstrat._kernels.paretonbd.
    log_alive_odds` (series or log-concave quadrature), as in the pattern kernel of the
    Pareto/NBD without covariates.
    """
    for i in range(lo, hi):
        xi = x[i]
        ti = T[i]
        a = alpha[i]
        b = beta[i]
        p = r + xi
        g, d_r, d_a, d_s, d_b = _pn.log_alive_odds(r, a, s, b, xi, t_x[i], ti, _GRADIENT)
        if g == -math.inf:
            soft = 0.0
            sig = 0.0
        elif g > 0.0:
            e = math.exp(-g)
            soft = g + math.log1p(e)
            sig = 1.0 / (1.0 + e)
        else:
            e = math.exp(g)
            soft = math.log1p(e)
            sig = e / (1.0 + e)
        la = math.log(a + ti)
        lb = math.log(b + ti)
        log1p_a = math.log1p(ti / a)
        log1p_b = math.log1p(ti / b)
        out[i, 0] = _pn.lgamma_ratio(r, xi) - r * log1p_a - xi * la - s * log1p_b + soft
        out[i, 1] = _pn.digamma_ratio(r, xi) - log1p_a + sig * (la + d_r)
        out[i, 2] = r / a - p / (a + ti) + sig * (p / (a + ti) + d_a)
        out[i, 3] = -log1p_b + sig * (lb + 1.0 / s + d_s)
        out[i, 4] = s / b - s / (b + ti) + sig * (s / (b + ti) + d_b)
        out[i, 5] = g


@jit
def _pnbd_predict_rows(
    kind: int,
    r: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    n: _Floats,
    t: _Floats,
    delta: float,
    horizon: float,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    """Rows ``lo..hi-1`` of one Pareto/NBD prediction with per-customer ``α_i, β_i``.

    ``kind``: 0 P(alive); 1 ``E[X(T, T+t)]`` (``t`` per row); 2 ``P(X(T, T+t) = n)`` (``n``,
    ``t`` per row); 3 ``∫_0^horizon e^(−δu) dE[X(T, T+u)]`` (DERT for an infinite horizon).
    """
    for i in range(lo, hi):
        a = alpha[i]
        b = beta[i]
        if kind == 0:
            out[i] = _pn.alive_one(r, a, s, b, x[i], t_x[i], T[i])
        elif kind == 1:
            out[i] = _pn.conditional_one(r, a, s, b, t[i], x[i], t_x[i], T[i])
        elif kind == 2:
            alive = _pn.alive_one(r, a, s, b, x[i], t_x[i], T[i])
            value = alive * _pn.pmf_value(r + x[i], a + T[i], s, b + T[i], n[i], t[i])
            if n[i] == 0.0:
                value += 1.0 - alive
            out[i] = min(1.0, value)
        else:
            out[i] = _pn.discounted_one(r, a, s, b, delta, horizon, x[i], t_x[i], T[i])


@jit
def _pnbd_new_rows(
    kind: int,
    r: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    share: _Floats,
    n: _Floats,
    t: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    """Items ``lo..hi-1`` of a new customer's ``E[X(t)]`` (kind 0) or ``P(X(t) = n)`` (kind 1).

    Averaged over the customers ``(α_j, β_j)`` with weights ``share`` (summing to 1).
    """
    for k in range(lo, hi):
        total = 0.0
        for j in range(alpha.shape[0]):
            a = alpha[j]
            b = beta[j]
            if kind == 0:
                value = r / a * b * _pn.one_minus_power(s - 1.0, math.log1p(t[k] / b))
            else:
                value = _pn.pmf_value(r, a, s, b, n[k], t[k])
            total += share[j] * value
        out[k] = total


# --------------------------------------------------------------------------------------------
# BG/NBD


@jit
def _bgnbd_loglik_rows(
    r: float,
    alpha: _Floats,
    a: _Floats,
    b: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    """Rows ``lo..hi-1``: BG/NBD ``log L_i`` and its derivatives in ``(r, α_i, a_i, b_i)``.

    Fader, Hardie & Lee (2005), eq. 6: ``log Γ(r+x) − log Γ(r) + r log α + log B(a, b+x)
    − log B(a, b) + log[(α+T)^−(r+x) + δ_{x>0} a/(b+x−1) (α+t_x)^−(r+x)]``.
    """
    for i in range(lo, hi):
        xi = x[i]
        al = alpha[i]
        ai = a[i]
        bi = b[i]
        rx = r + xi
        log_alpha = math.log(al)
        log_at = math.log(al + T[i])
        if xi > 0.0:
            c0, c1, c2, c3 = _bg._x_terms(r, ai, bi, xi, 0.0)
            b_x = bi + xi - 1.0
            log_ar = math.log(al + t_x[i])
            u1 = -rx * log_at
            u2 = math.log(ai) - math.log(b_x) - rx * log_ar
            top, w1, w2 = _bg.two_term_log_sum(u1, u2)
            out[i, 0] = c0 + r * log_alpha + top
            out[i, 1] = c1 + log_alpha - w1 * log_at - w2 * log_ar
            out[i, 2] = r / al - rx * (w1 / (al + T[i]) + w2 / (al + t_x[i]))
            out[i, 3] = c2 + w2 / ai
            out[i, 4] = c3 - w2 / b_x
        else:
            out[i, 0] = r * (log_alpha - log_at)
            out[i, 1] = log_alpha - log_at
            out[i, 2] = r / al - r / (al + T[i])
            out[i, 3] = 0.0
            out[i, 4] = 0.0


@jit
def _bgnbd_predict_rows(
    kind: int,
    r: float,
    alpha: _Floats,
    a: _Floats,
    b: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    n: _Floats,
    t: _Floats,
    delta: float,
    horizon: float,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    """Rows ``lo..hi-1`` of one BG/NBD prediction with per-customer ``α_i, a_i, b_i``.

    ``kind`` as in :func:`_pnbd_predict_rows`.
    """
    for i in range(lo, hi):
        al = alpha[i]
        ai = a[i]
        bi = b[i]
        if kind == 0:
            out[i] = _bg.alive_one(r, al, ai, bi, 0.0, x[i], t_x[i], T[i])
        elif kind == 1:
            out[i] = _bg.conditional_one(r, al, ai, bi, 0.0, t[i], x[i], t_x[i], T[i])
        elif kind == 2:
            xi = x[i]
            alive = _bg.alive_one(r, al, ai, bi, 0.0, xi, t_x[i], T[i])
            value = alive * _bg.pmf_value(r + xi, al + T[i], ai, bi + xi, n[i], t[i], 0.0)
            if n[i] == 0.0:
                value += 1.0 - alive
            out[i] = min(1.0, value)
        else:
            out[i] = _bg.discounted_one(r, al, ai, bi, 0.0, delta, horizon, x[i], t_x[i], T[i])


@jit
def _bgnbd_new_rows(
    kind: int,
    r: float,
    alpha: _Floats,
    a: _Floats,
    b: _Floats,
    share: _Floats,
    n: _Floats,
    t: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    """Items ``lo..hi-1`` of a new customer's ``E[X(t)]`` (kind 0) or ``P(X(t) = n)`` (kind 1)."""
    for k in range(lo, hi):
        total = 0.0
        for j in range(alpha.shape[0]):
            if kind == 0:
                value = _bg.expected_count(r, alpha[j], a[j], b[j], t[k])
            else:
                value = _bg.pmf_value(r, alpha[j], a[j], b[j], n[k], t[k], 0.0)
            total += share[j] * value
        out[k] = total


# --------------------------------------------------------------------------------------------
# Wrappers

#: Prediction kinds of the ``*_predict_rows`` kernels.
ALIVE, CONDITIONAL, CONDITIONAL_PMF, DISCOUNTED = 0, 1, 2, 3
#: Kinds of the ``*_new_rows`` kernels.
NEW_EXPECTED, NEW_PMF = 0, 1


def _run(block: Any, n: int) -> None:
    over_range(block, n, n >= PARALLEL_MIN_ROWS)


def pnbd_loglik_terms(
    r: float, s: float, alpha: _Floats, beta: _Floats, x: _Floats, t_x: _Floats, T: _Floats
) -> _Floats:
    """Per-customer Pareto/NBD ``log L`` and derivatives: ``float64[n, 6]``.

    Columns: ``log L_i``, ``∂/∂r``, ``∂/∂α_i``, ``∂/∂s``, ``∂/∂β_i`` and ``G`` (so that
    ``P(alive) = 1 / (1 + e^G)``).
    """
    al, be, xs, tx, tt = (frozen(c) for c in (alpha, beta, x, t_x, T))
    out = np.empty((al.shape[0], 6))

    def block(lo: int, hi: int) -> Any:
        return _pnbd_loglik_rows(float(r), float(s), al, be, xs, tx, tt, out, lo, hi)

    _run(block, out.shape[0])
    return out


def bgnbd_loglik_terms(
    r: float, alpha: _Floats, a: _Floats, b: _Floats, x: _Floats, t_x: _Floats, T: _Floats
) -> _Floats:
    """Per-customer BG/NBD ``log L`` and derivatives in ``(r, α_i, a_i, b_i)``: ``[n, 5]``."""
    al, aa, bb, xs, tx, tt = (frozen(c) for c in (alpha, a, b, x, t_x, T))
    out = np.empty((al.shape[0], 5))

    def block(lo: int, hi: int) -> Any:
        return _bgnbd_loglik_rows(float(r), al, aa, bb, xs, tx, tt, out, lo, hi)

    _run(block, out.shape[0])
    return out


def pnbd_predict(
    kind: int,
    r: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    *,
    n: _Floats | None = None,
    t: _Floats | None = None,
    delta: float = 0.0,
    horizon: float = math.inf,
) -> _Floats:
    """One Pareto/NBD prediction per customer.

    ``kind``: :data:`ALIVE`, :data:`CONDITIONAL`, :data:`CONDITIONAL_PMF` or
    :data:`DISCOUNTED`; ``n`` and ``t`` hold one value per customer when the kind uses them.
    """
    al, be, xs, tx, tt = (frozen(c) for c in (alpha, beta, x, t_x, T))
    size = al.shape[0]
    counts = frozen(np.zeros(size) if n is None else n)
    times = frozen(np.zeros(size) if t is None else t)
    out = np.empty(size)
    d, h = float(delta), float(horizon)

    def block(lo: int, hi: int) -> Any:
        return _pnbd_predict_rows(
            int(kind), float(r), float(s), al, be, xs, tx, tt, counts, times, d, h, out, lo, hi
        )

    _run(block, size)
    return out


def bgnbd_predict(
    kind: int,
    r: float,
    alpha: _Floats,
    a: _Floats,
    b: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    *,
    n: _Floats | None = None,
    t: _Floats | None = None,
    delta: float = 0.0,
    horizon: float = math.inf,
) -> _Floats:
    """One BG/NBD prediction per customer; see :func:`pnbd_predict`."""
    al, aa, bb, xs, tx, tt = (frozen(c) for c in (alpha, a, b, x, t_x, T))
    size = al.shape[0]
    counts = frozen(np.zeros(size) if n is None else n)
    times = frozen(np.zeros(size) if t is None else t)
    out = np.empty(size)
    d, h = float(delta), float(horizon)

    def block(lo: int, hi: int) -> Any:
        return _bgnbd_predict_rows(
            int(kind), float(r), al, aa, bb, xs, tx, tt, counts, times, d, h, out, lo, hi
        )

    _run(block, size)
    return out


def pnbd_new(
    kind: int,
    r: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    share: _Floats,
    n: _Floats,
    t: _Floats,
) -> _Floats:
    """A new customer's ``E[X(t)]`` or ``P(X(t) = n)`` averaged over ``(α_j, β_j)`` by ``share``."""
    al, be, sh, counts, times = (frozen(c) for c in (alpha, beta, share, n, t))
    out = np.empty(times.shape[0])

    def block(lo: int, hi: int) -> Any:
        return _pnbd_new_rows(int(kind), float(r), float(s), al, be, sh, counts, times, out, lo, hi)

    over_range(block, out.shape[0], out.shape[0] * al.shape[0] >= PARALLEL_MIN_ROWS)
    return out


def bgnbd_new(
    kind: int,
    r: float,
    alpha: _Floats,
    a: _Floats,
    b: _Floats,
    share: _Floats,
    n: _Floats,
    t: _Floats,
) -> _Floats:
    """A new customer's BG/NBD ``E[X(t)]`` or ``P(X(t) = n)`` averaged by ``share``."""
    al, aa, bb, sh, counts, times = (frozen(c) for c in (alpha, a, b, share, n, t))
    out = np.empty(times.shape[0])

    def block(lo: int, hi: int) -> Any:
        return _bgnbd_new_rows(int(kind), float(r), al, aa, bb, sh, counts, times, out, lo, hi)

    over_range(block, out.shape[0], out.shape[0] * al.shape[0] >= PARALLEL_MIN_ROWS)
    return out


def warm_up() -> None:
    """Compile (or load from the on-disk cache) every kernel of this module on tiny inputs."""
    one = np.ones(1)
    half = one * 0.5
    pnbd_loglik_terms(1.0, 1.0, one, one * 2.0, one, half, one)
    bgnbd_loglik_terms(1.0, one, one, one * 2.0, one, half, one)
    for kind in (ALIVE, CONDITIONAL, CONDITIONAL_PMF, DISCOUNTED):
        pnbd_predict(kind, 1.0, 1.0, one, one * 2.0, one, half, one, n=one, t=one, delta=0.1)
        bgnbd_predict(kind, 1.0, one, one, one * 2.0, one, half, one, n=one, t=one, delta=0.1)
    for kind in (NEW_EXPECTED, NEW_PMF):
        pnbd_new(kind, 1.0, 1.0, one, one * 2.0, one, one, one)
        bgnbd_new(kind, 1.0, one, one, one * 2.0, one, one, one)
