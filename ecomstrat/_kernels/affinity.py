"""Item and pair supports of market baskets: how many orders hold each product and each pair.

Three steps, each O(lines) or O(sum of squared basket sizes):

1. :func:`baskets` groups the lines by order with the counting sort of
   :mod:`ecomstrat._kernels._sort` (:func:`~ecomstrat._kernels._sort.group_by_customer` and
   :func:`~ecomstrat._kernels._sort.scatter`, orders playing the customers), then sorts each
   order's products (:func:`~ecomstrat._kernels._sort.sort_segment`) and drops repeats: a
   product bought on two lines of one order counts once.
2. :func:`item_supports` counts the orders holding each product (a bincount of the baskets).
3. :func:`pair_supports_dense` / :func:`pair_supports_hash` count, for a contiguous block of
   orders, the orders holding each pair ``a < b`` of distinct products. Dense: one int64 cell
   per pair in the upper triangle (``n(n-1)/2`` cells, a direct address, no probing), chosen
   when the triangle has at most :data:`DENSE_MAX_PAIRS` cells (about 2,050 products, 16 MiB
   per block). Hash: an open-addressing table (linear probing, Fibonacci hashing of the key
   ``a * n_products + b``, doubling at half load) that holds only the pairs that occur, for
   catalogues of any size.

:func:`fisher_greater` gives each pair's one-sided Fisher exact p-value (the upper tail of the
hypergeometric distribution), summing the probabilities from the observed count away from the
mode by their ratio recurrence, so that every term is smaller than the last and the sum stops
when they no longer change it: ``scipy.stats.hypergeom.sf`` sums a pmf over the whole tail
(0.3 s for 1,000 pairs of 10^5 baskets, minutes at 10^7).

The wrapper :func:`pair_supports` runs step 3 over blocks of orders on threads
(:func:`ecomstrat._kernels._jit.in_blocks`, one block per thread): each block writes its own
partial counts, which are then added up serially (never a shared accumulator), so the result
does not depend on the number of threads.
"""

from __future__ import annotations

import math
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from ecomstrat._kernels._jit import frozen, in_blocks, jit, threads
from ecomstrat._kernels._sort import group_by_customer, scatter, sort_segment

_Ints: TypeAlias = NDArray[np.int64]
_Floats: TypeAlias = NDArray[np.float64]

__all__ = [
    "DENSE_MAX_PAIRS",
    "baskets",
    "fisher_greater",
    "item_supports",
    "pair_supports",
    "pair_supports_dense",
    "pair_supports_hash",
]

#: Largest upper triangle (pairs of distinct products) counted in a dense array per block.
DENSE_MAX_PAIRS = 1 << 21

_EMPTY = np.int64(-1)
_FIBONACCI = np.uint64(0x9E3779B97F4A7C15)


@jit
def baskets(order_codes: _Ints, product_codes: _Ints, n_orders: int) -> tuple[_Ints, _Ints]:
    """The distinct products of each order, ascending.

    Parameters
    ----------
    order_codes, product_codes : int64[n]
        The order and the product of each line (codes in ``[0, n_orders)`` and ``[0, P)``).
    n_orders : int
        Number of orders; each order in ``[0, n_orders)`` gets a basket (empty if no line).

    Returns
    -------
    offsets : int64[n_orders + 1]
        Order ``o``'s products are ``items[offsets[o]:offsets[o + 1]]``.
    items : int64[m]
        The products, ascending and distinct within each order (``m <= n``).
    """
    line_offsets = group_by_customer(order_codes, n_orders)
    grouped = scatter(product_codes, order_codes, line_offsets)
    longest = 0
    for o in range(n_orders):
        longest = max(longest, line_offsets[o + 1] - line_offsets[o])
    scratch = np.empty(longest, dtype=np.int64)
    offsets = np.zeros(n_orders + 1, dtype=np.int64)
    out = 0
    for o in range(n_orders):
        lo = line_offsets[o]
        hi = line_offsets[o + 1]
        sort_segment(grouped, lo, hi, scratch)
        for i in range(lo, hi):
            if i == lo or grouped[i] != grouped[i - 1]:
                grouped[out] = grouped[i]
                out += 1
        offsets[o + 1] = out
    return offsets, grouped[:out].copy()


