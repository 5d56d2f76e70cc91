"""Hand-worked landed costs: one case per collection model and per special regime.

Every case replaces the illustrative commercial defaults with round numbers (``SIMPLE``) so
that the arithmetic fits in a comment:

* payment: one method, 2 % + 0.30 of the checkout amount;
* carrier: DAP clearance fee 10.00 (paid by the buyer), DDP surcharge 5.00 (merchant);
* returns: 10 % of orders, return freight 10.00, duty and tax not recoverable;
* service: 0.1 contact × 5.00 = 0.50; no FX conversion fee.

Amounts are rounded half-even to the minor unit, line by line.
"""

from __future__ import annotations

import warnings
from decimal import Decimal
from typing import Any

import pytest

from ecomstrat.domain.money import Money
from ecomstrat.exceptions import CurrencyMismatchError
from ecomstrat.localization import (
    MarketDataWarning,
    OrderLine,
    landed_cost,
    market_profile,
)
from tests.localization.hand_worked_terms import check, profile

# --- EU ---------------------------------------------------------------------------------------


def test_eu_ioss_below_150_before_july_2026() -> None:
    # DE, 1 Mar 2026: 100.00 goods + 10.00 transport; intrinsic 100 <= EUR 150.
    # Duty: EUR 150 relief -> 0.00. IOSS VAT at checkout: 19% x (100 + 10) = 20.90.
    # Checkout 130.90; payment 2% x 130.90 + 0.30 = 2.918 -> 2.92; returns 10% x 10 = 1.00
    # (IOSS VAT is adjusted in the next return); service 0.50.
    # Total 130.90 + 2.92 + 1.00 + 0.50 = 135.32.
    cost = landed_cost(
        profile("DE", "2026-03-01"), Money("100.00", "EUR"), shipping="10.00", insurance=0
    )
    check(cost, "135.32", duty="0.00", tax="20.90", payment_fee="2.92", returns="1.00")
    assert cost.line("tax").label == "VAT (IOSS)"
    assert cost.line("tax").stage == "checkout"
    assert "EUR 150" in cost.line("duty").rule


def test_eu_above_150_border_vat_on_customs_value_plus_duty() -> None:
    # DE, 1 Mar 2026, apparel (HS 61 at 12%): 200.00 + 10.00 transport, above EUR 150.
    # Customs value (CIF) 210.00; duty 12% x 210 = 25.20.
    # Import VAT (art. 86): 19% x (210.00 + 25.20) = 44.688 -> 44.69.
    # DDP: checkout 200 + 10 + 25.20 + 44.69 = 279.89; DDP surcharge 5.00;
    # payment 2% x 279.89 + 0.30 = 5.8978 -> 5.90; returns 10% x (10 + 25.20 + 44.69) = 7.989
    # -> 7.99; service 0.50. Total 279.89 + 5 + 5.90 + 7.99 + 0.50 = 299.28.
    p = profile("DE", "2026-03-01", duty={"category_rates": {"61": "0.12"}})
    cost = landed_cost(p, Money("200.00", "EUR"), shipping="10.00", insurance=0, category="61")
    check(cost, "299.28", duty="25.20", tax="44.69", ddp_surcharge="5.00", returns="7.99")
    assert "base 235.20" in cost.line("tax").rule


def test_eu_flat_duty_per_category_from_july_2026() -> None:
    # DE, 1 Aug 2026: lines 60.00 (HS 61) + 40.00 (HS 64), transport 10.00; intrinsic 100.
    # EUR 3 per distinct tariff subheading: 2 x 3.00 = 6.00 (the EUR 150 relief has ended).
    # IOSS VAT on the price incl. the duty charged at checkout (VAT Directive art. 78(a)):
    # 19% x (110 + 6) = 22.04. Checkout 138.04; DDP surcharge 5.00 (duty advanced);
    # payment 2% x 138.04 + 0.30 = 3.0608 -> 3.06; returns 10% x (10 + 6) = 1.60; service 0.50.
    # Total 138.04 + 5 + 3.06 + 1.60 + 0.50 = 148.20.
    lines = [
        OrderLine(Money("60.00", "EUR"), category="61"),
        OrderLine(Money("40.00", "EUR"), category="64"),
    ]
    cost = landed_cost(profile("DE", "2026-08-01"), lines, shipping="10.00", insurance=0)
    check(cost, "148.20", duty="6.00", tax="22.04", payment_fee="3.06", returns="1.60")
    assert "2026/382" in cost.line("duty").rule


