"""Special functions for the kernels (numba has ``math.lgamma`` but no digamma or 2F1).

Accuracy: ``digamma`` is within 1e-14 relative of ``scipy.special.digamma`` for x > 0 (tested);
``log_hyp2f1`` sums the Gauss series in log space and is accurate to about 1e-13 relative for
0 <= z < 1 when the series converges (c > 0); callers transform arguments so that it does
quickly (e.g. Euler's transformation).
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
    """Log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b)."""
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


@jit
def log_sub_exp(a: float, b: float) -> float:
    """log(exp(a) − exp(b)) for a >= b (−inf when equal)."""
    if b == -math.inf:
        return a
    if a <= b:
        return -math.inf
    return a + math.log1p(-math.exp(b - a))


@jit
def log_hyp2f1(a: float, b: float, c: float, z: float) -> float:
    """Log ₂F₁(a, b; c; z) by the Gauss series, for 0 <= z < 1, c > 0 and a positive sum.

    The terms are accumulated in log space with their signs, so large parameters do not
    overflow. At most 100,000 terms are summed (NaN if the series has not converged by then).
    """
    if z == 0.0:
        return 0.0
    log_z = math.log(z)
    total = 1.0  # running sum scaled by exp(-scale)
    scale = 0.0
    log_term = 0.0
    sign = 1.0
    for k in range(100_000):
        fa = a + k
        fb = b + k
        if fa == 0.0 or fb == 0.0:
            break
        ratio = fa * fb / ((c + k) * (k + 1.0))  # term ratio without the factor z
        if ratio < 0.0:
            sign = -sign
        log_term += math.log(abs(ratio)) + log_z
        if log_term > scale + 30.0:  # rescale to keep the running sum representable
            total *= math.exp(scale - log_term)
            scale = log_term
        term = sign * math.exp(log_term - scale)
        total += term
        # The term ratio tends to z; once k exceeds the parameters it moves monotonically
        # towards z, so m / (1 - m) bounds the remaining tail relative to the current term.
        m = max(abs(ratio) * z, z)
        past_peak = k > abs(a) + abs(b) + abs(c) and m < 1.0
        if past_peak and abs(term) * m / (1.0 - m) <= 1e-17 * abs(total):
            return scale + math.log(total) if total > 0.0 else math.nan
    else:
        return math.nan
    return scale + math.log(total) if total > 0.0 else math.nan
