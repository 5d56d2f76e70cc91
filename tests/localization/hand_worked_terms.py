"""Round commercial terms and checks shared by the hand-worked landed-cost tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ecomstrat.domain.money import Money
from ecomstrat.localization import LandedCost, MarketProfile, market_profile

#: Round commercial terms, so every landed cost can be worked by hand.
SIMPLE: dict[str, Any] = {
    "payments": {"methods": [{"name": "card", "share": 1, "rate": "0.02", "fixed": "0.30"}]},
    "border_fees": {"brokerage_fixed": 10, "brokerage_rate": 0, "ddp_surcharge": 5, "ddp_rate": 0},
    "returns": {"rate": "0.10", "return_freight": 10, "handling": 0},
    "service": {"contacts_per_order": "0.1", "cost_per_contact": 5},
    "fx": {"conversion_fee": 0},
}


def profile(code: str, day: str, **extra: Any) -> MarketProfile:
    """The market's profile on ``day`` with the :data:`SIMPLE` terms and ``extra`` overrides."""
    return market_profile(code, as_of=day, overrides={**SIMPLE, **extra})


def amounts(cost: LandedCost) -> dict[str, Decimal]:
    """Sum of the lines of each kind."""
    out: dict[str, Decimal] = {}
    for line in cost.lines:
        out[line.kind] = out.get(line.kind, Decimal(0)) + line.amount.amount
    return out


def check(cost: LandedCost, total: str, **lines: str) -> None:
    """``cost`` has these line amounts by kind, this total, and the lines add up to it."""
    got = amounts(cost)
    for kind, want in lines.items():
        assert got.get(kind, Decimal(0)) == Decimal(want), (kind, got)
    assert cost.total == Money(total, cost.currency)
    assert cost.total == sum((line.amount for line in cost.lines), Money.zero(cost.currency))
