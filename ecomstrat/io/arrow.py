"""Arrow adapters: pyarrow Tables (or Parquet files) of orders or customer summaries to frames.

pyarrow is imported inside the functions, so this module loads without it. A float64 amount
column or ``timestamp("ns")`` time column held in one chunk without nulls reaches the log as a
read-only view of the Arrow buffer.

Examples
--------
>>> import pytest; pa = pytest.importorskip("pyarrow")
>>> table = pa.table({
...     "customer_id": ["b", "a", "b"],
...     "time": ["2024-01-05", "2024-01-01", "2024-02-01T10:30:00"],
...     "amount": [12.0, 30.0, 8.5],
... })
>>> log = log_from_arrow(table)
>>> log.customer_ids.tolist(), log.customer_index.tolist()
(['b', 'a'], [0, 1, 0])
>>> log.to_arrow().schema.field("time").type
TimestampType(timestamp[ns])
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from ecomstrat._optional import import_optional
from ecomstrat._typing import AnyArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError
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
)

if TYPE_CHECKING:
    from ecomstrat.frames.transaction_log import TransactionLog

__all__ = ["log_from_arrow", "read_parquet", "summary_from_arrow"]


def _pyarrow() -> Any:
    """``pyarrow``, with ``pyarrow.compute`` loaded (``pa.compute``)."""
    import_optional("pyarrow.compute", "pyarrow")
    return import_optional("pyarrow", "pyarrow")


def log_from_arrow(
    table: Any,
    *,
    customer_id: str = "customer_id",
    time: str = "time",
    amount: str = "amount",
    margin: str | None = None,
    currency: str | None = None,
) -> TransactionLog:
    """Build a :class:`TransactionLog` from a pyarrow Table with one row per order.

    Parameters
    ----------
    table : pyarrow.Table or pyarrow.RecordBatch
        The orders; other columns are ignored.
    customer_id : str, default "customer_id"
        Column of customer ids (integer, string or dictionary-encoded string; no nulls).
    time : str, default "time"
        Column of order times: ``timestamp`` (with a time zone = UTC instants,
        ``timezone="UTC"``; without = wall-clock times), ``date32``/``date64``, or ISO 8601
        strings (all with a UTC offset or all without).
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
    pa = _pyarrow()
    table = _check_table(pa, table, "order")
    ids = _Column(pa, table, "customer_id", customer_id)
    stamps = _Column(pa, table, "time", time)
    values = _Column(pa, table, "amount", amount)
    margin_column = None if margin is None else _Column(pa, table, "margin", margin)
    codes, uniques = _factorize(pa, ids)
    times, timezone = _times(pa, stamps)
    margins = None
    if margin_column is not None:
        margins = (_floats(pa, margin_column), margin_column.where)
    return make_log(
        codes, uniques, times, timezone, (_floats(pa, values), values.where), margins, currency
    )


def summary_from_arrow(
    table: Any,
    *,
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    monetary: str | None = None,
    customer_id: str | None = "customer_id",
    time_unit: TimeUnit | str = "day",
) -> CustomerSummary:
    """Build a :class:`CustomerSummary` from a pyarrow Table with one row per customer.

    Parameters
    ----------
    table : pyarrow.Table or pyarrow.RecordBatch
        One row per customer.
    frequency, recency, T, monetary, customer_id, time_unit
        As in :func:`~ecomstrat.io.summary_from_polars`.

    Returns
    -------
    CustomerSummary

    Raises
    ------
    UnknownCodeError, InvalidInputError, EmptyInputError
        As in :func:`~ecomstrat.io.summary_from_pandas` (a null counts as missing).

    Examples
    --------
    >>> import pytest; pa = pytest.importorskip("pyarrow")
    >>> table = pa.table({"customer_id": ["a", "b"], "frequency": [2, 0],
    ...                   "recency": [30.43, 0.0], "T": [38.86, 38.86]})
    >>> s = summary_from_arrow(table, time_unit="week")
    >>> s.customer_ids.tolist(), s.T.tolist()
    (['a', 'b'], [38.86, 38.86])
    """
    pa = _pyarrow()
    table = _check_table(pa, table, "customer")

    def column(arg: str, name: str) -> tuple[FloatArray, Where]:
        read = _Column(pa, table, arg, name)
        return _floats(pa, read), read.where

    def ids() -> AnyArray | None:
        if customer_id is None:
            return None
        return _ids(pa, _Column(pa, table, "customer_id", customer_id))

    names = {"frequency": frequency, "recency": recency, "T": T, "monetary": monetary}
    return make_summary(column, names, ids, time_unit)


def _check_table(pa: Any, table: Any, row: str) -> Any:
    """``table`` as a pyarrow Table (a RecordBatch is wrapped), refusing other or empty input."""
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    if not isinstance(table, pa.Table):
        raise invalid(
            "table",
            f"<{type(table).__name__}>",
            "must be a pyarrow Table",
            "Use the pandas or polars adapters for DataFrames.",
        )
    if table.num_rows == 0:
        raise EmptyInputError(f"table is empty: at least one {row} (row) is needed.")
    return table


