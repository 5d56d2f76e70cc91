"""BG/CNBD-k and MBG/CNBD-k kernels: log-likelihood with its gradient, and the predictions.

Platzer & Reutterer (2016), "Ticking Away the Moments: Timing Regularity Helps to Better
Predict Customer Activity", Marketing Science 35(5); Reutterer, Platzer & Schröder (2020),
"Leveraging purchase regularity for predicting customer behavior the easy way", IJRM 38(1).
An active customer's inter-purchase times are Erlang-k with rate ``λ`` per phase (mean
``k/λ``), ``λ ~ Gamma(r, α)``; after each repeat purchase (and, for the MBG variant, at time
0 too) the customer drops out with probability ``p ~ Beta(a, b)``. With ``k = 1`` these are
the BG/NBD and the MBG/NBD. ``shift`` is 0 for the BG and 1 for the MBG variant (``x + shift``
dropout opportunities after ``x`` repeat purchases), as in :mod:`ecomstrat._kernels.bgnbd`.

A customer has ``x`` repeat purchases, the last at ``t_x``, age ``T`` and ``litt``, the sum
of the logarithms of the ``x`` inter-purchase times (only the likelihood's constant needs it).
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, jit, over_range
from ecomstrat._kernels.bgnbd import (
    _derivative_integral,
    expected_count,
    log_nbd_pmf,
    log_nbd_tail,
)
from ecomstrat._kernels.special import digamma, log_add_exp, log_beta

_Floats: TypeAlias = NDArray[np.float64]

#: Rows (patterns or customers) from which the parallel wrappers are used.
PARALLEL_MIN_ROWS = 20_000
#: The likelihood is reduced over this many fixed chunks (thread-count independent sums).
N_CHUNKS = 64
#: Largest number of Poisson phases summed for one unconditional expectation.
_MAX_PHASES = 100_000_000


@jit
def _x_terms(
    r: float, a: float, b: float, k: float, x: float, shift: float
) -> tuple[float, float, float, float]:
    """The log-likelihood's terms that depend on ``x`` only, with their (r, a, b) derivatives.

    ``log Γ(r+kx) - log Γ(r) + log B(a, b+x+shift) - log B(a, b) - x log (k-1)!``.
    """
    xs = x + shift
    R = r + k * x
    const = (
        math.lgamma(R) - math.lgamma(r) + log_beta(a, b + xs) - log_beta(a, b) - x * math.lgamma(k)
    )
    d_ab = digamma(a + b) - digamma(a + b + xs)
    return const, digamma(R) - digamma(r), d_ab, digamma(b + xs) - digamma(b) + d_ab


@jit
def _row(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    x: float,
    t_x: float,
    T: float,
) -> tuple[float, float, float, float, float]:
    """``log(S1 + S2) - (r+kx) log(α+T)`` and its derivatives in (r, α, a, b).

    ``S1 = a/(b+x-1+shift) ((α+T)/(α+t_x))^(r+kx)`` (the customer dropped out after the last
    purchase; absent for a BG customer without repeat purchases) and ``S2 = Σ_{j<k}
    (r+kx)_j ((T-t_x)/(α+T))^j / j!`` (the next Erlang-k purchase is after ``T``).
    """
    R = r + k * x
    beta_T = alpha + T
    log_bt = math.log(beta_T)
    gap = T - t_x
    # log-terms of S2 and their weights, accumulated with a running log-sum-exp
    top = 0.0  # log term_0 = 0
    sum_w = 1.0
    sum_dr = 0.0
    sum_da = 0.0
    if gap > 0.0 and k > 1.0:
        log_q = math.log(gap) - log_bt
        log_term = 0.0
        d_r = 0.0
        for j in range(1, int(k)):
            jf = float(j)
            log_term += math.log(R + jf - 1.0) + log_q - math.log(jf)
            d_r += 1.0 / (R + jf - 1.0)
            if log_term > top:
                scale = math.exp(top - log_term)
                sum_w *= scale
                sum_dr *= scale
                sum_da *= scale
                top = log_term
            e = math.exp(log_term - top)
            sum_w += e
            sum_dr += e * d_r
            sum_da += e * (-jf / beta_T)
    dr = 0.0
    dalpha = 0.0
    da = 0.0
    db = 0.0
    if x > 0.0 or shift > 0.0:
        b_x = b + x + shift - 1.0
        log_ratio = math.log1p(gap / (alpha + t_x))
        log_s1 = math.log(a) - math.log(b_x) + R * log_ratio
        if log_s1 > top:
            scale = math.exp(top - log_s1)
            sum_w *= scale
            sum_dr *= scale
            sum_da *= scale
            top = log_s1
        e1 = math.exp(log_s1 - top)
        total = sum_w + e1
        w1 = e1 / total
        dr = w1 * log_ratio
        dalpha = w1 * R * (1.0 / beta_T - 1.0 / (alpha + t_x))
        da = w1 / a
        db = -w1 / b_x
    else:
        total = sum_w
    value = top + math.log(total) - R * log_bt
    dr += sum_dr / total - log_bt
    dalpha += sum_da / total - R / beta_T
    return value, dr, dalpha, da, db


@jit
def loglik_chunks(
    params: _Floats,
    k: float,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    litt: _Floats,
    weights: _Floats,
    shift: float,
    max_x: int,
    first_chunk: int,
    end_chunk: int,
    partial: _Floats,
) -> None:
    """Weighted (M)BG/CNBD-k log-likelihood and its gradient in (r, α, a, b), by chunks.

    Per customer (Platzer & Reutterer 2016; BTYDplus ``xbgcnbd.LL``)::

        ℓ = (k-1) litt - x log (k-1)! + log B(a, b+x+shift) - log B(a, b)
            + log Γ(r+kx) - log Γ(r) + r log α - (r+kx) log(α+T) + log(S1 + S2)

    (:func:`_row`). Chunks ``first_chunk..end_chunk-1`` of :data:`N_CHUNKS` write their sums
    to their rows of ``partial`` (``float64[N_CHUNKS, 5]``).
    """
    r = params[0]
    alpha = params[1]
    a = params[2]
    b = params[3]
    n = x.shape[0]
    use_table = max_x < n
    size_table = max_x + 1 if use_table else 1
    table = np.empty((size_table, 4))
    for i in range(size_table if use_table else 0):
        c0, c1, c2, c3 = _x_terms(r, a, b, k, float(i), shift)
        table[i, 0] = c0
        table[i, 1] = c1
        table[i, 2] = c2
        table[i, 3] = c3
    log_alpha = math.log(alpha)
    size = (n + N_CHUNKS - 1) // N_CHUNKS
    for chunk in range(first_chunk, end_chunk):
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
                m = int(xi)
                c0 = table[m, 0]
                c1 = table[m, 1]
                c2 = table[m, 2]
                c3 = table[m, 3]
            else:
                c0, c1, c2, c3 = _x_terms(r, a, b, k, xi, shift)
            value, dr, dalpha, da, db = _row(r, alpha, a, b, k, shift, xi, t_x[i], T[i])
            acc0 += wi * (c0 + (k - 1.0) * litt[i] + r * log_alpha + value)
            acc1 += wi * (c1 + log_alpha + dr)
            acc2 += wi * (r / alpha + dalpha)
            acc3 += wi * (c2 + da)
            acc4 += wi * (c3 + db)
        partial[chunk, 0] = acc0
        partial[chunk, 1] = acc1
        partial[chunk, 2] = acc2
        partial[chunk, 3] = acc3
        partial[chunk, 4] = acc4


def loglik(
    params: _Floats,
    k: int,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    litt: _Floats,
    weights: _Floats,
    *,
    shift: float,
    parallel: bool = False,
) -> tuple[float, _Floats]:
    """Weighted log-likelihood and gradient in ``(r, α, a, b)``; see :func:`loglik_chunks`."""
    arrays = (frozen(x), frozen(t_x), frozen(T), frozen(litt), frozen(weights))
    theta = frozen(params)
    max_x = int(arrays[0].max(initial=0.0))
    partial = np.zeros((N_CHUNKS, 5))

    def chunks(lo: int, hi: int) -> Any:
        return loglik_chunks(theta, float(k), *arrays, float(shift), max_x, lo, hi, partial)

    over_range(chunks, N_CHUNKS, parallel)
    total = np.cumsum(partial, axis=0)[-1]
    return float(total[0]), total[1:].copy()


# ------------------------------------------------------------------------------ predictions


@jit
def alive_one(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    x: float,
    t_x: float,
    T: float,
) -> float:
    """P(alive at T | x, t_x, T) = 1 / (1 + S1/S2) (BTYDplus ``xbgcnbd.PAlive``).

    A BG customer without repeat purchases is alive (no dropout opportunity yet).
    """
    if x == 0.0 and shift == 0.0:
        return 1.0
    R = r + k * x
    gap = T - t_x
    log_s1 = math.log(a) - math.log(b + x + shift - 1.0) + R * math.log1p(gap / (alpha + t_x))
    log_s2 = 0.0
    if gap > 0.0 and k > 1.0:
        log_q = math.log(gap) - math.log(alpha + T)
        log_term = 0.0
        for j in range(1, int(k)):
            jf = float(j)
            log_term += math.log(R + jf - 1.0) + log_q - math.log(jf)
            log_s2 = log_add_exp(log_s2, log_term)
    d = log_s1 - log_s2
    if d > 745.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(d))


@jit
def conditional_one(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    t: float,
    x: float,
    t_x: float,
    T: float,
) -> float:
    """Expected purchases in ``(T, T+t]``: ``P(alive) E_BG/NBD[X(t); r+x, kα+T, a, b+x+shift]``.

    The approximation of Reutterer, Platzer & Schröder (2020) as BTYDplus computes it
    (``xbgcnbd.ConditionalExpectedTransactions`` without its cohort bias correction): the
    BG/NBD conditional expectation with the Gamma scale ``α`` replaced by ``kα`` (the rate of
    purchases ``λ/k`` is Gamma(r, kα)). Exact for ``k = 1``.
    """
    alive = alive_one(r, alpha, a, b, k, shift, x, t_x, T)
    return alive * expected_count(r + x, k * alpha + T, a, b + x + shift, t)


@jit
def discounted_one(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    delta: float,
    horizon: float,
    x: float,
    t_x: float,
    T: float,
) -> float:
    """``∫_0^H e^{-δt} dE[Y(t) | x, t_x, T]``, approximated as in :func:`conditional_one`."""
    alive = alive_one(r, alpha, a, b, k, shift, x, t_x, T)
    return alive * _derivative_integral(r + x, k * alpha + T, a, b + x + shift, delta, horizon)


@jit
def pmf_one(
    r: float, alpha: float, a: float, b: float, k: float, shift: float, n: float, t: float
) -> float:
    """P(X(t) = n) for a new customer (BTYDplus ``xbgcnbd_pmf_cpp``).

    With ``N ~ NBD(r, α/(α+t))`` the number of Erlang phases completed by ``t`` and ``s = n -
    1 + shift``: ``B(a, b+s+1)/B(a, b) [P(kn <= N < kn+k) + a/(b+s) P(N >= kn)]``, the second
    term absent for a BG customer and ``n = 0``.
    """
    if t <= 0.0:
        return 1.0 if n == 0.0 else 0.0
    z = t / (alpha + t)
    w = alpha / (alpha + t)
    log_w = -math.log1p(t / alpha)
    log_z = math.log(t) - math.log(alpha + t)
    s = n - 1.0 + shift
    log_p1 = log_beta(a, b + s + 1.0) - log_beta(a, b)
    kn = k * n
    inside = log_nbd_pmf(r, kn, log_z, log_w)
    for i in range(1, int(k)):
        inside = log_add_exp(inside, log_nbd_pmf(r, kn + float(i), log_z, log_w))
    if n > 0.0 or shift > 0.0:
        tail = math.log(a) - math.log(b + s) + log_nbd_tail(r, kn, z, w)
        inside = log_add_exp(inside, tail)
    return min(1.0, math.exp(log_p1 + inside))


@jit
def _phase_series(
    r: float, beta: float, t: float, k: float, offset: float, a: float, b0: float, c1: float
) -> float:
    """``Σ_m P(M = m) C(⌊(m + offset)/k⌋)`` with ``M ~ NBD(r, β/(β+t))``.

    ``M`` counts the Erlang phases completed in a window of length ``t`` (rates
    ``λ ~ Gamma(r, β)``), ``offset < k`` the phases already completed towards the next
    purchase, and ``C(i) = Σ_{l=1..i} c_l`` with ``c_1 = c1`` and ``c_{l+1} = c_l (b0+l-1) /
    (a+b0+l-1)``: ``c_l`` is the probability that the l-th purchase is still made (the
    customer survived the dropout chances before it). All terms are positive; the sum stops
    once a geometric bound on the rest is below 1e-16 of the total.
    """
    if t <= 0.0:
        return 0.0
    z = t / (beta + t)
    log_z = math.log(t) - math.log(beta + t)
    log_p = -r * math.log1p(t / beta)  # log P(M = 0)
    # P(M = m) by the ratio z (r+m-1)/m, in linear scale unless P(M = 0) would underflow
    linear = log_p > -700.0
    p = math.exp(log_p)
    ki = int(k)
    shift_m = int(offset)
    c_n = c1
    next_n = 1  # the purchase whose c is c_n
    cum = 0.0  # C(⌊(m + offset)/k⌋)
    total = 0.0
    for m in range(0, _MAX_PHASES):
        if m > 0:
            if linear:
                p *= z * (r + m - 1.0) / m
            else:
                log_p += log_z + math.log(r + m - 1.0) - math.log(float(m))
                p = math.exp(log_p)
            if (m + shift_m) % ki == 0:
                cum += c_n
                nf = float(next_n)
                c_n *= (b0 + nf - 1.0) / (a + b0 + nf - 1.0)
                next_n += 1
        total += p * cum
        rho = max(z * (r + m) / (m + 1.0), z)
        if rho < 1.0 and m > 0:
            rest = p * (cum * rho / (1.0 - rho) + rho / (k * (1.0 - rho) ** 2))
            if rest <= 1e-16 * total:
                break
    return total


@jit
def unconditional_one(
    r: float, alpha: float, a: float, b: float, k: float, shift: float, t: float
) -> float:
    """E[X(t)] for a new customer: ``Σ_m P(N = m) C(⌊m/k⌋)`` (:func:`_phase_series`).

    ``N ~ NBD(r, α/(α+t))`` counts the Erlang phases an immortal customer completes by ``t``
    (``⌊N/k⌋`` purchases); the n-th purchase is made with probability ``B(a, b+n-1+shift) /
    B(a, b)``.
    """
    c1 = 1.0 if shift == 0.0 else b / (a + b)
    return _phase_series(r, alpha, t, k, 0.0, a, b + shift, c1)


@jit
def _phase_posterior(R: float, alpha: float, k: float, t_x: float, T: float) -> _Floats:
    """Posterior probabilities of ``j = 0..k-1`` phases completed in ``(t_x, T]``, if alive.

    ``π_j ∝ (R)_j q^j / j!`` with ``R = r + kx`` and ``q = (T - t_x)/(α + T)``: the terms of
    ``S2`` in the likelihood. Given ``j``, ``λ`` is Gamma(R + j, α + T).
    """
    ki = int(k)
    out = np.zeros(ki)
    gap = T - t_x
    if gap <= 0.0 or ki == 1:
        out[0] = 1.0
        return out
    log_q = math.log(gap) - math.log(alpha + T)
    top = 0.0
    log_term = 0.0
    logs = np.zeros(ki)
    for j in range(1, ki):
        jf = float(j)
        log_term += math.log(R + jf - 1.0) + log_q - math.log(jf)
        logs[j] = log_term
        top = max(top, log_term)
    norm = 0.0
    for j in range(ki):
        out[j] = math.exp(logs[j] - top)
        norm += out[j]
    for j in range(ki):
        out[j] /= norm
    return out


@jit
def exact_conditional_one(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    t: float,
    x: float,
    t_x: float,
    T: float,
) -> float:
    """Exact E[Y(t) | x, t_x, T]: ``P(alive) Σ_j π_j Σ_m P(M_j = m) C(⌊(m+j)/k⌋)``.

    An active customer has completed ``j < k`` phases since the last purchase (posterior
    :func:`_phase_posterior`); given ``j``, ``λ ~ Gamma(r+kx+j, α+T)``, the phases ``M_j`` in
    the window are NBD, and the i-th future purchase is made with probability ``B(a, b'+i-1) /
    B(a, b')``, ``b' = b + x + shift`` (the posterior of ``p`` of a customer alive at ``T``).
    """
    alive = alive_one(r, alpha, a, b, k, shift, x, t_x, T)
    R = r + k * x
    weights = _phase_posterior(R, alpha, k, t_x, T)
    total = 0.0
    for j in range(int(k)):
        if weights[j] > 0.0:
            jf = float(j)
            total += weights[j] * _phase_series(R + jf, alpha + T, t, k, jf, a, b + x + shift, 1.0)
    return alive * total


@jit
def conditional_pmf_one(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    n: float,
    t: float,
    x: float,
    t_x: float,
    T: float,
) -> float:
    """P(Y(t) = n | x, t_x, T), exactly: the distribution of mean :func:`exact_conditional_one`.

    Given alive and ``j`` phases done: ``P(Y >= i) = c_i P(M_j >= ki - j)`` with ``c_i = B(a,
    b'+i-1)/B(a, b')``, so ``P(Y = n) = c_n P(kn-j <= M_j < k(n+1)-j) + c_n a/(a+b'+n-1)
    P(M_j >= k(n+1)-j)`` (``n >= 1``) and ``P(M_j < k-j)`` for ``n = 0``; a customer who
    dropped out buys nothing.
    """
    alive = alive_one(r, alpha, a, b, k, shift, x, t_x, T)
    dead = 1.0 - alive if n == 0.0 else 0.0
    if t <= 0.0:
        return 1.0 if n == 0.0 else 0.0
    R = r + k * x
    beta = alpha + T
    b1 = b + x + shift
    weights = _phase_posterior(R, alpha, k, t_x, T)
    z = t / (beta + t)
    w = beta / (beta + t)
    log_w = -math.log1p(t / beta)
    log_z = math.log(t) - math.log(beta + t)
    log_c = log_beta(a, b1 + n - 1.0) - log_beta(a, b1) if n > 0.0 else 0.0
    total = 0.0
    for j in range(int(k)):
        if weights[j] <= 0.0:
            continue
        shape = R + float(j)
        lo = k * n - float(j)  # M_j >= lo for the n-th purchase (n >= 1)
        hi = k * (n + 1.0) - float(j)
        inside = 0.0
        for m in range(max(0, int(lo)) if n > 0.0 else 0, int(hi)):
            inside += math.exp(log_nbd_pmf(shape, float(m), log_z, log_w))
        value = inside
        if n > 0.0:
            tail = math.exp(log_nbd_tail(shape, hi, z, w))
            value = math.exp(log_c) * (inside + a / (a + b1 + n - 1.0) * tail)
        total += weights[j] * value
    return alive * min(1.0, total) + dead


# ------------------------------------------------------------------ element-wise wrappers


@jit
def _alive_block(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    for i in range(lo, hi):
        out[i] = alive_one(r, alpha, a, b, k, shift, x[i], t_x[i], T[i])


@jit
def _conditional_block(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    t: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    for i in range(lo, hi):
        out[i] = conditional_one(r, alpha, a, b, k, shift, t[i], x[i], t_x[i], T[i])


@jit
def _discounted_block(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    delta: float,
    horizon: float,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    for i in range(lo, hi):
        out[i] = discounted_one(r, alpha, a, b, k, shift, delta, horizon, x[i], t_x[i], T[i])


@jit
def _exact_conditional_block(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    t: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    for i in range(lo, hi):
        out[i] = exact_conditional_one(r, alpha, a, b, k, shift, t[i], x[i], t_x[i], T[i])


@jit
def _conditional_pmf_block(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    n: _Floats,
    t: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    for i in range(lo, hi):
        out[i] = conditional_pmf_one(r, alpha, a, b, k, shift, n[i], t[i], x[i], t_x[i], T[i])


@jit
def _pmf_block(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    n: _Floats,
    t: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    for i in range(lo, hi):
        out[i] = pmf_one(r, alpha, a, b, k, shift, n[i], t[i])


@jit
def _unconditional_block(
    r: float,
    alpha: float,
    a: float,
    b: float,
    k: float,
    shift: float,
    t: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    for i in range(lo, hi):
        out[i] = unconditional_one(r, alpha, a, b, k, shift, t[i])


def _run(
    kernel: Any, head: tuple[float, ...], columns: tuple[_Floats, ...], parallel: bool
) -> _Floats:
    scalars = tuple(float(v) for v in head)
    arrays = tuple(frozen(c) for c in columns)
    n = arrays[0].shape[0]
    out = np.empty(n)

    def block(lo: int, hi: int) -> Any:
        return kernel(*scalars, *arrays, out, lo, hi)

    over_range(block, n, parallel)
    return out


def p_alive(
    params: tuple[float, ...],
    k: int,
    shift: float,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    *,
    parallel: bool = False,
) -> _Floats:
    """P(alive) per customer; see :func:`alive_one`."""
    return _run(_alive_block, (*params, k, shift), (x, t_x, T), parallel)


def conditional(
    params: tuple[float, ...],
    k: int,
    shift: float,
    t: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    *,
    parallel: bool = False,
) -> _Floats:
    """Conditional expected purchases per customer; see :func:`conditional_one`."""
    return _run(_conditional_block, (*params, k, shift), (t, x, t_x, T), parallel)


def discounted(
    params: tuple[float, ...],
    k: int,
    shift: float,
    delta: float,
    horizon: float,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    *,
    parallel: bool = False,
) -> _Floats:
    """Discounted expected residual purchases per customer; see :func:`discounted_one`."""
    head = (*params, k, shift, delta, horizon)
    return _run(_discounted_block, head, (x, t_x, T), parallel)


def pmf(
    params: tuple[float, ...],
    k: int,
    shift: float,
    n: _Floats,
    t: _Floats,
    *,
    parallel: bool = False,
) -> _Floats:
    """P(X(t) = n) element-wise; see :func:`pmf_one`."""
    return _run(_pmf_block, (*params, k, shift), (n, t), parallel)


def unconditional(
    params: tuple[float, ...], k: int, shift: float, t: _Floats, *, parallel: bool = False
) -> _Floats:
    """E[X(t)] element-wise (each distinct ``t`` computed once); see :func:`unconditional_one`."""
    distinct, inverse = np.unique(np.asarray(t, dtype=np.float64), return_inverse=True)
    values = _run(_unconditional_block, (*params, k, shift), (distinct,), parallel)
    return np.asarray(values[inverse.reshape(-1)], dtype=np.float64)


def exact_conditional(
    params: tuple[float, ...],
    k: int,
    shift: float,
    t: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    *,
    parallel: bool = False,
) -> _Floats:
    """Exact conditional expected purchases per customer; see :func:`exact_conditional_one`."""
    return _run(_exact_conditional_block, (*params, k, shift), (t, x, t_x, T), parallel)


def conditional_pmf(
    params: tuple[float, ...],
    k: int,
    shift: float,
    n: _Floats,
    t: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    *,
    parallel: bool = False,
) -> _Floats:
    """P(Y(t) = n | history) per customer; see :func:`conditional_pmf_one`."""
    return _run(_conditional_pmf_block, (*params, k, shift), (n, t, x, t_x, T), parallel)


def warm_up() -> None:
    """Compile (or load) every kernel once, on two customers, through the wrappers above."""
    params = (0.5, 2.0, 0.3, 0.6)
    x, t_x, T = np.array([0.0, 3.0]), np.array([0.0, 12.0]), np.array([14.0, 14.0])
    t, n = np.array([10.0, 10.0]), np.array([0.0, 2.0])
    loglik(np.array(params), 2, x, t_x, T, np.array([0.0, 3.0]), np.ones(2), shift=0.0)
    p_alive(params, 2, 0.0, x, t_x, T)
    conditional(params, 2, 0.0, t, x, t_x, T)
    discounted(params, 2, 0.0, 0.002, math.inf, x, t_x, T)
    pmf(params, 2, 0.0, n, t)
    unconditional(params, 2, 0.0, t)
    exact_conditional(params, 2, 0.0, t, x, t_x, T)
    conditional_pmf(params, 2, 0.0, n, t, x, t_x, T)
