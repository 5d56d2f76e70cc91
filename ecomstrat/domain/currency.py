"""ISO 4217 currency codes and their minor units."""

from __future__ import annotations

import iso4217

from ecomstrat._validation import invalid, unknown_code

__all__ = ["check_currency", "minor_units"]

_NAMES: dict[str, str] = {c.code: c.currency_name for c in iso4217.Currency}
#: Decimal places of the minor unit, for the codes that have one (not XAU, XDR, XTS…).
_MINOR_UNITS: dict[str, int] = {
    c.code: c.exponent for c in iso4217.Currency if c.exponent is not None
}


def check_currency(value: object, name: str = "currency") -> str:
    """Return ``value`` as an upper-case ISO 4217 code of a currency with a minor unit, else raise.

    Raises :class:`~ecomstrat.exceptions.UnknownCodeError` (with close matches) for an unknown
    code and :class:`~ecomstrat.exceptions.InvalidInputError` for a code without minor unit.

    Examples
    --------
    >>> check_currency(" usd")
    'USD'
    """
    if not isinstance(value, str):
        raise invalid(name, value, "must be a string", "Give an ISO 4217 code such as 'USD'.")
    code = value.strip().upper()
    if code in _MINOR_UNITS:
        return code
    if code in _NAMES:
        raise invalid(
            name,
            value,
            f"{code} ({_NAMES[code]}) has no minor unit in ISO 4217",
            "Amounts need a monetary currency such as 'USD' or 'EUR'.",
        )
    raise unknown_code(name, value, _NAMES, "ISO 4217 currency")


def minor_units(code: str) -> int:
    """Return the decimal places of the currency's minor unit (ISO 4217 "exponent").

    Examples
    --------
    >>> minor_units("JPY"), minor_units("usd"), minor_units("BHD"), minor_units("CLF")
    (0, 2, 3, 4)
    """
    return _MINOR_UNITS[check_currency(code, "code")]
