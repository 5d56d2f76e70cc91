"""Coercion of timestamps to ``datetime64[ns]`` and of instants to purchase-period indices.

Aware timestamps are converted to UTC and the frame remembers ``timezone="UTC"``; naive ones are
kept as wall-clock times (``timezone=None``). Mixing the two is an error, because the same
wall-clock reading means different instants in different zones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ecomstrat._typing import AnyArray, DatetimeArray, IntArray
from ecomstrat._validation import invalid, shown
from ecomstrat.domain.time_unit import TimeUnit

__all__ = [
    "NS",
    "period_index",
    "period_of",
    "period_start",
    "to_datetime64",
    "to_instant",
    "to_ns",
]

NS = np.dtype("datetime64[ns]")
_MIXED = (
    "naive and timezone-aware times cannot be mixed. Make them all aware"
    " (e.g. attach UTC) or all naive wall-clock times."
)


def to_ns(values: DatetimeArray, where: Callable[[int], str]) -> DatetimeArray:
    """``datetime64`` values of any unit as ``datetime64[ns]``, refusing those out of its range.

    numpy wraps such values silently (9999-01-01 becomes 1815-03-31); ``where(i)`` names
    row ``i`` in the error. NaT stays NaT; nanosecond input is returned as is (no copy).
    """
    if values.dtype == NS:
        return values
    converted = values.astype(NS)
    outside = (converted.astype(values.dtype) != values) & ~np.isnat(values)
    if outside.any():
        i = int(np.argmax(outside))
        raise invalid(
            where(i),
            str(values[i]),
            "is outside the datetime64[ns] range (1677-09-21 to 2262-04-11)",
            "Drop or correct that row.",
        )
    return converted


def _ns(name: str, value: np.datetime64) -> np.datetime64:
    """One ``datetime64`` of any unit as nanoseconds, refusing one out of range."""
    converted: np.datetime64 = to_ns(np.array([value]), lambda _: name)[0]
    return converted


def _is_aware(value: dt.datetime) -> bool:
    return value.tzinfo is not None and value.tzinfo.utcoffset(value) is not None


def _from_objects(name: str, values: AnyArray) -> tuple[DatetimeArray, str | None]:
    out = np.empty(values.shape[0], dtype=NS)
    awareness: bool | None = None
    for i, value in enumerate(values):
        if isinstance(value, dt.datetime):
            aware = _is_aware(value)
            if awareness is None:
                awareness = aware
            elif aware != awareness:
                raise invalid(f"{name}[{i}]", value, _MIXED)
            if aware:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            out[i] = _ns(f"{name}[{i}]", np.datetime64(value))
        elif isinstance(value, dt.date | np.datetime64 | str):
            out[i] = _parse_scalar(f"{name}[{i}]", value)
        else:
            raise invalid(f"{name}[{i}]", value, "must be a datetime, a date or an ISO 8601 string")
    return out, ("UTC" if awareness else None)


def _parse_scalar(name: str, value: object) -> np.datetime64:
    try:
        parsed: np.datetime64 = np.datetime64(value)  # type: ignore[call-overload]
    except (ValueError, TypeError, OverflowError) as error:
        raise invalid(
            name, shown(value), "is not a date or time numpy can parse", "Use ISO 8601."
        ) from error
    if np.isnat(parsed):
        raise invalid(name, value, "is missing (NaT)", "Drop rows without a time first.")
    return _ns(name, parsed)


def to_datetime64(
    name: str, values: Sequence[Any] | AnyArray, timezone: str | None = None
) -> tuple[DatetimeArray, str | None]:
    """Return ``values`` as ``datetime64[ns]`` plus the timezone they are expressed in.

    ``datetime64`` input is taken as already expressed in ``timezone`` (``None`` for wall-clock
    times, ``"UTC"`` for instants) and is not copied when it already has nanosecond precision.
    """
    if timezone is not None and not (isinstance(timezone, str) and timezone == "UTC"):
        raise invalid("timezone", shown(timezone), "must be None (naive wall-clock) or 'UTC'")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):  # ragged nested sequences
        raise invalid(name, f"<{type(values).__name__}>", "must be one-dimensional") from None
    if array.ndim == 0:
        raise invalid(name, shown(values), "must be a sequence of times (one per row)")
    if array.ndim != 1:
        raise invalid(name, f"array of shape {array.shape}", "must be one-dimensional")
    if array.dtype.kind == "M":
        times = to_ns(array, lambda i: f"{name}[{i}]")
        tz = timezone
    elif array.dtype.kind in "OU" or array.dtype.kind == "S":
        if timezone is not None:
            raise invalid("timezone", timezone, "is only meaningful with datetime64 input")
        times, tz = _from_objects(name, array.astype(object))
    else:
        raise invalid(
            name, f"array of dtype {array.dtype}", "must hold datetimes, dates or ISO strings"
        )
    missing = np.isnat(times)
    if missing.any():
        i = int(np.argmax(missing))
        raise invalid(
            f"{name}[{i}]", times[i], "is missing (NaT)", "Drop rows without a time first."
        )
    return times, tz


def to_instant(name: str, value: object, timezone: str | None) -> np.datetime64:
    """Coerce one point in time to ``datetime64[ns]`` in the frame's ``timezone``.

    Dates and date-only strings are accepted for both naive and UTC frames (midnight); a
    ``datetime`` must be aware for a UTC frame and naive for a naive one.
    """
    if isinstance(value, dt.datetime):
        aware = _is_aware(value)
        if aware != (timezone is not None):
            kind = "aware" if aware else "naive"
            frame = "timezone-aware (UTC)" if timezone else "naive"
            raise invalid(name, value, f"is {kind} but the log's times are {frame}: {_MIXED}")
        if aware:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return _ns(name, np.datetime64(value))
    if isinstance(value, str) and ("+" in value[10:] or value.endswith("Z")):
        raise invalid(
            name,
            value,
            "time-zone offsets in strings are not supported",
            "Pass an aware datetime instead.",
        )
    return _parse_scalar(name, value)


def period_index(times: DatetimeArray, period: TimeUnit) -> IntArray:
    """Index of the purchase period containing each time, counted from the Unix epoch.

    Days and weeks have fixed lengths (weeks start on Monday, ISO 8601); months and years are
    calendar months and years.
    """
    if period is TimeUnit.DAY:
        return times.astype("datetime64[D]").astype(np.int64)
    if period is TimeUnit.WEEK:
        days = times.astype("datetime64[D]").astype(np.int64)
        return np.floor_divide(days + 3, 7)  # 1970-01-01 was a Thursday
    unit = "datetime64[M]" if period is TimeUnit.MONTH else "datetime64[Y]"
    return times.astype(unit).astype(np.int64)


def period_of(instant: np.datetime64, period: TimeUnit) -> int:
    """Index of the purchase period containing one instant (see :func:`period_index`)."""
    return int(period_index(np.array([instant], dtype=NS), period)[0])


def period_start(index: IntArray, period: TimeUnit) -> DatetimeArray:
    """First instant of each period index (inverse of :func:`period_index`)."""
    if period is TimeUnit.DAY:
        return index.astype("datetime64[D]").astype(NS)
    if period is TimeUnit.WEEK:
        return (index * 7 - 3).astype("datetime64[D]").astype(NS)
    unit = "datetime64[M]" if period is TimeUnit.MONTH else "datetime64[Y]"
    return index.astype(unit).astype(NS)
