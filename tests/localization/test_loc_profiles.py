"""Reference data, profile resolution by date, overrides, user TOML files and input errors."""

from __future__ import annotations

import datetime
import json
import textwrap
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from ecomstrat.domain.market import Market
from ecomstrat.domain.money import Money
from ecomstrat.exceptions import (
    CurrencyMismatchError,
    EcomstratWarning,
    InvalidInputError,
    UnknownCodeError,
)
from ecomstrat.localization import (
    MarketDataWarning,
    MarketProfile,
    OrderLine,
    PaymentMix,
    Provenance,
    Threshold,
    landed_cost,
    load_market_profiles,
    market_profile,
)
from ecomstrat.localization.profiles import BLOCKS

EXPECTED = {
    # EU member states (rates per country) and the other markets of the issue.
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    "GB", "US", "CA", "AU", "NZ", "JP", "KR", "CN", "BR", "IN", "MX", "CH", "NO", "SG",
}  # fmt: skip
COMMERCIAL = ("shipping", "payments", "service", "returns", "entry", "border_fees", "fx")


def test_table_covers_the_markets_and_is_versioned() -> None:
    table = load_market_profiles()
    assert set(table.countries) == EXPECTED
    assert table.version == "2026.11"
    assert table.compiled_on == datetime.date(2026, 11, 23)
    assert "verified before use" in table.disclaimer


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_every_value_is_sourced_dated_and_labelled(code: str) -> None:
    p = market_profile(code, as_of="2026-09-01")
    for name, (_cls, kind) in BLOCKS.items():
        value = getattr(p, name)
        items = value if kind == "many" else ((value,) if value is not None else ())
        for item in items:
            prov = item.provenance
            assert prov.source, (code, name)
            assert prov.source != "unsourced", (code, name)
            assert prov.verified_on is not None, (code, name)
            assert prov.effective_from is not None, (code, name)
            assert prov.evidence in ("P", "S", "K", "?"), (code, name)
            if name in COMMERCIAL:
                assert prov.illustrative, (code, name)
            assert prov.in_force(p.as_of)
    assert p.market == Market(p.country, p.currency.code, p.languages)
    json.dumps(p.to_dict())


def test_eu_low_value_rules_change_on_1_july_2026() -> None:
    june = market_profile("DE", as_of="2026-06-30")
    july = market_profile("DE", as_of="2026-07-01")
    later = market_profile("DE", as_of="2028-07-01")
    assert june.duty_threshold() is not None
    assert june.flat_duty is None
    assert july.duty_threshold() is None
    assert july.flat_duty is not None
    assert later.duty_threshold() is None
    assert later.flat_duty is None
    assert june.valid_until == datetime.date(2026, 7, 1)
    assert july.valid_from == datetime.date(2026, 7, 1)
    assert july.valid_until == datetime.date(2028, 7, 1)
    flat = july.flat_duty
    assert flat is not None
    assert (flat.amount, flat.currency, flat.per) == (Decimal(3), "EUR", "category")
    assert flat.provenance.effective_from == datetime.date(2026, 7, 1)


def test_duty_and_tax_de_minimis_are_separate_rules() -> None:
    ca = market_profile("CA", as_of="2026-03-01")
    duty, tax = ca.duty_threshold("US"), ca.tax_threshold("US")
    assert duty is not None
    assert tax is not None
    assert (duty.amount, tax.amount) == (Decimal(150), Decimal(40))
    other = ca.duty_threshold("CN")
    assert other is not None
    assert other.amount == Decimal(20)
    ch = market_profile("CH", as_of="2026-03-01")
    vat = ch.tax_threshold()
    assert vat is not None
    assert (vat.basis, vat.amount, vat.inclusive) == (
        "tax_amount",
        Decimal(5),
        True,
    )


def test_profile_before_the_data_starts_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match=r"as_of='2019-01-01' .* BR starts"):
        market_profile("BR", as_of="2019-01-01")


def test_using_a_profile_past_a_change_warns() -> None:
    p = market_profile("FI", as_of="2024-06-01")
    assert issubclass(MarketDataWarning, EcomstratWarning)
    with pytest.warns(MarketDataWarning, match=r"FI profile .* 2024-09-01: tax \(standard"):
        p.check_date(datetime.date(2024, 9, 1))
    with pytest.warns(MarketDataWarning, match="market_profile"):
        landed_cost(p, Money("10", "EUR"), shipping=0, as_of="2024-10-01")
    p.check_date(datetime.date(2024, 8, 31))  # inside the window: silent


