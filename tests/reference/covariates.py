"""Plain-Python references for ``ecomstrat._kernels.covariates`` (per-customer parameters).

With static covariates every customer ``i`` has their own ``α_i, β_i`` (Pareto/NBD) or
``α_i, a_i, b_i`` (BG/NBD) while the shapes are shared. Each reference here loops over the
customers and evaluates the one-customer arbitrary-precision references of
:mod:`tests.reference.paretonbd` and :mod:`tests.reference.bgnbd` with that customer's
parameters (closed forms with mpmath, derivatives by ``mpmath.diff``), so agreement checks the
kernels' row loops, their use of the per-customer arrays and their numerics at once. Every
function has the signature of the kernel wrapper it mirrors (``COMPARISONS``).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np

from ecomstrat._kernels.covariates import (
    ALIVE,
    CONDITIONAL,
    CONDITIONAL_PMF,
    DISCOUNTED,
    NEW_EXPECTED,
    NEW_PMF,
)
from tests.reference import bgnbd as bg, paretonbd as pn

# --------------------------------------------------------------------------------------------
# Pareto/NBD


def _pnbd_log_alive_odds(r, alpha, s, beta, x, t_x, T):
    """``G = log(s/(r+s+x) A0/B)``, 50 digits (−inf when ``t_x = T``): P(alive) = 1/(1+e^G)."""
    with mp.workdps(pn.DIGITS):
        r, alpha, s, beta, x, t_x, T = (mp.mpf(v) for v in (r, alpha, s, beta, x, t_x, T))
        log_b, log_a0 = pn._log_b_and_a0(r, alpha, s, beta, x, t_x, T)
        if log_a0 is None:
            return -math.inf
        return float(mp.log(s) - mp.log(r + s + x) + log_a0 - log_b)


def pnbd_loglik_terms_python(r, s, alpha, beta, x, t_x, T):
    """Per customer: ``log L_i``, ``∂/∂(r, α_i, s, β_i)`` and ``G`` (``float64[n, 6]``).

    ``log L`` from the hypergeometric form of Fader, Hardie & Lee (2005), eqs. 18–20, at the
    customer's ``(α_i, β_i)``; the derivatives by 50-digit numerical differentiation.
    """
    out = np.empty((len(x), 6))
    rows = zip(alpha, beta, x, t_x, T, strict=True)
    for i, (a, b, xi, txi, Ti) in enumerate(rows):
        out[i, 0] = pn.log_likelihood(r, a, s, b, xi, txi, Ti)
        out[i, 1:5] = pn.gradient(r, a, s, b, xi, txi, Ti)
        out[i, 5] = _pnbd_log_alive_odds(r, a, s, b, xi, txi, Ti)
    return out


def _pnbd_one(kind, r, s, a, b, x, t_x, T, n, t, delta, horizon):
    if kind == ALIVE:
        return pn.probability_alive(r, a, s, b, x, t_x, T)
    if kind == CONDITIONAL:
        return pn.conditional_expected(r, a, s, b, x, t_x, T, t)
    if kind == CONDITIONAL_PMF:
        return float(pn.conditional_pmf(r, a, s, b, [n], [t], [x], [t_x], [T])[0])
    assert kind == DISCOUNTED, kind
    return pn.discounted_expected(r, a, s, b, x, t_x, T, horizon, delta)


def pnbd_predict_python(
    kind, r, s, alpha, beta, x, t_x, T, *, n=None, t=None, delta=0.0, horizon=math.inf
):
    """One Pareto/NBD prediction per customer, each at that customer's ``(α_i, β_i)``.

    P(alive) (Fader & Hardie 2005, eq. 36), ``E[X(T, T+t)]`` (eq. 41), the conditional PMF
    and ``∫_0^H e^(−δu) dE[X(T, T+u)]`` by ``mpmath.quad``, as in :mod:`tests.reference.paretonbd`.
    """
    size = len(x)
    counts = np.zeros(size) if n is None else n
    times = np.zeros(size) if t is None else t
    rows = zip(alpha, beta, x, t_x, T, counts, times, strict=True)
    return np.array(
        [
            _pnbd_one(kind, r, s, a, b, xi, txi, Ti, ni, ti, delta, horizon)
            for a, b, xi, txi, Ti, ni, ti in rows
        ]
    )


def _pnbd_new_one(kind, r, s, a, b, n, t):
    if kind == NEW_EXPECTED:
        return pn.expected_new(r, a, s, b, t)
    assert kind == NEW_PMF, kind
    if t == 0:
        return 1.0 if n == 0 else 0.0
    return pn.pmf_new(r, a, s, b, n, t)


def pnbd_new_python(kind, r, s, alpha, beta, share, n, t):
    """A new customer's ``E[X(t)]`` or ``P(X(t) = n)``: ``Σ_j share_j f(α_j, β_j)``."""
    return np.array(
        [
            math.fsum(
                w * _pnbd_new_one(kind, r, s, a, b, nk, tk)
                for a, b, w in zip(alpha, beta, share, strict=True)
            )
            for nk, tk in zip(n, t, strict=True)
        ]
    )


