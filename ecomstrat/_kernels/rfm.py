"""RFM summary of an unsorted transaction log, optionally split at a calibration end.

The log is grouped by customer with a counting sort (O(n), two scratch arrays), then each
customer's orders are sorted by purchase period and walked once, in parallel over customers.
"""

from __future__ import annotations

from typing import TypeAlias

import numba
import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import jit, jit_serial_and_parallel

_Ints: TypeAlias = NDArray[np.int64]
_Floats: TypeAlias = NDArray[np.float64]

_INSERTION_SORT_MAX = 24


@jit
def _sort_segment(periods: _Ints, amounts: _Floats, lo: int, hi: int) -> None:
    """Sort ``periods[lo:hi]`` ascending, carrying ``amounts`` along."""
    if hi - lo <= _INSERTION_SORT_MAX:
        for i in range(lo + 1, hi):
            p = periods[i]
            a = amounts[i]
            j = i - 1
            while j >= lo and periods[j] > p:
                periods[j + 1] = periods[j]
                amounts[j + 1] = amounts[j]
                j -= 1
            periods[j + 1] = p
            amounts[j + 1] = a
    else:
        order = np.argsort(periods[lo:hi], kind="mergesort")
        periods[lo:hi] = periods[lo:hi][order]
        amounts[lo:hi] = amounts[lo:hi][order]


@jit
def _group_by_customer(
    codes: _Ints, periods: _Ints, amounts: _Floats, n_customers: int
) -> tuple[_Ints, _Ints, _Floats]:
    """Counting sort of the orders by customer: offsets plus grouped periods and amounts."""
    offsets = np.zeros(n_customers + 1, dtype=np.int64)
    for i in range(codes.shape[0]):
        offsets[codes[i] + 1] += 1
    for c in range(n_customers):
        offsets[c + 1] += offsets[c]
    cursor = offsets[:-1].copy()
    grouped_periods = np.empty(codes.shape[0], dtype=np.int64)
    grouped_amounts = np.empty(codes.shape[0], dtype=np.float64)
    for i in range(codes.shape[0]):
        c = codes[i]
        j = cursor[c]
        grouped_periods[j] = periods[i]
        grouped_amounts[j] = amounts[i]
        cursor[c] = j + 1
    return offsets, grouped_periods, grouped_amounts


def _rfm_split(
    codes: _Ints,
    periods: _Ints,
    amounts: _Floats,
    n_customers: int,
    calibration_end: int,
    observation_end: int,
) -> tuple[_Ints, _Ints, _Ints, _Floats, _Floats, _Ints, _Floats]:
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
    offsets, grouped_periods, grouped_amounts = _group_by_customer(
        codes, periods, amounts, n_customers
    )
    n_periods = np.zeros(n_customers, dtype=np.int64)
    first = np.zeros(n_customers, dtype=np.int64)
    last = np.zeros(n_customers, dtype=np.int64)
    first_value = np.zeros(n_customers, dtype=np.float64)
    total_value = np.zeros(n_customers, dtype=np.float64)
    n_holdout = np.zeros(n_customers, dtype=np.int64)
    holdout_value = np.zeros(n_customers, dtype=np.float64)
    for c in numba.prange(n_customers):
        lo = offsets[c]
        hi = offsets[c + 1]
        _sort_segment(grouped_periods, grouped_amounts, lo, hi)
        count = 0
        count_holdout = 0
        previous = 0
        for j in range(lo, hi):
            p = grouped_periods[j]
            if p > observation_end:
                break
            a = grouped_amounts[j]
            if p <= calibration_end:
                if count == 0:
                    first[c] = p
                    count = 1
                elif p != previous:
                    count += 1
                if p == first[c]:
                    first_value[c] += a
                total_value[c] += a
                last[c] = p
            else:
                if count_holdout == 0 or p != previous:
                    count_holdout += 1
                holdout_value[c] += a
            previous = p
        n_periods[c] = count
        n_holdout[c] = count_holdout
    return n_periods, first, last, first_value, total_value, n_holdout, holdout_value


rfm_split, rfm_split_parallel = jit_serial_and_parallel(_rfm_split)

#: Orders from which the parallel version of a kernel beats the serial one on this kind of
#: machine (2 cores; see benchmarks/README.md).
PARALLEL_MIN_ORDERS = 2_000_000
