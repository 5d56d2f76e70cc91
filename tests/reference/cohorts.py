"""Plain-Python and numpy references for the cohort kernel (tests and benchmarks)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np


def cohort_cells_python(
    codes,
    periods,
    amounts,
    margins,
    acquisition,
    cohort,
    n_cohorts,
    n_offsets,
    last_period,
):
    """Reference for ``ecomstrat._kernels.cohorts.cohort_cells`` with sets and loops."""
    buyers = defaultdict(set)
    revenue = np.zeros((n_cohorts, n_offsets))
    margin = np.zeros((n_cohorts, n_offsets))
    rows = zip(codes.tolist(), periods.tolist(), amounts.tolist(), margins.tolist(), strict=True)
    for c, p, a, m in rows:
        row = int(cohort[c])
        k = p - int(acquisition[c])
        if row < 0 or k < 0 or k >= n_offsets or p > last_period:
            continue
        buyers[row, k].add(c)
        revenue[row, k] += a
        margin[row, k] += m
    active = np.zeros((n_cohorts, n_offsets), dtype=np.int64)
    for (row, k), members in buyers.items():
        active[row, k] = len(members)
    return active, revenue, margin


def cohort_cells_numpy(
    codes,
    periods,
    amounts,
    margins,
    acquisition,
    cohort,
    n_cohorts,
    n_offsets,
    last_period,
):
    """Vectorised numpy version: filter, then ``bincount`` over flattened cells."""
    row = cohort[codes]
    k = periods - acquisition[codes]
    keep = (row >= 0) & (k >= 0) & (k < n_offsets) & (periods <= last_period)
    cell = row[keep] * n_offsets + k[keep]
    size = n_cohorts * n_offsets
    revenue = np.bincount(cell, weights=amounts[keep], minlength=size).astype(np.float64)
    margin = np.bincount(cell, weights=margins[keep], minlength=size).astype(np.float64)
    revenue, margin = revenue.reshape(n_cohorts, -1), margin.reshape(n_cohorts, -1)
    pairs = np.unique(codes[keep].astype(np.int64) * size + cell)
    active = np.bincount(pairs % size, minlength=size).astype(np.int64).reshape(n_cohorts, -1)
    return active, revenue, margin


def _kernels() -> dict[str, dict[str, object]]:
    from ecomstrat._kernels.cohorts import cohort_cells

    return {
        "cohort_cells": {
            "numba": cohort_cells,
            "numpy": cohort_cells_numpy,
            "python": cohort_cells_python,
        }
    }


#: kernel -> implementation name -> callable; drives the agreement tests (and benchmarks).
COMPARISONS = _kernels()
