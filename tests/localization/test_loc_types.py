"""Static types of the localization API (checked by ``mypy --strict``; trivial at run time)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import assert_type

from ecomstrat.domain.money import Money
from ecomstrat.localization import (
    CostLine,
    LandedCost,
    LandedCostBatch,
    MarketComparison,
    MarketEntry,
    MarketProfile,
    MarketTable,
    Threshold,
    compare_markets,
    landed_cost,
    landed_cost_batch,
    load_market_profiles,
    market_entry,
    market_profile,
)
from ecomstrat.report.markets import market_section
from ecomstrat.report.section import Section


def test_public_types() -> None:
    table = assert_type(load_market_profiles(), MarketTable)
    profile = assert_type(market_profile("GB", as_of="2026-03-01"), MarketProfile)
    assert_type(table.profile("GB", as_of=datetime.date(2026, 3, 1)), MarketProfile)
    assert_type(profile.duty_threshold(), Threshold | None)
    assert_type(profile.tax.standard_rate, Decimal)
    cost = assert_type(landed_cost(profile, Money("10", "GBP"), shipping=0), LandedCost)
    assert_type(cost.lines, tuple[CostLine, ...])
    assert_type(cost.total, Money)
    assert_type(landed_cost_batch(profile, [10.0]), LandedCostBatch)
    entry = assert_type(
        market_entry(profile, monthly_orders=10, average_basket="50", gross_margin_rate=0.5),
        MarketEntry,
    )
    assert_type(entry.payback_months, float | None)
    assert_type(compare_markets([entry]), MarketComparison)
    assert_type(market_section([entry]), list[Section])
