"""Hand-worked tests: duty-inclusive pricing, split shipments, limits, user tariffs (issue 15).

Every case pins what it relies on (shipping 0, insurance 0, the duty rate) so that the arithmetic
fits in a comment; only the buyer's lines (goods, shipping, duty, tax, charges) are asserted,
since the merchant's lines rest on illustrative commercial defaults. Amounts are rounded
half-even to the minor unit, line by line.
"""

from __future__ import annotations

import warnings
from decimal import Decimal
from pathlib import Path

import pytest

from ecomstrat.domain.money import Money
from ecomstrat.exceptions import EcomstratWarning, InvalidInputError, UnknownCodeError
from ecomstrat.localization import (
    Limit,
    LimitWarning,
    MarketProfile,
    OrderLine,
    Provenance,
    ShelfPrice,
    SplitLandedCost,
    TariffTable,
    check_limits,
    landed_cost,
    landed_cost_split,
    load_tariff,
    market_profile,
    price_for_shelf_price,
)

DAY = "2026-03-01"
NONE = {"shipping": 0, "insurance": 0}


def uk() -> MarketProfile:
    # UK: GBP 135 ceiling (intrinsic, inclusive) for both the seller-collected supply VAT and
    # the duty relief; duty pinned at 4 %, VAT 20 %.
    return market_profile("GB", as_of=DAY, overrides={"duty": {"default_rate": "0.04"}})


# ---------------------------------------------------------------------------------------------
# Duty-inclusive pricing.


def test_de_shelf_price_119_is_net_100() -> None:
    # DE, before July 2026, no shipping: 100.00 is within the EUR 150 IOSS ceiling and the
    # EUR 150 duty relief, so the buyer pays goods + 19 % VAT:
    # 100.00 + 19 % x 100.00 = 100.00 + 19.00 = 119.00.
    price = price_for_shelf_price(market_profile("DE", as_of=DAY), Money("119.00", "EUR"), **NONE)
    assert isinstance(price, ShelfPrice)
    assert price.exact
    assert price.net_price == Money("100.00", "EUR")
    assert price.cost is not None
    assert price.cost.amount("tax") == Money("19.00", "EUR")
    assert price.cost.amount("duty") == Money("0.00", "EUR")
    assert price.cost.buyer_total == Money("119.00", "EUR")
    assert price.reason == ""


def test_de_rounding_gap_returns_both_neighbours() -> None:
    # net 100.02: VAT 19 % x 100.02 = 19.0038 -> 19.00; total 119.02
    # net 100.03: VAT 19 % x 100.03 = 19.0057 -> 19.01; total 119.04
    # 119.03 lies between two consecutive net prices: no exact solution, no threshold.
    price = price_for_shelf_price(market_profile("DE", as_of=DAY), "119.03", **NONE)
    assert not price.exact
    assert price.net_price is None
    assert price.below is not None
    assert price.above is not None
    assert price.below.amount("goods") == Money("100.02", "EUR")
    assert price.below.buyer_total == Money("119.02", "EUR")
    assert price.above.amount("goods") == Money("100.03", "EUR")
    assert price.above.buyer_total == Money("119.04", "EUR")
    assert "rounded" in price.reason
    assert "threshold" not in price.reason


def test_uk_grey_zone_at_135() -> None:
    # net 135.00: within GBP 135: no duty; supply VAT 20 % x 135.00 = 27.00 -> total 162.00.
    # net 135.01: above it: duty 4 % x 135.01 = 5.4004 -> 5.40;
    #   import VAT 20 % x (135.01 + 5.40) = 28.082 -> 28.08; total 135.01 + 5.40 + 28.08 = 168.49.
    # A shelf price of 165.00 is in the grey zone (162.00, 168.49): no net price reaches it.
    price = price_for_shelf_price(uk(), Money("165.00", "GBP"), **NONE)
    assert not price.exact
    assert price.below is not None
    assert price.above is not None
    assert price.below.amount("goods") == Money("135.00", "GBP")
    assert price.below.buyer_total == Money("162.00", "GBP")
    assert price.above.amount("goods") == Money("135.01", "GBP")
    assert price.above.amount("duty") == Money("5.40", "GBP")
    assert price.above.amount("tax") == Money("28.08", "GBP")
    assert price.above.buyer_total == Money("168.49", "GBP")
    assert "threshold" in price.reason
    assert "grey zone" in price.reason
    assert "162.00 GBP" in price.reason
    assert "168.49 GBP" in price.reason


