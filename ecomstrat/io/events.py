r"""Adapters from pandas, polars and CSV to an :class:`~ecomstrat.frames.events.EventLog`.

As for the orders (:mod:`ecomstrat.io.pandas`, :mod:`ecomstrat.io.polars`,
:mod:`ecomstrat.io.csv`): columns are mapped explicitly, pandas and polars are imported inside
the functions (:class:`~ecomstrat.exceptions.MissingDependencyError` names the extra), and
messages name the cell to fix (``df['time'].iloc[3]``, ``events.csv line 5, column 'time'``).
Empty labels (campaign, channel) are allowed and mean "none"; an empty amount is NaN.

Examples
--------
>>> import io
>>> text = io.StringIO(
...     "customer_id,event_type,time,channel\n"
...     "7,visit,2024-01-05T10:00,email\n"
...     "7,purchase,2024-01-05T10:04,email\n"
...     "3,visit,2024-01-06,\n"
... )
>>> events = read_events_csv(text, channel="channel")
>>> events.actor_ids.tolist(), events.event_names.tolist(), events.channel_codes.tolist()
(['7', '3'], ['visit', 'purchase'], [0, 0, -1])
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import invalid
from ecomstrat.frames._arrays import factorize
from ecomstrat.frames.events import EventLog, _labels
from ecomstrat.io._common import Where, check_missing

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["events_from_pandas", "events_from_polars", "read_events_csv"]

Column = str | int


def _build(
    ids: tuple[IntArray, AnyArray],
    types: AnyArray,
    times: tuple[Any, str | None],
    sessions: IntArray | None,
    campaigns: list[Any] | None,
    channels: list[Any] | None,
    amounts: FloatArray | None,
    where_amount: Where | None,
) -> EventLog:
    event_codes, event_names = factorize("event_type", types)
    campaign = (None, None) if campaigns is None else _labels("campaign", campaigns)
    channel = (None, None) if channels is None else _labels("channel", channels)
    if amounts is not None and where_amount is not None:
        bad = np.isinf(amounts) | (amounts < 0)
        if bad.any():
            i = int(np.argmax(bad))
            raise invalid(where_amount(i), float(amounts[i]), "must be finite and >= 0")
    return EventLog(
        ids[0].astype(np.int64, copy=False),
        ids[1],
        event_codes,
        np.asarray(event_names).astype(str),
        times[0],
        sessions,
        campaign[0],
        campaign[1],
        channel[0],
        channel[1],
        amounts,
        times[1],
    )


def events_from_pandas(
    df: pd.DataFrame,
    *,
    customer_id: str = "customer_id",
    event_type: str = "event_type",
    time: str = "time",
    session_id: str | None = None,
    campaign: str | None = None,
    channel: str | None = None,
    amount: str | None = None,
) -> EventLog:
    """Build an :class:`EventLog` from a pandas DataFrame with one row per event.

    Parameters
    ----------
    df : pandas.DataFrame
        The events; other columns are ignored.
    customer_id : str, default "customer_id"
        Column of customer (or session) ids: integers or strings, no missing values.
    event_type : str, default "event_type"
        Column of event type names (strings, no missing values).
    time : str, default "time"
        Column of event times, read as in :func:`~ecomstrat.io.log_from_pandas`.
    session_id, campaign, channel, amount : str, optional
        Columns of session ids, campaign and channel labels (missing = none) and event
        values (missing = NaN).

    Returns
    -------
    EventLog

    Raises
    ------
    UnknownCodeError
        If a mapped column is absent (the message lists the frame's columns).
    InvalidInputError, EmptyInputError
        As in :func:`~ecomstrat.io.log_from_pandas`.

    Examples
    --------
    >>> import pytest; pd = pytest.importorskip("pandas")
    >>> df = pd.DataFrame({"customer_id": ["a", "a"], "event_type": ["visit", "signup"],
    ...                    "time": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    >>> events_from_pandas(df).event_names.tolist()
    ['visit', 'signup']
    """
    from ecomstrat.io.pandas import _check_frame, _Column, _factorize, _times

    _check_frame(df, "event")
    ids = _Column(df, "customer_id", customer_id)
    types = _Column(df, "event_type", event_type)
    stamps = _Column(df, "time", time)
    optional = {
        arg: None if name is None else _Column(df, arg, name)
        for arg, name in (
            ("session_id", session_id),
            ("campaign", campaign),
            ("channel", channel),
            ("amount", amount),
        )
    }
    codes = _factorize(ids)
    kinds = _pandas_types(types)
    times = _times(stamps.series, stamps)
    sessions = None
    if optional["session_id"] is not None:
        column = optional["session_id"]
        check_missing(column.series.isna().to_numpy(), column.where, "None", "session id")
        sessions = factorize(column.label, np.asarray(column.series.to_numpy()))[0]
    labels: dict[str, list[Any] | None] = {}
    for arg in ("campaign", "channel"):
        read = optional[arg]
        labels[arg] = (
            None if read is None else read.series.astype(object).where(read.series.notna()).tolist()
        )
    amounts, where = None, None
    if optional["amount"] is not None:
        import pandas as pandas_module

        column = optional["amount"]
        if not pandas_module.api.types.is_numeric_dtype(column.series.dtype) or (
            pandas_module.api.types.is_bool_dtype(column.series.dtype)
        ):
            raise invalid(column.label, f"<{column.series.dtype}>", "must be numeric")
        amounts = np.asarray(column.series.to_numpy(dtype=np.float64, na_value=np.nan))
        where = column.where
    return _build(codes, kinds, times, sessions, labels["campaign"], labels["channel"], amounts,
                  where)  # fmt: skip


def _pandas_types(column: Any) -> AnyArray:
    series = column.series
    check_missing(series.isna().to_numpy(), column.where, "None", "event type")
    values = np.asarray(series.astype(str).to_numpy(), dtype=str)
    return values


def events_from_polars(
    df: pl.DataFrame,
    *,
    customer_id: str = "customer_id",
    event_type: str = "event_type",
    time: str = "time",
    session_id: str | None = None,
    campaign: str | None = None,
    channel: str | None = None,
    amount: str | None = None,
) -> EventLog:
    """Build an :class:`EventLog` from a polars DataFrame with one row per event.

    Arguments, result and errors as in :func:`events_from_pandas` (a null counts as
    missing; times read as in :func:`~ecomstrat.io.log_from_polars`).

    Examples
    --------
    >>> import pytest; pl = pytest.importorskip("polars")
    >>> df = pl.DataFrame({"customer_id": [1, 1], "event_type": ["visit", "purchase"],
    ...                    "time": ["2024-01-01", "2024-01-02"], "amount": [None, 12.5]})
    >>> events_from_polars(df, amount="amount").amounts.tolist()
    [nan, 12.5]
    """
    from ecomstrat.io.polars import _check_frame, _Column, _factorize, _ids, _times

    _check_frame(df, "event")
    ids = _Column(df, "customer_id", customer_id)
    types = _Column(df, "event_type", event_type)
    stamps = _Column(df, "time", time)
    optional = {
        arg: None if name is None else _Column(df, arg, name)
        for arg, name in (
            ("session_id", session_id),
            ("campaign", campaign),
            ("channel", channel),
            ("amount", amount),
        )
    }
    codes = _factorize(ids)
    types.check_nulls("event type")
    kinds = np.asarray(types.series.cast(_polars().String).to_numpy()).astype(str)
    times = _times(stamps)
    sessions = None
    if optional["session_id"] is not None:
        column = optional["session_id"]
        sessions = factorize(column.label, _ids(column))[0]
    labels: dict[str, list[Any] | None] = {}
    for arg in ("campaign", "channel"):
        read = optional[arg]
        labels[arg] = None if read is None else read.series.cast(_polars().String).to_list()
    amounts, where = None, None
    if optional["amount"] is not None:
        column = optional["amount"]
        if not column.series.dtype.is_numeric():
            raise invalid(column.label, f"<{column.series.dtype}>", "must be numeric")
        filled = column.series.cast(_polars().Float64).fill_null(float("nan"))
        amounts = np.asarray(filled.to_numpy(), dtype=np.float64)
        where = column.where
    return _build(codes, kinds, times, sessions, labels["campaign"], labels["channel"], amounts,
                  where)  # fmt: skip


def _polars() -> Any:
    import polars as pl

    return pl


def read_events_csv(
    path: str | os.PathLike[str] | Any,
    *,
    customer_id: Column = "customer_id",
    event_type: Column = "event_type",
    time: Column = "time",
    session_id: Column | None = None,
    campaign: Column | None = None,
    channel: Column | None = None,
    amount: Column | None = None,
    delimiter: str = ",",
    time_format: str | None = None,
    header: bool = True,
    id_type: type[str] | type[int] = str,
) -> EventLog:
    """Read events from a delimited text file into an :class:`EventLog` (no pandas needed).

    Parameters
    ----------
    path : str, path-like or text stream
        The file (UTF-8) or an open text stream.
    customer_id, event_type, time : str or int
        Columns of customer (or session) ids, event types and times: header names, or 0-based
        positions (the only choice when ``header=False``).
    session_id, campaign, channel, amount : str or int, optional
        Columns of session ids, campaign and channel labels (empty = none) and event values
        (empty = NaN).
    delimiter, time_format, header, id_type
        As in :func:`~ecomstrat.io.read_csv`.

    Returns
    -------
    EventLog
        Actors in order of first appearance, rows in file order.

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

    options = _Options(customer_id, time, time, None, None, delimiter, time_format, header, id_type)
    columns: dict[str, Column] = {"customer_id": customer_id, "event_type": event_type,
                                  "time": time}  # fmt: skip
    extra = {"session_id": session_id, "campaign": campaign, "channel": channel, "amount": amount}
    columns.update({arg: column for arg, column in extra.items() if column is not None})
    fields, where_in = _read_columns(path, columns, options)
    ids: AnyArray = fields["customer_id"]
    if id_type is int:
        ids = _parse_ints(ids, where_in("customer_id"))
    empty = fields["event_type"] == ""
    check_missing(empty, where_in("event_type"), "''", "event type")
    times = _parse_times(fields["time"], time_format, where_in("time"))
    sessions = None
    if "session_id" in fields:
        sessions = factorize("session_id", fields["session_id"])[0]
    amounts, where = None, None
    if "amount" in fields:
        raw = fields["amount"]
        blank = np.char.strip(raw) == ""
        filled = np.where(blank, "nan", raw)
        amounts = _parse_floats(filled, where_in("amount"))
        where = where_in("amount")
    labels = {arg: fields[arg].tolist() if arg in fields else None for arg in ("campaign",
              "channel")}  # fmt: skip
    return _build(
        factorize("customer_id", ids),
        fields["event_type"],
        times,
        sessions,
        labels["campaign"],
        labels["channel"],
        amounts,
        where,
    )
