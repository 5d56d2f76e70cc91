"""(M)BG/CNBD-k fits and predictions at 10^5 customers, against the same-run BG/NBD / MBG/NBD.

Customers are simulated from the (M)BG/CNBD-k processes with parameters close to the grocery
fits (k = 2; BG: r 0.36, α 1.13, a 0.52, b 2.79; MBG: r 1.33, α 2.81, a 0.42, b 0.79, in
weeks), acquired uniformly over the first 12 weeks and observed to week 52. Times are
continuous, so every customer is a distinct pattern (no compression: the worst case).

Run: ``.venv/bin/python -m benchmarks.cnbd [--customers 100000] [--repeats 3]``. Prints the
median wall time of each step (the first, compiling call is excluded and reported apart).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from statistics import median
from typing import Any

import numpy as np

GROCERY_LIKE = {
    "BG": {"r": 0.36, "alpha": 1.13, "a": 0.52, "b": 2.79},
    "MBG": {"r": 1.33, "alpha": 2.81, "a": 0.42, "b": 0.79},
}


def simulate(
    n: int, *, k: int, r: float, alpha: float, a: float, b: float, mbg: bool, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x, t_x, T, litt)`` of ``n`` customers of the (M)BG/CNBD-k process."""
    rng = np.random.default_rng(seed)
    T = 52.0 - rng.uniform(0.0, 12.0, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    purchases_left = rng.geometric(p) - (1 if mbg else 0)  # repeat purchases before dropout
    x = np.zeros(n)
    t_x = np.zeros(n)
    litt = np.zeros(n)
    now = np.zeros(n)
    active = np.flatnonzero((purchases_left > 0) & (lam > 0))
    while active.size:
        gaps = rng.gamma(k, 1.0 / lam[active])
        later = now[active] + gaps
        buys = later <= T[active]
        idx = active[buys]
        now[idx] = later[buys]
        t_x[idx] = later[buys]
        x[idx] += 1
        litt[idx] += np.log(gaps[buys])
        purchases_left[idx] -= 1
        active = idx[purchases_left[idx] > 0]
    return x, t_x, T, litt


def timed(step: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """(first call, median of ``repeats`` further calls) in seconds."""
    start = time.perf_counter()
    step()
    first = time.perf_counter() - start
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        runs.append(time.perf_counter() - start)
    return first, median(runs)


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and run both variants."""
    from ecomstrat.models.bgnbd import BGNBD, MBGNBD
    from ecomstrat.models.cnbd import BGCNBD, MBGCNBD

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    n = args.customers
    print(f"customers: {n:,}; repeats: {args.repeats} (median wall seconds; first call apart)")
    for variant, base, model in (("BG", BGNBD, BGCNBD), ("MBG", MBGNBD, MBGCNBD)):
        run_variant(variant, base, model, n, args.repeats)


def run_variant(variant: str, base: Any, model: Any, n: int, repeats: int) -> None:
    """Fits and predictions of one variant (BG or MBG) on its own simulated customers."""
    params = GROCERY_LIKE[variant]
    x, t_x, T, litt = simulate(n, k=2, **params, mbg=variant == "MBG", seed=1)
    data = (x, t_x, T)
    print(f"\n{variant}: simulated k=2, {int(x.sum()):,} repeat purchases, {params}")
    fits: dict[str, Any] = {}

    def fit_base() -> None:
        fits["base"] = base().fit(data, time_unit="week")

    def fit_k2() -> None:
        fits["k2"] = model(k=2).fit(data, litt=litt, time_unit="week")

    def fit_search() -> None:
        fits["search"] = model().fit(data, litt=litt, time_unit="week")

    steps: list[tuple[str, Callable[[], Any]]] = [
        (f"{base.__name__}.fit", fit_base),
        (f"{model.__name__}(k=2).fit", fit_k2),
        (f"{model.__name__}().fit (k search)", fit_search),
    ]
    for label, step in steps:
        first, typical = timed(step, repeats)
        print(f"  {label:<34} first {first:7.3f}  median {typical:7.3f}")
    k2, search = fits["k2"], fits["search"]
    print(f"  estimates k=2: {k2.params.to_dict()}  LL {k2.fit.log_likelihood:.4f}")
    print(f"  k chosen: {search.k}; BG/NBD-type LL {fits['base'].fit.log_likelihood:.4f}")
    daily = (x, t_x, np.ceil(T * 7.0) / 7.0)  # ages in whole days, as real data have
    base_fit = fits["base"]
    predictions: list[tuple[str, Callable[[], Any]]] = [
        ("probability_alive", lambda: k2.probability_alive(data)),
        ("CET(52) exact", lambda: _cet(k2, data)),
        ("CET(52) approximate", lambda: _cet(k2, data, method="approximate")),
        ("  + bias_correction, continuous T", lambda: _corrected(k2, data)),
        ("  + bias_correction, T in days", lambda: _corrected(k2, daily)),
        ("P(no purchase in 52 | history)", lambda: _none_in(k2, data)),
        (f"{base.__name__} CET(52)", lambda: _cet(base_fit, data)),
    ]  # fmt: skip
    for label, step in predictions:
        first, typical = timed(step, repeats)
        print(f"  {label:<34} first {first:7.3f}  median {typical:7.3f}")


def _cet(model: Any, data: Any, **options: Any) -> Any:
    return model.conditional_expected_purchases(52.0, data, **options)


def _none_in(model: Any, data: Any) -> Any:
    return model.conditional_probability_of_purchases(0, 52.0, data)


def _corrected(model: Any, data: Any) -> Any:
    return _cet(model, data, method="approximate", bias_correction=True)


if __name__ == "__main__":
    main()
