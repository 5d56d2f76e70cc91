"""Campaign: marketing spend over a date range and the customers it acquired."""

from __future__ import annotations

import datetime
from typing import Any

import attrs

from ecomstrat._validation import invalid
from ecomstrat.domain._fields import calendar_date, count_at_least, label, non_negative_money
from ecomstrat.domain._records import Record, decoded_by
from ecomstrat.domain.money import Money

__all__ = ["Campaign"]


@attrs.frozen
class Campaign(Record):
    """A marketing campaign.

    Parameters
    ----------
    campaign_id
        Non-blank string (matches :attr:`Customer.acquisition_campaign`).
    channel
        Non-blank channel name ("search", "social"…).
    spend
        Total spend, >= 0.
    start, end
        First and last day, both included (``end >= start``).
    customers_acquired
        New customers attributed to the campaign (>= 0), or None if unknown.

    Examples
    --------
    >>> spring = Campaign("spring", "social", Money("1000", "EUR"),
    ...                   datetime.date(2024, 3, 1), datetime.date(2024, 3, 31), 30)
    >>> spring.cac, spring.duration_days, spring.contains(datetime.date(2024, 3, 31))
    (Money('33.33', 'EUR'), 31, True)
    """

    campaign_id: str = attrs.field(validator=label)
    channel: str = attrs.field(validator=label)
    spend: Money = attrs.field(validator=non_negative_money, metadata=decoded_by(Money.from_dict))
    start: datetime.date = attrs.field(
        validator=calendar_date, metadata=decoded_by(datetime.date.fromisoformat)
    )
    end: datetime.date = attrs.field(
        validator=calendar_date, metadata=decoded_by(datetime.date.fromisoformat)
    )
    customers_acquired: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(count_at_least(0))
    )

    @end.validator
    def _check_end(self, attribute: attrs.Attribute[Any], value: datetime.date) -> None:
        if value < self.start:
            raise invalid("end", value, f"must be >= start ({self.start})", "Swap start and end?")

    @property
    def cac(self) -> Money | None:
        """Customer acquisition cost: spend per acquired customer, rounded half-even.

        None when ``customers_acquired`` is None or 0 (no cost per customer exists).
        """
        if not self.customers_acquired:
            return None
        return (self.spend / self.customers_acquired).round()

    @property
    def duration_days(self) -> int:
        """Number of days, both ends included."""
        return (self.end - self.start).days + 1

    def contains(self, when: datetime.date) -> bool:
        """Whether ``when`` falls within the campaign; a datetime counts by its own date."""
        day = when.date() if isinstance(when, datetime.datetime) else when
        return self.start <= day <= self.end
