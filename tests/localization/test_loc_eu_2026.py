"""EU from 1 July 2026: duty in the IOSS VAT base, the EUR 3 duty's scope and edge, France's TPC.

Hand-worked cases (issue 15). As in ``test_loc_hand_worked.py`` the illustrative commercial
defaults are replaced by round numbers (``SIMPLE``):

* payment: one method, 2 % + 0.30 of the checkout amount;
* carrier: DAP clearance fee 10.00 (paid by the buyer), DDP surcharge 5.00 (merchant);
* returns: 10 % of orders, return freight 10.00, duty and tax not recoverable;
* service: 0.1 contact x 5.00 = 0.50; no FX conversion fee.

Amounts are rounded half-even to the cent, line by line. Rules:

* VAT Directive art. 78(a): the taxable amount of a supply includes taxes, duties, levies and
  charges, so duty (and other buyer-borne charges) the seller charges at checkout is in the
  IOSS VAT base; the Commission's June 2026 guide works "VAT on duty: EUR 6.00 x 20% = 1.20".
* EUR 3 per distinct tariff subheading in consignments <= EUR 150 (default; the Council's
  press release said "less than EUR 150") from 2026-07-01, every consignment (default scope
  "all"; "scheme" = IOSS only, the Council's reading).
* France's taxe sur les petits colis: EUR 2 per item category, consignments < EUR 150, owed by
  the seller (not in the buyer's price, so not in the VAT base).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from ecomstrat.domain.money import Money
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.localization import (
    MarketProfile,
    OrderLine,
    landed_cost,
    landed_cost_batch,
    market_profile,
)
from ecomstrat.localization.landed_cost import Presentation
from ecomstrat.localization.rules import FlatDuty
from tests.localization import hand_worked_terms as terms
from tests.localization.hand_worked_terms import check

JULY = "2026-08-01"
EXCLUSIVE_150 = {
    "amount": 150,
    "currency": "EUR",
    "basis": "intrinsic",
    "per": "consignment",
    "inclusive": False,
}


def profile(code: str, day: str = JULY, **extra: Any) -> MarketProfile:
    return terms.profile(code, day, **extra)


def two_headings() -> list[OrderLine]:
    return [
        OrderLine(Money("60.00", "EUR"), category="61"),
        OrderLine(Money("40.00", "EUR"), category="64"),
    ]


# --- Duty in the IOSS VAT base (art. 78(a)) ---------------------------------------------------


def test_de_two_headings_ioss_vat_includes_the_flat_duty() -> None:
    # DE (VAT 19%), 1 Aug 2026, IOSS, DDP: lines 60.00 (HS 61) + 40.00 (HS 64), transport
    # 10.00, no insurance; intrinsic 100.00 <= EUR 150.
    # Duty: EUR 3 x 2 distinct tariff headings = 6.00, charged at checkout (DDP).
    # IOSS VAT on the whole consideration: 19% x (100.00 + 10.00 + 6.00) = 19% x 116.00
    #   = 22.04 (not 19% x 110.00 = 20.90, which leaves the duty out).
    # Checkout 100 + 10 + 6 + 22.04 = 138.04. The carrier advances the duty: DDP surcharge 5.00.
    # Payment 2% x 138.04 + 0.30 = 3.0608 -> 3.06; returns 10% x (10 + duty 6) = 1.60 (IOSS
    # VAT is adjusted in the next return); service 0.50.
    # Total 138.04 + 5.00 + 3.06 + 1.60 + 0.50 = 148.20.
    cost = landed_cost(profile("DE"), two_headings(), shipping="10.00", insurance=0)
    check(
        cost,
        "148.20",
        duty="6.00",
        tax="22.04",
        ddp_surcharge="5.00",
        payment_fee="3.06",
        returns="1.60",
    )
    tax = cost.line("tax")
    assert tax.label == "VAT (IOSS)"
    assert tax.stage == "checkout"
    assert "duty and charges paid at checkout 6.00" in tax.rule
    assert "78(a)" in tax.rule
    assert "base 116.00 (price incl. transport 110.00" in tax.rule
    assert cost.checkout == Money("138.04", "EUR")


def test_fr_vat_on_duty_six_euros_times_twenty_percent_is_one_twenty() -> None:
    # FR (VAT 20%), 1 Aug 2026, IOSS, DDP: two T-shirts (one heading, 2 x 20.00) and a pair
    # of shoes 50.00 (a second heading); transport 10.00. Intrinsic 90.00.
    # Duty: 2 headings x EUR 3 = 6.00. VAT on duty: 6.00 x 20% = 1.20.
    # IOSS VAT: 20% x (90 + 10 + 6) = 21.20 = 20.00 (price incl. transport) + 1.20 (duty).
    # TPC (taxe sur les petits colis): 2 categories x 2.00 = 4.00, owed by the seller, not
    # charged to the buyer, so not in the VAT base.
    # Checkout 90 + 10 + 6 + 21.20 = 127.20; DDP surcharge 5.00; payment 2% x 127.20 + 0.30
    # = 2.844 -> 2.84; returns 10% x (10 + 6) = 1.60; service 0.50.
    # Total 127.20 + 4.00 + 5.00 + 2.84 + 1.60 + 0.50 = 141.14.
    lines = [
        OrderLine(Money("40.00", "EUR"), quantity=2, category="6109"),
        OrderLine(Money("50.00", "EUR"), category="6403"),
    ]
    cost = landed_cost(profile("FR"), lines, shipping="10.00", insurance=0)
    check(cost, "141.14", duty="6.00", tax="21.20", charges="4.00", payment_fee="2.84")
    # The same order with duty kept out of the base (the old reading): 20% x 100 = 20.00.
    without = landed_cost(
        profile("FR", tax={"base_includes_duty": False}), lines, shipping="10.00", insurance=0
    )
    assert without.amount("tax") == Money("20.00", "EUR")
    assert cost.amount("tax") - without.amount("tax") == Money("1.20", "EUR")


def test_ioss_and_border_paths_now_agree_on_the_vat_base() -> None:
    # Same DE order, seller not registered for IOSS (border path, DDP), default scope "all":
    # duty 6.00 (flat, every consignment <= EUR 150); import VAT (art. 86) 19% x (customs
    # value 110.00 + duty 6.00) = 22.04, the IOSS figure.
    # Checkout 100 + 10 + 6 + 22.04 = 138.04; DDP surcharge 5.00; payment 3.06; returns 10% x
    # (10 + 6 + 22.04) = 3.804 -> 3.80 (DDP: import VAT is not recovered); service 0.50.
    # Total 138.04 + 5.00 + 3.06 + 3.80 + 0.50 = 150.40.
    border = landed_cost(
        profile("DE", collection={"registered": False}),
        two_headings(),
        shipping="10.00",
        insurance=0,
    )
    check(border, "150.40", duty="6.00", tax="22.04", returns="3.80")
    ioss = landed_cost(profile("DE"), two_headings(), shipping="10.00", insurance=0)
    assert border.amount("tax") == ioss.amount("tax")


def test_ioss_dap_duty_paid_on_delivery_stays_out_of_the_checkout_vat() -> None:
    # DE, IOSS, DAP: the buyer pays the 6.00 duty to the carrier on delivery, not to the
    # seller, so it is not part of the seller's consideration: IOSS VAT 19% x 110 = 20.90.
    # On delivery 6.00 + clearance fee 10.00 = 16.00. Checkout 110 + 20.90 = 130.90;
    # payment 2% x 130.90 + 0.30 = 2.918 -> 2.92; returns 10% x 10 = 1.00; service 0.50.
    # Total 130.90 + 16.00 + 2.92 + 1.00 + 0.50 = 151.32.
    cost = landed_cost(
        profile("DE"), two_headings(), shipping="10.00", insurance=0, presentation="DAP"
    )
    check(cost, "151.32", duty="6.00", tax="20.90", brokerage="10.00", payment_fee="2.92")
    assert cost.on_delivery == Money("16.00", "EUR")
    assert "78(a)" not in cost.line("tax").rule


def test_before_july_2026_nothing_changes() -> None:
    # DE, 1 Mar 2026: the EUR 150 relief: duty 0.00, IOSS VAT 19% x 110 = 20.90 (as before).
    cost = landed_cost(profile("DE", "2026-03-01"), two_headings(), shipping="10.00", insurance=0)
    check(cost, "135.32", duty="0.00", tax="20.90")


# --- The EUR 3 duty: scope ---------------------------------------------------------------------


def test_flat_duty_rule_is_dated_sourced_and_flags_the_conflict() -> None:
    flat = market_profile("DE", as_of=JULY).flat_duty
    assert flat is not None
    assert flat.scope == "all"
    assert flat.ceiling.inclusive
    p = flat.provenance
    assert (str(p.effective_from), str(p.effective_to)) == ("2026-07-01", "2028-07-01")
    assert p.evidence == "?"
    assert p.url.startswith("https://")
    assert "less than EUR 150" in p.note
    assert "scheme" in p.note
    ceiling = {"amount": 150, "currency": "EUR", "basis": "intrinsic"}
    bad: Any = "ioss"
    with pytest.raises(InvalidInputError, match="scope"):
        FlatDuty(3, "EUR", ceiling, scope=bad)
    with pytest.raises(InvalidInputError, match="scope"):
        market_profile("DE", as_of=JULY, overrides={"flat_duty": {"scope": "ioss"}})


def test_scope_scheme_override_leaves_non_ioss_goods_at_the_tariff_rate() -> None:
    # Council reading (IOSS only), seller not registered: no flat duty; the EUR 150 relief has
    # ended, so the ad valorem rate applies: EU default 4% x customs value (CIF 100 + 10)
    # = 4.40. Border VAT 19% x (110.00 + 4.40) = 19% x 114.40 = 21.736 -> 21.74.
    p = profile("DE", flat_duty={"scope": "scheme"}, collection={"registered": False})
    cost = landed_cost(p, two_headings(), shipping="10.00", insurance=0)
    check(cost, str(cost.total.amount), duty="4.40", tax="21.74")
    assert "2026/382" not in cost.line("duty").rule
    assert cost.line("tax").label == "VAT"
    # Registered IOSS seller: the flat duty applies as under the default reading (6.00, 22.04).
    ioss = landed_cost(
        profile("DE", flat_duty={"scope": "scheme"}), two_headings(), shipping="10.00", insurance=0
    )
    check(ioss, "148.20", duty="6.00", tax="22.04")
    assert ioss.line("duty").rule.startswith("Reg. (EU) 2026/382")


def test_scope_all_charges_non_ioss_goods_the_flat_duty() -> None:
    # Default (Commission guide): not registered, still 2 x 3.00 = 6.00.
    cost = landed_cost(
        profile("DE", collection={"registered": False}),
        two_headings(),
        shipping="10.00",
        insurance=0,
    )
    assert cost.amount("duty") == Money("6.00", "EUR")
    assert "2026/382" in cost.line("duty").rule


# --- The EUR 3 duty: the EUR 150 edge -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "inclusive", "duty", "tax"),
    [
        # Default (<= 150): 150.00 is within: duty 3.00; IOSS VAT 19% x (150 + 3) = 29.07.
        ("150.00", True, "3.00", "29.07"),
        # 149.99: duty 3.00; VAT 19% x (149.99 + 3) = 19% x 152.99 = 29.0681 -> 29.07.
        ("149.99", True, "3.00", "29.07"),
        # "less than EUR 150": 150.00 is outside the flat duty but still within IOSS (<= 150):
        # ad valorem 4% x 150.00 = 6.00; IOSS VAT 19% x (150 + 6) = 29.64.
        ("150.00", False, "6.00", "29.64"),
        # 149.99 < 150: flat 3.00; VAT 29.07 as above.
        ("149.99", False, "3.00", "29.07"),
    ],
)
def test_flat_duty_edge_at_150(value: str, inclusive: bool, duty: str, tax: str) -> None:
    # DE, 1 Aug 2026, IOSS, DDP: one line of HS 61, no transport, no insurance.
    ceiling = {**EXCLUSIVE_150, "inclusive": inclusive}
    p = profile("DE", flat_duty={"ceiling": ceiling})
    cost = landed_cost(p, Money(value, "EUR"), shipping=0, insurance=0, category="61")
    check(cost, str(cost.total.amount), duty=duty, tax=tax)
    assert cost.line("tax").label == "VAT (IOSS)"
    sign = "<=" if inclusive else "<"
    assert f"intrinsic value {sign} 150" in cost.line("duty").rule or duty == "6.00"


# --- France: taxe sur les petits colis, strictly below EUR 150 ----------------------------------


@pytest.mark.parametrize(
    ("value", "fee"),
    [
        # 150.00 is not "inferieure a 150 euros": no TPC.
        ("150.00", "0.00"),
        # 149.99: 1 category x 2.00 = 2.00, borne by the merchant.
        ("149.99", "2.00"),
    ],
)
def test_fr_parcel_tax_ceiling_is_exclusive(value: str, fee: str) -> None:
    # FR, 1 Mar 2026 (before the EUR 3 duty): IOSS (<= 150) VAT 20% x 150.00 = 30.00 and
    # 20% x 149.99 = 29.998 -> 30.00; duty 0.00 (EUR 150 relief, <= 150).
    cost = landed_cost(
        profile("FR", "2026-03-01"), Money(value, "EUR"), shipping=0, insurance=0, category="61"
    )
    check(cost, str(cost.total.amount), duty="0.00", tax="30.00", charges=fee)
    fees = [line for line in cost.lines if line.kind == "charges"]
    assert all(line.stage == "merchant" for line in fees)


def test_fr_parcel_tax_rule_is_sourced_and_overridable() -> None:
    p = market_profile("FR", as_of="2026-03-01")
    (fee,) = p.import_fees
    assert fee.ceiling is not None
    assert not fee.ceiling.inclusive
    assert "150" in fee.provenance.note
    assert fee.provenance.url.startswith("https://")
    # Override to the inclusive reading: 150.00 now pays 2.00.
    wider = profile(
        "FR",
        "2026-03-01",
        import_fees=[
            {
                "name": fee.name,
                "amount": fee.amount,
                "currency": fee.currency,
                "per": fee.per,
                "payer": fee.payer,
                "ceiling": {**EXCLUSIVE_150, "inclusive": True},
                "rule": fee.rule,
            }
        ],
    )
    cost = landed_cost(wider, Money("150.00", "EUR"), shipping=0, insurance=0, category="61")
    assert cost.amount("charges") == Money("2.00", "EUR")


# --- The batch kernel agrees ------------------------------------------------------------------


def test_batch_puts_duty_in_the_ioss_base() -> None:
    # Single-line orders with 2 tariff headings (n_categories), 100.00 + 10.00 transport:
    # duty 6.00, IOSS VAT 22.04, total 148.20 as hand-worked above. DE at 150.00, 1 heading:
    # duty 3.00, VAT 29.07.
    p = profile("DE")
    batch = landed_cost_batch(
        p, [100.0, 150.0], shipping=[10.0, 0.0], insurance=0.0, n_categories=[2, 1]
    )
    assert batch["duty"].tolist() == [6.0, 3.0]
    assert batch["tax"].tolist() == [22.04, 29.07]
    assert batch["total"][0] == pytest.approx(148.20, abs=1e-9)


def test_batch_follows_scope_and_edges() -> None:
    # Scope "scheme", not registered: ad valorem 4% x 110 = 4.40; VAT 19% x 114.40 = 21.74.
    p = profile("DE", flat_duty={"scope": "scheme"}, collection={"registered": False})
    batch = landed_cost_batch(p, [100.0], shipping=10.0, insurance=0.0, n_categories=2)
    assert batch["duty"].tolist() == [4.4]
    assert batch["tax"].tolist() == [21.74]
    # Flat duty "less than EUR 150": 150.00 -> 4% x 150 = 6.00, VAT 29.64; 149.99 -> 3.00.
    q = profile("DE", flat_duty={"ceiling": EXCLUSIVE_150})
    edge = landed_cost_batch(q, [150.0, 149.99], shipping=0.0, insurance=0.0)
    assert edge["duty"].tolist() == [6.0, 3.0]
    assert edge["tax"].tolist() == [29.64, 29.07]
    # France's TPC: 150.00 none, 149.99 2.00 (merchant).
    fr = profile("FR", "2026-03-01")
    tpc = landed_cost_batch(fr, [150.0, 149.99], shipping=0.0, insurance=0.0)
    assert tpc["charges"].tolist() == [0.0, 2.0]


@pytest.mark.parametrize("presentation", ["DDP", "DAP"])
@pytest.mark.parametrize("scope", ["all", "scheme"])
@pytest.mark.parametrize("registered", [True, False])
def test_batch_agrees_with_exact_on_eu_july_orders(
    presentation: Presentation, scope: str, registered: bool
) -> None:
    p = profile("DE", flat_duty={"scope": scope}, collection={"registered": registered})
    goods = np.array([0.0, 12.34, 99.99, 149.99, 150.0, 150.01, 320.0])
    shipping = np.array([0.0, 4.99, 10.0, 7.5, 0.0, 3.0, 20.0])
    batch = landed_cost_batch(p, goods, shipping=shipping, insurance=0.0, presentation=presentation)
    for i in range(goods.shape[0]):
        exact = landed_cost(
            p,
            Money(Decimal(str(goods[i])), "EUR"),
            shipping=Decimal(str(shipping[i])),
            insurance=0,
            presentation=presentation,
        )
        for kind in ("duty", "tax", "charges", "ddp_surcharge", "brokerage", "payment_fee"):
            assert batch[kind][i] == pytest.approx(float(exact.amount(kind).amount), abs=1e-9)
        assert batch["total"][i] == pytest.approx(float(exact.total.amount), abs=1e-9)