@jit
def item_supports(items: _Ints, n_products: int) -> _Ints:
    """Number of orders holding each product (``items`` distinct within each order)."""
    counts = np.zeros(n_products, dtype=np.int64)
    for i in range(items.shape[0]):
        counts[items[i]] += 1
    return counts


@jit
def pair_supports_dense(offsets: _Ints, items: _Ints, n_products: int, lo: int, hi: int) -> _Ints:
    """Orders ``lo..hi-1`` holding each pair, as the upper triangle of a product matrix.

    Pair ``a < b`` is cell ``a * (2n - a - 1) / 2 + (b - a - 1)`` (row-major upper triangle,
    ``n = n_products``).
    """
    n = n_products
    counts = np.zeros(n * (n - 1) // 2, dtype=np.int64)
    for o in range(lo, hi):
        start = offsets[o]
        end = offsets[o + 1]
        for i in range(start, end):
            a = items[i]
            row = a * (2 * n - a - 1) // 2 - a - 1
            for j in range(i + 1, end):
                counts[row + items[j]] += 1
    return counts


@jit
def _slot(key: np.int64, mask: np.int64) -> np.int64:
    return np.int64((np.uint64(key) * _FIBONACCI) >> np.uint64(32)) & mask


@jit
def _grow(keys: _Ints, counts: _Ints) -> tuple[_Ints, _Ints]:
    size = keys.shape[0] * 2
    mask = np.int64(size - 1)
    new_keys = np.full(size, _EMPTY, dtype=np.int64)
    new_counts = np.zeros(size, dtype=np.int64)
    for s in range(keys.shape[0]):
        key = keys[s]
        if key != _EMPTY:
            at = _slot(key, mask)
            while new_keys[at] != _EMPTY:
                at = (at + 1) & mask
            new_keys[at] = key
            new_counts[at] = counts[s]
    return new_keys, new_counts


@jit
def pair_supports_hash(
    offsets: _Ints, items: _Ints, n_products: int, lo: int, hi: int
) -> tuple[_Ints, _Ints]:
    """Orders ``lo..hi-1`` holding each pair that occurs: ``(keys, counts)``, keys ascending.

    A key is ``a * n_products + b`` for the pair ``a < b``.
    """
    size = 1024
    keys = np.full(size, _EMPTY, dtype=np.int64)
    counts = np.zeros(size, dtype=np.int64)
    used = 0
    mask = np.int64(size - 1)
    for o in range(lo, hi):
        start = offsets[o]
        end = offsets[o + 1]
        for i in range(start, end):
            base = items[i] * n_products
            for j in range(i + 1, end):
                key = base + items[j]
                at = _slot(key, mask)
                while keys[at] != _EMPTY and keys[at] != key:
                    at = (at + 1) & mask
                if keys[at] == _EMPTY:
                    keys[at] = key
                    used += 1
                counts[at] += 1
                if 2 * used > keys.shape[0]:
                    keys, counts = _grow(keys, counts)
                    mask = np.int64(keys.shape[0] - 1)
    found = np.empty(used, dtype=np.int64)
    found_counts = np.empty(used, dtype=np.int64)
    k = 0
    for s in range(keys.shape[0]):
        if keys[s] != _EMPTY:
            found[k] = keys[s]
            found_counts[k] = counts[s]
            k += 1
    order = np.argsort(found)
    return found[order], found_counts[order]


def pair_supports(
    offsets: _Ints, items: _Ints, n_products: int, *, parallel: bool = True
) -> tuple[_Ints, _Ints, _Ints]:
    """Supports of every co-occurring pair: ``(first, second, count)``, pairs ascending.

    Dense counting when the triangle has at most :data:`DENSE_MAX_PAIRS` cells, else the hash
    table; over one block of orders per thread when ``parallel``, partials added serially.
    """
    offsets = frozen(offsets, np.int64)
    items = frozen(items, np.int64)
    n_orders = offsets.shape[0] - 1
    n = int(n_products)
    blocks = threads() if parallel else 1
    bounds = [n_orders * i // blocks for i in range(blocks + 1)]
    if n * (n - 1) // 2 <= DENSE_MAX_PAIRS:
        partials = in_blocks(
            lambda b0, b1: [
                pair_supports_dense(offsets, items, n, bounds[b], bounds[b + 1])
                for b in range(b0, b1)
            ],
            blocks,
        )
        total = np.zeros(n * (n - 1) // 2, dtype=np.int64)
        for part in partials:
            for counts in part:
                total += counts
        cells = np.flatnonzero(total)
        first, second = np.triu_indices(n, k=1)
        return first[cells].astype(np.int64), second[cells].astype(np.int64), total[cells]
    parts = in_blocks(
        lambda b0, b1: [
            pair_supports_hash(offsets, items, n, bounds[b], bounds[b + 1]) for b in range(b0, b1)
        ],
        blocks,
    )
    flat = [p for part in parts for p in part]
    keys = np.concatenate([k for k, _ in flat])
    counts = np.concatenate([c for _, c in flat])
    if len(flat) > 1:
        keys, where = np.unique(keys, return_inverse=True)
        counts = np.bincount(where, weights=counts, minlength=keys.size).astype(np.int64)
    return keys // n, keys % n, counts


@jit
def _log_choose(n: float, k: float) -> float:
    return math.lgamma(n + 1.0) - math.lgamma(k + 1.0) - math.lgamma(n - k + 1.0)


@jit
def _upper_tail(x: int, total: int, successes: int, draws: int) -> float:
    """P(X >= x) for X ~ Hypergeometric(total, successes, draws)."""
    lo = max(0, draws - (total - successes))
    hi = min(successes, draws)
    if x <= lo:
        return 1.0
    if x > hi:
        return 0.0
    big_n, big_k, n = float(total), float(successes), float(draws)
    mode = math.floor((n + 1.0) * (big_k + 1.0) / (big_n + 2.0))
    upward = x > mode
    k = float(x) if upward else float(x - 1)
    log_pmf = _log_choose(big_k, k) + _log_choose(big_n - big_k, n - k) - _log_choose(big_n, n)
    term = 1.0
    tail = 1.0
    if upward:  # P(X >= x): terms fall from k = x upwards
        while k < hi:
            term *= (big_k - k) * (n - k) / ((k + 1.0) * (big_n - big_k - n + k + 1.0))
            tail += term
            if term < 1e-17 * tail:
                break
            k += 1.0
        return min(1.0, math.exp(log_pmf) * tail)
    while k > lo:  # 1 - P(X <= x - 1): terms fall from k = x - 1 downwards
        term *= k * (big_n - big_k - n + k) / ((big_k - k + 1.0) * (n - k + 1.0))
        tail += term
        if term < 1e-17 * tail:
            break
        k -= 1.0
    return max(0.0, 1.0 - math.exp(log_pmf) * tail)


@jit
def fisher_greater(counts: _Ints, first_counts: _Ints, second_counts: _Ints, n: int) -> _Floats:
    """One-sided Fisher exact p-values of positive association, one per pair.

    ``P(X >= counts[i])`` for ``X ~ Hypergeometric(n, first_counts[i], second_counts[i])``:
    the chance, if the two products were bought independently, of at least as many baskets
    holding both among ``n`` baskets with those item counts.
    """
    out = np.empty(counts.shape[0], dtype=np.float64)
    for i in range(counts.shape[0]):
        out[i] = _upper_tail(counts[i], n, first_counts[i], second_counts[i])
    return out


def warm_up() -> None:
    """Compile (or load from the cache) every kernel of this module on three tiny orders.

    The product counts select the dense path (3 products) and the hash-table path (3,000
    products, more pairs than :data:`DENSE_MAX_PAIRS`).
    """
    orders = frozen(np.array([0, 0, 1, 1, 2]), np.int64)
    products = frozen(np.array([0, 1, 0, 1, 2]), np.int64)
    offsets, items = baskets(orders, products, 3)
    supports = item_supports(frozen(items, np.int64), 3)
    first, second, counts = pair_supports(offsets, items, 3)
    pair_supports(offsets, items, 3_000)
    fisher_greater(
        frozen(counts, np.int64),
        frozen(supports[first], np.int64),
        frozen(supports[second], np.int64),
        3,
    )
