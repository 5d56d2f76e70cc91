"""Beta-geometric/beta-Bernoulli (BG/BB) kernels: log-likelihood with gradient, predictions.

A customer with history ``(x, t_x, n)`` — ``x`` purchases in ``n`` discrete opportunities,
the last at opportunity ``t_x`` — has likelihood (Fader, Hardie & Shang 2010, eq. 5)::

    L = B(α + x, β + n − x) / B(α, β) · B(γ, δ + n) / B(γ, δ)
        + Σ_{i=0}^{n − t_x − 1} B(α + x, β + t_x − x + i) / B(α, β)
                                · B(γ + 1, δ + t_x + i) / B(γ, δ)

The first term is "alive through opportunity n", term ``i`` is "died at the start of
opportunity t_x + i + 1". Every quantity is formed in log space; the terms of the sum shrink
with ``i`` (both Beta ratios fall), so they are added relative to the first one.

Every kernel takes the parameters as one tuple ``theta = (α, β, γ, δ)``.
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, jit, over_range
from ecomstrat._kernels.sbg import log_discounted_survival, survival_sum
from ecomstrat._kernels.special import digamma, log_add_exp, log_beta

_Floats: TypeAlias = NDArray[np.float64]
#: ``(α, β, γ, δ)``.
Theta: TypeAlias = tuple[float, float, float, float]


def _theta(theta: Theta) -> Theta:
    """The parameters as four floats (one kernel specialisation whatever the caller passed)."""
    alpha, beta, gamma, delta = theta
    return float(alpha), float(beta), float(gamma), float(delta)


@jit
def log_likelihood_one(theta: Theta, x: float, t_x: float, n: float) -> float:
    """``log L(α, β, γ, δ | x, t_x, n)`` of one customer."""
    alpha, beta, gamma, delta = theta
    base_ab = log_beta(alpha, beta)
    base_gd = log_beta(gamma, delta)
    alive = log_beta(alpha + x, beta + n - x) - base_ab + log_beta(gamma, delta + n) - base_gd
    m = int(n - t_x)
    if m <= 0:
        return alive
    first = log_beta(alpha + x, beta + t_x - x) - base_ab + log_beta(gamma + 1.0, delta + t_x)
    first -= base_gd
    # term_{i+1}/term_i = (β + t_x − x + i)/(α + β + t_x + i) · (δ + t_x + i)/(γ + 1 + δ + t_x + i)
    ratio_sum = 1.0
    term = 1.0
    for i in range(m - 1):
        b = beta + t_x - x + i
        d = delta + t_x + i
        term *= b / (alpha + beta + t_x + i) * d / (gamma + 1.0 + d)
        ratio_sum += term
    return log_add_exp(alive, first + math.log(ratio_sum))


def bgbb_loglik_terms(
    theta: Theta, x: _Floats, t_x: _Floats, n: _Floats
) -> tuple[_Floats, _Floats]:
    """Log-likelihood of each pattern and its gradient with respect to (α, β, γ, δ).

    Parameters
    ----------
    theta : (alpha, beta, gamma, delta)
        BG/BB parameters (> 0).
    x, t_x, n : float64[m]
        Frequency, recency and number of opportunities of each pattern (whole numbers,
        ``0 <= x <= t_x <= n``, ``t_x = 0`` when ``x = 0``).

    Returns
    -------
    loglik : float64[m]
        ``log L`` of one customer with each pattern.
    gradient : float64[m, 4]
        ``∂ log L / ∂(α, β, γ, δ)``: each term's digamma derivative weighted by its share
        of ``L``. The digammas along the sum follow ``ψ(z + 1) = ψ(z) + 1 / z``.
    """
    return _loglik_terms(theta, (x, t_x, n), False)


def bgbb_loglik_terms_parallel(
    theta: Theta, x: _Floats, t_x: _Floats, n: _Floats
) -> tuple[_Floats, _Floats]:
    """:func:`bgbb_loglik_terms` with the patterns split in blocks over the threads."""
    return _loglik_terms(theta, (x, t_x, n), True)


def _loglik_terms(
    theta: Theta, patterns: tuple[_Floats, _Floats, _Floats], parallel: bool
) -> tuple[_Floats, _Floats]:
    params = _theta(theta)
    x, t_x, n = map(frozen, patterns)
    rows = x.shape[0]
    loglik = np.empty(rows)
    gradient = np.empty((rows, 4))

    def block(lo: int, hi: int) -> Any:
        return _loglik_rows(params, x, t_x, n, loglik, gradient, lo, hi)

    over_range(block, rows, parallel)
    return loglik, gradient


@jit
def _loglik_rows(
    theta: Theta,
    x: _Floats,
    t_x: _Floats,
    n: _Floats,
    loglik: _Floats,
    gradient: _Floats,
    lo: int,
    hi: int,
) -> None:
    """Rows ``lo..hi-1`` of :func:`bgbb_loglik_terms`, into ``loglik`` and ``gradient``."""
    alpha, beta, gamma, delta = theta
    base_ab = log_beta(alpha, beta)
    base_gd = log_beta(gamma, delta)
    psi_a = digamma(alpha)
    psi_b = digamma(beta)
    psi_ab = digamma(alpha + beta)
    psi_d = digamma(delta)
    psi_gd = digamma(gamma + delta)
    for j in range(lo, hi):
        xj = x[j]
        tj = t_x[j]
        nj = n[j]
        psi_ax = digamma(alpha + xj)
        # alive through n
        log_alive = log_beta(alpha + xj, beta + nj - xj) - base_ab
        log_alive += log_beta(gamma, delta + nj) - base_gd
        psi_abn = digamma(alpha + beta + nj)
        psi_gdn = digamma(gamma + delta + nj)
        ga = psi_ax - psi_abn - psi_a + psi_ab
        gb = digamma(beta + nj - xj) - psi_abn - psi_b + psi_ab
        gg = psi_gd - psi_gdn
        gd = digamma(delta + nj) - psi_gdn - psi_d + psi_gd
        m = int(nj - tj)
        if m <= 0:
            loglik[j] = log_alive
            gradient[j, 0] = ga
            gradient[j, 1] = gb
            gradient[j, 2] = gg
            gradient[j, 3] = gd
            continue
        # died at the start of opportunity t_x + i + 1, i = 0..m-1, relative to i = 0
        log_first = log_beta(alpha + xj, beta + tj - xj) - base_ab
        log_first += log_beta(gamma + 1.0, delta + tj) - base_gd
        b = beta + tj - xj
        ab = alpha + beta + tj
        d = delta + tj
        g1d = gamma + 1.0 + d
        psi_bi = digamma(b)
        psi_abi = digamma(ab)
        psi_di = digamma(d)
        psi_g1di = digamma(g1d)
        term = 1.0
        total = 0.0
        sa = 0.0
        sb = 0.0
        sg = 0.0
        sd = 0.0
        for _ in range(m):
            total += term
            sa += term * (psi_ax - psi_abi)
            sb += term * (psi_bi - psi_abi)
            sg += term * -psi_g1di
            sd += term * (psi_di - psi_g1di)
            term *= b / ab * d / g1d
            psi_bi += 1.0 / b
            psi_abi += 1.0 / ab
            psi_di += 1.0 / d
            psi_g1di += 1.0 / g1d
            b += 1.0
            ab += 1.0
            d += 1.0
            g1d += 1.0
        log_died = log_first + math.log(total)
        log_l = log_add_exp(log_alive, log_died)
        w_alive = math.exp(log_alive - log_l)
        w_died = math.exp(log_first - log_l)  # weight of a relative term of 1
        loglik[j] = log_l
        # the died terms share −ψ(α) + ψ(α + β) etc.; ψ(γ + 1) − ψ(γ) = 1 / γ
        died_share = w_died * total
        gradient[j, 0] = w_alive * ga + w_died * sa + died_share * (psi_ab - psi_a)
        gradient[j, 1] = w_alive * gb + w_died * sb + died_share * (psi_ab - psi_b)
        gradient[j, 2] = w_alive * gg + w_died * sg + died_share * (1.0 / gamma + psi_gd)
        gradient[j, 3] = w_alive * gd + w_died * sd + died_share * (psi_gd - psi_d)


@jit
def _log_posterior(
    theta: Theta, x: float, t_x: float, n: float, bought: float, ahead: float
) -> float:
    """``log[B(α + x + bought, β + n − x)/B(α, β) · B(γ, δ + n + ahead)/B(γ, δ) / L]``.

    With ``bought = 0`` it is ``log P(alive at opportunity n + ahead | history)``; with
    ``bought = 1`` that times the posterior mean purchase probability ``(α + x)/(α + β + n)``.
    """
    alpha, beta, gamma, delta = theta
    log_l = log_likelihood_one(theta, x, t_x, n)
    num = log_beta(alpha + x + bought, beta + n - x) - log_beta(alpha, beta)
    num += log_beta(gamma, delta + n + ahead) - log_beta(gamma, delta)
    return num - log_l


@jit
def _probability_alive(theta: Theta, x: _Floats, t_x: _Floats, n: _Floats, ahead: float) -> _Floats:
    """P(alive at opportunity ``n + ahead`` | history), eq. (11) for ``ahead = 1``."""
    out = np.empty(x.shape[0])
    for j in range(x.shape[0]):
        out[j] = min(math.exp(_log_posterior(theta, x[j], t_x[j], n[j], 0.0, ahead)), 1.0)
    return out


@jit
def _conditional_expected_purchases(
    theta: Theta, x: _Floats, t_x: _Floats, n: _Floats, t: _Floats
) -> _Floats:
    """E[X(n, n + t) | history], eq. (13).

    ``B(α + x + 1, β + n − x)/B(α, β) · B(γ, δ + n)/B(γ, δ) / L · Σ_{i=1}^{t} B(γ, δ + n + i) /
    B(γ, δ + n)``; the sum is the paper's ``δ/(γ − 1) · Γ(γ + δ)/Γ(1 + δ) · […]`` term, taken
    by :func:`survival_sum` (exact at ``γ = 1``).
    """
    gamma, delta = theta[2], theta[3]
    out = np.zeros(x.shape[0])
    for j in range(x.shape[0]):
        if t[j] > 0.0:
            posterior = math.exp(_log_posterior(theta, x[j], t_x[j], n[j], 1.0, 0.0))
            out[j] = posterior * survival_sum(gamma, delta + n[j], t[j])
    return out


@jit
def _dert(theta: Theta, x: _Floats, t_x: _Floats, n: _Floats, discount_rate: float) -> _Floats:
    """Discounted expected residual transactions, eq. (14).

    ``B(α + x + 1, β + n − x)/B(α, β) · B(γ, δ + n + 1)/(B(γ, δ)(1 + d)) ·
    ₂F₁(1, δ + n + 1; γ + δ + n + 1; 1/(1 + d)) / L``.
    """
    gamma, delta = theta[2], theta[3]
    out = np.empty(x.shape[0])
    log_discount = math.log1p(discount_rate)
    for j in range(x.shape[0]):
        log_posterior = _log_posterior(theta, x[j], t_x[j], n[j], 1.0, 1.0)
        log_series = log_discounted_survival(gamma, delta + n[j] + 1.0, discount_rate)
        out[j] = math.exp(log_posterior - log_discount + log_series)
    return out


@jit
def _expected_purchases(theta: Theta, t: _Floats) -> _Floats:
    """E[X(t)] for a new customer, eq. (7): ``α/(α + β) · Σ_{i=1}^{t} B(γ, δ + i)/B(γ, δ)``."""
    alpha, beta, gamma, delta = theta
    out = np.empty(t.shape[0])
    mean_p = alpha / (alpha + beta)
    for j in range(t.shape[0]):
        out[j] = mean_p * survival_sum(gamma, delta, t[j])
    return out


@jit
def _probability_of_purchases(theta: Theta, n: _Floats, t: _Floats) -> _Floats:
    """P(X(t) = n) for a new customer, eq. (8) (``n`` purchases in ``t`` opportunities).

    ``C(t, n) B(α + n, β + t − n)/B(α, β) · B(γ, δ + t)/B(γ, δ)
    + Σ_{i=n}^{t−1} C(i, n) B(α + n, β + i − n)/B(α, β) · B(γ + 1, δ + i)/B(γ, δ)``.
    """
    out = np.empty(n.shape[0])
    for j in range(n.shape[0]):
        out[j] = _pmf_value(theta, n[j], t[j])
    return out


@jit
def _pmf_value(theta: Theta, nj: float, tj: float) -> float:
    """One value of :func:`_probability_of_purchases` (0 when ``nj > tj``)."""
    alpha, beta, gamma, delta = theta
    if nj > tj:
        return 0.0
    base = log_beta(alpha, beta) + log_beta(gamma, delta)
    log_choose = math.lgamma(tj + 1.0) - math.lgamma(nj + 1.0) - math.lgamma(tj - nj + 1.0)
    total = log_choose + log_beta(alpha + nj, beta + tj - nj) + log_beta(gamma, delta + tj)
    total -= base
    i = nj
    while i < tj:
        log_choose = math.lgamma(i + 1.0) - math.lgamma(nj + 1.0) - math.lgamma(i - nj + 1.0)
        term = log_choose + log_beta(alpha + nj, beta + i - nj)
        term += log_beta(gamma + 1.0, delta + i) - base
        total = log_add_exp(total, term)
        i += 1.0
    return min(math.exp(total), 1.0)


@jit
def _conditional_pmf(
    theta: Theta, k: _Floats, t: _Floats, x: _Floats, t_x: _Floats, n: _Floats
) -> _Floats:
    """P(X(n, n + t) = k | x, t_x, n): ``k`` purchases in the next ``t`` opportunities.

    Alive at opportunity ``n`` (probability :func:`_log_posterior` with ``ahead = 0``), the
    customer has ``p ~ Beta(α + x, β + n − x)`` and ``θ ~ Beta(γ, δ + n)`` and behaves from
    there as a new customer with those parameters (eq. 8); otherwise makes no purchase.
    Fader, Hardie & Shang (2010) give ``P(X(n, n + n*) = x* | x, t_x, n)`` in this form: the
    terms of eq. (8) at the posterior parameters, weighted by P(alive at n).
    """
    alpha, beta, gamma, delta = theta
    out = np.empty(x.shape[0])
    for j in range(x.shape[0]):
        xj = x[j]
        nj = n[j]
        alive = min(math.exp(_log_posterior(theta, xj, t_x[j], nj, 0.0, 0.0)), 1.0)
        posterior = (alpha + xj, beta + nj - xj, gamma, delta + nj)
        value = alive * _pmf_value(posterior, k[j], t[j])
        if k[j] == 0.0:
            value += 1.0 - alive
        out[j] = min(value, 1.0)
    return out


def bgbb_probability_alive(
    theta: Theta, x: _Floats, t_x: _Floats, n: _Floats, ahead: float
) -> _Floats:
    """P(alive at opportunity ``n + ahead`` | history), eq. (11) for ``ahead = 1``."""
    return _probability_alive(_theta(theta), frozen(x), frozen(t_x), frozen(n), float(ahead))


def bgbb_conditional_expected_purchases(
    theta: Theta, x: _Floats, t_x: _Floats, n: _Floats, t: _Floats
) -> _Floats:
    """E[purchases in the next ``t`` opportunities | history], eq. (13)."""
    return _conditional_expected_purchases(
        _theta(theta), frozen(x), frozen(t_x), frozen(n), frozen(t)
    )


def bgbb_dert(theta: Theta, x: _Floats, t_x: _Floats, n: _Floats, discount_rate: float) -> _Floats:
    """Discounted expected residual transactions, eq. (14)."""
    return _dert(_theta(theta), frozen(x), frozen(t_x), frozen(n), float(discount_rate))


def bgbb_expected_purchases(theta: Theta, t: _Floats) -> _Floats:
    """E[purchases in the first ``t`` opportunities] of a new customer, eq. (7)."""
    return _expected_purchases(_theta(theta), frozen(t))


def bgbb_probability_of_purchases(theta: Theta, n: _Floats, t: _Floats) -> _Floats:
    """P(a new customer makes ``n`` purchases in ``t`` opportunities), eq. (8)."""
    return _probability_of_purchases(_theta(theta), frozen(n), frozen(t))


def bgbb_conditional_pmf(
    theta: Theta, k: _Floats, t: _Floats, x: _Floats, t_x: _Floats, n: _Floats
) -> _Floats:
    """P(``k`` purchases in the next ``t`` opportunities | history): :func:`_conditional_pmf`."""
    columns = (frozen(k), frozen(t), frozen(x), frozen(t_x), frozen(n))
    return _conditional_pmf(_theta(theta), *columns)


def warm_up() -> None:
    """Compile (or load from the cache) every kernel of this module on tiny inputs."""
    one = np.ones(1)
    theta = (1.0, 1.0, 1.0, 1.0)
    bgbb_loglik_terms(theta, one, one, one)
    bgbb_probability_alive(theta, one, one, one, 1.0)
    bgbb_conditional_expected_purchases(theta, one, one, one, one)
    bgbb_dert(theta, one, one, one, 0.1)
    bgbb_expected_purchases(theta, one)
    bgbb_probability_of_purchases(theta, one, one)
    bgbb_conditional_pmf(theta, one, one, one, one, one)