@pytest.mark.parametrize(
    ("target", "net"),
    [
        # Edges of the grey zone are reachable: 162.00 at net 135.00, 168.49 at net 135.01.
        ("162.00", "135.00"),
        ("168.49", "135.01"),
        # Above: total = x + 4 % x + 20 % (x + 4 % x) = 1.248 x; 170 / 1.248 = 136.2179...
        # net 136.22: duty 4 % x 136.22 = 5.4488 -> 5.45; VAT 20 % x 141.67 = 28.334 -> 28.33;
        # 136.22 + 5.45 + 28.33 = 170.00.
        ("170.00", "136.22"),
        # Below: total = 1.2 x: net 50.00 -> VAT 10.00 -> 60.00.
        ("60.00", "50.00"),
    ],
)
def test_uk_exact_prices_around_the_threshold(target: str, net: str) -> None:
    price = price_for_shelf_price(uk(), Money(target, "GBP"), **NONE)
    assert price.exact, price.reason
    assert price.net_price == Money(net, "GBP")
    assert price.cost is not None
    assert price.cost.buyer_total == Money(target, "GBP")


def test_shelf_price_counts_shipping_the_buyer_pays() -> None:
    # DE, shipping 10.00 charged to the buyer: IOSS VAT on price incl. transport:
    # total = 1.19 x (net + 10.00) = 119.00 -> net 90.00 (VAT 19 % x 100.00 = 19.00).
    price = price_for_shelf_price(
        market_profile("DE", as_of=DAY), Money("119.00", "EUR"), shipping=10, insurance=0
    )
    assert price.net_price == Money("90.00", "EUR")


def test_shelf_price_below_the_fixed_part_has_no_solution() -> None:
    # shipping 10.00 + 19 % VAT on it = 11.90 even at a zero net price > 5.00.
    price = price_for_shelf_price(market_profile("DE", as_of=DAY), "5.00", shipping=10, insurance=0)
    assert not price.exact
    assert price.below is None
    assert price.above is not None
    assert price.above.amount("goods") == Money("0.00", "EUR")
    assert price.above.buyer_total == Money("11.90", "EUR")
    assert "zero" in price.reason


def test_shelf_price_must_be_whole_minor_units() -> None:
    with pytest.raises(InvalidInputError, match="shelf_price"):
        price_for_shelf_price(market_profile("DE", as_of=DAY), "119.005", **NONE)


# ---------------------------------------------------------------------------------------------
# Split shipments.


def test_uk_split_under_135_differs_from_one_consignment() -> None:
    # One consignment of GBP 200 (> 135): duty 4 % x 200.00 = 8.00;
    #   import VAT 20 % x (200.00 + 8.00) = 41.60; buyer pays 249.60.
    # Two parcels of GBP 100 (each <= 135): no duty; supply VAT 20 % x 100.00 = 20.00 each;
    #   buyer pays 2 x 120.00 = 240.00, i.e. 9.60 less.
    gb = uk()
    whole = landed_cost(gb, 200, **NONE)
    assert whole.amount("duty") == Money("8.00", "GBP")
    assert whole.amount("tax") == Money("41.60", "GBP")
    assert whole.buyer_total == Money("249.60", "GBP")
    split = landed_cost_split(gb, [100, 100], **NONE)
    assert isinstance(split, SplitLandedCost)
    assert [p.amount("tax") for p in split.parcels] == [Money("20.00", "GBP")] * 2
    assert split.amount("duty") == Money("0.00", "GBP")
    assert split.duties_and_taxes == Money("40.00", "GBP")
    assert split.buyer_total == Money("240.00", "GBP")
    assert whole.buyer_total - split.buyer_total == Money("9.60", "GBP")
    assert split.total == sum((p.total for p in split.parcels), Money.zero("GBP"))


