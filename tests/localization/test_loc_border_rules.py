"""Hand-worked border rules: New Zealand's NZD 1,000 threshold, Canada by transport mode and place
of direct shipment, goods excluded from low-value regimes, and the disputed readings (India,
Switzerland, Japan 2028).

Commercial values are the round ``SIMPLE`` ones of ``test_loc_hand_worked``:

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
from ecomstrat.exceptions import InvalidInputError, UnknownCodeError
from ecomstrat.localization import (
    MarketDataWarning,
    MarketProfile,
    OrderLine,
    Threshold,
    TransportMode,
    landed_cost,
    landed_cost_batch,
    market_profile,
)
from tests.localization.hand_worked_terms import check, profile

# --- New Zealand: nothing collected at the border on NZD 1,000 or less -----------------------


def unregistered_nz(day: str = "2026-12-01", **extra: Any) -> MarketProfile:
    return profile("NZ", day, collection={"registered": False}, **extra)


def test_new_zealand_unregistered_seller_pays_nothing_at_the_border() -> None:
    # NZD 500.00 goods + 20.00 transport, DAP, seller not registered for NZ GST.
    # Customs value (FOB) 500.00 <= NZD 1,000: reg. 70 (LI 2019/250) -> duty 0.00, GST 0.00;
    # nothing advanced, so no clearance fee.
    # Checkout 500.00 + 20.00 = 520.00; payment 2% x 520.00 + 0.30 = 10.70;
    # returns 10% x 10.00 = 1.00; service 0.50. Total 520.00 + 10.70 + 1.00 + 0.50 = 532.20.
    cost = landed_cost(
        unregistered_nz(), Money("500.00", "NZD"), shipping="20.00", insurance=0, presentation="DAP"
    )
    check(cost, "532.20", duty="0.00", tax="0.00", brokerage="0.00", payment_fee="10.70")
    assert cost.on_delivery.is_zero()
    assert "de minimis: customs value <= 1000 NZD per consignment" in cost.line("tax").rule
    assert "LI 2019/250" in cost.line("tax").rule


def test_new_zealand_without_the_threshold_is_the_audited_620_20() -> None:
    # The rule is overridable: without it GST is collected at the border, as before the fix.
    # GST 15% x (500.00 + 20.00 transport) = 78.00; clearance fee 10.00.
    # Total 532.20 + 78.00 + 10.00 = 620.20.
    p = unregistered_nz(tax_de_minimis=[])
    cost = landed_cost(p, Money("500.00", "NZD"), shipping="20.00", insurance=0, presentation="DAP")
    check(cost, "620.20", tax="78.00", brokerage="10.00")


def test_new_zealand_above_nzd_1000_pays_duty_gst_and_the_clearance_fee() -> None:
    # NZD 1,200.00 + 20.00 transport, DAP: customs value 1,200.00 > NZD 1,000.
    # Duty 5% x 1,200.00 = 60.00; GST 15% x (1,200.00 + 20.00 + 60.00) = 192.00;
    # clearance fee 10.00. Checkout 1,220.00; payment 2% x 1,220.00 + 0.30 = 24.70;
    # returns 10% x 10.00 = 1.00 (DAP duty and GST are the buyer's); service 0.50.
    # Total 1,220.00 + 60.00 + 192.00 + 10.00 + 24.70 + 1.00 + 0.50 = 1,508.20.
    cost = landed_cost(
        unregistered_nz(), Money("1200.00", "NZD"), shipping="20.00", presentation="DAP"
    )
    check(cost, "1508.20", duty="60.00", tax="192.00", brokerage="10.00", payment_fee="24.70")


def test_new_zealand_alcohol_leaves_the_threshold_with_a_reason() -> None:
    # NZD 500.00 of alcohol + 20.00 transport, DAP: excluded from reg. 70.
    # Duty 5% x 500.00 = 25.00; GST 15% x (500.00 + 20.00 + 25.00) = 81.75; fee 10.00.
    # Total 532.20 + 25.00 + 81.75 + 10.00 = 648.95.
    cost = landed_cost(
        unregistered_nz(),
        Money("500.00", "NZD"),
        category="alcohol",
        shipping="20.00",
        insurance=0,
        presentation="DAP",
    )
    check(cost, "648.95", duty="25.00", tax="81.75", brokerage="10.00")
    for kind in ("duty", "tax"):
        assert "order[0] (alcohol) leaves the low-value regime" in cost.line(kind).rule


def test_new_zealand_threshold_starts_on_1_december_2019() -> None:
    p = market_profile("NZ", as_of="2026-03-01")
    rule = p.tax_threshold()
    assert rule is not None
    assert (rule.amount, rule.currency, rule.basis, rule.inclusive) == (
        Decimal(1000),
        "NZD",
        "customs_value",
        True,
    )
    assert str(rule.provenance.effective_from) == "2019-12-01"
    assert rule.provenance.url.startswith("https://www.legislation.govt.nz/")
    assert rule.excluded_categories == ("alcohol", "tobacco")


# --- Canada: CUSMA thresholds by transport mode and place of direct shipment ----------------


def canada() -> MarketProfile:
    return profile("CA", "2026-03-01", duty={"default_rate": "0.06"})


def test_canada_courier_from_the_us_cad_150_duty_cad_40_tax() -> None:
    # CAD 100.00 + 15.00 transport by courier, shipped from the US (goods made in China):
    # value for duty (FOB) 100.00 <= CAD 150 -> duty 0.00; > CAD 40 -> GST 5% x 100.00 = 5.00.
    # DDP: checkout 100.00 + 15.00 + 5.00 = 120.00; DDP surcharge 5.00;
    # payment 2% x 120.00 + 0.30 = 2.70; returns 10% x (10.00 + GST 5.00) = 1.50; service 0.50.
    # Total 120.00 + 5.00 + 2.70 + 1.50 + 0.50 = 129.70.
    cost = landed_cost(
        canada(),
        Money("100.00", "CAD"),
        shipping="15.00",
        insurance=0,
        origin="CN",
        ships_from="US",
        mode="courier",
    )
    check(cost, "129.70", duty="0.00", tax="5.00", ddp_surcharge="5.00", returns="1.50")
    assert "CAD 150" in cost.line("duty").rule


def test_canada_post_from_the_us_gets_cad_20() -> None:
    # Same parcel by post from the US: CAD 100.00 > CAD 20 -> duty 6% x 100.00 = 6.00;
    # GST 5% x (100.00 + 6.00) = 5.30. Checkout 126.30; DDP surcharge 5.00;
    # payment 2% x 126.30 + 0.30 = 2.826 -> 2.83; returns 10% x (10.00 + 6.00 + 5.30) = 2.13;
    # service 0.50. Total 126.30 + 5.00 + 2.83 + 2.13 + 0.50 = 136.76.
    cost = landed_cost(
        canada(), Money("100.00", "CAD"), shipping="15.00", insurance=0, origin="US", mode="post"
    )
    check(cost, "136.76", duty="6.00", tax="5.30", payment_fee="2.83", returns="2.13")


def test_canada_courier_from_china_gets_cad_20() -> None:
    # By courier from China: CAD 20 -> the same duty 6.00 and GST 5.30, total 136.76.
    cost = landed_cost(
        canada(), Money("100.00", "CAD"), shipping="15.00", insurance=0, ships_from="CN"
    )
    check(cost, "136.76", duty="6.00", tax="5.30")


@pytest.mark.parametrize(
    ("mode", "ships_from", "origin", "duty", "gst"),
    [
        # CAD 35.00: within CAD 40 by courier from the US or Mexico -> free of duty and tax.
        ("courier", "US", None, "0.00", "0.00"),
        ("courier", "MX", "CN", "0.00", "0.00"),
        # By post, or shipped from elsewhere: > CAD 20 -> duty 6% x 35.00 = 2.10;
        # GST 5% x 37.10 = 1.855 -> 1.86 (half-even).
        ("post", "US", None, "2.10", "1.86"),
        ("post", "MX", None, "2.10", "1.86"),
        # US-made goods shipped from Japan: the place of shipment decides, not the origin.
        ("courier", "JP", "US", "2.10", "1.86"),
        # No ships_from: shipped from the origin.
        ("courier", None, "US", "0.00", "0.00"),
    ],
)
def test_canada_low_value_by_mode_and_place_of_shipment(
    mode: Any, ships_from: str | None, origin: str | None, duty: str, gst: str
) -> None:
    cost = landed_cost(
        canada(),
        Money("35.00", "CAD"),
        shipping="10.00",
        insurance=0,
        origin=origin,
        ships_from=ships_from,
        mode=mode,
    )
    assert (cost.amount("duty"), cost.amount("tax")) == (Money(duty, "CAD"), Money(gst, "CAD"))


def test_canada_alcohol_is_outside_the_remission_orders() -> None:
    # CAD 35.00 of alcohol by courier from the US: excepted -> duty 2.10, GST 1.86.
    cost = landed_cost(
        canada(), Money("35.00", "CAD"), category="alcohol", shipping="10.00", ships_from="US"
    )
    assert (cost.amount("duty"), cost.amount("tax")) == (Money("2.10", "CAD"), Money("1.86", "CAD"))
    assert "(alcohol) leaves the low-value regime" in cost.line("tax").rule


def test_canada_batch_takes_mode_and_place_of_shipment() -> None:
    p = canada()
    goods = [35.0, 100.0, 200.0]
    cases: list[tuple[TransportMode, str]] = [("courier", "US"), ("post", "US"), ("courier", "CN")]
    for mode, ships_from in cases:
        batch = landed_cost_batch(
            p, goods, shipping=10.0, insurance=0.0, mode=mode, ships_from=ships_from
        )
        for i, value in enumerate(goods):
            exact = landed_cost(
                p,
                Decimal(str(value)),
                shipping="10.00",
                insurance=0,
                mode=mode,
                ships_from=ships_from,
            )
            for kind in ("duty", "tax", "total"):
                want = exact.total if kind == "total" else exact.amount(kind)
                assert batch[kind][i] == pytest.approx(float(want.amount), abs=0.011)
    # Courier from the US, CAD 100: duty 0, GST 5.00; by post: duty 6.00, GST 5.30.
    courier = landed_cost_batch(p, [100.0], shipping=10.0, insurance=0.0, ships_from="US")
    post = landed_cost_batch(p, [100.0], shipping=10.0, insurance=0.0, mode="post", origin="US")
    assert (courier["duty"][0], courier["tax"][0]) == (0.0, 5.0)
    assert (post["duty"][0], post["tax"][0]) == (6.0, 5.3)


def test_mode_and_place_of_shipment_are_checked() -> None:
    with pytest.raises(InvalidInputError, match="mode"):
        landed_cost(canada(), 100, mode="ship")  # type: ignore[arg-type]
    with pytest.raises(UnknownCodeError, match="ships_from"):
        landed_cost(canada(), 100, ships_from="XX")
    with pytest.raises(InvalidInputError, match="mode"):
        landed_cost_batch(canada(), [100.0], mode="air")  # type: ignore[arg-type]


# --- Threshold: modes, places of shipment, excluded categories --------------------------------


def test_threshold_keys_on_mode_and_place_of_shipment() -> None:
    t = Threshold("150", "CAD", "customs_value", ships_from=["MX", "US"], modes=["courier"])
    assert t.applies_to(None, mode="courier", ships_from="US")
    assert t.applies_to("US")  # shipped from the origin, any mode
    assert not t.applies_to("US", mode="post")
    assert not t.applies_to("US", ships_from="CN")
    assert not t.applies_to(None)
    with pytest.raises(InvalidInputError, match="modes"):
        Threshold("150", "CAD", "customs_value", modes=["air"])
    with pytest.raises(InvalidInputError, match="excluded_categories"):
        Threshold("5", "CHF", "tax_amount", excluded_categories=["food"])
    assert Threshold("1", "EUR", "intrinsic", excluded_categories="food").excludes("food")


def test_exclusions_are_overridable() -> None:
    # A user rule: CAD 20 by post, tobacco excluded only; alcohol stays within it.
    # CAD 15.00 of alcohol by post: 15.00 <= CAD 20 -> duty and tax 0.00.
    rule = {
        "amount": 20,
        "currency": "CAD",
        "basis": "customs_value",
        "modes": ["post"],
        "excluded_categories": ["tobacco"],
    }
    p = canada().with_overrides({"duty_de_minimis": [rule], "tax_de_minimis": [rule]})
    threshold = p.duty_de_minimis[0]
    assert threshold.provenance.evidence == "user"
    free = landed_cost(p, Money("15.00", "CAD"), category="alcohol", shipping=0, mode="post")
    assert (free.amount("duty"), free.amount("tax")) == (Money.zero("CAD"), Money.zero("CAD"))
    # Tobacco: duty 6% x 15.00 = 0.90; GST 5% x 15.90 = 0.795 -> 0.80 (half-even).
    due = landed_cost(p, Money("15.00", "CAD"), category="tobacco", shipping=0, mode="post")
    assert (due.amount("duty"), due.amount("tax")) == (Money("0.90", "CAD"), Money("0.80", "CAD"))


# --- Norway: the NOK 350 limit (to 2024) and the VOEC exclude food, excise, restricted goods --


def test_norway_nok_350_excluded_food_in_a_mixed_consignment() -> None:
    # NO, 1 Jun 2023, seller not VOEC-registered; toys NOK 150 + food NOK 100, transport 50
    # split by value: 30 / 20. CIF value 150 + 100 + 50 = 300 < NOK 350.
    # Toys: within the limit -> no VAT. Food: excluded -> VAT 15% x (100 + 20) = 18.00.
    # DAP: checkout 250 + 50 = 300.00; clearance fee 10.00; payment 2% x 300.00 + 0.30 = 6.30;
    # returns 10% x 10.00 = 1.00; service 0.50. Total 300 + 18 + 10 + 6.30 + 1 + 0.50 = 335.80.
    p = profile("NO", "2023-06-01", collection={"registered": False})
    lines = [
        OrderLine(Money("150", "NOK"), category="toys"),
        OrderLine(Money("100", "NOK"), category="food"),
    ]
    cost = landed_cost(p, lines, shipping="50.00", insurance=0, presentation="DAP")
    check(cost, "335.80", duty="0.00", tax="18.00", brokerage="10.00", payment_fee="6.30")
    assert "order[1] (food) leaves the low-value regime" in cost.line("tax").rule
    assert "order[0]" not in cost.line("tax").rule


def test_norway_nok_350_limit_ended_in_2024() -> None:
    # Same order on 1 Mar 2024 (limit abolished): toys VAT 25% x (150 + 30) = 45.00,
    # food 15% x 120 = 18.00: 63.00.
    p = profile("NO", "2024-03-01", collection={"registered": False})
    lines = [
        OrderLine(Money("150", "NOK"), category="toys"),
        OrderLine(Money("100", "NOK"), category="food"),
    ]
    cost = landed_cost(p, lines, shipping="50.00", insurance=0, presentation="DAP")
    assert cost.amount("tax") == Money("63.00", "NOK")


def test_norway_nok_350_covers_duty_too() -> None:
    # 2023, toys NOK 200 + 50 transport = 250 < 350, with a 10% duty: no duty, no VAT.
    # Food at the same value: duty 10% x 250 = 25.00; VAT 15% x (250 + 25) = 41.25.
    p = profile("NO", "2023-06-01", collection={"registered": False}, duty={"default_rate": "0.10"})
    toys = landed_cost(p, Money("200", "NOK"), category="toys", shipping="50.00")
    assert (toys.amount("duty"), toys.amount("tax")) == (Money.zero("NOK"), Money.zero("NOK"))
    food = landed_cost(p, Money("200", "NOK"), category="food", shipping="50.00")
    assert (food.amount("duty"), food.amount("tax")) == (
        Money("25.00", "NOK"),
        Money("41.25", "NOK"),
    )
    assert "(food) leaves the low-value regime" in food.line("duty").rule


def test_norway_voec_excludes_food() -> None:
    # 1 Mar 2026, VOEC-registered seller: toys NOK 200 + food NOK 200, transport 40 (20 / 20).
    # Toys under VOEC: VAT 25% x (200 + 20) = 55.00 at checkout. Food leaves the VOEC: border
    # VAT 15% x (200 + 20) = 33.00 (no duty at the default 0%).
    p = profile("NO", "2026-03-01")
    lines = [
        OrderLine(Money("200", "NOK"), category="toys"),
        OrderLine(Money("200", "NOK"), category="food"),
    ]
    cost = landed_cost(p, lines, shipping="40.00", insurance=0)
    taxes = [(line.label, line.amount) for line in cost.lines if line.kind == "tax"]
    assert taxes == [("VAT (VOEC)", Money("55.00", "NOK")), ("VAT", Money("33.00", "NOK"))]
    border = [line for line in cost.lines if line.kind == "tax"][-1]
    assert "order[1] (food) leaves the low-value regime: the VOEC ceiling" in border.rule


def test_batch_drops_a_rule_that_excludes_the_category() -> None:
    # NZ, unregistered: NZD 500 of alcohol + 20 transport, DDP: duty 25.00, GST 81.75 (as the
    # exact calculation); other goods: nothing at the border.
    p = unregistered_nz()
    alcohol = landed_cost_batch(p, [500.0], shipping=20.0, insurance=0.0, category="alcohol")
    other = landed_cost_batch(p, [500.0], shipping=20.0, insurance=0.0, category="toys")
    assert (alcohol["duty"][0], alcohol["tax"][0]) == (25.0, 81.75)
    assert (other["duty"][0], other["tax"][0]) == (0.0, 0.0)
    exact = landed_cost(p, Decimal(500), category="alcohol", shipping="20.00", insurance=0)
    assert alcohol["total"][0] == pytest.approx(float(exact.total.amount), abs=0.011)
    # NO VOEC: food leaves the scheme in the batch as in the exact calculation.
    no = profile("NO", "2026-03-01")
    food = landed_cost_batch(no, [200.0], shipping=20.0, insurance=0.0, category="food")
    exact_food = landed_cost(no, Decimal(200), category="food", shipping="20.00", insurance=0)
    assert food["tax"][0] == float(exact_food.amount("tax").amount) == 33.0


# --- Disputed or scheduled readings -----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "block", "words"),
    [
        ("IN", "duty_de_minimis", "total duty"),
        ("CH", "duty_de_minimis", "less than CHF 5"),
        ("CH", "tax_de_minimis", "CHF 5 or less"),
    ],
)
def test_disputed_entries_are_marked(code: str, block: str, words: str) -> None:
    rules = getattr(market_profile(code, as_of="2026-03-01"), block)
    rule = rules[0]
    assert rule.provenance.evidence == "?"
    assert "disputed" in rule.provenance.note
    assert words in rule.provenance.note


def test_switzerland_vat_of_exactly_chf_5_follows_the_data_reading() -> None:
    # 8.1% x 61.73 = 5.00013 -> 5.00: waived under the ordinance's "CHF 5 or less" (the data);
    # due under the official pages' "less than CHF 5" (override inclusive = false).
    args: dict[str, Any] = {"shipping": "6.00", "insurance": 0, "presentation": "DAP"}
    ch = profile("CH", "2026-03-01")
    assert landed_cost(ch, Money("55.73", "CHF"), **args).amount("tax").is_zero()
    rule = ch.tax_de_minimis[0]
    strict = ch.with_overrides(
        {
            "tax_de_minimis": [
                {"amount": 5, "currency": "CHF", "basis": "tax_amount", "inclusive": False}
            ]
        }
    )
    assert rule.inclusive
    assert landed_cost(strict, Money("55.73", "CHF"), **args).amount("tax") == Money("5.00", "CHF")


def test_japan_2028_entries_are_disputed() -> None:
    p = market_profile("JP", as_of="2028-04-01")
    assert p.tax_de_minimis == ()
    assert p.valuation.goods_factor == Decimal("0.6")
    assert p.valuation.provenance.evidence == "?"
    assert p.duty_de_minimis[0].provenance.evidence == "?"
    assert "disputed" in p.duty_de_minimis[0].provenance.note


def test_japan_warns_on_and_after_1_april_2028() -> None:
    # JPY 14,000 + 1,500 transport on 1 Apr 2028: 60% x 14,000 + 1,500 = 9,900 <= JPY 10,000:
    # duty still exempt (the data's reading); consumption tax 10% x 9,900 = 990 (exemption
    # abolished). The reading of the duty and valuation rules is disputed: warn.
    p = profile("JP", "2028-04-01", duty={"default_rate": "0.05"})
    with pytest.warns(MarketDataWarning, match="disputed.*2028-04-01|2028-04-01.*disputed"):
        cost = landed_cost(p, Money("14000", "JPY"), shipping="1500", insurance=0)
    assert (cost.amount("duty"), cost.amount("tax")) == (Money("0", "JPY"), Money("990", "JPY"))
    with pytest.warns(MarketDataWarning, match="60% personal-use valuation"):
        landed_cost_batch(p, [14000.0], shipping=1500.0, insurance=0.0)


def test_japan_before_april_2028_does_not_warn() -> None:
    p = profile("JP", "2028-03-31")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost = landed_cost(p, Money("14000", "JPY"), shipping="1500", insurance=0)
    assert cost.amount("tax").is_zero()


def test_japan_profile_of_2026_costed_in_2028_warns_twice() -> None:
    # The stale-profile warning (past valid_until) and the disputed-change warning.
    p = profile("JP", "2026-03-01")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        landed_cost(p, Money("14000", "JPY"), shipping="1500", as_of="2028-06-01")
    texts = [str(w.message) for w in caught if issubclass(w.category, MarketDataWarning)]
    assert len(texts) == 2
    assert any("disputed sources" in text for text in texts)
    assert all(w.filename == __file__ for w in caught)
