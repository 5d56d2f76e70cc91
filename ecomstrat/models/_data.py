"""Validated per-customer inputs of the BTYD models: histories, times, counts, time units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import (
    as_float_array,
    check_number,
    check_same_length,
    invalid,
    shown,
)
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._foreign import (
    Table,
    frame_column,
    frame_ids,
    frame_library,
    frame_names,
)
from ecomstrat.frames.summary import CustomerSummary

__all__ = [
    "RFMArrays",
    "as_rfm_arrays",
    "check_data",
    "counts",
    "fit_unit",
    "floats",
    "is_scalar",
    "one_customer",
    "per_customer",
    "scalar_time",
    "table_columns",
    "table_ids",
    "table_summary",
    "times",
]

ArrayLike = Sequence[float] | AnyArray


@attrs.frozen(eq=False)
class RFMArrays:
    """``x``, ``t_x``, ``T`` as float64 (``x`` whole numbers), with a weight per row."""

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    weights: FloatArray

    def __len__(self) -> int:
        return int(self.x.shape[0])


def as_rfm_arrays(
    data: CustomerSummary | Table | tuple[ArrayLike, ArrayLike, ArrayLike],
    time_unit: TimeUnit | None = None,
    *,
    weights: ArrayLike | None = None,
    allow_empty: bool = False,
) -> RFMArrays:
    """Validate ``(frequency, recency, T)`` for the continuous-time models.

    A :class:`CustomerSummary` is converted to ``time_unit`` when given; a pandas, polars or
    Arrow table gives its columns ``frequency``, ``recency`` and ``T``. Errors name the
    first offending customer: negative or non-integer ``x``, ``t_x`` outside ``[0, T]``,
    ``t_x > 0`` with ``x = 0``, non-positive ``T``, NaN anywhere.
    """
    raw: Sequence[object]
    if isinstance(data, CustomerSummary):
        summary = data if time_unit is None else data.to_unit(time_unit)
        raw = (summary.frequency, summary.recency, summary.T)
    else:
        raw = check_data(data, _RFM, _RFM_FIX, columns=_NAMES)
    x, t_x, T = (as_float_array(name, v, ndim=1) for name, v in zip(_NAMES, raw, strict=True))
    n = check_same_length(frequency=x, recency=t_x, T=T)
    if n == 0 and not allow_empty:
        raise EmptyInputError("no customers: frequency, recency and T are empty.")
    w = np.ones(n) if weights is None else as_float_array("weights", weights, ndim=1)
    check_same_length(frequency=x, weights=w)
    rules = [
        ("frequency", x, ~np.isfinite(x) | (x < 0), "must be a finite number >= 0"),
        ("frequency", x, np.isfinite(x) & (x != np.round(x)), "must be a whole number"),
        ("T", T, ~np.isfinite(T) | (T <= 0), "must be finite and > 0"),
        ("recency", t_x, ~np.isfinite(t_x) | (t_x < 0), "must be finite and >= 0"),
        ("recency", t_x, t_x > T, "must be <= T"),
        ("recency", t_x, (x == 0) & (t_x != 0), "must be 0 when frequency is 0"),
        ("weights", w, ~np.isfinite(w) | (w < 0), "must be finite and >= 0"),
    ]
    for name, values, bad, rule in rules:
        if bad.any():
            i = int(np.argmax(bad))
            raise invalid(
                f"{name}[{i}]", float(values[i]), rule, f"{int(bad.sum())} row(s) break this rule."
            )
    return RFMArrays(x, t_x, T, w)


#: What the continuous-time models take, and how to build it.
_NAMES = ("frequency", "recency", "T")
_RFM = (
    "a CustomerSummary, a pandas, polars or Arrow table with columns frequency, recency and T,"
    " or a (frequency, recency, T) tuple of arrays"
)
_RFM_FIX = (
    "Build one with ecomstrat.rfm_summary(log) or CustomerSummary.from_arrays(frequency,"
    " recency, T)."
)


def table_columns(
    data: object, required: Sequence[str], optional: Sequence[str] = ()
) -> dict[str, AnyArray] | None:
    """The named columns of ``data`` if it is a pandas, polars or Arrow table, else None.

    Every ``required`` column must be present (a missing one raises
    :class:`~ecomstrat.exceptions.UnknownCodeError` listing the table's columns); the
    ``optional`` ones are included when present.
    """
    if frame_library(data) is None:
        return None
    present = frame_names(data)
    wanted = [*required, *(name for name in optional if name in present)]
    return {name: frame_column(data, name) for name in wanted}


def table_ids(data: object) -> AnyArray | None:
    """The ``customer_id`` column of a pandas, polars or Arrow table (or index), else None."""
    return None if frame_library(data) is None else frame_ids(data)


def table_summary(data: object, time_unit: TimeUnit) -> CustomerSummary | None:
    """A pandas, polars or Arrow table as a :class:`CustomerSummary` in ``time_unit``, else None.

    Columns ``frequency``, ``recency``, ``T``, optionally ``monetary`` and ``customer_id``
    (pandas: or an index of that name).
    """
    table = table_columns(data, _NAMES, optional=("monetary",))
    if table is None:
        return None
    return CustomerSummary.from_arrays(
        *table.values(), customer_ids=table_ids(data), time_unit=time_unit
    )


def check_data(data: object, expected: str, fix: str, *, columns: Sequence[str]) -> tuple[Any, ...]:
    """``data`` as a tuple of arrays, one per name in ``columns``, or an error saying what to pass.

    A pandas, polars or Arrow table gives its columns of those names; otherwise ``data`` must
    be a tuple or list of that many arrays. ``expected`` describes what the model takes
    (``"a CustomerSummary, a table ... or a (frequency, recency, T) tuple of arrays"``);
    ``fix`` says how to build it.
    """
    table = table_columns(data, columns)
    if table is not None:
        return tuple(table.values())
    if not isinstance(data, tuple | list) or len(data) != len(columns):
        raise invalid("data", shown(data), f"must be {expected}", fix)
    if all(is_scalar(column) for column in data):
        raise invalid(
            "data",
            f"<{type(data).__name__} of {len(columns)} scalars>",
            f"must be {expected}, each with one value per customer",
            fix,
        )
    return tuple(data)


def is_scalar(value: Any) -> bool:
    """Whether numpy sees ``value`` as a scalar (``None``, a number, a str…)."""
    try:
        return bool(np.ndim(value) == 0)
    except (TypeError, ValueError):  # ragged nested sequences
        return False


def fit_unit(data: object, time_unit: TimeUnit | str | None) -> TimeUnit:
    """The unit of a fit: ``time_unit`` if given, else the summary's, else days."""
    if time_unit is not None:
        return TimeUnit.parse(time_unit)
    if isinstance(data, CustomerSummary):
        return data.time_unit
    return TimeUnit.DAY


def floats(values: AnyArray) -> FloatArray:
    """A writeable, C-contiguous float64 array, copied only when needed (one kernel signature)."""
    array = np.asarray(values, dtype=np.float64)
    # The buffer's read-only bit, not flags.writeable: numpy 1.26 warns when that is read on a
    # view from np.broadcast_arrays (such a view counts as read-only here, so it is copied).
    if array.flags.c_contiguous and not array.__array_interface__["data"][1]:
        return array
    return np.array(array, dtype=np.float64, order="C")


def times(name: str, values: object) -> FloatArray:
    """``values`` as a float64 array of finite times >= 0, naming the first bad one."""
    return _checked(name, values, "must be a finite time >= 0", whole=False)


def counts(name: str, values: object) -> FloatArray:
    """``values`` as float64 whole numbers >= 0, naming the first bad one."""
    return _checked(name, values, "must be a whole number >= 0", whole=True)


def per_customer(name: str, values: object, size: int, *, whole: bool = False) -> FloatArray:
    """:func:`times` (:func:`counts` if ``whole``) for ``size`` customers, one per customer.

    A scalar is repeated; an array must have ``size`` entries.
    """
    array = counts(name, values) if whole else times(name, values)
    if array.ndim == 0:
        return np.full(size, float(array))
    if array.shape != (size,):
        raise invalid(
            name,
            f"<array of shape {array.shape}>",
            f"must be a scalar or have one entry per customer ({size})",
        )
    return floats(array)


def _checked(name: str, values: object, rule: str, *, whole: bool) -> FloatArray:
    """``values`` as float64, naming the first element that breaks ``rule``."""
    array = as_float_array(name, values)
    bad = ~np.isfinite(array) | (array < 0)
    if whole:
        bad |= array != np.round(array)
    if bad.any():
        i = np.unravel_index(int(np.argmax(bad)), array.shape) if array.ndim else ()
        where = f"{name}[{', '.join(map(str, i))}]" if array.ndim else name
        fix = "" if whole else "Times are in the model's time unit."
        raise invalid(where, float(array[i]), rule, fix)
    return array


_INF = float("inf")


def _number(name: str, value: object) -> float:
    """:func:`~ecomstrat._validation.check_number`, with a fast path for a plain ``int``."""
    if type(value) is int and -(2**53) <= value <= 2**53:
        return float(value)
    return check_number(name, value)


def scalar_time(name: str, value: object) -> float:
    """One finite time >= 0 as a float (the scalar counterpart of :func:`times`)."""
    v = value if type(value) is float else _number(name, value)
    if not 0.0 <= v < _INF:
        raise invalid(name, v, "must be a finite time >= 0", "Times are in the model's time unit.")
    return v


def one_customer(x: object, t_x: object, T: object) -> tuple[float, float, float]:
    """One customer's ``(frequency, recency, T)`` as floats, checked as :func:`as_rfm_arrays` does.

    A ``float`` or ``int`` takes a fast path (type checks and comparisons); anything else goes
    through :func:`~ecomstrat._validation.check_number`, which accepts numpy numbers and refuses
    text and booleans.
    """
    xf = x if type(x) is float else _number("frequency", x)
    rf = t_x if type(t_x) is float else _number("recency", t_x)
    Tf = T if type(T) is float else _number("T", T)
    if not (0.0 <= xf < _INF and xf == int(xf)):
        raise invalid("frequency", xf, "must be a whole number >= 0")
    if not 0.0 < Tf < _INF:
        raise invalid("T", Tf, "must be finite and > 0")
    if not 0.0 <= rf <= Tf:
        raise invalid("recency", rf, f"must lie in [0, T] (T={Tf!r})")
    if xf == 0.0 and rf != 0.0:
        raise invalid("recency", rf, "must be 0 when frequency is 0")
    return xf, rf, Tf
