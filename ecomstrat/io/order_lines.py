r"""Order lines (:class:`~ecomstrat.OrderLines`) from pandas, polars or a CSV file.

Columns are mapped explicitly; only the order and product columns are required. pandas and
polars are imported only when their adapter is called (neither module is imported here).

Examples
--------
>>> import io
>>> text = io.StringIO("order,sku,qty\n1,A,2\n1,B,1\n2,A,1\n")
>>> lines = read_order_lines_csv(text, order_id="order", product_id="sku", quantity="qty")
>>> lines.order_ids.tolist(), lines.product_ids.tolist(), lines.quantities.tolist()
(['1', '2'], ['A', 'B'], [2.0, 1.0, 1.0])
"""

from __future__ import annotations

import csv
import io
import os
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from ecomstrat._optional import import_optional
from ecomstrat._typing import AnyArray
from ecomstrat._validation import invalid
from ecomstrat.frames.order_lines import OrderLines

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["order_lines_from_pandas", "order_lines_from_polars", "read_order_lines_csv"]


#: The from_arrays argument each column feeds -> the adapter argument naming it.
_ARGUMENTS = {
    "order_ids": "order_id",
    "product_ids": "product_id",
    "quantities": "quantity",
    "amounts": "amount",
    "customer_ids": "customer_id",
    "times": "time",
    "returned_quantities": "returned_quantity",
}


def _columns(
    available: list[str],
    order_id: str,
    product_id: str,
    quantity: str | None,
    amount: str | None,
    customer_id: str | None,
    time: str | None = None,
    returned_quantity: str | None = None,
) -> dict[str, str]:
    wanted = {"order_ids": order_id, "product_ids": product_id}
    optional = {
        "quantities": quantity,
        "amounts": amount,
        "customer_ids": customer_id,
        "times": time,
        "returned_quantities": returned_quantity,
    }
    wanted.update({key: column for key, column in optional.items() if column is not None})
    for key, column in wanted.items():
        if column not in available:
            raise invalid(
                _ARGUMENTS[key],
                column,
                "is not a column of the table",
                f"The columns are {available}.",
            )
    return wanted


def _build(values: dict[str, AnyArray]) -> OrderLines:
    order_ids = values.pop("order_ids")
    product_ids = values.pop("product_ids")
    return OrderLines.from_arrays(order_ids, product_ids, **values)


def order_lines_from_pandas(
    df: pd.DataFrame,
    *,
    order_id: str = "order_id",
    product_id: str = "product_id",
    quantity: str | None = None,
    amount: str | None = None,
    customer_id: str | None = None,
    time: str | None = None,
    returned_quantity: str | None = None,
) -> OrderLines:
    """Build :class:`~ecomstrat.OrderLines` from a pandas DataFrame with one row per line.

    Parameters
    ----------
    df : pandas.DataFrame
        The lines; other columns are ignored. The DataFrame is not modified.
    order_id, product_id : str
        Columns of order and product (or category) ids (integers or strings, none missing).
    quantity, amount : str, optional
        Columns of units (> 0; default 1 per line) and line values (>= 0).
    customer_id : str, optional
        Column of customer ids (one per order).
    time : str, optional
        Column of order times (datetimes or ISO 8601 strings; one per order).
    returned_quantity : str, optional
        Column of returned units per line (``0 <= returned <= quantity``).

    Examples
    --------
    >>> import pytest; pd = pytest.importorskip("pandas")
    >>> df = pd.DataFrame({"order_id": [1, 1, 2], "product_id": ["A", "B", "A"]})
    >>> order_lines_from_pandas(df)
    OrderLines(3 lines, 2 orders, 2 products)
    """
    import_optional("pandas", "pandas")
    names = _columns(
        [str(c) for c in df.columns],
        order_id,
        product_id,
        quantity,
        amount,
        customer_id,
        time,
        returned_quantity,
    )
    values: dict[str, AnyArray] = {}
    for key, column in names.items():
        series = df[column]
        if key in ("quantities", "amounts", "returned_quantities"):
            values[key] = series.to_numpy(dtype=np.float64, na_value=np.nan)
        elif key == "times":
            values[key] = _pandas_times(series)
        else:
            values[key] = series.to_numpy()
    return _build(values)