def test_eu_dap_above_150() -> None:
    # FR, 1 Mar 2026, DAP: 300.00 + 20.00 at the default 4%: duty 4% x 320 = 12.80;
    # VAT 20% x 332.80 = 66.56; the buyer pays 12.80 + 66.56 + clearance 10.00 = 89.36 on
    # delivery. Checkout 320.00 -> payment 6.70; returns 10% x 10 = 1.00 (DAP: the buyer
    # bore duty and VAT); service 0.50. Total 320 + 89.36 + 6.70 + 1.00 + 0.50 = 417.56.
    p = profile("FR", "2026-03-01", duty={"default_rate": "0.04"})
    cost = landed_cost(p, Money("300.00", "EUR"), shipping="20.00", insurance=0, presentation="DAP")
    check(cost, "417.56", duty="12.80", tax="66.56", brokerage="10.00", payment_fee="6.70")
    assert cost.on_delivery == Money("89.36", "EUR")
    assert cost.line("duty").stage == "delivery"


# --- UK ---------------------------------------------------------------------------------------


def test_uk_at_most_135_supply_vat_at_checkout() -> None:
    # GB: 120.00 + 8.00 delivery; consignment 120 <= GBP 135: no duty, the seller charges
    # 20% VAT on the sale price incl. delivery: 20% x 128 = 25.60. Checkout 153.60;
    # payment 2% x 153.60 + 0.30 = 3.372 -> 3.37; returns 1.00; service 0.50. Total 158.47.
    cost = landed_cost(
        profile("GB", "2026-03-01"), Money("120.00", "GBP"), shipping="8.00", insurance=0
    )
    check(cost, "158.47", duty="0.00", tax="25.60", payment_fee="3.37")
    assert cost.line("tax").stage == "checkout"


def test_uk_above_135_dap() -> None:
    # GB, DAP, apparel 12%: 300.00 + 12.00. Duty 12% x 312 = 37.44; import VAT
    # 20% x 349.44 = 69.888 -> 69.89; the buyer pays 37.44 + 69.89 + 10.00 = 117.33 on
    # delivery. Checkout 312.00 -> payment 6.54; returns 1.00; service 0.50.
    # Total 312 + 117.33 + 6.54 + 1.00 + 0.50 = 437.37.
    p = profile("GB", "2026-03-01", duty={"category_rates": {"61": "0.12"}})
    cost = landed_cost(
        p,
        Money("300.00", "GBP"),
        shipping="12.00",
        insurance=0,
        category="61",
        presentation="DAP",
    )
    check(cost, "437.37", duty="37.44", tax="69.89", brokerage="10.00")
    assert cost.on_delivery == Money("117.33", "GBP")
    assert cost.checkout == Money("312.00", "GBP")


# --- US ---------------------------------------------------------------------------------------


def test_us_de_minimis_suspended() -> None:
    # US, 1 Mar 2026, origin DE, duty 10%: USD 500 would have been under the USD 800 de
    # minimis, suspended for all countries since 29 Aug 2025. FOB: duty 10% x 500 = 50.00
    # (transport not dutiable); no federal VAT. Informal entry (<= USD 2,500): MPF 2.69
    # (FY2026, regions-fees). Checkout 500 + 25 + 50 + 2.69 = 577.69; DDP surcharge 5.00;
    # payment 2% x 577.69 + 0.30 = 11.8538 -> 11.85; returns 10% x (10 + 50 + 2.69) = 6.269
    # -> 6.27; service 0.50. Total 577.69 + 5 + 11.85 + 6.27 + 0.50 = 601.31.
    p = profile("US", "2026-03-01", duty={"default_rate": "0.10"})
    cost = landed_cost(p, Money("500.00", "USD"), shipping="25.00", insurance=0, origin="DE")
    check(cost, "601.31", duty="50.00", charges="2.69", tax="0.00", returns="6.27")


