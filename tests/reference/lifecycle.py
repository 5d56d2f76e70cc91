"""Plain-Python and numpy references for the lifecycle kernel (used by tests and benchmarks).

Both take the arguments of ``ecomstrat._kernels.lifecycle.stage_codes`` and return the same
``int8[k, n_customers]`` array. The Python one follows the rules as written in
``RuleBasedPolicy``'s docstring, one customer at a time; the numpy one is vectorised over
customers (a sort, then bincounts), looping over the as-of days only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

Ints: TypeAlias = NDArray[np.int64]
Codes: TypeAlias = NDArray[np.int8]

PROSPECT, NEW, GROWING, MATURE, DECLINING, CHURNED, REACTIVATED = range(7)


def stage_codes_python(
    codes: Ints,
    days: Ints,
    n_customers: int,
    as_of_days: Ints,
    model_churned: NDArray[np.bool_],
    use_model: bool,
    new_window: float,
    churn_after: float,
    reactivation_window: float,
    overdue_factor: float,
    trend_window: float,
) -> Codes:
    """Reference for ``stage_codes`` with sets, sorted lists and loops."""
    purchase_days: list[set[int]] = [set() for _ in range(n_customers)]
    for c, d in zip(codes.tolist(), days.tolist(), strict=True):
        purchase_days[c].add(d)
    out = np.empty((len(as_of_days), n_customers), dtype=np.int8)
    for k, d in enumerate(as_of_days.tolist()):
        for c in range(n_customers):
            p = sorted(x for x in purchase_days[c] if x <= d)
            out[k, c] = _stage(
                p,
                d,
                bool(model_churned[k, c]) if use_model else None,
                new_window,
                churn_after,
                reactivation_window,
                overdue_factor,
                trend_window,
            )
    return out


def _stage(
    p: list[int],
    d: int,
    model_says_churned: bool | None,
    new_window: float,
    churn_after: float,
    reactivation: float,
    factor: float,
    window: float,
) -> int:
    if not p:
        return PROSPECT
    idle = d - p[-1]
    churned = idle > churn_after if model_says_churned is None else model_says_churned
    if churned:
        return CHURNED
    returns = [b for a, b in itertools.pairwise(p) if b - 1 - a > churn_after]
    if returns and d - returns[-1] < reactivation:
        return REACTIVATED
    if d - p[0] < new_window:
        return NEW
    recent = sum(1 for x in p if d - x < window)
    earlier = sum(1 for x in p if window <= d - x < 2.0 * window)
    if len(p) == 1 or idle > factor * ((p[-1] - p[0]) / (len(p) - 1)) or recent < earlier:
        return DECLINING
    if recent > earlier:
        return GROWING
    return MATURE


def stage_codes_numpy(
    codes: Ints,
    days: Ints,
    n_customers: int,
    as_of_days: Ints,
    model_churned: NDArray[np.bool_],
    use_model: bool,
    new_window: float,
    churn_after: float,
    reactivation_window: float,
    overdue_factor: float,
    trend_window: float,
) -> Codes:
    """Vectorised numpy version: distinct (customer, day) pairs, then per-day bincounts."""
    order = np.lexsort((days, codes))
    c, d = codes[order], days[order]
    distinct = np.ones(c.size, dtype=bool)
    distinct[1:] = (c[1:] != c[:-1]) | (d[1:] != d[:-1])
    c, d = c[distinct], d[distinct]
    same = np.zeros(c.size, dtype=bool)
    same[1:] = c[1:] == c[:-1]
    gap = np.zeros(c.size, dtype=np.int64)
    gap[1:] = d[1:] - d[:-1]
    returning = same & (gap - 1 > churn_after)
    out = np.empty((len(as_of_days), n_customers), dtype=np.int8)
    for k, t in enumerate(as_of_days.tolist()):
        seen = d <= t
        cc, dd, back = c[seen], d[seen], returning[seen]
        count = np.bincount(cc, minlength=n_customers)
        first = np.zeros(n_customers, dtype=np.int64)
        last = np.zeros(n_customers, dtype=np.int64)
        first[cc[::-1]] = dd[::-1]  # sorted by day within customer: the first write wins
        last[cc] = dd
        returned = np.full(n_customers, np.iinfo(np.int64).min // 2, dtype=np.int64)
        returned[cc[back]] = dd[back]
        age = t - dd
        recent = np.bincount(cc[age < trend_window], minlength=n_customers)
        before = (age >= trend_window) & (age < 2.0 * trend_window)
        earlier = np.bincount(cc[before], minlength=n_customers)
        idle = t - last
        mean_gap = np.divide(
            (last - first).astype(np.float64),
            count - 1,
            out=np.zeros(n_customers),
            where=count > 1,
        )
        churned = model_churned[k] if use_model else idle > churn_after
        declining = (count == 1) | (idle > overdue_factor * mean_gap) | (recent < earlier)
        out[k] = np.select(
            [
                count == 0,
                churned,
                t - returned < reactivation_window,
                t - first < new_window,
                declining,
                recent > earlier,
            ],
            [PROSPECT, CHURNED, REACTIVATED, NEW, DECLINING, GROWING],
            default=MATURE,
        )
    return out


Kernel: TypeAlias = Callable[
    [Ints, Ints, int, Ints, NDArray[np.bool_], bool, float, float, float, float, float], Codes
]


def _kernels() -> dict[str, dict[str, Kernel]]:
    from ecomstrat._kernels.lifecycle import stage_codes, stage_codes_parallel

    return {
        "stage_codes": {
            "numba": stage_codes,
            "numba-parallel": stage_codes_parallel,
            "numpy": stage_codes_numpy,
            "python": stage_codes_python,
        }
    }


#: kernel -> implementation name -> callable; drives the agreement tests and the benchmark.
COMPARISONS = _kernels()
