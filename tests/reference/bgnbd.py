"""Plain-Python references for the BG/NBD, MBG/NBD and Gamma-Gamma kernels.

Each reference evaluates the published formula as written, one customer at a time, with the
``math`` module and mpmath (arbitrary precision: no Euler transformation, no log-space
tricks), so that agreement tests check the kernels' numerics, not just their algebra.
``COMPARISONS`` (kernel -> implementation -> callable, all with the kernel's signature)
drives the agreement tests (and the shared table of ``tests.reference.all_comparisons``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath as mp
import numpy as np

PRECISION = 50  # decimal digits for mpmath


def _mp(f: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``f`` with mpmath at ``PRECISION`` digits."""

    def wrapped(*args: Any) -> Any:
        with mp.workdps(PRECISION):
            return f(*args)

    wrapped.__name__ = f.__name__
    wrapped.__doc__ = f.__doc__
    return wrapped


# ------------------------------------------------------------------------- special functions


@_mp
def log_hyp2f1_python(a: float, b: float, c: float, z: float, w: float) -> float:
    """log 2F1(a, b; c; z) by mpmath, with z rebuilt from w = 1 - z exactly."""
    zz = mp.mpf(1) - mp.mpf(w) if z > 0.5 else mp.mpf(z)
    return float(mp.log(mp.hyp2f1(a, b, c, zz)))


@_mp
def log_betainc_python(p: float, q: float, x: float, w: float) -> float:
    """log I_x(p, q) by mpmath."""
    xx = mp.mpf(1) - mp.mpf(w) if x > 0.5 else mp.mpf(x)
    return float(mp.log(mp.betainc(p, q, 0, xx, regularized=True)))


def _value_and_gradient(ll: Callable[..., Any], point: tuple[float, ...]) -> tuple[float, Any]:
    """``ll(*point)`` and its gradient by mpmath differentiation, at 30 digits."""
    with mp.workdps(30):
        grad = []
        for j in range(len(point)):

            def partial(v: Any, j: int = j) -> Any:
                args = list(point)
                args[j] = v
                return ll(*args)

            grad.append(float(mp.diff(partial, point[j])))
        return float(ll(*point)), np.array(grad)


# ------------------------------------------------------------------------------------ BG/NBD


def bgnbd_loglik_python(params, x, t_x, T, weights):
    """FHL (2005) eq. 6, per customer with math.lgamma; gradient by mpmath differentiation."""
    r, alpha, a, b = (float(v) for v in params)

    def ll(r: Any, alpha: Any, a: Any, b: Any) -> Any:
        total = 0
        for xi, txi, Ti, wi in zip(x, t_x, T, weights, strict=True):
            lb = mp.log(mp.beta(a, b + xi)) - mp.log(mp.beta(a, b))
            first = mp.exp(lb - (r + xi) * mp.log(alpha + Ti))
            second = 0
            if xi > 0:
                lb2 = mp.log(mp.beta(a + 1, b + xi - 1)) - mp.log(mp.beta(a, b))
                second = mp.exp(lb2 - (r + xi) * mp.log(alpha + txi))
            common = mp.loggamma(r + xi) - mp.loggamma(r) + r * mp.log(alpha)
            total += wi * (common + mp.log(first + second))
        return total

    return _value_and_gradient(ll, (r, alpha, a, b))


def _p_alive_bg(r, alpha, a, b, x, t_x, T):
    if x == 0:
        return mp.mpf(1)
    alpha = mp.mpf(alpha)
    odds = a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return 1 / (1 + odds)


def _eq9(r, alpha, a, b, t):
    # Every sum in mpmath: near a = 1 the division by a - 1 magnifies a rounded a + b - 1.
    r, alpha, a, b, t = (mp.mpf(v) for v in (r, alpha, a, b, t))
    z = t / (alpha + t)
    c = a + b - 1
    return c / (a - 1) * (1 - (mp.mpf(alpha) / (alpha + t)) ** r * mp.hyp2f1(r, b, c, z))


def _expected_bg(r, alpha, a, b, t):
    """FHL eq. 9, with mpmath's 2F1 (no Euler transformation)."""
    if t == 0:
        return mp.mpf(0)
    if abs(a - 1) < 1e-6:  # removable singularity: average across it
        eps = mp.mpf("1e-20")
        a = mp.mpf(a)
        return (_eq9(r, alpha, a + eps, b, t) + _eq9(r, alpha, a - eps, b, t)) / 2
    return _eq9(r, alpha, a, b, t)


