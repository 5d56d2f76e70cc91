"""Lifecycle stage of every customer at one or more as-of days, from an unsorted order log.

The orders' days are grouped by customer with the counting sort of :mod:`._kernels._sort`,
each customer's days are sorted once, then walked once per as-of day;
:func:`stage_codes_parallel`
walks blocks of customers on several threads. Every customer writes only its own column of the
output: there is no shared accumulator.

Stage codes and the decision rules are documented in :mod:`ecomstrat.lifecycle.stages`; the
plain-Python reference is ``tests/reference/lifecycle.py``.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, jit, over_range
from ecomstrat._kernels._sort import group_by_customer, longest_segment, scatter, sort_segment

_Ints: TypeAlias = NDArray[np.int64]
_Bools: TypeAlias = NDArray[np.bool_]
_Codes: TypeAlias = NDArray[np.int8]

#: Stage codes, in the order of ``ecomstrat.lifecycle.policy.Stage``.
PROSPECT = 0
NEW = 1
GROWING = 2
MATURE = 3
DECLINING = 4
CHURNED = 5
REACTIVATED = 6

#: Customers from which the wrappers call the parallel version. On the project's 2-core
#: machines the serial one was as fast up to 4e6 customers (the counting sort is serial and
#: memory-bound, the per-customer walk cheap): see ``python -m benchmarks.lifecycle``.
PARALLEL_MIN_CUSTOMERS = 10_000_000


def stage_codes(
    codes: _Ints,
    days: _Ints,
    n_customers: int,
    as_of_days: _Ints,
    model_churned: _Bools,
    use_model: bool,
    new_window: float,
    churn_after: float,
    reactivation_window: float,
    overdue_factor: float,
    trend_window: float,
) -> _Codes:
    """Stage code of each customer at each as-of day.

    Parameters
    ----------
    codes : int64[n]
        Customer index of each order, in ``[0, n_customers)``.
    days : int64[n]
        Day index of each order (days since the epoch); orders on one day are one purchase.
    n_customers : int
        Number of customers.
    as_of_days : int64[k]
        The as-of days; orders on later days are ignored.
    model_churned : bool[k, n_customers]
        Churn decided by a model, read only when ``use_model`` (any shape otherwise).
    use_model : bool
        Churned = ``model_churned`` instead of "more than ``churn_after`` days idle".
    new_window, churn_after, reactivation_window, overdue_factor, trend_window : float
        The policy thresholds, durations in days.

    Returns
    -------
    int8[k, n_customers]
        With ``P`` the distinct purchase days up to as-of day ``d``, ``idle = d - max(P)``,
        the first rule that holds: PROSPECT (``P`` empty); CHURNED (``idle > churn_after``,
        or the model's flag); REACTIVATED (the latest day of ``P`` that follows a gap with
        ``next - 1 - previous > churn_after`` lies within ``reactivation_window`` of ``d``);
        NEW (``d - min(P) < new_window``); DECLINING (one purchase only, or ``idle >
        overdue_factor`` times the mean gap, or fewer purchases in the last ``trend_window``
        than in the one before); GROWING (more purchases in the last window than before);
        MATURE otherwise.
    """
    return _stage_codes(
        codes,
        days,
        n_customers,
        as_of_days,
        model_churned,
        use_model,
        (new_window, churn_after, reactivation_window, overdue_factor, trend_window),
        False,
    )


def stage_codes_parallel(
    codes: _Ints,
    days: _Ints,
    n_customers: int,
    as_of_days: _Ints,
    model_churned: _Bools,
    use_model: bool,
    new_window: float,
    churn_after: float,
    reactivation_window: float,
    overdue_factor: float,
    trend_window: float,
) -> _Codes:
    """:func:`stage_codes` with the customers walked in blocks on several threads."""
    return _stage_codes(
        codes,
        days,
        n_customers,
        as_of_days,
        model_churned,
        use_model,
        (new_window, churn_after, reactivation_window, overdue_factor, trend_window),
        True,
    )


def _stage_codes(
    codes: _Ints,
    days: _Ints,
    n_customers: int,
    as_of_days: _Ints,
    model_churned: _Bools,
    use_model: bool,
    thresholds: tuple[float, float, float, float, float],
    parallel: bool,
) -> _Codes:
    n = int(n_customers)
    use = bool(use_model)
    new_window, churn_after, reactivation, overdue_factor, trend_window = map(float, thresholds)
    as_of = frozen(as_of_days, np.int64)
    churned = frozen(model_churned if use else np.zeros((0, 0), dtype=np.bool_), np.bool_)
    codes = frozen(codes, np.int64)
    offsets = group_by_customer(codes, n)
    grouped = scatter(frozen(days, np.int64), codes, offsets)
    out = np.empty((as_of.shape[0], n), dtype=np.int8)

    def walk(lo: int, hi: int) -> Any:
        return _walk_customers(
            offsets,
            grouped,
            as_of,
            churned,
            use,
            new_window,
            churn_after,
            reactivation,
            overdue_factor,
            trend_window,
            lo,
            hi,
            out,
        )

    over_range(walk, n, parallel)
    return out


@jit
def _walk_customers(
    offsets: _Ints,
    grouped: _Ints,
    as_of_days: _Ints,
    model_churned: _Bools,
    use_model: bool,
    new_window: float,
    churn_after: float,
    reactivation_window: float,
    overdue_factor: float,
    trend_window: float,
    lo: int,
    hi: int,
    out: _Codes,
) -> None:
    """Sort and walk the days of customers ``lo..hi-1``, filling their columns of ``out``."""
    n_dates = as_of_days.shape[0]
    double_window = 2.0 * trend_window
    scratch = np.empty(longest_segment(offsets, lo, hi), dtype=np.int64)  # for the merge sort
    for c in range(lo, hi):
        start = offsets[c]
        end = offsets[c + 1]
        sort_segment(grouped, start, end, scratch)
        for k in range(n_dates):
            d = as_of_days[k]
            count = 0
            first = 0
            last = 0
            returned = 0
            has_returned = False
            recent = 0
            earlier = 0
            for j in range(start, end):
                p = grouped[j]
                if p > d:
                    break
                if count > 0 and p == last:
                    continue
                if count == 0:
                    first = p
                elif p - 1 - last > churn_after:
                    returned = p
                    has_returned = True
                count += 1
                last = p
                age = d - p
                if age < trend_window:
                    recent += 1
                elif age < double_window:
                    earlier += 1
            if count == 0:
                out[k, c] = PROSPECT
                continue
            idle = d - last
            churned = model_churned[k, c] if use_model else idle > churn_after
            if churned:
                out[k, c] = CHURNED
            elif has_returned and d - returned < reactivation_window:
                out[k, c] = REACTIVATED
            elif d - first < new_window:
                out[k, c] = NEW
            elif (
                count == 1
                or idle > overdue_factor * ((last - first) / (count - 1))
                or recent < earlier
            ):
                out[k, c] = DECLINING
            elif recent > earlier:
                out[k, c] = GROWING
            else:
                out[k, c] = MATURE


def warm_up() -> None:
    """Compile (or load from the cache) the kernels of this module on a two-order log."""
    two = np.zeros(2, dtype=np.int64)
    stage_codes(two, np.arange(2), 1, two[:1], np.zeros((0, 0), dtype=np.bool_), False, *[1.0] * 5)
