"""RFM state of a transaction log read chunk by chunk, updated order by order in input order.

Each customer's statistics are those of :func:`ecomstrat._kernels.rfm.rfm_split`, computed the
same way: values are added in input order (so the sums are bitwise those of the in-memory
kernel, which adds each customer's orders in input order), and a purchase period counts once.
Distinct periods are counted with a hash set of the (customer, period) pairs seen so far, open
addressing with linear probing over an int64 table (:data:`EMPTY` marks a free slot). A pair
whose period lies below a *watermark* (the earliest period any later order can have) can never
be seen again: :func:`prune` drops those, so that on a time-ordered source the set holds the
pairs of about one chunk, not of the whole log.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, jit

_Ints: TypeAlias = NDArray[np.int64]
_Floats: TypeAlias = NDArray[np.float64]

__all__ = ["EMPTY", "capacity_for", "prune", "update"]

#: Free slot of a pair table (keys are >= 0).
EMPTY = -1
#: Bits of a period in a pair key: ``key = code << PERIOD_BITS | (period + 2**(PERIOD_BITS-1))``.
#: Day indices of ``datetime64[ns]`` times lie within +-106,752, below ``2**17``.
PERIOD_BITS = 18
_HALF = 1 << (PERIOD_BITS - 1)
_MASK = (1 << PERIOD_BITS) - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def capacity_for(n_pairs: int) -> int:
    """Table length (a power of two) keeping ``n_pairs`` at most half full."""
    return 1 << max(4, (2 * max(n_pairs, 1) - 1).bit_length())


@jit
def _insert(table: _Ints, key: int) -> bool:
    """Insert ``key`` into ``table``; True if it was absent (the table must have a free slot)."""
    mask = table.shape[0] - 1
    slot = np.int64((np.uint64(key) * _GOLDEN) >> np.uint64(20)) & mask
    while True:
        held = table[slot]
        if held == key:
            return False
        if held == EMPTY:
            table[slot] = key
            return True
        slot = (slot + 1) & mask


@jit
def update(
    codes: _Ints,
    periods: _Ints,
    times: _Ints,
    values: _Floats,
    calibration_end: int,
    observation_end: int,
    table: _Ints,
    periods_seen: _Ints,
    values_seen: _Floats,
    n_holdout: _Ints,
    holdout_value: _Floats,
    late_first: _Ints,
) -> int:
    """Add one chunk of orders, in input order, to the customers' state; return the new pairs.

    Parameters
    ----------
    codes, periods, times, values : int64[n], int64[n], int64[n], float64[n]
        Customer code, purchase-period index, time (nanoseconds) and value of each order.
    calibration_end, observation_end : int
        Period indices as in :func:`ecomstrat._kernels.rfm.rfm_split`; later orders are
        ignored.
    table : int64[m]
        The pair set (``m`` a power of two with more than ``n`` free slots), updated in place.
    periods_seen : int64[customers, 3]
        Per customer: distinct periods, first and last period (zeros for a new customer).
    values_seen : float64[customers, 2]
        Per customer: value in the first period and in all (one row per customer, so that an
        order touches two cache lines of state, not five).
    n_holdout, holdout_value : int64[customers], float64[customers]
        Distinct holdout periods and their value (may be empty when no order can be in the
        holdout window).
    late_first : int64[customers] or int64[0]
        Earliest time of each customer's ignored orders (start at ``int64`` max); not kept
        when empty.

    Returns
    -------
    int
        Number of pairs added to ``table``.
    """
    added = 0
    track_late = late_first.shape[0] > 0
    for i in range(codes.shape[0]):
        c = codes[i]
        p = periods[i]
        if p > observation_end:
            if track_late and times[i] < late_first[c]:
                late_first[c] = times[i]
            continue
        a = values[i]
        new = _insert(table, (c << PERIOD_BITS) | (p + _HALF))
        added += new
        if p > calibration_end:
            holdout_value[c] += a
            n_holdout[c] += new
            continue
        values_seen[c, 1] += a
        count = periods_seen[c, 0]
        if count == 0 or p < periods_seen[c, 1]:
            periods_seen[c, 1] = p
            values_seen[c, 0] = a
        elif p == periods_seen[c, 1]:
            values_seen[c, 0] += a
        if count == 0 or p > periods_seen[c, 2]:
            periods_seen[c, 2] = p
        periods_seen[c, 0] = count + new
    return added


@jit
def _count_from(table: _Ints, watermark: int) -> int:
    """Number of keys of ``table`` whose period is >= ``watermark``."""
    kept = 0
    for slot in range(table.shape[0]):
        key = table[slot]
        if key != EMPTY and (key & _MASK) - _HALF >= watermark:
            kept += 1
    return kept


@jit
def _rebuild(table: _Ints, watermark: int, out: _Ints) -> None:
    """Insert into ``out`` the keys of ``table`` whose period is >= ``watermark``."""
    for slot in range(table.shape[0]):
        key = table[slot]
        if key != EMPTY and (key & _MASK) - _HALF >= watermark:
            _insert(out, key)


def prune(table: _Ints, watermark: int, room: int, spare: _Ints) -> tuple[_Ints, int, _Ints]:
    """The pairs of ``table`` whose period is >= ``watermark``, in a table with ``room`` more.

    ``spare`` is a buffer to reuse when it has the right length (a new table otherwise): two
    tables alternate, instead of a fresh allocation (and its page faults) at every call.
    Returns the new table (at most half full once ``room`` more pairs are added), the number
    of pairs it holds, and the old table as the next ``spare``. A ``watermark`` below every
    period only resizes.
    """
    source = frozen(table, np.int64)
    kept = int(_count_from(source, int(watermark)))
    capacity = capacity_for(kept + room)
    out = spare if spare.shape[0] == capacity else np.empty(capacity, dtype=np.int64)
    out.fill(EMPTY)
    _rebuild(source, int(watermark), out)
    return out, kept, table


def warm_up() -> None:
    """Compile (or load from the cache) the kernels of this module on a two-order chunk."""
    periods_seen = np.zeros((1, 3), dtype=np.int64)
    values_seen = np.zeros((1, 2))
    table = np.full(capacity_for(2), EMPTY, dtype=np.int64)
    two = np.arange(2, dtype=np.int64)
    update(
        frozen(np.zeros(2, dtype=np.int64), np.int64),
        frozen(two, np.int64),
        frozen(two, np.int64),
        frozen(np.ones(2)),
        0,
        1,
        table,
        periods_seen,
        values_seen,
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        np.zeros(1, dtype=np.int64),
    )
    prune(table, 1, 2, table.copy())