@_mp
def bgnbd_p_alive_python(r, alpha, a, b, x, t_x, T):
    """P(alive) = 1 / (1 + δ_{x>0} a/(b+x-1) ((α+T)/(α+t_x))^(r+x))."""
    return np.array(
        [float(_p_alive_bg(r, alpha, a, b, *row)) for row in zip(x, t_x, T, strict=True)]
    )


@_mp
def bgnbd_conditional_python(r, alpha, a, b, t, x, t_x, T):
    """FHL eq. 10 as printed, 2F1(r+x, b+x; a+b+x-1; t/(α+T+t)) by mpmath."""
    out = []
    for ti, xi, txi, Ti in zip(t, x, t_x, T, strict=True):
        alive = _p_alive_bg(r, alpha, a, b, xi, txi, Ti)
        out.append(float(alive * _expected_bg(r + xi, alpha + Ti, a, b + xi, ti)))
    return np.array(out)


@_mp
def bgnbd_unconditional_python(r, alpha, a, b, t):
    """FHL eq. 9 by mpmath."""
    return np.array([float(_expected_bg(r, alpha, a, b, ti)) for ti in t])


def _nbd_pmf(r, alpha, n, t):
    alpha, t = mp.mpf(alpha), mp.mpf(t)  # exact sums: the pmf must add up to 1
    return (
        mp.gamma(r + n)
        / (mp.gamma(r) * mp.factorial(n))
        * (alpha / (alpha + t)) ** r
        * (t / (alpha + t)) ** n
    )


def _nbd_tail(r, alpha, n, t):
    """P(NBD >= n) = 1 - Σ_{j<n} NBD(j), as mpmath's regularised incomplete beta I_z(n, r).

    The paper's finite sum cancels catastrophically when the tail is tiny (50 digits are not
    enough for a 1e-46 tail), so the reference evaluates the same quantity as I_z(n, r).
    """
    if n == 0:
        return mp.mpf(1)
    z = mp.mpf(t) / (mp.mpf(alpha) + mp.mpf(t))
    return mp.betainc(n, r, 0, z, regularized=True)


@_mp
def bgnbd_pmf_python(r, alpha, a, b, n, t):
    """FHL eq. 8 (the finite sum as an incomplete beta function)."""
    out = []
    for ni, ti in zip(n, t, strict=True):
        if ti == 0:
            out.append(1.0 if ni == 0 else 0.0)
            continue
        value = mp.beta(a, b + ni) / mp.beta(a, b) * _nbd_pmf(r, alpha, ni, ti)
        if ni > 0:
            value += mp.beta(a + 1, b + ni - 1) / mp.beta(a, b) * _nbd_tail(r, alpha, ni, ti)
        out.append(float(value))
    return np.array(out)


def _rate_bg(r, beta, a, b, t):
    """dE[X(t)]/dt = (r/β) E_p[(1 + p t/β)^-(r+1)] = (r/β) 2F1(r+1, a; a+b; -t/β)."""
    return r / beta * mp.hyp2f1(r + 1, a, a + b, -mp.mpf(t) / beta)


def _discounted_bg(r, beta, a, b, delta, horizon):
    f = lambda t: mp.exp(-delta * t) * _rate_bg(r, beta, a, b, t)  # noqa: E731
    end = mp.inf if math.isinf(horizon) else horizon
    points = [0] + [p for p in (beta, 10 * beta, 100 * beta) if p < end] + [end]
    return mp.quad(f, points)


@mp.workdps(25)
def bgnbd_discounted_python(r, alpha, a, b, delta, horizon, x, t_x, T):
    """∫_0^H e^{-δt} dE[Y(t)] by adaptive quadrature of the purchase rate (mpmath)."""
    out = []
    for xi, txi, Ti in zip(x, t_x, T, strict=True):
        alive = _p_alive_bg(r, alpha, a, b, xi, txi, Ti)
        out.append(float(alive * _discounted_bg(r + xi, alpha + Ti, a, b + xi, delta, horizon)))
    return np.array(out)