def read_parquet(
    path: str | os.PathLike[str],
    *,
    customer_id: str = "customer_id",
    time: str = "time",
    amount: str = "amount",
    margin: str | None = None,
    currency: str | None = None,
) -> TransactionLog:
    """Read a :class:`TransactionLog` from a Parquet file or folder (needs pyarrow).

    Only the mapped columns are read. Parameters and errors are those of
    :func:`log_from_arrow`.

    Parameters
    ----------
    path : str or path-like
        Parquet file, or folder of Parquet files.
    customer_id, time, amount, margin, currency
        As in :func:`log_from_arrow`.

    Returns
    -------
    TransactionLog
    """
    pq = import_optional("pyarrow.parquet", "pyarrow")
    where = os.fspath(path)
    if not os.path.exists(where):
        raise FileNotFoundError(f"path={where!r}: no such Parquet file or folder.")
    schema = pq.ParquetDataset(where).schema if os.path.isdir(where) else pq.read_schema(where)
    mapping = {"customer_id": customer_id, "time": time, "amount": amount, "margin": margin}
    for arg, name in mapping.items():
        if name is not None and name not in schema.names:
            raise missing_column(arg, name, schema.names, repr(where))
    wanted = list(dict.fromkeys(n for n in mapping.values() if n is not None))
    table = pq.read_table(where, columns=wanted)
    return log_from_arrow(
        table, customer_id=customer_id, time=time, amount=amount, margin=margin, currency=currency
    )


class _Column:
    """A column of the table (dictionaries decoded) and how to name its cells."""

    def __init__(self, pa: Any, table: Any, arg: str, name: str) -> None:
        if name not in table.column_names:
            raise missing_column(arg, name, table.column_names, "table")
        data = table.column(name)
        if pa.types.is_dictionary(data.type):
            data = data.cast(data.type.value_type)
        self.data: Any = data
        self.label = f"table[{name!r}]"

    def where(self, i: int) -> str:
        return f"{self.label}[{i}]"

    def check_nulls(self, pa: Any, what: str) -> None:
        if self.data.null_count:
            mask = pa.compute.is_null(self.data).to_numpy()
            check_missing(np.asarray(mask, dtype=bool), self.where, "null", what)


def _is_string(pa: Any, dtype: Any) -> bool:
    return bool(
        pa.types.is_string(dtype)
        or pa.types.is_large_string(dtype)
        or pa.types.is_string_view(dtype)
    )


def _factorize(pa: Any, ids: _Column) -> tuple[IntArray, AnyArray]:
    """Codes and distinct ids by first appearance; strings hashed from the Arrow buffers."""
    _check_ids(pa, ids)
    return factorize(ids.label, ids.data)


def _ids(pa: Any, ids: _Column) -> AnyArray:
    """The ids of every row: int64 or ``str_``."""
    if _check_ids(pa, ids):
        return np.asarray(ids.data.to_numpy()).astype(np.int64, copy=False)
    return np.asarray(ids.data.to_numpy(zero_copy_only=False)).astype(str)


def _check_ids(pa: Any, ids: _Column) -> bool:
    """Refuse null or non-integer, non-string ids; True for integers, False for strings."""
    ids.check_nulls(pa, "customer id")
    dtype = ids.data.type
    if pa.types.is_integer(dtype) or _is_string(pa, dtype):
        return bool(pa.types.is_integer(dtype))
    fix = "Cast whole-number ids to int64." if pa.types.is_floating(dtype) else None
    raise invalid(ids.label, f"<{dtype}>", "customer ids must be integers or strings", fix)


def _times(pa: Any, stamps: _Column) -> tuple[DatetimeArray, str | None]:
    stamps.check_nulls(pa, "time")
    dtype = stamps.data.type
    if _is_string(pa, dtype):
        return _parse(pa, stamps)
    if pa.types.is_timestamp(dtype):
        return datetime_ns(stamps.data.to_numpy(), stamps.where), ("UTC" if dtype.tz else None)
    if pa.types.is_date(dtype):
        return datetime_ns(stamps.data.to_numpy(), stamps.where), None
    raise invalid(
        stamps.label,
        f"<{dtype}>",
        "must hold timestamps, dates or ISO 8601 strings",
        "Convert it first, e.g. with pyarrow.compute.strptime.",
    )


def _parse(pa: Any, stamps: _Column) -> tuple[DatetimeArray, str | None]:
    naive, aware = pa.timestamp("us"), pa.timestamp("us", tz="UTC")
    for target, timezone in ((naive, None), (aware, "UTC")):
        try:
            parsed = stamps.data.cast(target)
        except pa.ArrowInvalid:
            continue
        return datetime_ns(parsed.to_numpy(), stamps.where), timezone
    # Neither reading works: the first row that fails both ways is the culprit.
    i = max(_first_failure(pa, stamps.data, naive), _first_failure(pa, stamps.data, aware))
    value = stamps.data[i].as_py()
    if _casts(pa, stamps.data.slice(i, 1), naive) or _casts(pa, stamps.data.slice(i, 1), aware):
        raise invalid(stamps.where(i), value, MIXED)
    raise invalid(
        stamps.where(i),
        value,
        "is not an ISO 8601 date or time",
        "Parse the column first, e.g. with pyarrow.compute.strptime.",
    )


def _casts(pa: Any, data: Any, target: Any) -> bool:
    try:
        data.cast(target)
    except pa.ArrowInvalid:
        return False
    return True


def _first_failure(pa: Any, data: Any, target: Any) -> int:
    """Position of the first value that does not cast (``data`` as a whole must fail)."""
    good, bad = 0, len(data)  # the first `good` values cast; the first `bad` do not
    while bad - good > 1:
        middle = (good + bad) // 2
        if _casts(pa, data.slice(0, middle), target):
            good = middle
        else:
            bad = middle
    return bad - 1


def _floats(pa: Any, column: _Column) -> FloatArray:
    dtype = column.data.type
    if not (
        pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype)
    ):
        raise invalid(
            column.label,
            f"<{dtype}>",
            "must be numeric",
            "Cast it first, e.g. pyarrow.compute.cast(column, 'float64').",
        )
    column.check_nulls(pa, "value")
    return np.asarray(column.data.cast(pa.float64()).to_numpy())
