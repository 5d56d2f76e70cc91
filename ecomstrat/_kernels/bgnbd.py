"""BG/NBD kernels: log-likelihood with its gradient, and the per-customer predictions.

Notation of Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing
Science 24(2): purchase rates ``λ ~ Gamma(r, α)``, dropout probabilities ``p ~ Beta(a, b)``;
a customer has ``x`` repeat purchases, the last at ``t_x``, and age ``T``.

Everything is computed in log space where magnitudes can overflow. The Gauss hypergeometric
function is evaluated by :func:`log_hyp2f1_pos`: its Euler transform (so that, for the
conditional expectations, the parameters do not grow with ``x``), summed as a series for
``z <= 3/4`` and continued towards ``z = 1`` by Taylor steps of the hypergeometric
ODE (each step at most half the distance to the singularity), so that ``z`` arbitrarily close
to 1 costs O(log(1 / (1 - z))) work instead of O(1 / (1 - z)) series terms.

Per-customer predictions depend on the history through ``(x, T)`` (and ``t_x`` only via
P(alive)); real customer bases repeat those pairs (``T`` in whole days), so each block of
customers keeps a small cache of the posterior expectations (:func:`posterior`).

The MBG/NBD of Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison
of models for customer base analysis", IJRM 24(3), lets a customer drop out at time 0 too:
with ``p ~ Beta(a, b)`` there are ``x + 1`` dropout opportunities after ``x`` repeat
purchases instead of ``x``. Every quantity is then a BG/NBD quantity with ``b`` shifted by
one, so both models run the same kernels with ``shift = 0`` (BG/NBD) or ``shift = 1``
(MBG/NBD).

Each kernel takes a range of rows (or of fixed chunks, for the likelihood); the plain-Python
wrappers below run it on all rows, or on blocks of rows on several threads (``parallel``).
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias, cast

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, jit, over_range
from ecomstrat._kernels.special import digamma, log_add_exp, log_beta, log_sub_exp

_Floats: TypeAlias = NDArray[np.float64]

#: Patterns (or customers) from which the parallel kernels are used.
PARALLEL_MIN_ROWS = 20_000
#: The likelihood is reduced over this many fixed chunks (per-chunk partial sums, then a
#: serial reduction: the result does not depend on the number of threads).
N_CHUNKS = 64

_TOL = 1e-17
#: Largest ``z`` summed as a plain Gauss series; beyond it the series is tried with a term
#: budget and the ODE continuation takes over.
_SERIES_Z = 0.75
_SERIES_BUDGET = 400
#: Term budgets passed as arguments. numpy integers, not Python ones: numba compiles a separate
#: specialisation of the callee for every distinct literal ``int`` argument.
_UNLIMITED = cast(int, np.int64(100_000_000))
_CONNECTION_BUDGET = cast(int, np.int64(100_000))
#: Cap on the Taylor terms of one ODE step (a stable step needs about 60).
_TAYLOR_MAX_TERMS = 20_000
#: Largest |c - a - b| for which 2F1 is continued along its ODE (see _near_one_budget).
_WALK_MAX_EXCESS = 8.0
_WALK_START = 0.5
_RESCALE = 1e200
_LOG_RESCALE = math.log(_RESCALE)

#: Gauss-Legendre rule on [0, 1] used panel by panel (panels of at most one unit of log-time).
_GL_X, _GL_W = np.polynomial.legendre.leggauss(12)
_GL_NODES = np.ascontiguousarray(0.5 * (_GL_X + 1.0))
_GL_WEIGHTS = np.ascontiguousarray(0.5 * _GL_W)
_PANEL = 1.0
#: Above this r, the first panel of the derivative integral is _PANEL_RATE / r wide.
_PANEL_RATE = 4.0
#: An infinite horizon is cut where the discount factor has fallen below exp(-_CUTOFF).
_CUTOFF = 45.0


# ------------------------------------------------------------------ Gauss hypergeometric 2F1


@jit
def _tail_factor(a: float, b: float, c: float, z: float, k: float) -> float:
    """A bound ``G`` with ``Σ_{j>k} |t_j| <= G |t_k|`` for the Gauss series, or inf.

    ``t_{j+1}/t_j = f(j) z`` with ``f(j) = 1 + (Lj + M)/((c+j)(j+1))``, ``L = a+b-c-1``,
    ``M = ab - c``. For ``j >= k >= max(0, -a, -b, -c)`` every factor is positive and
    ``f(j) <= 1 + (L⁺ + M⁺/(c+k))/(k+1)``, giving a geometric bound. When ``L < 0``,
    ``f(j) <= 1 - σ/(j+1)`` with ``σ = (|L|k - M)/(c+k)`` (increasing in ``j``), so
    ``t_j <= t_k ((k+1)/(j+1))^σ z^(j-k)``: the tail is also at most ``(k+1)/(σ-1) t_k``,
    which certifies convergence near ``z = 1`` when ``c - a - b`` is large.
    """
    if k < max(0.0, -a, -b, -c):
        return math.inf
    big_l = a + b - c - 1.0
    big_m = a * b - c
    best = math.inf
    m = (1.0 + (max(big_l, 0.0) + max(big_m, 0.0) / (c + k)) / (k + 1.0)) * z
    if m < 1.0:
        best = m / (1.0 - m)
    if big_l < 0.0:
        sigma = (-big_l * k - big_m) / (c + k)
        if sigma >= 0.0 and z < 1.0:
            best = min(best, z / (1.0 - z))
        if sigma > 1.0:
            best = min(best, (k + 1.0) / (sigma - 1.0))
    return best


@jit
def _series(a: float, b: float, c: float, z: float, budget: int) -> tuple[float, float, float]:
    """Gauss series of F(a, b; c; z): ``(log_scale, value, z * F'(z))``, NaN past ``budget``.

    ``F = exp(log_scale) * value``; terms are rescaled before they overflow. Used with
    positive parameters (every term positive) and ``z <= 1/2``-ish, where the geometric tail
    bound holds for the derivative too.
    """
    value = 1.0
    dsum = 0.0
    scale = 0.0
    term = 1.0
    for k in range(budget):
        kf = float(k)
        ratio = (a + kf) * (b + kf) / ((c + kf) * (kf + 1.0))
        term *= ratio * z
        if term == 0.0:
            return scale, value, dsum
        value += term
        dsum += (kf + 1.0) * term
        if abs(term) > _RESCALE or abs(value) > _RESCALE:
            term /= _RESCALE
            value /= _RESCALE
            dsum /= _RESCALE
            scale += _LOG_RESCALE
        g = _tail_factor(a, b, c, z, kf + 1.0)
        if g < math.inf:
            bound = abs(term) * g
            dbound = abs(term) * ((kf + 2.0) * g + g * (1.0 + g))
            if bound <= _TOL * abs(value) and dbound <= _TOL * (abs(dsum) + abs(value)):
                return scale, value, dsum
    return scale, math.nan, math.nan


@jit
def _series_log(a: float, b: float, c: float, z: float, budget: int) -> tuple[float, float]:
    """``(log F, conditioning)`` of the Gauss series; NaN when ``budget`` terms did not suffice.

    The tail (terms ``k >= 1``) is summed apart from the constant term and returned through
    ``log1p``, which keeps relative accuracy when every term carries a small factor (``a - 1``
    with ``a`` near 1). ``conditioning`` is ``Σ|term| / |Σ term|``: the factor by which
    cancellation magnifies rounding errors (1 when all terms are positive).

    Convergence is checked every 4 terms, relative to the tail itself; for ``z <= 3/4`` with
    the geometric bound of :func:`_tail_factor` (constants hoisted out of the loop), beyond
    with the full bound (algebraic decay near ``z = 1``).
    """
    tail = 0.0
    size = 1.0
    term = 1.0
    start = max(0.0, -a, -b, -c)
    l_plus = max(a + b - c - 1.0, 0.0)
    m_plus = max(a * b - c, 0.0)
    near_one = z > _SERIES_Z
    for k in range(budget):
        kf = float(k)
        term *= (a + kf) * (b + kf) / ((c + kf) * (kf + 1.0)) * z
        if term == 0.0:
            break
        tail += term
        size += abs(term)
        if size > _RESCALE:
            if size != 1.0 + tail:  # huge terms of both signs: hopelessly ill-conditioned
                return math.nan, math.inf
            scale, value, _ = _series(a, b, c, z, 100 * budget)
            if not value > 0.0:
                return math.nan, math.inf
            return scale + math.log(value), 1.0
        if (k & 3) == 3 and kf + 1.0 >= start:
            target = _TOL * max(abs(tail), 1e-30 * abs(1.0 + tail))
            if near_one:
                if abs(term) * _tail_factor(a, b, c, z, kf + 1.0) <= target:
                    break
            else:
                m = (1.0 + (l_plus + m_plus / (c + kf + 1.0)) / (kf + 2.0)) * z
                if m < 1.0 and abs(term) * m / (1.0 - m) <= target:
                    break
    else:
        return math.nan, math.inf
    if not tail > -1.0:
        return math.nan, math.inf
    return math.log1p(tail), size / (1.0 + tail)


@jit
def _taylor_step(
    a: float, b: float, c: float, z0: float, w0: float, f: float, fp: float, h: float
) -> tuple[float, float, float]:
    """Advance ``(F, F')`` from ``z0`` (``w0 = 1 - z0``) to ``z0 + h`` along the 2F1 ODE.

    ``z(1-z)F'' + (c - (a+b+1)z)F' - abF = 0`` gives the Taylor coefficients at ``z0`` by a
    three-term recurrence; with ``h <= min(z0, w0) / 2`` they decay at least like ``2^-n``
    once ``n`` exceeds the size of the recurrence's coefficients. With positive ``a, b, c``
    every coefficient is positive (they are derivatives of a 2F1 with positive parameters),
    so the sum has no cancellation. Returns ``(log_scale, F, F')`` with both scaled by
    ``exp(-log_scale)``.
    """
    p = c - (a + b + 1.0) * z0
    q = w0 - z0
    d = z0 * w0
    d0 = f
    d1 = fp * h
    value = d0 + d1
    slope = fp
    scale = 0.0
    for n in range(_TAYLOR_MAX_TERMS):
        nf = float(n)
        d2 = ((nf + a) * (nf + b) * h * h * d0 - (nf + 1.0) * (q * nf + p) * h * d1) / (
            d * (nf + 1.0) * (nf + 2.0)
        )
        value += d2
        slope += (nf + 2.0) * d2 / h
        if n > 2 and (abs(d1) + abs(d2)) * (nf + 3.0) <= _TOL * abs(value):
            return scale, value, slope
        if abs(value) > _RESCALE:
            d1 /= _RESCALE
            d2 /= _RESCALE
            value /= _RESCALE
            slope /= _RESCALE
            scale += _LOG_RESCALE
        d0 = d1
        d1 = d2
    return scale, math.nan, math.nan


@jit
def _walk(
    a: float, b: float, c: float, z0: float, w0: float, scale: float, f: float, fp: float, w1: float
) -> tuple[float, float, float, float, float]:
    """Continue ``F = exp(scale) * f`` (``F' = exp(scale) * fp``) from ``w0`` to ``w1 < w0``.

    Returns ``(z, w, scale, f, fp)`` at ``w1``; ``f`` is kept at magnitude 1.
    """
    while w0 > w1:
        h = 0.5 * min(z0, w0)
        last = w0 - w1 <= h
        if last:
            h = w0 - w1
        grown, f, fp = _taylor_step(a, b, c, z0, w0, f, fp, h)
        size = abs(f)
        if not (size > 0.0 and math.isfinite(size)):
            return z0, w0, math.nan, math.nan, math.nan
        scale += grown + math.log(size)
        f /= size
        fp /= size
        if last:
            z0 = 1.0 - w1
            w0 = w1
        else:
            z0 += h
            w0 -= h
    return z0, w0, scale, f, fp


@jit
def _walk_start(a: float, b: float, c: float, w: float) -> tuple[float, float, float, float]:
    """Start of a walk towards ``w``: ``(w0, log_scale, f, fp)`` with F and F' at ``1 - w0``.

    The Taylor recurrence also carries the solution ``z^(1-c)`` of the ODE, which rounding
    excites and which grows like ``exp(c h / z0)`` over a step of length ``h``: the walk
    starts at ``w0 = max(w, min(1/2, 4/c))`` (by the series, about ``40 c`` terms at most),
    where ``c h / z0 <= 2``, and every later step is shorter.
    """
    w0 = max(w, min(_WALK_START, 4.0 / c))
    z0 = 1.0 - w0
    scale, value, zfp = _series(a, b, c, z0, _UNLIMITED)
    return w0, scale, value, zfp / z0


@jit
def _log_hyp2f1_series(a: float, b: float, c: float, z: float, w: float, budget: int) -> float:
    """Log 2F1 by the better-conditioned of the two Euler forms; NaN past ``budget`` terms."""
    excess = c - a - b
    if excess < 0.0:
        # The Euler form 2F1(c-a, c-b; c; z) (1-z)^(c-a-b) has parameters that do not grow
        # with x in the BTYD formulas; use it unless cancellation spoils it.
        value, conditioning = _series_log(c - a, c - b, c, z, budget)
        if not math.isnan(value) and conditioning <= 1e4:
            return excess * math.log(w) + value
    value, _ = _series_log(a, b, c, z, budget)
    return value


@jit
def _near_one_budget(a: float, b: float, c: float) -> int:
    """Series terms allowed beyond ``z = 3/4`` before the other methods are tried.

    With ``|c - a - b| > 8`` one of the two Euler forms is regular at ``z = 1`` and its
    terms decay like ``k^-(|c-a-b|+1)``: the series is certified by the algebraic tail bound
    (and the ODE walk would be unstable, its recurrence also carrying ``(1-z)^(c-a-b)``), so
    the series gets a large budget. Otherwise the walk is stable and cheap.
    """
    if abs(c - a - b) > _WALK_MAX_EXCESS:
        return 200_000
    return _SERIES_BUDGET


@jit
def _log_hyp2f1_connection(a: float, b: float, c: float, w: float) -> float:
    """Log 2F1 near ``z = 1`` by the connection formula, for ``μ = a + b - c > 8``.

    ``F = Γ(c)Γ(μ)/(Γ(a)Γ(b)) w^-μ Σ_{n<μ-1} (c-a)_n (c-b)_n / ((1-μ)_n n!) w^n + R``
    (Abramowitz & Stegun 15.3.6 after Euler's transformation, or 15.3.12 when ``μ`` is an
    integer), where the remainder ``R`` (the rest of the series and the term regular at
    ``z = 1``, with ``log w`` for integer ``μ``) is of relative order ``w^μ``. The sum is
    stopped once its terms are negligible, and ``R`` is bounded by
    ``|Γ(c)/(Γ(a-μ)Γ(b-μ))| (|log w| + 2 log(a+b+μ+2) + 2) F(a, b; 1+μ; w) / μ!``; NaN when
    that bound is not negligible or the sum does not settle before the resonance at
    ``n = μ - 1``.
    """
    mu = a + b - c
    log_first = -mu * math.log(w) + math.lgamma(c) + math.lgamma(mu)
    log_first -= math.lgamma(a) + math.lgamma(b)
    total = 1.0
    term = 1.0
    settled = False
    for k in range(math.ceil(mu) - 3):
        kf = float(k)
        ratio = (c - a + kf) * (c - b + kf) / ((1.0 - mu + kf) * (kf + 1.0)) * w
        term *= ratio
        total += term
        if abs(term) <= 1e-18 * abs(total) and abs(ratio) < 0.5:
            settled = True
            break
    if not settled or not total > 0.0:
        return math.nan
    log_first += math.log(total)
    log_rest = math.lgamma(c) - math.lgamma(mu + 1.0)
    for shifted in (a - mu, b - mu):
        if not (shifted <= 0.0 and shifted == math.floor(shifted)):  # else 1/Γ = 0
            log_rest -= math.lgamma(shifted)
    log_rest += math.log(abs(math.log(w)) + 2.0 * math.log(a + b + mu + 2.0) + 2.0)
    rest_series, _ = _series_log(a, b, 1.0 + mu, w, _CONNECTION_BUDGET)
    if math.isnan(rest_series) or log_rest + rest_series - log_first > -40.0:
        return math.nan
    return log_first


@jit
def log_hyp2f1_pos(a: float, b: float, c: float, z: float, w: float) -> float:
    """Log 2F1(a, b; c; z) for ``a, b, c > 0`` and ``0 <= z < 1``; ``w = 1 - z``.

    ``w`` is passed separately so that ``z`` extremely close to 1 keeps its precision (the
    callers compute ``w = β / (β + t)`` without cancellation). Up to ``z = 3/4`` the Gauss
    series is summed (Euler form when it is well conditioned); beyond, the series is tried
    with a term budget; if it does not converge, F comes from the connection formula at
    ``z = 1`` when ``a + b - c > 8``, else it is continued along the hypergeometric ODE in
    steps of half the remaining distance to 1.
    """
    if z == 0.0:
        return 0.0
    if z <= _SERIES_Z:
        return _log_hyp2f1_series(a, b, c, z, w, _UNLIMITED)
    budget = _near_one_budget(a, b, c)
    excess = c - a - b
    if excess < 0.0:
        value, conditioning = _series_log(c - a, c - b, c, z, budget)
        if not math.isnan(value) and conditioning <= 1e4:
            return excess * math.log(w) + value
        if -excess > _WALK_MAX_EXCESS:
            value = _log_hyp2f1_connection(a, b, c, w)
            if not math.isnan(value):
                return value
    value, _ = _series_log(a, b, c, z, budget)
    if not math.isnan(value):
        return value
    w0, scale, f, fp = _walk_start(a, b, c, w)
    _, _, scale, f, _ = _walk(a, b, c, 1.0 - w0, w0, scale, f, fp, w)
    return scale + math.log(f) if f > 0.0 else math.nan


# ------------------------------------------------------------- negative binomial and its tail


@jit
def _betacf(p: float, q: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab = p + q
    qap = p + 1.0
    qam = p - 1.0
    cc = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < tiny:
        d = tiny
    d = 1.0 / d
    h = d
    for m in range(1, 100_000):
        mf = float(m)
        m2 = 2.0 * mf
        aa = mf * (q - mf) * x / ((qam + m2) * (p + m2))
        d = 1.0 + aa * d
        if abs(d) < tiny:
            d = tiny
        cc = 1.0 + aa / cc
        if abs(cc) < tiny:
            cc = tiny
        d = 1.0 / d
        h *= d * cc
        aa = -(p + mf) * (qab + mf) * x / ((p + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < tiny:
            d = tiny
        cc = 1.0 + aa / cc
        if abs(cc) < tiny:
            cc = tiny
        d = 1.0 / d
        delta = d * cc
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            return h
    return math.nan


@jit
def log_betainc(p: float, q: float, x: float, w: float) -> float:
    """Log of the regularised incomplete beta function I_x(p, q); ``w = 1 - x``."""
    if x <= 0.0:
        return -math.inf
    if w <= 0.0:
        return 0.0
    log_x = math.log(x)
    log_w = math.log(w)
    if x < (p + 1.0) / (p + q + 2.0):
        front = p * log_x + q * log_w - math.log(p) - log_beta(p, q)
        return front + math.log(_betacf(p, q, x))
    front = q * log_w + p * log_x - math.log(q) - log_beta(q, p)
    return log_sub_exp(0.0, front + math.log(_betacf(q, p, w)))


@jit
def log_nbd_pmf(r: float, n: float, log_z: float, log_w: float) -> float:
    """Log P(N = n) for the NBD ``Γ(r+n)/(Γ(r) n!) w^r z^n`` (``z = t/(α+t)``, ``w = 1-z``)."""
    if n == 0.0:
        return r * log_w
    return math.lgamma(r + n) - math.lgamma(r) - math.lgamma(n + 1.0) + r * log_w + n * log_z


@jit
def log_nbd_tail(r: float, n: float, z: float, w: float) -> float:
    """Log P(N >= n) for the same NBD: ``I_z(n, r)`` (0 for ``n = 0``)."""
    if n <= 0.0:
        return 0.0
    return log_betainc(n, r, z, w)


# ----------------------------------------------------------------- expected purchase counts


@jit
def _derivative_integral(
    r: float, beta: float, a: float, b: float, delta: float, horizon: float
) -> float:
    """``∫_0^H e^{-δt} dE[X(t)]`` for the BG/NBD process with parameters (r, β, a, b).

    The rate is ``dE/dt = (r/β) (β/(β+t))^(r+1) 2F1(r+1, b; a+b; t/(β+t))``; with
    ``v = log(1 + t/β)`` the integral is ``r ∫ e^{-(a-1)v} F̃(1-e^{-v}) e^{-δβ(e^v-1)} dv``
    with ``F̃ = 2F1(a+b-r-1, a; a+b; z)`` (Euler), integrated by Gauss-Legendre on panels of
    one unit of ``v``. The nodes increase, so F̃ is carried from node to node along the ODE.
    An infinite horizon (``δ > 0``) is cut where ``δβ(e^v-1) - (1-a)v`` exceeds 45.
    """
    if horizon <= 0.0:
        return 0.0
    if math.isinf(horizon):
        if delta <= 0.0:
            return (a + b - 1.0) / (a - 1.0) if a > 1.0 else math.inf
        top = math.log1p(_CUTOFF / (delta * beta))
        for _ in range(3):
            top = math.log1p((_CUTOFF + max(0.0, 1.0 - a) * top) / (delta * beta))
    else:
        top = math.log1p(horizon / beta)
    # dE/dt in v: r e^{v} (1-z)^(r+1) 2F1(r+1, b; a+b; z) = r e^{-rv} 2F1(...)
    fa = r + 1.0
    fb = b
    fc = a + b
    # Carrying F from node to node along its ODE is stable only for moderate |c - a - b|.
    walk_ok = abs(fc - fa - fb) <= _WALK_MAX_EXCESS
    # Panels of about _PANEL in v; above r = _PANEL_RATE the rate changes on a scale of 1/r near
    # v = 0 (e^{-rv} against the 2F1's growth), so the first panel is _PANEL_RATE / r wide and
    # each next one twice as wide, up to _PANEL: about log2(r) more panels, not r times as many.
    n_even = max(1, math.ceil(top / _PANEL))
    even = top / n_even
    width = even if r <= _PANEL_RATE else min(even, _PANEL_RATE / r)
    total = 0.0
    walking = False
    z0 = 0.0
    w0 = 1.0
    scale = 0.0
    f = 1.0
    fp = 0.0
    start = 0.0
    while start < top:
        width = min(width, top - start)
        for j in range(_GL_NODES.shape[0]):
            v = start + _GL_NODES[j] * width
            w = math.exp(-v)
            z = -math.expm1(-v)
            log_f = math.nan
            if z <= _SERIES_Z:
                log_f = _log_hyp2f1_series(fa, fb, fc, z, w, _UNLIMITED)
            elif not walk_ok:
                log_f = log_hyp2f1_pos(fa, fb, fc, z, w)
            elif not walking:
                log_f = _log_hyp2f1_series(fa, fb, fc, z, w, _near_one_budget(fa, fb, fc))
            if math.isnan(log_f):
                if not walking:
                    w0, scale, f, fp = _walk_start(fa, fb, fc, w)
                    z0 = 1.0 - w0
                    walking = True
                z0, w0, scale, f, fp = _walk(fa, fb, fc, z0, w0, scale, f, fp, w)
                log_f = scale + math.log(f) if f > 0.0 else math.nan
            log_g = -r * v + log_f - delta * beta * math.expm1(v)
            total += _GL_WEIGHTS[j] * width * math.exp(log_g)
        start += width
        if top - start <= 1e-12 * top:
            break
        width = min(2.0 * width, even)
    return r * total


@jit
def expected_count(r: float, beta: float, a: float, b: float, t: float) -> float:
    """E[X(t)] of the BG/NBD process with parameters (r, β, a, b) (FHL 2005, eq. 9).

    ``(a+b-1)/(a-1) [1 - (β/(β+t))^r 2F1(r, b; a+b-1; t/(β+t))]``, evaluated through the Euler
    transform ``(1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b-1; z)`` in log space, with ``expm1`` so that
    small ``t`` and ``a`` near 1 keep their relative accuracy. The formula is the analytic
    continuation of the expectation to ``a <= 1`` (the expectation is finite for every
    ``a > 0`` because ``X(t)`` never exceeds a Poisson count of mean ``λt``); when
    ``a + b <= 1`` (the 2F1 is then undefined) or ``a`` is within 1e-10 of 1 the derivative is
    integrated numerically instead.
    """
    if t <= 0.0:
        return 0.0
    c = a + b - 1.0
    if c <= 0.0 or abs(a - 1.0) < 1e-10:
        return _derivative_integral(r, beta, a, b, 0.0, t)
    w = beta / (beta + t)
    z = t / (beta + t)
    log_w = -math.log1p(t / beta)
    exponent = math.nan
    if a - 1.0 - r < 0.0:
        # Euler form: (1-z)^(a-1) 2F1(c-r, a-1; c; z), every series term carrying a-1.
        budget = _UNLIMITED if z <= _SERIES_Z else _near_one_budget(r, b, c)
        value, conditioning = _series_log(c - r, a - 1.0, c, z, budget)
        if not math.isnan(value) and conditioning <= 1e4:
            exponent = (a - 1.0) * log_w + value
    if math.isnan(exponent):
        first = r * log_w
        log_f = log_hyp2f1_pos(r, b, c, z, w)
        exponent = first + log_f
        if abs(exponent) < 1e-4 * (abs(first) + abs(log_f)):
            # a near 1 (or t tiny): the two logs cancel and the bracket would lose digits.
            return _derivative_integral(r, beta, a, b, 0.0, t)
    return c / (a - 1.0) * -math.expm1(exponent)


@jit
def alive_probability(
    r: float, alpha: float, a: float, b_x: float, x: float, t_x: float, T: float
) -> float:
    """``1 / (1 + a/b_x ((α+T)/(α+t_x))^(r+x))``: one ``log1p`` and one ``exp``.

    When the odds overflow the probability is 0 (its true value is below 1e-308).
    """
    odds = a / b_x * math.exp((r + x) * math.log1p((T - t_x) / (alpha + t_x)))
    return 1.0 / (1.0 + odds)


# ---------------------------------------------------------------------------- log-likelihood


@jit
def two_term_log_sum(u1: float, u2: float) -> tuple[float, float, float]:
    """``(log(e^u1 + e^u2), e^u1 / (e^u1 + e^u2), e^u2 / (e^u1 + e^u2))``.

    One ``exp`` and one ``log1p``; beyond a gap of 40 the smaller term (< 4e-18 relative) is
    dropped exactly, so no subnormal number is ever formed (they slow arithmetic down by
    orders of magnitude on x86).
    """
    d = u2 - u1
    if d > 40.0:
        return u2, 0.0, 1.0
    if d < -40.0:
        return u1, 1.0, 0.0
    if d > 0.0:
        e = math.exp(-d)
        return u2 + math.log1p(e), e / (1.0 + e), 1.0 / (1.0 + e)
    e = math.exp(d)
    return u1 + math.log1p(e), 1.0 / (1.0 + e), e / (1.0 + e)


@jit
def _x_terms(
    r: float, a: float, b: float, x: float, shift: float
) -> tuple[float, float, float, float]:
    """Terms of the log-likelihood that depend on x only, and their derivatives in (r, a, b).

    ``shift`` is 0 for the BG/NBD and 1 for the MBG/NBD (``x + 1`` dropout opportunities).
    """
    xs = x + shift
    const = math.lgamma(r + x) - math.lgamma(r) + log_beta(a, b + xs) - log_beta(a, b)
    d_ab = digamma(a + b) - digamma(a + b + xs)
    return (
        const,
        digamma(r + x) - digamma(r),
        d_ab,
        digamma(b + xs) - digamma(b) + d_ab,
    )


@jit
def _x_table(r: float, a: float, b: float, shift: float, max_x: int) -> NDArray[np.float64]:
    table = np.empty((max_x + 1, 4))
    for i in range(max_x + 1):
        c0, c1, c2, c3 = _x_terms(r, a, b, float(i), shift)
        table[i, 0] = c0
        table[i, 1] = c1
        table[i, 2] = c2
        table[i, 3] = c3
    return table


@jit
def family_loglik_chunks(
    params: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    weights: _Floats,
    shift: float,
    max_x: int,
    first_chunk: int,
    end_chunk: int,
    partial: _Floats,
) -> None:
    """Weighted BG/NBD (``shift = 0``) or MBG/NBD (``shift = 1``) log-likelihood and gradient.

    BG/NBD (FHL 2005, eq. 6): ``ℓ = log Γ(r+x) - log Γ(r) + r log α + log B(a, b+x)
    - log B(a, b) + log[(α+T)^-(r+x) + δ_{x>0} a/(b+x-1) (α+t_x)^-(r+x)]``. The MBG/NBD
    (Batislam et al. 2007) replaces ``b + x`` by ``b + x + 1`` in both places and drops the
    ``x > 0`` indicator: a customer can also drop out right after the first purchase. Terms
    that depend on ``x`` alone are tabulated once per distinct ``x`` (``0..max_x``, the
    largest ``x``) when that is cheaper. The rows are cut into :data:`N_CHUNKS` fixed chunks;
    chunks ``first_chunk..end_chunk-1`` write their weighted sums (value and gradient) to
    their rows of ``partial`` (``float64[N_CHUNKS, 5]``), which :func:`loglik` adds up
    in chunk order (the result does not depend on the threads).
    """
    r = params[0]
    alpha = params[1]
    a = params[2]
    b = params[3]
    n = x.shape[0]
    use_table = max_x < n
    table = _x_table(r, a, b, shift, max_x if use_table else 0)
    log_alpha = math.log(alpha)
    log_a = math.log(a)
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
                k = int(xi)
                c0 = table[k, 0]
                c1 = table[k, 1]
                c2 = table[k, 2]
                c3 = table[k, 3]
            else:
                c0, c1, c2, c3 = _x_terms(r, a, b, xi, shift)
            rx = r + xi
            log_at = math.log(alpha + T[i])
            u1 = -rx * log_at
            if xi > 0.0 or shift > 0.0:
                b_x = b + xi + (shift - 1.0)
                log_ar = math.log(alpha + t_x[i])
                u2 = log_a - math.log(b_x) - rx * log_ar
                top, w1, w2 = two_term_log_sum(u1, u2)
                value = c0 + r * log_alpha + top
                d_r = c1 + log_alpha - w1 * log_at - w2 * log_ar
                d_alpha = r / alpha - rx * (w1 / (alpha + T[i]) + w2 / (alpha + t_x[i]))
                d_a = c2 + w2 / a
                d_b = c3 - w2 / b_x
            else:
                value = r * (log_alpha - log_at)
                d_r = log_alpha - log_at
                d_alpha = r / alpha - r / (alpha + T[i])
                d_a = 0.0
                d_b = 0.0
            acc0 += wi * value
            acc1 += wi * d_r
            acc2 += wi * d_alpha
            acc3 += wi * d_a
            acc4 += wi * d_b
        partial[chunk, 0] = acc0
        partial[chunk, 1] = acc1
        partial[chunk, 2] = acc2
        partial[chunk, 3] = acc3
        partial[chunk, 4] = acc4


def loglik(
    params: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    weights: _Floats,
    *,
    shift: float,
    parallel: bool = False,
) -> tuple[float, _Floats]:
    """Weighted BG/NBD (``shift = 0``) or MBG/NBD (``shift = 1``) log-likelihood and gradient.

    In ``(r, α, a, b)``; see :func:`family_loglik_chunks`. ``parallel`` spreads the chunks
    over the threads.
    """
    arrays = (frozen(params), frozen(x), frozen(t_x), frozen(T), frozen(weights))
    max_x = int(arrays[1].max(initial=0.0))  # x: whole numbers >= 0
    partial = np.zeros((N_CHUNKS, 5))

    def chunks(lo: int, hi: int) -> Any:
        return family_loglik_chunks(*arrays, float(shift), max_x, lo, hi, partial)

    over_range(chunks, N_CHUNKS, parallel)
    total = np.cumsum(partial, axis=0)[-1]  # chunk by chunk, in order
    return float(total[0]), total[1:].copy()


# ------------------------------------------------------------------------------- predictions

#: Largest number of entries of the cache of posterior expectations (a power of 2).
_CACHE_SIZE = 4096


@jit
def _key_hash(x: float, T: float, t: float, size: int) -> int:
    """Slot of ``(x, T, t)`` in a direct-mapped cache of ``size`` entries.

    The fractional part of a combination with irrational weights (a Weyl sequence) spreads
    the lattice-like keys of real data (``x`` integer, ``T`` in whole days) evenly;
    collisions only cost a recomputation. Non-finite combinations (an infinite horizon, or
    values near the float limit) go to slot 0: never an out-of-range index.
    """
    u = x * 0.6180339887498949 + T * 0.7548776662466927
    if math.isfinite(t):
        u += t * 0.5698402909980532
    frac = u - math.floor(u) if math.isfinite(u) else 0.0
    if not 0.0 <= frac < 1.0:
        return 0
    return min(size - 1, int(frac * size))


@jit
def posterior(
    r: float,
    alpha: float,
    a: float,
    b: float,
    shift: float,
    discount: float,
    horizon: float,
    t: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    """``P(alive) × posterior purchases`` for customers ``lo..hi-1`` (BG/NBD or MBG/NBD).

    The posterior part depends on ``(x, T)`` and the time only, not on ``t_x``: it is
    ``E[X(t) | r+x, α+T, a, b']`` when ``discount < 0`` (``t`` per customer), else
    ``∫_0^horizon e^{-δs} dE[X(s) | ...]`` with ``δ = discount``; ``b' = b + x`` for the
    BG/NBD (``shift = 0``) and ``b + x + 1`` for the MBG/NBD (``shift = 1``), which also drops
    the ``x > 0`` indicator of P(alive). Real customer bases repeat ``(x, T)`` pairs (T in
    whole days), so the values are kept in a small direct-mapped cache (one per call, so one
    per thread); a hit returns exactly the value a recomputation would, so results do not
    depend on the cache nor on how the customers are split between calls.
    """
    size = 1
    while size < min(_CACHE_SIZE, hi - lo):
        size *= 2
    keys = np.full((size, 3), np.nan)  # NaN never compares equal: every slot starts empty
    values = np.empty(size)
    for i in range(lo, hi):
        xi = x[i]
        Ti = T[i]
        ti = t[i] if discount < 0.0 else horizon
        slot = _key_hash(xi, Ti, ti, size)
        if keys[slot, 0] == xi and keys[slot, 1] == Ti and keys[slot, 2] == ti:
            purchases = values[slot]
        else:
            if discount < 0.0:
                purchases = expected_count(r + xi, alpha + Ti, a, b + xi + shift, ti)
            else:
                purchases = _derivative_integral(
                    r + xi, alpha + Ti, a, b + xi + shift, discount, horizon
                )
            keys[slot, 0] = xi
            keys[slot, 1] = Ti
            keys[slot, 2] = ti
            values[slot] = purchases
        alive = 1.0
        if xi > 0.0 or shift > 0.0:
            alive = alive_probability(r, alpha, a, b + xi + (shift - 1.0), xi, t_x[i], Ti)
        out[i] = alive * purchases


def _posterior(
    params: tuple[float, float, float, float],
    shift: float,
    discount: float,
    horizon: float,
    t: _Floats,
    data: tuple[_Floats, _Floats, _Floats],
    parallel: bool,
) -> _Floats:
    """:func:`posterior` over all customers (in blocks on several threads if ``parallel``)."""
    x, t_x, T = (frozen(column) for column in data)
    times = frozen(t)
    n = x.shape[0]
    out = np.empty(n)
    r, alpha, a, b = (float(value) for value in params)
    rest = (float(shift), float(discount), float(horizon))

    def block(lo: int, hi: int) -> Any:
        return posterior(r, alpha, a, b, *rest, times, x, t_x, T, out, lo, hi)

    over_range(block, n, parallel)
    return out


@jit
def family_p_alive(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    shift: float,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    """P(alive | x, t_x, T) = 1 / (1 + δ a/(b+x-1+shift) ((α+T)/(α+t_x))^(r+x)).

    BG/NBD (``shift = 0``): ``δ = δ_{x>0}``, a customer without repeat purchases is alive.
    MBG/NBD (``shift = 1``): ``δ = 1``, ``b + x`` (a dropout chance after the first purchase too).
    """
    for i in range(lo, hi):
        if x[i] == 0.0 and shift == 0.0:
            out[i] = 1.0
        else:
            b_x = b + x[i] + (shift - 1.0)
            out[i] = alive_probability(r, alpha, a, b_x, x[i], t_x[i], T[i])


def _elementwise(
    kernel: Any, params: tuple[float, ...], arrays: tuple[Any, ...], shift: float, parallel: bool
) -> _Floats:
    """``kernel(*params, *arrays, shift, out, lo, hi)`` over all items (in blocks if parallel)."""
    head = tuple(float(value) for value in params)
    columns = tuple(frozen(column) for column in arrays)
    n = columns[0].shape[0]
    out = np.empty(n)

    def block(lo: int, hi: int) -> Any:
        return kernel(*head, *columns, float(shift), out, lo, hi)

    over_range(block, n, parallel)
    return out


@jit
def family_unconditional(
    r: float,
    alpha: float,
    a: float,
    b: float,
    t: _Floats,
    shift: float,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    """E[X(t)] for a new customer, element-wise in ``t``.

    BG/NBD (``shift = 0``): FHL 2005, eq. 9. MBG/NBD (``shift = 1``): survive time 0 with
    probability ``b/(a+b)``, then a BG/NBD with ``b + 1``.
    """
    survive = 1.0 if shift == 0.0 else b / (a + b)
    for i in range(lo, hi):
        out[i] = survive * expected_count(r, alpha, a, b + shift, t[i])


@jit
def family_pmf(
    r: float,
    alpha: float,
    a: float,
    b: float,
    n: _Floats,
    t: _Floats,
    shift: float,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    """P(X(t) = n) for a new customer, element-wise.

    BG/NBD (``shift = 0``, FHL 2005, eq. 8): ``B(a, b+n)/B(a, b) NBD(n) + δ_{n>0}
    B(a+1, b+n-1)/B(a, b) P(NBD >= n)``; MBG/NBD (``shift = 1``): ``b`` shifted by one in both
    terms and no indicator. The tail is the incomplete beta function; the terms are combined in
    log space.
    """
    for i in range(lo, hi):
        out[i] = pmf_value(r, alpha, a, b, n[i], t[i], shift)


@jit
def pmf_value(
    r: float, alpha: float, a: float, b: float, n: float, t: float, shift: float
) -> float:
    """One value of :func:`family_pmf`: P(X(t) = n) of the process with (r, α, a, b)."""
    if t <= 0.0:
        return 1.0 if n == 0.0 else 0.0
    lb = log_beta(a, b)
    z = t / (alpha + t)
    w = alpha / (alpha + t)
    log_w = -math.log1p(t / alpha)
    log_z = math.log(t) - math.log(alpha + t)
    first = log_beta(a, b + n + shift) - lb + log_nbd_pmf(r, n, log_z, log_w)
    if n > 0.0 or shift > 0.0:
        second = log_beta(a + 1.0, b + n + (shift - 1.0)) - lb + log_nbd_tail(r, n, z, w)
        first = log_add_exp(first, second)
    return min(1.0, math.exp(first))


@jit
def alive_one(
    r: float, alpha: float, a: float, b: float, shift: float, x: float, t_x: float, T: float
) -> float:
    """P(alive | x, t_x, T) of one customer; see :func:`family_p_alive`."""
    if x == 0.0 and shift == 0.0:
        return 1.0
    return alive_probability(r, alpha, a, b + x + (shift - 1.0), x, t_x, T)


@jit
def conditional_one(
    r: float,
    alpha: float,
    a: float,
    b: float,
    shift: float,
    t: float,
    x: float,
    t_x: float,
    T: float,
) -> float:
    """E[Y(t) | x, t_x, T] of one customer; see :func:`conditional`."""
    alive = alive_one(r, alpha, a, b, shift, x, t_x, T)
    return alive * expected_count(r + x, alpha + T, a, b + x + shift, t)


@jit
def discounted_one(
    r: float,
    alpha: float,
    a: float,
    b: float,
    shift: float,
    delta: float,
    horizon: float,
    x: float,
    t_x: float,
    T: float,
) -> float:
    """``∫_0^H e^{-δt} dE[Y(t) | x, t_x, T]`` of one customer; see :func:`discounted`."""
    alive = alive_one(r, alpha, a, b, shift, x, t_x, T)
    return alive * _derivative_integral(r + x, alpha + T, a, b + x + shift, delta, horizon)


@jit
def family_conditional_pmf(
    r: float,
    alpha: float,
    a: float,
    b: float,
    n: _Floats,
    t: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    shift: float,
    out: _Floats,
    lo: int,
    hi: int,
) -> None:
    """P(Y(t) = n | x, t_x, T): ``n`` purchases in ``(T, T + t]`` given the history.

    A customer alive at ``T`` has the posterior ``λ ~ Gamma(r + x, α + T)``,
    ``p ~ Beta(a, b + x + shift)`` (the likelihood of the history given alive is
    ``λ^x e^{-λT} (1-p)^(x+shift)``) and, the Poisson process being memoryless, purchases
    after ``T`` as a new BG/NBD customer with those parameters (eq. 8 of FHL 2005 with
    ``shift = 0``: the dropout chance at time 0 of the MBG/NBD is behind them). A customer
    who has dropped out buys nothing: ``P(Y = n) = P(alive) P_BG/NBD(n; r+x, α+T, a, b+x+shift)
    + δ_{n=0} (1 - P(alive))`` (Fader & Hardie 2007, "Deriving the conditional PMF of the
    BG/NBD model", which writes the same sum term by term).
    """
    for i in range(lo, hi):
        xi = x[i]
        alive = alive_one(r, alpha, a, b, shift, xi, t_x[i], T[i])
        value = alive * pmf_value(r + xi, alpha + T[i], a, b + xi + shift, n[i], t[i], 0.0)
        if n[i] == 0.0:
            value += 1.0 - alive
        out[i] = min(1.0, value)


# ------------------------------------------------------------------- wrappers (BG/NBD family)
# ``shift`` is 0 for the BG/NBD and 1 for the MBG/NBD; ``parallel`` runs blocks of the rows on
# several threads (same results).


def p_alive(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    *,
    shift: float,
    parallel: bool = False,
) -> _Floats:
    """P(alive | x, t_x, T) (FHL 2005, eq. 11 for the BG/NBD); see :func:`family_p_alive`."""
    return _elementwise(family_p_alive, (r, alpha, a, b), (x, t_x, T), shift, parallel)


def conditional(
    r: float,
    alpha: float,
    a: float,
    b: float,
    t: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    *,
    shift: float,
    parallel: bool = False,
) -> _Floats:
    """E[Y(t) | x, t_x, T] = P(alive) E[X(t) | r+x, α+T, a, b+x+shift] (FHL 2005, eq. 10)."""
    return _posterior((r, alpha, a, b), shift, -1.0, 0.0, t, (x, t_x, T), parallel)


def unconditional(
    r: float, alpha: float, a: float, b: float, t: _Floats, *, shift: float, parallel: bool = False
) -> _Floats:
    """E[X(t)] for a new customer (FHL 2005, eq. 9), element-wise in ``t``."""
    return _elementwise(family_unconditional, (r, alpha, a, b), (t,), shift, parallel)


def pmf(
    r: float,
    alpha: float,
    a: float,
    b: float,
    n: _Floats,
    t: _Floats,
    *,
    shift: float,
    parallel: bool = False,
) -> _Floats:
    """P(X(t) = n) for a new customer (FHL 2005, eq. 8), element-wise; see :func:`family_pmf`."""
    return _elementwise(family_pmf, (r, alpha, a, b), (n, t), shift, parallel)


def conditional_pmf(
    r: float,
    alpha: float,
    a: float,
    b: float,
    n: _Floats,
    t: _Floats,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    *,
    shift: float,
    parallel: bool = False,
) -> _Floats:
    """P(Y(t) = n | x, t_x, T) per customer; see :func:`family_conditional_pmf`."""
    return _elementwise(
        family_conditional_pmf, (r, alpha, a, b), (n, t, x, t_x, T), shift, parallel
    )


def discounted(
    r: float,
    alpha: float,
    a: float,
    b: float,
    delta: float,
    horizon: float,
    x: _Floats,
    t_x: _Floats,
    T: _Floats,
    *,
    shift: float,
    parallel: bool = False,
) -> _Floats:
    """``∫_0^H e^{-δt} dE[Y(t) | x, t_x, T]`` (``H`` may be infinite: DERT)."""
    return _posterior((r, alpha, a, b), shift, delta, horizon, x, (x, t_x, T), parallel)


def warm_up(*, with_pmf: bool = True) -> None:
    """Compile (or load from the on-disk cache) every BG/NBD and MBG/NBD kernel.

    Both variants and the parallel wrappers run the same kernels (``shift`` is a run-time
    argument): one call of each wrapper covers them all. ``with_pmf=False`` leaves out the
    PMFs and the one-customer kernels (the strategy report does not use them).
    """
    x = np.array([0.0, 3.0])
    t_x = np.array([0.0, 2.0])
    T = np.array([5.0, 6.0])
    t = np.array([1.0, 1e6])
    theta = (0.5, 2.0, 0.8, 2.5)
    loglik(np.array(theta), x, t_x, T, np.ones(2), shift=0.0)
    p_alive(*theta, x, t_x, T, shift=0.0)
    conditional(*theta, t, x, t_x, T, shift=0.0)
    discounted(*theta, 0.01, math.inf, x, t_x, T, shift=0.0)
    unconditional(*theta, t, shift=0.0)
    if with_pmf:
        pmf(*theta, x, t, shift=0.0)
        conditional_pmf(*theta, x, t, x, t_x, T, shift=0.0)
        alive_one(*theta, 0.0, 3.0, 2.0, 6.0)
        conditional_one(*theta, 0.0, 1.0, 3.0, 2.0, 6.0)
        discounted_one(*theta, 0.0, 0.01, math.inf, 3.0, 2.0, 6.0)