def test_split_per_parcel_shipping_and_columns() -> None:
    # Parcels of 100.00 and 120.00 with shipping 5.00 and 7.00 (both <= 135 intrinsic):
    # VAT 20 % x 105.00 = 21.00 and 20 % x 127.00 = 25.40; buyer 126.00 + 152.40 = 278.40.
    split = landed_cost_split(uk(), [100, 120], shipping=[5, 7], insurance=0)
    assert [p.buyer_total for p in split.parcels] == [
        Money("126.00", "GBP"),
        Money("152.40", "GBP"),
    ]
    assert split.buyer_total == Money("278.40", "GBP")
    columns = split.columns()
    assert columns["parcel"].tolist() == [0, 1]
    assert columns["tax"].tolist() == [21.0, 25.4]
    assert columns["buyer_total"].tolist() == [126.0, 152.4]
    with pytest.raises(InvalidInputError, match="shipping"):
        landed_cost_split(uk(), [100, 120], shipping=[5], insurance=0)


def test_au_split_under_1000() -> None:
    # AU (FOB, duty pinned at 5 %), A$1,200 as two parcels of A$600: each within the A$1,000
    # low-value threshold: no duty, GST 10 % x 600.00 = 60.00 collected at sale; 660.00 each.
    # As one consignment (> 1,000): duty 5 % x 1,200.00 = 60.00; GST 10 % x (1,200 + 60) = 126.00.
    au = market_profile("AU", as_of=DAY, overrides={"duty": {"default_rate": "0.05"}})
    split = landed_cost_split(au, [600, 600], **NONE)
    assert [p.buyer_total for p in split.parcels] == [Money("660.00", "AUD")] * 2
    assert split.amount("duty") == Money("0.00", "AUD")
    whole = landed_cost(au, 1200, **NONE)
    assert whole.amount("duty") == Money("60.00", "AUD")
    assert whole.amount("tax") == Money("126.00", "AUD")


def test_split_checks_order_limits_on_the_whole_order() -> None:
    # CN CBEC: two parcels of CNY 3,000 (each within CNY 5,000), but the transaction is
    # CNY 6,000 > 5,000: one LimitWarning for the order, none per parcel.
    cn = market_profile("CN", as_of=DAY)
    with pytest.warns(LimitWarning, match="single-transaction") as caught:
        landed_cost_split(cn, [3000, 3000], **NONE)
    assert len([w for w in caught if w.category is LimitWarning]) == 1


# ---------------------------------------------------------------------------------------------
# Limits as warnings.


def test_limits_are_loaded_dated_and_sourced() -> None:
    for code, amounts in {
        "CN": {"5000", "26000"},
        "NO": {"50000"},
        "AU": {"75000"},
        "CH": {"100000"},
    }.items():
        limits = market_profile(code, as_of=DAY).limits
        assert {format(limit.amount, "f") for limit in limits} == amounts
        for limit in limits:
            p = limit.provenance
            assert p.effective_from is not None
            assert p.verified_on is not None
            assert p.url.startswith("https://")
            assert p.evidence in ("P", "S")
    assert issubclass(LimitWarning, EcomstratWarning)


@pytest.mark.parametrize(
    ("code", "value", "crossed"),
    [
        # Norway: register when sales reach NOK 50,000 in 12 months ("50,000 or more").
        ("NO", "49999.99", []),
        ("NO", "50000", ["VOEC registration"]),
        # Australia: GST turnover of AUD 75,000 or more.
        ("AU", "74999.99", []),
        ("AU", "75000", ["GST registration (low-value imported goods)"]),
        # Switzerland: at least CHF 100,000 (worldwide turnover; small consignments).
        ("CH", "99999.99", []),
        (
            "CH",
            "100000",
            ["VAT liability (worldwide turnover)", "mail-order registration (small consignments)"],
        ),
        # China: CNY 26,000 a year per person; 26,000 itself is within it.
        ("CN", "26000", []),
        ("CN", "26000.01", ["CBEC annual limit per person"]),
    ],
)
def test_annual_limits(code: str, value: str, crossed: list[str]) -> None:
    profile = market_profile(code, as_of=DAY)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = check_limits(profile, annual_value=value)
    assert [limit.name for limit in got] == crossed
    assert [w.category for w in caught] == [LimitWarning] * len(crossed)


