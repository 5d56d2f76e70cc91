"""The basket kernels against the plain-Python and numpy references of the comparison table."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat._kernels import affinity as kernel
from tests.reference.affinity import COMPARISONS

IMPLEMENTATIONS = COMPARISONS["basket_supports"]


def _random_lines(seed: int, n_lines: int, n_orders: int, n_products: int):
    rng = np.random.default_rng(seed)
    orders = rng.integers(0, n_orders, n_lines).astype(np.int64)
    products = rng.integers(0, n_products, n_lines).astype(np.int64)
    return orders, products


def _assert_same(got, expected) -> None:
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)


def test_hand_worked_five_orders() -> None:
    # baskets: 0 {A,B}, 1 {A,B,A} -> {A,B} (the repeat counts once), 2 {A}, 3 {B,C}, 4 {C}
    # with A=0, B=1, C=2. Items: A in 3 orders, B in 3, C in 2. Pairs: AB in 2 orders, BC in 1.
    orders = np.array([0, 0, 1, 1, 1, 2, 3, 3, 4], dtype=np.int64)
    products = np.array([0, 1, 0, 1, 0, 0, 1, 2, 2], dtype=np.int64)
    for implementation in IMPLEMENTATIONS.values():
        items, first, second, counts = implementation(orders, products, 5, 3)
        assert items.tolist() == [3, 3, 2]
        assert first.tolist() == [0, 1]
        assert second.tolist() == [1, 2]
        assert counts.tolist() == [2, 1]


def test_baskets_sorted_distinct() -> None:
    orders = np.array([1, 0, 1, 1, 3], dtype=np.int64)
    products = np.array([5, 2, 4, 5, 1], dtype=np.int64)
    offsets, items = kernel.baskets(orders, products, 4)
    # order 0: {2}; order 1: {4, 5} (5 twice); order 2: empty; order 3: {1}
    assert offsets.tolist() == [0, 1, 3, 3, 4]
    assert items.tolist() == [2, 4, 5, 1]


@pytest.mark.parametrize("n_products", [7, 300, 2100])  # 2100: the hash table path
@pytest.mark.parametrize("parallel", [False, True])
def test_agrees_with_references(n_products: int, parallel: bool) -> None:
    orders, products = _random_lines(n_products, 20_000, 3_000, n_products)
    expected = IMPLEMENTATIONS["python"](orders, products, 3_000, n_products)
    _assert_same(IMPLEMENTATIONS["numpy"](orders, products, 3_000, n_products), expected)
    got = IMPLEMENTATIONS["numba"](orders, products, 3_000, n_products, parallel=parallel)
    _assert_same(got, expected)


def test_dense_and_hash_paths_agree() -> None:
    orders, products = _random_lines(3, 5_000, 500, 60)
    offsets, items = kernel.baskets(orders, products, 500)
    dense = kernel.pair_supports_dense(offsets, items, 60, 0, 500)
    keys, counts = kernel.pair_supports_hash(offsets, items, 60, 0, 500)
    first, second = np.triu_indices(60, k=1)
    cells = np.flatnonzero(dense)
    np.testing.assert_array_equal(keys, first[cells] * 60 + second[cells])
    np.testing.assert_array_equal(counts, dense[cells])


def test_hash_table_grows() -> None:
    # one basket of 60 products: 1,770 pairs, past the first table of 1,024 slots
    orders = np.zeros(60, dtype=np.int64)
    products = np.arange(60, dtype=np.int64)
    offsets, items = kernel.baskets(orders, products, 1)
    keys, counts = kernel.pair_supports_hash(offsets, items, 60, 0, 1)
    assert keys.size == 60 * 59 // 2
    assert (counts == 1).all()


@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 6)), min_size=1, max_size=80),
)
def test_property_matches_python(rows: list[tuple[int, int]]) -> None:
    orders = np.array([o for o, _ in rows], dtype=np.int64)
    products = np.array([p for _, p in rows], dtype=np.int64)
    expected = IMPLEMENTATIONS["python"](orders, products, 10, 7)
    _assert_same(IMPLEMENTATIONS["numba"](orders, products, 10, 7), expected)
    items, _, _, counts = expected
    # a pair never has more baskets than either of its products
    assert (counts <= items.max()).all()


FISHER = COMPARISONS["fisher_greater"]


def test_fisher_hand_worked() -> None:
    # N=5, n_A=3, n_B=3, n_AB=2: P(X>=2) = (C(3,2)C(2,1) + C(3,3)C(2,0)) / C(5,3) = 7/10
    # n_AB=1 with n_A=3, n_B=2: P(X>=1) = 1 - C(2,2)/C(5,2) = 9/10; n_AB=0: 1
    counts = np.array([2, 1, 0, 3], dtype=np.int64)
    first = np.array([3, 3, 3, 3], dtype=np.int64)
    second = np.array([3, 2, 2, 3], dtype=np.int64)
    # n_AB=3 of n_A=n_B=3: C(3,3)C(2,0)/C(5,3) = 1/10
    np.testing.assert_allclose(FISHER["numba"](counts, first, second, 5), [0.7, 0.9, 1.0, 0.1])


@pytest.mark.parametrize("n", [50, 5_000, 3_000_000])
def test_fisher_agrees_with_references(n: int) -> None:
    rng = np.random.default_rng(n)
    first = rng.integers(1, n // 3, 300)
    second = rng.integers(1, n // 3, 300)
    expected = first * second / n
    counts = np.clip(
        np.rint(expected * rng.uniform(0.5, 2.0, 300)), 0, np.minimum(first, second)
    ).astype(np.int64)
    got = FISHER["numba"](counts, first, second, n)
    np.testing.assert_allclose(
        got, FISHER["scipy"](counts, first, second, n), rtol=1e-6, atol=1e-12
    )
    if n <= 5_000:
        np.testing.assert_allclose(
            got, FISHER["python"](counts, first, second, n), rtol=1e-8, atol=1e-14
        )
