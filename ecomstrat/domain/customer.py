"""Customer: who bought, and how and when they were acquired."""

from __future__ import annotations

import datetime

import attrs

from ecomstrat.domain._fields import aware_datetime, identifier, optional_label
from ecomstrat.domain._records import Record, decoded_by
from ecomstrat.domain.country import check_country

__all__ = ["Customer"]


def _market(value: str | None) -> str | None:
    return None if value is None else check_country(value, "market")


@attrs.frozen
class Customer(Record):
    """A customer and their acquisition.

    Parameters
    ----------
    customer_id
        Non-blank string or int.
    acquired_at
        Timezone-aware time of acquisition (first order, sign-up…), or None.
    acquisition_campaign, acquisition_channel
        Campaign id and channel that acquired the customer, or None.
    market
        ISO 3166-1 country code (alpha-2 or alpha-3, any case; stored as alpha-2), or None.

    Examples
    --------
    >>> Customer("c1", market="che", acquisition_channel="search").market
    'CH'
    >>> Customer(42).to_dict()["customer_id"]
    42
    """

    customer_id: str | int = attrs.field(validator=identifier)
    acquired_at: datetime.datetime | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(aware_datetime),
        metadata=decoded_by(datetime.datetime.fromisoformat),
    )
    acquisition_campaign: str | None = attrs.field(default=None, validator=optional_label)
    acquisition_channel: str | None = attrs.field(default=None, validator=optional_label)
    market: str | None = attrs.field(default=None, converter=_market)
