"""Plain-Python reference for ``ecomstrat._kernels.dyncov`` (Pareto/NBD, time-varying covariates).

Straight from the definitions, one customer at a time, with no runs, no series and no
shared helper: the exposures are summed period by period from dates, and the integral of the
likelihood (and of the conditional expectation) is done by ``scipy.integrate.quad`` on every
covariate period separately, where the integrand is smooth.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate


def exposure(rates, origin, t):
    """``∫_0^t rate(u) du`` with ``rates[k]`` in force on ``[k, k + 1)`` of grid time.

    ``origin`` is the grid position of customer time 0 (the first purchase).
    """
    total = 0.0
    u = origin
    end = origin + t
    while u < end:
        k = math.floor(u)
        nxt = min(k + 1.0, end)
        total += rates[k] * (nxt - u)
        u = nxt
    return total


def loglik_customer(params, purchase, dropout, origin, purchases, T):
    """``log L`` of one customer.

    Parameters
    ----------
    params : tuple
        ``(r, alpha, s, beta, gamma_purchase, gamma_dropout)`` (the gammas as sequences).
    purchase, dropout : ndarray (m, k)
        Covariates per grid period (period ``k`` covers ``[k, k + 1)`` of grid time).
    origin : float
        Grid position of the first purchase.
    purchases : sequence of float
        Times of the repeat purchases, in customer time (``0 < t_j <= T``).
    T : float
        End of calibration, in customer time.
    """
    r, alpha, s, beta, g_p, g_d = params
    a = np.exp(np.asarray(purchase, dtype=float) @ np.asarray(g_p, dtype=float))
    c = np.exp(np.asarray(dropout, dtype=float) @ np.asarray(g_d, dtype=float))
    x = len(purchases)
    t_x = max(purchases) if x else 0.0
    p = r + x
    log_front = r * math.log(alpha) + s * math.log(beta) + math.lgamma(p) - math.lgamma(r)
    for t in purchases:
        log_front += math.log(a[math.floor(origin + t)])
    big_a = exposure(a, origin, T)
    big_c = exposure(c, origin, T)
    alive = (alpha + big_a) ** (-p) * (beta + big_c) ** (-s)

    def integrand(tau):
        k = math.floor(origin + tau)
        return (
            c[k]
            * (alpha + exposure(a, origin, tau)) ** (-p)
            * (beta + exposure(c, origin, tau)) ** (-(s + 1.0))
        )

    total = 0.0
    for lo, hi in _pieces(origin, t_x, T):
        total += integrate.quad(integrand, lo, hi, epsabs=0.0, epsrel=1e-13, limit=200)[0]
    return log_front + math.log(alive + s * total), alive / (alive + s * total)


def _pieces(origin, lo, hi):
    """``[lo, hi]`` (customer time) cut at the period boundaries ``k − origin``."""
    out = []
    for k in range(math.floor(origin + lo) - 1, math.ceil(origin + hi) + 2):
        a, b = max(lo, k - origin), min(hi, k + 1.0 - origin)
        if b > a:
            out.append((a, b))
    return out


def expected_customer(params, purchase, dropout, origin, purchases, T, t, discount=0.0):
    """Conditional expected purchases in ``(T, T + t]`` (discounted at ``discount`` per unit)."""
    r, alpha, s, beta, g_p, g_d = params
    a = np.exp(np.asarray(purchase, dtype=float) @ np.asarray(g_p, dtype=float))
    c = np.exp(np.asarray(dropout, dtype=float) @ np.asarray(g_d, dtype=float))
    x = len(purchases)
    _, p_alive = loglik_customer(params, purchase, dropout, origin, purchases, T)
    big_a = exposure(a, origin, T)
    big_c = exposure(c, origin, T)

    def integrand(u):
        k = math.floor(origin + T + u)
        survive = ((beta + big_c) / (beta + exposure(c, origin, T + u))) ** s
        return math.exp(-discount * u) * a[k] * survive

    total = 0.0
    for lo, hi in _pieces(origin + T, 0.0, t):
        total += integrate.quad(integrand, lo, hi, epsabs=0.0, epsrel=1e-13, limit=200)[0]
    return p_alive * (r + x) / (alpha + big_a) * total


def _via_model(params, purchase, dropout, origin, purchases, T, t=None, discount=0.0):
    """The numba kernels through the model, on the same inputs (times on whole days)."""
    from ecomstrat import TransactionLog
    from ecomstrat.domain.time_unit import TimeUnit
    from ecomstrat.frames.covariates import TimeVaryingCovariates
    from ecomstrat.models._protocols import continuous_discount_rate
    from ecomstrat.models.dynamic_paretonbd import DynamicParetoNBD

    r, alpha, s, beta, g_p, g_d = params
    purchase = np.asarray(purchase, dtype=float)
    dropout = np.asarray(dropout, dtype=float)
    m = purchase.shape[0]
    table = {"customer_id": np.zeros(m, dtype=np.int64)}
    table["cov_date"] = np.datetime64("2024-01-07", "D") + 7 * np.arange(m)
    names_p = [f"p{k}" for k in range(purchase.shape[1])]
    names_d = [f"d{k}" for k in range(dropout.shape[1])]
    for k, name in enumerate(names_p):
        table[name] = purchase[:, k]
    for k, name in enumerate(names_d):
        table[name] = dropout[:, k]
    first = table["cov_date"][0] + round(origin * 7)
    days = [first, *(first + round(t_j * 7) for t_j in purchases)]
    log = TransactionLog.from_arrays([0] * len(days), days, [1.0] * len(days))
    coefficients = {f"purchase.{n}": v for n, v in zip(names_p, g_p, strict=True)}
    coefficients |= {f"dropout.{n}": v for n, v in zip(names_d, g_d, strict=True)}
    model = DynamicParetoNBD(purchase=names_p, dropout=names_d).from_params(
        time_unit="week", r=r, alpha=alpha, s=s, beta=beta, coefficients=coefficients,
        covariates=TimeVaryingCovariates.from_table(table),
    )  # fmt: skip
    end = first + round(T * 7)
    if t is None:
        data = model.customers_of(log, calibration_end=end)
        ll = model.customer_log_likelihood(log, calibration_end=end)[0]
        return float(ll), float(model.probability_alive(data)[0])
    data = model.customers_of(log, calibration_end=end)
    if discount == 0.0:
        return float(model.conditional_expected_purchases(t, data)[0])
    rate = math.expm1(discount * TimeUnit.WEEK.per(TimeUnit.YEAR))  # weekly δ = discount
    assert abs(continuous_discount_rate(rate, "week") / discount - 1.0) < 1e-12
    return float(model.expected_residual_purchases(data, annual_discount_rate=rate, horizon=t)[0])


def _expected_via_model(params, purchase, dropout, origin, purchases, T, t, discount=0.0):
    """:func:`expected_customer` by the numba kernels (see :func:`_via_model`)."""
    return _via_model(params, purchase, dropout, origin, purchases, T, t, discount)


_via_model.kernel_module = "ecomstrat._kernels.dyncov"  # type: ignore[attr-defined]
_expected_via_model.kernel_module = "ecomstrat._kernels.dyncov"  # type: ignore[attr-defined]

#: kernel -> implementation name -> callable (to merge into ``tests.reference.COMPARISONS``).
COMPARISONS = {
    "dyncov_loglik": {"numba": _via_model, "python": loglik_customer},
    "dyncov_expected": {"numba": _expected_via_model, "python": expected_customer},
}