def test_order_limit_in_check_limits_and_landed_cost() -> None:
    cn = market_profile("CN", as_of=DAY)
    # CNY 5,000 is within the single-transaction limit; 5,000.01 crosses it.
    assert check_limits(cn, order_value="5000") == ()
    with pytest.warns(LimitWarning, match="CBEC single-transaction limit"):
        check_limits(cn, order_value=Money("5000.01", "CNY"))
    # landed_cost tests the customs value (CIF): goods 4,990.00 + shipping 10.00 = 5,000.00
    # is within; goods 4,995.00 + shipping 10.00 = 5,005.00 crosses it.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        landed_cost(cn, 4990, shipping=10, insurance=0)
    with pytest.warns(LimitWarning, match="customs value of 5005.00 CNY"):
        landed_cost(cn, 4995, shipping=10, insurance=0)


def test_limits_convert_currencies_and_can_be_overridden() -> None:
    # EUR 4,348 x 11.50 NOK/EUR = NOK 50,002 >= 50,000.
    no = market_profile("NO", as_of=DAY)
    with pytest.warns(LimitWarning, match="50002.00 NOK"):
        check_limits(no, annual_value=Money("4348", "EUR"), fx={"EUR": "11.50"})
    own = no.with_overrides(
        {
            "limits": [
                {
                    "name": "own cap",
                    "amount": 1000,
                    "currency": "NOK",
                    "per": "order",
                    "subject": "buyer",
                }
            ]
        }
    )
    assert own.limits[0].provenance.evidence == "user"
    with pytest.warns(LimitWarning, match="own cap"):
        check_limits(own, order_value="1000.01")
    # A limit out of force on the date is not checked.
    old = Limit(
        "old cap",
        1,
        "NOK",
        "year",
        "seller",
        provenance=Provenance(effective_to="2025-01-01", evidence="user"),
    )
    expired = no.with_overrides({"limits": [old]})
    assert check_limits(expired, annual_value="5") == ()


# ---------------------------------------------------------------------------------------------
# User tariff data.

ROWS = [
    {"hs_prefix": "61", "rate": "0.12"},
    {"hs_prefix": "6109", "rate": "0.08"},
    {"hs_prefix": "6109", "rate": "0", "origin": "TR"},
    {"hs_prefix": "6403", "specific": "2.50", "currency": "EUR"},
    {"hs_prefix": "4202", "rate": "0.05", "specific": "1.00"},
    {"hs_prefix": "9503", "rate": "0.30", "effective_to": "2026-01-01"},
]


def test_tariff_longest_prefix_and_origin() -> None:
    # DE, 2026-03-01 (EUR 150 relief, CIF), goods 200.00 + shipping 10.00: customs value 210.00.
    de = market_profile("DE", as_of=DAY)
    table = load_tariff(ROWS)
    assert isinstance(table, TariffTable)
    # HS 6109.10 from CN: longest prefix 6109, any origin: 8 % x 210.00 = 16.80;
    # import VAT 19 % x (210.00 + 16.80) = 43.092 -> 43.09.
    line = OrderLine(200, hs_code="6109.10.00")
    cost = landed_cost(de, [line], shipping=10, insurance=0, origin="CN", tariff=table)
    assert cost.amount("duty") == Money("16.80", "EUR")
    assert cost.amount("tax") == Money("43.09", "EUR")
    assert "user tariff" in cost.line("duty").rule
    assert "evidence user" in cost.line("duty").rule
    # From TR: the origin-specific 6109 row (0 %) beats the any-origin one:
    # VAT 19 % x 210.00 = 39.90.
    cost = landed_cost(de, [line], shipping=10, insurance=0, origin="TUR", tariff=table)
    assert cost.amount("duty") == Money("0.00", "EUR")
    assert cost.amount("tax") == Money("39.90", "EUR")
    # HS 6110: only the chapter row 61 matches: 12 % x 210.00 = 25.20.
    cost = landed_cost(de, [OrderLine(200, hs_code="6110")], shipping=10, insurance=0, tariff=table)
    assert cost.amount("duty") == Money("25.20", "EUR")