def _conditional_pmf(p_alive, shift, r, alpha, a, b, n, t, x, t_x, T):
    """P(Y(t) = n | x, t_x, T) = P(alive) eq. 8 at (r+x, α+T, a, b+x+shift) + δ_{n=0} P(dead)."""
    out = []
    for ni, ti, xi, txi, Ti in zip(n, t, x, t_x, T, strict=True):
        alive = p_alive(r, alpha, a, b, xi, txi, Ti)
        future = bgnbd_pmf_python(r + xi, alpha + Ti, a, b + xi + shift, [ni], [ti])[0]
        value = alive * mp.mpf(future) + (1 - alive if ni == 0 else 0)
        out.append(float(value))
    return np.array(out)


@_mp
def bgnbd_conditional_pmf_python(r, alpha, a, b, n, t, x, t_x, T):
    """Conditional PMF of the BG/NBD (the posterior mixture, in mpmath)."""
    return _conditional_pmf(_p_alive_bg, 0, r, alpha, a, b, n, t, x, t_x, T)


# ----------------------------------------------------------------------------------- MBG/NBD


def mbgnbd_loglik_python(params, x, t_x, T, weights):
    """Batislam et al. (2007) likelihood, per customer, gradient by mpmath differentiation."""
    r, alpha, a, b = (float(v) for v in params)

    def ll(r: Any, alpha: Any, a: Any, b: Any) -> Any:
        total = 0
        for xi, txi, Ti, wi in zip(x, t_x, T, weights, strict=True):
            first = mp.beta(a, b + xi + 1) / mp.beta(a, b) * (alpha + Ti) ** -(r + xi)
            second = mp.beta(a + 1, b + xi) / mp.beta(a, b) * (alpha + txi) ** -(r + xi)
            common = mp.loggamma(r + xi) - mp.loggamma(r) + r * mp.log(alpha)
            total += wi * (common + mp.log(first + second))
        return total

    return _value_and_gradient(ll, (r, alpha, a, b))


def _p_alive_mbg(r, alpha, a, b, x, t_x, T):
    alpha = mp.mpf(alpha)
    return 1 / (1 + a / (b + x) * ((alpha + T) / (alpha + t_x)) ** (r + x))


@_mp
def mbgnbd_p_alive_python(r, alpha, a, b, x, t_x, T):
    """P(alive) = 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x))."""
    return np.array(
        [float(_p_alive_mbg(r, alpha, a, b, *row)) for row in zip(x, t_x, T, strict=True)]
    )


def _expected_mbg(r, alpha, a, b, t):
    """b/(a-1) [1 - (α/(α+t))^r 2F1(r, b+1; a+b; t/(α+t))] (Batislam et al. 2007)."""

    r, alpha, b, t = (mp.mpf(v) for v in (r, alpha, b, t))

    def formula(a):
        s = alpha + t
        z = t / s
        return b / (a - 1) * (1 - (alpha / s) ** r * mp.hyp2f1(r, b + 1, a + b, z))

    if t == 0:
        return mp.mpf(0)
    if abs(a - 1) < 1e-6:
        eps = mp.mpf("1e-20")
        return (formula(mp.mpf(a) + eps) + formula(mp.mpf(a) - eps)) / 2
    return formula(a)


@_mp
def mbgnbd_conditional_python(r, alpha, a, b, t, x, t_x, T):
    """(a+b+x)/(a-1) [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; z)] P(alive)."""
    out = []
    for ti, xi, txi, Ti in zip(t, x, t_x, T, strict=True):
        alive = _p_alive_mbg(r, alpha, a, b, xi, txi, Ti)
        # the posterior customer is a new MBG/NBD customer conditioned on surviving time 0
        post = _expected_bg(r + xi, alpha + Ti, a, b + xi + 1, ti)
        out.append(float(alive * post))
    return np.array(out)


@_mp
def mbgnbd_unconditional_python(r, alpha, a, b, t):
    """E[X(t)] of Batislam et al. (2007) by mpmath."""
    return np.array([float(_expected_mbg(r, alpha, a, b, ti)) for ti in t])


@_mp
def mbgnbd_pmf_python(r, alpha, a, b, n, t):
    """B(a, b+n+1)/B(a, b) NBD(n) + B(a+1, b+n)/B(a, b) P(NBD >= n)."""
    out = []
    for ni, ti in zip(n, t, strict=True):
        if ti == 0:
            out.append(1.0 if ni == 0 else 0.0)
            continue
        value = mp.beta(a, b + ni + 1) / mp.beta(a, b) * _nbd_pmf(r, alpha, ni, ti)
        value += mp.beta(a + 1, b + ni) / mp.beta(a, b) * _nbd_tail(r, alpha, ni, ti)
        out.append(float(value))
    return np.array(out)