# --------------------------------------------------------------------------------------------
# BG/NBD


def bgnbd_loglik_terms_python(r, alpha, a, b, x, t_x, T):
    """Per customer: ``log L_i`` (Fader, Hardie & Lee 2005, eq. 6) and ``∂/∂(r, α_i, a_i, b_i)``."""
    out = np.empty((len(x), 5))
    rows = zip(alpha, a, b, x, t_x, T, strict=True)
    for i, (al, ai, bi, xi, txi, Ti) in enumerate(rows):
        value, grad = bg.bgnbd_loglik_python((r, al, ai, bi), [xi], [txi], [Ti], [1.0])
        out[i, 0] = value
        out[i, 1:] = grad
    return out


def _bgnbd_one(kind, r, al, ai, bi, x, t_x, T, n, t, delta, horizon):
    if kind == ALIVE:
        return bg.bgnbd_p_alive_python(r, al, ai, bi, [x], [t_x], [T])[0]
    if kind == CONDITIONAL:
        return bg.bgnbd_conditional_python(r, al, ai, bi, [t], [x], [t_x], [T])[0]
    if kind == CONDITIONAL_PMF:
        return bg.bgnbd_conditional_pmf_python(r, al, ai, bi, [n], [t], [x], [t_x], [T])[0]
    assert kind == DISCOUNTED, kind
    return bg.bgnbd_discounted_python(r, al, ai, bi, delta, horizon, [x], [t_x], [T])[0]


def bgnbd_predict_python(
    kind, r, alpha, a, b, x, t_x, T, *, n=None, t=None, delta=0.0, horizon=math.inf
):
    """One BG/NBD prediction per customer, each at that customer's ``(α_i, a_i, b_i)``.

    P(alive), FHL (2005) eq. 10, the conditional PMF (eq. 8 at the posterior parameters) and
    the discounted purchases by quadrature of the purchase rate, as in
    :mod:`tests.reference.bgnbd`.
    """
    size = len(x)
    counts = np.zeros(size) if n is None else n
    times = np.zeros(size) if t is None else t
    rows = zip(alpha, a, b, x, t_x, T, counts, times, strict=True)
    return np.array(
        [
            float(_bgnbd_one(kind, r, al, ai, bi, xi, txi, Ti, ni, ti, delta, horizon))
            for al, ai, bi, xi, txi, Ti, ni, ti in rows
        ]
    )


def _bgnbd_new_one(kind, r, al, ai, bi, n, t):
    if kind == NEW_EXPECTED:
        return float(bg.bgnbd_unconditional_python(r, al, ai, bi, [t])[0])
    assert kind == NEW_PMF, kind
    return float(bg.bgnbd_pmf_python(r, al, ai, bi, [n], [t])[0])


def bgnbd_new_python(kind, r, alpha, a, b, share, n, t):
    """A new customer's BG/NBD ``E[X(t)]`` (eq. 9) or ``P(X(t) = n)`` (eq. 8) mixed by ``share``."""
    return np.array(
        [
            math.fsum(
                w * _bgnbd_new_one(kind, r, al, ai, bi, nk, tk)
                for al, ai, bi, w in zip(alpha, a, b, share, strict=True)
            )
            for nk, tk in zip(n, t, strict=True)
        ]
    )


def _kernels() -> dict[str, dict[str, object]]:
    from ecomstrat._kernels import covariates

    return {
        f"covariate_{name}": {
            "numba": getattr(covariates, name),
            "python": globals()[f"{name}_python"],
        }
        for name in (
            "pnbd_loglik_terms",
            "pnbd_predict",
            "pnbd_new",
            "bgnbd_loglik_terms",
            "bgnbd_predict",
            "bgnbd_new",
        )
    }


#: kernel -> implementation name -> callable (to merge into ``tests.reference.COMPARISONS``).
COMPARISONS = _kernels()
