r"""Adapters from pandas, polars and CSV to :class:`~ecomstrat.frames.reviews.Reviews`.

As for the events (:mod:`ecomstrat.io.events`): columns are mapped explicitly, pandas and
polars are imported inside the functions (:class:`~ecomstrat.exceptions.MissingDependencyError`
names the extra), and messages name the cell to fix (``df['rating'].iloc[3]``,
``reviews.csv line 5, column 'rating'``). An empty answer time means "not answered".

Examples
--------
>>> import io
>>> text = io.StringIO(
...     "product_id,rating,time,customer_id,answered\n"
...     "mug,5,2024-01-05T10:00,7,\n"
...     "mug,1,2024-01-06,3,2024-01-06T12:00\n"
... )
>>> reviews = read_reviews_csv(text, customer_id="customer_id", answered="answered")
>>> reviews.product_ids.tolist(), reviews.ratings.tolist(), reviews.is_answered.tolist()
(['mug'], [5, 1], [False, True])
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ecomstrat._typing import AnyArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import invalid
from ecomstrat.frames._arrays import factorize
from ecomstrat.frames.reviews import Reviews, _scale
from ecomstrat.io._common import Where, check_missing

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["read_reviews_csv", "reviews_from_pandas", "reviews_from_polars"]

Column = str | int
Times = tuple[DatetimeArray, str | None]


def _stars(values: FloatArray, where: Where, scale: tuple[int, int]) -> IntArray:
    low, high = scale
    bad = ~np.isfinite(values) | (values != np.round(values)) | (values < low) | (values > high)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(
            where(i),
            float(values[i]),
            f"must be a whole number from {low} to {high}",
            "Drop reviews without a rating, or pass scale=(lowest, highest).",
        )
    return values.astype(np.int64)


def _with_missing(
    present: AnyArray, parse: Callable[[AnyArray, Where], Times], where: Where
) -> Times:
    """Parse the present entries (positions remapped for messages); NaT elsewhere."""
    out = np.full(present.size, np.datetime64("NaT", "ns"))
    rows = np.flatnonzero(present)
    tz = None
    if rows.size:
        parsed, tz = parse(rows, lambda i: where(int(rows[i])))
        out[rows] = parsed
    return out, tz


def _build(
    products: tuple[IntArray, AnyArray],
    stars: IntArray,
    times: Times,
    customers: tuple[IntArray, AnyArray] | None,
    answered: Times | None,
    scale: tuple[int, int],
) -> Reviews:
    answers = None
    if answered is not None:
        answers = answered[0]
        if (~np.isnat(answers)).any() and answered[1] != times[1]:
            raise invalid("answered", f"timezone {answered[1]!r}",
                          f"must be expressed like time (timezone {times[1]!r})")  # fmt: skip
    return Reviews(
        products[0].astype(np.int64, copy=False),
        products[1],
        stars,
        times[0],
        None if customers is None else customers[0].astype(np.int64, copy=False),
        None if customers is None else customers[1],
        answers,
        scale,
        times[1],
    )


def reviews_from_pandas(
    df: pd.DataFrame,
    *,
    product_id: str = "product_id",
    rating: str = "rating",
    time: str = "time",
    customer_id: str | None = None,
    answered: str | None = None,
    scale: tuple[int, int] = (1, 5),
) -> Reviews:
    """Build :class:`Reviews` from a pandas DataFrame with one row per review.

    Parameters
    ----------
    df : pandas.DataFrame
        The reviews; other columns are ignored.
    product_id : str, default "product_id"
        Column of product ids: integers or strings, no missing values.
    rating : str, default "rating"
        Column of stars: whole numbers on ``scale``, no missing values.
    time : str, default "time"
        Column of review times, read as in :func:`~ecomstrat.io.log_from_pandas`.
    customer_id : str, optional
        Column of the reviewers' customer ids (to join with stages or tiers).
    answered : str, optional
        Column of the merchant's answer times; missing (NaT, None) = not answered.
    scale : (int, int), default (1, 5)
        Lowest and highest star.

    Returns
    -------
    Reviews

    Raises
    ------
    UnknownCodeError
        If a mapped column is absent (the message lists the frame's columns).
    InvalidInputError, EmptyInputError
        Naming the cell, e.g. ``df['rating'].iloc[3]``.

    Examples
    --------
    >>> import pytest; pd = pytest.importorskip("pandas")
    >>> df = pd.DataFrame({"product_id": ["a", "b"], "rating": [4, 2],
    ...                    "time": pd.to_datetime(["2024-01-01", "2024-01-02"]),
    ...                    "answered": pd.to_datetime([None, "2024-01-03"])})
    >>> reviews_from_pandas(df, answered="answered").is_answered.tolist()
    [False, True]
    """
    import pandas as pandas_module

    from ecomstrat.io.pandas import _check_frame, _Column, _factorize, _times

    _check_frame(df, "review")
    bounds = _scale(scale)
    products = _Column(df, "product_id", product_id)
    stars = _Column(df, "rating", rating)
    stamps = _Column(df, "time", time)
    check_missing(products.series.isna().to_numpy(), products.where, "None", "product id")
    if pandas_module.api.types.is_float_dtype(products.series.dtype):
        raise invalid(products.label, f"<{products.series.dtype}>",
                      "product ids must be integers or strings",
                      "Cast whole-number ids with .astype('int64').")  # fmt: skip
    product_codes = factorize(products.label, np.asarray(products.series.to_numpy()))
    dtype = stars.series.dtype
    if not pandas_module.api.types.is_numeric_dtype(dtype) or (
        pandas_module.api.types.is_bool_dtype(dtype)
    ):
        raise invalid(stars.label, f"<{dtype}>", "must be numeric (stars)")
    ratings = np.asarray(stars.series.to_numpy(dtype=np.float64, na_value=np.nan))
    customers = None
    if customer_id is not None:
        customers = _factorize(_Column(df, "customer_id", customer_id))
    answers = None
    if answered is not None:
        column = _Column(df, "answered", answered)
        series = column.series

        def parse(rows: AnyArray, where: Where) -> Times:
            shim = _Shim(column.label, where)
            return _times(series.iloc[rows].reset_index(drop=True), shim)  # type: ignore[arg-type]

        answers = _with_missing(series.notna().to_numpy(), parse, column.where)
    return _build(product_codes, _stars(ratings, stars.where, bounds),
                  _times(stamps.series, stamps), customers, answers, bounds)  # fmt: skip


class _Shim:
    """Stands for a column in messages about a subset of its rows."""

    def __init__(self, label: str, where: Where) -> None:
        self.label = label
        self.where = where
        self.series: Any = None

    def check_nulls(self, what: str) -> None:
        """The subset holds no nulls."""


def reviews_from_polars(
    df: pl.DataFrame,
    *,
    product_id: str = "product_id",
    rating: str = "rating",
    time: str = "time",
    customer_id: str | None = None,
    answered: str | None = None,
    scale: tuple[int, int] = (1, 5),
) -> Reviews:
    """Build :class:`Reviews` from a polars DataFrame with one row per review.

    Arguments, result and errors as in :func:`reviews_from_pandas` (a null counts as
    missing; times read as in :func:`~ecomstrat.io.log_from_polars`).

    Examples
    --------
    >>> import pytest; pl = pytest.importorskip("polars")
    >>> df = pl.DataFrame({"product_id": [1, 1], "rating": [5, 3],
    ...                    "time": ["2024-01-01", "2024-01-02"], "customer_id": ["x", "y"]})
    >>> reviews_from_polars(df, customer_id="customer_id").customer_ids.tolist()
    ['x', 'y']
    """
    import polars as pl

    from ecomstrat.io.polars import _check_frame, _Column, _factorize, _ids, _times

    _check_frame(df, "review")
    bounds = _scale(scale)
    products = _Column(df, "product_id", product_id)
    stars = _Column(df, "rating", rating)
    stamps = _Column(df, "time", time)
    products.check_nulls("product id")
    product_codes = factorize(products.label, _ids(products))
    if not stars.series.dtype.is_numeric():
        raise invalid(stars.label, f"<{stars.series.dtype}>", "must be numeric (stars)")
    ratings = np.asarray(stars.series.cast(pl.Float64).fill_null(float("nan")).to_numpy(),
                         dtype=np.float64)  # fmt: skip
    customers = None
    if customer_id is not None:
        customers = _factorize(_Column(df, "customer_id", customer_id))
    answers = None
    if answered is not None:
        column = _Column(df, "answered", answered)

        def parse(rows: AnyArray, where: Where) -> Times:
            shim = _Shim(column.label, where)
            shim.series = column.series.gather(rows)
            return _times(shim)  # type: ignore[arg-type]

        answers = _with_missing(~column.series.is_null().to_numpy(), parse, column.where)
    return _build(product_codes, _stars(ratings, stars.where, bounds), _times(stamps),
                  customers, answers, bounds)  # fmt: skip


def read_reviews_csv(
    path: str | os.PathLike[str] | Any,
    *,
    product_id: Column = "product_id",
    rating: Column = "rating",
    time: Column = "time",
    customer_id: Column | None = None,
    answered: Column | None = None,
    scale: tuple[int, int] = (1, 5),
    delimiter: str = ",",
    time_format: str | None = None,
    header: bool = True,
    id_type: type[str] | type[int] = str,
) -> Reviews:
    """Read reviews from a delimited text file into :class:`Reviews` (no pandas needed).

    Parameters
    ----------
    path : str, path-like or text stream
        The file (UTF-8) or an open text stream.
    product_id, rating, time : str or int
        Columns of product ids, stars and review times: header names, or 0-based positions
        (the only choice when ``header=False``).
    customer_id, answered : str or int, optional
        Columns of the reviewers' customer ids and of the answer times (empty = not
        answered; same ``time_format``).
    scale : (int, int), default (1, 5)
        Lowest and highest star.
    delimiter, time_format, header, id_type
        As in :func:`~ecomstrat.io.read_csv` (``id_type`` applies to product and customer
        ids).

    Returns
    -------
    Reviews
        Products and customers in order of first appearance, rows in file order.

    Raises
    ------
    FileNotFoundError, EmptyInputError, UnknownCodeError, InvalidInputError
        As in :func:`~ecomstrat.io.read_csv`, naming the line and column.
    """
    from ecomstrat.io.csv import (
        _Options,
        _parse_floats,
        _parse_ints,
        _parse_times,
        _read_columns,
    )

    bounds = _scale(scale)
    options = _Options(product_id, time, time, None, None, delimiter, time_format, header, id_type)
    columns: dict[str, Column] = {"product_id": product_id, "rating": rating, "time": time}
    extra = {"customer_id": customer_id, "answered": answered}
    columns.update({arg: column for arg, column in extra.items() if column is not None})
    fields, where_in = _read_columns(path, columns, options)

    def ids_of(arg: str) -> tuple[IntArray, AnyArray]:
        values: AnyArray = fields[arg]
        check_missing(np.char.strip(values) == "", where_in(arg), "''", arg.replace("_", " "))
        if id_type is int:
            values = _parse_ints(values, where_in(arg))
        return factorize(arg, values)

    raw = fields["rating"]
    check_missing(np.char.strip(raw) == "", where_in("rating"), "''", "rating")
    stars = _stars(_parse_floats(raw, where_in("rating")), where_in("rating"), bounds)
    times = _parse_times(fields["time"], time_format, where_in("time"))
    customers = ids_of("customer_id") if "customer_id" in fields else None
    answers = None
    if "answered" in fields:
        values = fields["answered"]
        answers = _with_missing(
            np.char.strip(values) != "",
            lambda rows, where: _parse_times(values[rows], time_format, where),
            where_in("answered"),
        )
    return _build(ids_of("product_id"), stars, times, customers, answers, bounds)
