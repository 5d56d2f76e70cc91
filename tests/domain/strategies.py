"""Hypothesis strategies for the domain records."""

from __future__ import annotations

import datetime
from decimal import Decimal

import babel
import iso3166
import iso4217
from hypothesis import strategies as st

from ecomstrat.domain import Campaign, Customer, Market, Money, Order

CURRENCIES = sorted(c.code for c in iso4217.Currency if c.exponent is not None)
COUNTRIES = sorted(c.alpha2 for c in iso3166.countries)

currencies = st.sampled_from(CURRENCIES)
countries = st.sampled_from(COUNTRIES)

#: Exact decimals with 0-6 decimal places, up to 10**18 in magnitude.
amounts = st.builds(
    lambda units, places: Decimal(units).scaleb(-places),
    st.integers(-(10**18), 10**18),
    st.integers(0, 6),
)
non_negative_amounts = amounts.map(abs)

labels = st.text("abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=12)
identifiers = st.one_of(labels, st.integers())
timezones = st.builds(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes)),
    st.integers(-23 * 60 - 59, 23 * 60 + 59),
)
aware_datetimes = st.datetimes(
    min_value=datetime.datetime(1900, 1, 1),
    max_value=datetime.datetime(2100, 1, 1),
    timezones=timezones,
)
dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 1, 1))
#: ISO 639 language codes CLDR knows (Market checks the language and region subtags).
LANGUAGES = sorted(c for c in map(str, babel.Locale("en").languages) if c.isalpha() and len(c) <= 3)
language_tags = st.builds(
    lambda language, suffix: language + suffix,
    st.sampled_from(LANGUAGES),
    st.one_of(
        st.just(""),
        countries.map("-{}".format),
        st.from_regex(r"-[A-Za-z0-9]{5,8}", fullmatch=True),  # a variant (not checked)
    ),
)


def moneys(currency: str | None = None, *, non_negative: bool = False) -> st.SearchStrategy[Money]:
    """Money in ``currency`` (any monetary currency when None)."""
    values = non_negative_amounts if non_negative else amounts
    codes = currencies if currency is None else st.just(currency)
    return st.builds(Money, values, codes)


customers = st.builds(
    Customer,
    identifiers,
    st.none() | aware_datetimes,
    st.none() | labels,
    st.none() | labels,
    st.none() | countries,
)


@st.composite
def orders(draw: st.DrawFn) -> Order:
    """Valid orders: 0 <= returned <= amount, cost in the amount's currency."""
    amount = draw(moneys(non_negative=True))
    returned = draw(moneys(amount.currency, non_negative=True))
    return Order(
        draw(identifiers),
        draw(identifiers),
        draw(aware_datetimes),
        amount,
        cost=draw(st.none() | moneys(amount.currency, non_negative=True)),
        item_count=draw(st.integers(1, 1000)),
        channel=draw(st.none() | labels),
        device=draw(st.none() | labels),
        returned=min(returned, amount),
    )


@st.composite
def campaigns(draw: st.DrawFn) -> Campaign:
    """Valid campaigns: ``end >= start``."""
    start = draw(dates)
    return Campaign(
        draw(labels),
        draw(labels),
        draw(moneys(non_negative=True)),
        start,
        start + datetime.timedelta(days=draw(st.integers(0, 365))),
        draw(st.none() | st.integers(0, 10**6)),
    )


markets = st.builds(
    Market,
    countries,
    currencies,
    st.lists(language_tags, min_size=1, max_size=4).map(tuple),
)
