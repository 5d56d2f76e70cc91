from __future__ import annotations

import copy
import datetime
from typing import Any

import attrs
import pytest

from ecomstrat.domain import Campaign, Customer, Market, Money, Order
from ecomstrat.exceptions import CurrencyMismatchError, InvalidInputError, UnknownCodeError

UTC = datetime.UTC
T0 = datetime.datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
MARCH_1, MARCH_31 = datetime.date(2024, 3, 1), datetime.date(2024, 3, 31)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


# --- Customer -----------------------------------------------------------------------------


def test_customer_fields_and_defaults() -> None:
    customer = Customer("c1", T0, "spring", "social", "deu")
    assert customer.market == "DE"
    assert customer.acquired_at == T0
    assert Customer(7) == Customer(7, None, None, None, None)
    assert Customer(7) != Customer("7")


@pytest.mark.parametrize("customer_id", ["", "  ", None, 1.5, True])
def test_customer_id_is_checked(customer_id: object) -> None:
    with pytest.raises(InvalidInputError, match=rf"customer_id={customer_id!r} is invalid"):
        Customer(customer_id)  # type: ignore[arg-type]


def test_customer_checks() -> None:
    with pytest.raises(InvalidInputError, match=r"acquired_at=.* must be timezone-aware"):
        Customer("c1", datetime.datetime(2024, 1, 1))
    with pytest.raises(InvalidInputError, match=r"acquisition_channel='' .*Use None if unknown"):
        Customer("c1", acquisition_channel="")
    with pytest.raises(UnknownCodeError, match="market='Germany' is not known"):
        Customer("c1", market="Germany")


def test_customer_to_dict() -> None:
    customer = Customer(42, T0, market="at")
    assert customer.to_dict() == {
        "customer_id": 42,
        "acquired_at": "2024-03-01T12:30:00+00:00",
        "acquisition_campaign": None,
        "acquisition_channel": None,
        "market": "AT",
    }
    assert Customer.from_dict(customer.to_dict()) == customer


# --- Order --------------------------------------------------------------------------------


def test_order_properties() -> None:
    order = Order("o1", "c1", T0, eur("80.00"), cost=eur("50.00"), returned=eur("20.00"))
    assert order.currency == "EUR"
    assert order.margin == eur("30.00")
    assert order.net_amount == eur("60.00")
    assert order.item_count == 1


def test_order_defaults() -> None:
    order = Order(1, 2, T0, Money("9.99", "JPY"))
    assert order.returned == Money.zero("JPY")
    assert order.margin is None
    assert order.net_amount == Money("9.99", "JPY")
    assert order.cost is None
    assert order.channel is None
    assert order.device is None


def test_naive_time_is_rejected_with_a_fix() -> None:
    with pytest.raises(InvalidInputError, match=r"time=datetime.datetime\(2024, 3, 1, 0, 0\)") as e:
        Order("o1", "c1", datetime.datetime(2024, 3, 1), eur("1"))
    assert "timezone-aware" in str(e.value)
    assert "tzinfo" in str(e.value)


def test_order_time_must_be_a_datetime() -> None:
    with pytest.raises(InvalidInputError, match=r"time=.* must be a datetime.datetime"):
        Order("o1", "c1", MARCH_1, eur("1"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"amount": eur("-1")}, r"amount=Money\('-1', 'EUR'\) is invalid: must be >= 0"),
        ({"amount": 12.5}, r"amount=12.5 is invalid: must be Money"),
        ({"cost": eur("-0.01")}, r"cost=Money\('-0.01', 'EUR'\) is invalid: must be >= 0"),
        ({"returned": eur("10.01")}, r"returned=Money\('10.01', 'EUR'\) .* must be <= amount"),
        ({"returned": eur("-1")}, r"returned=.* must be >= 0"),
        ({"item_count": 0}, "item_count=0 is invalid: must be >= 1"),
        ({"item_count": 1.0}, "item_count=1.0 is invalid: must be an int"),
        ({"order_id": ""}, "order_id='' is invalid: must not be blank"),
        ({"device": 3}, "device=3 is invalid: must be a non-blank string"),
    ],
)
def test_order_checks(changes: dict[str, Any], pattern: str) -> None:
    fields: dict[str, Any] = {
        "order_id": "o1",
        "customer_id": "c1",
        "time": T0,
        "amount": eur("10"),
    } | changes
    with pytest.raises(InvalidInputError, match=pattern):
        Order(**fields)


