"""Arbitrary-precision (mpmath) references for the GGom/NBD kernels.

Plain Python with 50 significant digits, written from the formulas of Bemmaor & Glady (2012),
"Modeling Purchasing Behavior with Sudden 'Death': A Flexible Customer Lifetime Model",
*Management Science* 58(5), 1012–1021, in the variables of the paper (not the kernels'):

* the likelihood ``L1 + L2`` with the integral of ``L2`` by ``mpmath.quad`` in ``τ`` (the kernel
  integrates in ``log(α + τ)`` with adaptive Gauss–Kronrod);
* P(alive) ``= L1 / L``;
* the conditional expectation in the Gauss hypergeometric form that CLVTools evaluates
  (``src/ggomnbd.cpp``, with the correction of Adler 2022): ``(r + x)/(α + T) · P(alive) ·
  [₂F₁(1, s; s+1; z₁) − ((β−1+e^(bT)) / (β−1+e^(b(T+t))))^s ₂F₁(1, s; s+1; z₂)] / (b s)``,
  ``z₁ = (β − 1)/(β − 1 + e^(bT))``, ``z₂ = (β − 1)/(β − 1 + e^(b(T+t)))`` (the kernel integrates
  the residual survival instead);
* the new-customer PMF by quadrature over the lifetime density.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath as mp
import numpy as np

DIGITS = 50


def _mpf(*values: float) -> list[Any]:
    return [mp.mpf(v) for v in values]


def _parts(r, alpha, b, s, beta, x, t_x, T):
    """(log L1, log L2) with 50 digits (log L2 = -inf when t_x = T)."""
    r, alpha, b, s, beta, x, t_x, T = _mpf(r, alpha, b, s, beta, x, t_x, T)
    head = mp.loggamma(r + x) - mp.loggamma(r)
    d_t = beta + mp.expm1(b * T)
    log_l1 = head + r * mp.log(alpha) - (r + x) * mp.log(alpha + T) + s * mp.log(beta / d_t)
    if t_x == T:
        return log_l1, mp.ninf

    def integrand(tau):
        return (
            mp.exp(b * tau) * (alpha + tau) ** (-(r + x)) * (beta + mp.expm1(b * tau)) ** (-(s + 1))
        )

    # break points equally spaced in log(α + τ), where (α + τ)^(−(r+x)) decays evenly (mpmath's
    # default tanh-sinh rule misjudges its error on steep integrands: Gauss–Legendre instead),
    # merged with equal steps of at most 0.25 / b, over which e^(bτ) changes by e^0.25
    ratio = (alpha + T) / (alpha + t_x)
    points = {(alpha + t_x) * ratio ** (mp.mpf(k) / 128) - alpha for k in range(1, 128)}
    steps = min(4000, max(1, math.ceil(float(b * (T - t_x)) / 0.25)))
    points |= {t_x + (T - t_x) * mp.mpf(k) / steps for k in range(1, steps)}
    integral = mp.quad(integrand, [t_x, *sorted(points), T], method="gauss-legendre")
    log_l2 = head + mp.log(b) + mp.log(s) + r * mp.log(alpha) + s * mp.log(beta) + mp.log(integral)
    return log_l1, log_l2


def log_likelihood(r, alpha, b, s, beta, x, t_x, T):
    """log L(r, α, b, s, β | x, t_x, T)."""
    with mp.workdps(DIGITS):
        log_l1, log_l2 = _parts(r, alpha, b, s, beta, x, t_x, T)
        if log_l2 == mp.ninf:
            return float(log_l1)
        top = max(log_l1, log_l2)
        return float(top + mp.log(mp.exp(log_l1 - top) + mp.exp(log_l2 - top)))


def probability_alive(r, alpha, b, s, beta, x, t_x, T):
    """P(alive | x, t_x, T) = L1 / (L1 + L2)."""
    with mp.workdps(DIGITS):
        log_l1, log_l2 = _parts(r, alpha, b, s, beta, x, t_x, T)
        if log_l2 == mp.ninf:
            return 1.0
        return float(1 / (1 + mp.exp(log_l2 - log_l1)))


def _hyp(s, z):
    return mp.hyp2f1(1, s, s + 1, z, maxprec=100 * mp.mp.prec, maxterms=10**6)


def conditional_expected(r, alpha, b, s, beta, x, t_x, T, t):
    """E[X(T, T + t) | x, t_x, T] in the hypergeometric form CLVTools evaluates."""
    alive = mp.mpf(probability_alive(r, alpha, b, s, beta, x, t_x, T))
    with mp.workdps(DIGITS):
        r, alpha, b, s, beta, x, T, t = _mpf(r, alpha, b, s, beta, x, T, t)
        k = beta - 1
        d1 = k + mp.exp(b * T)
        d2 = k + mp.exp(b * (T + t))
        upper = _hyp(s, k / d1) - (d1 / d2) ** s * _hyp(s, k / d2)
        return float((r + x) / (alpha + T) * alive * upper / (b * s))


def expected_new(r, alpha, b, s, beta, t):
    """E[X(t)] of a new customer: (r/α) ∫_0^t S(u) du by mpmath.quad."""
    with mp.workdps(DIGITS):
        r, alpha, b, s, beta, t = _mpf(r, alpha, b, s, beta, t)
        if t == 0:
            return 0.0
        integral = mp.quad(lambda u: (beta / (beta + mp.expm1(b * u))) ** s, [0, t / 4, t / 2, t])
        return float(r / alpha * integral)


def discounted_expected(r, alpha, b, s, beta, x, t_x, T, delta, horizon):
    """P(alive) (r+x)/(α+T) ∫_0^h e^(−δu) S(T+u)/S(T) du by mpmath.quad."""
    alive = mp.mpf(probability_alive(r, alpha, b, s, beta, x, t_x, T))
    with mp.workdps(DIGITS):
        r, alpha, b, s, beta, x, T, delta = _mpf(r, alpha, b, s, beta, x, T, delta)
        d_t = beta + mp.expm1(b * T)

        def integrand(u):
            return mp.exp(-delta * u) * (d_t / (beta + mp.expm1(b * (T + u)))) ** s

        end = mp.inf if horizon == math.inf else mp.mpf(horizon)
        points = [0, 1, 10, 100, 1000, end] if end == mp.inf else [0, end / 4, end / 2, end]
        return float(alive * (r + x) / (alpha + T) * mp.quad(integrand, points))


def pmf(r, alpha, b, s, beta, n, t):
    """P(X(t) = n) of a new customer, averaging the NBD over the lifetime density."""
    with mp.workdps(DIGITS):
        r, alpha, b, s, beta, n, t = _mpf(r, alpha, b, s, beta, n, t)

        def nbd(tau):
            return mp.exp(
                mp.loggamma(r + n)
                - mp.loggamma(r)
                - mp.loggamma(n + 1)
                + r * mp.log(alpha / (alpha + tau))
                + (n * mp.log(tau / (alpha + tau)) if n > 0 else 0)
            )

        def density(tau):
            e = mp.exp(b * tau)
            return b * s * beta**s * e * (beta + e - 1) ** (-(s + 1))

        alive = (beta / (beta + mp.expm1(b * t))) ** s
        dead = mp.quad(lambda tau: nbd(tau) * density(tau), [0, t / 4, t / 2, t])
        return float(nbd(t) * alive + dead)


def loglik_python(r, alpha, b, s, beta, x, t_x, T, weights):
    """Weighted log-likelihood, one mpmath evaluation per row (plain loops)."""
    return math.fsum(
        w * log_likelihood(r, alpha, b, s, beta, xi, ti, Ti)
        for xi, ti, Ti, w in zip(
            x.tolist(), t_x.tolist(), T.tolist(), weights.tolist(), strict=True
        )
    )


def _kernels() -> dict[str, dict[str, object]]:
    from ecomstrat._kernels import ggomnbd

    def numba_loglik(r, alpha, b, s, beta, x, t_x, T, weights):
        ones = np.ones(len(x))
        terms = ggomnbd.loglik_terms(r, b, s, alpha * ones, beta * ones, x, t_x, T)
        return float(np.sum(weights * terms[:, 0]))

    numba_loglik.kernel_module = "ecomstrat._kernels.ggomnbd"  # type: ignore[attr-defined]
    return {"ggomnbd_loglik": {"numba": numba_loglik, "python": loglik_python}}


#: kernel -> implementation name -> callable (to merge into ``tests.reference.COMPARISONS``).
COMPARISONS = _kernels()
