"""pandas adapters: DataFrames of orders or of customer summaries to frames.

pandas is imported inside the functions, so this module loads without it. Columns are mapped
explicitly (no guessing from names). Float64 amounts and ``datetime64[ns]`` times are passed
to the log as read-only views of the DataFrame's memory; the DataFrame is never modified.

Examples
--------
>>> import pytest; pd = pytest.importorskip("pandas")
>>> orders = pd.DataFrame({
...     "customer": ["b", "a", "b"],
...     "placed_at": pd.to_datetime(["2024-01-05", "2024-01-01", "2024-02-01"]),
...     "total": [12.0, 30.0, 8.5],
... })
>>> log = log_from_pandas(orders, customer_id="customer", time="placed_at", amount="total")
>>> log.customer_ids.tolist(), log.customer_index.tolist()
(['b', 'a'], [0, 1, 0])
>>> log.to_pandas().columns.tolist()
['customer_id', 'time', 'amount']
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from ecomstrat._optional import import_optional
from ecomstrat._typing import AnyArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.frames._arrays import factorize
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.io._common import (
    MIXED,
    Where,
    check_missing,
    datetime_ns,
    make_log,
    make_summary,
    missing_column,
    one_kind_ids,
)

if TYPE_CHECKING:
    import pandas as pd

    from ecomstrat.frames.transaction_log import TransactionLog

__all__ = ["log_from_pandas", "summary_from_pandas"]

_NUMERIC_OBJECTS = frozenset({"integer", "floating", "mixed-integer-float", "decimal", "empty"})


def log_from_pandas(
    df: pd.DataFrame,
    *,
    customer_id: str = "customer_id",
    time: str = "time",
    amount: str = "amount",
    margin: str | None = None,
    currency: str | None = None,
) -> TransactionLog:
    """Build a :class:`TransactionLog` from a pandas DataFrame with one row per order.

    Parameters
    ----------
    df : pandas.DataFrame
        The orders; other columns are ignored.
    customer_id : str, default "customer_id"
        Column of customer ids (integers or strings, no missing values).
    time : str, default "time"
        Column of order times: ``datetime64`` (naive = wall-clock times; timezone-aware =
        converted to UTC instants, ``timezone="UTC"``), or ISO 8601 strings / ``datetime``
        objects, parsed with ``pandas.to_datetime(format="ISO8601")``.
    amount : str, default "amount"
        Column of order values: numeric, finite and >= 0.
    margin : str, optional
        Column of gross margins per order (finite, may be negative).
    currency : str, optional
        ISO 4217 code of the amounts.

    Returns
    -------
    TransactionLog
        Customers in order of first appearance as in :meth:`TransactionLog.from_arrays`, rows
        in the frame's order.

    Raises
    ------
    UnknownCodeError
        If a mapped column is absent (the message lists the frame's columns).
    InvalidInputError
        For a missing, unparsable or out-of-range value, naming the column and row position.
    EmptyInputError
        If ``df`` has no rows.
    """
    import_optional("pandas", "pandas")
    _check_frame(df, "order")
    ids = _Column(df, "customer_id", customer_id)
    stamps = _Column(df, "time", time)
    values = _Column(df, "amount", amount)
    margin_column = None if margin is None else _Column(df, "margin", margin)
    codes, uniques = _factorize(ids)
    times, timezone = _times(stamps.series, stamps)
    margins = None if margin_column is None else (_floats(margin_column), margin_column.where)
    return make_log(
        codes, uniques, times, timezone, (_floats(values), values.where), margins, currency
    )


def summary_from_pandas(
    df: pd.DataFrame,
    *,
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    monetary: str | None = None,
    customer_id: str | None = None,
    time_unit: TimeUnit | str = "day",
) -> CustomerSummary:
    """Build a :class:`CustomerSummary` from a lifetimes-style summary DataFrame.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per customer.
    frequency, recency, T : str
        Columns of repeat purchases ``x`` (whole numbers), ``t_x`` and age ``T``.
    monetary : str, optional
        Column of mean repeat-purchase value; zeros when omitted.
    customer_id : str, optional
        Column of customer ids. When omitted, or when it names the index, the DataFrame's
        index holds the ids (as in lifetimes' summaries and :meth:`CustomerSummary.to_pandas`).
    time_unit : TimeUnit or str, default "day"
        Unit of ``recency`` and ``T``.

    Returns
    -------
    CustomerSummary

    Examples
    --------
    >>> import pytest; pd = pytest.importorskip("pandas")
    >>> df = pd.DataFrame({"x": [2, 0], "t_x": [30.43, 0.0], "T": [38.86, 38.86]},
    ...                   index=pd.Index([1, 2], name="ID"))
    >>> s = summary_from_pandas(df, frequency="x", recency="t_x", time_unit="week")
    >>> s.customer_ids.tolist(), s.frequency.tolist()
    ([1, 2], [2, 0])
    """
    import_optional("pandas", "pandas")
    _check_frame(df, "customer")

    def column(arg: str, name: str) -> tuple[FloatArray, Where]:
        read = _Column(df, arg, name)
        return _floats(read), read.where

    def ids() -> AnyArray:
        if customer_id is None or (customer_id not in df.columns and customer_id == df.index.name):
            read = _Column.index(df)
        else:
            read = _Column(df, "customer_id", customer_id)
        _check_id_dtype(read)
        check_missing(read.series.isna().to_numpy(), read.where, "None", "customer id")
        return _one_kind(read, np.asarray(read.series.to_numpy()))

    names = {"frequency": frequency, "recency": recency, "T": T, "monetary": monetary}
    return make_summary(column, names, ids, time_unit)


class _Column:
    """A column of ``df`` and how to name its cells in messages."""

    def __init__(self, df: pd.DataFrame, arg: str, name: str) -> None:
        if name not in df.columns:
            hint = ""
            if name in [n for n in df.index.names if n is not None]:
                hint = f" {name!r} is the index: call df.reset_index() first."
            raise missing_column(arg, name, list(df.columns), "df", hint)
        series = df[name]
        if getattr(series, "ndim", 1) != 1:
            raise invalid(arg, name, "names several columns of df", "Make the column names unique.")
        self.series: pd.Series = series
        self.label = f"df[{name!r}]"

    @classmethod
    def index(cls, df: pd.DataFrame) -> _Column:
        column = cls.__new__(cls)
        column.series = df.index.to_series()
        column.label = "df.index"
        return column

    def where(self, i: int) -> str:
        return f"{self.label}[{i}]" if self.label == "df.index" else f"{self.label}.iloc[{i}]"


def _check_frame(df: object, row: str) -> None:
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise invalid(
            "df",
            f"<{type(df).__name__}>",
            "must be a pandas DataFrame",
            "Use log_from_polars or log_from_arrow for other frames.",
        )
    if len(df) == 0:
        raise EmptyInputError(f"df is empty: at least one {row} (row) is needed.")


def _check_id_dtype(ids: _Column) -> None:
    import pandas as pd

    dtype = ids.series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise invalid(ids.label, f"<{dtype}>", "customer ids must be integers or strings")
    if pd.api.types.is_float_dtype(dtype):
        check_missing(ids.series.isna().to_numpy(), ids.where, "NaN", "customer id")
        raise invalid(
            ids.label,
            f"<{dtype}>",
            "customer ids must be integers or strings",
            "Cast whole-number ids with .astype('int64').",
        )


def _factorize(ids: _Column) -> tuple[IntArray, AnyArray]:
    """Codes and distinct ids by first appearance (:func:`~ecomstrat.frames._arrays.factorize`).

    Arrow-backed strings (pandas' default ``str`` dtype) reach the hash table as Arrow buffers,
    without a Python string per row.
    """
    import pandas as pd

    _check_id_dtype(ids)
    series = ids.series
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(series.dtype.categories.dtype)
    check_missing(series.isna().to_numpy(), ids.where, "None", "customer id")
    values: object
    if pd.api.types.is_string_dtype(series.dtype) and hasattr(series.array, "__arrow_array__"):
        values = import_optional("pyarrow", "pyarrow").array(series.array)  # no copy
    elif isinstance(series.dtype, pd.api.extensions.ExtensionDtype) and hasattr(
        series.dtype, "numpy_dtype"
    ):  # nullable integers, without their (checked) missing values
        values = series.to_numpy(dtype=series.dtype.numpy_dtype)
    else:
        values = series.to_numpy()
    try:
        return factorize(ids.label, values)
    except InvalidInputError:
        raise _mixed_row(ids) or _mixed_kinds(ids) from None


def _one_kind(ids: _Column, values: AnyArray) -> AnyArray:
    try:
        return one_kind_ids(values, ids.label)
    except InvalidInputError as error:
        raise _mixed_row(ids) or error from None


def _mixed_row(ids: _Column) -> InvalidInputError | None:
    """The error naming the first id whose type differs from row 0's (``None``: no such row)."""
    first = type(ids.series.iloc[0])
    for i, value in enumerate(ids.series):
        if type(value) is not first:
            return invalid(
                ids.where(i),
                value,
                f"has type {type(value).__name__} but row 0"
                f" has type {first.__name__}: customer ids must be all integers"
                " or all strings",
                "Convert the column to one type first.",
            )
    return None


def _mixed_kinds(ids: _Column) -> InvalidInputError:
    kinds = sorted({type(v).__name__ for v in ids.series})
    return invalid(
        ids.label,
        f"ids of types {', '.join(kinds)}",
        "customer ids must be all integers or all strings",
        "Convert the column to one type first.",
    )


def _times(stamps: pd.Series, column: _Column) -> tuple[DatetimeArray, str | None]:
    import pandas as pd

    dtype = stamps.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return datetime_ns(stamps.dt.tz_convert(None).to_numpy(), column.where), "UTC"
    if dtype.kind == "M":
        return datetime_ns(stamps.to_numpy(), column.where), None
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return _times(_parse(stamps, column), column)
    raise invalid(
        column.label,
        f"<{dtype}>",
        "must hold datetimes, dates or ISO 8601 strings",
        "Convert it first, e.g. pd.to_datetime(column, unit='s' or format='%Y%m%d').",
    )


def _parse(stamps: pd.Series, column: _Column) -> pd.Series:
    import pandas as pd

    try:
        return pd.to_datetime(stamps, format="ISO8601")
    except (ValueError, TypeError) as error:
        present = stamps.notna().to_numpy()
        aware = np.fromiter((_looks_aware(v) for v in stamps), dtype=bool, count=len(stamps))
        first = int(np.argmax(present))
        differs = present & (aware != aware[first])
        if differs.any():
            i = int(np.argmax(differs))
            raise invalid(column.where(i), stamps.iloc[i], MIXED) from error
        utc = bool(aware[first])
        if utc:
            try:
                return pd.to_datetime(stamps, format="ISO8601", utc=True)
            except (ValueError, TypeError):
                pass
        parsed = pd.to_datetime(stamps, format="ISO8601", errors="coerce", utc=utc)
        bad = present & parsed.isna().to_numpy()
        if not bad.any():
            raise invalid(column.label, "<unparsable>", str(error)) from error
        i = int(np.argmax(bad))
        raise invalid(
            column.where(i),
            stamps.iloc[i],
            "is not an ISO 8601 date or time (or is out of range)",
            "Parse the column yourself first, e.g. pd.to_datetime(column, format=...).",
        ) from error


def _looks_aware(value: object) -> bool:
    if isinstance(value, dt.datetime):
        return value.tzinfo is not None and value.tzinfo.utcoffset(value) is not None
    if isinstance(value, str):
        tail = value[10:]
        return "Z" in tail or "z" in tail or "+" in tail or "-" in tail
    return False


def _floats(column: _Column) -> FloatArray:
    import pandas as pd

    values = column.series
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise invalid(column.label, f"<{dtype}>", "must be numeric, not boolean")
    numeric = pd.api.types.is_numeric_dtype(dtype)
    if not numeric and pd.api.types.is_object_dtype(dtype):
        numeric = pd.api.types.infer_dtype(values, skipna=True) in _NUMERIC_OBJECTS
    if not numeric:
        raise invalid(
            column.label,
            f"<{dtype}>",
            "must be numeric",
            f"Convert it first, e.g. pd.to_numeric({column.label}).",
        )
    check_missing(values.isna().to_numpy(), column.where, "NaN", "value")
    return np.asarray(values.to_numpy(dtype=np.float64))