@pytest.mark.parametrize("field", ["cost", "returned"])
def test_order_currencies_must_match(field: str) -> None:
    kwargs: dict[str, Any] = {field: Money("1", "USD")}
    with pytest.raises(CurrencyMismatchError, match=rf"{field}=Money\('1', 'USD'\).*amount="):
        Order("o1", "c1", T0, eur("10"), **kwargs)


def test_order_is_frozen_and_hashable() -> None:
    order = Order("o1", "c1", T0, eur("10"))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        order.amount = eur("11")  # type: ignore[misc]
    same = Order(
        "o1", "c1", T0.astimezone(datetime.timezone(datetime.timedelta(hours=2))), eur("10.0")
    )
    assert order == same
    assert hash(order) == hash(same)


def test_order_to_dict() -> None:
    order = Order("o1", 5, T0, eur("80.00"), cost=eur("50"), item_count=2, channel="web")
    data = order.to_dict()
    assert data == {
        "order_id": "o1",
        "customer_id": 5,
        "time": "2024-03-01T12:30:00+00:00",
        "amount": {"amount": "80.00", "currency": "EUR"},
        "cost": {"amount": "50", "currency": "EUR"},
        "item_count": 2,
        "channel": "web",
        "device": None,
        "returned": {"amount": "0.00", "currency": "EUR"},
    }
    assert Order.from_dict(data) == order


def test_from_dict_fills_defaults_and_does_not_mutate() -> None:
    data = {"order_id": "o1", "customer_id": "c1", "time": "2024-03-01T12:30:00Z",
            "amount": {"amount": "5", "currency": "eur"}}  # fmt: skip
    before = copy.deepcopy(data)
    order = Order.from_dict(data)
    assert data == before
    assert order == Order("o1", "c1", T0, eur("5"))


def test_from_dict_unknown_and_missing_keys() -> None:
    data = Order("o1", "c1", T0, eur("5")).to_dict()
    with pytest.raises(
        InvalidInputError, match=r"Order.from_dict: data has unknown key.* 'colour'"
    ):
        Order.from_dict(data | {"colour": "red"})
    del data["time"]
    with pytest.raises(InvalidInputError, match=r"missing key.* 'time'"):
        Order.from_dict(data)
    with pytest.raises(
        InvalidInputError, match=r"Money.from_dict: data has missing key.* 'currency'"
    ):
        Money.from_dict({"amount": "1"})


def test_from_dict_bad_values_name_the_field() -> None:
    data = Order("o1", "c1", T0, eur("5")).to_dict()
    with pytest.raises(
        InvalidInputError, match="time='yesterday' is invalid: could not be decoded"
    ):
        Order.from_dict(data | {"time": "yesterday"})
    with pytest.raises(InvalidInputError, match="amount='5' is invalid: could not be decoded"):
        Order.from_dict(data | {"amount": "5"})
    with pytest.raises(InvalidInputError, match=r"data=.* must be a mapping"):
        Order.from_dict([("order_id", "o1")])  # type: ignore[arg-type]


# --- Campaign -----------------------------------------------------------------------------


def test_campaign_properties() -> None:
    spring = Campaign("spring", "social", eur("1000"), MARCH_1, MARCH_31, 30)
    assert spring.cac == eur("33.33")  # 1000 / 30 = 33.333...
    assert spring.duration_days == 31
    assert spring.contains(MARCH_1)
    assert spring.contains(MARCH_31)
    assert not spring.contains(datetime.date(2024, 4, 1))
    assert spring.contains(datetime.datetime(2024, 3, 31, 23, 59, tzinfo=UTC))


def test_campaign_cac_rounds_half_even() -> None:
    # 0.25 / 2 = 0.125 -> 0.12 (even); 0.35 / 2 = 0.175 -> 0.18 (even)
    assert Campaign("c", "tv", eur("0.25"), MARCH_1, MARCH_1, 2).cac == eur("0.12")
    assert Campaign("c", "tv", eur("0.35"), MARCH_1, MARCH_1, 2).cac == eur("0.18")


