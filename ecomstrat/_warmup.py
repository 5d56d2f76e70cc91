"""Compile (or load from the on-disk cache) every numba kernel ahead of the first real call."""

from __future__ import annotations

import time

import numpy as np

__all__ = ["warm_up"]


def warm_up() -> float:
    """Compile or load all kernels on tiny inputs; return the seconds it took.

    The first call in a fresh environment compiles the kernels (about 10 s on a 2-core
    machine); later processes load them from numba's on-disk cache (``cache=True``) in a
    fraction of a second.
    Call it at service start-up to keep that cost off the first request.

    Examples
    --------
    >>> seconds = warm_up()
    >>> seconds >= 0.0
    True
    """
    from ecomstrat._kernels.rfm import rfm_split, rfm_split_parallel

    start = time.perf_counter()
    # Frames hand read-only arrays to the kernels, and numba compiles (and caches) one
    # specialisation per array layout: warm up exactly that one.
    ints = np.zeros(1, dtype=np.int64)
    floats = np.zeros(1, dtype=np.float64)
    ints.flags.writeable = floats.flags.writeable = False
    for kernel in (rfm_split, rfm_split_parallel):
        kernel(ints, ints, floats, 1, 0, 0)
    return time.perf_counter() - start
