from __future__ import annotations

import json

from hypothesis import given, strategies as st

from ecomstrat.domain import Campaign, Customer, Market, Money, Order
from tests.domain.strategies import campaigns, customers, markets, moneys, orders

records = st.one_of(moneys(), customers, orders(), campaigns(), markets)


@given(records)
def test_to_dict_from_dict_round_trip(record: Money | Customer | Order | Campaign | Market) -> None:
    data = record.to_dict()
    assert type(record).from_dict(data) == record


@given(records)
def test_to_dict_is_json(record: Money | Customer | Order | Campaign | Market) -> None:
    text = json.dumps(record.to_dict())
    restored = type(record).from_dict(json.loads(text))
    assert restored == record
    assert hash(restored) == hash(record)


@given(moneys())
def test_money_dict_keeps_the_exact_amount(money: Money) -> None:
    data = money.to_dict()
    assert data == {"amount": format(money.amount, "f"), "currency": money.currency}
    assert Money.from_dict(data).amount.as_tuple() == money.amount.as_tuple()


@given(orders())
def test_order_invariants(order: Order) -> None:
    assert Money.zero(order.currency) <= order.net_amount <= order.amount
    if order.cost is not None:
        assert order.margin == order.amount - order.cost
