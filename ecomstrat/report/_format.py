"""Number formatting shared by the report sections (one style for the whole report)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["count", "date", "number", "p_value", "share"]

#: Shown where a number is undefined (an empty group, a rate over zero time).
MISSING = "-"


def count(value: int) -> str:
    """An integer with thousands separators: ``20,000``."""
    return f"{value:,}"


def number(value: float | None, digits: int = 2) -> str:
    """A real number with ``digits`` decimals and thousands separators."""
    return MISSING if value is None else f"{value:,.{digits}f}"


def share(value: float | None) -> str:
    """A fraction as a percentage with one decimal: ``0.4062`` -> ``40.6%``."""
    return MISSING if value is None else f"{value:.1%}"


def p_value(p: float) -> str:
    """Two significant digits; below the smallest double ``< 1e-300``; NaN :data:`MISSING`."""
    if math.isnan(p):
        return MISSING
    return f"{p:.2g}" if p > 0 else "< 1e-300"


def date(value: np.datetime64 | None) -> str:
    """A time as ISO 8601, shortened to the date at midnight."""
    if value is None:
        return MISSING
    day = value.astype("datetime64[D]")
    if day == value:
        return str(day)
    return str(np.datetime_as_string(value, unit="s")).replace("T", " ")


def json_values(values: Any) -> Any:
    """An array as JSON-able lists: NaN becomes None, datetimes ISO dates."""
    array = np.asarray(values)
    if array.dtype.kind == "M":
        return [str(v) for v in np.datetime_as_string(array, unit="D")]
    if array.dtype.kind == "f":
        return [
            [None if math.isnan(v) else v for v in row]
            if isinstance(row, list)
            else (None if math.isnan(row) else row)
            for row in array.tolist()
        ]
    return array.tolist()


def json_columns(columns: dict[str, Any]) -> dict[str, Any]:
    """Named columns as JSON-able lists (see :func:`json_values`)."""
    return {name: json_values(values) for name, values in columns.items()}
