"""Acquisition economics: attribution, CAC, payback, ROAS/ROI, LTV:CAC, errors, properties."""

from __future__ import annotations

import datetime
import itertools
import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat import (
    Campaign,
    CurrencyMismatchError,
    Customer,
    EmptyInputError,
    InvalidInputError,
    Money,
    TransactionLog,
    UnknownCodeError,
    simulate_transactions,
)
from ecomstrat.datasets.campaigns import simulate_campaigns
from ecomstrat.metrics.acquisition import (
    FLOAT_TOLERANCE,
    acquisition_table,
    break_even_roas,
    cac_payback_months,
)

D = datetime.date
NAN = float("nan")


def campaign(cid: str, channel: str, spend: str, start: D, end: D) -> Campaign:
    return Campaign(cid, channel, Money(spend, "EUR"), start, end)


@pytest.fixture
def log() -> TransactionLog:
    # a: first order Jan 3 (jan), then Feb 5 and Mar 10.    b: Jan 10 (jan) only.
    # c: Feb 2 (feb), then Mar 1.                            d: Jan 20 (no campaign: organic).
    return TransactionLog.from_arrays(
        ["a", "a", "a", "b", "c", "c", "d"],
        [
            "2024-01-03",
            "2024-02-05",
            "2024-03-10",
            "2024-01-10",
            "2024-02-02",
            "2024-03-01",
            "2024-01-20",
        ],
        [50.0, 40.0, 30.0, 30.0, 100.0, 20.0, 10.0],
        margins=[20.0, 16.0, 12.0, 12.0, 40.0, 8.0, 4.0],
        currency="EUR",
    )


@pytest.fixture
def campaigns() -> list[Campaign]:
    return [
        campaign("jan", "search", "60", D(2024, 1, 1), D(2024, 1, 15)),
        campaign("feb", "social", "30", D(2024, 2, 1), D(2024, 2, 14)),
    ]


def test_table_by_hand(log: TransactionLog, campaigns: list[Campaign]) -> None:
    t = acquisition_table(log, campaigns=campaigns)
    assert t.labels.tolist() == ["jan", "feb"]
    assert t.customers.tolist() == [2, 1]  # jan: a, b; feb: c; d is organic
    assert t.n_unattributed == 1
    np.testing.assert_allclose(t.spend, [60.0, 30.0])
    np.testing.assert_allclose(t.cac, [30.0, 30.0])  # 60 / 2, 30 / 1
    # jan revenue: a 50 + 40 + 30, b 30 = 150; margin 20 + 16 + 12 + 12 = 60
    # feb revenue: c 100 + 20 = 120; margin 40 + 8 = 48
    np.testing.assert_allclose(t.revenue, [150.0, 120.0])
    np.testing.assert_allclose(t.margin, [60.0, 48.0])
    np.testing.assert_allclose(t.roas, [150 / 60, 120 / 30])  # 2.5, 4.0
    np.testing.assert_allclose(t.roi, [(60 - 60) / 60, (48 - 30) / 30])  # 0.0, 0.6
    np.testing.assert_allclose(t.break_even_roas, [150 / 60, 120 / 48])  # 1 / 40% = 2.5
    # Payback curve jan (end month March, both acquired in January: 3 months observed):
    #   M0: (20 + 12) / 2 = 16; M1: + 16 / 2 = 24; M2: + 12 / 2 = 30 -> reaches CAC 30 in M2
    # feb (acquired in Feb: M0 and M1 observed): M0 40 >= 30 -> month 0
    np.testing.assert_allclose(t.payback_curves, [[16.0, 24.0, 30.0], [40.0, 48.0, NAN]])
    np.testing.assert_array_equal(t.payback_month, [2.0, 0.0])
    np.testing.assert_array_equal(t.payback_gap, [0.0, 0.0])
    assert t.paid_back.tolist() == [True, True]
    np.testing.assert_allclose(t.payback_ratio[0], [16 / 30, 24 / 30, 1.0])
    # Exposure: jan customers observed Jan..Mar = 3 months each -> 6 customer-months;
    #   monthly revenue 150 / 6 = 25, gross margin 60 / 150 = 40% -> 30 / (25 * 0.4) = 3 months
    # feb: c observed Feb..Mar = 2 months -> 120 / 2 = 60 a month, margin 40% -> 30 / 24 = 1.25
    np.testing.assert_allclose(t.monthly_revenue_per_customer, [25.0, 60.0])
    np.testing.assert_allclose(t.simple_payback_months, [3.0, 1.25])
    # Historical LTV = margin per customer: 60 / 2 = 30, 48; LTV:CAC = 1.0, 1.6
    np.testing.assert_allclose(t.ltv, [30.0, 48.0])
    np.testing.assert_allclose(t.ltv_cac, [1.0, 1.6])
    assert t.ltv_source == "historical margin"
    # Blended: 90 spend over the 4 customers acquired Jan 1..Feb 14 (a, b, c, d) = 22.5
    assert t.paid_cac == pytest.approx(30.0)
    assert t.blended_cac == pytest.approx(22.5)
    assert t.currency == "EUR"


