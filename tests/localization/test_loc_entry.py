"""Market-entry economics, the side-by-side comparison and the report sections."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from ecomstrat.domain.money import Money
from ecomstrat.exceptions import CurrencyMismatchError, EmptyInputError, InvalidInputError
from ecomstrat.localization import (
    MarketEntry,
    MarketProfile,
    compare_markets,
    market_entry,
    market_profile,
)
from ecomstrat.report import render
from ecomstrat.report.markets import demo_market_entries, market_section

#: Round numbers, so the economics can be worked by hand.
SIMPLE: dict[str, Any] = {
    "payments": {"methods": [{"name": "card", "share": 1, "rate": "0.02", "fixed": "0.30"}]},
    "border_fees": {"brokerage_fixed": 10, "brokerage_rate": 0, "ddp_surcharge": 5, "ddp_rate": 0},
    "returns": {"rate": "0.10", "return_freight": 10, "handling": 0},
    "service": {"contacts_per_order": "0.1", "cost_per_contact": 5},
    "shipping": {"base": 8, "per_kg": 0},
    "fx": {"conversion_fee": 0},
    "entry": {
        "translation_per_word": "0.10",
        "word_count": 10_000,
        "domain": 0,
        "tax_registration": 0,
        "other_one_time": 0,
        "intermediary_monthly": 0,
        "marketplace_monthly": 0,
        "other_monthly": 500,
        "marketplace_commission": 0,
    },
}


def gb() -> MarketProfile:
    return market_profile("GB", as_of="2026-03-01", overrides=SIMPLE)


def test_hand_worked_entry_economics() -> None:
    # GB, merchant books in GBP; basket 100.00, 50% margin, 200 orders a month.
    # Landed: 100 + 8 shipping; UK VAT at checkout 20% x 108 = 21.60; checkout 129.60.
    # Merchant costs: payment 2% x 129.60 + 0.30 = 2.892 -> 2.89; returns 10% x 10 = 1.00;
    # service 0.50 -> 4.39 per order.
    # Margin 50.00, kept after 10% returns 45.00; contribution 45.00 - 4.39 = 40.61.
    # Monthly: 200 x 40.61 - 500 fixed = 7,622.00; break-even 500 / 40.61 = 12.31 orders;
    # one-time: translation 0.10 x 10,000 words = 1,000.00 -> payback 1,000 / 7,622 months.
    entry = market_entry(
        gb(), monthly_orders=200, average_basket=Money("100", "GBP"), gross_margin_rate=0.5
    )
    assert entry.currency == "GBP"
    assert entry.margin_per_order == Money("45.00", "GBP")
    assert dict(entry.costs) == {
        "payment_fee": Money("2.89", "GBP"),
        "fx_cost": Money("0.00", "GBP"),
        "returns": Money("1.00", "GBP"),
        "service": Money("0.50", "GBP"),
    }
    assert entry.contribution_per_order == Money("40.61", "GBP")
    assert entry.monthly_contribution == Money("7622.00", "GBP")
    assert entry.one_time_cost == Money("1000.00", "GBP")
    assert entry.break_even_orders == pytest.approx(500 / 40.61)
    assert entry.payback_months == pytest.approx(1000 / 7622)
    assert entry.monthly_shortfall is None
    assert entry.pays_back
    assert entry.contribution_margin == pytest.approx(0.4061)
    json.dumps(entry.to_dict())


def test_never_pays_back_reports_the_shortfall() -> None:
    # 5 orders x 40.61 = 203.05 < 500 fixed: short 296.95 a month.
    entry = market_entry(gb(), monthly_orders=5, average_basket="100", gross_margin_rate=0.5)
    assert entry.payback_months is None
    assert not entry.pays_back
    assert entry.monthly_shortfall == Money("296.95", "GBP")
    assert entry.verdict() == "never: short 296.95 GBP a month"
    assert entry.break_even_orders == pytest.approx(500 / 40.61)


def test_free_shipping_is_a_localization_cost() -> None:
    paid = market_entry(gb(), monthly_orders=200, average_basket="100", gross_margin_rate=0.5)
    free = market_entry(
        gb(), monthly_orders=200, average_basket="100", gross_margin_rate=0.5, free_shipping=True
    )
    # Shipping 8.00 is now the merchant's; VAT is on 100 + 8 either way (the UK scheme
    # taxes the delivered price), but the buyer's checkout drops by 8.00, and so the fee.
    assert dict(free.costs)["shipping"] == Money("8.00", "GBP")
    assert free.contribution_per_order < paid.contribution_per_order


def test_sensitivity_moves_in_the_expected_direction() -> None:
    p = gb().with_fx("USD", rate="0.80")
    entry = market_entry(
        p, monthly_orders=200, average_basket=Money("125", "USD"), gross_margin_rate=0.5
    )
    by_name = {s.name: s for s in entry.sensitivity}
    assert list(by_name) == [
        "base", "USD +10%", "USD -10%", "returns +5 pts", "returns -5 pts", "duty +5 pts",
        "duty -5 pts", "price +10%", "price -10%", "conversion +10%", "conversion -10%",
    ]  # fmt: skip
    base = by_name["base"].contribution_per_order
    # A stronger dollar shrinks the dollar value of pound prices while COGS stays in dollars.
    assert (
        by_name["USD +10%"].contribution_per_order
        < base
        < by_name["USD -10%"].contribution_per_order
    )
    assert by_name["returns +5 pts"].contribution_per_order < base
    # Under GBP 135 there is no duty: duty changes do not move the UK numbers...
    assert by_name["duty +5 pts"].contribution_per_order == base


def test_duty_sensitivity_counts_when_duty_is_borne() -> None:
    # ... but above the de minimis, DDP, duty the merchant cannot recover raises return costs.
    entry = market_entry(gb(), monthly_orders=200, average_basket="500", gross_margin_rate=0.5)
    by_name = {s.name: s for s in entry.sensitivity}
    assert by_name["duty +5 pts"].contribution_per_order < by_name["base"].contribution_per_order


def test_comparison_table_and_pandas() -> None:
    pd = pytest.importorskip("pandas")
    entries = [
        market_entry(
            market_profile(code, as_of="2026-03-01").with_fx("USD", rate=rate),
            monthly_orders=orders,
            average_basket=Money("80", "USD"),
            gross_margin_rate=0.5,
        )
        for code, rate, orders in (("DE", "0.91", 100), ("GB", "0.79", 100), ("JP", "150", 1))
    ]
    table = compare_markets(entries)
    assert table.currency == "USD"
    columns = table.columns()
    assert {len(v) for v in columns.values()} == {3}
    assert columns["country"].dtype.kind == "U"
    assert table.entries[-1].country == "JP"  # never pays back: last
    assert math.isnan(columns["payback_months"][-1])
    frame = table.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == [e.country for e in table.entries]
    assert frame.loc["JP", "payback_months"] != frame.loc["JP", "payback_months"]  # NaN
    assert np.all(np.diff(columns["payback_months"][:2]) >= 0)


def test_comparison_errors() -> None:
    gbp = market_entry(gb(), monthly_orders=10, average_basket="100", gross_margin_rate=0.5)
    usd = market_entry(
        gb().with_fx("USD", rate="0.8"),
        monthly_orders=10,
        average_basket="100",
        gross_margin_rate=0.5,
    )
    with pytest.raises(CurrencyMismatchError, match="GBP, USD"):
        compare_markets([gbp, usd])
    with pytest.raises(EmptyInputError):
        compare_markets([])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"monthly_orders": 0}, "monthly_orders=0 is invalid: must be > 0"),
        ({"gross_margin_rate": 1.5}, r"gross_margin_rate=1.5 is invalid: must lie in \[0, 1\]"),
        ({"average_basket": "-5"}, r"average_basket=.* must be > 0"),
        ({"fx_shock": 2}, r"fx_shock=2 .* \[0, 1\]"),
    ],
)
def test_entry_input_errors(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"monthly_orders": 10, "average_basket": "100", "gross_margin_rate": 0.5}
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=message):
        market_entry(gb(), **args)


def test_basket_in_a_currency_without_rate() -> None:
    with pytest.raises(CurrencyMismatchError, match="average_basket is in USD"):
        market_entry(
            gb(), monthly_orders=10, average_basket=Money("100", "USD"), gross_margin_rate=0.5
        )


def test_market_section_for_the_demo_report() -> None:
    sections = market_section()
    assert [s.title for s in sections] == [
        "Which market next? (USD)",
        "Landed cost of an average order (USD)",
        "Payback under stress (months)",
    ]
    overview, cost, stress = sections
    assert len(overview.rows) == 3
    assert cost.header == ("", *(row[0][-3:-1] for row in overview.rows))
    totals = [Decimal(v.replace(",", "")) for v in cost.rows[-1][1:]]
    parts = [[Decimal(r[i + 1].replace(",", "")) for r in cost.rows[:-1]] for i in range(3)]
    assert totals == [sum(p) for p in parts]
    assert stress.rows[0][0] == "base"
    text = render(sections)
    assert "reference data to verify" in text


def test_market_section_accepts_entries() -> None:
    entries = demo_market_entries().entries
    assert isinstance(entries[0], MarketEntry)
    assert market_section(list(entries))[0].rows == market_section(entries)[0].rows
