"""Grouping an unsorted order log by customer, and sorting each customer's periods.

One counting sort (O(n), :func:`group_by_customer`) groups the orders of the RFM, cohort and
lifecycle kernels; :func:`scatter` moves each column of the orders into that grouping (random
writes: measured faster than gathering the values later through a permutation).
:func:`sort_segment` then sorts one customer's periods: insertion sort for a short history,
bottom-up merge sort for a long one (``np.sort`` compiled numba's quicksort, twice the machine
code of a kernel module).
"""

from __future__ import annotations

from typing import TypeAlias, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import jit

_Ints: TypeAlias = NDArray[np.int64]
_T = TypeVar("_T", bound=np.generic)

__all__ = ["group_by_customer", "longest_segment", "scatter", "sort_segment"]

INSERTION_SORT_MAX = 24
#: The same as a numpy integer: numba compiles a callee once more for a literal ``int``.
_RUN = cast(int, np.int64(INSERTION_SORT_MAX))


@jit
def group_by_customer(codes: _Ints, n_customers: int) -> _Ints:
    """Where each customer's orders go in a stable grouping by customer (a counting sort).

    Parameters
    ----------
    codes : int64[n]
        Customer index of each order, in ``[0, n_customers)``.
    n_customers : int
        Number of customers.

    Returns
    -------
    offsets : int64[n_customers + 1]
        Customer ``c``'s orders are positions ``offsets[c]:offsets[c + 1]`` of the grouping
        (apply it to a column with :func:`scatter`).
    """
    offsets = np.zeros(n_customers + 1, dtype=np.int64)
    for i in range(codes.shape[0]):
        offsets[codes[i] + 1] += 1
    for c in range(n_customers):
        offsets[c + 1] += offsets[c]
    return offsets


@jit
def scatter(values: NDArray[_T], codes: _Ints, offsets: _Ints) -> NDArray[_T]:
    """``values`` grouped by customer, each customer's in input order.

    The write position is recomputed from ``codes`` for each column rather than stored once:
    an int64 per order less at the peak, for one more sequential read of ``codes``.
    """
    cursor = offsets[:-1].copy()
    out = np.empty_like(values)
    for i in range(values.shape[0]):
        c = codes[i]
        out[cursor[c]] = values[i]
        cursor[c] += 1
    return out


@jit
def longest_segment(offsets: _Ints, lo: int, hi: int) -> int:
    """The most orders of one customer among customers ``lo..hi-1`` (a scratch length)."""
    longest = 0
    for c in range(lo, hi):
        longest = max(longest, offsets[c + 1] - offsets[c])
    return longest


@jit
def sort_segment(keys: _Ints, lo: int, hi: int, scratch: _Ints) -> None:
    """Sort ``keys[lo:hi]`` ascending (``scratch`` at least ``hi - lo`` long).

    A history of at most :data:`INSERTION_SORT_MAX` orders is insertion-sorted. A longer one is
    merge-sorted bottom-up: runs of that length are insertion-sorted, then merged pairwise back
    and forth between the segment and ``scratch``.
    """
    if hi - lo <= INSERTION_SORT_MAX:
        _insertion_sort(keys, lo, hi)
        return
    n = hi - lo
    width = _RUN
    for start in range(lo, hi, width):
        _insertion_sort(keys, start, min(start + width, hi))
    # one call site, offsets in variables (not literal ints: see _RUN)
    src_keys, src, dst_keys, dst = keys, lo, scratch, lo - lo
    in_scratch = False
    while width < n:
        _merge_pass(src_keys, src, dst_keys, dst, n, width)
        src_keys, dst_keys = dst_keys, src_keys
        src, dst = dst, src
        in_scratch = not in_scratch
        width *= 2
    if in_scratch:
        for k in range(n):
            keys[lo + k] = scratch[k]


@jit
def _insertion_sort(keys: _Ints, lo: int, hi: int) -> None:
    """Sort a short ``keys[lo:hi]`` ascending."""
    for i in range(lo + 1, hi):
        key = keys[i]
        j = i - 1
        while j >= lo and keys[j] > key:
            keys[j + 1] = keys[j]
            j -= 1
        keys[j + 1] = key


@jit
def _merge_pass(src: _Ints, src_at: int, dst: _Ints, dst_at: int, n: int, width: int) -> None:
    """Merge the sorted runs of ``width`` of ``src[src_at:src_at+n]`` pairwise into ``dst``."""
    for left in range(0, n, 2 * width):
        i = left
        mid = min(left + width, n)
        j = mid
        end = min(left + 2 * width, n)
        out = dst_at + left
        while i < mid and j < end:
            if src[src_at + j] < src[src_at + i]:
                dst[out] = src[src_at + j]
                j += 1
            else:
                dst[out] = src[src_at + i]
                i += 1
            out += 1
        while i < mid:
            dst[out] = src[src_at + i]
            i += 1
            out += 1
        while j < end:
            dst[out] = src[src_at + j]
            j += 1
            out += 1