@pytest.mark.parametrize(
    ("day", "origin", "duty"),
    [
        ("2025-04-30", "CN", "0.00"),  # de minimis still open for China
        ("2025-06-01", "CN", "50.00"),  # suspended for China / Hong Kong from 2 May 2025
        ("2025-06-01", "DE", "0.00"),  # still open for other origins
        ("2025-06-01", None, "0.00"),
        ("2025-09-01", "DE", "50.00"),  # suspended for all from 29 Aug 2025
    ],
)
def test_us_suspension_dates(day: str, origin: str | None, duty: str) -> None:
    p = profile("US", day, duty={"default_rate": "0.10"})
    cost = landed_cost(p, Money("500.00", "USD"), shipping="25.00", insurance=0, origin=origin)
    assert cost.amount("duty") == Money(duty, "USD")


def test_us_statutory_repeal_is_a_scheduled_change() -> None:
    p = market_profile("US", as_of="2026-12-01")
    assert p.valid_until is not None
    assert p.valid_until.isoformat() == "2027-07-01"
    with pytest.warns(MarketDataWarning, match="repealed by statute"):
        landed_cost(p, Money("10", "USD"), shipping=0, as_of="2027-08-01")


# --- Australia --------------------------------------------------------------------------------


def test_australia_low_value_gst_at_checkout() -> None:
    # AU: 400.00 + 20.00 shipping, customs value 400 <= AUD 1,000: vendor charges 10% GST on
    # the price incl. shipping = 42.00; no duty. Checkout 462.00; payment 9.54; returns 1.00;
    # service 0.50. Total 473.04.
    cost = landed_cost(
        profile("AU", "2026-03-01"), Money("400.00", "AUD"), shipping="20.00", insurance=0
    )
    check(cost, "473.04", duty="0.00", tax="42.00", payment_fee="9.54")


def test_australia_above_1000_gst_base_adds_freight_and_duty() -> None:
    # AU, duty 5%: 1,500.00 + 40.00. FOB customs value 1,500 -> duty 75.00; GST on the value
    # of the taxable importation 1,500 + 40 (transport) + 75 = 1,615 -> 161.50.
    # Import processing charge AUD 50 (declaration above AUD 1,000, regions-fees), outside the
    # GST base. Checkout 1,826.50; DDP surcharge 5.00; payment 2% x 1,826.50 + 0.30 = 36.83;
    # returns 10% x (10 + 75 + 50 + 161.50) = 29.65; service 0.50. Total 1,898.48.
    p = profile("AU", "2026-03-01", duty={"default_rate": "0.05"})
    cost = landed_cost(p, Money("1500.00", "AUD"), shipping="40.00", insurance=0)
    check(
        cost,
        "1898.48",
        duty="75.00",
        charges="50.00",
        tax="161.50",
        payment_fee="36.83",
        returns="29.65",
    )
    assert cost.customs_value == Money("1500.00", "AUD")


# --- Brazil -----------------------------------------------------------------------------------


def test_brazil_remessa_conforme_icms_gross_up() -> None:
    # BR at USD 1 = BRL 5.00: goods USD 90 = 450.00, freight USD 10 = 50.00; CIF 500.00 =
    # USD 100, in the USD 50.01-3,000 band: import tax 60% x 500 - USD 20 x 5 = 200.00.
    # ICMS "por dentro": (500 + 200) / (1 - 0.17) x 0.17 = 143.3734... -> 143.37.
    # Both collected at checkout by the certified platform: checkout 843.37; payment
    # 2% x 843.37 + 0.30 = 17.1674 -> 17.17; returns 10% x (10 + 200 + 143.37) = 35.337
    # -> 35.34; service 0.50. Total 843.37 + 17.17 + 35.34 + 0.50 = 896.38.
    cost = landed_cost(
        profile("BR", "2026-03-01"),
        Money("90.00", "USD"),
        shipping=Money("10.00", "USD"),
        insurance=0,
        fx={"USD": "5.00"},
    )
    check(cost, "896.38", goods="450.00", duty="200.00", tax="143.37", returns="35.34")
    assert cost.on_delivery.is_zero()


