"""Time units and the one table that converts between them."""

from __future__ import annotations

import enum
from typing import Any

from ecomstrat._validation import check_choice

__all__ = ["DAYS_PER_YEAR", "TimeUnit", "to_time_unit"]

#: Mean Gregorian year (400-year cycle), the basis of the month and year units.
DAYS_PER_YEAR = 365.2425


class _TimeUnitType(enum.EnumMeta):
    """Send lookups by a value that is not a string through :meth:`TimeUnit.parse`.

    Enum's own lookup compares such a value (an array, say) with each member and fails with
    a bare ``ValueError`` or ``TypeError`` before ``_missing_`` is reached.
    """

    def __call__(cls, value: object, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or isinstance(value, str | cls):
            return super().__call__(value, *args, **kwargs)
        return cls.parse(value)  # type: ignore[attr-defined]


class TimeUnit(enum.Enum, metaclass=_TimeUnitType):
    """A unit of time used for durations (recency, ``T``, horizons) and purchase periods.

    Months and years are mean Gregorian lengths (30.436875 and 365.2425 days) when used as
    durations; as purchase *periods* they are calendar months and years.

    Examples
    --------
    >>> TimeUnit.WEEK.days
    7.0
    >>> TimeUnit.parse("week").convert(14.0, to=TimeUnit.DAY)
    98.0
    """

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"

    @property
    def days(self) -> float:
        """Length of one unit in days."""
        return _DAYS[self]

    def convert(self, value: float, *, to: TimeUnit | str) -> float:
        """Express ``value`` (in this unit) in the unit ``to``."""
        return value * self.days / TimeUnit.parse(to).days

    def per(self, other: TimeUnit | str) -> float:
        """How many of this unit fit in one ``other`` (``TimeUnit.WEEK.per('year')`` ≈ 52.18)."""
        return TimeUnit.parse(other).days / self.days

    @classmethod
    def parse(cls, value: TimeUnit | str) -> TimeUnit:
        """Return ``value`` as a :class:`TimeUnit`, accepting its name (``"week"``, ``"W"``…).

        Raises :class:`~ecomstrat.exceptions.UnknownCodeError` (a ``ValueError``) listing the
        units, with close matches, for anything else.
        """
        if isinstance(value, TimeUnit):
            return value
        key: object = value
        if isinstance(value, str):
            key = value.strip().lower()
            key = _ALIASES.get(key, key)
        return cls(check_choice("time_unit", key, [unit.value for unit in cls]))

    @classmethod
    def _missing_(cls, value: object) -> TimeUnit:
        """``TimeUnit("weeks")`` is ``TimeUnit.parse("weeks")``; unknown units raise its error.

        Examples
        --------
        >>> TimeUnit("W")
        <TimeUnit.WEEK: 'week'>
        >>> TimeUnit("fortnight")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ecomstrat.exceptions.UnknownCodeError: time_unit='fortnight' is not known: valid values ...
        """
        return cls.parse(value)  # type: ignore[arg-type]


_DAYS: dict[TimeUnit, float] = {
    TimeUnit.DAY: 1.0,
    TimeUnit.WEEK: 7.0,
    TimeUnit.MONTH: DAYS_PER_YEAR / 12.0,
    TimeUnit.YEAR: DAYS_PER_YEAR,
}

_ALIASES = {
    "d": "day",
    "days": "day",
    "w": "week",
    "weeks": "week",
    "m": "month",
    "months": "month",
    "y": "year",
    "years": "year",
}


def to_time_unit(value: TimeUnit | str) -> TimeUnit:
    """Attrs converter: :meth:`TimeUnit.parse` as a named function (what the mypy plugin reads)."""
    return TimeUnit.parse(value)