def test_not_yet_paid_back_reports_gap(log: TransactionLog) -> None:
    dear = [campaign("jan", "search", "100", D(2024, 1, 1), D(2024, 1, 15))]
    t = acquisition_table(log, campaigns=dear)
    # CAC 50; curve reaches 30 by March (last observed month): 20 short
    assert math.isnan(t.payback_month[0])
    assert t.payback_gap.tolist() == [20.0]
    assert t.paid_back.tolist() == [False]


def test_young_campaign_curve_is_censored(log: TransactionLog) -> None:
    # A campaign covering Jan 1 .. Feb 14 acquires a, b, d (January) and c (February):
    # months observed for every customer = March - February + 1 = 2.
    wide = [campaign("q1", "search", "80", D(2024, 1, 1), D(2024, 2, 14))]
    t = acquisition_table(log, campaigns=wide)
    assert t.customers.tolist() == [4]
    # M0: (20 + 12 + 40 + 4) / 4 = 19; M1: + (16 + 8) / 4 = 25; M2: not observed for c
    np.testing.assert_allclose(t.payback_curves, [[19.0, 25.0, NAN]])
    # CAC = 80 / 4 = 20: M0 = 19 falls short, M1 = 25 reaches it -> month 1
    assert t.payback_month.tolist() == [1.0]
    assert t.payback_gap.tolist() == [0.0]


def test_horizon_limits_revenue(log: TransactionLog, campaigns: list[Campaign]) -> None:
    t = acquisition_table(log, campaigns=campaigns, horizon_months=1)
    # Month 0 only: jan revenue 50 + 30 = 80, feb 100
    np.testing.assert_allclose(t.revenue, [80.0, 100.0])
    assert t.months.tolist() == [0]
    with pytest.raises(InvalidInputError, match="horizon_months=0"):
        acquisition_table(log, campaigns=campaigns, horizon_months=0)


def test_by_channel_pools_campaigns(log: TransactionLog) -> None:
    both = [
        campaign("jan-a", "search", "40", D(2024, 1, 1), D(2024, 1, 5)),
        campaign("jan-b", "search", "20", D(2024, 1, 6), D(2024, 1, 15)),
        campaign("feb", "social", "30", D(2024, 2, 1), D(2024, 2, 14)),
    ]
    t = acquisition_table(log, campaigns=both, by="channel")
    assert t.by == "channel"
    assert t.labels.tolist() == ["search", "social"]
    np.testing.assert_allclose(t.spend, [60.0, 30.0])
    assert t.customers.tolist() == [2, 1]
    assert t.starts.astype(str).tolist() == ["2024-01-01", "2024-02-01"]
    assert t.ends.astype(str).tolist() == ["2024-01-15", "2024-02-14"]
    np.testing.assert_allclose(t.cac, [30.0, 30.0])
    by_campaign = acquisition_table(log, campaigns=both)
    np.testing.assert_allclose(by_campaign.cac, [40.0, 20.0, 30.0])  # a alone, b alone, c


