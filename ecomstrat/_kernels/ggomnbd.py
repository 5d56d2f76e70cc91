"""GGom/NBD kernels: log-likelihood with gradient, P(alive), expectations, PMF, DERT.

Notation (Bemmaor & Glady 2012, "Modeling Purchasing Behavior with Sudden 'Death': A Flexible
Customer Lifetime Model", *Management Science* 58(5), 1012–1021): purchase rate
``λ ~ Gamma(r, α)``; lifetime Gompertz with hazard ``η b e^(b t)``, ``η ~ Gamma(s, β)``, so the
survival is ``S(t) = (β / (β + e^(b t) − 1))^s`` and its density
``f(t) = b s β^s e^(b t) (β + e^(b t) − 1)^(−(s+1))``. A customer made ``x`` repeat purchases,
the last at ``t_x``, and was observed for ``T``. With ``p = r + x``::

    L  = L1 + L2,
    L1 = Γ(p) / Γ(r) · α^r (α + T)^(−p) · (β / D(T))^s,          D(τ) = β + e^(b τ) − 1,
    L2 = Γ(p) / Γ(r) · b s α^r β^s · I,
    I  = ∫_{t_x}^{T} e^(b τ) (α + τ)^(−p) D(τ)^(−(s+1)) dτ

(the form CLVTools evaluates, ``src/ggomnbd.cpp``). Everything is computed from
``G = log(L2 / L1) = log b + log s + log I + p log(α + T) + s log D(T)``: ``log L = log L1 +
log(1 + e^G)`` and ``P(alive) = 1 / (1 + e^G)``. ``D`` is evaluated as ``β + expm1(b τ)`` so the
Pareto/NBD limit (``b → 0`` with ``β / b`` fixed) keeps every digit.

``I`` is integrated in ``u = log((α + τ) / (α + t_x))`` (the factor ``(α + τ)^(−p)`` becomes an
exponential) by adaptive Gauss–Kronrod (21 points, embedded 10-point Gauss): a panel is
accepted when the Kronrod and Gauss sums agree to ``_RTOL`` of the running estimate of the whole
integral (accepted panels plus the estimates of those still pending), else halved.
The log-integrand is not concave in any variable for every parameter (the Gompertz factor is
doubly exponential), hence the adaptive rule rather than :mod:`ecomstrat._kernels.paretonbd`'s
log-concave panels. The sums are kept relative to a running maximum of the log-integrand (no
overflow or underflow), and the parameter derivatives are summed on the same nodes.

Given alive at ``T``, ``λ ~ Gamma(r + x, α + T)`` and ``η e^(b T) ~ Gamma(s, β_T)`` with
``β_T = β e^(−b T) + 1 − e^(−b T)``: the customer then behaves as a new GGom/NBD customer with
``(r + x, α + T, b, s, β_T)``. So the conditional expectation, PMF and DERT are P(alive) times
the new customer's, whose lifetime factor ``∫_0^h e^(−δ u) S(u) du`` is integrated in
``v = log(1 + u b / β)`` by the same adaptive rule.
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias, cast

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, jit, over_range
from ecomstrat._kernels.paretonbd import digamma_ratio, lgamma_ratio

_Floats: TypeAlias = NDArray[np.float64]

# 21-point Gauss–Kronrod rule on [-1, 1] (QUADPACK qk21), with the weights of its embedded
# 10-point Gauss rule at the same nodes (0 at the Kronrod-only nodes).
_XK = np.array(
    [
        0.995657163025808080735527280689003,
        0.973906528517171720077964012084452,
        0.930157491355708226001207180059508,
        0.865063366688984510732096688423493,
        0.780817726586416897063717578345042,
        0.679409568299024406234327365114874,
        0.562757134668604683339000099272694,
        0.433395394129247190799265943165784,
        0.294392862701460198131126603103866,
        0.148874338981631210884826001129720,
    ]
)
_WK_HALF = np.array(
    [
        0.011694638867371874278064396062192,
        0.032558162307964727478818972459390,
        0.054755896574351996031381300244580,
        0.075039674810919952767043140916190,
        0.093125454583697605535065465083366,
        0.109387158802297641899210590325805,
        0.123491976262065851077600525478420,
        0.134709217311473325928054001771707,
        0.142775938577060080797094273138717,
        0.147739104901338491374841515972068,
    ]
)
_WK_CENTRE = 0.149445554002916905664936468389821
_WG_HALF = np.array(
    [
        0.0,
        0.066671344308688137593568809893332,
        0.0,
        0.149451349150580593145776339657697,
        0.0,
        0.219086362515982043995534934228163,
        0.0,
        0.269266719309996355091226921569469,
        0.0,
        0.295524224714752870173892994651338,
    ]
)
_NODES = np.concatenate([-_XK, [0.0], _XK[::-1]])
_WK = np.concatenate([_WK_HALF, [_WK_CENTRE], _WK_HALF[::-1]])
_WG = np.concatenate([_WG_HALF, [0.0], _WG_HALF[::-1]])

#: A panel is accepted when |Kronrod − Gauss| is below this share of the whole integral (the
#: Kronrod sum, exact for polynomials of degree 31, is then good to about 1e-14).
_RTOL = 1e-9
#: Most panels per integral (a stack of halved panels); narrower panels are accepted as they are.
_MAX_PANELS = 400
_STACK = 64
#: Rescale the running sums when a node's log-integrand exceeds the reference by this much.
_RESCALE = 30.0
#: Integrals over an infinite horizon stop where the integrand is below e^-_LOG_TAIL.
_LOG_TAIL = 60.0
_GRADIENT = cast(bool, np.bool_(True))
_NO_GRADIENT = cast(bool, np.bool_(False))


# --------------------------------------------------------------------------------------------
# Small helpers


@jit
def log_d(beta: float, bt: float) -> float:
    """``log(β + e^(bτ) − 1)`` for ``bt = b τ >= 0`` (no overflow, exact as ``b → 0``)."""
    if bt < 30.0:
        return math.log(beta + math.expm1(bt))
    return bt + math.log1p((beta - 1.0) * math.exp(-bt))


@jit
def residual_beta(b: float, beta: float, T: float) -> float:
    """``β_T = β e^(−bT) + 1 − e^(−bT)``: the lifetime scale of a customer alive at ``T``."""
    return beta * math.exp(-b * T) - math.expm1(-b * T)


@jit
def _sigmoid_softplus(g: float) -> tuple[float, float]:
    """``(e^g / (1 + e^g), log(1 + e^g))`` from one exponential."""
    if g == -math.inf:
        return 0.0, 0.0
    if g > 0.0:
        e = math.exp(-g)
        return 1.0 / (1.0 + e), g + math.log1p(e)
    e = math.exp(g)
    return e / (1.0 + e), math.log1p(e)


# --------------------------------------------------------------------------------------------
# The likelihood integral


@jit
def _purchase_integrand(
    u: float,
    p: float,
    n: float,
    b: float,
    s: float,
    beta: float,
    lo: float,
    big_a: float,
) -> tuple[float, float, float, float]:
    """``(φ, τ, log D(τ), bτ)`` at ``u``; ``φ`` is the log-integrand in ``u`` less its constant.

    ``τ = lo + A (e^u − 1)``; the integrand in ``u`` is ``A^(1−p) e^φ`` with
    ``φ = (1 − p) u + n log τ + b τ − (s + 1) log D(τ)``.
    """
    tau = lo + big_a * math.expm1(u)
    bt = b * tau
    ld = log_d(beta, bt)
    phi = (1.0 - p) * u + bt - (s + 1.0) * ld
    if n != 0.0:
        phi += n * math.log(tau)
    return phi, tau, ld, bt


@jit
def purchase_integral(
    p: float,
    n: float,
    alpha: float,
    b: float,
    s: float,
    beta: float,
    lo: float,
    hi: float,
    grad: bool,
) -> tuple[float, float, float, float, float, float]:
    """``log ∫_lo^hi τ^n e^(bτ) (α + τ)^(−p) D(τ)^(−(s+1)) dτ`` and means of the derivatives.

    Returns ``log I`` and, under the normalised integrand (when ``grad``), the means of
    ``log(α + τ)``, ``1 / (α + τ)``, ``τ − (s + 1) τ e^(bτ) / D``, ``log D`` and ``1 / D``: the
    derivatives of ``log I`` are ``−E[log(α+τ)]`` (in ``p``), ``−p E[1/(α+τ)]`` (in ``α``),
    ``E[τ − (s+1) τ e^(bτ)/D]`` (in ``b``), ``−E[log D]`` (in ``s``), ``−(s+1) E[1/D]`` (in ``β``).
    ``−inf`` (and zeros) when ``hi <= lo``. ``n > 0`` needs ``lo = 0`` (the PMF).
    """
    if not hi > lo:
        return -math.inf, 0.0, 0.0, 0.0, 0.0, 0.0
    big_a = alpha + lo
    log_a = math.log(big_a)
    top = math.log1p((hi - lo) / big_a)
    stack_lo = np.empty(_STACK)
    stack_hi = np.empty(_STACK)
    stack_lo[0] = 0.0
    stack_hi[0] = top
    depth = 1
    stack_share = np.zeros(_STACK)  # a pending panel's share of its parent's estimate
    ref = _purchase_integrand(0.0 if n == 0.0 else 0.5 * top, p, n, b, s, beta, lo, big_a)[0]
    whole = 0.0  # the running estimate of the integral: accepted + pending panels (e^ref units)
    total = 0.0
    m_u = 0.0
    m_inv = 0.0
    m_b = 0.0
    m_ld = 0.0
    m_id = 0.0
    panels = 0
    while depth > 0:
        depth -= 1
        a = stack_lo[depth]
        c = stack_hi[depth]
        share = stack_share[depth]
        mid = 0.5 * (a + c)
        half = 0.5 * (c - a)
        kron = 0.0
        gauss = 0.0
        k_u = 0.0
        k_inv = 0.0
        k_b = 0.0
        k_ld = 0.0
        k_id = 0.0
        for j in range(21):
            u = mid + half * _NODES[j]
            phi, tau, ld, bt = _purchase_integrand(u, p, n, b, s, beta, lo, big_a)
            if phi > ref + _RESCALE:
                scale = math.exp(ref - phi)
                total *= scale
                m_u *= scale
                m_inv *= scale
                m_b *= scale
                m_ld *= scale
                m_id *= scale
                kron *= scale
                gauss *= scale
                k_u *= scale
                k_inv *= scale
                k_b *= scale
                k_ld *= scale
                k_id *= scale
                whole *= scale
                share *= scale
                for k in range(depth):
                    stack_share[k] *= scale
                ref = phi
            e = math.exp(phi - ref)
            wk = _WK[j] * e
            kron += wk
            gauss += _WG[j] * e
            if grad:
                inv_d = math.exp(-ld)
                k_u += wk * u
                k_inv += wk * math.exp(-u)
                k_b += wk * tau * (1.0 - (s + 1.0) * math.exp(bt) * inv_d)
                k_ld += wk * ld
                k_id += wk * inv_d
        panels += 1
        whole += kron * half - share
        if (
            abs(kron - gauss) * half <= _RTOL * whole
            or depth + 2 > _STACK
            or panels >= _MAX_PANELS
            or half <= 1e-13 * (1.0 + abs(mid))
        ):
            total += kron * half
            m_u += k_u * half
            m_inv += k_inv * half
            m_b += k_b * half
            m_ld += k_ld * half
            m_id += k_id * half
        else:
            stack_lo[depth] = mid
            stack_hi[depth] = c
            stack_lo[depth + 1] = a
            stack_hi[depth + 1] = mid
            stack_share[depth] = stack_share[depth + 1] = 0.5 * kron * half
            depth += 2
    if not total > 0.0:
        return -math.inf, 0.0, 0.0, 0.0, 0.0, 0.0
    log_i = ref + math.log(total) + (1.0 - p) * log_a
    if not grad:
        return log_i, 0.0, 0.0, 0.0, 0.0, 0.0
    return (
        log_i,
        log_a + m_u / total,
        m_inv / total / big_a,
        m_b / total,
        m_ld / total,
        m_id / total,
    )


# --------------------------------------------------------------------------------------------
# One customer


@jit
def customer_terms(
    r: float,
    alpha: float,
    b: float,
    s: float,
    beta: float,
    x: float,
    t_x: float,
    T: float,
    grad: bool,
) -> tuple[float, float, float, float, float, float, float]:
    """``log L`` of one customer, its derivatives in ``(r, α, b, s, β)`` and ``G = log(L2/L1)``."""
    p = r + x
    log_at = math.log(alpha + T)
    bt = b * T
    ld_t = log_d(beta, bt)
    log_l1 = lgamma_ratio(r, x) + r * math.log(alpha) - p * log_at + s * (math.log(beta) - ld_t)
    log_i, e_la, e_inv, e_b, e_ld, e_id = purchase_integral(p, 0.0, alpha, b, s, beta, t_x, T, grad)
    if log_i == -math.inf:
        g = -math.inf
    else:
        g = math.log(b) + math.log(s) + log_i + p * log_at + s * ld_t
    sig, soft = _sigmoid_softplus(g)
    if not grad:
        return log_l1 + soft, 0.0, 0.0, 0.0, 0.0, 0.0, g
    # derivatives of log L1, and of G (weighted by sig = L2 / L)
    et_over_d = math.exp(bt - ld_t)
    d_r = digamma_ratio(r, x) + math.log(alpha) - log_at
    d_a = r / alpha - p / (alpha + T)
    d_b = -s * T * et_over_d
    d_s = math.log(beta) - ld_t
    d_beta = s / beta - s / math.exp(ld_t)
    if sig > 0.0:
        d_r += sig * (log_at - e_la)
        d_a += sig * (p / (alpha + T) - p * e_inv)
        d_b += sig * (1.0 / b + s * T * et_over_d + e_b)
        d_s += sig * (1.0 / s + ld_t - e_ld)
        d_beta += sig * (s * math.exp(-ld_t) - (s + 1.0) * e_id)
    return log_l1 + soft, d_r, d_a, d_b, d_s, d_beta, g


@jit
def alive_one(
    r: float, alpha: float, b: float, s: float, beta: float, x: float, t_x: float, T: float
) -> float:
    """P(alive | x, t_x, T) = 1 / (1 + e^G) of one customer."""
    g = customer_terms(r, alpha, b, s, beta, x, t_x, T, _NO_GRADIENT)[6]
    if g > 0.0:
        e = math.exp(-g)
        return e / (1.0 + e)
    return 1.0 / (1.0 + math.exp(g))


# --------------------------------------------------------------------------------------------
# The lifetime integral


@jit
def _survival_log(v: float, b: float, s: float, beta: float, scale: float, delta: float) -> float:
    """Log-integrand of :func:`lifetime_integral` in ``v``: ``v − δu + log S(u)``.

    ``u = B (e^v − 1)`` with ``B = β / b``.
    """
    u = scale * math.expm1(v)
    bu = beta * math.expm1(v)  # = b u
    if bu < 30.0:
        log_s = -s * math.log1p(math.expm1(bu) / beta)
    else:
        log_s = -s * (bu - math.log(beta) + math.log1p((beta - 1.0) * math.exp(-bu)))
    return v - delta * u + log_s


@jit
def lifetime_integral(b: float, s: float, beta: float, delta: float, horizon: float) -> float:
    """``∫_0^h e^(−δu) S(u) du`` with ``S(u) = (β / (β + e^(bu) − 1))^s`` (``h`` may be inf).

    The expected (discounted) time alive in ``(0, h]`` of a new customer. In ``v = log(1 + u/B)``,
    ``B = β / b`` (the Pareto/NBD limit's scale), the integrand is ``B e^(v − δu) S(u)``; an
    infinite horizon stops where ``e^(−δu) S(u) < e^(−60)``.
    """
    if not horizon > 0.0:
        return 0.0
    scale = beta / b
    # where S(u) = e^-_LOG_TAIL, and where e^(-δu) = e^-_LOG_TAIL
    level = _LOG_TAIL / s
    bu = math.log1p(beta * math.expm1(level)) if level < 700.0 else math.log(beta) + level
    end = max(bu, 1e-300) / b
    if delta > 0.0:
        end = min(end, _LOG_TAIL / delta)
    end = min(end, horizon)
    top = math.log1p(end / scale)
    stack_lo = np.empty(_STACK)
    stack_hi = np.empty(_STACK)
    stack_lo[0] = 0.0
    stack_hi[0] = top
    depth = 1
    stack_share = np.zeros(_STACK)
    ref = 0.0  # the log-integrand at v = 0
    whole = 0.0
    total = 0.0
    panels = 0
    while depth > 0:
        depth -= 1
        a = stack_lo[depth]
        c = stack_hi[depth]
        share = stack_share[depth]
        mid = 0.5 * (a + c)
        half = 0.5 * (c - a)
        kron = 0.0
        gauss = 0.0
        for j in range(21):
            phi = _survival_log(mid + half * _NODES[j], b, s, beta, scale, delta)
            if phi > ref + _RESCALE:
                factor = math.exp(ref - phi)
                total *= factor
                kron *= factor
                gauss *= factor
                whole *= factor
                share *= factor
                for k in range(depth):
                    stack_share[k] *= factor
                ref = phi
            e = math.exp(phi - ref)
            kron += _WK[j] * e
            gauss += _WG[j] * e
        panels += 1
        whole += kron * half - share
        if (
            abs(kron - gauss) * half <= _RTOL * whole
            or depth + 2 > _STACK
            or panels >= _MAX_PANELS
            or half <= 1e-13 * (1.0 + abs(mid))
        ):
            total += kron * half
        else:
            stack_lo[depth] = mid
            stack_hi[depth] = c
            stack_lo[depth + 1] = a
            stack_hi[depth + 1] = mid
            stack_share[depth] = stack_share[depth + 1] = 0.5 * kron * half
            depth += 2
    return scale * math.exp(ref) * total


@jit
def conditional_one(
    r: float,
    alpha: float,
    b: float,
    s: float,
    beta: float,
    t: float,
    x: float,
    t_x: float,
    T: float,
) -> float:
    """``E[X(T, T + t) | x, t_x, T] = P(alive) (r + x)/(α + T) ∫_0^t S_T(u) du``."""
    alive = alive_one(r, alpha, b, s, beta, x, t_x, T)
    return (
        alive * (r + x) / (alpha + T) * lifetime_integral(b, s, residual_beta(b, beta, T), 0.0, t)
    )


@jit
def discounted_one(
    r: float,
    alpha: float,
    b: float,
    s: float,
    beta: float,
    delta: float,
    horizon: float,
    x: float,
    t_x: float,
    T: float,
) -> float:
    """``∫_0^H e^(−δt) dE[X(T, T + t) | x, t_x, T]`` of one customer (DERT for ``H = inf``)."""
    alive = alive_one(r, alpha, b, s, beta, x, t_x, T)
    life = lifetime_integral(b, s, residual_beta(b, beta, T), delta, horizon)
    return alive * (r + x) / (alpha + T) * life


@jit
def pmf_value(r: float, alpha: float, b: float, s: float, beta: float, n: float, t: float) -> float:
    """``P(X(t) = n)`` of a new customer.

    Conditioning on the lifetime ``τ``: alive at ``t`` (probability ``S(t)``) the count is
    NBD; else it is NBD over ``(0, τ]``::

        Γ(r+n)/(Γ(r) n!) [ (α/(α+t))^r (t/(α+t))^n S(t)
                           + b s α^r β^s ∫_0^t τ^n e^(bτ) (α+τ)^(−(r+n)) D(τ)^(−(s+1)) dτ ].
    """
    if t == 0.0:
        return 1.0 if n == 0.0 else 0.0
    head = lgamma_ratio(r, n) - math.lgamma(n + 1.0)
    first = (
        head
        + r * (math.log(alpha) - math.log(alpha + t))
        - s * (log_d(beta, b * t) - math.log(beta))
    )
    if n > 0.0:
        first += n * (math.log(t) - math.log(alpha + t))
    log_i = purchase_integral(r + n, n, alpha, b, s, beta, 0.0, t, _NO_GRADIENT)[0]
    second = head + math.log(b) + math.log(s) + r * math.log(alpha) + s * math.log(beta) + log_i
    return min(1.0, math.exp(first) + math.exp(second))


# --------------------------------------------------------------------------------------------
# Vectorised kernels (rows lo..hi-1, on threads from the wrappers)


@jit
def _loglik_rows(
    r: float,
    b: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    terms: _Floats,
    lo: int,
    hi: int,
) -> None:
    for i in range(lo, hi):
        values = customer_terms(r, alpha[i], b, s, beta[i], x[i], t_x[i], T[i], _GRADIENT)
        for c in range(7):
            terms[i, c] = values[c]


@jit
def _alive_rows(
    r: float,
    b: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    for i in range(lo, hi):
        out[i] = alive_one(r, alpha[i], b, s, beta[i], x[i], t_x[i], T[i])


@jit
def _discounted_rows(
    r: float,
    b: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    delta: float,
    horizon: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    for i in range(lo, hi):
        out[i] = discounted_one(r, alpha[i], b, s, beta[i], delta, horizon[i], x[i], t_x[i], T[i])


@jit
def _expected_new_rows(
    r: float, alpha: float, b: float, s: float, beta: float, t: _Floats, out: _Floats
) -> None:
    for i in range(t.shape[0]):
        out[i] = r / alpha * lifetime_integral(b, s, beta, 0.0, t[i])


@jit
def _pmf_new_rows(
    r: float,
    alpha: float,
    b: float,
    s: float,
    beta: float,
    n: _Floats,
    t: _Floats,
    out: _Floats,
) -> None:
    for i in range(t.shape[0]):
        out[i] = pmf_value(r, alpha, b, s, beta, n[i], t[i])


@jit
def _conditional_pmf_rows(
    r: float,
    b: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    n: _Floats,
    t: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    out: _Floats,
) -> None:
    for i in range(x.shape[0]):
        alive = alive_one(r, alpha[i], b, s, beta[i], x[i], t_x[i], T[i])
        later = residual_beta(b, beta[i], T[i])
        value = alive * pmf_value(r + x[i], alpha[i] + T[i], b, s, later, n[i], t[i])
        if n[i] == 0.0:
            value += 1.0 - alive
        out[i] = min(1.0, value)


#: Rows from which the wrappers split the work over threads (each row costs microseconds).
PARALLEL_MIN_ROWS = 2_000


def loglik_terms(
    r: float,
    b: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
) -> _Floats:
    """Per row: ``log L``, its derivatives in ``(r, α_i, b, s, β_i)`` and ``G``; shape (m, 7).

    ``alpha`` and ``beta`` hold one value per row (the covariate models' ``α_i``, ``β_i``; the
    plain model repeats ``α`` and ``β``). ``P(alive) = 1 / (1 + e^G)``.
    """
    a, be, xs, tx, tt = (frozen(v) for v in (alpha, beta, x, t_x, T))
    terms = np.empty((xs.shape[0], 7))

    def block(lo: int, hi: int) -> Any:
        return _loglik_rows(float(r), float(b), float(s), a, be, xs, tx, tt, terms, lo, hi)

    over_range(block, xs.shape[0], xs.shape[0] >= PARALLEL_MIN_ROWS)
    return terms


def alive_probability(
    r: float,
    b: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
) -> _Floats:
    """``P(alive | x, t_x, T)`` per row (``alpha``, ``beta`` per row)."""
    a, be, xs, tx, tt = (frozen(v) for v in (alpha, beta, x, t_x, T))
    out = np.empty(xs.shape[0])

    def block(lo: int, hi: int) -> Any:
        return _alive_rows(float(r), float(b), float(s), a, be, xs, tx, tt, out, lo, hi)

    over_range(block, xs.shape[0], xs.shape[0] >= PARALLEL_MIN_ROWS)
    return out


def discounted_expected(
    r: float,
    b: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    delta: float,
    horizon: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
) -> _Floats:
    """``P(alive) (r + x)/(α + T) ∫_0^h e^(−δu) S_T(u) du`` per row.

    With ``δ = 0`` and a finite ``h`` the conditional expectation of purchases in ``(T, T + h]``;
    with ``h = inf`` the discounted expected residual transactions.
    """
    a, be, hz, xs, tx, tt = (frozen(v) for v in (alpha, beta, horizon, x, t_x, T))
    out = np.empty(xs.shape[0])

    def block(lo: int, hi: int) -> Any:
        return _discounted_rows(
            float(r), float(b), float(s), a, be, float(delta), hz, xs, tx, tt, out, lo, hi
        )

    over_range(block, xs.shape[0], xs.shape[0] >= PARALLEL_MIN_ROWS)
    return out


def expected_new(r: float, alpha: float, b: float, s: float, beta: float, t: _Floats) -> _Floats:
    """``E[X(t)] = r/α ∫_0^t S(u) du`` for a new customer."""
    ts = frozen(t)
    out = np.empty(ts.shape[0])
    _expected_new_rows(float(r), float(alpha), float(b), float(s), float(beta), ts, out)
    return out


def pmf_new(
    r: float, alpha: float, b: float, s: float, beta: float, n: _Floats, t: _Floats
) -> _Floats:
    """``P(X(t) = n)`` for a new customer; see :func:`pmf_value`."""
    ns, ts = frozen(n), frozen(t)
    out = np.empty(ts.shape[0])
    _pmf_new_rows(float(r), float(alpha), float(b), float(s), float(beta), ns, ts, out)
    return out


def conditional_pmf(
    r: float,
    b: float,
    s: float,
    alpha: _Floats,
    beta: _Floats,
    n: _Floats,
    t: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
) -> _Floats:
    """``P(X(T, T + t) = n | x, t_x, T)`` per row.

    ``P(alive) P_new(n, t; r + x, α + T, b, s, β_T) + δ_{n=0} (1 − P(alive))``.
    """
    a, be, ns, ts, xs, tx, tt = (frozen(v) for v in (alpha, beta, n, t, x, t_x, T))
    out = np.empty(xs.shape[0])
    _conditional_pmf_rows(float(r), float(b), float(s), a, be, ns, ts, xs, tx, tt, out)
    return out


def warm_up() -> None:
    """Compile (or load from the cache) every kernel of this module on tiny inputs."""
    one = np.ones(1)
    loglik_terms(1.0, 0.1, 1.0, one, one * 2.0, one, one * 0.5, one)
    alive_probability(1.0, 0.1, 1.0, one, one * 2.0, one, one * 0.5, one)
    discounted_expected(1.0, 0.1, 1.0, one, one * 2.0, 0.1, one, one, one * 0.5, one)
    expected_new(1.0, 1.0, 0.1, 1.0, 2.0, one)
    pmf_new(1.0, 1.0, 0.1, 1.0, 2.0, one, one)
    conditional_pmf(1.0, 0.1, 1.0, one, one * 2.0, one, one, one, one * 0.5, one)
    alive_one(1.0, 1.0, 0.1, 1.0, 2.0, 1.0, 0.5, 1.0)
    conditional_one(1.0, 1.0, 0.1, 1.0, 2.0, 1.0, 1.0, 0.5, 1.0)
    discounted_one(1.0, 1.0, 0.1, 1.0, 2.0, 0.1, math.inf, 1.0, 0.5, 1.0)