def test_brazil_up_to_50_usd_band() -> None:
    # USD 40 = BRL 200.00, no freight: import tax 20% x 200 = 40.00;
    # ICMS (200 + 40) / 0.83 x 0.17 = 49.1566... -> 49.16 (USD 9.83, as in the UPS example).
    cost = landed_cost(
        profile("BR", "2026-03-01"),
        Money("40.00", "USD"),
        shipping=0,
        insurance=0,
        fx={"USD": "5.00"},
    )
    check(cost, "305.66", duty="40.00", tax="49.16")


def test_brazil_needs_a_usd_rate() -> None:
    with pytest.raises(CurrencyMismatchError, match=r"duty\.bands is in USD .* fx=\{.USD.: ...\}"):
        landed_cost(profile("BR", "2026-03-01"), Money("100", "BRL"), shipping=0)


# --- China CBEC -------------------------------------------------------------------------------


def test_china_cbec_70_percent_of_vat() -> None:
    # CN CBEC: 1,000.00 + 50.00, within CNY 5,000: tariff 0%; VAT 13% x 70% x 1,050 = 95.55.
    # Checkout 1,145.55; payment 2% x 1,145.55 + 0.30 = 23.211 -> 23.21; returns
    # 10% x (10 + 95.55) = 10.555 -> 10.56 (half-even); service 0.50. Total 1,179.82.
    cost = landed_cost(
        profile("CN", "2026-03-01"), Money("1000.00", "CNY"), shipping="50.00", insurance=0
    )
    check(cost, "1179.82", duty="0.00", tax="95.55", returns="10.56")


def test_china_cbec_with_consumption_tax() -> None:
    # Cosmetics with 15% consumption tax: comprehensive rate (0.15 + 0.13) / 0.85 x 70%.
    # CT = 1,050 x 0.15 / 0.85 x 0.7 = 129.7058... -> 129.71;
    # VAT = 1,050 x 0.13 / 0.85 x 0.7 = 112.4117... -> 112.41.
    p = profile("CN", "2026-03-01", tax={"excise_rates": {"cosmetics": "0.15"}})
    cost = landed_cost(
        p, Money("1000.00", "CNY"), shipping="50.00", insurance=0, category="cosmetics"
    )
    check(cost, "1343.97", excise="129.71", tax="112.41")


def test_china_above_5000_full_general_trade_taxes() -> None:
    # CNY 6,000 + 100: outside the CBEC channel; duty 10% x 6,100 = 610.00 and VAT
    # 13% x 6,710 = 872.30 at the border.
    p = profile("CN", "2026-03-01", duty={"default_rate": "0.10"})
    # The CNY 5,000 single-transaction limit is crossed: a LimitWarning says so.
    with pytest.warns(UserWarning, match="CBEC single-transaction limit"):
        cost = landed_cost(p, Money("6000.00", "CNY"), shipping="100.00", insurance=0)
    assert (cost.amount("duty"), cost.amount("tax")) == (
        Money("610.00", "CNY"),
        Money("872.30", "CNY"),
    )


# --- Other special regimes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goods", "vat"),
    [
        ("55.00", "0.00"),  # 8.1% x 61.00 = 4.941 -> 4.94 <= CHF 5: not levied
        ("55.73", "0.00"),  # 8.1% x 61.73 = 5.00013 -> 5.00, still <= CHF 5: not levied
        ("56.00", "5.02"),  # 8.1% x 62.00 = 5.022 -> 5.02 > CHF 5: due
        ("70.00", "6.16"),  # 8.1% x 76.00 = 6.156 -> 6.16
    ],
)
def test_switzerland_waives_vat_of_chf_5_or_less(goods: str, vat: str) -> None:
    cost = landed_cost(
        profile("CH", "2026-03-01"),
        Money(goods, "CHF"),
        shipping="6.00",
        insurance=0,
        presentation="DAP",
    )
    assert cost.amount("tax") == Money(vat, "CHF")
    assert cost.amount("duty").is_zero()  # industrial tariffs abolished in 2024


def test_switzerland_registered_mail_order_seller_has_no_waiver() -> None:
    p = profile("CH", "2026-03-01", collection={"registered": True})
    cost = landed_cost(p, Money("55.00", "CHF"), shipping="6.00", insurance=0)
    assert cost.amount("tax") == Money("4.94", "CHF")
    assert cost.line("tax").stage == "checkout"