@pytest.mark.parametrize("acquired", [None, 0])
def test_campaign_cac_is_none_without_customers(acquired: int | None) -> None:
    campaign = Campaign("c", "tv", eur("100"), MARCH_1, MARCH_1, acquired)
    assert campaign.cac is None
    assert campaign.duration_days == 1


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"end": datetime.date(2024, 2, 29)}, r"end=datetime.date\(2024, 2, 29\) .* >= start"),
        ({"start": datetime.datetime(2024, 3, 1)}, "start=.* must be a date, not a datetime"),
        ({"end": "2024-03-31"}, "end='2024-03-31' is invalid: must be a datetime.date"),
        ({"spend": eur("-5")}, r"spend=Money\('-5', 'EUR'\) is invalid: must be >= 0"),
        ({"customers_acquired": -1}, "customers_acquired=-1 is invalid: must be >= 0"),
        ({"channel": " "}, "channel=' ' is invalid: must be a non-blank string"),
        ({"campaign_id": 5}, "campaign_id=5 is invalid: must be a non-blank string"),
    ],
)
def test_campaign_checks(changes: dict[str, Any], pattern: str) -> None:
    fields: dict[str, Any] = {
        "campaign_id": "c",
        "channel": "tv",
        "spend": eur("1"),
        "start": MARCH_1,
        "end": MARCH_31,
    } | changes
    with pytest.raises(InvalidInputError, match=pattern):
        Campaign(**fields)


def test_campaign_to_dict() -> None:
    campaign = Campaign("spring", "social", eur("1000.00"), MARCH_1, MARCH_31)
    assert campaign.to_dict() == {
        "campaign_id": "spring",
        "channel": "social",
        "spend": {"amount": "1000.00", "currency": "EUR"},
        "start": "2024-03-01",
        "end": "2024-03-31",
        "customers_acquired": None,
    }
    assert Campaign.from_dict(campaign.to_dict()) == campaign


# --- Market -------------------------------------------------------------------------------


def test_market_normalises_codes() -> None:
    languages = ["de-CH", "fr-CH"]
    swiss = Market("che", "chf", languages)
    assert swiss == Market("CH", "CHF", ("de-CH", "fr-CH"))
    assert swiss.languages == ("de-CH", "fr-CH")
    assert languages == ["de-CH", "fr-CH"]
    assert swiss.country_name == "Switzerland"
    assert Market("DE", "EUR", ("de",)).country_name == "Germany"


@pytest.mark.parametrize(
    ("changes", "error", "pattern"),
    [
        ({"country": "XX"}, UnknownCodeError, "country='XX' is not known"),
        ({"currency": "EURO"}, UnknownCodeError, "currency='EURO' .*'EUR'"),
        ({"currency": "XAU"}, InvalidInputError, "currency='XAU' .*no minor unit"),
        ({"languages": ()}, InvalidInputError, r"languages=\(\) .* at least one"),
        ({"languages": "de"}, InvalidInputError, r"languages='de' .*Use \('de',\)"),
        ({"languages": ("de", "german!")}, InvalidInputError, "'german!' is not a BCP 47"),
        ({"languages": ("de_DE",)}, InvalidInputError, "'de_DE' is not a BCP 47"),
        ({"languages": (1,)}, InvalidInputError, "1 is not a BCP 47"),
        (
            {"languages": 5},
            InvalidInputError,
            r"^languages=5 is invalid: must be a sequence of tags",
        ),
        (
            {"languages": ["zz-bogus"]},
            UnknownCodeError,
            r"^languages\[0\]='zz-bogus' is not known: valid values are the \d+ ISO 639 language"
            r" codes\.",
        ),
        (
            {"languages": ["de", "ger"]},
            UnknownCodeError,
            r"^languages\[1\]='ger' is not known: .* ISO 639 language codes\. Did you mean",
        ),
        (
            {"languages": ["de-XX"]},
            UnknownCodeError,
            r"^languages\[0\]='de-XX' is not known: valid values are the \d+ ISO 3166-1 and UN M49"
            r" region codes\.",
        ),
        (
            {"languages": ["sr-Latx"]},
            UnknownCodeError,
            r"^languages\[0\]='sr-Latx' is not known: .* ISO 15924 script codes\. Did you mean"
            r" 'Latn'",
        ),
    ],
)
def test_market_checks(changes: dict[str, Any], error: type[Exception], pattern: str) -> None:
    fields: dict[str, Any] = {"country": "DE", "currency": "EUR", "languages": ("de",)} | changes
    with pytest.raises(error, match=pattern):
        Market(**fields)


@pytest.mark.parametrize(
    "tag", ["de", "fr-CH", "zh-Hant-TW", "es-419", "sr-Latn", "de-CH-1996", "gsw", "EN-us"]
)
def test_market_accepts_real_language_tags(tag: str) -> None:
    assert Market("CH", "CHF", [tag]).languages == (tag,)


def test_market_to_dict() -> None:
    market = Market("DEU", "EUR", ("de", "en-GB"))
    assert market.to_dict() == {"country": "DE", "currency": "EUR", "languages": ["de", "en-GB"]}
    assert Market.from_dict(market.to_dict()) == market
    assert repr(market) == "Market(country='DE', currency='EUR', languages=('de', 'en-GB'))"