@mp.workdps(25)
@_mp
def mbgnbd_conditional_pmf_python(r, alpha, a, b, n, t, x, t_x, T):
    """Conditional PMF of the MBG/NBD: alive at T, a BG/NBD customer with b + x + 1."""
    return _conditional_pmf(_p_alive_mbg, 1, r, alpha, a, b, n, t, x, t_x, T)


def mbgnbd_discounted_python(r, alpha, a, b, delta, horizon, x, t_x, T):
    """P(alive) ∫_0^H e^{-δt} d E_BG/NBD[X(t) | r+x, α+T, a, b+x+1] by mpmath quadrature."""
    out = []
    for xi, txi, Ti in zip(x, t_x, T, strict=True):
        alive = _p_alive_mbg(r, alpha, a, b, xi, txi, Ti)
        out.append(float(alive * _discounted_bg(r + xi, alpha + Ti, a, b + xi + 1, delta, horizon)))
    return np.array(out)


# ------------------------------------------------------------------------------- Gamma-Gamma


def gamma_gamma_loglik_python(params, x, m, weights):
    """Fader & Hardie (2013) likelihood with math.lgamma; gradient by central differences."""
    from scipy.special import digamma

    p, q, g = (float(v) for v in params)
    value = 0.0
    grad = np.zeros(3)
    for xi, mi, wi in zip(x, m, weights, strict=True):
        value += wi * (
            math.lgamma(p * xi + q)
            - math.lgamma(p * xi)
            - math.lgamma(q)
            + q * math.log(g)
            + (p * xi - 1) * math.log(mi)
            + p * xi * math.log(xi)
            - (p * xi + q) * math.log(xi * mi + g)
        )
        grad[0] += (
            wi
            * xi
            * (
                digamma(p * xi + q)
                - digamma(p * xi)
                + math.log(mi)
                + math.log(xi)
                - math.log(xi * mi + g)
            )
        )
        grad[1] += wi * (digamma(p * xi + q) - digamma(q) + math.log(g) - math.log(xi * mi + g))
        grad[2] += wi * (q / g - (p * xi + q) / (xi * mi + g))
    return value, grad


def unique_rows_numpy(a, b, c):
    """First occurrence of each distinct row (in order of first occurrence) and the inverse."""
    keys = np.stack([a, b, c], axis=1)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse.reshape(-1)]


def _variant(kernel: Callable[..., Any], shift: float, parallel: bool) -> Callable[..., Any]:
    """The family kernel ``kernel`` for one variant, as a plain callable of the kernel's args."""

    def call(*args: Any) -> Any:
        return kernel(*args, shift=shift, parallel=parallel)

    call.kernel_module = kernel.__module__  # type: ignore[attr-defined]
    return call


def _kernels() -> dict[str, dict[str, Callable[..., Any]]]:
    from ecomstrat._kernels import bgnbd, gamma_gamma, patterns

    table: dict[str, dict[str, Callable[..., Any]]] = {}
    for prefix, shift in (("bgnbd", 0.0), ("mbgnbd", 1.0)):
        names = ("loglik", "p_alive", "conditional", "unconditional", "pmf", "discounted")
        for name in (*names, "conditional_pmf"):
            kernel = getattr(bgnbd, name)
            table[f"{prefix}_{name}"] = {
                "numba": _variant(kernel, shift, parallel=False),
                "numba-parallel": _variant(kernel, shift, parallel=True),
                "python": globals()[f"{prefix}_{name}_python"],
            }
    table["gamma_gamma_loglik"] = {
        "numba": gamma_gamma.loglik,
        "numba-parallel": gamma_gamma.loglik_parallel,
        "python": gamma_gamma_loglik_python,
    }
    table["log_hyp2f1_pos"] = {"numba": bgnbd.log_hyp2f1_pos, "python": log_hyp2f1_python}
    table["log_betainc"] = {"numba": bgnbd.log_betainc, "python": log_betainc_python}
    table["unique_rows"] = {"numba": patterns.unique_rows, "numpy": unique_rows_numpy}
    return table


#: kernel -> implementation name -> callable; drives the agreement tests and the timings.
COMPARISONS = _kernels()