def test_overlapping_campaigns_need_channels(log: TransactionLog) -> None:
    overlapping = [
        campaign("search-jan", "search", "60", D(2024, 1, 1), D(2024, 1, 31)),
        campaign("social-jan", "social", "30", D(2024, 1, 10), D(2024, 2, 10)),
    ]
    with pytest.raises(InvalidInputError, match=r"search-jan \(2024-01-01..2024-01-31\) and"):
        acquisition_table(log, campaigns=overlapping)
    # With every customer's channel known, each channel's periods only need to be disjoint.
    records = [
        Customer("a", acquisition_channel="search"),
        Customer("b", acquisition_channel="social"),
        Customer("c", acquisition_channel="social"),
        Customer("d", acquisition_channel="search"),
    ]
    t = acquisition_table(log, campaigns=overlapping, customers=records)
    # search: a (Jan 3), d (Jan 20); social: b (Jan 10), c (Feb 2)
    assert t.customers.tolist() == [2, 2]
    np.testing.assert_allclose(t.cac, [30.0, 15.0])


def test_overlap_within_a_channel_is_an_error(log: TransactionLog) -> None:
    same = [
        campaign("one", "search", "60", D(2024, 1, 1), D(2024, 1, 31)),
        campaign("two", "search", "30", D(2024, 1, 31), D(2024, 2, 10)),
    ]
    records = [Customer(c, acquisition_channel="search") for c in "abcd"]
    with pytest.raises(InvalidInputError, match="within channel 'search' needs disjoint"):
        acquisition_table(log, campaigns=same, customers=records)


def test_explicit_attribution(log: TransactionLog, campaigns: list[Campaign]) -> None:
    # d is explicitly from "feb" although its first order is in January; a explicitly organic.
    ids = np.array(["jan", "jan", "feb", "feb"], dtype=object)  # a, b, c, d
    ids[0] = None
    t = acquisition_table(log, campaigns=campaigns, campaign_ids=ids)
    assert t.customers.tolist() == [1, 2]
    assert t.n_unattributed == 1
    records = [
        Customer("d", acquisition_campaign="feb"),
        Customer("zz", acquisition_campaign="jan"),
    ]
    t2 = acquisition_table(log, campaigns=campaigns, customers=records)
    assert t2.customers.tolist() == [2, 2]  # a, b by date; c by date and d explicitly
    with pytest.raises(UnknownCodeError, match=r"'march' is not known.*'feb', 'jan'"):
        acquisition_table(
            log, campaigns=campaigns, customers=[Customer("a", acquisition_campaign="march")]
        )
    with pytest.raises(InvalidInputError, match="campaign_ids='<3 values>'"):
        acquisition_table(log, campaigns=campaigns, campaign_ids=["jan", "jan", "feb"])
    with pytest.raises(InvalidInputError, match="cannot be combined"):
        acquisition_table(log, campaigns=campaigns, campaign_ids=ids, customers=records)


def test_model_clv(log: TransactionLog, campaigns: list[Campaign]) -> None:
    clv = np.array([90.0, 30.0, 75.0, 5.0])  # a, b, c, d
    t = acquisition_table(log, campaigns=campaigns, clv=clv)
    np.testing.assert_allclose(t.ltv, [60.0, 75.0])  # (90 + 30) / 2; 75
    np.testing.assert_allclose(t.ltv_cac, [2.0, 2.5])
    assert t.ltv_source == "model"
    with pytest.raises(InvalidInputError, match=r"clv\[1\]=nan \(customer 'b'\)"):
        acquisition_table(log, campaigns=campaigns, clv=[1.0, NAN, 1.0, 1.0])


def test_campaign_without_customers(log: TransactionLog, campaigns: list[Campaign]) -> None:
    idle = [*campaigns, campaign("may", "email", "10", D(2024, 5, 1), D(2024, 5, 31))]
    t = acquisition_table(log, campaigns=idle)
    assert t.customers.tolist()[2] == 0
    for column in (t.cac, t.payback_month, t.payback_gap, t.ltv, t.simple_payback_months):
        assert math.isnan(column[2])
    assert t.roas[2] == 0.0
    assert np.isnan(t.payback_curves[2]).all()


