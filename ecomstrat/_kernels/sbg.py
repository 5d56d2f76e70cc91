"""Shifted-beta-geometric (sBG) kernels: log-likelihood with gradient, survival, DERL.

A customer churns at the end of period ``t`` (``T = t``, ``t = 1, 2, …``) with probability
``θ (1 − θ)^(t − 1)`` and ``θ ~ Beta(α, β)``, so

* ``S(t) = P(T > t) = B(α, β + t) / B(α, β)`` and
* ``P(T = t) = B(α + 1, β + t − 1) / B(α, β)``.

The BG/BB dropout process is the same distribution, so the BG/BB kernels reuse
:func:`survival_sum` and :func:`log_discounted_survival`.
"""

from __future__ import annotations

import math
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, jit
from ecomstrat._kernels.bgnbd import log_hyp2f1_pos
from ecomstrat._kernels.special import digamma, log_beta

_Floats: TypeAlias = NDArray[np.float64]

#: Stirling-series coefficients B_2k / (2k (2k − 1)), k = 1..7, of log Γ.
_S1 = 1.0 / 12.0
_S2 = -1.0 / 360.0
_S3 = 1.0 / 1260.0
_S4 = -1.0 / 1680.0
_S5 = 1.0 / 1188.0
_S6 = -691.0 / 360360.0
_S7 = 1.0 / 156.0

#: :func:`log_discounted_survival` recomputes a term exactly every this many terms.
_RESYNC = 256

#: Below this discount rate :func:`log_discounted_survival` would need more than 370,000 series
#: terms: ₂F₁ is continued towards ``z = 1`` instead.
_SERIES_MIN_RATE = 1e-4

#: :func:`survival_sum` adds up to this many logarithms directly instead of differencing.
_DIRECT_SUM_MAX = 64


@jit
def lgamma_shift(x: float, eps: float) -> float:
    """``log Γ(x + eps) − log Γ(x)`` with small relative error even when ``eps`` is tiny.

    Needs ``x > 0`` and ``x + eps > 0``. The recurrence ``Γ(y + 1) = y Γ(y)`` moves both
    arguments above 10, where the difference of the Stirling series is formed term by term
    from ``log1p(eps / y)``, so nothing of size ``log Γ(x)`` is ever subtracted.
    """
    total = 0.0
    y = x
    while y < 10.0 or y + eps < 10.0:
        total -= math.log1p(eps / y)
        y += 1.0
    u = math.log1p(eps / y)  # log((y + eps) / y)
    total += (y - 0.5) * u + eps * math.log(y + eps) - eps
    # Σ c_k ((y + eps)^(1-2k) − y^(1-2k)), each as y^(1-2k) · expm1(−(2k − 1) u)
    inv = 1.0 / y
    inv2 = inv * inv
    power = inv
    for k, c in enumerate((_S1, _S2, _S3, _S4, _S5, _S6, _S7)):
        total += c * power * math.expm1(-(2 * k + 1) * u)
        power *= inv2
    return total


@jit
def log_survival(alpha: float, beta: float, t: float) -> float:
    """``log S(t) = log B(α, β + t) − log B(α, β)``."""
    return log_beta(alpha, beta + t) - log_beta(alpha, beta)


@jit
def log_churn(alpha: float, beta: float, t: float) -> float:
    """``log P(T = t) = log B(α + 1, β + t − 1) − log B(α, β)`` for ``t >= 1``."""
    return log_beta(alpha + 1.0, beta + t - 1.0) - log_beta(alpha, beta)


@jit
def survival_sum(alpha: float, beta: float, horizon: float) -> float:
    """``Σ_{i=1}^{horizon} S(i)``: expected periods survived in the next ``horizon`` periods.

    Closed form (telescoping ``(α − 1) Γ(a) / Γ(a + α) = Γ(a) / Γ(a + α − 1) − Γ(a + 1) /
    Γ(a + α)``)::

        β / (α − 1) · [1 − Γ(β + horizon + 1) Γ(α + β) / (Γ(α + β + horizon) Γ(β + 1))]

    evaluated through :func:`lgamma_shift` so that ``α`` near 1 loses no accuracy; at
    ``α = 1`` it is the limit ``β (ψ(β + horizon + 1) − ψ(β + 1))``.
    """
    if horizon <= 0.0:
        return 0.0
    eps = alpha - 1.0
    if eps == 0.0:
        return beta * (digamma(beta + horizon + 1.0) - digamma(beta + 1.0))
    # Δ = log Γ(β + h + α) − log Γ(β + h + 1) − log Γ(β + α) + log Γ(β + 1)
    #   = Σ_{j=1}^{h} log1p(ε / (β + j)), summed directly for short horizons (no cancellation)
    if horizon <= _DIRECT_SUM_MAX:
        delta = 0.0
        for j in range(1, int(horizon) + 1):
            delta += math.log1p(eps / (beta + j))
    else:
        delta = lgamma_shift(beta + horizon + 1.0, eps) - lgamma_shift(beta + 1.0, eps)
    return beta * -math.expm1(-delta) / eps


