"""Static types of the localization API (checked by ``mypy --strict``; trivial at run time)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import assert_type

from ecomstrat.domain.money import Money
from ecomstrat.localization.landed_cost import (
    CostLine,
    LandedCost,
    LandedCostBatch,
    landed_cost,
    landed_cost_batch_of,
)
from ecomstrat.localization.market_entry import (
    MarketComparison,
    MarketEntry,
    compare_markets,
    market_entry,
)
from ecomstrat.localization.markets import MarketTable, load_market_profiles, market_profile
from ecomstrat.localization.profiles import MarketProfile
from ecomstrat.localization.rules import Threshold
from ecomstrat.report.markets import market_section
from ecomstrat.report.section import Section


def test_public_types() -> None:
    table = assert_type(load_market_profiles(), MarketTable)
    profile = assert_type(market_profile("GB", as_of="2026-03-01"), MarketProfile)
    assert_type(table.profile("GB", datetime.date(2026, 3, 1)), MarketProfile)
    assert_type(profile.duty_threshold(), Threshold | None)
    assert_type(profile.tax.standard_rate, Decimal)
    cost = assert_type(landed_cost(Money("10", "GBP"), profile, shipping=0), LandedCost)
    assert_type(cost.lines, tuple[CostLine, ...])
    assert_type(cost.total, Money)
    assert_type(landed_cost_batch_of(profile, [10.0]), LandedCostBatch)
    entry = assert_type(
        market_entry(profile, monthly_orders=10, average_basket="50", gross_margin=0.5),
        MarketEntry,
    )
    assert_type(entry.payback_months, float | None)
    assert_type(compare_markets([entry]), MarketComparison)
    assert_type(market_section([entry]), list[Section])
