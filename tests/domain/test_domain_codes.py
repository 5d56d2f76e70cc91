from __future__ import annotations

import iso4217
import pytest

from ecomstrat.domain import TimeUnit, check_country, check_currency, country_name, minor_units
from ecomstrat.exceptions import InvalidInputError, UnknownCodeError


@pytest.mark.parametrize(
    ("code", "expected"),
    [("JPY", 0), ("USD", 2), ("EUR", 2), ("BHD", 3), ("KWD", 3), ("CLF", 4), ("usd", 2)],
)
def test_minor_units(code: str, expected: int) -> None:
    assert minor_units(code) == expected


def test_check_currency_normalises_case_and_space() -> None:
    assert check_currency(" usd ") == "USD"
    assert check_currency("Chf") == "CHF"


def test_unknown_currency_lists_close_matches_and_count() -> None:
    n_codes = len(list(iso4217.Currency))
    with pytest.raises(UnknownCodeError, match="currency='USX'") as info:
        check_currency("USX")
    message = str(info.value)
    assert "'USD'" in message
    assert f"{n_codes} ISO 4217" in message
    assert "'ZWL'" not in message  # the whole list is not dumped


def test_unknown_currency_is_a_lookup_and_value_error() -> None:
    with pytest.raises(LookupError):
        check_currency("ABC")
    with pytest.raises(ValueError, match="ABC"):
        check_currency("ABC")


@pytest.mark.parametrize("code", ["XAU", "XDR", "xts"])
def test_currency_without_minor_unit_is_rejected(code: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"currency='{code}'.*no minor unit"):
        check_currency(code)
    with pytest.raises(InvalidInputError, match="no minor unit"):
        minor_units(code)


def test_non_string_currency_is_rejected() -> None:
    with pytest.raises(InvalidInputError, match="currency=840 is invalid: must be a string"):
        check_currency(840)


def test_error_names_the_given_field() -> None:
    with pytest.raises(UnknownCodeError, match="price_currency='EURO'"):
        check_currency("EURO", "price_currency")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("DE", "DE"), ("de", "DE"), ("DEU", "DE"), ("che", "CH"), (" gb ", "GB")],
)
def test_check_country_normalises_to_alpha2(value: str, expected: str) -> None:
    assert check_country(value) == expected


def test_unknown_country_lists_close_matches() -> None:
    with pytest.raises(UnknownCodeError, match="country='DEX' is not known") as info:
        check_country("DEX")
    assert "'DE'" in str(info.value)
    assert "ISO 3166-1" in str(info.value)


def test_non_string_country_is_rejected() -> None:
    with pytest.raises(InvalidInputError, match="country=None is invalid"):
        check_country(None)


def test_country_name() -> None:
    assert country_name("ch") == "Switzerland"
    assert country_name("DEU") == "Germany"


@pytest.mark.parametrize("make", [TimeUnit, TimeUnit.parse])
def test_unknown_time_unit_lists_the_units(make: object) -> None:
    units = "valid values are 'day', 'month', 'week', 'year'."
    with pytest.raises(UnknownCodeError) as info:
        make("fortnight")  # type: ignore[operator]
    assert str(info.value) == f"time_unit='fortnight' is not known: {units}"
    assert isinstance(info.value, ValueError)  # what Enum lookups raise
    with pytest.raises(UnknownCodeError, match=r"^time_unit='monht' .* Did you mean 'month'\?$"):
        make("monht")  # type: ignore[operator]
    with pytest.raises(UnknownCodeError, match=f"^time_unit=None is not known: {units}$"):
        make(None)  # type: ignore[operator]


def test_time_unit_takes_values_and_aliases() -> None:
    assert TimeUnit("week") is TimeUnit.WEEK
    assert TimeUnit("Weeks") is TimeUnit.WEEK  # through _missing_ and TimeUnit.parse
    assert TimeUnit(TimeUnit.DAY) is TimeUnit.DAY
