"""Plain-Python reference for the streaming RFM kernel (``ecomstrat._kernels.stream``)."""

from __future__ import annotations

import numpy as np

from ecomstrat._kernels._jit import frozen


def stream_rfm_python(chunks, n_customers, calibration_end, observation_end):
    """The statistics of ``rfm_split`` from ``(codes, periods, values)`` chunks, order by order.

    A Python set holds the (customer, period) pairs; each customer's values are added in input
    order, as the kernel (and ``rfm_split``) add them.
    """
    seen = set()
    n_periods, first, last, n_holdout = ([0] * n_customers for _ in range(4))
    first_value, total_value, holdout_value = ([0.0] * n_customers for _ in range(3))
    for codes, periods, values in chunks:
        for c, p, a in zip(codes.tolist(), periods.tolist(), values.tolist(), strict=True):
            if p > observation_end:
                continue
            new = (c, p) not in seen
            seen.add((c, p))
            if p > calibration_end:
                holdout_value[c] += a
                n_holdout[c] += new
                continue
            total_value[c] += a
            if n_periods[c] == 0 or p < first[c]:
                first[c], first_value[c] = p, a
            elif p == first[c]:
                first_value[c] += a
            if n_periods[c] == 0 or p > last[c]:
                last[c] = p
            n_periods[c] += new
    ints = [np.array(v, dtype=np.int64) for v in (n_periods, first, last)]
    floats = [np.array(v, dtype=np.float64) for v in (first_value, total_value)]
    holdout = np.array(n_holdout, dtype=np.int64), np.array(holdout_value, dtype=np.float64)
    return (*ints, *floats, *holdout)


def stream_rfm_numba(chunks, n_customers, calibration_end, observation_end):
    """The same through ``update`` and ``prune`` (no watermark: the set keeps every pair)."""
    from ecomstrat._kernels.stream import EMPTY, capacity_for, prune, update

    periods_seen = np.zeros((n_customers, 3), dtype=np.int64)
    values_seen = np.zeros((n_customers, 2))
    holdout = np.zeros(n_customers, dtype=np.int64), np.zeros(n_customers)
    table = np.full(capacity_for(1), EMPTY, dtype=np.int64)
    spare = np.empty(0, dtype=np.int64)
    n_pairs = 0
    for codes, periods, values in chunks:
        if 2 * (n_pairs + codes.size) > table.size:
            table, n_pairs, spare = prune(table, np.iinfo(np.int64).min, codes.size, spare)
        n_pairs += update(
            frozen(codes, np.int64),
            frozen(periods, np.int64),
            frozen(periods, np.int64),  # times: unused without late_first
            frozen(values),
            calibration_end,
            observation_end,
            table,
            periods_seen,
            values_seen,
            *holdout,
            np.zeros(0, dtype=np.int64),
        )
    columns = (*periods_seen.T, *values_seen.T)
    return (*(np.ascontiguousarray(c) for c in columns), *holdout)


stream_rfm_numba.kernel_module = "ecomstrat._kernels.stream"

#: kernel -> implementation name -> callable; drives the agreement tests.
COMPARISONS = {"stream_rfm": {"numba": stream_rfm_numba, "python": stream_rfm_python}}
