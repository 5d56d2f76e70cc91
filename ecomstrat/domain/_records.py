"""The shared ``to_dict`` / ``from_dict`` of the domain records (attrs classes)."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Mapping
from typing import Any, Self, cast

import attr
import attrs

from ecomstrat._validation import invalid
from ecomstrat.exceptions import InvalidInputError

__all__ = ["Record", "decoded_by"]

_DECODE = "ecomstrat.decode"


def decoded_by(decode: Callable[[Any], Any]) -> dict[str, Any]:
    """Field metadata: ``from_dict`` passes the field's JSON value through ``decode``."""
    return {_DECODE: decode}


def _encode(instance: Any, field: attrs.Attribute[Any], value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, datetime.date):  # also datetime.datetime
        return value.isoformat()
    return value


class Record:
    """Mixin of the frozen attrs domain classes: conversion to and from JSON-able dicts."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict: decimals as strings, dates in ISO 8601, tuples as lists."""
        # attr.asdict (unlike attrs.asdict) turns tuples into lists; it recurses into Money.
        return attr.asdict(
            cast(attrs.AttrsInstance, self),
            retain_collection_types=False,
            value_serializer=_encode,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild an instance from :meth:`to_dict` output; every value is validated again."""
        if not isinstance(data, Mapping):
            raise invalid(
                "data", data, "must be a mapping", f"Pass {cls.__name__}.to_dict() output."
            )
        fields = attrs.fields_dict(cast(type[attrs.AttrsInstance], cls))
        unknown = sorted(set(data) - set(fields))
        missing = [
            name for name, f in fields.items() if f.default is attrs.NOTHING and name not in data
        ]
        if unknown or missing:
            problems = [f"unknown key(s) {', '.join(map(repr, unknown))}"] if unknown else []
            problems += [f"missing key(s) {', '.join(map(repr, missing))}"] if missing else []
            raise InvalidInputError(
                f"{cls.__name__}.from_dict: data has {' and '.join(problems)}."
                f" Valid keys are {', '.join(map(repr, fields))}."
            )
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            decode = fields[name].metadata.get(_DECODE)
            if decode is None or value is None:
                kwargs[name] = value
                continue
            try:
                kwargs[name] = decode(value)
            except (TypeError, ValueError) as exc:
                raise invalid(name, value, f"could not be decoded ({exc})") from exc
        return cast(Callable[..., Self], cls)(**kwargs)
