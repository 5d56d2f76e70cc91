"""Value tiers by rank and by threshold: hand-checked cases, properties, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError
from ecomstrat.metrics.value_tiers import (
    ValueTiers,
    top_value_share,
    value_concentration,
    value_tiers,
    value_tiers_by_threshold,
)


def test_top_1_and_10_percent_hand_checked() -> None:
    # 200 customers worth 1..200: room = ceil(0.01 * 200) = 2 and ceil(0.10 * 200) = 20.
    values = np.arange(1.0, 201.0)
    tiers = value_tiers(values)
    assert tiers.names == ("top 1%", "top 10%", "rest")
    assert tiers.counts == {"top 1%": 2, "top 10%": 18, "rest": 180}
    assert tiers.codes[-2:].tolist() == [0, 0]
    assert tiers.codes[-3] == 1
    assert tiers.codes[-21] == 2
    # total = 200 * 201 / 2 = 20,100; top 1% = 199 + 200 = 399;
    # top 10% (ranks 3-20) = sum(181..198) = 18 * (181 + 198) / 2 = 3,411; rest = 16,290
    assert tiers.total_value == 20_100.0
    assert tiers.value_shares == pytest.approx(
        {"top 1%": 399 / 20_100, "top 10%": 3_411 / 20_100, "rest": 16_290 / 20_100}
    )
    assert tiers.shares == {"top 1%": 0.01, "top 10%": 0.09, "rest": 0.9}
    assert repr(tiers) == "ValueTiers(200 customers: top 1%=2, top 10%=18, rest=180)"


def test_room_rounds_up_and_ties_fall_to_the_lower_tier() -> None:
    # n = 30: room of the top 10% = ceil(3.0) = 3 (not 4: 0.1 * 30 is 3.0000000000000004)
    tiers = value_tiers(np.arange(30.0), top_shares=(0.1,))
    assert tiers.counts == {"top 10%": 3, "rest": 27}
    # n = 5, top 20%: room 1. Two customers tie at the top: neither fits alone, both go down.
    tied = value_tiers([7.0, 7.0, 3.0, 2.0, 1.0], top_shares=(0.2, 0.6))
    # at least as valuable as the 7s: 2 > room 1; room of the top 60% = 3 >= 2 -> tier 1.
    # 3.0: 3 customers at least as valuable <= 3 -> tier 1; 2.0: 4 > 3 -> rest.
    assert tied.codes.tolist() == [1, 1, 1, 2, 2]
    assert tied.counts == {"top 20%": 0, "top 60%": 3, "rest": 2}


def test_thresholds_hand_checked() -> None:
    tiers = value_tiers_by_threshold([500.0, 200.0, 199.99, 50.0, 0.0], thresholds=(200, 50))
    # >= 200 high; [50, 200) mid; < 50 low: a value on a threshold belongs to the tier above
    assert tiers.labels().tolist() == ["high", "high", "mid", "mid", "low"]
    # shares of 949.99: high 700, mid 249.99, low 0
    assert tiers.value_shares["high"] == pytest.approx(700 / 949.99)
    assert tiers.value_shares["low"] == 0.0
    one = value_tiers_by_threshold([5.0, 1.0], thresholds=[2.0])
    assert one.names == ("high", "low")
    three = value_tiers_by_threshold(
        [5.0, 1.0], thresholds=[4.0, 3.0, 2.0], names=["A", "B", "C", "D"]
    )
    assert three.labels().tolist() == ["A", "D"]
    assert value_tiers_by_threshold([1.0], thresholds=[3.0, 2.0, 1.0]).names[-1] == "tier 4"


def test_zero_total_value_gives_nan_shares() -> None:
    tiers = value_tiers([0.0, 0.0, 0.0])
    assert tiers.counts == {"top 1%": 0, "top 10%": 0, "rest": 3}
    assert all(math.isnan(s) for s in tiers.value_shares.values())


def test_ids_and_to_pandas() -> None:
    tiers = value_tiers([3.0, 9.0], top_shares=(0.5,), customer_ids=["x", "y"])
    assert tiers.labels().tolist() == ["rest", "top 50%"]
    assert tiers.ids_in("top 50%").tolist() == ["y"]
    assert tiers.ids_in(1).tolist() == ["x"]
    pytest.importorskip("pandas")
    frame = tiers.to_pandas()
    assert list(frame.columns) == ["tier", "tier_code", "value"]
    assert frame.loc["y", "tier"] == "top 50%"
    assert frame.loc["x", "tier_code"] == 1


# ------------------------------------------------------------------------------ properties


@given(
    values=st.lists(st.integers(0, 1_000), min_size=1, max_size=80),
    shares=st.lists(st.integers(1, 99), min_size=1, max_size=3, unique=True),
    seed=st.integers(0, 2**32 - 1),
)
def test_properties(values: list[int], shares: list[int], seed: int) -> None:
    v = np.array(values, dtype=float)
    top = tuple(s / 100 for s in sorted(shares))
    tiers = value_tiers(v, top_shares=top)
    assert sum(tiers.counts.values()) == v.size
    assert sum(tiers.shares.values()) == pytest.approx(1.0)
    if v.sum() > 0:
        assert sum(tiers.value_shares.values()) == pytest.approx(1.0)
    for k, share in enumerate(top):  # never more customers than the room of each tier
        assert int((tiers.codes <= k).sum()) <= math.ceil(round(share * v.size, 9))
    for value in set(values):  # ties share a tier
        assert len(set(tiers.codes[v == value].tolist())) == 1
    order = np.argsort(-v, kind="stable")  # more valuable, never a lower tier
    assert (np.diff(tiers.codes[order]) >= 0).all()
    permutation = np.random.default_rng(seed).permutation(v.size)
    shuffled = value_tiers(v[permutation], top_shares=top)
    np.testing.assert_array_equal(shuffled.codes, tiers.codes[permutation])


# --------------------------------------------------------------------------------- errors


def test_errors() -> None:
    with pytest.raises(EmptyInputError, match="values is empty"):
        value_tiers([])
    with pytest.raises(InvalidInputError, match=r"values\[1\]=-2.0 \(customer 'b'\)"):
        value_tiers([1.0, -2.0], customer_ids=["a", "b"])
    with pytest.raises(InvalidInputError, match=r"values\[0\]=nan"):
        value_tiers([float("nan")])
    with pytest.raises(InvalidInputError, match=r"top_shares=\(0.1, 0.01\) is invalid"):
        value_tiers([1.0], top_shares=(0.1, 0.01))
    with pytest.raises(InvalidInputError, match=r"top_shares\[0\]=10.0 is invalid"):
        value_tiers([1.0], top_shares=(10,))
    with pytest.raises(
        InvalidInputError, match=r"thresholds=\(50.0, 200.0\) is invalid.*\(200.0, 50.0\)"
    ):
        value_tiers_by_threshold([1.0], thresholds=(50, 200))
    with pytest.raises(InvalidInputError, match=r"names=.*must hold 3 labels"):
        value_tiers_by_threshold([1.0], thresholds=(2, 1), names=["a", "b"])
    with pytest.raises(InvalidInputError, match=r"names=.*must be distinct"):
        value_tiers([1.0], names=["a", "a", "b"])
    with pytest.raises(InvalidInputError, match="customer_ids='a' is invalid: is duplicated"):
        value_tiers([1.0, 2.0], customer_ids=["a", "a"])
    with pytest.raises(InvalidInputError, match="equal lengths"):
        ValueTiers(np.array([1]), np.array([1.0, 2.0]), np.array([0], dtype=np.int8), ("a",))
    with pytest.raises(InvalidInputError, match=r"codes=.*must be int8"):
        ValueTiers(np.array([1]), np.array([1.0]), np.array([0]), ("a",))
    with pytest.raises(InvalidInputError, match="codes='out of range'"):
        ValueTiers(np.array([1]), np.array([1.0]), np.array([1], dtype=np.int8), ("a",))
    with pytest.raises(UnknownCodeError, match=r"label='top 5%' is not known.*'top 1%'"):
        value_tiers([1.0]).ids_in("top 5%")


def pairwise_gini(v: np.ndarray) -> float:
    """Σ_i Σ_j |v_i - v_j| / (2 n² mean): the sample Gini, independent of the sorting."""
    return float(np.abs(v[:, None] - v[None, :]).sum() / (2.0 * v.size**2 * v.mean()))


@given(
    st.lists(
        st.floats(min_value=0.0, max_value=1e6, allow_nan=False), min_size=1, max_size=40
    ).filter(lambda v: sum(v) > 1e-6)
)
def test_concentration_gini_is_the_pairwise_gini(values: list[float]) -> None:
    v = np.asarray(values)
    c = value_concentration(v)
    x, y = c.customer_share, c.value_share
    assert c.gini == pytest.approx(pairwise_gini(v), abs=1e-9)
    assert -1e-12 <= c.gini <= 1.0 - 1.0 / v.size + 1e-9
    assert y[0] == 0.0
    assert y[-1] == 1.0
    assert (np.diff(y) >= -1e-12).all()
    assert (y >= x - 1e-9).all()  # most valuable first: never below the diagonal
    for share in (0.01, 0.1, 0.5, 1.0):
        assert c.top_share(share) == pytest.approx(top_value_share(v, share))


def test_concentration_hand_checked() -> None:
    c = value_concentration([10.0, 0.0, 30.0, 60.0])
    np.testing.assert_allclose(c.value_share, [0.0, 0.6, 0.9, 1.0, 1.0])
    np.testing.assert_allclose(c.customer_share, [0.0, 0.25, 0.5, 0.75, 1.0])
    assert c.top_share(0.25) == 0.6
    assert c.top_share(0.3) == 0.9  # ceil(0.3 * 4) = 2 customers
    assert c.gini == pytest.approx(pairwise_gini(np.array([10.0, 0.0, 30.0, 60.0])))
    assert set(c.columns()) == {"customer_share", "value_share"}
    assert top_value_share(np.zeros(3), 0.1) is None


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ([1.0, -2.0], r"^values\[1\]=-2.0 .*must be >= 0"),
        ([0.0, 0.0], r"^values='<all 0>' is invalid"),
        ([], r"^values is empty"),
    ],
)
def test_concentration_bad_input(values: list[float], named: str) -> None:
    with pytest.raises((InvalidInputError, EmptyInputError), match=named):
        value_concentration(values)
    with pytest.raises(InvalidInputError, match=r"^share=0.0 is invalid"):
        value_concentration([1.0]).top_share(0.0)
