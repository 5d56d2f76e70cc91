"""Market-entry sensitivity: levers with no effect say why; price and conversion rows.

Every hand-worked case uses round commercial terms (``TERMS``) so the arithmetic can be done on
paper: the payment fee is a fixed 0.30 (no percentage, so duty and tax do not feed it), the
carrier's DDP surcharge is zero, 10 % of orders come back at 10.00 return freight, the duty of
a returned order is lost and the tax is recovered, customer service costs 0.1 x 5.00 = 0.50.
Then, per order,

    contribution = (1 - 10 %) x (basket - COGS) - (0.30 + 10 % x (10 + duty) + 0.50)

and the duty is the only border charge that reaches the merchant.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from ecomstrat.domain.money import Money
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.localization import MarketEntry, MarketProfile, market_entry, market_profile
from ecomstrat.report import render
from ecomstrat.report.markets import market_section

TERMS: dict[str, Any] = {
    "payments": {"methods": [{"name": "card", "share": 1, "rate": 0, "fixed": "0.30"}]},
    "border_fees": {"brokerage_fixed": 10, "brokerage_rate": 0, "ddp_surcharge": 0, "ddp_rate": 0},
    "returns": {
        "rate": "0.10",
        "return_freight": 10,
        "handling": 0,
        "duty_recoverable": False,
        "tax_recoverable": True,
    },
    "service": {"contacts_per_order": "0.1", "cost_per_contact": 5},
    "shipping": {"base": 8, "per_kg": 0, "insurance_rate": 0},
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

NAMES = [
    "base",
    "returns +5 pts",
    "returns -5 pts",
    "duty +5 pts",
    "duty -5 pts",
    "price +10%",
    "price -10%",
    "conversion +10%",
    "conversion -10%",
]


def profile(country: str, as_of: str, **more: Any) -> MarketProfile:
    return market_profile(country, as_of=as_of, overrides={**TERMS, **more})


def entry(p: MarketProfile, basket: str, **kwargs: Any) -> MarketEntry:
    return market_entry(
        p,
        monthly_orders=100,
        average_basket=Money(basket, p.currency.code),
        gross_margin_rate=0.5,
        **kwargs,
    )


def rows(e: MarketEntry) -> dict[str, Any]:
    return {s.name: s for s in e.sensitivity}


def money(amount: str, currency: str) -> Money:
    return Money(amount, currency)


def test_de_flat_duty_makes_the_duty_rows_inert() -> None:
    # DE, 2026-09-01, merchant books in EUR; basket 40.00, 50 % margin, 100 orders a month.
    # The EU's flat duty applies (40 <= 150): 1 tariff subheading x 3.00 = 3.00 duty at
    # checkout, whatever the ad valorem rate. VAT goes to the buyer (IOSS) and is not a cost.
    # Margin 40.00 - COGS 20.00 = 20.00; kept after 10 % returns 18.00.
    # Costs: payment 0.30 + returns 10 % x (10.00 + duty 3.00) = 1.30 + service 0.50 = 2.10.
    # Contribution 18.00 - 2.10 = 15.90; monthly 100 x 15.90 - 500 = 1,090.00.
    e = entry(profile("DE", "2026-09-01"), "40")
    by = rows(e)
    assert list(by) == NAMES  # the merchant books in EUR: no FX rows
    assert e.landed.amount("duty") == money("3.00", "EUR")
    assert e.contribution_per_order == money("15.90", "EUR")
    assert e.monthly_contribution == money("1090.00", "EUR")
    assert by["base"].has_effect
    assert by["base"].note == ""
    for name in ("duty +5 pts", "duty -5 pts"):
        row = by[name]
        # 4 % -> 9 % or 0 %: the flat 3.00 replaces the rate, so nothing moves.
        assert row.contribution_per_order == money("15.90", "EUR")
        assert row.monthly_contribution == money("1090.00", "EUR")
        assert not row.has_effect
        assert row.note.startswith(
            "no effect — a flat 3 EUR per tariff subheading replaces the ad valorem duty ("
        )
        assert row.label == f"{name}: {row.note}"
    # Price +10 %: 44.00, margin 24.00, kept 21.60, same costs 2.10 -> 19.50.
    # Price -10 %: 36.00, margin 16.00, kept 14.40 -> 12.30. Still under the flat duty: no note.
    assert by["price +10%"].contribution_per_order == money("19.50", "EUR")
    assert by["price -10%"].contribution_per_order == money("12.30", "EUR")
    assert by["price +10%"].note == by["price -10%"].note == ""
    # Conversion +-10 % at the same traffic: 110 or 90 orders of 15.90 each.
    # 110 x 15.90 - 500 = 1,249.00; 90 x 15.90 - 500 = 931.00; break-even unchanged.
    up, down = by["conversion +10%"], by["conversion -10%"]
    assert up.contribution_per_order == down.contribution_per_order == money("15.90", "EUR")
    assert up.monthly_contribution == money("1249.00", "EUR")
    assert down.monthly_contribution == money("931.00", "EUR")
    assert up.break_even_orders == down.break_even_orders == pytest.approx(500 / 15.90)
    assert up.payback_months == pytest.approx(1000 / 1249)
    assert down.payback_months == pytest.approx(1000 / 931)
    data = e.to_dict()
    assert data["sensitivity"][3]["has_effect"] is False
    assert data["sensitivity"][3]["note"].startswith("no effect — a flat 3 EUR")
    json.dumps(data)


def test_br_band_rate_makes_the_duty_rows_inert() -> None:
    # BR, 2026-09-01, merchant books in BRL; USD 1 = BRL 5.40 for the bands (USD 50 = 270.00).
    # Basket 150.00 + shipping 50.00 = customs value (CIF) 200.00 <= 270.00: Remessa Conforme
    # band 20 %: duty 20 % x 200.00 = 40.00, not the 60 % ad valorem default +- 5 points.
    # ICMS is collected at checkout and recovered on returns: not a cost here.
    # Margin 75.00, kept 67.50; costs 0.30 + 10 % x (10.00 + 40.00) = 5.00 + 0.50 = 5.80.
    # Contribution 67.50 - 5.80 = 61.70; monthly 100 x 61.70 - 500 = 5,670.00.
    p = profile("BR", "2026-09-01").with_fx("BRL", rates={"USD": "5.40"})
    e = entry(p, "150", shipping="50")
    by = rows(e)
    assert e.landed.amount("duty") == money("40.00", "BRL")
    assert e.contribution_per_order == money("61.70", "BRL")
    assert e.monthly_contribution == money("5670.00", "BRL")
    for name in ("duty +5 pts", "duty -5 pts"):
        assert by[name].contribution_per_order == money("61.70", "BRL")
        assert not by[name].has_effect
        assert by[name].note == (
            "no effect — the value band <= 270.00 BRL sets the duty at 20%,"
            " not the ad valorem rates"
        )


def test_us_duty_above_the_de_minimis_moves() -> None:
    # US, 2025-06-01: the USD 800 de minimis still holds for origins other than CN/HK.
    # Basket 900.00 > 800: duty 10 % x FOB value 900.00 = 90.00 at checkout (DDP); sales tax 0.
    # Margin 450.00, kept 405.00; costs 0.30 + 10 % x (10.00 + 90.00) = 10.00 + 0.50 = 10.80.
    # Contribution 405.00 - 10.80 = 394.20.
    # Duty +5 pts: 15 % x 900 = 135.00 -> returns 10 % x 145.00 = 14.50 -> 405 - 15.30 = 389.70.
    # Duty -5 pts:  5 % x 900 =  45.00 -> returns 10 % x  55.00 =  5.50 -> 405 -  6.30 = 398.70.
    p = profile("US", "2025-06-01", import_fees=[])
    e = entry(p, "900")
    by = rows(e)
    assert e.landed.amount("duty") == money("90.00", "USD")
    assert e.contribution_per_order == money("394.20", "USD")
    assert by["duty +5 pts"].contribution_per_order == money("389.70", "USD")
    assert by["duty -5 pts"].contribution_per_order == money("398.70", "USD")
    assert by["duty +5 pts"].has_effect
    assert by["duty +5 pts"].note == ""
    assert by["duty -5 pts"].has_effect
    assert by["duty -5 pts"].note == ""


def test_us_below_the_de_minimis_the_duty_rows_say_so() -> None:
    # Basket 500.00 <= USD 800: no duty at any rate; contribution 225.00 - 0.30 - 1.00 - 0.50.
    e = entry(profile("US", "2025-06-01", import_fees=[]), "500")
    by = rows(e)
    assert e.contribution_per_order == money("223.20", "USD")
    for name in ("duty +5 pts", "duty -5 pts"):
        assert not by[name].has_effect
        assert by[name].note.startswith("no effect — the basket is within the duty de minimis, ")
        assert "800 USD" in by[name].note


def test_price_minus_ten_percent_crosses_the_uk_threshold() -> None:
    # GB, 2026-03-01, GBP. Basket 140.00 > GBP 135: duty 4 % x (140.00 + 8.00 CIF) = 5.92 and
    # import VAT at the border (DDP, collected at checkout).
    # Margin 70.00, kept 63.00; costs 0.30 + 10 % x (10.00 + 5.92) = 1.592 -> 1.59 + 0.50 = 2.39.
    # Contribution 63.00 - 2.39 = 60.61.
    # Price -10 %: 126.00 <= 135: no duty (relief), VAT charged by the seller under the UK
    # low-value rules. Margin 126.00 - 70.00 = 56.00, kept 50.40; costs 0.30 + 1.00 + 0.50 =
    # 1.80; contribution 48.60.
    # Price +10 %: 154.00, duty 4 % x 162.00 = 6.48; margin 84.00, kept 75.60; costs 0.30 +
    # 10 % x 16.48 = 1.648 -> 1.65 + 0.50 = 2.45; contribution 73.15; no rule switches.
    e = entry(profile("GB", "2026-03-01"), "140")
    by = rows(e)
    assert e.contribution_per_order == money("60.61", "GBP")
    down, up = by["price -10%"], by["price +10%"]
    assert down.contribution_per_order == money("48.60", "GBP")
    assert down.monthly_contribution == money("4360.00", "GBP")  # 100 x 48.60 - 500
    assert down.has_effect
    assert down.note.startswith("crosses a threshold: duty ad valorem → exempt (de minimis); ")
    assert "tax VAT at checkout → VAT (" in down.note
    assert up.contribution_per_order == money("73.15", "GBP")
    assert up.note == ""
    # Above the threshold the duty rows move: 9 % x 148.00 = 13.32 -> returns 2.332 -> 2.33.
    assert by["duty +5 pts"].contribution_per_order == money("59.87", "GBP")


def test_price_crossing_into_the_eu_flat_duty_is_noted() -> None:
    # DE basket 160.00 (> EUR 150: ad valorem duty, VAT at the border); -10 % = 144.00 falls
    # under the flat duty and IOSS.
    by = rows(entry(profile("DE", "2026-09-01"), "160"))
    note = by["price -10%"].note
    assert note.startswith("crosses a threshold: duty ad valorem → flat 3 EUR per tariff")
    assert "IOSS" in note
    assert by["price +10%"].note == ""


def test_other_reasons_for_no_effect() -> None:
    # Mexico: the band's global rate stands for duty and VAT.
    mx = profile("MX", "2026-09-01").with_fx("MXN", rates={"USD": "18"})
    note = rows(entry(mx, "1000"))["duty +5 pts"].note
    assert note.startswith("no effect — the value band <= 45000.00 MXN sets the duty at ")
    assert note.endswith("; the band's global rate also stands for IVA")
    # Norway: goods sold under VOEC bear no duty.
    no = rows(entry(profile("NO", "2026-09-01"), "500"))
    assert no["duty +5 pts"].note == "no effect — goods under VOEC bear no duty"
    # DAP: the buyer pays the duty on delivery; the merchant's costs do not depend on it.
    dap = rows(entry(profile("US", "2025-06-01", import_fees=[]), "900", presentation="DAP"))
    assert dap["duty +5 pts"].note == (
        "no effect — the buyer pays the duty on delivery (DAP); no merchant cost depends on it"
    )
    # A rate already at 0 % cannot go lower; a return rate at 0 % neither.
    zero = profile("US", "2026-03-01", import_fees=[], duty={"default_rate": 0})
    zero = zero.with_overrides({"returns": {"rate": 0}})
    by = rows(entry(zero, "900"))
    assert by["duty -5 pts"].note == "no effect — the duty rate is already 0%"
    assert by["returns -5 pts"].note == "no effect — the return rate is already 0%"
    # Duty +5 pts does reach 45.00, but with no returns and a fixed payment fee nothing the
    # merchant pays depends on it.
    assert (
        by["duty +5 pts"].note == "no effect — the duty changes but no merchant cost depends on it"
    )


def test_report_stress_section_carries_the_notes() -> None:
    de = entry(profile("DE", "2026-09-01").with_fx("USD", rate="0.91"), "40")
    gb = entry(profile("GB", "2026-03-01").with_fx("USD", rate="0.79"), "150")
    stress = market_section([de, gb])[2]
    labels = [row[0] for row in stress.rows]
    assert labels[-4:] == ["price +10%", "price -10%", "conversion +10%", "conversion -10%"]
    notes = list(stress.notes)
    assert any(n.startswith("DE: duty ±5 pts: no effect — a flat 3 EUR") for n in notes)
    assert any(n.startswith("GB: price -10%: crosses a threshold") for n in notes)
    assert "duty ±5 pts: no effect" in render([stress])


@pytest.mark.parametrize(
    ("name", "value"),
    [("price_shift", 1.0), ("price_shift", -0.1), ("conversion_shift", 1.5)],
)
def test_shift_sizes_are_checked(name: str, value: float) -> None:
    with pytest.raises(InvalidInputError, match=name):
        entry(profile("GB", "2026-03-01"), "100", **{name: value})


def test_shift_sizes_set_the_row_names() -> None:
    e = entry(profile("GB", "2026-03-01"), "100", price_shift=0.05, conversion_shift=0.2)
    names = [s.name for s in e.sensitivity]
    assert names[-4:] == ["price +5%", "price -5%", "conversion +20%", "conversion -20%"]
    # 100 orders x 1.2 = 120: only the monthly figures move.
    by = rows(e)
    base = by["base"]
    assert (
        by["conversion +20%"].monthly_contribution
        == (base.contribution_per_order * Decimal(120) - Money("500", "GBP")).round()
    )
