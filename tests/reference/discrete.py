"""Plain-Python references for the BG/BB and sBG kernels (used by the tests).

Each reference follows the published formula literally — linear-space sums of Beta-function
ratios, ``math.lgamma``, scipy's digamma and mpmath's ₂F₁ — with none of the kernels' tricks
(log-space accumulation, recurrences, telescoped sums, series tail bounds). mpmath is imported
by the functions that need it; tests using them skip when it is absent.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import digamma


def _lbeta(a, b):
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _beta_ratio(a, b, a0, b0):
    """B(a, b) / B(a0, b0)."""
    return math.exp(_lbeta(a, b) - _lbeta(a0, b0))


# --- BG/BB (Fader, Hardie & Shang 2010) -------------------------------------------------


def bgbb_terms_python(theta, x, t_x, n):
    """The likelihood's terms: alive through n, then died at t_x + i + 1 for i = 0..n-t_x-1."""
    alpha, beta, gamma, delta = theta
    alive = _beta_ratio(alpha + x, beta + n - x, alpha, beta) * _beta_ratio(
        gamma, delta + n, gamma, delta
    )
    died = [
        _beta_ratio(alpha + x, beta + t_x - x + i, alpha, beta)
        * _beta_ratio(gamma + 1, delta + t_x + i, gamma, delta)
        for i in range(int(n - t_x))
    ]
    return alive, died


def bgbb_loglik_python(theta, x, t_x, n):
    """Eq. (5) per row, and its gradient by the digamma formula of each term."""
    alpha, beta, gamma, delta = theta
    loglik = np.empty(len(x))
    gradient = np.empty((len(x), 4))
    for j, (xj, tj, nj) in enumerate(zip(x.tolist(), t_x.tolist(), n.tolist(), strict=True)):
        alive, died = bgbb_terms_python(theta, xj, tj, nj)
        total = alive + sum(died)
        loglik[j] = math.log(total)
        common = np.array(
            [
                -digamma(alpha) + digamma(alpha + beta),
                -digamma(beta) + digamma(alpha + beta),
                -digamma(gamma) + digamma(gamma + delta),
                -digamma(delta) + digamma(gamma + delta),
            ]
        )
        g_alive = common + np.array(
            [
                digamma(alpha + xj) - digamma(alpha + beta + nj),
                digamma(beta + nj - xj) - digamma(alpha + beta + nj),
                digamma(gamma) - digamma(gamma + delta + nj),
                digamma(delta + nj) - digamma(gamma + delta + nj),
            ]
        )
        acc = alive * g_alive
        for i, term in enumerate(died):
            g = common + np.array(
                [
                    digamma(alpha + xj) - digamma(alpha + beta + tj + i),
                    digamma(beta + tj - xj + i) - digamma(alpha + beta + tj + i),
                    digamma(gamma + 1) - digamma(gamma + 1 + delta + tj + i),
                    digamma(delta + tj + i) - digamma(gamma + 1 + delta + tj + i),
                ]
            )
            acc = acc + term * g
        gradient[j] = acc / total
    return loglik, gradient


def bgbb_probability_alive_python(theta, x, t_x, n, ahead):
    """Eq. (11) (``ahead = 1``), alive at n + ahead."""
    alpha, beta, gamma, delta = theta
    out = []
    for xj, tj, nj in zip(x.tolist(), t_x.tolist(), n.tolist(), strict=True):
        alive, died = bgbb_terms_python(theta, xj, tj, nj)
        num = _beta_ratio(alpha + xj, beta + nj - xj, alpha, beta) * _beta_ratio(
            gamma, delta + nj + ahead, gamma, delta
        )
        out.append(num / (alive + sum(died)))
    return np.array(out)


def bgbb_conditional_expected_purchases_python(theta, x, t_x, n, t):
    """Eq. (13), the paper's closed form with ``δ/(γ − 1)`` (needs γ != 1); ``t`` is n*."""
    alpha, beta, gamma, delta = theta
    out = []
    for xj, tj, nj, sj in zip(x.tolist(), t_x.tolist(), n.tolist(), t.tolist(), strict=True):
        alive, died = bgbb_terms_python(theta, xj, tj, nj)
        p = _beta_ratio(alpha + xj + 1, beta + nj - xj, alpha, beta)
        bracket = math.exp(math.lgamma(1 + delta + nj) - math.lgamma(gamma + delta + nj)) - (
            math.exp(math.lgamma(1 + delta + nj + sj) - math.lgamma(gamma + delta + nj + sj))
        )
        factor = delta / (gamma - 1) * math.exp(math.lgamma(gamma + delta) - math.lgamma(1 + delta))
        out.append(p * factor * bracket / (alive + sum(died)))
    return np.array(out)


