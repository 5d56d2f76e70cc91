"""Plain-Python reference for ``ecomstrat._kernels.cnbd`` (the (M)BG/CNBD-k formulas, term by term).

Written from the formulas of Platzer & Reutterer (2016) as BTYDplus 1.2 states them
(``R/mbg-cnbd-k.R``, ``src/slice-sampling.cpp``), with ``math`` only: no logs of sums, no
tables, no chunking, so that the kernels' log-space rearrangements are checked against the
direct expressions. ``shift`` is 0 (BG) or 1 (MBG).
"""

from __future__ import annotations

import math

import numpy as np


def _lbeta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _rising(x: float, j: int) -> float:
    out = 1.0
    for i in range(j):
        out *= x + i
    return out


def loglik(k, r, alpha, a, b, shift, x, t_x, T, litt):
    """One customer's log-likelihood (BTYDplus ``xbgcnbd.LL``: P1 + P2 + P3 + P4 + log(S1 + S2))."""
    p1 = (k - 1) * litt - x * math.log(math.factorial(k - 1))
    p2 = _lbeta(a, b + x + shift) - _lbeta(a, b)
    p3 = math.lgamma(r + k * x) - math.lgamma(r) + r * math.log(alpha)
    p4 = -(r + k * x) * math.log(alpha + T)
    s1 = 0.0
    if shift or x > 0:
        s1 = a / (b + x - 1 + shift) * ((alpha + T) / (alpha + t_x)) ** (r + k * x)
    s2 = sum(
        _rising(r + k * x, j) * (T - t_x) ** j / (math.factorial(j) * (alpha + T) ** j)
        for j in range(k)
    )
    return p1 + p2 + p3 + p4 + math.log(s1 + s2)


def p_alive(k, r, alpha, a, b, shift, x, t_x, T):
    """P(alive) = 1 / (1 + S1/S2); 1 for a BG customer without repeat purchases."""
    if not shift and x == 0:
        return 1.0
    s1 = a / (b + x - 1 + shift) * ((alpha + T) / (alpha + t_x)) ** (r + k * x)
    s2 = sum(
        _rising(r + k * x, j) * (T - t_x) ** j / (math.factorial(j) * (alpha + T) ** j)
        for j in range(k)
    )
    return 1.0 / (1.0 + s1 / s2)


def _hyp2f1(a, b, c, z):
    term, total, j = 1.0, 1.0, 0
    while abs(term) > 1e-17 * abs(total):
        term *= (a + j) * (b + j) / ((c + j) * (j + 1)) * z
        total += term
        j += 1
    return total


def conditional(k, r, alpha, a, b, shift, t, x, t_x, T):
    """BTYDplus' CET approximation (no bias correction): P(alive) P1 G(r+x, kα+T, a, b')."""
    b1 = b + x - 1 + shift
    beta = k * alpha + T
    g = 1.0 - (beta / (beta + t)) ** (r + x) * _hyp2f1(r + x, b1 + 1, a + b1, t / (beta + t))
    return (a + b1) / (a - 1) * g * p_alive(k, r, alpha, a, b, shift, x, t_x, T)


def _nbd(r, alpha, t, i):
    return math.exp(
        math.lgamma(r + i)
        + r * math.log(alpha)
        + i * math.log(t)
        - math.lgamma(i + 1)
        - math.lgamma(r)
        - (r + i) * math.log(alpha + t)
    )


def pmf(k, r, alpha, a, b, shift, t, n):
    """P(X(t) = n) as ``xbgcnbd_pmf_cpp`` computes it (the tail as 1 − the sum of the pmf)."""
    if t == 0:
        return 1.0 if n == 0 else 0.0
    s = n - 1 + shift
    p1 = math.exp(
        math.lgamma(b + s + 1) + math.lgamma(a + b) - math.lgamma(b) - math.lgamma(a + b + s + 1)
    )
    p2a = sum(_nbd(r, alpha, t, i) for i in range(k * n, k * n + k))
    p2b = 0.0
    if shift or n > 0:
        p2b = a / (b + s) * (1.0 - sum(_nbd(r, alpha, t, i) for i in range(k * n)))
    return p1 * (p2a + p2b)


def expectation(k, r, alpha, a, b, shift, t, n_max=2000):
    """E[X(t)] = Σ n P(X(t) = n), summed to ``n_max``."""
    return sum(n * pmf(k, r, alpha, a, b, shift, t, n) for n in range(1, n_max))


def _phase_weights(k, r, alpha, x, t_x, T):
    """π_j ∝ (r+kx)_j q^j / j!, q = (T − t_x)/(α + T), j = 0..k−1 (the terms of S2)."""
    R = r + k * x
    q = (T - t_x) / (alpha + T)
    terms = [_rising(R, j) * q**j / math.factorial(j) for j in range(k)]
    total = sum(terms)
    return [term / total for term in terms]


