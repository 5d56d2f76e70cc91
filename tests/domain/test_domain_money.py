from __future__ import annotations

import decimal
import operator
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from ecomstrat.domain import Money
from ecomstrat.exceptions import CurrencyMismatchError, InvalidInputError, UnknownCodeError
from tests.domain.strategies import amounts, currencies, moneys

# --- construction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("12.50"), Decimal("12.50")),
        (12, Decimal("12")),
        ("12.5", Decimal("12.5")),
        (" -3.125 ", Decimal("-3.125")),
        (0.1, Decimal("0.1")),  # via Decimal(str(x)), not the binary expansion
        (1e-7, Decimal("1E-7")),
    ],
)
def test_amount_conversion_is_exact(amount: object, expected: Decimal) -> None:
    money = Money(amount, "USD")  # type: ignore[arg-type]
    assert money.amount == expected
    assert str(money.amount) == str(expected)  # not rounded on construction


def test_currency_is_normalised() -> None:
    assert Money("1", "usd").currency == "USD"


@pytest.mark.parametrize(
    "amount", ["NaN", "inf", "-Infinity", float("nan"), float("inf"), Decimal("NaN")]
)
def test_non_finite_amount_is_rejected(amount: object) -> None:
    with pytest.raises(InvalidInputError, match=r"amount=.* is invalid: must be a finite number"):
        Money(amount, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["abc", "", "1,50"])
def test_non_numeric_string_is_rejected(amount: str) -> None:
    with pytest.raises(InvalidInputError, match=f"amount='{amount}' is invalid: must be a number"):
        Money(amount, "USD")


@pytest.mark.parametrize("amount", [None, True, [1], Fraction(1, 2)])
def test_non_number_is_rejected(amount: object) -> None:
    with pytest.raises(InvalidInputError, match=r"amount=.* is invalid: must be a Decimal, int"):
        Money(amount, "USD")  # type: ignore[arg-type]


def test_unknown_and_non_monetary_currencies_are_rejected() -> None:
    with pytest.raises(UnknownCodeError, match=r"currency='EUX'.*Did you mean.*'EUR'"):
        Money("1", "EUX")
    with pytest.raises(InvalidInputError, match=r"currency='XAU'.*XAU \(Gold\) has no minor unit"):
        Money("1", "XAU")


def test_repr_and_str() -> None:
    assert repr(Money("12.50", "USD")) == "Money('12.50', 'USD')"
    assert str(Money("12.50", "usd")) == "12.50 USD"
    assert str(Money("1E+3", "JPY")) == "1000 JPY"


# --- equality -----------------------------------------------------------------------------


def test_equality_and_hash_by_value() -> None:
    assert Money("1.0", "USD") == Money("1.00", "USD")
    assert hash(Money("1.0", "USD")) == hash(Money("1.00", "USD"))
    assert len({Money("1", "USD"), Money("1.00", "USD"), Money("-0", "USD") + Money(1, "USD")}) == 1
    assert Money("1.00", "USD") != Money("1.00", "CAD")
    assert Money("1.00", "USD") != Decimal("1.00")


# --- minor units and rounding -------------------------------------------------------------


def test_from_minor_and_minor_units() -> None:
    assert Money.from_minor(1250, "USD") == Money("12.50", "USD")
    assert repr(Money.from_minor(1250, "USD")) == "Money('12.50', 'USD')"
    assert Money.from_minor(1250, "JPY") == Money("1250", "JPY")
    assert Money.from_minor(-1, "BHD") == Money("-0.001", "BHD")
    assert Money.from_minor(1, "CLF") == Money("0.0001", "CLF")
    assert Money("12.5", "USD").minor_units == 1250
    assert Money("12.500", "USD").minor_units == 1250
    assert Money("7.00", "JPY").minor_units == 7


def test_minor_units_refuses_hidden_precision() -> None:
    with pytest.raises(
        InvalidInputError, match=r"amount=Decimal\('12.505'\).*Call .round\(\) first"
    ):
        _ = Money("12.505", "USD").minor_units


@pytest.mark.parametrize("units", [1.0, "12", True])
def test_from_minor_needs_an_int(units: object) -> None:
    with pytest.raises(InvalidInputError, match=r"units=.* must be an int"):
        Money.from_minor(units, "USD")  # type: ignore[arg-type]