def bgbb_dert_python(theta, x, t_x, n, discount_rate):
    """Eq. (14) with mpmath's ₂F₁."""
    import mpmath

    alpha, beta, gamma, delta = theta
    out = []
    z = _z(discount_rate)
    for xj, tj, nj in zip(x.tolist(), t_x.tolist(), n.tolist(), strict=True):
        alive, died = bgbb_terms_python(theta, xj, tj, nj)
        p = _beta_ratio(alpha + xj + 1, beta + nj - xj, alpha, beta)
        a = _beta_ratio(gamma, delta + nj + 1, gamma, delta) / (1 + discount_rate)
        series = float(mpmath.hyp2f1(1, delta + nj + 1, gamma + delta + nj + 1, z))
        out.append(p * a * series / (alive + sum(died)))
    return np.array(out)


def bgbb_expected_purchases_python(theta, t):
    """Eq. (7): E[X(t)] = Σ_{i=1}^{t} P(alive at i) E[p], summed term by term."""
    alpha, beta, gamma, delta = theta
    return np.array(
        [
            alpha
            / (alpha + beta)
            * sum(_beta_ratio(gamma, delta + i, gamma, delta) for i in range(1, int(tj) + 1))
            for tj in t.tolist()
        ]
    )


def bgbb_probability_of_purchases_python(theta, n, t):
    """Eq. (8) in linear space: ``n`` purchases (the paper's x) in ``t`` opportunities (its n)."""
    alpha, beta, gamma, delta = theta
    out = []
    for xj, nj in zip(n.tolist(), t.tolist(), strict=True):
        total = (
            math.comb(int(nj), int(xj))
            * _beta_ratio(alpha + xj, beta + nj - xj, alpha, beta)
            * _beta_ratio(gamma, delta + nj, gamma, delta)
        )
        for i in range(int(xj), int(nj)):
            total += (
                math.comb(i, int(xj))
                * _beta_ratio(alpha + xj, beta + i - xj, alpha, beta)
                * _beta_ratio(gamma + 1, delta + i, gamma, delta)
            )
        out.append(total)
    return np.array(out)


def bgbb_conditional_pmf_python(theta, k, t, x, t_x, n):
    """P(k purchases in the next t opportunities | x, t_x, n), in linear space.

    ``P(alive at n)`` (eq. 11 with ``ahead = 0``) times eq. (8) at the posterior parameters
    ``(α + x, β + n − x, γ, δ + n)``, plus ``P(dead)`` when ``k = 0``.
    """
    alpha, beta, gamma, delta = theta
    alive = bgbb_probability_alive_python(theta, x, t_x, n, 0)
    out = []
    rows = zip(k.tolist(), t.tolist(), x.tolist(), n.tolist(), alive.tolist(), strict=True)
    for kj, tj, xj, nj, aj in rows:
        posterior = (alpha + xj, beta + nj - xj, gamma, delta + nj)
        future = 0.0
        if kj <= tj:
            future = bgbb_probability_of_purchases_python(
                posterior, np.array([kj]), np.array([tj])
            )[0]
        out.append(aj * future + (1.0 - aj if kj == 0 else 0.0))
    return np.array(out)


# --- sBG (Fader & Hardie 2007, 2010) ----------------------------------------------------


def sbg_survival_python(alpha, beta, periods):
    """S(t) as the product of the retention rates r(1)…r(t) (eq. 5 of F&H 2007)."""
    out = []
    for t in periods.tolist():
        s = 1.0
        for k in range(1, int(t) + 1):
            s *= (beta + k - 1) / (alpha + beta + k - 1)
        out.append(s)
    return np.array(out)


def sbg_churn_probability_python(alpha, beta, periods):
    """P(T = t) = S(t − 1) − S(t)."""
    return sbg_survival_python(alpha, beta, periods - 1) - sbg_survival_python(alpha, beta, periods)