def test_currency_and_campaign_errors(log: TransactionLog, campaigns: list[Campaign]) -> None:
    usd = [Campaign("x", "search", Money("1", "USD"), D(2024, 1, 1), D(2024, 1, 2))]
    with pytest.raises(CurrencyMismatchError, match="the log has currency EUR but the campaigns"):
        acquisition_table(log, campaigns=usd)
    with pytest.raises(CurrencyMismatchError, match=r"campaigns\[1\] \('x'\) spends USD"):
        acquisition_table(log, campaigns=[campaigns[0], *usd])
    bare = TransactionLog.from_arrays(["a"], ["2024-01-01"], [1.0], margins=[0.5])
    with pytest.raises(CurrencyMismatchError, match="the log has no currency"):
        acquisition_table(bare, campaigns=campaigns)
    with pytest.raises(InvalidInputError, match=r"campaigns\[1\].campaign_id='jan'"):
        acquisition_table(log, campaigns=[campaigns[0], campaigns[0]])
    with pytest.raises(EmptyInputError, match="campaigns is empty"):
        acquisition_table(log, campaigns=[])
    with pytest.raises(InvalidInputError, match=r"spend=Money\('-5', 'EUR'\).*must be >= 0"):
        campaign("neg", "search", "-5", D(2024, 1, 1), D(2024, 1, 2))
    no_margin = TransactionLog.from_arrays(["a"], ["2024-01-01"], [1.0], currency="EUR")
    with pytest.raises(InvalidInputError, match="has no margins"):
        acquisition_table(no_margin, campaigns=campaigns)


def test_float_spend_agrees_with_decimal() -> None:
    # Spends with many digits: CAC in float64 agrees with exact Decimal arithmetic.
    spends = ["1234567.89", "0.07", "98765.43", "333.33"]
    log = TransactionLog.from_arrays(
        list(range(7)),
        [
            "2024-01-01",
            "2024-01-02",
            "2024-01-03",
            "2024-02-01",
            "2024-03-01",
            "2024-03-02",
            "2024-04-01",
        ],
        [1.0] * 7,
        margins=[0.5] * 7,
        currency="EUR",
    )
    items = [
        campaign("a", "s", spends[0], D(2024, 1, 1), D(2024, 1, 31)),
        campaign("b", "s", spends[1], D(2024, 2, 1), D(2024, 2, 29)),
        campaign("c", "s", spends[2], D(2024, 3, 1), D(2024, 3, 31)),
        campaign("d", "s", spends[3], D(2024, 4, 1), D(2024, 4, 30)),
    ]
    t = acquisition_table(log, campaigns=items, by="channel")
    exact = sum(Decimal(s) for s in spends) / 7
    assert abs(t.cac[0] - float(exact)) <= FLOAT_TOLERANCE * float(exact)
    per_campaign = acquisition_table(log, campaigns=items)
    for cac, spend, n in zip(per_campaign.cac, spends, [3, 1, 2, 1], strict=True):
        assert abs(cac - float(Decimal(spend) / n)) <= FLOAT_TOLERANCE * cac


def test_to_pandas(log: TransactionLog, campaigns: list[Campaign]) -> None:
    pytest.importorskip("pandas")
    frame = acquisition_table(log, campaigns=campaigns).to_pandas()
    assert frame.index.name == "campaign"
    assert frame.index.tolist() == ["jan", "feb"]
    assert frame.loc["feb", "cac"] == 30.0
    assert {"channel", "start", "end", "roas", "payback_month", "ltv_cac"} <= set(frame.columns)


def test_scalar_formulas() -> None:
    # Bessemer's example: 770 / (100 * 0.7) = 11 months
    assert cac_payback_months(
        770.0, monthly_revenue_per_customer=100.0, gross_margin_rate=0.7
    ) == pytest.approx(11.0)
    assert cac_payback_months(0.0, monthly_revenue_per_customer=10.0, gross_margin_rate=0.5) == 0.0
    assert (
        cac_payback_months(10.0, monthly_revenue_per_customer=10.0, gross_margin_rate=0.0)
        == math.inf
    )
    assert break_even_roas(0.286) == pytest.approx(3.4965, rel=1e-4)  # 1 / 28.6%
    assert break_even_roas(-0.1) == math.inf
    with pytest.raises(InvalidInputError, match="gross_margin_rate=70"):
        cac_payback_months(10.0, monthly_revenue_per_customer=10.0, gross_margin_rate=70)
    with pytest.raises(InvalidInputError, match="gross_margin_rate=25"):
        break_even_roas(25)


