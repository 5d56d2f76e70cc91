"""Order: one purchase, its value, cost and returns."""

from __future__ import annotations

import datetime
from typing import Any

import attrs

from ecomstrat._validation import invalid
from ecomstrat.domain._fields import (
    aware_datetime,
    count_at_least,
    identifier,
    non_negative_money,
    optional_label,
)
from ecomstrat.domain._records import Record, decoded_by
from ecomstrat.domain.money import Money
from ecomstrat.exceptions import CurrencyMismatchError

__all__ = ["Order"]


def _returned_default(order: Order) -> Money:
    # A non-Money ``amount`` fails its own validator, which runs first; the fallback
    # currency only keeps this default from raising an AttributeError before that.
    return Money.zero(getattr(order.amount, "currency", "USD"))


@attrs.frozen
class Order(Record):
    """One order.

    Parameters
    ----------
    order_id, customer_id
        Non-blank strings or ints.
    time
        Timezone-aware time of the order.
    amount
        Money the customer paid, >= 0.
    cost
        Cost of goods (and fulfilment) in the same currency, >= 0, or None if unknown.
    item_count
        Number of items, >= 1.
    channel, device
        Sales channel and device, or None.
    returned
        Refunded or returned part of ``amount`` (0 <= returned <= amount); zero by default.

    Examples
    --------
    >>> order = Order("o1", "c1", datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC),
    ...               Money("80.00", "EUR"), cost=Money("50.00", "EUR"),
    ...               returned=Money("20.00", "EUR"))
    >>> order.margin, order.net_amount
    (Money('30.00', 'EUR'), Money('60.00', 'EUR'))
    """

    order_id: str | int = attrs.field(validator=identifier)
    customer_id: str | int = attrs.field(validator=identifier)
    time: datetime.datetime = attrs.field(
        validator=aware_datetime, metadata=decoded_by(datetime.datetime.fromisoformat)
    )
    amount: Money = attrs.field(validator=non_negative_money, metadata=decoded_by(Money.from_dict))
    cost: Money | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(non_negative_money),
        metadata=decoded_by(Money.from_dict),
    )
    item_count: int = attrs.field(default=1, validator=count_at_least(1))
    channel: str | None = attrs.field(default=None, validator=optional_label)
    device: str | None = attrs.field(default=None, validator=optional_label)
    returned: Money = attrs.field(
        default=attrs.Factory(_returned_default, takes_self=True),
        validator=non_negative_money,
        metadata=decoded_by(Money.from_dict),
    )

    @cost.validator
    def _check_cost(self, attribute: attrs.Attribute[Any], value: Money | None) -> None:
        if value is not None:
            self._check_currency(attribute, value)

    @returned.validator
    def _check_returned(self, attribute: attrs.Attribute[Any], value: Money) -> None:
        self._check_currency(attribute, value)
        if value > self.amount:
            raise invalid("returned", value, f"must be <= amount ({self.amount})")

    def _check_currency(self, attribute: attrs.Attribute[Any], value: Money) -> None:
        if value.currency != self.amount.currency:
            raise CurrencyMismatchError(
                f"{attribute.name}={value!r} is invalid: must be in the currency of"
                f" amount={self.amount!r}. Convert it first."
            )

    @property
    def currency(self) -> str:
        """ISO 4217 code of the order's amounts."""
        return self.amount.currency

    @property
    def margin(self) -> Money | None:
        """``amount - cost``, or None when the cost is unknown."""
        return None if self.cost is None else self.amount - self.cost

    @property
    def net_amount(self) -> Money:
        """``amount - returned``: what the customer kept paying for."""
        return self.amount - self.returned