def test_zero() -> None:
    zero = Money.zero("usd")
    assert repr(zero) == "Money('0.00', 'USD')"
    assert zero.is_zero()
    assert not zero.is_negative()
    assert repr(Money.zero("JPY")) == "Money('0', 'JPY')"
    assert Money("-0.01", "USD").is_negative()


def test_round_half_even_by_default() -> None:
    assert Money("0.125", "USD").round() == Money("0.12", "USD")
    assert Money("0.135", "USD").round() == Money("0.14", "USD")
    assert Money("-0.125", "USD").round() == Money("-0.12", "USD")
    assert repr(Money("2.5", "JPY").round()) == "Money('2', 'JPY')"
    assert repr(Money("1.0005", "KWD").round()) == "Money('1.000', 'KWD')"
    assert repr(Money("3", "USD").round()) == "Money('3.00', 'USD')"


def test_round_other_modes() -> None:
    assert Money("0.125", "USD").round(rounding=decimal.ROUND_HALF_UP) == Money("0.13", "USD")
    assert Money("0.121", "USD").round(rounding=decimal.ROUND_CEILING) == Money("0.13", "USD")
    assert Money("-0.129", "USD").round(rounding=decimal.ROUND_DOWN) == Money("-0.12", "USD")


def test_round_rejects_unknown_mode() -> None:
    with pytest.raises(UnknownCodeError, match=r"rounding='half_up'.*'ROUND_HALF_UP'"):
        Money("1", "USD").round(rounding="half_up")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("12.37", "12.35"),
        ("12.38", "12.40"),
        ("12.374", "12.35"),
        ("12.375", "12.40"),  # 247.5 steps: half-even goes to 248
        ("12.325", "12.30"),  # 246.5 steps: half-even goes to 246
        ("-12.38", "-12.40"),
        ("0.02", "0.00"),
    ],
)
def test_cash_rounding_to_five_rappen(amount: str, expected: str) -> None:
    rounded = Money(amount, "CHF").round(increment=Decimal("0.05"))
    assert repr(rounded) == f"Money('{expected}', 'CHF')"


def test_cash_rounding_half_up_and_whole_units() -> None:
    assert Money("12.325", "CHF").round(rounding=decimal.ROUND_HALF_UP, increment="0.05") == Money(
        "12.35", "CHF"
    )
    assert Money("1234", "JPY").round(increment=10) == Money("1230", "JPY")


@pytest.mark.parametrize("increment", ["0.001", "0", "-0.05", "0.015"])
def test_cash_rounding_increment_must_be_a_multiple_of_the_minor_unit(increment: str) -> None:
    with pytest.raises(InvalidInputError, match=f"increment='{increment}'.*multiple of the CHF"):
        Money("1", "CHF").round(increment=increment)


# --- arithmetic ---------------------------------------------------------------------------


def test_add_sub_neg_abs() -> None:
    a, b = Money("10.25", "EUR"), Money("0.755", "EUR")
    assert a + b == Money("11.005", "EUR")
    assert a - b == Money("9.495", "EUR")
    assert b - a == Money("-9.495", "EUR")
    assert -a == Money("-10.25", "EUR")
    assert abs(Money("-3.5", "EUR")) == Money("3.5", "EUR")


def test_arithmetic_is_exact_beyond_the_default_context() -> None:
    big, tiny = Money("1E+30", "USD"), Money("1E-30", "USD")
    assert (big + tiny).amount == Decimal("1" + "0" * 30 + "." + "0" * 29 + "1")
    assert (big + tiny - big) == tiny
    assert -Money("1.234567890123456789012345678901", "USD") == Money(
        "-1.234567890123456789012345678901", "USD"
    )


def test_sum_starts_from_zero() -> None:
    items = [Money("1.10", "USD"), Money("2.20", "USD"), Money("3.30", "USD")]
    assert sum(items) == Money("6.60", "USD")
    assert 0 + items[0] == items[0]


def test_add_other_types_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        _ = Money("1", "USD") + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = 1 + Money("1", "USD")