@given(
    cac=st.floats(0.01, 1e5),
    revenue=st.floats(0.01, 1e5),
    low=st.floats(0.01, 0.99),
    step=st.floats(0.001, 0.5),
)
def test_simple_payback_falls_as_margin_rises(
    cac: float, revenue: float, low: float, step: float
) -> None:
    high = min(low + step, 1.0)
    assert cac_payback_months(
        cac, monthly_revenue_per_customer=revenue, gross_margin_rate=high
    ) <= cac_payback_months(cac, monthly_revenue_per_customer=revenue, gross_margin_rate=low)


@given(low=st.floats(0.05, 0.9), step=st.floats(0.01, 0.5))
def test_curve_payback_falls_as_margin_rises(low: float, step: float) -> None:
    sim = simulate_transactions(300, seed=7)
    items = simulate_campaigns(sim, seed=7)
    high = min(low + step, 1.0)
    slow = acquisition_table(sim.log, campaigns=items, gross_margin_rate=low)
    fast = acquisition_table(sim.log, campaigns=items, gross_margin_rate=high)
    assert (fast.simple_payback_months <= slow.simple_payback_months).all()
    never = np.isnan(slow.payback_month)
    assert (fast.payback_month[~never] <= slow.payback_month[~never]).all()
    assert (fast.payback_gap[never] <= slow.payback_gap[never] + 1e-9).all()


@given(seed=st.integers(0, 10_000))
def test_permuting_log_rows_changes_nothing(seed: int) -> None:
    sim = simulate_transactions(200, seed=3)
    items = simulate_campaigns(sim, seed=3)
    log = sim.log
    order = np.random.default_rng(seed).permutation(log.n_transactions)
    shuffled = TransactionLog.from_arrays(
        log.customer_ids[log.customer_index][order],
        log.times[order],
        log.amounts[order],
        currency=log.currency,
    )
    a = acquisition_table(log, campaigns=items, gross_margin_rate=0.4)
    b = acquisition_table(shuffled, campaigns=items, gross_margin_rate=0.4)
    for field in ("customers", "cac", "revenue", "margin", "payback_month", "payback_curves"):
        np.testing.assert_allclose(getattr(a, field), getattr(b, field), rtol=1e-12)


def test_simulated_campaigns() -> None:
    sim = simulate_transactions(1_000, seed=5)
    items = simulate_campaigns(sim, seed=5, channels=("search", "display"), flight_days=10)
    assert items == simulate_campaigns(
        sim.log, seed=5, channels=("search", "display"), flight_days=10
    )
    assert items != simulate_campaigns(sim, seed=6, channels=("search", "display"), flight_days=10)
    assert {c.channel for c in items} == {"search", "display"}
    for before, after in itertools.pairwise(items):
        assert after.start == before.end + datetime.timedelta(days=1)
        assert before.duration_days == 10
    assert sum(c.customers_acquired or 0 for c in items) == 1_000
    assert all(c.spend.currency == "USD" and not c.spend.is_negative() for c in items)
    t = acquisition_table(sim.log, campaigns=items, gross_margin_rate=0.4)
    assert t.customers.tolist() == [c.customers_acquired for c in items]
    assert t.n_unattributed == 0
    with pytest.raises(InvalidInputError, match="channels="):
        simulate_campaigns(sim, channels=("a", "a"))
    with pytest.raises(InvalidInputError, match="flight_days=0"):
        simulate_campaigns(sim, flight_days=0)
    bare = TransactionLog.from_arrays(["a"], ["2024-01-01"], [1.0])
    with pytest.raises(InvalidInputError, match="currency=None"):
        simulate_campaigns(bare)
