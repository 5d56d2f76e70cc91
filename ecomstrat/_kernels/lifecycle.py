"""Lifecycle stage of every customer at one or more as-of days, from an unsorted order log.

The orders' days are grouped by customer with a counting sort (O(n), one scratch array), each
customer's days are sorted once, then walked once per as-of day, in parallel over customers.
Every customer writes only its own column of the output: there is no shared accumulator.

Stage codes and the decision rules are documented in :mod:`ecomstrat.metrics.lifecycle`; the
plain-Python reference is ``tests/reference_lifecycle.py``.
"""

from __future__ import annotations

from typing import TypeAlias

import numba
import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import jit, jit_serial_and_parallel

_Ints: TypeAlias = NDArray[np.int64]
_Bools: TypeAlias = NDArray[np.bool_]
_Codes: TypeAlias = NDArray[np.int8]

#: Stage codes, in the order of ``ecomstrat.metrics.lifecycle_policy.Stage``.
PROSPECT = 0
NEW = 1
GROWING = 2
MATURE = 3
DECLINING = 4
CHURNED = 5
REACTIVATED = 6

_INSERTION_SORT_MAX = 24

#: Customers from which the wrappers call the parallel version. On the project's 2-core
#: machines the serial one was as fast up to 4e6 customers (the counting sort is serial and
#: memory-bound, the per-customer walk cheap): see ``python -m benchmarks.lifecycle``.
PARALLEL_MIN_CUSTOMERS = 10_000_000


@jit
def _group_days(codes: _Ints, days: _Ints, n_customers: int) -> tuple[_Ints, _Ints]:
    """Counting sort of the order days by customer: offsets plus the grouped days."""
    offsets = np.zeros(n_customers + 1, dtype=np.int64)
    for i in range(codes.shape[0]):
        offsets[codes[i] + 1] += 1
    for c in range(n_customers):
        offsets[c + 1] += offsets[c]
    cursor = offsets[:-1].copy()
    grouped = np.empty(codes.shape[0], dtype=np.int64)
    for i in range(codes.shape[0]):
        c = codes[i]
        grouped[cursor[c]] = days[i]
        cursor[c] += 1
    return offsets, grouped


@jit
def _sort_days(days: _Ints, lo: int, hi: int) -> None:
    """Sort ``days[lo:hi]`` ascending in place."""
    if hi - lo <= _INSERTION_SORT_MAX:
        for i in range(lo + 1, hi):
            d = days[i]
            j = i - 1
            while j >= lo and days[j] > d:
                days[j + 1] = days[j]
                j -= 1
            days[j + 1] = d
    else:
        days[lo:hi] = np.sort(days[lo:hi])


def _stage_codes(
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
    n_dates = as_of_days.shape[0]
    out = np.empty((n_dates, n_customers), dtype=np.int8)
    offsets, grouped = _group_days(codes, days, n_customers)
    double_window = 2.0 * trend_window
    for c in numba.prange(n_customers):
        lo = offsets[c]
        hi = offsets[c + 1]
        _sort_days(grouped, lo, hi)
        for k in range(n_dates):
            d = as_of_days[k]
            count = 0
            first = 0
            last = 0
            returned = 0
            has_returned = False
            recent = 0
            earlier = 0
            for j in range(lo, hi):
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
    return out


stage_codes, stage_codes_parallel = jit_serial_and_parallel(_stage_codes)