@pytest.mark.parametrize(
    ("op", "verb"),
    [
        (operator.add, "add"),
        (operator.sub, "subtract"),
        (operator.lt, "compare"),
        (operator.le, "compare"),
        (operator.gt, "compare"),
        (operator.ge, "compare"),
    ],
)
def test_currency_mismatch(op: Callable[[Money, Money], object], verb: str) -> None:
    usd, eur = Money("1", "USD"), Money("1", "EUR")
    with pytest.raises(
        CurrencyMismatchError,
        match=rf"cannot {verb} Money\('1', 'USD'\) and Money\('1', 'EUR'\): .*\(USD vs EUR\)",
    ):
        op(usd, eur)


def test_multiply_and_divide() -> None:
    price = Money("19.99", "USD")
    assert price * 3 == Money("59.97", "USD")
    assert 3 * price == Money("59.97", "USD")
    assert price * Decimal("0.5") == Money("9.995", "USD")
    assert Money("10", "USD") / 4 == Money("2.5", "USD")
    assert (Money("10", "USD") / 3).round() == Money("3.33", "USD")
    assert Money("1", "USD") / Decimal("0.5") == Money("2", "USD")


def test_float_factor_is_rejected_with_a_fix() -> None:
    with pytest.raises(TypeError, match=r"Money \* 1.5 is not supported.*Decimal\('1.5'\)"):
        _ = Money("1", "USD") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError, match=r"Money \* 1.5 is not supported"):
        _ = 1.5 * Money("1", "USD")  # type: ignore[operator]
    with pytest.raises(TypeError, match=r"Money / 2.0 is not supported"):
        _ = Money("1", "USD") / 2.0  # type: ignore[operator]


def test_money_times_money_is_rejected() -> None:
    with pytest.raises(TypeError, match="not by Money"):
        _ = Money("1", "USD") * Money("2", "USD")  # type: ignore[operator]
    with pytest.raises(TypeError, match="int or Decimal"):
        _ = Money("1", "USD") * "2"  # type: ignore[operator]


def test_divide_by_zero() -> None:
    with pytest.raises(ZeroDivisionError, match=r"cannot divide Money\('1', 'USD'\) by zero"):
        _ = Money("1", "USD") / 0


def test_comparisons() -> None:
    assert Money("1.00", "USD") < Money("1.01", "USD")
    assert Money("1.00", "USD") <= Money("1", "USD")
    assert Money("-1", "USD") > Money("-2", "USD")
    assert Money("2", "USD") >= Money("2.000", "USD")
    assert max(Money("3", "USD"), Money("5", "USD")) == Money("5", "USD")
    with pytest.raises(TypeError):
        _ = Money("1", "USD") < 2  # type: ignore[operator]


# --- properties ---------------------------------------------------------------------------


@given(currencies.flatmap(lambda c: st.tuples(moneys(c), moneys(c), moneys(c))))
def test_addition_is_associative_and_commutative(abc: tuple[Money, Money, Money]) -> None:
    a, b, c = abc
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert a + b - b == a


@given(moneys())
def test_round_trip_through_minor_units(money: Money) -> None:
    rounded = money.round()
    assert Money.from_minor(rounded.minor_units, rounded.currency) == rounded
    assert rounded.round() == rounded
    assert abs(rounded - money) <= Money.from_minor(1, money.currency) / 2


@given(currencies, st.lists(amounts, max_size=20))
def test_sum_of_moneys_is_money_of_sum(currency: str, values: list[Decimal]) -> None:
    total = sum((Money(v, currency) for v in values), Money.zero(currency))
    assert total == Money(sum(values, Decimal(0)), currency)


@given(
    amounts,
    st.sampled_from([1, 5, 10, 25, 3, 7]),
    st.sampled_from([decimal.ROUND_HALF_EVEN, decimal.ROUND_HALF_UP]),
)
def test_cash_rounding_matches_exact_fractions(amount: Decimal, cents: int, mode: str) -> None:
    increment = Decimal(cents) / 100
    steps = Fraction(amount) / Fraction(increment)
    whole, rest = divmod(abs(steps), 1)
    up = rest > Fraction(1, 2) or (
        rest == Fraction(1, 2) and (mode == decimal.ROUND_HALF_UP or whole % 2 == 1)
    )
    expected = (whole + up) * (1 if steps >= 0 else -1) * Fraction(increment)
    rounded = Money(amount, "USD").round(rounding=mode, increment=increment)
    assert Fraction(rounded.amount) == expected
    assert rounded.amount.as_tuple().exponent == -2
