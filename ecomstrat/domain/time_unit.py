"""Time units and the one table that converts between them."""

from __future__ import annotations

import enum

from ecomstrat._validation import check_choice

__all__ = ["DAYS_PER_YEAR", "TimeUnit"]

#: Mean Gregorian year (400-year cycle), the basis of the month and year units.
DAYS_PER_YEAR = 365.2425


class TimeUnit(enum.Enum):
    """A unit of time used for durations (recency, ``T``, horizons) and purchase periods.

    Months and years are mean Gregorian lengths (30.436875 and 365.2425 days) when used as
    durations; as purchase *periods* they are calendar months and years.

    Examples
    --------
    >>> TimeUnit.WEEK.days
    7.0
    >>> TimeUnit.parse("week").convert(14.0, TimeUnit.DAY)
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

    def convert(self, value: float, to: TimeUnit | str) -> float:
        """Express ``value`` (in this unit) in the unit ``to``."""
        return value * self.days / TimeUnit.parse(to).days

    def per(self, other: TimeUnit | str) -> float:
        """How many of this unit fit in one ``other`` (``TimeUnit.WEEK.per('year')`` ≈ 52.18)."""
        return TimeUnit.parse(other).days / self.days

    @classmethod
    def parse(cls, value: TimeUnit | str) -> TimeUnit:
        """Return ``value`` as a :class:`TimeUnit`, accepting its name (``"week"``, ``"W"``…)."""
        if isinstance(value, TimeUnit):
            return value
        key = str(value).strip().lower()
        key = _ALIASES.get(key, key)
        return cls(check_choice("time_unit", key, [unit.value for unit in cls]))


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