def test_tariff_specific_and_compound_duties() -> None:
    de = market_profile("DE", as_of=DAY)
    table = load_tariff(ROWS)
    # HS 6403, 4 pairs, EUR 2.50 each: duty 4 x 2.50 = 10.00;
    # VAT 19 % x (210.00 + 10.00) = 41.80.
    cost = landed_cost(
        de, [OrderLine(200, quantity=4, hs_code="6403.99")], shipping=10, insurance=0, tariff=table
    )
    assert cost.amount("duty") == Money("10.00", "EUR")
    assert cost.amount("tax") == Money("41.80", "EUR")
    # HS 4202, 3 bags worth 300.00, no shipping: 5 % x 300.00 + 3 x 1.00 = 15.00 + 3.00 = 18.00;
    # VAT 19 % x 318.00 = 60.42.
    cost = landed_cost(de, [OrderLine(300, quantity=3, hs_code="4202")], tariff=table, **NONE)
    assert cost.amount("duty") == Money("18.00", "EUR")
    assert cost.amount("tax") == Money("60.42", "EUR")


def test_tariff_dates_and_fallback() -> None:
    # The 9503 row ended 2026-01-01: on 2026-03-01 the line keeps DE's category rate
    # (4 %: 4 % x 210.00 = 8.40), and the rule says no user row applied.
    de = market_profile("DE", as_of=DAY)
    cost = landed_cost(
        de, [OrderLine(200, hs_code="9503")], shipping=10, insurance=0, tariff=load_tariff(ROWS)
    )
    assert cost.amount("duty") == Money("8.40", "EUR")
    assert "no user tariff row" in cost.line("duty").rule
    # Without a tariff the hs_code is not used.
    plain = landed_cost(de, [OrderLine(200, hs_code="6109")], shipping=10, insurance=0)
    assert plain.amount("duty") == Money("8.40", "EUR")


def test_tariff_from_csv_and_toml(tmp_path: Path) -> None:
    csv_file = tmp_path / "tariff.csv"
    csv_file.write_text(
        "hs_prefix,origin,rate,specific,currency,effective_from,effective_to,source\n"
        "6109,,0.08,,,2026-01-01,,my broker\n"
        "6109,TR,0,,,,,FTA\n",
        encoding="utf-8",
    )
    table = load_tariff(csv_file)
    assert [row.rate for row in table.rates] == [Decimal("0.08"), Decimal("0")]
    assert table.rates[0].provenance.source == "my broker"
    assert table.rates[0].provenance.evidence == "user"
    assert table.lookup("610910", on="2025-12-31") is None
    toml_file = tmp_path / "tariff.toml"
    toml_file.write_text(
        '[[rates]]\nhs_prefix = "6109"\nrate = 0.08\n\n'
        '[[rates]]\nhs_prefix = "6403"\nspecific = 2.5\ncurrency = "EUR"\n',
        encoding="utf-8",
    )
    table = load_tariff(toml_file)
    assert table.lookup("6403.99") is not None
    assert table.columns()["hs_prefix"].tolist() == ["6109", "6403"]


def test_tariff_errors() -> None:
    with pytest.raises(UnknownCodeError, match="valid columns"):
        load_tariff([{"hs_prefix": "61", "duty": "0.1"}])
    with pytest.raises(InvalidInputError, match="fractions"):
        load_tariff([{"hs_prefix": "61", "rate": "12"}])
    with pytest.raises(InvalidInputError, match="overlap"):
        load_tariff([{"hs_prefix": "61", "rate": "0.1"}, {"hs_prefix": "61.", "rate": "0.2"}])
    with pytest.raises(InvalidInputError, match="hs_prefix"):
        load_tariff([{"hs_prefix": "x1", "rate": "0.1"}])
    with pytest.raises(InvalidInputError, match="rate"):
        load_tariff([{"hs_prefix": "61"}])
