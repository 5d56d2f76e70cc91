"""Plain-Python and numpy references for the numba kernels (used by tests and benchmarks)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np


def rfm_split_python(codes, periods, amounts, n_customers, calibration_end, observation_end):
    """Reference for ``ecomstrat._kernels.rfm.rfm_split`` with dicts and loops."""
    per_customer = [defaultdict(float) for _ in range(n_customers)]
    for c, p, a in zip(codes.tolist(), periods.tolist(), amounts.tolist(), strict=True):
        if p <= observation_end:
            per_customer[c][p] += a
    out = [np.zeros(n_customers, dtype=np.int64) for _ in range(3)]
    values = [np.zeros(n_customers) for _ in range(2)]
    n_holdout = np.zeros(n_customers, dtype=np.int64)
    holdout_value = np.zeros(n_customers)
    for c, by_period in enumerate(per_customer):
        calibration = sorted(p for p in by_period if p <= calibration_end)
        holdout = [p for p in by_period if p > calibration_end]
        if calibration:
            out[0][c] = len(calibration)
            out[1][c] = calibration[0]
            out[2][c] = calibration[-1]
            values[0][c] = by_period[calibration[0]]
            values[1][c] = sum(by_period[p] for p in calibration)
        n_holdout[c] = len(holdout)
        holdout_value[c] = sum(by_period[p] for p in holdout)
    return (*out, *values, n_holdout, holdout_value)


def rfm_split_numpy(codes, periods, amounts, n_customers, calibration_end, observation_end):
    """Vectorised numpy version of the same computation (sort-based)."""
    keep = periods <= observation_end
    codes, periods, amounts = codes[keep], periods[keep], amounts[keep]
    order = np.lexsort((periods, codes))
    codes, periods, amounts = codes[order], periods[order], amounts[order]
    new = np.ones(codes.size, dtype=bool)
    new[1:] = (codes[1:] != codes[:-1]) | (periods[1:] != periods[:-1])
    starts = np.flatnonzero(new)
    c, p = codes[starts], periods[starts]
    value = np.add.reduceat(amounts, starts) if starts.size else np.zeros(0)
    cal = p <= calibration_end
    n_periods = np.bincount(c[cal], minlength=n_customers).astype(np.int64)
    first = np.zeros(n_customers, dtype=np.int64)
    last = np.zeros(n_customers, dtype=np.int64)
    first_value = np.zeros(n_customers)
    # within a customer, periods are ascending: the last write wins for "last",
    # writing in reverse makes the first period win for "first".
    last[c[cal]] = p[cal]
    first[c[cal][::-1]] = p[cal][::-1]
    first_value[c[cal][::-1]] = value[cal][::-1]
    total_value = np.bincount(c[cal], weights=value[cal], minlength=n_customers).astype(float)
    n_holdout = np.bincount(c[~cal], minlength=n_customers).astype(np.int64)
    holdout_value = np.bincount(c[~cal], weights=value[~cal], minlength=n_customers).astype(float)
    return n_periods, first, last, first_value, total_value, n_holdout, holdout_value


def group_by_customer_python(codes, n_customers):
    """Reference for ``ecomstrat._kernels._sort.group_by_customer``: where each customer starts."""
    counts = [0] * n_customers
    for c in codes.tolist():
        counts[c] += 1
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def group_by_customer_numpy(codes, n_customers):
    """Vectorised version: cumulative ``bincount``."""
    offsets = np.concatenate(([0], np.cumsum(np.bincount(codes, minlength=n_customers))))
    return offsets.astype(np.int64)


def scatter_python(values, codes, offsets):
    """Reference for ``ecomstrat._kernels._sort.scatter``: a stable sort of rows by customer."""
    order = sorted(range(len(codes)), key=lambda i: codes[i])
    return np.asarray(values)[order]


def scatter_numpy(values, codes, offsets):
    """Vectorised version: a stable argsort."""
    return values[np.argsort(codes, kind="stable")]


def group_orders_python(codes, periods, amounts, offsets, parallel):
    """Reference for ``ecomstrat._kernels._sort.group_orders``: both columns sorted stably."""
    order = sorted(range(len(codes)), key=lambda i: codes[i])
    return np.asarray(periods)[order], np.asarray(amounts)[order]


def _kernels() -> dict[str, dict[str, object]]:
    from ecomstrat._kernels._sort import group_by_customer, group_orders, scatter
    from ecomstrat._kernels.rfm import rfm_split, rfm_split_parallel

    return {
        "group_by_customer": {
            "numba": group_by_customer,
            "numpy": group_by_customer_numpy,
            "python": group_by_customer_python,
        },
        "scatter": {"numba": scatter, "numpy": scatter_numpy, "python": scatter_python},
        "group_orders": {"numba": group_orders, "python": group_orders_python},
        "rfm_split": {
            "numba": rfm_split,
            "numba-parallel": rfm_split_parallel,
            "numpy": rfm_split_numpy,
            "python": rfm_split_python,
        },
    }


#: kernel -> implementation name -> callable; drives the agreement tests and the benchmarks.
COMPARISONS = _kernels()


#: The modules holding each kernel family's references and comparison table.
FAMILY_MODULES = (
    "tests.reference",
    "tests.reference.affinity",
    "tests.reference.bgnbd",
    "tests.reference.cnbd",
    "tests.reference.cohorts",
    "tests.reference.covariates",
    "tests.reference.discrete",
    "tests.reference.dyncov",
    "tests.reference.ggomnbd",
    "tests.reference.hashing",
    "tests.reference.lifecycle",
    "tests.reference.paretonbd",
    "tests.reference.stream",
)


def all_comparisons() -> dict[str, dict[str, object]]:
    """Every kernel's implementations, from all family tables (one view for tests and tools)."""
    import importlib

    merged: dict[str, dict[str, object]] = {}
    for name in FAMILY_MODULES:
        for kernel, implementations in importlib.import_module(name).COMPARISONS.items():
            assert kernel not in merged, f"{kernel} is in two comparison tables"
            merged[kernel] = implementations
    return merged
