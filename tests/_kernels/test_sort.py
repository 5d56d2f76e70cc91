"""The counting sort by customer and the per-customer sort shared by the RFM, cohort and
lifecycle kernels, against plain references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat._kernels._sort import INSERTION_SORT_MAX, sort_segment
from tests.reference import COMPARISONS

IMPLEMENTATIONS = COMPARISONS["group_by_customer"]
SCATTER = COMPARISONS["scatter"]


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
