"""polars adapters: DataFrames of orders or of customer summaries to frames.

polars is imported inside the functions, so this module loads without it. Float64 amounts and
``Datetime("ns")`` times without nulls reach the log as read-only views of the DataFrame's
memory; the DataFrame is never modified.

Examples
--------
>>> import pytest; pl = pytest.importorskip("polars")
>>> from datetime import date
>>> orders = pl.DataFrame({
...     "customer": [7, 3, 7],
...     "day": [date(2024, 1, 5), date(2024, 1, 1), date(2024, 2, 1)],
...     "total": [12.0, 30.0, 8.5],
... })
>>> log = log_from_polars(orders, customer_id="customer", time="day", amount="total")
>>> log.customer_ids.tolist(), log.customer_index.tolist()
([7, 3], [0, 1, 0])
>>> log.to_polars().columns
['customer_id', 'time', 'amount']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecomstrat._optional import import_optional
from ecomstrat._typing import AnyArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import factorize
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.io._common import (
    Where,
    check_missing,
    datetime_ns,
    make_log,
    make_summary,
    missing_column,
)

if TYPE_CHECKING:
    import polars as pl

    from ecomstrat.frames.transaction_log import TransactionLog

__all__ = ["log_from_polars", "summary_from_polars"]


def log_from_polars(
    df: pl.DataFrame,
    *,
    customer_id: str = "customer_id",
    time: str = "time",
    amount: str = "amount",
    margin: str | None = None,
    currency: str | None = None,
) -> TransactionLog:
    """Build a :class:`TransactionLog` from a polars DataFrame with one row per order.

    Parameters
    ----------
    df : polars.DataFrame
        The orders; other columns are ignored. Collect a ``LazyFrame`` first.
    customer_id : str, default "customer_id"
        Column of customer ids (integer, string or categorical; no nulls).
    time : str, default "time"
        Column of order times: ``Datetime`` (with a time zone = converted to UTC instants,
        ``timezone="UTC"``; without = wall-clock times), ``Date``, or strings parsed with
        ``str.to_datetime`` (format inferred from the first value).
    amount, margin, currency
        As in :func:`~ecomstrat.io.log_from_pandas`.

    Returns
    -------
    TransactionLog
        Identical to :meth:`TransactionLog.from_arrays` on the same values.

    Raises
    ------
    UnknownCodeError, InvalidInputError, EmptyInputError
        As in :func:`~ecomstrat.io.log_from_pandas` (a null counts as missing).
    """
    _check_frame(df, "order")
    ids = _Column(df, "customer_id", customer_id)
    stamps = _Column(df, "time", time)
    values = _Column(df, "amount", amount)
    margin_column = None if margin is None else _Column(df, "margin", margin)
    codes, uniques = _factorize(ids)
    times, timezone = _times(stamps)
    margins = None if margin_column is None else (_floats(margin_column), margin_column.where)
    return make_log(
        codes, uniques, times, timezone, (_floats(values), values.where), margins, currency
    )


def summary_from_polars(
    df: pl.DataFrame,
    *,
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    monetary: str | None = None,
    customer_id: str | None = "customer_id",
    time_unit: TimeUnit | str = "day",
) -> CustomerSummary:
    """Build a :class:`CustomerSummary` from a polars DataFrame with one row per customer.

    Parameters
    ----------
    df : polars.DataFrame
        One row per customer (collect a ``LazyFrame`` first).
    frequency, recency, T : str
        Columns of repeat purchases ``x`` (whole numbers), ``t_x`` and age ``T``.
    monetary : str, optional
        Column of mean repeat-purchase value; zeros when omitted.
    customer_id : str or None, default "customer_id"
        Column of customer ids (integers or strings, no nulls); ``None`` numbers the rows
        ``0..n-1``.
    time_unit : TimeUnit or str, default "day"
        Unit of ``recency`` and ``T``.

    Returns
    -------
    CustomerSummary

    Raises
    ------
    UnknownCodeError, InvalidInputError, EmptyInputError
        As in :func:`~ecomstrat.io.summary_from_pandas` (a null counts as missing).

    Examples
    --------
    >>> import pytest; pl = pytest.importorskip("polars")
    >>> df = pl.DataFrame({"id": [1, 2], "x": [2, 0], "t_x": [30.43, 0.0], "T": [38.86, 38.86]})
    >>> s = summary_from_polars(df, customer_id="id", frequency="x", recency="t_x",
    ...                         time_unit="week")
    >>> s.customer_ids.tolist(), s.frequency.tolist()
    ([1, 2], [2, 0])
    """
    _check_frame(df, "customer")

    def column(arg: str, name: str) -> tuple[FloatArray, Where]:
        read = _Column(df, arg, name)
        return _floats(read), read.where

    def ids() -> AnyArray | None:
        return None if customer_id is None else _ids(_Column(df, "customer_id", customer_id))

    names = {"frequency": frequency, "recency": recency, "T": T, "monetary": monetary}
    return make_summary(column, names, ids, time_unit)


def _check_frame(df: object, row: str) -> None:
    import_optional("polars", "polars")
    import polars as pl

    if not isinstance(df, pl.DataFrame):
        fix = "Call .collect() first." if isinstance(df, pl.LazyFrame) else None
        raise invalid("df", f"<{type(df).__name__}>", "must be a polars DataFrame", fix)
    if df.height == 0:
        raise EmptyInputError(f"df is empty: at least one {row} (row) is needed.")


class _Column:
    """A column of ``df`` and how to name its cells in messages."""

    def __init__(self, df: pl.DataFrame, arg: str, name: str) -> None:
        if name not in df.columns:
            raise missing_column(arg, name, df.columns, "df")
        self.series: pl.Series = df.get_column(name)
        self.label = f"df[{name!r}]"

    def where(self, i: int) -> str:
        return f"{self.label}[{i}]"

    def check_nulls(self, what: str) -> None:
        if self.series.null_count():
            check_missing(self.series.is_null().to_numpy(), self.where, "null", what)


def _factorize(ids: _Column) -> tuple[IntArray, AnyArray]:
    """Codes and distinct ids by first appearance; strings hashed from the Arrow buffers."""
    return factorize(ids.label, _id_series(ids))


def _id_series(ids: _Column) -> pl.Series:
    """The ids without nulls, as integers or strings (categoricals decoded)."""
    import polars as pl

    ids.check_nulls("customer id")
    series = ids.series
    if isinstance(series.dtype, pl.Categorical | pl.Enum):
        series = series.cast(pl.String)
    if series.dtype.is_integer() or series.dtype == pl.String:
        return series
    fix = "Cast whole-number ids with .cast(pl.Int64)." if series.dtype.is_float() else None
    raise invalid(ids.label, f"<{series.dtype}>", "customer ids must be integers or strings", fix)


def _ids(ids: _Column) -> AnyArray:
    """The ids of every row: int64 or ``str_``."""
    series = _id_series(ids)
    values = np.asarray(series.to_numpy())
    return values.astype(np.int64, copy=False) if series.dtype.is_integer() else values.astype(str)


def _times(stamps: _Column) -> tuple[DatetimeArray, str | None]:
    import polars as pl

    stamps.check_nulls("time")
    series = stamps.series
    dtype = series.dtype
    if dtype == pl.String:
        series = _parse(stamps)
        dtype = series.dtype
    if isinstance(dtype, pl.Datetime):
        physical = series.to_physical().to_numpy().view(f"datetime64[{dtype.time_unit}]")
        return datetime_ns(physical, stamps.where), ("UTC" if dtype.time_zone else None)
    if dtype == pl.Date:
        days = series.to_physical().to_numpy().astype("datetime64[D]")
        return datetime_ns(days, stamps.where), None
    raise invalid(
        stamps.label,
        f"<{dtype}>",
        "must hold datetimes, dates or ISO 8601 strings",
        "Convert it first, e.g. pl.col(name).str.to_datetime(format=...).",
    )


def _parse(stamps: _Column) -> pl.Series:
    import polars as pl

    fix = "Parse it first, e.g. pl.col(name).str.to_datetime(format=...)."
    try:
        return stamps.series.str.to_datetime(time_unit="us")
    except pl.exceptions.PolarsError as error:
        try:
            coerced = stamps.series.str.to_datetime(time_unit="us", strict=False)
        except pl.exceptions.PolarsError:
            raise invalid(
                stamps.label,
                f"<{stamps.series.dtype}>",
                "polars cannot infer a date or time format from its values",
                fix,
            ) from error
        bad = coerced.is_null().to_numpy()
        i = int(np.argmax(bad))
        raise invalid(
            stamps.where(i),
            stamps.series[i],
            "does not parse in the format of the column's first value (naive and"
            " timezone-aware times cannot be mixed)",
            fix,
        ) from error


def _floats(column: _Column) -> FloatArray:
    import polars as pl

    dtype = column.series.dtype
    if not dtype.is_numeric():
        raise invalid(
            column.label,
            f"<{dtype}>",
            "must be numeric",
            "Convert it first, e.g. pl.col(name).cast(pl.Float64).",
        )
    column.check_nulls("value")
    return np.asarray(column.series.cast(pl.Float64).to_numpy())
