"""Properties of the exact landed-cost calculation, over generated orders and markets."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TypeAlias

import pytest
from hypothesis import assume, given, strategies as st

from ecomstrat.domain.currency import minor_units
from ecomstrat.domain.money import Money
from ecomstrat.localization import (
    FxTerms,
    MarketProfile,
    OrderLine,
    Presentation,
    landed_cost,
    market_profile,
)

#: Markets with the FX rates their thresholds need (market currency per unit).
MARKETS = {
    ("DE", "2026-03-01"): None,
    ("DE", "2026-08-01"): None,
    ("FR", "2026-03-01"): None,
    ("GB", "2026-03-01"): None,
    ("US", "2026-03-01"): None,
    ("CA", "2026-03-01"): None,
    ("AU", "2026-03-01"): None,
    ("NZ", "2026-03-01"): None,
    ("JP", "2026-03-01"): None,
    ("KR", "2026-03-01"): {"USD": "1400"},
    ("CN", "2026-03-01"): None,
    ("BR", "2026-03-01"): {"USD": "5.40"},
    ("IN", "2026-03-01"): None,
    ("MX", "2026-03-01"): {"USD": "18.50"},
    ("CH", "2026-03-01"): None,
    ("NO", "2026-03-01"): None,
    ("SG", "2026-03-01"): None,
    ("RO", "2026-03-01"): {"EUR": "5.00"},
    ("SE", "2026-03-01"): {"EUR": "11.00"},
}


@functools.cache
def profile(code: str, day: str) -> MarketProfile:
    return market_profile(code, as_of=day)


Order: TypeAlias = tuple[MarketProfile, list[OrderLine], Decimal, dict[str, str]]

cents = st.integers(0, 600_000).map(lambda c: Decimal(c).scaleb(-2))
markets = st.sampled_from(sorted(MARKETS, key=str))
presentations = st.sampled_from(["DDP", "DAP"])


@st.composite
def orders(draw: st.DrawFn) -> Order:
    key = draw(markets)
    p = profile(*key)
    lines = [
        OrderLine(
            draw(cents),
            quantity=draw(st.integers(1, 3)),
            category=draw(st.sampled_from([None, "61", "64", "food"])),
        )
        for _ in range(draw(st.integers(1, 4)))
    ]
    return (
        p,
        lines,
        draw(st.integers(0, 5_000).map(lambda c: Decimal(c).scaleb(-2))),
        (MARKETS[key] or {}),
    )


# Per-order limits (China's CNY 5,000) warn; not the subject of these properties.
@pytest.mark.filterwarnings("ignore::ecomstrat.localization.LimitWarning")
@given(case=orders(), presentation=presentations, free=st.booleans())
def test_total_is_exactly_the_sum_of_rounded_lines(
    case: Order, presentation: Presentation, free: bool
) -> None:
    p, lines, shipping, fx = case
    cost = landed_cost(
        p,
        lines,
        shipping=shipping,
        presentation=presentation,
        fx=fx,
        shipping_paid_by="merchant" if free else "buyer",
    )
    unit = Decimal(1).scaleb(-minor_units(p.currency.code))
    assert cost.total == sum((line.amount for line in cost.lines), Money.zero(cost.currency))
    assert cost.total == cost.checkout + cost.on_delivery + cost.merchant_cost
    for line in cost.lines:
        assert line.amount.amount == line.amount.amount.quantize(unit)
        assert not line.amount.is_negative()
        assert line.rule
    if presentation == "DDP":
        assert cost.on_delivery.is_zero()


@given(goods=cents, shipping=st.integers(0, 3_000).map(lambda c: Decimal(c).scaleb(-2)))
def test_uk_duty_is_zero_under_the_de_minimis_and_grows_above_it(
    goods: Decimal, shipping: Decimal
) -> None:
    p = profile("GB", "2026-03-01")
    cost = landed_cost(p, Money(goods, "GBP"), shipping=shipping)
    threshold = p.duty_threshold()
    assert threshold is not None
    if goods <= threshold.amount:
        assert cost.amount("duty").is_zero()
    more = landed_cost(p, Money(goods + 1, "GBP"), shipping=shipping)
    if goods > threshold.amount:
        assert more.amount("duty") >= cost.amount("duty")


@given(goods=st.integers(0, 40_000), shipping=st.integers(0, 3_000))
def test_japan_duty_zero_under_customs_value_threshold_and_monotone(
    goods: int, shipping: int
) -> None:
    p = profile("JP", "2026-03-01")
    cost = landed_cost(p, Money(goods, "JPY"), shipping=shipping, insurance=0)
    if cost.customs_value.amount <= 10_000:
        assert cost.amount("duty").is_zero()
        assert cost.amount("tax").is_zero()
    else:
        bigger = landed_cost(p, Money(goods + 100, "JPY"), shipping=shipping, insurance=0)
        assert bigger.amount("duty") >= cost.amount("duty")


@given(
    goods=st.integers(15_001, 500_000).map(lambda c: Decimal(c).scaleb(-2)),
    shipping=st.integers(0, 5_000).map(lambda c: Decimal(c).scaleb(-2)),
    rate=st.integers(0, 30).map(lambda r: Decimal(r).scaleb(-2)),
)
def test_import_vat_base_includes_duty(goods: Decimal, shipping: Decimal, rate: Decimal) -> None:
    # Above EUR 150 in Germany: VAT = 19% x (customs value + duty), each rounded half-even.
    p = profile("DE", "2026-03-01").with_overrides({"duty": {"default_rate": rate}})
    cost = landed_cost(p, Money(goods, "EUR"), shipping=shipping, insurance=0)
    duty = cost.amount("duty").amount
    cv = goods + shipping
    assert duty == (rate * cv).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    expected = (Decimal("0.19") * (cv + duty)).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    assert cost.amount("tax").amount == expected


@given(
    amount=st.integers(0, 10**9).map(lambda c: Decimal(c).scaleb(-2)),
    rate=st.integers(20, 500).map(lambda r: Decimal(r).scaleb(-2)),
)
def test_fx_round_trip_within_rounding(amount: Decimal, rate: Decimal) -> None:
    # EUR -> USD -> EUR, each conversion rounded to cents: back within 0.005 x (1 + rate),
    # i.e. half a cent from each rounding carried through the rate.
    fx = FxTerms(rates={"USD": rate})
    usd = fx.convert(Money(amount, "EUR"), "USD", "EUR").round()
    back = fx.convert(usd, "EUR", "EUR").round()
    assert abs(back.amount - amount) <= Decimal("0.005") * (1 + rate) + Decimal("0.005")


@pytest.mark.filterwarnings("ignore::ecomstrat.localization.LimitWarning")
@given(case=orders())
def test_landed_cost_round_trips_through_another_currency(case: Order) -> None:
    p, lines, shipping, fx = case
    cost = landed_cost(p, lines, shipping=shipping, fx=fx)
    converted = cost.converted("USD", rate="1.25")
    assert converted.total == sum((ln.amount for ln in converted.lines), Money.zero("USD"))
    back = converted.converted(cost.currency, rate="0.8")
    unit = Decimal(1).scaleb(-minor_units(cost.currency))
    for a, b in zip(cost.lines, back.lines, strict=True):
        assert abs(a.amount.amount - b.amount.amount) <= max(unit, Decimal("0.01"))


@given(value=cents, quantity=st.integers(1, 5))
def test_norway_voec_items_never_pay_duty(value: Decimal, quantity: int) -> None:
    assume(value > 0)
    p = profile("NO", "2026-03-01").with_overrides({"duty": {"default_rate": "0.1"}})
    cost = landed_cost(p, OrderLine(value, quantity), shipping=0, insurance=0)
    if value / quantity < 3000:
        assert cost.amount("duty").is_zero()
        assert cost.line("tax").label == "VAT (VOEC)"
    else:
        assert cost.amount("duty").amount > 0