def conditional_pmf(k, r, alpha, a, b, shift, t, x, t_x, T, n):
    """P(Y(t) = n | history) from P(Y >= i) = c_i P(M_j >= ki − j), differenced directly."""
    alive = p_alive(k, r, alpha, a, b, shift, x, t_x, T)
    b1 = b + x + shift
    R = r + k * x

    def at_least(i, j):
        if i == 0:
            return 1.0
        c = math.exp(_lbeta(a, b1 + i - 1) - _lbeta(a, b1))
        below = sum(_nbd(R + j, alpha + T, t, m) for m in range(max(0, k * i - j)))
        return c * (1.0 - below)

    weights = _phase_weights(k, r, alpha, x, t_x, T)
    value = sum(w * (at_least(n, j) - at_least(n + 1, j)) for j, w in enumerate(weights))
    return alive * value + (1.0 - alive if n == 0 else 0.0)


def _nbd_pmfs(r, alpha, t):
    """``P(M = m)`` for ``M ~ NBD(r, α/(α+t))``, ``m = 0, 1, …`` until the rest is negligible."""
    mean = r * t / alpha
    probs = [_nbd(r, alpha, t, 0)]
    peak = probs[0]
    m = 1
    while m <= mean or probs[-1] > 1e-22 * peak:
        probs.append(_nbd(r, alpha, t, m))
        peak = max(peak, probs[-1])
        m += 1
    return probs


def exact_conditional(k, r, alpha, a, b, shift, t, x, t_x, T):
    """Exact E[Y(t) | history] = P(alive) Σ_j π_j Σ_{i>=1} c_i P(M_j >= ki − j).

    ``E[Y] = Σ_i P(Y >= i)`` with the terms of :func:`conditional_pmf`; the NBD tails are
    summed from the far end (no ``1 − Σ`` cancellation) and the series stops where they do.
    """
    if t == 0:
        return 0.0
    alive = p_alive(k, r, alpha, a, b, shift, x, t_x, T)
    b1 = b + x + shift
    R = r + k * x
    total = 0.0
    for j, weight in enumerate(_phase_weights(k, r, alpha, x, t_x, T)):
        probs = _nbd_pmfs(R + j, alpha + T, t)
        tails = [0.0] * (len(probs) + 1)  # tails[m] = P(M_j >= m)
        for m in range(len(probs) - 1, -1, -1):
            tails[m] = tails[m + 1] + probs[m]
        value = 0.0
        i = 1
        while k * i - j < len(probs):
            c = math.exp(_lbeta(a, b1 + i - 1) - _lbeta(a, b1))
            value += c * tails[k * i - j]
            i += 1
        total += weight * value
    return alive * total


def _kernels() -> dict[str, dict[str, object]]:
    """The kernels' wrappers on one customer (or one ``t``, ``n``), in the references' signature."""
    from ecomstrat._kernels import cnbd

    def one(value):
        return np.array([float(value)])

    def numba_loglik(k, r, alpha, a, b, shift, x, t_x, T, litt):
        params = np.array([r, alpha, a, b], dtype=float)
        columns = (one(x), one(t_x), one(T), one(litt), one(1.0))
        return cnbd.loglik(params, k, *columns, shift=float(shift))[0]

    def numba_p_alive(k, r, alpha, a, b, shift, x, t_x, T):
        return float(cnbd.p_alive((r, alpha, a, b), k, shift, one(x), one(t_x), one(T))[0])

    def numba_conditional(k, r, alpha, a, b, shift, t, x, t_x, T):
        columns = (one(t), one(x), one(t_x), one(T))
        return float(cnbd.conditional((r, alpha, a, b), k, shift, *columns)[0])

    def numba_exact_conditional(k, r, alpha, a, b, shift, t, x, t_x, T):
        columns = (one(t), one(x), one(t_x), one(T))
        return float(cnbd.exact_conditional((r, alpha, a, b), k, shift, *columns)[0])

    def numba_pmf(k, r, alpha, a, b, shift, t, n):
        return float(cnbd.pmf((r, alpha, a, b), k, shift, one(n), one(t))[0])

    def numba_expectation(k, r, alpha, a, b, shift, t, n_max=2000):
        return float(cnbd.unconditional((r, alpha, a, b), k, shift, one(t))[0])

    def numba_conditional_pmf(k, r, alpha, a, b, shift, t, x, t_x, T, n):
        columns = (one(n), one(t), one(x), one(t_x), one(T))
        return float(cnbd.conditional_pmf((r, alpha, a, b), k, shift, *columns)[0])

    table: dict[str, dict[str, object]] = {}
    for name, wrapper, plain in (
        ("loglik", numba_loglik, loglik),
        ("p_alive", numba_p_alive, p_alive),
        ("conditional", numba_conditional, conditional),
        ("exact_conditional", numba_exact_conditional, exact_conditional),
        ("pmf", numba_pmf, pmf),
        ("unconditional", numba_expectation, expectation),
        ("conditional_pmf", numba_conditional_pmf, conditional_pmf),
    ):
        wrapper.kernel_module = "ecomstrat._kernels.cnbd"  # type: ignore[attr-defined]
        table[f"cnbd_{name}"] = {"numba": wrapper, "python": plain}
    return table


#: kernel -> implementation name -> callable (to merge into ``tests.reference.COMPARISONS``).
COMPARISONS = _kernels()
