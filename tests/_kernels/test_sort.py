"""The counting sort by customer and the per-customer sort shared by the RFM, cohort and
lifecycle kernels, against plain references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat._kernels._sort import INSERTION_SORT_MAX, bucket_shift, sort_segment
from tests.reference import COMPARISONS

IMPLEMENTATIONS = COMPARISONS["group_by_customer"]
SCATTER = COMPARISONS["scatter"]
GROUP_ORDERS = COMPARISONS["group_orders"]


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _group_both_ways(codes: np.ndarray, n_customers: int, parallel: bool) -> None:
    rng = np.random.default_rng(codes.size)
    periods = _readonly(rng.integers(-5, 500, codes.size))
    amounts = _readonly(rng.random(codes.size))
    offsets = _readonly(IMPLEMENTATIONS["numba"](_readonly(codes), n_customers))
    got = GROUP_ORDERS["numba"](codes, periods, amounts, offsets, parallel)
    want = GROUP_ORDERS["python"](codes, periods, amounts, offsets, parallel)
    for have, expected in zip(got, want, strict=True):
        assert have.dtype == expected.dtype
        np.testing.assert_array_equal(have, expected)  # bitwise: same values, same order


@given(
    n_customers=st.integers(1, 600),
    picks=st.lists(st.integers(0, 10_000), min_size=0, max_size=80),
    parallel=st.booleans(),
)
def test_group_orders_is_a_stable_sort_by_customer(
    n_customers: int, picks: list, parallel: bool
) -> None:
    _group_both_ways(np.array(picks, dtype=np.int64) % n_customers, n_customers, parallel)


@pytest.mark.parametrize("parallel", [False, True])
def test_group_orders_over_several_buckets(parallel: bool) -> None:
    n_customers, n = 700, 200_000  # 256 customers per bucket: three buckets, the last short
    assert bucket_shift(n, n_customers) == 8
    codes = np.random.default_rng(7).integers(0, n_customers, n)
    _group_both_ways(codes, n_customers, parallel)


def test_bucket_shift_aims_at_bucket_orders() -> None:
    assert bucket_shift(10**7, 10**6) == 13  # 10 orders each: 8,192 customers, ~82k orders
    assert bucket_shift(10**7, 5 * 10**6) == 16  # 2 each: 65,536 customers (the uint16 cap)
    assert bucket_shift(10**9, 10**3) == 8  # at least 256 customers per bucket


@pytest.mark.parametrize("name", sorted(set(IMPLEMENTATIONS) - {"python"}))
@given(
    n_customers=st.integers(1, 9),
    picks=st.lists(st.integers(0, 1_000), min_size=0, max_size=60),
)
def test_group_agrees_with_python_reference(name: str, n_customers: int, picks: list) -> None:
    codes = np.array(picks, dtype=np.int64) % n_customers
    offsets = IMPLEMENTATIONS[name](codes, n_customers)
    np.testing.assert_array_equal(offsets, IMPLEMENTATIONS["python"](codes, n_customers))
    rows = np.arange(codes.size, dtype=np.int64)
    order = SCATTER[name](rows, codes, offsets)
    np.testing.assert_array_equal(order, SCATTER["python"](rows, codes, offsets))
    assert (np.diff(codes[order]) >= 0).all()


@pytest.mark.parametrize("n", [0, 1, INSERTION_SORT_MAX, INSERTION_SORT_MAX + 1, 1_000])
def test_sort_segment_sorts_only_its_segment(n: int) -> None:
    rng = np.random.default_rng(n)
    keys = rng.integers(-50, 50, n + 10)
    before = keys.copy()
    sort_segment(keys, 5, 5 + n, np.empty(n, dtype=np.int64))
    np.testing.assert_array_equal(keys[5 : 5 + n], np.sort(before[5 : 5 + n]))
    np.testing.assert_array_equal(keys[:5], before[:5])
    np.testing.assert_array_equal(keys[5 + n :], before[5 + n :])
