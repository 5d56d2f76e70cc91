"""Distinct rows of a table by hashing: the one row-deduplication kernel of the models.

Every likelihood is evaluated on distinct patterns with weights (``(x, t_x, T)`` rows for the
continuous-time models, ``(x, m)`` pairs for Gamma-Gamma, ``(x, t)`` pairs inside the
Pareto/NBD likelihood). :func:`unique_rows` finds them in linear time.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, jit

__all__ = ["unique_rows", "warm_up"]

_Ints: TypeAlias = NDArray[np.int64]


@jit
def _hash_step(h: np.uint64, key: np.int64) -> np.uint64:
    """Fold one 64-bit key into the hash ``h`` (splitmix64 finaliser)."""
    k = np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)
    k ^= k >> np.uint64(31)
    h = (h ^ k) * np.uint64(0xBF58476D1CE4E5B9)
    return h ^ (h >> np.uint64(27))


@jit
def _unique_rows(a: _Ints, b: _Ints, c: _Ints) -> tuple[_Ints, _Ints]:
    """Distinct rows of three equal-length int64 columns (float64 bit patterns), by hashing.

    Returns the index of the first occurrence of each distinct row, in order of first
    occurrence, and for every row the number of its distinct row. Linear time (open
    addressing with linear probing, load factor at most 1/2).
    """
    n = a.shape[0]
    size = 2
    while size < 2 * n:
        size *= 2
    mask = np.uint64(size - 1)
    slots = np.full(size, -1, dtype=np.int64)
    first = np.empty(n, dtype=np.int64)
    inverse = np.empty(n, dtype=np.int64)
    count = 0
    for i in range(n):
        h = _hash_step(_hash_step(_hash_step(np.uint64(0), a[i]), b[i]), c[i])
        slot = h & mask
        while True:
            j = slots[slot]
            if j < 0:
                slots[slot] = count
                first[count] = i
                inverse[i] = count
                count += 1
                break
            f = first[j]
            if a[f] == a[i] and b[f] == b[i] and c[f] == c[i]:
                inverse[i] = j
                break
            slot = (slot + np.uint64(1)) & mask
    return first[:count].copy(), inverse


def unique_rows(a: _Ints, b: _Ints, c: _Ints) -> tuple[_Ints, _Ints]:
    """Distinct rows of three int64 columns: first occurrences and inverse; see _unique_rows."""
    return _unique_rows(frozen(a, np.int64), frozen(b, np.int64), frozen(c, np.int64))


def warm_up() -> None:
    """Compile (or load from the cache) the kernel on tiny inputs."""
    index = np.zeros(1, dtype=np.int64)
    unique_rows(index, index, index)
