"""Product performance, ABC classes, growth classes and first-product cohorts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from ecomstrat import InvalidInputError, OrderLines, TransactionLog
from ecomstrat.metrics.engagement import wilson_interval
from ecomstrat.metrics.products import (
    abc_classes,
    first_product_cohorts,
    product_classes,
    product_performance,
)

# The hand-worked shop (times are order times):
#   o1  x  2024-01-10   A qty 2 amount 20 (1 returned), B qty 1 amount 5
#   o2  x  2024-02-10   A qty 1 amount 10
#   o3  y  2024-02-15   A qty 1 amount 10, C qty 4 amount 8 (2 returned)
#   o4  z  2024-03-01   B qty 1 amount 5
ORDERS = ["o1", "o1", "o2", "o3", "o3", "o4"]
PRODUCTS = ["A", "B", "A", "A", "C", "B"]
CUSTOMERS = ["x", "x", "x", "y", "y", "z"]
TIMES = ["2024-01-10", "2024-01-10", "2024-02-10", "2024-02-15", "2024-02-15", "2024-03-01"]
QTY = [2, 1, 1, 1, 4, 1]
AMOUNTS = [20.0, 5.0, 10.0, 10.0, 8.0, 5.0]
RETURNED = [1, 0, 0, 0, 2, 0]
COSTS = {"A": 3.0, "B": 2.0, "C": 0.5}
JAN = ("2024-01-01", "2024-02-01")
FEB = ("2024-02-01", "2024-03-01")


@pytest.fixture
def shop() -> OrderLines:
    return OrderLines.from_arrays(
        ORDERS,
        PRODUCTS,
        quantities=QTY,
        amounts=AMOUNTS,
        customer_ids=CUSTOMERS,
        times=TIMES,
        returned_quantities=RETURNED,
    )


def test_performance_hand_worked(shop: OrderLines) -> None:
    perf = product_performance(shop, gross_margin_rate=0.4)
    assert perf.product_ids.tolist() == ["A", "B", "C"]
    # A: gross 20 + 10 + 10 = 40, returned value 20 x 1/2 = 10 -> revenue 30
    # B: 5 + 5 = 10; C: 8 - 8 x 2/4 = 4. Total 44.
    assert perf.gross_revenue.tolist() == [40.0, 10.0, 8.0]
    assert perf.revenue.tolist() == [30.0, 10.0, 4.0]
    np.testing.assert_allclose(perf.revenue_share, [30 / 44, 10 / 44, 4 / 44])
    assert perf.margin is not None
    np.testing.assert_allclose(perf.margin, [12.0, 4.0, 1.6])  # 0.4 x revenue
    # units A 2 + 1 + 1 = 4 (1 returned), B 2 (0), C 4 (2)
    assert perf.units.tolist() == [4.0, 2.0, 4.0]
    assert perf.return_rate.tolist() == [0.25, 0.0, 0.5]
    low, high = wilson_interval(np.array([1, 0, 2]), n=np.array([4, 2, 4]))
    np.testing.assert_allclose(perf.return_rate_low, low)
    np.testing.assert_allclose(perf.return_rate_high, high)
    # A in o1, o2, o3; B in o1, o4; C in o3
    assert perf.orders.tolist() == [3, 2, 1]
    # A: x (o1, o2: a repeat), y; B: x, z; C: y
    assert perf.customers is not None
    assert perf.repeat_rate is not None
    assert perf.customers.tolist() == [2, 2, 1]
    assert np.asarray(perf.repeat_customers).tolist() == [1, 0, 0]
    assert perf.repeat_rate.tolist() == [0.5, 0.0, 0.0]
    low, high = wilson_interval(np.array([1, 0, 0]), n=np.array([2, 2, 1]))
    np.testing.assert_allclose(np.asarray(perf.repeat_rate_low), low)
    assert set(perf.columns()) >= {"product_id", "revenue", "margin", "repeat_rate"}


def test_performance_unit_costs(shop: OrderLines) -> None:
    perf = product_performance(shop, unit_costs=COSTS)
    # A 30 - 3 x (4 - 1) = 21; B 10 - 2 x 2 = 6; C 4 - 0.5 x (4 - 2) = 3
    assert perf.margin is not None
    assert perf.margin.tolist() == [21.0, 6.0, 3.0]


def test_performance_period(shop: OrderLines) -> None:
    perf = product_performance(shop, period_start=FEB[0], period_end=FEB[1])
    # February: o2 (x: A 10) and o3 (y: A 10, C 8 with 2 of 4 returned -> 4)
    assert perf.product_ids.tolist() == ["A", "C"]
    assert perf.revenue.tolist() == [20.0, 4.0]
    assert perf.customers is not None
    assert perf.customers.tolist() == [2, 1]
    assert np.asarray(perf.repeat_rate).tolist() == [0.0, 0.0]  # x bought A once in Feb
    assert perf.margin is None
    assert "margin" not in perf.columns()
    assert str(perf.period_start) == "2024-02-01T00:00:00.000000000"


def test_performance_by_category(shop: OrderLines) -> None:
    perf = product_performance(shop, by={"A": "dairy", "B": "dairy", "C": "bakery"})
    assert perf.by == "category"
    assert perf.product_ids.tolist() == ["dairy", "bakery"]
    # dairy: 30 + 10 = 40 in o1, o2, o3, o4; customers x (o1, o2, repeat), y, z
    assert perf.revenue.tolist() == [40.0, 4.0]
    assert perf.orders.tolist() == [4, 1]
    assert perf.repeat_rate is not None
    np.testing.assert_allclose(perf.repeat_rate, [1 / 3, 0.0])


def test_performance_without_customers_or_returns() -> None:
    lines = OrderLines.from_arrays([1, 2], ["A", "A"], amounts=[3.0, 4.0])
    perf = product_performance(lines)
    assert perf.customers is None
    assert "customers" not in perf.columns()
    assert perf.return_rate.tolist() == [0.0]
    assert perf.revenue.tolist() == [7.0]


def test_fractional_units_have_no_return_interval() -> None:
    lines = OrderLines.from_arrays([1], ["A"], quantities=[1.5], amounts=[3.0])
    perf = product_performance(lines)
    assert np.isnan(perf.return_rate_low).all()


def test_abc_hand_worked(shop: OrderLines) -> None:
    perf = product_performance(shop)
    abc = abc_classes(perf)
    # shares 30/44 = 0.682, 10/44 = 0.227, 4/44 = 0.091; shares before: 0, 0.682, 0.909
    # A: before < 0.8 (A and B); B: before < 0.95 (C)
    assert abc.abc_class.tolist() == ["A", "A", "B"]
    np.testing.assert_allclose(abc.cumulative_share, [30 / 44, 40 / 44, 1.0])
    assert abc.counts()["A"] == (2, pytest.approx(40 / 44))
    other = abc_classes(perf, thresholds=(0.5, 0.9))
    assert other.abc_class.tolist() == ["A", "B", "C"]
    assert other.thresholds == (0.5, 0.9)


def test_product_classes_hand_worked(shop: OrderLines) -> None:
    # January: A 20 - 10 returned = 10, B 5. February: A 20, C 4.
    # growth A (20 - 10) / 10 = 1.0, B (0 - 5) / 5 = -1, C new (inf)
    # Feb margins (unit costs): A 20 - 3 x 2 = 14 (0.70), C 4 - 0.5 x 2 = 3 (0.75)
    classes = product_classes(shop, current=FEB, previous=JAN, unit_costs=COSTS)
    assert classes.product_ids.tolist() == ["A", "C", "B"]
    assert classes.growth.tolist() == [1.0, np.inf, -1.0]
    np.testing.assert_allclose(classes.margin_rate[:2], [0.7, 0.75])
    assert classes.product_class.tolist() == ["star", "star", "declining"]
    # margin bar 0.72: A underperforms (0.70 < 0.72)
    raised = product_classes(
        shop, current=FEB, previous=JAN, unit_costs=COSTS, margin_threshold=0.72
    )
    assert raised.product_class.tolist() == ["underperformer", "star", "declining"]
    # growth bar 1.5: A (1.0) is steady, B (-1 > -1.5) has no February revenue to rate
    wide = product_classes(shop, current=FEB, previous=JAN, unit_costs=COSTS, growth_threshold=1.5)
    assert wide.product_class.tolist() == ["steady", "star", "underperformer"]
    assert wide.counts() == {"declining": 0, "underperformer": 1, "star": 1, "steady": 1}


def test_first_product_cohorts_hand_worked(shop: OrderLines) -> None:
    # first purchases: x o1 (A, B) came back (o2); y o3 (A, C) did not; z o4 (B) did not
    cohorts = first_product_cohorts(shop)
    assert cohorts.product_ids.tolist() == ["A", "B", "C"]
    assert cohorts.first_customers.tolist() == [2, 2, 1]
    assert cohorts.came_back.tolist() == [1, 1, 0]
    assert cohorts.came_back_rate.tolist() == [0.5, 0.5, 0.0]
    _low, high = wilson_interval(np.array([1, 1, 0]), n=np.array([2, 2, 1]))
    np.testing.assert_allclose(cohorts.came_back_high, high)
    # the log knows z came back in April: B now 2 of 2
    log = TransactionLog.from_arrays(["x", "z"], ["2024-01-10", "2024-04-01"], [25.0, 9.0])
    with_log = first_product_cohorts(shop, log=log)
    assert with_log.came_back.tolist() == [1, 2, 0]
    assert cohorts.ranked(min_customers=2).tolist() == [0, 1]
    assert with_log.ranked(best=False).tolist() == [2, 0, 1]


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda s: product_performance(s, gross_margin_rate=0.3, unit_costs=COSTS), "unit_costs"),
        (lambda s: product_performance(s, unit_costs={"A": 1.0}), "unit_costs"),
        (lambda s: product_performance(s, by={"A": "x"}), "by"),
        (lambda s: product_performance(s, by="sku"), "by"),
        (lambda s: product_performance(s, period_start="2030-01-01"), "period_start"),
        (lambda s: product_performance(s, period_start=FEB[1], period_end=FEB[0]), "period_end"),
        (lambda s: abc_classes(product_performance(s), thresholds=(0.9, 0.8)), "thresholds"),
        (lambda s: abc_classes(s), "performance"),
        (lambda s: product_classes(s, current=FEB, previous=JAN), "gross_margin_rate"),
        (
            lambda s: product_classes(
                s, current=FEB, previous=JAN, gross_margin_rate=0.3, growth_threshold=0
            ),
            "growth_threshold",
        ),
        (
            lambda s: product_classes(s, current="2024", previous=JAN, gross_margin_rate=0.3),
            "current",
        ),
        (lambda s: first_product_cohorts(s, log="log"), "log"),  # type: ignore[arg-type]
        (lambda s: product_performance("lines"), "lines"),  # type: ignore[arg-type]
    ],
)
def test_bad_input(shop: OrderLines, call: object, name: str) -> None:
    with pytest.raises(InvalidInputError, match=name):
        call(shop)  # type: ignore[operator]


def test_needs_times_and_amounts() -> None:
    bare = OrderLines.from_arrays([1, 2], ["A", "B"], customer_ids=["x", "y"])
    with pytest.raises(InvalidInputError, match="amounts"):
        product_performance(bare)
    with pytest.raises(InvalidInputError, match="times"):
        first_product_cohorts(bare)
    priced = OrderLines.from_arrays([1, 2], ["A", "B"], amounts=[1.0, 2.0])
    with pytest.raises(InvalidInputError, match="period_start"):
        product_performance(priced, period_start="2024-01-01")


def test_order_lines_check_returns_and_times() -> None:
    with pytest.raises(InvalidInputError, match="returned_quantities"):
        OrderLines.from_arrays([1], ["A"], quantities=[2], returned_quantities=[3])
    with pytest.raises(InvalidInputError, match="one time"):
        OrderLines.from_arrays([1, 1], ["A", "B"], times=["2024-01-01", "2024-01-02"])


@st.composite
def order_lines(draw: st.DrawFn) -> OrderLines:
    n_orders = draw(st.integers(1, 12))
    n = draw(st.integers(n_orders, 30))
    orders = list(range(n_orders)) + draw(
        st.lists(st.integers(0, n_orders - 1), min_size=n - n_orders, max_size=n - n_orders)
    )
    owners = draw(st.lists(st.integers(0, 4), min_size=n_orders, max_size=n_orders))
    days = draw(st.lists(st.integers(0, 60), min_size=n_orders, max_size=n_orders))
    products = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    qty = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    returned = [draw(st.integers(0, q)) for q in qty]
    amounts = draw(st.lists(st.floats(0, 100), min_size=n, max_size=n))
    start = np.datetime64("2024-01-01", "ns")
    return OrderLines.from_arrays(
        orders,
        products,
        quantities=qty,
        amounts=amounts,
        customer_ids=[owners[o] for o in orders],
        times=[start + np.timedelta64(days[o], "D") for o in orders],
        returned_quantities=returned,
    )


@given(order_lines())
def test_rates_lie_in_unit_interval(lines: OrderLines) -> None:
    perf = product_performance(lines, gross_margin_rate=0.3)
    assert perf.repeat_rate is not None
    assert perf.customers is not None
    for rate, low, high in (
        (perf.return_rate, perf.return_rate_low, perf.return_rate_high),
        (perf.repeat_rate, perf.repeat_rate_low, perf.repeat_rate_high),
    ):
        assert ((rate >= 0) & (rate <= 1)).all()
        assert (np.asarray(low) <= rate + 1e-12).all()
        assert (rate <= np.asarray(high) + 1e-12).all()
    assert (perf.revenue >= 0).all()
    assert (perf.revenue <= perf.gross_revenue + 1e-9).all()
    assert perf.units.sum() == pytest.approx(lines.quantities.sum())
    assert (perf.customers >= 1).all()
    assert (np.diff(perf.revenue) <= 0).all()
    cohorts = first_product_cohorts(lines)
    assert ((cohorts.came_back_rate >= 0) & (cohorts.came_back_rate <= 1)).all()
    assert (cohorts.came_back <= cohorts.first_customers).all()
    assert cohorts.first_customers.sum() >= lines.n_customers


@given(order_lines(), st.floats(0.05, 0.9), st.floats(0.01, 0.5))
def test_abc_shares_monotone(lines: OrderLines, a: float, gap: float) -> None:
    perf = product_performance(lines)
    if perf.total_revenue <= 0:
        return
    b = min(a + gap, 1.0)
    abc = abc_classes(perf, thresholds=(a, b))
    assert (np.diff(abc.cumulative_share) >= -1e-12).all()
    assert (np.diff(abc.revenue) <= 0).all()
    ranks = np.searchsorted(np.array(["A", "B", "C"]), abc.abc_class)
    assert (np.diff(ranks) >= 0).all()  # A before B before C
    assert abc.abc_class[0] == "A"
    assert sum(s for _, s in abc.counts().values()) == pytest.approx(1.0)
    a_share = abc.counts()["A"][1]
    assert a_share >= a - 1e-9  # class A covers at least its threshold


@given(order_lines(), st.floats(0.01, 2.0))
def test_classes_cover_every_product(lines: OrderLines, g: float) -> None:
    times = np.asarray(lines.times)
    in_windows = (times >= np.datetime64("2024-01-01")) & (times < np.datetime64("2024-03-01"))
    assume(bool(in_windows.any()))  # otherwise a typed error: neither window holds a line
    classes = product_classes(
        lines,
        current=("2024-01-31", "2024-03-01"),
        previous=("2024-01-01", "2024-01-31"),
        gross_margin_rate=0.3,
        growth_threshold=g,
    )
    assert sum(classes.counts().values()) == len(classes)
    declining = classes.product_class == "declining"
    assert (classes.growth[declining] <= -g).all()
    assert (classes.growth[classes.product_class == "star"] >= g).all()