def test_india_courier_personal_imports_30_98_percent() -> None:
    # INR 10,000 + 500 freight: AV 10,500; BCD 10% = 1,050; SWS 10% of BCD = 105;
    # IGST 18% x (10,500 + 1,050 + 105) = 2,097.90; together 3,252.90 = 30.98% of AV.
    # Checkout 13,752.90; DDP surcharge 5.00; payment 2% x 13,752.90 + 0.30 = 275.358
    # -> 275.36; returns 10% x (10 + 3,252.90) = 326.29; service 0.50. Total 14,360.05.
    cost = landed_cost(
        profile("IN", "2026-03-01"), Money("10000.00", "INR"), shipping="500.00", insurance=0
    )
    check(cost, "14360.05", duty="1050.00", charges="105.00", tax="2097.90", returns="326.29")
    assert cost.duties_and_taxes.amount / cost.customs_value.amount == Decimal("0.3098")


def test_india_duty_under_100_not_collected() -> None:
    # INR 900: BCD 90.00 < INR 100 -> waived; SWS 0; IGST 18% x 900 = 162.00.
    cost = landed_cost(profile("IN", "2026-03-01"), Money("900.00", "INR"), shipping=0, insurance=0)
    assert (cost.amount("duty"), cost.amount("tax")) == (
        Money("0.00", "INR"),
        Money("162.00", "INR"),
    )


@pytest.mark.parametrize(
    ("goods", "duty", "tax"),
    [
        # 60% x 14,000 + 1,500 freight = 9,900 <= JPY 10,000: duty and consumption tax exempt.
        ("14000", "0", "0"),
        # 60% x 15,000 + 1,500 = 10,500: duty 5% = 525; tax 10% x (10,500 + 525) = 1,102.5
        # -> 1,102 (half-even).
        ("15000", "525", "1102"),
    ],
)
def test_japan_10000_yen_on_the_personal_use_value(goods: str, duty: str, tax: str) -> None:
    p = profile("JP", "2026-03-01", duty={"default_rate": "0.05"})
    cost = landed_cost(p, Money(goods, "JPY"), shipping="1500", insurance=0)
    assert (cost.amount("duty"), cost.amount("tax")) == (Money(duty, "JPY"), Money(tax, "JPY"))


def test_norway_voec_is_tested_per_item() -> None:
    # NOK 2,500 item (VOEC: VAT at checkout, no duty) + NOK 3,500 item (border).
    # Transport 120 split by value: 50 / 70. VOEC VAT 25% x (2,500 + 50) = 637.50.
    # Border: duty 10% x (3,500 + 70) = 357.00; VAT 25% x (3,570 + 357) = 981.75.
    p = profile("NO", "2026-03-01", duty={"default_rate": "0.10"})
    lines = [OrderLine(Money("2500", "NOK")), OrderLine(Money("3500", "NOK"))]
    cost = landed_cost(p, lines, shipping="120.00", insurance=0)
    taxes = [(line.stage, line.amount) for line in cost.lines if line.kind == "tax"]
    assert taxes == [("checkout", Money("637.50", "NOK")), ("checkout", Money("981.75", "NOK"))]
    assert cost.amount("duty") == Money("357.00", "NOK")


@pytest.mark.parametrize(
    ("origin", "duty", "gst"),
    [
        # US origin by courier: duty-free to CAD 150, taxable above CAD 40: GST 5% x 100 = 5.00
        ("US", "0.00", "5.00"),
        # Other origins: duty and tax above CAD 20; duty 6% x 100 = 6.00; GST 5% x 106 = 5.30
        # (value for tax = value for duty + duty; no freight on an FOB basis).
        ("CN", "6.00", "5.30"),
    ],
)
def test_canada_cusma_thresholds_depend_on_origin(origin: str, duty: str, gst: str) -> None:
    p = profile("CA", "2026-03-01", duty={"default_rate": "0.06"})
    cost = landed_cost(p, Money("100.00", "CAD"), shipping="15.00", insurance=0, origin=origin)
    assert (cost.amount("duty"), cost.amount("tax")) == (Money(duty, "CAD"), Money(gst, "CAD"))


