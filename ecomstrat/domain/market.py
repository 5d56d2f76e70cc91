"""Market: a country the shop sells in, its currency and languages."""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from ecomstrat._validation import invalid
from ecomstrat.domain._records import Record
from ecomstrat.domain.country import check_country, country_name
from ecomstrat.domain.currency import check_currency

__all__ = ["Market"]

#: BCP 47-like tag: a 2-3 letter language, then subtags ("de", "fr-CH", "zh-Hant-TW").
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def _country(value: str) -> str:
    return check_country(value)


def _currency(value: str) -> str:
    return check_currency(value)


def _languages(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise invalid("languages", value, "must be a sequence of tags", f"Use ({value!r},).")
    tags = tuple(value)
    if not tags:
        raise invalid("languages", value, "must hold at least one language tag", "E.g. ('de',).")
    for tag in tags:
        if not isinstance(tag, str) or not _LANGUAGE_TAG.fullmatch(tag):
            raise invalid(
                "languages", value, f"{tag!r} is not a BCP 47 language tag", "E.g. 'de' or 'fr-CH'."
            )
    return tags


@attrs.frozen
class Market(Record):
    """A country market: where, in which currency and in which languages the shop sells.

    Parameters
    ----------
    country
        ISO 3166-1 code (alpha-2 or alpha-3, any case); stored as alpha-2.
    currency
        ISO 4217 code of the prices there.
    languages
        One or more BCP 47 language tags such as ``'de'`` or ``'fr-CH'``, in order of use.

    Examples
    --------
    >>> swiss = Market("che", "chf", ["de-CH", "fr-CH", "it-CH"])
    >>> swiss
    Market(country='CH', currency='CHF', languages=('de-CH', 'fr-CH', 'it-CH'))
    >>> swiss.country_name
    'Switzerland'
    """

    country: str = attrs.field(converter=_country)
    currency: str = attrs.field(converter=_currency)
    languages: tuple[str, ...] = attrs.field(converter=_languages)

    @property
    def country_name(self) -> str:
        """English short name of the country (ISO 3166-1)."""
        return country_name(self.country)
