"""Discount break-even, loyalty-programme ROI and its measured uplift, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from ecomstrat import EmptyInputError, InvalidInputError, TransactionLog
from ecomstrat.metrics.incentives import (
    LoyaltyUplift,
    discount_break_even,
    loyalty_programme_roi,
    measure_loyalty_uplift,
)

# ------------------------------------------------------------------------------------ discount


def test_discount_break_even_by_hand() -> None:
    r = discount_break_even(0.2, gross_margin_rate=0.5)
    # 100 units at price 10, margin 50 %: gross profit 100 × 5 = 500.
    # 20 % off: price 8, unit cost 5, profit 3 a unit: 500 / 3 = 166.67 units, +66.7 %.
    assert r.required_volume_uplift == pytest.approx(0.2 / 0.3)  # 0.6667
    assert r.break_even_volume_factor == pytest.approx(0.5 / 0.3)  # 1.6667
    assert r.discounted_margin_rate == pytest.approx(0.3)
    assert 100 * r.break_even_volume_factor * 3 == pytest.approx(500.0)
    # no discount: no uplift needed
    assert discount_break_even(0.0, gross_margin_rate=0.3).required_volume_uplift == 0.0


def test_discount_sensitivity_table() -> None:
    r = discount_break_even(
        0.1, gross_margin_rate=0.4, price_discounts=[0.1, 0.3], gross_margin_rates=[0.2, 0.4]
    )
    table = r.sensitivity.columns()
    # rows: (0.1, 0.2), (0.1, 0.4), (0.3, 0.2), (0.3, 0.4)
    assert table["price_discount"].tolist() == [0.1, 0.1, 0.3, 0.3]
    assert table["gross_margin_rate"].tolist() == [0.2, 0.4, 0.2, 0.4]
    uplift = table["required_volume_uplift"]
    assert uplift[0] == pytest.approx(1.0)  # 0.1 / 0.1: orders must double
    assert uplift[1] == pytest.approx(1 / 3)  # 0.1 / 0.3
    assert uplift[2] == math.inf  # 30 % off a 20 % margin: every sale loses money
    assert uplift[3] == pytest.approx(3.0)  # 0.3 / 0.1
    assert r.columns()["required_volume_uplift"].tolist() == [pytest.approx(1 / 3)]


@pytest.mark.parametrize(
    ("discount", "margin"), [(0.4, 0.4), (0.5, 0.4), (-0.1, 0.4), (0.1, 0.0), (0.1, 1.5)]
)
def test_discount_break_even_refuses(discount: float, margin: float) -> None:
    with pytest.raises(InvalidInputError):
        discount_break_even(discount, gross_margin_rate=margin)


def test_discount_grid_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"price_discounts\[1\]"):
        discount_break_even(0.1, gross_margin_rate=0.4, price_discounts=[0.1, 1.2])
    with pytest.raises(EmptyInputError):
        discount_break_even(0.1, gross_margin_rate=0.4, gross_margin_rates=[])


@given(st.floats(0.0, 0.9), st.floats(0.0, 0.9), st.floats(0.05, 1.0), st.floats(0.05, 1.0))
def test_break_even_monotone(d1: float, d2: float, m1: float, m2: float) -> None:
    """Uplift rises with the discount and falls with the margin."""
    d_low, d_high = sorted((d1, d2))
    m_low, m_high = sorted((m1, m2))
    assume(d_high < m_low - 1e-6)
    at = {
        (d, m): discount_break_even(d, gross_margin_rate=m).required_volume_uplift
        for d in (d_low, d_high)
        for m in (m_low, m_high)
    }
    assert at[d_low, m_low] <= at[d_high, m_low]
    assert at[d_high, m_high] <= at[d_high, m_low]
    assert at[d_low, m_high] >= 0.0


# --------------------------------------------------------------------------------- loyalty ROI

GIVEN = {
    "gross_margin_rate": 0.4,
    "reward_cost_rate": 0.05,
    "redemption_rate": 0.5,
    "annual_discount_rate": 0.1,
    "base_retention_rate": 0.6,
    "base_annual_revenue": 100.0,
    "retention_uplift": 0.1,
    "frequency_uplift": 0.1,
}


def test_loyalty_roi_given_by_hand() -> None:
    r = loyalty_programme_roi(**GIVEN)
    # base: m R = 0.4 × 100 = 40 a year; g(0.6) = 0.6 / (1.1 − 0.6) = 1.2 → CLV 48
    assert r.base_clv == pytest.approx(48.0)
    # member: R' = 110, m R' = 44; r' = 0.7, g(0.7) = 0.7 / 0.4 = 1.75 → CLV 77
    assert r.member_annual_revenue == pytest.approx(110.0)
    assert r.member_retention_rate == pytest.approx(0.7)
    assert r.member_clv == pytest.approx(77.0)
    assert r.incremental_clv == pytest.approx(29.0)
    # rewards: 0.05 × 0.5 × 110 = 2.75 a year, × 1.75 = 4.8125
    assert r.reward_cost == pytest.approx(4.8125)
    assert r.running_cost == 0.0
    assert r.programme_cost == pytest.approx(4.8125)
    assert r.net_value_per_member == pytest.approx(24.1875)  # 29 − 4.8125
    assert r.roi == pytest.approx(24.1875 / 4.8125)  # 5.026
    assert r.total_net_value == pytest.approx(24.1875)  # one member, no fixed cost
    assert r.pays
    assert r.columns()["net_value_per_member"].tolist() == [pytest.approx(24.1875)]
    assert "sensitivity" not in r.columns()


def test_loyalty_roi_with_running_and_fixed_cost() -> None:
    r = loyalty_programme_roi(
        **GIVEN, annual_cost_per_member=2.0, n_members=100, fixed_programme_cost=500.0
    )
    # cost: (2.75 + 2) × 1.75 = 8.3125; net 29 − 8.3125 = 20.6875
    assert r.running_cost == pytest.approx(3.5)  # 2 × 1.75
    assert r.programme_cost == pytest.approx(8.3125)
    assert r.net_value_per_member == pytest.approx(20.6875)
    assert r.roi == pytest.approx(20.6875 / 8.3125)  # 2.489
    assert r.total_net_value == pytest.approx(100 * 20.6875 - 500)  # 1568.75


def test_loyalty_roi_that_does_not_pay() -> None:
    # No uplift: the programme only gives away 0.05 × 1.0 × 100 × g(0.6) = 6.0 per member.
    r = loyalty_programme_roi(
        **{**GIVEN, "retention_uplift": 0.0, "frequency_uplift": 0.0, "redemption_rate": 1.0}
    )
    assert r.incremental_clv == pytest.approx(0.0)
    assert r.net_value_per_member == pytest.approx(-6.0)
    assert r.roi == pytest.approx(-1.0)
    assert not r.pays


def test_loyalty_roi_from_base_clv() -> None:
    # mean base CLV 48 with m 0.4 and g(0.6) = 1.2 implies R = 48 / 0.48 = 100: same as GIVEN
    given = {k: v for k, v in GIVEN.items() if k != "base_annual_revenue"}
    r = loyalty_programme_roi(**given, base_clv=[40.0, 56.0])
    assert r.base_annual_revenue == pytest.approx(100.0)
    assert r.base_clv == pytest.approx(48.0)
    assert r.net_value_per_member == pytest.approx(24.1875)


def test_loyalty_sensitivity_table() -> None:
    r = loyalty_programme_roi(**GIVEN, uplift_scales=[0.0, 1.0], redemption_rates=[0.5, 1.0])
    t = r.sensitivity.columns()
    assert t["uplift_scale"].tolist() == [0.0, 0.0, 1.0, 1.0]
    assert t["redemption_rate"].tolist() == [0.5, 1.0, 0.5, 1.0]
    # scale 0: no incremental CLV; cost 0.05 × ρ × 100 × 1.2 = 6ρ
    assert t["incremental_clv"][:2].tolist() == [pytest.approx(0.0)] * 2
    assert t["programme_cost"][:2].tolist() == [pytest.approx(3.0), pytest.approx(6.0)]
    # scale 1, ρ 0.5: the headline result; ρ 1: cost 2 × 4.8125
    assert t["net_value_per_member"][2] == pytest.approx(r.net_value_per_member)
    assert t["net_value_per_member"][3] == pytest.approx(29.0 - 9.625)
    assert t["retention_uplift"].tolist() == [0.0, 0.0, 0.1, 0.1]


def test_loyalty_sensitivity_clips_retention_at_one() -> None:
    r = loyalty_programme_roi(
        **{**GIVEN, "retention_uplift": 0.3}, uplift_scales=[2.0], redemption_rates=[0.5]
    )
    # 0.6 + 2 × 0.3 = 1.2 is clipped to retention 1: uplift 0.4
    assert r.sensitivity.retention_uplift.tolist() == [pytest.approx(0.4)]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"retention_uplift": 0.5}, "retention_uplift"),  # 0.6 + 0.5 > 1
        ({"base_retention_rate": 1.0}, "base_retention_rate"),
        ({"redemption_rate": 1.5}, "redemption_rate"),
        ({"frequency_uplift": -1.0}, "frequency_uplift"),
        ({"annual_discount_rate": 0.0}, "annual_discount_rate"),
        ({"gross_margin_rate": 0.0}, "gross_margin_rate"),
        ({"base_annual_revenue": None}, "base_annual_revenue"),
        ({"retention_uplift": None}, "retention_uplift"),
        ({"base_clv": [10.0]}, "base_clv"),  # with base_annual_revenue too
        ({"n_members": 0}, "n_members"),
        ({"n_members": True}, "n_members"),
    ],
)
def test_loyalty_roi_refuses(change: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        loyalty_programme_roi(**{**GIVEN, **change})  # type: ignore[arg-type]


def test_loyalty_roi_refuses_wrong_measured() -> None:
    with pytest.raises(InvalidInputError, match="measured"):
        loyalty_programme_roi({"retention_uplift": 0.1}, **GIVEN)  # type: ignore[arg-type]


#: A rate or uplift is none or a measurable amount: at subnormal values (5e-324) the ROI is a
#: ratio of two numbers below the float resolution, and its rounding is not monotone.
UPLIFT = st.one_of(st.just(0.0), st.floats(1e-9, 1.0))


@given(
    UPLIFT.map(lambda u: 0.8 * u),
    UPLIFT.map(lambda u: 0.2 * u),
    UPLIFT,
    st.one_of(st.just(0.0), st.floats(1e-4, 1.0)),
    st.floats(0.2, 1.0),
)
def test_loyalty_value_monotone_in_uplift(
    retention: float,
    retention_uplift: float,
    frequency_uplift: float,
    reward: float,
    margin: float,
) -> None:
    """With rewards below the margin and no running cost, more uplift never lowers the value
    per member, and the ROI (net / cost) never falls either."""
    redemption = 0.5
    assume(reward * redemption < margin)
    r = loyalty_programme_roi(
        gross_margin_rate=margin,
        reward_cost_rate=reward,
        redemption_rate=redemption,
        base_retention_rate=retention,
        base_annual_revenue=100.0,
        retention_uplift=retention_uplift,
        frequency_uplift=frequency_uplift,
        uplift_scales=[0.0, 0.5, 1.0, 1.5, 2.0],
        redemption_rates=[redemption],
    )
    net = r.sensitivity.net_value_per_member
    assert np.all(np.diff(net) >= -1e-9 * (1 + np.abs(net[1:])))
    roi = r.sensitivity.roi
    if reward > 0:
        assert np.all(np.diff(roi) >= -1e-9 * (1 + np.abs(roi[1:])))


# ----------------------------------------------------------------------------- measured uplift

# Enrolment 2024-01-01, windows of 100 days: profile [2023-09-23, 2024-01-01), outcome
# [2024-01-01, 2024-04-10). Recency buckets are quarters of 25 days.
ROWS = [
    # members
    ("m1", "2023-12-20", 10.0),  # 1 order, 12 days before: cell (1 order, bucket 0)
    ("m1", "2024-01-15", 10.0),
    ("m1", "2024-02-15", 10.0),  # retained, 2 orders
    ("m2", "2023-12-25", 10.0),  # cell (1 order, bucket 0); not retained
    ("m3", "2023-10-01", 10.0),
    ("m3", "2023-10-05", 10.0),  # 2 orders, last 88 days before: cell (2 orders, bucket 3)
    ("m3", "2024-01-10", 10.0),
    ("m3", "2024-02-10", 10.0),
    ("m3", "2024-03-10", 10.0),  # retained, 3 orders
    ("m4", "2024-02-01", 10.0),  # no order before enrolment: unmatched
    *[("m6", f"2023-12-0{d}", 10.0) for d in range(1, 6)],  # 5 orders: no such non-member
    # non-members
    ("n1", "2023-12-21", 10.0),  # cell (1, 0)
    ("n1", "2024-02-01", 20.0),  # retained, 1 order of 20
    ("n2", "2023-06-01", 99.0),  # before the profile window: ignored
    ("n2", "2023-12-22", 10.0),  # cell (1, 0), not retained
    ("n3", "2023-12-23", 10.0),  # cell (1, 0), not retained
    ("n4", "2023-12-24", 10.0),  # cell (1, 0), not retained
    ("n5", "2023-10-02", 10.0),
    ("n5", "2023-10-04", 10.0),  # cell (2, 3)
    ("n5", "2024-03-01", 30.0),  # retained, 1 order of 30
    ("n6", "2023-12-01", 10.0),  # 1 order, 31 days before: cell (1, 1) — no member there
    ("n6", "2024-03-01", 10.0),
    ("n7", "2024-04-12", 10.0),  # after the outcome window
]
LOG = TransactionLog.from_arrays(*map(list, zip(*ROWS, strict=True)))
MEMBERS = ["m1", "m2", "m3", "m4", "m5", "m6"]  # m5 never ordered


def test_measured_uplift_by_hand() -> None:
    u = measure_loyalty_uplift(
        LOG, member_ids=MEMBERS, enrolment_date="2024-01-01", window_days=100
    )
    assert (u.members_matched, u.controls_matched) == (3, 5)  # m1-m3; n1-n5
    assert u.members_unmatched == 3  # m4 (no profile), m5 (absent), m6 (no control)
    # members: m1 and m3 of m1-m3 come back: 2 / 3
    assert u.member_retention_rate == pytest.approx(2 / 3)
    # controls: cell (1, 0) has 2 members, 4 non-members → weight 0.5 each; cell (2, 3) has
    # 1 and 1 → weight 1. Retained: n1 (0.5) and n5 (1) of 0.5 × 4 + 1 = 3 → 1.5 / 3 = 0.5
    assert u.control_retention_rate == pytest.approx(0.5)
    assert u.retention_uplift == pytest.approx(1 / 6)
    # orders per retained: members (2 + 3) / 2 = 2.5; controls (0.5 × 1 + 1 × 1) / 1.5 = 1
    assert u.member_orders_per_retained == pytest.approx(2.5)
    assert u.control_orders_per_retained == pytest.approx(1.0)
    assert u.frequency_uplift == pytest.approx(1.5)
    # revenue per retained control: (0.5 × 20 + 1 × 30) / 1.5 = 26.667
    assert u.control_revenue_per_retained == pytest.approx(40 / 1.5)
    assert u.columns()["retention_uplift"].tolist() == [pytest.approx(1 / 6)]


def test_roi_from_measured_uplift() -> None:
    u = measure_loyalty_uplift(
        LOG, member_ids=MEMBERS, enrolment_date="2024-01-01", window_days=100
    )
    r = loyalty_programme_roi(
        u,
        gross_margin_rate=0.5,
        reward_cost_rate=0.1,
        redemption_rate=1.0,
        annual_discount_rate=0.1,
    )
    # r = 0.5, Δr = 1/6, f = 1.5, R = 80/3; g(0.5) = 0.5/0.6 = 5/6, g(2/3) = (2/3)/(13/30) = 20/13
    R = 80 / 3
    assert (r.base_retention_rate, r.base_annual_revenue) == (0.5, pytest.approx(R))
    assert r.base_clv == pytest.approx(0.5 * R * 5 / 6)  # 11.11
    assert r.member_clv == pytest.approx(0.5 * R * 2.5 * 20 / 13)  # 51.28
    assert r.reward_cost == pytest.approx(0.1 * R * 2.5 * 20 / 13)  # 10.26
    # a given uplift overrides the measured one
    given = loyalty_programme_roi(
        u, gross_margin_rate=0.5, reward_cost_rate=0.1, redemption_rate=1.0, frequency_uplift=0.0
    )
    assert (given.frequency_uplift, given.retention_uplift) == (0.0, pytest.approx(1 / 6))


def test_measured_uplift_refuses() -> None:
    with pytest.raises(InvalidInputError, match="enrolment_date"):  # needs data to 2024-12-31
        measure_loyalty_uplift(LOG, member_ids=MEMBERS, enrolment_date="2024-01-01")
    with pytest.raises(EmptyInputError, match="no member could be matched"):
        measure_loyalty_uplift(
            LOG, member_ids=["m4", "m6"], enrolment_date="2024-01-01", window_days=100
        )
    with pytest.raises(EmptyInputError):
        measure_loyalty_uplift(LOG, member_ids=[], enrolment_date="2024-01-01", window_days=100)
    with pytest.raises(InvalidInputError, match="window_days"):
        measure_loyalty_uplift(LOG, member_ids=MEMBERS, enrolment_date="2024-01-01", window_days=0)


def test_measured_uplift_observation_end_extends_the_data() -> None:
    # the data could end quietly after the last order: observation_end says it did not
    u = measure_loyalty_uplift(
        LOG,
        member_ids=MEMBERS,
        enrolment_date="2024-01-01",
        window_days=120,
        observation_end="2024-05-01",
    )
    assert isinstance(u, LoyaltyUplift)
    assert u.window_days == 120.0