def sbg_loglik_python(alpha, beta, periods, churned):
    """log P(T = t) or log S(t) per row, with the digamma gradient."""
    loglik = np.empty(len(periods))
    gradient = np.empty((len(periods), 2))
    base = [-digamma(alpha) + digamma(alpha + beta), -digamma(beta) + digamma(alpha + beta)]
    for j, (t, c) in enumerate(zip(periods.tolist(), churned.tolist(), strict=True)):
        if c:
            loglik[j] = math.log(sbg_churn_probability_python(alpha, beta, np.array([t]))[0])
            gradient[j] = [
                base[0] + digamma(alpha + 1) - digamma(alpha + beta + t),
                base[1] + digamma(beta + t - 1) - digamma(alpha + beta + t),
            ]
        else:
            loglik[j] = math.log(sbg_survival_python(alpha, beta, np.array([t]))[0])
            gradient[j] = [
                base[0] + digamma(alpha) - digamma(alpha + beta + t),
                base[1] + digamma(beta + t) - digamma(alpha + beta + t),
            ]
    return loglik, gradient


def sbg_derl_python(alpha, beta, survived, discount_rate):
    """F&H (2010) eq. (6) with mpmath's ₂F₁, n − 1 = survived renewals."""
    import mpmath

    z = _z(discount_rate)
    return np.array(
        [
            (beta + s)
            / (alpha + beta + s)
            * float(mpmath.hyp2f1(1, beta + s + 1, alpha + beta + s + 1, z))
            for s in survived.tolist()
        ]
    )


def survival_sum_python(alpha, beta, horizon):
    """Σ_{i=1}^{horizon} B(α, β + i) / B(α, β), term by term in 30-digit arithmetic."""
    import mpmath

    with mpmath.workdps(30):
        a, b = mpmath.mpf(alpha), mpmath.mpf(beta)
        base = mpmath.beta(a, b)
        return float(sum(mpmath.beta(a, b + i) / base for i in range(1, int(horizon) + 1)))


def _z(discount_rate):
    """1/(1 + d) in extended precision (in float64, 1 − z loses digits when d is small)."""
    import mpmath

    return 1 / (1 + mpmath.mpf(discount_rate))


def log_discounted_survival_python(alpha, beta, discount_rate):
    """log ₂F₁(1, β; α + β; 1/(1 + d)) with mpmath."""
    import mpmath

    with mpmath.workdps(30):
        return float(mpmath.log(mpmath.hyp2f1(1, beta, alpha + beta, _z(discount_rate))))


def _kernels() -> dict[str, dict[str, object]]:
    from ecomstrat._kernels import bgbb, sbg

    return {
        "bgbb_loglik_terms": {
            "numba": bgbb.bgbb_loglik_terms,
            "numba-parallel": bgbb.bgbb_loglik_terms_parallel,
            "python": bgbb_loglik_python,
        },
        "bgbb_probability_alive": {
            "numba": bgbb.bgbb_probability_alive,
            "python": bgbb_probability_alive_python,
        },
        "bgbb_conditional_expected_purchases": {
            "numba": bgbb.bgbb_conditional_expected_purchases,
            "python": bgbb_conditional_expected_purchases_python,
        },
        "bgbb_dert": {"numba": bgbb.bgbb_dert, "python": bgbb_dert_python},
        "bgbb_expected_purchases": {
            "numba": bgbb.bgbb_expected_purchases,
            "python": bgbb_expected_purchases_python,
        },
        "bgbb_probability_of_purchases": {
            "numba": bgbb.bgbb_probability_of_purchases,
            "python": bgbb_probability_of_purchases_python,
        },
        "bgbb_conditional_pmf": {
            "numba": bgbb.bgbb_conditional_pmf,
            "python": bgbb_conditional_pmf_python,
        },
        "sbg_loglik_terms": {"numba": sbg.sbg_loglik_terms, "python": sbg_loglik_python},
        "sbg_survival": {"numba": sbg.sbg_survival, "python": sbg_survival_python},
        "sbg_churn_probability": {
            "numba": sbg.sbg_churn_probability,
            "python": sbg_churn_probability_python,
        },
        "sbg_derl": {"numba": sbg.sbg_derl, "python": sbg_derl_python},
        "survival_sum": {"numba": sbg.survival_sum, "python": survival_sum_python},
        "log_discounted_survival": {
            "numba": sbg.log_discounted_survival,
            "python": log_discounted_survival_python,
        },
    }


#: kernel -> implementation name -> callable; drives the agreement tests.
COMPARISONS = _kernels()
