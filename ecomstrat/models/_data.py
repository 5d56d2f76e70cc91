"""Validated per-customer inputs of the BTYD models: histories, times, counts, time units."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import as_float_array, check_same_length, invalid, shown
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames.summary import CustomerSummary

__all__ = [
    "RFMArrays",
    "as_rfm_arrays",
    "check_data",
    "counts",
    "fit_unit",
    "floats",
    "is_scalar",
    "refuse_frame",
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
    data: CustomerSummary | tuple[ArrayLike, ArrayLike, ArrayLike],
    time_unit: TimeUnit | None = None,
    *,
    weights: ArrayLike | None = None,
    allow_empty: bool = False,
) -> RFMArrays:
    """Validate ``(frequency, recency, T)`` for the continuous-time models.

    A :class:`CustomerSummary` is converted to ``time_unit`` when given. Errors name the
    first offending customer: negative or non-integer ``x``, ``t_x`` outside ``[0, T]``,
    ``t_x > 0`` with ``x = 0``, non-positive ``T``, NaN anywhere.
    """
    raw: Sequence[object]
    if isinstance(data, CustomerSummary):
        summary = data if time_unit is None else data.to_unit(time_unit)
        raw = (summary.frequency, summary.recency, summary.T)
    else:
        raw = check_data(data, _RFM, _RFM_FIX, columns=3)
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


#: What the continuous-time models take, and how to get it from a DataFrame.
_RFM = "a CustomerSummary or a (frequency, recency, T) tuple of arrays"
_NAMES = ("frequency", "recency", "T")
_RFM_FIX = {
    "pandas": "Convert a summary table with ecomstrat.summary_from_pandas(df, frequency=...,"
    " recency=..., T=...), or summarise an order table with"
    " ecomstrat.rfm_summary(ecomstrat.log_from_pandas(df)).",
    "polars": "Summarise an order table with ecomstrat.rfm_summary(ecomstrat.log_from_polars(df)),"
    " or convert a summary table with ecomstrat.summary_from_pandas(df.to_pandas(),"
    " frequency=..., recency=..., T=...).",
    "pyarrow": "Summarise an order table with"
    " ecomstrat.rfm_summary(ecomstrat.log_from_arrow(table)).",
    "": "Build one with ecomstrat.rfm_summary(log) or CustomerSummary.from_arrays(frequency,"
    " recency, T).",
}


_FRAME_LIBRARIES = frozenset({"pandas", "polars", "pyarrow"})
_TABLES = frozenset({"DataFrame", "LazyFrame", "Table", "RecordBatch"})


def refuse_frame(data: object, expected: str, fixes: Mapping[str, str]) -> None:
    """Raise if ``data`` is a pandas, polars or Arrow table, saying what to call instead.

    ``fixes`` maps the library (``"pandas"``, ``"polars"``, ``"pyarrow"``) to the call that
    converts its tables, and ``""`` to the general advice. Their one-dimensional columns
    (``Series``, ``Array``) are not tables.
    """
    library = type(data).__module__.partition(".")[0]
    if library in _FRAME_LIBRARIES and type(data).__name__ in _TABLES:
        raise invalid(
            "data",
            f"<{library} {type(data).__name__}>",
            f"must be {expected}, not a {type(data).__name__}",
            fixes.get(library, fixes[""]),
        )


def check_data(
    data: object, expected: str, fixes: Mapping[str, str], *, columns: int
) -> tuple[Any, ...]:
    """``data`` as a tuple of ``columns`` arrays, or an error that says what to pass instead.

    ``expected`` describes what the model takes (``"a CustomerSummary or a (frequency,
    recency, T) tuple of arrays"``); ``fixes`` is as for :func:`refuse_frame`.
    """
    refuse_frame(data, expected, fixes)
    if not isinstance(data, tuple | list) or len(data) != columns:
        raise invalid("data", shown(data), f"must be {expected}", fixes[""])
    if all(is_scalar(column) for column in data):
        raise invalid(
            "data",
            f"<{type(data).__name__} of {columns} scalars>",
            f"must be {expected}, each with one value per customer",
            fixes[""],
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
