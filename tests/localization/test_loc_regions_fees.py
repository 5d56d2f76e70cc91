"""Hand-worked landed costs for destination regions and government entry fees (issue 15).

Commercial defaults are replaced by the round numbers of ``test_loc_hand_worked.SIMPLE``:
payment 2 % + 0.30 of the checkout amount; DAP clearance fee 10.00, DDP surcharge 5.00;
returns 10 % x (10.00 + duty, charges and tax not recovered); service 0.50; no FX fee.
Every line is rounded half-even to the minor unit.

Regions: the region's combined rate replaces the national standard rate (Canada: HST, or GST
plus PST/QST, on the value for duty + duty; Brazil: ICMS, plus FECP in Rio de Janeiro, grossed
up "por dentro"; US: state base sales tax charged by the seller on the price incl. transport).
Fees: the US merchandise processing fee (informal entry: fixed; formal entry above USD 2,500:
0.3464 % within the fiscal year's minimum and maximum), Australia's import processing charge
and New Zealand's entry fee and biosecurity levy above NZD 1,000.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ecomstrat.domain.money import Money
from ecomstrat.exceptions import InvalidInputError, UnknownCodeError
from ecomstrat.localization import (
    ImportFee,
    MarketProfile,
    RegionalTax,
    landed_cost,
    landed_cost_batch,
    market_profile,
)

sys.path.insert(0, str(Path(__file__).parent))
from test_loc_hand_worked import check, profile


def _only(cost: Any, kind: str) -> list[Any]:
    return [line for line in cost.lines if line.kind == kind]


# --- Canada: provinces and territories ---------------------------------------------------------


def ca_order(region: str | None) -> Any:
    # CA, 1 Mar 2026, goods of Chinese origin by courier: CAD 200.00 + 20.00 transport, above
    # the CAD 20 relief. Duty 6% (the profile's example rate) x value for duty 200.00 (FOB)
    # = 12.00; the tax base is the value for duty + duty = 212.00 (transport left out).
    return landed_cost(
        profile("CA", "2026-03-01"),
        Money("200.00", "CAD"),
        shipping="20.00",
        insurance=0,
        origin="CN",
        region=region,
    )


def test_ontario_hst_13() -> None:
    # HST 13% x 212.00 = 27.56. Checkout 200 + 20 + 12 + 27.56 = 259.56; DDP surcharge
    # 5.00; payment 2% x 259.56 + 0.30 = 5.4912 -> 5.49; returns 10% x (10 + 12 + 27.56)
    # = 4.956 -> 4.96; service 0.50. Total 259.56 + 5 + 5.49 + 4.96 + 0.50 = 275.51.
    cost = ca_order("CA-ON")
    check(cost, "275.51", duty="12.00", tax="27.56", payment_fee="5.49", returns="4.96")
    assert cost.line("tax").label == "HST"
    assert "Ontario (CA-ON): HST 13%" in cost.line("tax").rule


def test_quebec_gst_plus_qst() -> None:
    # GST 5% + QST 9.975% = 14.975% on the same base (QST is not charged on the GST):
    # 14.975% x 212.00 = 31.747 -> 31.75 (GST 10.60 + QST 21.147). One tax line, rounded
    # once. Checkout 200 + 20 + 12 + 31.75 = 263.75; payment 2% x 263.75 + 0.30 = 5.575
    # -> 5.58 (half-even); returns 10% x (10 + 12 + 31.75) = 5.375 -> 5.38; DDP 5.00;
    # service 0.50. Total 263.75 + 5 + 5.58 + 5.38 + 0.50 = 280.21.
    cost = ca_order("ca-qc")
    check(cost, "280.21", duty="12.00", tax="31.75", payment_fee="5.58", returns="5.38")
    assert cost.line("tax").label == "GST + QST"


def test_canada_without_region_is_gst_only() -> None:
    # GST 5% x 212.00 = 10.60 (the national rate, as before regions existed).
    assert ca_order(None).amount("tax") == Money("10.60", "CAD")
    assert ca_order("CA-AB").amount("tax") == Money("10.60", "CAD")


@pytest.mark.parametrize(("day", "tax"), [("2025-03-31", "31.80"), ("2025-04-01", "29.68")])
def test_nova_scotia_hst_cut_on_1_april_2025(day: str, tax: str) -> None:
    # HST 15% x 212.00 = 31.80 until 31 Mar 2025; 14% x 212.00 = 29.68 from 1 Apr 2025.
    cost = landed_cost(
        profile("CA", day),
        Money("200.00", "CAD"),
        shipping="20.00",
        insurance=0,
        origin="CN",
        region="CA-NS",
    )
    assert cost.amount("tax") == Money(tax, "CAD")


def test_every_canadian_province_and_territory_is_covered() -> None:
    p = market_profile("CA", as_of="2026-03-01")
    codes = {r.region for r in p.regions}
    assert len(codes) == 13
    rates = {r.region: r.rate for r in p.regions}
    assert rates["CA-ON"] == Decimal("0.13")
    assert rates["CA-QC"] == Decimal("0.14975")
    assert rates["CA-NS"] == Decimal("0.14")
    assert rates["CA-YT"] == Decimal("0.05")


# --- Brazil: states ----------------------------------------------------------------------------


def br_order(region: str, day: str = "2026-03-01") -> Any:
    # BR at USD 1 = BRL 5.00 (Remessa Conforme): goods USD 90 = 450.00, freight USD 10 = 50.00;
    # CIF 500.00 = USD 100, band USD 50.01-3,000: import tax 60% x 500 - USD 20 x 5 = 200.00.
    return landed_cost(
        profile("BR", day),
        Money("90.00", "USD"),
        shipping=Money("10.00", "USD"),
        insurance=0,
        fx={"USD": "5.00"},
        region=region,
    )


def test_rio_de_janeiro_icms_plus_fecp_grossed_up_together() -> None:
    # ICMS 17% + FECP 2% = 19%, "por dentro" on the same grossed-up base:
    # (500 + 200) / (1 - 0.19) x 0.19 = 164.1975... -> 164.20 (ICMS 146.91 + FECP 17.28).
    # Checkout 450 + 50 + 200 + 164.20 = 864.20; payment 2% x 864.20 + 0.30 = 17.584
    # -> 17.58; returns 10% x (10 + 200 + 164.20) = 37.42; service 0.50.
    # Total 864.20 + 17.58 + 37.42 + 0.50 = 919.70.
    cost = br_order("BR-RJ")
    check(cost, "919.70", duty="200.00", tax="164.20", payment_fee="17.58", returns="37.42")
    assert cost.line("tax").label == "ICMS + FECP (Remessa Conforme)"
    assert cost.line("tax").stage == "checkout"


def test_sao_paulo_icms_17() -> None:
    # ICMS 17%: 700 / 0.83 x 0.17 = 143.3734... -> 143.37; checkout 843.37; payment
    # 2% x 843.37 + 0.30 = 17.1674 -> 17.17; returns 10% x (10 + 200 + 143.37) = 35.337
    # -> 35.34; service 0.50. Total 843.37 + 17.17 + 35.34 + 0.50 = 896.38.
    check(br_order("BR-SP"), "896.38", tax="143.37", payment_fee="17.17", returns="35.34")


@pytest.mark.parametrize(
    ("day", "tax", "total"),
    [("2025-03-31", "143.37", "896.38"), ("2025-04-01", "175.00", "931.80")],
)
def test_bahia_icms_20_from_april_2025(day: str, tax: str, total: str) -> None:
    # From 1 Apr 2025 ICMS 20% in BA: 700 / 0.80 x 0.20 = 175.00; checkout 875.00; payment
    # 2% x 875 + 0.30 = 17.80; returns 10% x (10 + 200 + 175) = 38.50; service 0.50.
    # Total 875 + 17.80 + 38.50 + 0.50 = 931.80. Before: 17%, as in Sao Paulo.
    check(br_order("BR-BA", day), total, tax=tax)


def test_every_brazilian_state_is_covered() -> None:
    p = market_profile("BR", as_of="2026-03-01")
    rates = {r.region: r.rate for r in p.regions}
    assert len(rates) == 27
    assert sorted(code for code, rate in rates.items() if rate == Decimal("0.2")) == [
        f"BR-{uf}" for uf in ("AC", "AL", "BA", "CE", "MG", "PB", "PI", "RN", "SE")
    ]
    assert rates["BR-RJ"] == Decimal("0.19")


# --- United States: state base sales tax (optional) and the merchandise processing fee --------


def us_profile() -> MarketProfile:
    return profile("US", "2026-03-01", duty={"default_rate": "0.10"})


def test_us_state_sales_tax_is_charged_by_the_seller_on_price_and_transport() -> None:
    # US-CA, state base rate 7.25% (local rates are an override): 7.25% x (100 + 10) = 7.975
    # -> 7.98 at checkout; duty 10% x 100 = 10.00 is left out of the sales-tax base. MPF
    # informal entry 2.69. Checkout 100 + 10 + 10 + 2.69 + 7.98 = 130.67; DDP surcharge
    # 5.00 (duty and MPF advanced); payment 2% x 130.67 + 0.30 = 2.9134 -> 2.91; returns
    # 10% x (10 + 10 + 2.69) = 2.269 -> 2.27 (sales tax is not an import tax lost on a
    # return); service 0.50. Total 130.67 + 5 + 2.91 + 2.27 + 0.50 = 141.35.
    cost = landed_cost(
        us_profile(), Money("100.00", "USD"), shipping="10.00", insurance=0, region="US-CA"
    )
    check(cost, "141.35", duty="10.00", charges="2.69", tax="7.98", payment_fee="2.91")
    assert cost.line("tax").label == "sales tax (US-CA)"
    assert cost.line("tax").stage == "checkout"


def test_us_local_rate_is_a_user_override() -> None:
    # California 7.25% + a local 2.5% = 9.75% x 110.00 = 10.725 -> 10.72 (half-even).
    p = us_profile().with_overrides(
        {"regions": {"US-CA": {"components": {"state": "0.0725", "local": "0.025"}}}}
    )
    region = p.region_tax("US-CA")
    assert region.provenance.evidence == "user"
    assert region.rate == Decimal("0.0975")
    cost = landed_cost(p, Money("100.00", "USD"), shipping="10.00", insurance=0, region="US-CA")
    assert cost.amount("tax") == Money("10.72", "USD")


def test_us_without_region_has_no_sales_tax() -> None:
    cost = landed_cost(us_profile(), Money("100.00", "USD"), shipping="10.00", insurance=0)
    assert cost.amount("tax") == Money("0.00", "USD")


@pytest.mark.parametrize(
    ("goods", "mpf"),
    [
        ("2500.00", "2.69"),  # informal entry up to USD 2,500: the fixed fee
        ("2500.01", "33.58"),  # formal: 0.3464% x 2,500.01 = 8.66 -> the minimum 33.58
        ("5000.00", "33.58"),  # 0.3464% x 5,000 = 17.32 -> 33.58
        ("20000.00", "69.28"),  # 0.3464% x 20,000 = 69.28, between the bounds
        ("200000.00", "651.50"),  # 0.3464% x 200,000 = 692.80 -> the maximum 651.50
    ],
)
def test_us_merchandise_processing_fee(goods: str, mpf: str) -> None:
    cost = landed_cost(us_profile(), Money(goods, "USD"), shipping="50.00", insurance=0)
    assert cost.amount("charges") == Money(mpf, "USD")
    assert len(_only(cost, "charges")) == 1


def test_us_formal_entry_hand_worked() -> None:
    # USD 5,000.00 + 50.00 transport, FOB: duty 10% x 5,000 = 500.00; formal entry (above
    # USD 2,500): MPF 0.3464% x 5,000 = 17.32 < minimum -> 33.58 (FY2026). Checkout
    # 5,000 + 50 + 500 + 33.58 = 5,583.58; DDP surcharge 5.00; payment 2% x 5,583.58 + 0.30
    # = 111.9716 -> 111.97; returns 10% x (10 + 500 + 33.58) = 54.358 -> 54.36; service
    # 0.50. Total 5,583.58 + 5 + 111.97 + 54.36 + 0.50 = 5,755.41.
    cost = landed_cost(us_profile(), Money("5000.00", "USD"), shipping="50.00", insurance=0)
    check(cost, "5755.41", duty="500.00", charges="33.58", payment_fee="111.97", returns="54.36")
    rule = cost.line("charges").rule
    assert "0.3464% x customs value 5000.00, min 33.58, max 651.50" in rule


def test_us_formal_entry_at_the_maximum_hand_worked() -> None:
    # USD 200,000.00 + 50.00: duty 20,000.00; MPF 0.3464% x 200,000 = 692.80 > maximum
    # -> 651.50. Checkout 200,000 + 50 + 20,000 + 651.50 = 220,701.50; DDP 5.00; payment
    # 2% x 220,701.50 + 0.30 = 4,414.33; returns 10% x (10 + 20,000 + 651.50) = 2,066.15;
    # service 0.50. Total 220,701.50 + 5 + 4,414.33 + 2,066.15 + 0.50 = 227,187.48.
    cost = landed_cost(us_profile(), Money("200000.00", "USD"), shipping="50.00", insurance=0)
    check(cost, "227187.48", charges="651.50", payment_fee="4414.33", returns="2066.15")


def test_us_mpf_dates() -> None:
    # Before FY2026 (1 Oct 2025) the data has no MPF; from FY2027 the FY2026 amounts carry
    # over with evidence "?".
    early = profile("US", "2025-09-01", duty={"default_rate": "0.10"})
    cost = landed_cost(early, Money("100.00", "USD"), shipping="10.00", insurance=0)
    assert not _only(cost, "charges")
    late = market_profile("US", as_of="2026-12-01")
    assert {f.provenance.evidence for f in late.import_fees} == {"?"}


# --- Australia: import processing charge ------------------------------------------------------


def test_australia_import_processing_charge_hand_worked() -> None:
    # AU, duty 5%: AUD 12,000.00 + 100.00. Duty 5% x 12,000 (FOB) = 600.00; GST 10% x
    # (12,000 + 100 + 600) = 1,270.00; declaration lodged electronically, value AUD 10,000
    # or more: import processing charge 152.00 (outside the GST base). Checkout
    # 12,000 + 100 + 600 + 152 + 1,270 = 14,122.00; DDP 5.00; payment 2% x 14,122 + 0.30
    # = 282.74; returns 10% x (10 + 600 + 152 + 1,270) = 203.20; service 0.50.
    # Total 14,122 + 5 + 282.74 + 203.20 + 0.50 = 14,613.44.
    p = profile("AU", "2026-03-01", duty={"default_rate": "0.05"})
    cost = landed_cost(p, Money("12000.00", "AUD"), shipping="100.00", insurance=0)
    check(cost, "14613.44", duty="600.00", charges="152.00", tax="1270.00", returns="203.20")


@pytest.mark.parametrize(
    ("goods", "ipc"),
    [("1000.00", None), ("1000.01", "50.00"), ("9999.99", "50.00"), ("10000.00", "152.00")],
)
def test_australia_import_processing_charge_tiers(goods: str, ipc: str | None) -> None:
    # <= AUD 1,000: low-value goods (GST at sale), no declaration, no charge; above it up to
    # below AUD 10,000: 50.00; AUD 10,000 or more: 152.00.
    p = profile("AU", "2026-03-01")
    charges = _only(landed_cost(p, Money(goods, "AUD"), shipping="20.00", insurance=0), "charges")
    assert [str(line.amount.amount) for line in charges] == ([] if ipc is None else [ipc])


# --- New Zealand: entry fee and biosecurity levy above NZD 1,000 -------------------------------


def test_new_zealand_entry_fees_above_1000_hand_worked() -> None:
    # NZ, 1 Mar 2026, duty 5%: NZD 1,500.00 + 50.00; item above NZD 1,000, so GST is
    # collected at the border. Duty 5% x 1,500 (FOB) = 75.00; GST 15% x (1,500 + 50 + 75)
    # = 243.75. Import entry: Import Entry Transaction Fee 53.44 + Biosecurity System Entry
    # Levy 46.40 = 99.84. Checkout 1,500 + 50 + 75 + 99.84 + 243.75 = 1,968.59; DDP 5.00;
    # payment 2% x 1,968.59 + 0.30 = 39.6718 -> 39.67; returns 10% x (10 + 75 + 99.84
    # + 243.75) = 42.859 -> 42.86; service 0.50. Total 1,968.59 + 5 + 39.67 + 42.86 + 0.50
    # = 2,056.62.
    p = profile("NZ", "2026-03-01", duty={"default_rate": "0.05"})
    cost = landed_cost(p, Money("1500.00", "NZD"), shipping="50.00", insurance=0)
    check(cost, "2056.62", duty="75.00", charges="99.84", tax="243.75", returns="42.86")
    assert [line.label for line in _only(cost, "charges")] == [
        "Import Entry Transaction Fee",
        "Biosecurity System Entry Levy",
    ]


def test_new_zealand_no_fees_within_1000() -> None:
    p = profile("NZ", "2026-03-01")
    cost = landed_cost(p, Money("1000.00", "NZD"), shipping="50.00", insurance=0)
    assert not _only(cost, "charges")


def test_new_zealand_fees_end_with_the_april_2026_levies() -> None:
    # From 1 Apr 2026 the fees are replaced by levies whose amounts are not in the data.
    assert market_profile("NZ", as_of="2026-04-01").import_fees == ()
    assert len(market_profile("NZ", as_of="2025-06-30").import_fees) == 2


# --- Errors, overrides and the batch kernel ----------------------------------------------------


def test_unknown_region_lists_the_valid_ones_and_close_matches() -> None:
    with pytest.raises(UnknownCodeError, match=r"region='CA-ONT'.*'CA-AB'.*Did you mean 'CA-ON'"):
        ca_order("CA-ONT")


def test_region_in_a_market_without_a_table() -> None:
    with pytest.raises(InvalidInputError, match="has no regional tax table"):
        landed_cost(market_profile("DE", as_of="2026-03-01"), 100, region="DE-BY")


def test_regional_tax_validation() -> None:
    with pytest.raises(InvalidInputError, match="ISO 3166-2"):
        RegionalTax("Ontario", "Ontario", {"HST": "0.13"})
    with pytest.raises(InvalidInputError, match="at least one tax"):
        RegionalTax("CA-ON", "Ontario", {})
    with pytest.raises(InvalidInputError, match="must lie in"):
        RegionalTax("CA-ON", "Ontario", {"HST": 13})


def test_import_fee_validation() -> None:
    with pytest.raises(InvalidInputError, match="maximum"):
        ImportFee("MPF", 0, "USD", rate="0.003464", minimum=10, maximum=5)
    with pytest.raises(InvalidInputError, match="per consignment"):
        ImportFee("x", 0, "USD", rate="0.01", per="category")


def test_regions_are_dated_and_sourced() -> None:
    for code in ("CA", "BR", "US"):
        for region in market_profile(code, as_of="2026-03-01").regions:
            p = region.provenance
            assert p.source
            assert p.verified_on is not None
            assert p.evidence in ("P", "S", "K", "?")


def test_batch_agrees_with_exact_for_regions() -> None:
    p = profile("CA", "2026-03-01")
    batch = landed_cost_batch(p, [200.0, 50.0], shipping=20.0, origin="CN", region="CA-QC")
    for i, goods in enumerate(("200.00", "50.00")):
        exact = landed_cost(p, goods, shipping="20.00", origin="CN", region="CA-QC")
        assert batch["tax"][i] == float(exact.amount("tax").amount)
        assert batch["total"][i] == pytest.approx(float(exact.total.amount), abs=0.011)


def test_batch_charges_floor_fees_and_the_mpf_minimum() -> None:
    au = profile("AU", "2026-03-01")
    goods = [1000.0, 1000.01, 9999.99, 10000.0]
    batch = landed_cost_batch(au, goods, shipping=20.0, insurance=0.0)
    assert batch["charges"].tolist() == [0.0, 50.0, 50.0, 152.0]
    us = us_profile()
    batch = landed_cost_batch(us, [2500.0, 2500.01, 9000.0], shipping=50.0, insurance=0.0)
    assert batch["charges"].tolist() == [2.69, 33.58, 33.58]


def test_batch_refuses_an_mpf_above_its_minimum() -> None:
    with pytest.raises(InvalidInputError, match=r"goods\[1\].*ad valorem fee"):
        landed_cost_batch(us_profile(), np.array([100.0, 20000.0]), shipping=50.0)
