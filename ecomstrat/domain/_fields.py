"""attrs validators shared by the domain records; each error names the field."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeAlias

import attrs

from ecomstrat._validation import invalid
from ecomstrat.domain.money import Money

__all__ = [
    "aware_datetime",
    "calendar_date",
    "count_at_least",
    "identifier",
    "label",
    "non_negative_money",
    "optional_label",
]

Validator: TypeAlias = Callable[[object, "attrs.Attribute[Any]", object], None]


def identifier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check an id: a non-blank string or an int."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise invalid(attribute.name, value, "must be a str or an int")
    if isinstance(value, str) and not value.strip():
        raise invalid(attribute.name, value, "must not be blank")


def label(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a name such as a channel or campaign: a non-blank string."""
    if not isinstance(value, str) or not value.strip():
        raise invalid(attribute.name, value, "must be a non-blank string")


def optional_label(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a non-blank string, or None when unknown."""
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise invalid(attribute.name, value, "must be a non-blank string", "Use None if unknown.")


def aware_datetime(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a timezone-aware :class:`datetime.datetime`."""
    if not isinstance(value, datetime.datetime):
        raise invalid(attribute.name, value, "must be a datetime.datetime")
    if value.utcoffset() is None:
        raise invalid(
            attribute.name,
            value,
            "must be timezone-aware",
            "Attach a zone, e.g. value.replace(tzinfo=datetime.UTC) or a zoneinfo.ZoneInfo.",
        )


def calendar_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a :class:`datetime.date` that is not a datetime."""
    if isinstance(value, datetime.datetime):
        raise invalid(attribute.name, value, "must be a date, not a datetime", "Use value.date().")
    if not isinstance(value, datetime.date):
        raise invalid(attribute.name, value, "must be a datetime.date")


def non_negative_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a :class:`Money` amount >= 0."""
    if not isinstance(value, Money):
        raise invalid(attribute.name, value, "must be Money", "E.g. Money('12.50', 'USD').")
    if value.is_negative():
        raise invalid(attribute.name, value, "must be >= 0")


def count_at_least(minimum: int) -> Validator:
    """Build a validator of an int (not a bool) >= ``minimum``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(attribute.name, value, "must be an int")
        if value < minimum:
            raise invalid(attribute.name, value, f"must be >= {minimum}")

    return check
