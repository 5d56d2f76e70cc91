"""Market: a country the shop sells in, its currency and languages."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import attrs
import babel

from ecomstrat._validation import invalid, unknown_code
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


@functools.cache
def _subtags() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The language, script and region subtags CLDR knows (through babel)."""
    english = babel.Locale("en")
    return (
        frozenset(code for code in map(str, english.languages) if "_" not in code),
        frozenset(english.scripts),
        frozenset(english.territories),
    )


def _check_subtags(name: str, tag: str) -> None:
    """Refuse a tag whose language, script or region subtag is not a known code."""
    languages, scripts, regions = _subtags()
    language, *rest = tag.split("-")
    if language.lower() not in languages:
        raise unknown_code(name, tag, languages, "ISO 639 language", key=lambda _: language.lower())
    while rest and len(rest[0]) == 3 and rest[0].isalpha():  # extended language subtags
        rest = rest[1:]
    if rest and len(rest[0]) == 4 and rest[0].isalpha():
        script = rest.pop(0).title()
        if script not in scripts:
            raise unknown_code(name, tag, scripts, "ISO 15924 script", key=lambda _: script)
    region = rest[0].upper() if rest else ""
    is_region = (len(region) == 2 and region.isalpha()) or (len(region) == 3 and region.isdigit())
    if is_region and region not in regions:
        raise unknown_code(name, tag, regions, "ISO 3166-1 and UN M49 region", key=lambda _: region)


def _languages(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise invalid("languages", value, "must be a sequence of tags", f"Use ({value!r},).")
    if not isinstance(value, Iterable):
        raise invalid("languages", value, "must be a sequence of tags", "E.g. ('de', 'fr-CH').")
    tags = tuple(value)
    if not tags:
        raise invalid("languages", value, "must hold at least one language tag", "E.g. ('de',).")
    for i, tag in enumerate(tags):
        if not isinstance(tag, str) or not _LANGUAGE_TAG.fullmatch(tag):
            raise invalid(
                "languages", value, f"{tag!r} is not a BCP 47 language tag", "E.g. 'de' or 'fr-CH'."
            )
        _check_subtags(f"languages[{i}]", tag)
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
        One or more BCP 47 language tags such as ``'de'`` or ``'fr-CH'``, in order of use;
        their language, script and region subtags must be codes CLDR knows (through babel).

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