def test_unknown_country_lists_close_matches_or_covered_markets() -> None:
    with pytest.raises(UnknownCodeError, match="Did you mean"):
        market_profile("DEX", as_of="2026-03-01")
    with pytest.raises(UnknownCodeError, match=r"'AR' \(AR\) is not in .* DE, DK"):
        market_profile("AR", as_of="2026-03-01")


def test_overrides_change_parts_and_name_bad_keys() -> None:
    p = market_profile("GB", as_of="2026-03-01")
    q = p.with_overrides(
        {
            "tax": {"standard_rate": "0.25"},
            "duty_de_minimis": [{"amount": 100, "currency": "GBP", "basis": "intrinsic"}],
            "collection": None,
            "name": "Great Britain",
        }
    )
    assert q.tax.standard_rate == Decimal("0.25")
    assert q.tax.provenance.evidence == "user"
    assert q.tax.name == "VAT"  # untouched keys kept
    assert q.duty_de_minimis[0].amount == Decimal(100)
    assert q.collection is None
    assert q.name == "Great Britain"
    with pytest.raises(UnknownCodeError, match=r"'taxes' is not a part .* 'tax'"):
        p.with_overrides({"taxes": {}})
    with pytest.raises(UnknownCodeError, match=r"unknown key\(s\) 'rate'; valid keys are"):
        p.with_overrides({"tax": {"rate": "0.2"}})
    with pytest.raises(InvalidInputError, match=r"standard_rate=Decimal\('1.5'\) .* \[0, 1\]"):
        p.with_overrides({"tax": {"standard_rate": "1.5"}})
    with pytest.raises(InvalidInputError, match=r"base=Decimal\('-1'\) .* >= 0"):
        p.with_overrides({"shipping": {"base": -1}})
    with pytest.raises(InvalidInputError, match="cannot be removed"):
        p.with_overrides({"tax": None})
    with pytest.raises(InvalidInputError, match="replaces the whole list"):
        p.with_overrides({"duty_de_minimis": {"amount": 1}})
    with pytest.raises(UnknownCodeError, match=r"currency='EUX' .* Did you mean .*'EUR'"):
        p.with_overrides({"currency": {"code": "EUX"}})


def test_with_fx_sets_the_merchant_currency() -> None:
    p = market_profile("JP", as_of="2026-03-01").with_fx("USD", rate="150", conversion_fee="0.01")
    assert (p.merchant_currency, p.fx.rate("USD"), p.fx.conversion_fee) == (
        "USD",
        Decimal(150),
        Decimal("0.01"),
    )
    with pytest.raises(InvalidInputError, match="rate=None is invalid: is needed"):
        market_profile("JP", as_of="2026-03-01").with_fx("USD")


def test_currency_mismatch_names_the_field() -> None:
    de = market_profile("DE", as_of="2026-03-01")
    with pytest.raises(CurrencyMismatchError, match=r"order\[0\]\.value is in USD .* EUR"):
        landed_cost(de, Money("10", "USD"), shipping=0)
    with pytest.raises(CurrencyMismatchError, match=r"shipping is in GBP"):
        landed_cost(de, Money("10", "EUR"), shipping=Money("5", "GBP"))
    cost = landed_cost(de, Money("10", "USD"), shipping=0, fx={"USD": "0.9"})
    assert cost.amount("goods") == Money("9.00", "EUR")