def test_mexico_global_rate_covers_iva() -> None:
    # MX at USD 1 = MXN 18.50: MXN 1,000 + 100 CIF = 1,100 <= USD 2,500:
    # global rate 33.5% x 1,100 = 368.50 covers duty and IVA.
    cost = landed_cost(
        profile("MX", "2026-03-01"),
        Money("1000.00", "MXN"),
        shipping="100.00",
        insurance=0,
        fx={"USD": "18.50"},
    )
    assert cost.amount("duty") == Money("368.50", "MXN")
    assert cost.amount("tax").is_zero()


def test_france_small_parcel_tax_is_a_merchant_cost() -> None:
    # FR from 1 Mar 2026: EUR 2 per item category in consignments <= EUR 150, owed by the
    # seller, not shown to the buyer.
    lines = [
        OrderLine(Money("30", "EUR"), category="a"),
        OrderLine(Money("20", "EUR"), category="b"),
    ]
    cost = landed_cost(profile("FR", "2026-03-01"), lines, shipping=0, insurance=0)
    fee = cost.line("charges")
    assert (fee.amount, fee.stage) == (Money("4.00", "EUR"), "merchant")
    before = landed_cost(profile("FR", "2026-02-28"), lines, shipping=0, insurance=0)
    assert before.amount("charges").is_zero()


def test_romania_fee_needs_a_eur_rate() -> None:
    with pytest.raises(CurrencyMismatchError, match="EUR"):
        landed_cost(profile("RO", "2026-03-01"), Money("100", "RON"), shipping=0)
    cost = landed_cost(
        profile("RO", "2026-03-01"), Money("100", "RON"), shipping=0, fx={"EUR": "5.00"}
    )
    assert cost.line("charges").amount == Money("25.00", "RON")


# --- Rounding and warnings --------------------------------------------------------------------


def test_rounding_mode_is_per_market() -> None:
    # 19% x 110.25 = 20.9475: half-even 20.95, down 20.94.
    base = profile("DE", "2026-03-01")
    down = base.with_overrides({"currency": {"rounding": "ROUND_DOWN"}})
    args: dict[str, Any] = {"shipping": "10.25", "insurance": 0}
    assert landed_cost(base, Money("100", "EUR"), **args).amount("tax").amount == Decimal("20.95")
    assert landed_cost(down, Money("100", "EUR"), **args).amount("tax").amount == Decimal("20.94")


def test_cash_rounding_uses_cldr_or_the_market_override() -> None:
    # CHF cash rounds to 0.05 (CLDR); Finland rounds euro cash to 0.05 (profile override);
    # Germany does not.
    ch = landed_cost(
        profile("CH", "2026-03-01"),
        Money("101.50", "CHF"),
        shipping="12.00",
        insurance=0,
        presentation="DAP",
    )
    # VAT 8.1% x 113.50 = 9.1935 -> 9.19, clearance 10.00: 19.19 on delivery -> 19.20 in cash.
    assert (ch.on_delivery, ch.cash_amount()) == (Money("19.19", "CHF"), Money("19.20", "CHF"))
    fi = landed_cost(profile("FI", "2026-03-01"), Money("100.03", "EUR"), shipping=0, insurance=0)
    # IOSS VAT 25.5% x 100.03 = 25.50765 -> 25.51; checkout 125.54 -> cash 125.55.
    assert (fi.checkout, fi.cash_amount("checkout")) == (
        Money("125.54", "EUR"),
        Money("125.55", "EUR"),
    )
    de = landed_cost(profile("DE", "2026-03-01"), Money("100.03", "EUR"), shipping=0, insurance=0)
    assert de.cash_amount("checkout") == de.checkout


def test_stale_profile_warns_past_the_eu_change() -> None:
    p = profile("DE", "2026-03-01")
    with pytest.warns(MarketDataWarning, match="2026-07-01"):
        landed_cost(p, Money("100", "EUR"), shipping=0, as_of="2026-08-01")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        landed_cost(p, Money("100", "EUR"), shipping=0, as_of="2026-06-30")
