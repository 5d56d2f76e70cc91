"""Arbitrary-precision (mpmath) references for the Pareto/NBD kernels.

Each function is plain Python evaluated with 50 significant digits from the *closed forms* of
the literature, not from the representations the kernels use, so agreement checks both the
algebra and the numerics:

* the likelihood from the Gauss hypergeometric form of Fader, Hardie & Lee (2005), "A Note on
  Implementing the Pareto/NBD Model in MATLAB", eqs. (18)–(20) (``mpmath.hyp2f1`` is exact
  near ``z = 1`` and the difference ``A0`` is formed with 50 digits, so it cannot cancel);
* P(alive) from Schmittlein, Morrison & Colombo (1987) / Fader & Hardie (2005) eq. (36);
* the conditional expectation from Fader & Hardie (2005) eq. (41);
* DERT from Fader, Hardie & Lee (2005, JMR 42(4)) with ``mpmath.hyperu``;
* the new-customer PMF by 50-digit quadrature of its lifetime integral in ``τ`` (the kernel
  integrates in ``log τ``), and its second factorial moment by a separate route.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath as mp
import numpy as np

DIGITS = 50


def _mpf(*values: float) -> list[Any]:
    return [mp.mpf(v) for v in values]


def log_likelihood(r, alpha, s, beta, x, t_x, T):
    """log L(r, α, s, β | x, t_x, T) with 50 digits (FHL 2005, eqs. 18–20)."""
    with mp.workdps(DIGITS):
        r, alpha, s, beta, x, t_x, T = _mpf(r, alpha, s, beta, x, t_x, T)
        log_b, log_a0 = _log_b_and_a0(r, alpha, s, beta, x, t_x, T)
        n = r + s + x
        head = mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(alpha) + s * mp.log(beta)
        if log_a0 is None:
            return float(head + log_b)
        return float(head + _log_add(log_b, mp.log(s) - mp.log(n) + log_a0))


def probability_alive(r, alpha, s, beta, x, t_x, T):
    """P(alive | x, t_x, T) = B / (B + s/(r+s+x) A0)."""
    with mp.workdps(DIGITS):
        r, alpha, s, beta, x, t_x, T = _mpf(r, alpha, s, beta, x, t_x, T)
        log_b, log_a0 = _log_b_and_a0(r, alpha, s, beta, x, t_x, T)
        if log_a0 is None:
            return 1.0
        n = r + s + x
        return float(1 / (1 + mp.exp(mp.log(s) - mp.log(n) + log_a0 - log_b)))


def conditional_expected(r, alpha, s, beta, x, t_x, T, t):
    """E[X(T, T + t) | x, t_x, T] (FHL 2005, eq. 41), continuous at s = 1."""
    alive = mp.mpf(probability_alive(r, alpha, s, beta, x, t_x, T))
    with mp.workdps(DIGITS):
        r, alpha, s, beta, x, T, t = _mpf(r, alpha, s, beta, x, T, t)
        bt = beta + T
        if s == 1:
            tail = bt * mp.log(1 + t / bt)
        else:
            tail = bt / (s - 1) * (1 - (bt / (bt + t)) ** (s - 1))
        return float(alive * (r + x) / (alpha + T) * tail)


def discounted_expected(r, alpha, s, beta, x, t_x, T, horizon, delta):
    """P(alive) (r+x)/(α+T) ∫_0^h e^(−δt) ((β+T)/(β+T+t))^s dt, the integral by mpmath.quad."""
    alive = mp.mpf(probability_alive(r, alpha, s, beta, x, t_x, T))
    with mp.workdps(DIGITS):
        r, alpha, s, beta, x, T, horizon, delta = _mpf(r, alpha, s, beta, x, T, horizon, delta)
        bt = beta + T
        points = [0, *(p for p in (bt, 10 * bt, 1 / delta if delta else 0) if 0 < p < horizon)]
        integral = mp.quad(
            lambda t: mp.exp(-delta * t) * (bt / (bt + t)) ** s, [*sorted(points), horizon]
        )
        return float(alive * (r + x) / (alpha + T) * integral)


def expected_new(r, alpha, s, beta, t):
    """E[X(t)] for a new customer (FHL 2005, eq. 27)."""
    with mp.workdps(DIGITS):
        r, alpha, s, beta, t = _mpf(r, alpha, s, beta, t)
        if s == 1:
            return float(r * beta / alpha * mp.log(1 + t / beta))
        return float(r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1)))


def dert(r, alpha, s, beta, delta, x, t_x, T):
    """DERT = α^r β^s δ^(s−1) Γ(r+x+1) U(s, s; δ(β+T)) / (Γ(r) (α+T)^(r+x+1) L)."""
    log_l = log_likelihood(r, alpha, s, beta, x, t_x, T)
    with mp.workdps(DIGITS):
        r, alpha, s, beta, delta, x, T = _mpf(r, alpha, s, beta, delta, x, T)
        value = (
            r * mp.log(alpha)
            + s * mp.log(beta)
            + (s - 1) * mp.log(delta)
            + mp.loggamma(r + x + 1)
            + mp.log(mp.hyperu(s, s, delta * (beta + T)))
            - mp.loggamma(r)
            - (r + x + 1) * mp.log(alpha + T)
            - mp.mpf(log_l)
        )
        return float(mp.exp(value))


def pmf_new(r, alpha, s, beta, n, t):
    """P(X(t) = n) for a new customer; the lifetime integral by 50-digit ``mpmath.quad``.

    The integrand is divided by its largest value on a geometric grid first: ``mpmath.quad``
    stops on an *absolute* error estimate, which for an integrand of size 1e-41 would leave it
    wrong in the 7th digit. The grid points (from ``t·1e-15`` to ``t``) also serve as panel
    ends, so features at the scale of ``α`` or ``β`` are resolved whatever ``t``.
    """
    with mp.workdps(DIGITS):
        r, alpha, s, beta, n, t = _mpf(r, alpha, s, beta, n, t)
        head = mp.loggamma(r + n) - mp.loggamma(r) - mp.loggamma(n + 1)
        alive = mp.exp(
            head
            + r * mp.log(alpha / (alpha + t))
            + n * mp.log(t / (alpha + t))
            + s * mp.log(beta / (beta + t))
        )

        def log_integrand(tau):
            return n * mp.log(tau) - (r + n) * mp.log(alpha + tau) - (s + 1) * mp.log(beta + tau)

        grid = [t * mp.mpf(10) ** (-15 * (1 - mp.mpf(i) / 30)) for i in range(31)]
        top = max(log_integrand(tau) for tau in grid)
        # (the quadrature nodes are interior: the integrand is never evaluated at τ = 0)
        scaled = mp.quad(lambda tau: mp.exp(log_integrand(tau) - top), [mp.mpf(0), *grid])
        log_died = mp.log(s) + head + r * mp.log(alpha) + s * mp.log(beta) + top + mp.log(scaled)
        return float(alive + mp.exp(log_died))


def conditional_pmf(r, alpha, s, beta, n, t, x, t_x, T):
    """P(X(T, T + t) = n | x, t_x, T): P(alive) P_new(n, t; r+x, α+T, s, β+T) + δ_{n=0} P(dead).

    Arrays in, one value per row, each ingredient by mpmath (:func:`probability_alive`,
    :func:`pmf_new`).
    """
    out = []
    for ni, ti, xi, txi, Ti in zip(n, t, x, t_x, T, strict=True):
        alive = probability_alive(r, alpha, s, beta, xi, txi, Ti)
        future = pmf_new(r + xi, alpha + Ti, s, beta + Ti, ni, ti) if ti > 0 else float(ni == 0)
        out.append(alive * future + (1.0 - alive if ni == 0 else 0.0))
    return np.array(out)


def second_factorial_moment_new(r, alpha, s, beta, t):
    """E[X(t)(X(t) − 1)] = E[λ²] E[A²] for the active time A = min(τ, t).

    Given λ and A, X is Poisson(λA), so E[X(X−1) | λ, A] = λ² A²; E[λ²] = r(r+1)/α² and
    E[A²] = ∫_0^t 2a P(τ > a) da with P(τ > a) = (β/(β+a))^s after mixing over μ.
    """
    with mp.workdps(DIGITS):
        r, alpha, s, beta, t = _mpf(r, alpha, s, beta, t)
        area = mp.quad(lambda a: 2 * a * (beta / (beta + a)) ** s, mp.linspace(0, t, 17))
        return float(r * (r + 1) / alpha**2 * area)


def gradient(r, alpha, s, beta, x, t_x, T):
    """∂ log L / ∂(r, α, s, β) by high-precision numerical differentiation (``mpmath.diff``)."""
    out = []
    with mp.workdps(DIGITS):
        values = _mpf(r, alpha, s, beta)
        for j in range(4):

            def f(v, j=j):
                theta = list(values)
                theta[j] = v
                return _log_likelihood_mp(*theta, *_mpf(x, t_x, T))

            out.append(float(mp.diff(f, values[j])))
    return np.array(out)


def _log_likelihood_mp(r, alpha, s, beta, x, t_x, T):
    log_b, log_a0 = _log_b_and_a0(r, alpha, s, beta, x, t_x, T)
    n = r + s + x
    head = mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(alpha) + s * mp.log(beta)
    if log_a0 is None:
        return head + log_b
    return head + _log_add(log_b, mp.log(s) - mp.log(n) + log_a0)


def _log_b_and_a0(r, alpha, s, beta, x, t_x, T):
    """log B = −(r+x) log(α+T) − s log(β+T) and log A0 (None when t_x = T)."""
    log_b = -(r + x) * mp.log(alpha + T) - s * mp.log(beta + T)
    if t_x == T:
        return log_b, None
    n = r + s + x
    if alpha >= beta:
        b, big, gap = s + 1, alpha, alpha - beta
    else:
        b, big, gap = r + x, beta, beta - alpha
    first = mp.log(_hyp2f1(n, b, n + 1, gap / (big + t_x))) - n * mp.log(big + t_x)
    second = mp.log(_hyp2f1(n, b, n + 1, gap / (big + T))) - n * mp.log(big + T)
    log_a0 = first + mp.log(-mp.expm1(second - first))
    return log_b, log_a0


def _hyp2f1(a, b, c, z):
    """mpmath's 2F1, allowed the working precision and terms that extreme arguments need.

    With its defaults, mpmath (1.4) gives up near ``z = 1`` with ``c - a - b`` tiny and
    ``a`` in the thousands ("hypercomb() failed to converge to the requested 53 bits").
    """
    return mp.hyp2f1(a, b, c, z, maxprec=100 * mp.mp.prec, maxterms=10**6)


def _log_add(a, b):
    top = max(a, b)
    return top + mp.log(mp.exp(a - top) + mp.exp(b - top))


def loglik_python(r, alpha, s, beta, x, t_x, T, weights):
    """Weighted log-likelihood over patterns, one mpmath evaluation per row (plain loops)."""
    return math.fsum(
        w * log_likelihood(r, alpha, s, beta, xi, ti, Ti)
        for xi, ti, Ti, w in zip(
            x.tolist(), t_x.tolist(), T.tolist(), weights.tolist(), strict=True
        )
    )


def loglik_lifetimes(r, alpha, s, beta, x, t_x, T, weights):
    """The same sum from the peer implementation (lifetimes, scipy's hyp2f1)."""
    from lifetimes import ParetoNBDFitter

    terms = ParetoNBDFitter._conditional_log_likelihood((r, alpha, s, beta), x, t_x, T)
    return float(np.sum(weights * terms))


def _kernels() -> dict[str, dict[str, object]]:
    from ecomstrat.models._data import RFMArrays
    from ecomstrat.models.paretonbd import _Patterns

    def numba_loglik(r, alpha, s, beta, x, t_x, T, weights):
        patterns = _Patterns.build(RFMArrays(x, t_x, T, weights), compress=False)
        return patterns.evaluate(np.array([r, alpha, s, beta]))[0]

    numba_loglik.kernel_module = "ecomstrat._kernels.paretonbd"  # type: ignore[attr-defined]
    from ecomstrat._kernels import paretonbd

    return {
        "paretonbd_loglik": {
            "numba": numba_loglik,
            "python": loglik_python,
            "lifetimes": loglik_lifetimes,
        },
        "paretonbd_conditional_pmf": {
            "numba": paretonbd.conditional_pmf,
            "python": conditional_pmf,
        },
    }


#: kernel -> implementation name -> callable (to merge into ``tests.reference.COMPARISONS``).
COMPARISONS = _kernels()