def test_de_minimis_in_another_currency_needs_a_rate() -> None:
    pl = market_profile("PL", as_of="2026-03-01")
    with pytest.raises(CurrencyMismatchError, match=r"is in EUR but the market's currency is PLN"):
        landed_cost(pl, Money("100", "PLN"), shipping=0)
    assert (
        landed_cost(pl, Money("100", "PLN"), shipping=0, fx={"EUR": "4.25"})
        .amount("duty")
        .is_zero()
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: landed_cost(p, Money("-1", "EUR")), r"value=Money\('-1', 'EUR'\) .* >= 0"),
        (lambda p: landed_cost(p, Money("1", "EUR"), shipping="-2"), r"shipping=.* >= 0"),
        (lambda p: landed_cost(p, Money("1", "EUR"), weight_kg=-1), r"weight_kg=-1 .* >= 0"),
        (lambda p: landed_cost(p, Money("1", "EUR"), presentation="DDU"), "'DAP', 'DDP'"),  # type: ignore[arg-type]
        (lambda p: landed_cost(p, Money("1", "EUR"), as_of="yesterday"), "ISO 8601"),
        (lambda p: landed_cost(p, Money("1", "EUR"), origin="XXX"), "origin='XXX'"),
        (lambda p: landed_cost(p, []), "order is empty"),
        (lambda p: landed_cost(p, ["x"]), r"order\[0\]='x' .* OrderLine"),  # type: ignore[list-item]
        (lambda p: landed_cost(p, Money("1", "EUR"), quantity=0), "quantity=0"),
    ],
)
def test_bad_order_input(call: Callable[[MarketProfile], object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call(market_profile("DE", as_of="2026-03-01"))


def test_rule_objects_validate() -> None:
    with pytest.raises(InvalidInputError, match="per consignment"):
        Threshold("5", "CHF", "tax_amount", per="item")
    with pytest.raises(UnknownCodeError, match="'customs_value'"):
        Threshold("5", "CHF", "customs")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"add up to 0\.9"):
        PaymentMix([{"name": "card", "share": "0.9", "rate": "0.02"}])
    with pytest.raises(InvalidInputError, match="effective_to"):
        Provenance(effective_from="2026-01-01", effective_to="2025-01-01")
    with pytest.raises(InvalidInputError, match=r"value=Money\('-1', 'EUR'\) .* >= 0"):
        OrderLine(Money("-1", "EUR"))
    p = Provenance("Law", "https://example.org", verified_on="2026-11-23", evidence="P")
    assert p.cite() == "Law <https://example.org> [evidence P, verified 2026-11-23]"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_user_toml_merges_over_the_builtin_table(tmp_path: Path) -> None:
    file = write(
        tmp_path / "mine.toml",
        """
        [meta]
        version = "mine-1"

        [sources.own]
        title = "Our carrier contract 2026"
        evidence = "user"

        [[markets.DE.shipping]]
        base = 4.5
        per_kg = 1.2
        source = "own"
        verified_on = 2026-11-01

        [markets.AR]
        name = "Argentina"
        languages = ["es-AR"]
        groups = ["EUR_DEFAULTS"]

        [[markets.AR.currency]]
        code = "EUR"
        source = "own"
        verified_on = 2026-11-01

        [[markets.AR.valuation]]
        basis = "CIF"
        source = "own"
        verified_on = 2026-11-01

        [[markets.AR.duty]]
        default_rate = 0.2
        source = "own"
        verified_on = 2026-11-01

        [[markets.AR.tax]]
        standard_rate = 0.21
        source = "own"
        verified_on = 2026-11-01
        """,
    )
    table = load_market_profiles(file)
    assert table.version == "mine-1"
    de = table.profile("DE", as_of="2026-03-01")
    assert (de.shipping.base, de.shipping.provenance.source) == (
        Decimal("4.5"),
        "Our carrier contract 2026",
    )
    assert de.tax.standard_rate == Decimal("0.19")  # other blocks stay built-in
    ar = table.profile("AR", as_of="2026-03-01")
    cost = landed_cost(ar, Money("100", "EUR"), shipping="10")
    assert cost.amount("duty") == Money("22.00", "EUR")
    with pytest.raises(UnknownCodeError, match="'EUR_DEFAULTS', which is not defined"):
        load_market_profiles(file, include_builtin=False)  # built-in groups are not loaded


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[markets.DE\n", "could not be read as TOML"),
        ("[markets.DE]\ncolour = 1\n", r"markets\.DE has unknown key\(s\) 'colour'"),
        ("[markets.DE]\ngroups = ['XX']\n", "names 'XX', which is not defined"),
        (
            "[[markets.DE.tax]]\nstandard_rate = 0.2\nsource = 'x'\n",
            r"markets\.DE\.tax\[0\] needs 'verified_on'",
        ),
        (
            "[[markets.DE.tax]]\nstandard_rate = 2\nsource = 'x'\nverified_on = 2026-01-01\n",
            r"markets\.DE\.tax\[0\]: standard_rate=Decimal\('2'\)",
        ),
        (
            "[[markets.DE.tax]]\nstandard_rate = 0.2\nsource = 'x'\nverified_on = 2026-01-01\n"
            "[[markets.DE.tax]]\nstandard_rate = 0.3\nsource = 'x'\nverified_on = 2026-01-01\n"
            "effective_from = 2026-01-01\n",
            "overlap",
        ),
        ("[meta]\nschema = 2\n", "this ecomstrat reads schema 1"),
    ],
)
def test_malformed_user_toml_is_reported_with_its_place(
    tmp_path: Path, text: str, message: str
) -> None:
    file = write(tmp_path / "bad.toml", text)
    with pytest.raises(InvalidInputError, match=message):
        load_market_profiles(file)
