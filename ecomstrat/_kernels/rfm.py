"""RFM summary of an unsorted transaction log, optionally split at a calibration end.

The log is grouped by customer with a counting sort (O(n), two scratch arrays), then each
customer's orders are sorted by purchase period and walked once; :func:`rfm_split_parallel`
walks blocks of customers on several threads (:func:`ecomstrat._kernels._jit.in_blocks`).
"""

from __future__ import annotations

from typing import Any, TypeAlias, cast

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, jit, over_range

_Ints: TypeAlias = NDArray[np.int64]
_Floats: TypeAlias = NDArray[np.float64]

_INSERTION_SORT_MAX = 24
#: The same as a numpy integer: numba compiles a callee once more for a literal ``int``.
_RUN = cast(int, np.int64(_INSERTION_SORT_MAX))


@jit
def _insertion_sort(periods: _Ints, amounts: _Floats, lo: int, hi: int) -> None:
    """Stable sort of a short ``periods[lo:hi]`` ascending, carrying ``amounts`` along."""
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


@jit
def _merge_pass(
    src_periods: _Ints,
    src_amounts: _Floats,
    src: int,
    dst_periods: _Ints,
    dst_amounts: _Floats,
    dst: int,
    n: int,
    width: int,
) -> None:
    """Merge the sorted runs of ``width`` of ``src_*[src:src+n]`` pairwise into ``dst_*[dst:]``.

    Ties take the left run, so the merge is stable.
    """
    for left in range(0, n, 2 * width):
        i = left
        mid = min(left + width, n)
        j = mid
        end = min(left + 2 * width, n)
        out = dst + left
        while i < mid and j < end:
            if src_periods[src + j] < src_periods[src + i]:
                dst_periods[out] = src_periods[src + j]
                dst_amounts[out] = src_amounts[src + j]
                j += 1
            else:
                dst_periods[out] = src_periods[src + i]
                dst_amounts[out] = src_amounts[src + i]
                i += 1
            out += 1
        while i < mid:
            dst_periods[out] = src_periods[src + i]
            dst_amounts[out] = src_amounts[src + i]
            i += 1
            out += 1
        while j < end:
            dst_periods[out] = src_periods[src + j]
            dst_amounts[out] = src_amounts[src + j]
            j += 1
            out += 1


@jit
def _merge_sort(
    periods: _Ints,
    amounts: _Floats,
    lo: int,
    hi: int,
    scratch_periods: _Ints,
    scratch_amounts: _Floats,
) -> None:
    """Stable sort of a long ``periods[lo:hi]`` ascending, carrying ``amounts`` along.

    Bottom-up merge sort: runs of :data:`_INSERTION_SORT_MAX` are insertion-sorted, then merged
    pairwise back and forth between the segment and the scratch arrays (at least ``hi - lo``
    long). ``np.argsort(kind="mergesort")`` and a gather did the same with three allocations per
    history, and compiled to more machine code than the rest of the module.
    """
    n = hi - lo
    width = _RUN
    for start in range(lo, hi, width):
        _insertion_sort(periods, amounts, start, min(start + width, hi))
    # one call site, offsets in variables (not literal ints: see _RUN)
    src_periods, src_amounts, src = periods, amounts, lo
    dst_periods, dst_amounts, dst = scratch_periods, scratch_amounts, lo - lo
    in_scratch = False
    while width < n:
        _merge_pass(src_periods, src_amounts, src, dst_periods, dst_amounts, dst, n, width)
        src_periods, dst_periods = dst_periods, src_periods
        src_amounts, dst_amounts = dst_amounts, src_amounts
        src, dst = dst, src
        in_scratch = not in_scratch
        width *= 2
    if in_scratch:
        for k in range(n):
            periods[lo + k] = scratch_periods[k]
            amounts[lo + k] = scratch_amounts[k]


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
    """Sort and walk the orders of customers ``lo..hi-1``, writing their outputs.

    The sums run in local variables (the compiler cannot keep array slots in registers while
    other arrays are written: they might overlap) and are stored once per customer.
    """
    longest = 0
    for c in range(lo, hi):
        longest = max(longest, offsets[c + 1] - offsets[c])
    scratch_periods = np.empty(longest, dtype=np.int64)  # for the merge sort
    scratch_amounts = np.empty(longest, dtype=np.float64)
    for c in range(lo, hi):
        start = offsets[c]
        end = offsets[c + 1]
        if end - start > _INSERTION_SORT_MAX:
            _merge_sort(
                grouped_periods, grouped_amounts, start, end, scratch_periods, scratch_amounts
            )
        else:  # the insertion sort written out: a call here measured slower
            for i in range(start + 1, end):
                p = grouped_periods[i]
                a = grouped_amounts[i]
                k = i - 1
                while k >= start and grouped_periods[k] > p:
                    grouped_periods[k + 1] = grouped_periods[k]
                    grouped_amounts[k + 1] = grouped_amounts[k]
                    k -= 1
                grouped_periods[k + 1] = p
                grouped_amounts[k + 1] = a
        count = 0
        count_holdout = 0
        previous = 0
        first_period = 0
        last_period = 0
        first_sum = 0.0
        total_sum = 0.0
        holdout_sum = 0.0
        for j in range(start, end):
            p = grouped_periods[j]
            if p > observation_end:
                break
            a = grouped_amounts[j]
            if p <= calibration_end:
                if count == 0:
                    first_period = p
                    count = 1
                elif p != previous:
                    count += 1
                if p == first_period:
                    first_sum += a
                total_sum += a
                last_period = p
            else:
                if count_holdout == 0 or p != previous:
                    count_holdout += 1
                holdout_sum += a
            previous = p
        n_periods[c] = count
        first[c] = first_period
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
    offsets, grouped_periods, grouped_amounts = _group_by_customer(
        frozen(codes, np.int64), frozen(periods, np.int64), frozen(amounts), n
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
