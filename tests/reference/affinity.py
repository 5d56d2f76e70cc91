"""Plain-Python and numpy references for ``ecomstrat._kernels.affinity`` (tests and benchmarks)."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np


def basket_supports_python(order_codes, product_codes, n_orders, n_products):
    """Item and pair supports with sets and Counters: ``(items, first, second, counts)``.

    ``items[p]`` is the number of orders holding product ``p``; the pairs ``first < second``
    that occur, ascending, with the number of orders holding both.
    """
    sets = [set() for _ in range(n_orders)]
    for o, p in zip(order_codes.tolist(), product_codes.tolist(), strict=True):
        sets[o].add(p)
    items = Counter()
    pairs = Counter()
    for basket in sets:
        items.update(basket)
        pairs.update(combinations(sorted(basket), 2))
    keys = sorted(pairs)
    return (
        np.array([items[p] for p in range(n_products)], dtype=np.int64),
        np.array([a for a, _ in keys], dtype=np.int64),
        np.array([b for _, b in keys], dtype=np.int64),
        np.array([pairs[k] for k in keys], dtype=np.int64),
    )


def basket_supports_numpy(order_codes, product_codes, n_orders, n_products):
    """Vectorised version: unique (order, product) keys, then a self-join within each order."""
    key = np.unique(order_codes.astype(np.int64) * n_products + product_codes)
    order, product = key // n_products, key % n_products
    items = np.bincount(product, minlength=n_products).astype(np.int64)
    starts = np.searchsorted(order, np.arange(n_orders + 1))
    size = np.diff(starts)[order]
    position = np.arange(key.size) - starts[order]
    later = size - position - 1  # partners after each line in its (sorted) basket
    rows = np.repeat(np.arange(key.size), later)
    step = np.arange(rows.size) - np.repeat(np.cumsum(later) - later, later) + 1
    pair = product[rows] * n_products + product[rows + step]
    pairs, counts = np.unique(pair, return_counts=True)
    return items, pairs // n_products, pairs % n_products, counts.astype(np.int64)


def basket_supports_numba(order_codes, product_codes, n_orders, n_products, parallel=True):
    """The kernels end to end, in the references' signature (what the table compares)."""
    from ecomstrat._kernels.affinity import baskets, item_supports, pair_supports

    offsets, items = baskets(order_codes, product_codes, n_orders)
    first, second, counts = pair_supports(offsets, items, n_products, parallel=parallel)
    return item_supports(items, n_products), first, second, counts


basket_supports_numba.kernel_module = "ecomstrat._kernels.affinity"


def fisher_greater_scipy(counts, first_counts, second_counts, n):
    """Reference for ``fisher_greater``: ``scipy.stats.hypergeom.sf`` (sums the whole tail)."""
    from scipy.stats import hypergeom

    return np.asarray(hypergeom.sf(counts - 1, n, first_counts, second_counts), dtype=float)


def fisher_greater_python(counts, first_counts, second_counts, n):
    """Plain Python: exact binomial coefficients (integers), then one division per pair."""
    from math import comb

    out = []
    for x, k, d in zip(counts.tolist(), first_counts.tolist(), second_counts.tolist(), strict=True):
        top = sum(comb(k, j) * comb(n - k, d - j) for j in range(x, min(k, d) + 1))
        out.append(top / comb(n, d))
    return np.array(out, dtype=float)


def _kernels() -> dict[str, dict[str, object]]:
    from ecomstrat._kernels.affinity import fisher_greater

    return {
        "fisher_greater": {
            "numba": fisher_greater,
            "python": fisher_greater_python,
            "scipy": fisher_greater_scipy,
        },
        "basket_supports": {
            "numba": basket_supports_numba,
            "numpy": basket_supports_numpy,
            "python": basket_supports_python,
        },
    }


#: kernel -> implementation name -> callable; drives the agreement tests (and benchmarks).
COMPARISONS = _kernels()
