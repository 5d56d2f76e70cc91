"""RFM summary of an unsorted transaction log, optionally split at a calibration end.

The log is grouped by customer with the counting sort of :mod:`._kernels._sort` (its
cache-friendly two-pass :func:`~._kernels._sort.group_orders`), then each customer's orders are
sorted by purchase period and walked once; :func:`rfm_split_parallel` places the buckets and
walks blocks of customers on several threads (:func:`ecomstrat._kernels._jit.in_blocks`).
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, jit, over_range
from ecomstrat._kernels._sort import (
    group_by_customer,
    group_orders,
    longest_segment,
    sort_segment,
)

_Ints: TypeAlias = NDArray[np.int64]
_Floats: TypeAlias = NDArray[np.float64]


@jit
def _walk_customers(
    offsets: _Ints,
    grouped_periods: _Ints,
    grouped_amounts: _Floats,
    calibration_end: int,
    observation_end: int,
    lo: int,
    hi: int,
    n_periods: _Ints,
    first: _Ints,
    last: _Ints,
    first_value: _Floats,
    total_value: _Floats,
    n_holdout: _Ints,
    holdout_value: _Floats,
) -> None:
    """Walk the orders of customers ``lo..hi-1``, writing their outputs.

    The values are summed over the orders as grouped (orders of one period in input order),
    then the periods alone are sorted and walked for the counts. The sums run in local
    variables (the compiler cannot keep array slots in registers while other arrays are
    written: they might overlap) and are stored once per customer.
    """
    scratch = np.empty(longest_segment(offsets, lo, hi), dtype=np.int64)
    for c in range(lo, hi):
        start = offsets[c]
        end = offsets[c + 1]
        first_period = calibration_end + 1
        first_sum = 0.0
        total_sum = 0.0
        holdout_sum = 0.0
        for j in range(start, end):
            p = grouped_periods[j]
            if p > observation_end:
                continue
            a = grouped_amounts[j]
            if p > calibration_end:
                holdout_sum += a
                continue
            total_sum += a
            if p < first_period:
                first_period = p
                first_sum = a
            elif p == first_period:
                first_sum += a
        sort_segment(grouped_periods, start, end, scratch)
        count = 0
        count_holdout = 0
        previous = 0
        last_period = 0
        for j in range(start, end):
            p = grouped_periods[j]
            if p > observation_end:
                break
            if p <= calibration_end:
                if count == 0 or p != previous:
                    count += 1
                last_period = p
            elif count_holdout == 0 or p != previous:
                count_holdout += 1
            previous = p
        n_periods[c] = count
        first[c] = first_period if count else 0
        last[c] = last_period
        first_value[c] = first_sum
        total_value[c] = total_sum
        n_holdout[c] = count_holdout
        holdout_value[c] = holdout_sum


_Split: TypeAlias = tuple[_Ints, _Ints, _Ints, _Floats, _Floats, _Ints, _Floats]


def rfm_split(
    codes: _Ints,
    periods: _Ints,
    amounts: _Floats,
    n_customers: int,
    calibration_end: int,
    observation_end: int,
) -> _Split:
    """Per-customer purchase-period statistics before and after ``calibration_end``.

    Parameters
    ----------
    codes : int64[n]
        Customer index of each order, in ``[0, n_customers)``.
    periods : int64[n]
        Purchase-period index of each order.
    amounts : float64[n]
        Order values.
    n_customers : int
        Number of customers.
    calibration_end, observation_end : int
        Last period of the calibration window and of the whole observation
        (``calibration_end <= observation_end``); later orders are ignored.

    Returns
    -------
    n_periods : int64[n_customers]
        Distinct periods with an order up to ``calibration_end`` (0: no purchase yet).
    first, last : int64[n_customers]
        First and last of those periods.
    first_value, total_value : float64[n_customers]
        Value bought in the first period, and up to ``calibration_end``.
    n_holdout : int64[n_customers]
        Distinct periods with an order in (``calibration_end``, ``observation_end``].
    holdout_value : float64[n_customers]
        Value bought in those periods.
    """
    return _split(codes, periods, amounts, n_customers, calibration_end, observation_end, False)


def rfm_split_parallel(
    codes: _Ints,
    periods: _Ints,
    amounts: _Floats,
    n_customers: int,
    calibration_end: int,
    observation_end: int,
) -> _Split:
    """:func:`rfm_split` with the customers walked in blocks on several threads."""
    return _split(codes, periods, amounts, n_customers, calibration_end, observation_end, True)


def _split(
    codes: _Ints,
    periods: _Ints,
    amounts: _Floats,
    n_customers: int,
    calibration_end: int,
    observation_end: int,
    parallel: bool,
) -> _Split:
    n = int(n_customers)
    codes = frozen(codes, np.int64)
    offsets = group_by_customer(codes, n)
    offsets.flags.writeable = False
    grouped_periods, grouped_amounts = group_orders(
        codes, frozen(periods, np.int64), frozen(amounts), offsets, parallel
    )
    ints = [np.zeros(n, dtype=np.int64) for _ in range(4)]
    floats = [np.zeros(n, dtype=np.float64) for _ in range(3)]
    out = (ints[0], ints[1], ints[2], floats[0], floats[1], ints[3], floats[2])
    cal, end = int(calibration_end), int(observation_end)

    def walk(lo: int, hi: int) -> Any:
        return _walk_customers(offsets, grouped_periods, grouped_amounts, cal, end, lo, hi, *out)

    over_range(walk, n, parallel)
    return out


#: Orders from which the parallel version beats the serial one on this kind of machine
#: (2 cores; see benchmarks/README.md).
PARALLEL_MIN_ORDERS = 2_000_000


def warm_up() -> None:
    """Compile (or load from the cache) the kernels of this module on a two-order log."""
    rfm_split(np.zeros(2, dtype=np.int64), np.arange(2), np.ones(2), 1, 0, 1)
