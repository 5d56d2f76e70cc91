"""ISO 3166-1 country codes."""

from __future__ import annotations

import iso3166

from ecomstrat._validation import invalid, unknown_code

__all__ = ["check_country", "country_name"]

#: Alpha-2 and alpha-3 codes, each mapped to its alpha-2 code.
_ALPHA2: dict[str, str] = {
    code: c.alpha2 for c in iso3166.countries for code in (c.alpha2, c.alpha3)
}


def check_country(value: object, name: str = "country") -> str:
    """Return ``value`` as an ISO 3166-1 alpha-2 code; alpha-3 codes and any case are accepted.

    Raises :class:`~ecomstrat.exceptions.UnknownCodeError`, with close matches, otherwise.

    Examples
    --------
    >>> check_country("deu"), check_country("fr")
    ('DE', 'FR')
    """
    if not isinstance(value, str):
        raise invalid(name, value, "must be a string", "Give an ISO 3166-1 code such as 'DE'.")
    code = _ALPHA2.get(value.strip().upper())
    if code is None:
        raise unknown_code(name, value, _ALPHA2, "ISO 3166-1 alpha-2 and alpha-3")
    return code


def country_name(code: str) -> str:
    """Return the English short name of a country (ISO 3166-1).

    Examples
    --------
    >>> country_name("CH")
    'Switzerland'
    """
    return iso3166.countries_by_alpha2[check_country(code, "code")].name
