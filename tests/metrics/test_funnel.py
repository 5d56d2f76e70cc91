"""Funnels: conversion by hand, Wilson intervals, validation, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat import EmptyInputError, InvalidInputError
from ecomstrat.metrics.engagement import wilson_interval
from ecomstrat.metrics.funnel import AARRR, funnel


def test_aarrr_by_hand() -> None:
    f = funnel([10_000, 4_000, 1_000, 250, 100], steps=AARRR)
    assert f.steps.tolist() == ["acquisition", "activation", "retention", "referral", "revenue"]
    # 4000 / 10000 = 0.4; 1000 / 4000 = 0.25; 250 / 1000 = 0.25; 100 / 250 = 0.4
    np.testing.assert_allclose(f.conversion, [np.nan, 0.4, 0.25, 0.25, 0.4])
    np.testing.assert_allclose(f.drop_off, [np.nan, 0.6, 0.75, 0.75, 0.6])
    assert f.lost.tolist() == [0, 6_000, 3_000, 750, 150]
    np.testing.assert_allclose(f.overall, [1.0, 0.4, 0.1, 0.025, 0.01])
    low, high = wilson_interval(1_000, n=4_000)
    assert (f.conversion_low[2], f.conversion_high[2]) == (float(low), float(high))
    assert f.overall_low[0] < 1.0  # 10000 of 10000
    assert f.overall_high[0] == 1.0
    assert f.biggest_drop == "retention"  # the first of the two 0.25 steps
    assert repr(f).startswith("Funnel(acquisition 10000 > activation 4000")


def test_mapping_and_default_names() -> None:
    f = funnel({"visit": 50, "buy": 5})
    assert f.steps.tolist() == ["visit", "buy"]
    assert funnel([3, 2, 0]).steps.tolist() == ["step 1", "step 2", "step 3"]
    after_empty = funnel([3, 0, 0])
    assert math.isnan(after_empty.conversion[2])  # 0 of 0


def test_to_pandas() -> None:
    pytest.importorskip("pandas")
    frame = funnel({"visit": 50, "buy": 5}).to_pandas()
    assert frame.columns.tolist()[:3] == ["step", "count", "conversion"]
    assert frame["count"].tolist() == [50, 5]


def test_validation() -> None:
    with pytest.raises(InvalidInputError, match=r"counts\['cart'\]=300 is invalid: is more than"):
        funnel({"visit": 200, "cart": 300})
    with pytest.raises(InvalidInputError, match=r"counts\['step 2'\]=-1"):
        funnel([5, -1])
    with pytest.raises(InvalidInputError, match=r"counts\['step 1'\]=2.5"):
        funnel([2.5])
    with pytest.raises(InvalidInputError, match=r"counts\['step 1'\]=0 is invalid: must be >= 1"):
        funnel([0, 0])
    with pytest.raises(InvalidInputError, match="must name each of the 2 counts"):
        funnel([5, 3], steps=["only"])
    with pytest.raises(InvalidInputError, match="distinct"):
        funnel([5, 3], steps=["a", "a"])
    with pytest.raises(EmptyInputError):
        funnel([])


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=8), st.integers(1, 10_000))
def test_conversion_is_a_share(drops: list[int], start: int) -> None:
    counts = [start]
    for d in drops:
        counts.append(max(counts[-1] - d, 0))
    f = funnel(counts)
    for column in (f.conversion, f.conversion_low, f.conversion_high, f.overall):
        seen = column[~np.isnan(column)]
        assert ((seen >= 0) & (seen <= 1)).all()
    seen = ~np.isnan(f.conversion)
    assert (f.conversion_low[seen] <= f.conversion[seen] + 1e-12).all()
    assert (f.conversion[seen] <= f.conversion_high[seen] + 1e-12).all()
    assert f.lost.sum() == counts[0] - counts[-1]