def order_lines_from_polars(
    df: pl.DataFrame,
    *,
    order_id: str = "order_id",
    product_id: str = "product_id",
    quantity: str | None = None,
    amount: str | None = None,
    customer_id: str | None = None,
    time: str | None = None,
    returned_quantity: str | None = None,
) -> OrderLines:
    """Build :class:`~ecomstrat.OrderLines` from a polars DataFrame (arguments as for pandas).

    Examples
    --------
    >>> import pytest; pl = pytest.importorskip("polars")
    >>> df = pl.DataFrame({"o": ["x", "x", "y"], "p": [3, 4, 3], "c": ["a", "a", "b"]})
    >>> order_lines_from_polars(df, order_id="o", product_id="p", customer_id="c")
    OrderLines(3 lines, 2 orders, 2 products, 2 customers)
    """
    pl = import_optional("polars", "polars")
    names = _columns(
        list(df.columns),
        order_id,
        product_id,
        quantity,
        amount,
        customer_id,
        time,
        returned_quantity,
    )
    values: dict[str, AnyArray] = {}
    for key, column in names.items():
        series = df.get_column(column)
        if key in ("quantities", "amounts", "returned_quantities"):
            values[key] = series.cast(pl.Float64).fill_null(np.nan).to_numpy()
        else:
            if series.null_count():
                i = int(np.argmax(series.is_null().to_numpy()))
                raise invalid(f"{column}[{i}]", None, "is missing", "Drop lines without an id.")
            values[key] = series.to_numpy()
    return _build(values)


def read_order_lines_csv(
    source: str | os.PathLike[str] | TextIO,
    *,
    order_id: str = "order_id",
    product_id: str = "product_id",
    quantity: str | None = None,
    amount: str | None = None,
    customer_id: str | None = None,
    time: str | None = None,
    returned_quantity: str | None = None,
    delimiter: str = ",",
    id_type: type[str] | type[int] = str,
) -> OrderLines:
    """Read :class:`~ecomstrat.OrderLines` from a delimited text file with a header row.

    Parameters
    ----------
    source : path or text file
        The file (or an open text stream).
    order_id, product_id, quantity, amount, customer_id, time, returned_quantity : str
        Header names of the columns (as for :func:`order_lines_from_pandas`; times as
        ISO 8601 strings).
    delimiter : str, default ","
        The field separator.
    id_type : {str, int}, default str
        How to read the ids (``str`` keeps leading zeros).
    """
    if id_type not in (str, int):
        raise invalid("id_type", id_type, "must be str or int")
    if isinstance(source, str | os.PathLike):
        with open(source, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle, delimiter=delimiter))
    else:
        rows = list(csv.reader(io.StringIO(source.read()), delimiter=delimiter))
    if not rows:
        raise invalid("source", str(source), "is empty: a header row is needed")
    header = [h.strip() for h in rows[0]]
    body = [r for r in rows[1:] if r]
    names = _columns(
        header, order_id, product_id, quantity, amount, customer_id, time, returned_quantity
    )
    values: dict[str, AnyArray] = {}
    for key, column in names.items():
        j = header.index(column)
        raw = [r[j].strip() if j < len(r) else "" for r in body]
        for i, value in enumerate(raw):
            if value == "":
                raise invalid(f"{column} (data row {i + 1})", value, "is missing")
        if key in ("quantities", "amounts", "returned_quantities"):
            values[key] = _numbers(column, raw, float)
        elif key == "times":
            values[key] = np.array(raw, dtype=object)
        elif id_type is int:
            values[key] = _numbers(column, raw, int)
        else:
            values[key] = np.array(raw)
    return _build(values)


def _pandas_times(series: Any) -> AnyArray:
    """Naive datetime64 as is; aware ones converted to UTC; anything else left to parse."""
    dtype = getattr(series, "dtype", None)
    if getattr(dtype, "tz", None) is not None:
        return np.asarray(series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
    return np.asarray(series.to_numpy())


def _numbers(column: str, raw: list[str], kind: type[Any]) -> AnyArray:
    try:
        return np.array([kind(v) for v in raw], dtype=np.float64 if kind is float else np.int64)
    except ValueError:
        for i, value in enumerate(raw):
            try:
                kind(value)
            except ValueError:
                raise invalid(
                    f"{column} (data row {i + 1})", value, f"is not a valid {kind.__name__}"
                ) from None
        raise
