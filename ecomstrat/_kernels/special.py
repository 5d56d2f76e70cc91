"""Special functions for the kernels (numba has ``math.lgamma`` but no digamma).

Accuracy: ``digamma`` is within 1e-14 relative of ``scipy.special.digamma`` for x > 0. The
Gauss hypergeometric function lives with its only users, in :mod:`ecomstrat._kernels.bgnbd`
(``log_hyp2f1_pos``, stable up to ``z = 1``) and :mod:`ecomstrat._kernels.paretonbd`.
"""

from __future__ import annotations

import math

from ecomstrat._kernels._jit import jit

#: Asymptotic expansion coefficients of digamma: B_2k / (2k), k = 1..7.
_B1 = 1.0 / 12.0
_B2 = 1.0 / 120.0
_B3 = 1.0 / 252.0
_B4 = 1.0 / 240.0
_B5 = 1.0 / 132.0
_B6 = 691.0 / 32760.0
_B7 = 1.0 / 12.0


@jit
def digamma(x: float) -> float:
    """ψ(x) = d/dx log Γ(x) for x > 0 (recurrence up to x >= 10, then the asymptotic series)."""
    if not x > 0.0:
        return math.nan
    shift = 0.0
    while x < 10.0:
        shift -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    tail = inv2 * (
        _B1 - inv2 * (_B2 - inv2 * (_B3 - inv2 * (_B4 - inv2 * (_B5 - inv2 * (_B6 - inv2 * _B7)))))
    )
    return shift + math.log(x) - 0.5 / x - tail


@jit
def log_beta(a: float, b: float) -> float:
    """Log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b).

    The absolute error is a few ulps of ``|log Γ(a)| + |log Γ(b)| + |log Γ(a + b)|``: fine for
    the kernels' arguments (``b + x`` with ``x`` a purchase count), not for ``a << 1 << b``.
    """
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


@jit
def log_add_exp(a: float, b: float) -> float:
    """log(exp(a) + exp(b)) without overflow."""
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


_LOG2 = math.log(2.0)


@jit
def log_sub_exp(a: float, b: float) -> float:
    """log(exp(a) − exp(b)) for a >= b (−inf when equal).

    ``log(−expm1(d))`` for ``d = b − a`` above ``−log 2``, ``log1p(−exp(d))`` below: each is
    accurate where the other cancels (Mächler 2012, "Accurately computing log(1 − exp(−|a|))").
    """
    if b == -math.inf:
        return a
    if a <= b:
        return -math.inf
    d = b - a
    if d > -_LOG2:
        return a + math.log(-math.expm1(d))
    return a + math.log1p(-math.exp(d))