@jit
def log_discounted_survival(alpha: float, beta: float, discount_rate: float) -> float:
    """``log Σ_{k>=0} S(k) / (1 + d)^k = log ₂F₁(1, β; α + β; 1 / (1 + d))`` for ``d > 0``.

    The terms ``z^k (β)_k / (α + β)_k`` are positive and each is at most ``z`` times the one
    before (``z = 1 / (1 + d)``), so after term ``k`` the rest is at most ``term · z / (1 − z)
    = term / d``; the sum stops when that bound falls below 1e-17 of the total. It takes about
    ``37 / d`` terms and cannot overflow (the sum is below ``(1 + d) / d``). The terms come
    from the ratio recurrence, re-anchored every :data:`_RESYNC` terms on the exact
    ``log term_k = −k log(1 + d) − [log Γ(β + k + α) − log Γ(β + k)] + [log Γ(β + α) −
    log Γ(β)]`` so rounding does not drift, and are added with Neumaier's compensated sum.
    Below :data:`_SERIES_MIN_RATE`, ₂F₁ comes from
    :func:`~ecomstrat._kernels.bgnbd.log_hyp2f1_pos` (``O(log(1 / d))`` work).
    """
    if discount_rate < _SERIES_MIN_RATE:
        w = discount_rate / (1.0 + discount_rate)
        return log_hyp2f1_pos(1.0, beta, alpha + beta, 1.0 / (1.0 + discount_rate), w)
    z = 1.0 / (1.0 + discount_rate)
    log_z = -math.log1p(discount_rate)
    anchor = lgamma_shift(beta, alpha)
    total = 1.0
    compensation = 0.0
    term = 1.0
    k = 0
    while term > 1e-17 * discount_rate * (total + compensation):
        term *= z * (beta + k) / (alpha + beta + k)
        k += 1
        if k % _RESYNC == 0:
            term = math.exp(k * log_z - lgamma_shift(beta + k, alpha) + anchor)
        updated = total + term
        if total >= term:
            compensation += (total - updated) + term
        else:
            compensation += (term - updated) + total
        total = updated
    return math.log(total + compensation)


@jit
def _loglik_terms(
    alpha: float, beta: float, periods: _Floats, churned: _Floats
) -> tuple[_Floats, _Floats]:
    """Log-likelihood of each lifetime pattern and its gradient with respect to (α, β).

    Parameters
    ----------
    alpha, beta : float
        sBG parameters (> 0).
    periods : float64[m]
        ``t``: the period in which the customer churned, or the number of periods survived
        when censored (``t >= 1`` for churn, ``t >= 0`` when censored).
    churned : float64[m]
        1.0 when the customer churned in period ``t`` (``log P(T = t)``), 0.0 when still
        active after ``t`` periods (``log S(t)``).

    Returns
    -------
    loglik : float64[m]
        Log-likelihood of one customer with each pattern.
    gradient : float64[m, 2]
        Its derivatives with respect to α and β.
    """
    m = periods.shape[0]
    loglik = np.empty(m)
    gradient = np.empty((m, 2))
    psi_ab = digamma(alpha + beta)
    psi_b = digamma(beta)
    for j in range(m):
        t = periods[j]
        psi_abt = digamma(alpha + beta + t)
        if churned[j] != 0.0:
            loglik[j] = log_churn(alpha, beta, t)
            gradient[j, 0] = 1.0 / alpha - psi_abt + psi_ab  # ψ(α + 1) − ψ(α) = 1 / α
            gradient[j, 1] = digamma(beta + t - 1.0) - psi_abt - psi_b + psi_ab
        else:
            loglik[j] = log_survival(alpha, beta, t)
            gradient[j, 0] = psi_ab - psi_abt
            gradient[j, 1] = digamma(beta + t) - psi_abt - psi_b + psi_ab
    return loglik, gradient


@jit
def _probabilities(alpha: float, beta: float, periods: _Floats, churn: bool) -> _Floats:
    """``P(T = t)`` (``churn``) or ``S(t)`` for each ``t``."""
    out = np.empty(periods.shape[0])
    for j in range(periods.shape[0]):
        t = periods[j]
        out[j] = math.exp(log_churn(alpha, beta, t) if churn else log_survival(alpha, beta, t))
    return out


@jit
def _derl(alpha: float, beta: float, survived: _Floats, discount_rate: float) -> _Floats:
    """Discounted expected residual lifetime after ``s`` periods survived (``s`` renewals).

    ``DERL = (β + s) / (α + β + s) · ₂F₁(1, β + s + 1; α + β + s + 1; 1 / (1 + d))``
    (Fader & Hardie 2010, with ``n − 1 = s`` renewals made).
    """
    out = np.empty(survived.shape[0])
    for j in range(survived.shape[0]):
        s = survived[j]
        log_series = log_discounted_survival(alpha, beta + s + 1.0, discount_rate)
        out[j] = (beta + s) / (alpha + beta + s) * math.exp(log_series)
    return out


def sbg_loglik_terms(
    alpha: float, beta: float, periods: _Floats, churned: _Floats
) -> tuple[_Floats, _Floats]:
    """Log-likelihood of each lifetime pattern and its gradient; see :func:`_loglik_terms`."""
    return _loglik_terms(float(alpha), float(beta), frozen(periods), frozen(churned))


def sbg_survival(alpha: float, beta: float, periods: _Floats) -> _Floats:
    """``S(t)`` for each ``t``."""
    return _probabilities(float(alpha), float(beta), frozen(periods), False)


def sbg_churn_probability(alpha: float, beta: float, periods: _Floats) -> _Floats:
    """``P(T = t)`` for each ``t >= 1``."""
    return _probabilities(float(alpha), float(beta), frozen(periods), True)


def sbg_derl(alpha: float, beta: float, survived: _Floats, discount_rate: float) -> _Floats:
    """Discounted expected residual lifetime after ``s`` periods survived; see :func:`_derl`."""
    return _derl(float(alpha), float(beta), frozen(survived), float(discount_rate))


def warm_up() -> None:
    """Compile (or load from the cache) every kernel of this module on tiny inputs."""
    one = np.ones(1)
    sbg_loglik_terms(1.0, 1.0, one, one)
    sbg_survival(1.0, 1.0, one)
    sbg_churn_probability(1.0, 1.0, one)
    sbg_derl(1.0, 1.0, one, 0.1)
