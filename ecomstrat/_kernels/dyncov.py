"""Pareto/NBD with time-varying covariates: log-likelihood with gradient, P(alive), CET, DERT.

Model (Bachmann, Meierer & Näf 2021): while alive, customer ``i`` buys at rate
``λ a(t)`` and drops out at rate ``μ c(t)``, with ``a(t) = exp(γ_p · x(t))`` and
``c(t) = exp(γ_d · z(t))`` piecewise constant on the covariate periods; ``λ ~ Gamma(r, α)``,
``μ ~ Gamma(s, β)``. With the exposures ``A(t) = ∫_0^t a``, ``C(t) = ∫_0^t c`` (time 0 = the
first purchase) and ``p = r + x``::

    L = Γ(p) α^r β^s / Γ(r) · Π_j a(t_j) · [ (α + A(T))^(−p) (β + C(T))^(−s)
          + s ∫_{t_x}^T c(τ) (α + A(τ))^(−p) (β + C(τ))^(−(s+1)) dτ ].

On a stretch where ``a`` and ``c`` are constant and which starts with exposures ``A_0, C_0``,
the substitution ``τ = τ_0 + u`` gives ``a^(−p) c^(−s) I(α', β', L)`` with ``α' = (α + A_0) / a``,
``β' = (β + C_0) / c`` and ``I`` the integral of the plain Pareto/NBD
(``∫_0^L (α' + u)^(−p) (β' + u)^(−(s+1)) du``), which
:func:`ecomstrat._kernels.paretonbd.log_alive_odds` evaluates in log space with its gradient
(Gauss 2F1 series, or log-concave quadrature where the series would be slow or cancel).
The chain rule through ``α', β'`` and the exposures gives the analytic gradient in
``(r, α, s, β, γ_p, γ_d)``.

Customers come as runs: maximal stretches of consecutive covariate periods with the same
covariate values, clipped to ``[0, T]`` in the customer's own time (CSR: ``run_ptr``,
``run_start``, ``run_end`` and the covariate rows ``run_purchase``, ``run_dropout``). Memory is
linear in customers × periods (at most one run per period).
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias, cast

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, in_blocks, jit
from ecomstrat._kernels.paretonbd import (
    digamma_ratio,
    lgamma_ratio,
    log_alive_odds,
    log_concave_integral,
    one_minus_power,
)

_Floats: TypeAlias = NDArray[np.float64]
_Ints: TypeAlias = NDArray[np.int64]

#: Customers below which the wrappers do not bother with threads.
PARALLEL_MIN_ROWS = 256


@jit
def _dot(row: _Floats, gamma: _Floats) -> float:
    total = 0.0
    for k in range(gamma.shape[0]):
        total += row[k] * gamma[k]
    return total


@jit
def _customer_loglik(
    r: float,
    alpha: float,
    s: float,
    beta: float,
    gamma_p: _Floats,
    gamma_d: _Floats,
    x: float,
    t_x: float,
    T: float,
    purchase_sum: _Floats,
    lo: int,
    hi: int,
    run_start: _Floats,
    run_end: _Floats,
    run_purchase: _Floats,
    run_dropout: _Floats,
    grad: bool,
    out: _Floats,
    scratch: _Floats,
) -> tuple[float, float, float, float]:
    """``log L`` of one customer, gradient in ``out``; also ``log P(alive)``, ``A(T)``, ``C(T)``.

    ``out`` has ``4 + k_p + k_d`` entries (``r, α, s, β, γ_p, γ_d``); ``scratch`` at least
    ``3 (k_p + k_d) + 4 + k_p + k_d``.
    """
    kp = gamma_p.shape[0]
    kd = gamma_d.shape[0]
    n_par = 4 + kp + kd
    p = r + x
    # scratch layout: dA | dC | dA_0 | dC_0 | running gradient of log ΣJ (n_par)
    d_a = scratch[0:kp]
    d_c = scratch[kp : kp + kd]
    d_a0 = scratch[kp + kd : 2 * kp + kd]
    d_c0 = scratch[2 * kp + kd : 2 * kp + 2 * kd]
    g_sum = scratch[2 * kp + 2 * kd : 2 * kp + 2 * kd + n_par]
    for k in range(kp):
        d_a[k] = 0.0
    for k in range(kd):
        d_c[k] = 0.0
    for k in range(n_par):
        g_sum[k] = 0.0
    big_a = 0.0
    big_c = 0.0
    log_sum = -math.inf
    log_s = math.log(s)
    for j in range(lo, hi):
        start = run_start[j]
        end = run_end[j]
        row_p = run_purchase[j]
        row_d = run_dropout[j]
        log_a = _dot(row_p, gamma_p)
        log_c = _dot(row_d, gamma_d)
        ea = math.exp(log_a)
        ec = math.exp(log_c)
        if end > t_x:
            begin = max(start, t_x)
            lead = begin - start
            a0 = big_a + ea * lead
            c0 = big_c + ec * lead
            width = end - begin
            if width > 0.0:
                alpha1 = (alpha + a0) / ea
                beta1 = (beta + c0) / ec
                g, i_r, i_a, i_s, i_b = log_alive_odds(r, alpha1, s, beta1, x, 0.0, width, grad)
                log_j = (
                    g
                    - log_s
                    - p * math.log(alpha1 + width)
                    - s * math.log(beta1 + width)
                    - p * log_a
                    - s * log_c
                )
                if log_j > -math.inf:
                    if log_sum == -math.inf:
                        new_sum = log_j
                        w = 1.0
                    else:
                        top = max(log_sum, log_j)
                        new_sum = top + math.log(math.exp(log_sum - top) + math.exp(log_j - top))
                        w = math.exp(log_j - new_sum)
                    log_sum = new_sum
                    if grad:
                        keep = 1.0 - w
                        for k in range(n_par):
                            g_sum[k] *= keep
                        g_sum[0] += w * (i_r - log_a)
                        g_sum[1] += w * (i_a / ea)
                        g_sum[2] += w * (i_s - log_c)
                        g_sum[3] += w * (i_b / ec)
                        slope_a = -p - alpha1 * i_a
                        slope_c = -s - beta1 * i_b
                        for k in range(kp):
                            d_a0[k] = d_a[k] + row_p[k] * ea * lead
                            g_sum[4 + k] += w * ((i_a / ea) * d_a0[k] + slope_a * row_p[k])
                        for k in range(kd):
                            d_c0[k] = d_c[k] + row_d[k] * ec * lead
                            g_sum[4 + kp + k] += w * ((i_b / ec) * d_c0[k] + slope_c * row_d[k])
        span = end - start
        big_a += ea * span
        big_c += ec * span
        if grad:
            for k in range(kp):
                d_a[k] += row_p[k] * ea * span
            for k in range(kd):
                d_c[k] += row_d[k] * ec * span
    log_f3 = -p * math.log(alpha + big_a) - s * math.log(beta + big_c)
    log_second = log_s + log_sum
    if log_second == -math.inf:
        both = log_f3
        w2 = 0.0
    else:
        top = max(log_f3, log_second)
        both = top + math.log(math.exp(log_f3 - top) + math.exp(log_second - top))
        w2 = math.exp(log_second - both)
    w3 = math.exp(log_f3 - both)
    log_p = _dot(purchase_sum, gamma_p)
    value = r * math.log(alpha) + s * math.log(beta) + lgamma_ratio(r, x) + log_p + both
    if grad:
        out[0] = (
            math.log(alpha) + digamma_ratio(r, x) - w3 * math.log(alpha + big_a) + w2 * g_sum[0]
        )
        out[1] = r / alpha - w3 * p / (alpha + big_a) + w2 * g_sum[1]
        out[2] = math.log(beta) - w3 * math.log(beta + big_c) + w2 * (1.0 / s + g_sum[2])
        out[3] = s / beta - w3 * s / (beta + big_c) + w2 * g_sum[3]
        for k in range(kp):
            out[4 + k] = purchase_sum[k] - w3 * p * d_a[k] / (alpha + big_a) + w2 * g_sum[4 + k]
        for k in range(kd):
            out[4 + kp + k] = -w3 * s * d_c[k] / (beta + big_c) + w2 * g_sum[4 + kp + k]
    return value, log_f3 - both, big_a, big_c


@jit
def _loglik_rows(
    params: _Floats,
    kp: int,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    purchase_sum: _Floats,
    run_ptr: _Ints,
    run_start: _Floats,
    run_end: _Floats,
    run_purchase: _Floats,
    run_dropout: _Floats,
    grad: bool,
    values: _Floats,
    gradients: _Floats,
    extra: _Floats,
    lo: int,
    hi: int,
) -> None:
    """Rows ``lo..hi-1``: ``log L``, its gradient, ``(log P(alive), A(T), C(T))`` per customer."""
    r = params[0]
    alpha = params[1]
    s = params[2]
    beta = params[3]
    gamma_p = params[4 : 4 + kp]
    gamma_d = params[4 + kp :]
    kd = gamma_d.shape[0]
    n_par = params.shape[0]
    scratch = np.zeros(4 * (kp + kd) + n_par + 4)
    out = np.zeros(n_par)
    for i in range(lo, hi):
        value, log_alive, big_a, big_c = _customer_loglik(
            r,
            alpha,
            s,
            beta,
            gamma_p,
            gamma_d,
            x[i],
            t_x[i],
            T[i],
            purchase_sum[i],
            run_ptr[i],
            run_ptr[i + 1],
            run_start,
            run_end,
            run_purchase,
            run_dropout,
            grad,
            out,
            scratch,
        )
        values[i] = value
        extra[i, 0] = log_alive
        extra[i, 1] = big_a
        extra[i, 2] = big_c
        if grad:
            for k in range(n_par):
                gradients[i, k] = out[k]


def loglik(
    params: _Floats,
    n_purchase: int,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    purchase_sum: _Floats,
    run_ptr: _Ints,
    run_start: _Floats,
    run_end: _Floats,
    run_purchase: _Floats,
    run_dropout: _Floats,
    *,
    grad: bool = True,
    parallel: bool = False,
) -> tuple[_Floats, _Floats, _Floats]:
    """Per-customer ``log L``, its gradient and ``(log P(alive), A(T), C(T))``.

    Parameters
    ----------
    params : float64[4 + k_p + k_d]
        ``r, α, s, β`` then the purchase coefficients ``γ_p`` then the dropout ones ``γ_d``.
    n_purchase : int
        ``k_p``.
    x, t_x, T : float64[n]
        Repeat purchases, time of the last one and of the end of calibration (customer time).
    purchase_sum : float64[n, k_p]
        Sum of the purchase covariates in force at the ``x`` repeat purchases.
    run_ptr, run_start, run_end, run_purchase, run_dropout
        The runs of each customer over ``[0, T]`` (see the module docstring).

    Returns
    -------
    values : float64[n]
    gradients : float64[n, 4 + k_p + k_d] (zeros when ``grad`` is False)
    extra : float64[n, 3]
    """
    params = frozen(params)
    n = x.shape[0]
    values = np.empty(n)
    gradients = np.zeros((n, params.shape[0]))
    extra = np.empty((n, 3))
    args = (
        params,
        int(n_purchase),
        frozen(x),
        frozen(t_x),
        frozen(T),
        frozen(purchase_sum),
        frozen(run_ptr, np.int64),
        frozen(run_start),
        frozen(run_end),
        frozen(run_purchase),
        frozen(run_dropout),
        cast(bool, np.bool_(grad)),
        values,
        gradients,
        extra,
    )

    def work(lo: int, hi: int) -> Any:
        return _loglik_rows(*args, lo, hi)

    if parallel and n >= PARALLEL_MIN_ROWS:
        in_blocks(work, n)
    else:
        work(0, n)
    return values, gradients, extra


@jit
def _future_rows(
    params: _Floats,
    kp: int,
    x: _Floats,
    log_alive: _Floats,
    big_a: _Floats,
    big_c: _Floats,
    run_ptr: _Ints,
    run_start: _Floats,
    run_end: _Floats,
    run_purchase: _Floats,
    run_dropout: _Floats,
    delta: float,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    """Rows ``lo..hi-1`` of :func:`expected_future` (``delta < 0``: undiscounted CET)."""
    r = params[0]
    alpha = params[1]
    s = params[2]
    beta = params[3]
    gamma_p = params[4 : 4 + kp]
    gamma_d = params[4 + kp :]
    for i in range(lo, hi):
        w_t = beta + big_c[i]
        w0 = w_t
        total = 0.0
        for j in range(run_ptr[i], run_ptr[i + 1]):
            width = run_end[j] - run_start[j]
            if not width > 0.0:
                continue
            log_a = _dot(run_purchase[j], gamma_p)
            log_c = _dot(run_dropout[j], gamma_d)
            ea = math.exp(log_a)
            ec = math.exp(log_c)
            w1 = w0 + ec * width
            if delta < 0.0:
                # ∫_0^width a (W_T / (W_0 + c u))^s du
                #   = a/c · W_0 (W_0/W_T)^(−s) · (1 − (W_1/W_0)^(1−s)) / (s − 1)
                total += (
                    (ea / ec)
                    * w0
                    * math.exp(-s * math.log(w0 / w_t))
                    * one_minus_power(s - 1.0, math.log1p(ec * width / w0))
                )
            else:
                # ∫_0^width e^(−δ(v_0 + u)) a (W_T / (W_0 + c u))^s du, u = e^v:
                #   a W_T^s c^(−s) e^(−δ v_0)
                #   · ∫_{−∞}^{log width} e^(v − s log(W_0/c + e^v) − δ e^v) dv
                log_int = log_concave_integral(
                    1.0, s, w0 / ec, 0.0, 0.0, delta, -math.inf, math.log(width)
                )[0]
                total += math.exp(
                    log_a + s * (math.log(w_t) - log_c) - delta * run_start[j] + log_int
                )
            w0 = w1
        out[i] = math.exp(log_alive[i]) * (r + x[i]) / (alpha + big_a[i]) * total


def expected_future(
    params: _Floats,
    n_purchase: int,
    x: _Floats,
    log_alive: _Floats,
    big_a: _Floats,
    big_c: _Floats,
    run_ptr: _Ints,
    run_start: _Floats,
    run_end: _Floats,
    run_purchase: _Floats,
    run_dropout: _Floats,
    *,
    delta: float = -1.0,
    parallel: bool = False,
) -> _Floats:
    """Expected purchases after ``T`` over the future runs (times since ``T``), per customer.

    ``P(alive) (r + x) / (α + A(T)) ∫ e^(−δ u) a(T + u) ((β + C(T)) / (β + C(T + u)))^s du``
    over the runs; ``delta < 0`` means no discounting (the conditional expected purchases),
    ``delta >= 0`` the continuous discount rate per time unit (DERT).
    """
    n = x.shape[0]
    out = np.empty(n)
    args = (
        frozen(params),
        int(n_purchase),
        frozen(x),
        frozen(log_alive),
        frozen(big_a),
        frozen(big_c),
        frozen(run_ptr, np.int64),
        frozen(run_start),
        frozen(run_end),
        frozen(run_purchase),
        frozen(run_dropout),
        float(delta),
        out,
    )

    def work(lo: int, hi: int) -> Any:
        return _future_rows(*args, lo, hi)

    if parallel and n >= PARALLEL_MIN_ROWS:
        in_blocks(work, n)
    else:
        work(0, n)
    return out


def warm_up() -> None:
    """Compile (or load) both kernels once: one customer, one run, one covariate per process."""
    params = np.array([0.8, 50.0, 0.6, 40.0, 0.3, -0.5])
    x, t_x, T = np.array([1.0]), np.array([1.0]), np.array([2.0])
    ptr = np.array([0, 1], dtype=np.int64)
    start, end, row = np.array([0.0]), np.array([2.0]), np.array([[1.0]])
    _, _, extra = loglik(params, 1, x, t_x, T, np.array([[1.0]]), ptr, start, end, row, row)
    log_alive, big_a, big_c = (np.ascontiguousarray(extra[:, j]) for j in range(3))
    future = (ptr, start, end, row, row)
    expected_future(params, 1, x, log_alive, big_a, big_c, *future)
    expected_future(params, 1, x, log_alive, big_a, big_c, *future, delta=0.01)
