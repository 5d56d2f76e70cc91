"""Compile (or load from the on-disk cache) every numba kernel ahead of the first real call."""

from __future__ import annotations

import time

import numpy as np

__all__ = ["warm_up"]


def warm_up() -> float:
    """Compile or load all kernels on tiny inputs; return the seconds it took.

    The first call in a fresh environment compiles the kernels (a few seconds); later
    processes load them from numba's cache (``cache=True``) in a fraction of a second.
    Call it at service start-up to keep that cost off the first request.

    Examples
    --------
    >>> seconds = warm_up()
    >>> seconds >= 0.0
    True
    """
    from ecomstrat.frames.transaction_log import TransactionLog
    from ecomstrat.metrics.summary import rfm_summary

    start = time.perf_counter()
    # Through the public path: frames hand read-only arrays to the kernels, and numba compiles
    # (and caches) one specialisation per array layout.
    log = TransactionLog.from_arrays(np.zeros(1, dtype=np.int64), ["2024-01-01"], [1.0])
    rfm_summary(log)
    return time.perf_counter() - start
