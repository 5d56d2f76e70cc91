r"""Adapters from pandas, polars and CSV to :class:`~ecomstrat.frames.tickets.Tickets`.

As for the events (:mod:`ecomstrat.io.events`): columns are mapped explicitly, pandas and
polars are imported inside the functions (:class:`~ecomstrat.exceptions.MissingDependencyError`
names the extra), and messages name the cell to fix (``df['opened'].iloc[3]``,
``tickets.csv line 5, column 'resolved'``). An empty first-response or resolution time (a
null, NaT or an empty CSV field) means "not yet"; an empty channel or category means unknown.

Examples
--------
>>> import io
>>> text = io.StringIO(
...     "ticket_id,opened,first_response,resolved,channel\n"
...     "t1,2024-01-05T10:00,2024-01-05T10:20,2024-01-05T15:00,email\n"
...     "t2,2024-01-06T09:00,,,chat\n"
... )
>>> tickets = read_tickets_csv(text, first_response="first_response", resolved="resolved",
...                            ticket_id="ticket_id", channel="channel")
>>> tickets.n_tickets, tickets.n_resolved, tickets.channel_names.tolist()
(2, 1, ['email', 'chat'])
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from ecomstrat._typing import AnyArray, BoolArray, DatetimeArray, IntArray
from ecomstrat._validation import invalid
from ecomstrat.frames._arrays import as_ids, factorize
from ecomstrat.frames._time import NS
from ecomstrat.frames.events import _labels
from ecomstrat.frames.tickets import Tickets
from ecomstrat.io._common import Where, check_missing

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["read_tickets_csv", "tickets_from_pandas", "tickets_from_polars"]

Column = str | int
_TIMES = ("first_response", "resolved")
_LABELS = ("channel", "category")


class _Rows:
    """The non-missing rows of a column, naming cells by their row in the whole column."""

    def __init__(self, column: Any, series: Any, kept: IntArray) -> None:
        self.series = series
        self.label: str = column.label
        self._column = column
        self._kept = kept

    def where(self, i: int) -> str:
        return str(self._column.where(int(self._kept[i])))

    def check_nulls(self, what: str) -> None:
        """The missing rows were taken out already."""


def _scatter(
    label: str, missing: BoolArray, parsed: tuple[DatetimeArray, str | None] | None,
    timezone: str | None,
) -> DatetimeArray:  # fmt: skip
    """Parsed times of the present rows in place, NaT in the missing ones."""
    out = np.full(missing.shape[0], np.datetime64("NaT", "ns"), dtype=NS)
    if parsed is None:
        return out
    stamps, tz = parsed
    if tz != timezone:
        raise invalid(
            label,
            f"<{'aware' if tz else 'naive'} times>",
            f"must be expressed like the opening times (timezone={timezone!r})",
            "Make all times aware (UTC) or all naive.",
        )
    out[~missing] = stamps
    return out


def _build(
    opened: tuple[DatetimeArray, str | None],
    times: dict[str, DatetimeArray | None],
    labels: dict[str, list[Any] | None],
    customers: tuple[IntArray, AnyArray] | None,
    ticket_ids: AnyArray | None,
) -> Tickets:
    coded = {arg: (None, None) if labels[arg] is None else _labels(arg, labels[arg])
             for arg in _LABELS}  # fmt: skip
    return Tickets(
        opened[0],
        times["first_response"],
        times["resolved"],
        coded["channel"][0],
        coded["channel"][1],
        coded["category"][0],
        coded["category"][1],
        None if customers is None else customers[0].astype(np.int64, copy=False),
        None if customers is None else customers[1],
        ticket_ids,
        opened[1],
    )


def tickets_from_pandas(
    df: pd.DataFrame,
    *,
    opened: str = "opened",
    first_response: str | None = None,
    resolved: str | None = None,
    channel: str | None = None,
    category: str | None = None,
    customer_id: str | None = None,
    ticket_id: str | None = None,
) -> Tickets:
    """Build :class:`Tickets` from a pandas DataFrame with one row per ticket.

    Parameters
    ----------
    df : pandas.DataFrame
        The tickets; other columns are ignored.
    opened : str, default "opened"
        Column of opening times (none missing), read as in
        :func:`~ecomstrat.io.log_from_pandas`.
    first_response, resolved : str, optional
        Columns of first-response and resolution times (missing = not yet).
    channel, category : str, optional
        Columns of channel and category labels (missing = unknown).
    customer_id, ticket_id : str, optional
        Columns of customer ids and (distinct) ticket ids, none missing.

    Returns
    -------
    Tickets

    Raises
    ------
    UnknownCodeError
        If a mapped column is absent (the message lists the frame's columns).
    InvalidInputError, EmptyInputError
        As in :func:`~ecomstrat.io.log_from_pandas`, and when a response or resolution
        comes before the opening.

    Examples
    --------
    >>> import pytest; pd = pytest.importorskip("pandas")
    >>> df = pd.DataFrame({"opened": pd.to_datetime(["2024-01-01", "2024-01-02"]),
    ...                    "resolved": pd.to_datetime(["2024-01-01T05:00", None])})
    >>> tickets_from_pandas(df, resolved="resolved").n_resolved
    1
    """
    from ecomstrat.io.pandas import _check_frame, _Column, _factorize, _times

    _check_frame(df, "ticket")
    start = _Column(df, "opened", opened)
    optional = {
        arg: None if name is None else _Column(df, arg, name)
        for arg, name in (
            ("first_response", first_response),
            ("resolved", resolved),
            ("channel", channel),
            ("category", category),
            ("customer_id", customer_id),
            ("ticket_id", ticket_id),
        )
    }
    stamps = _times(start.series, start)
    times: dict[str, DatetimeArray | None] = {}
    for arg in _TIMES:
        column = optional[arg]
        if column is None:
            times[arg] = None
            continue
        missing = np.asarray(column.series.isna().to_numpy(), dtype=bool)
        kept = np.flatnonzero(~missing)
        rows: Any = _Rows(column, column.series.iloc[kept], kept)
        parsed = _times(rows.series, rows) if kept.size else None
        times[arg] = _scatter(column.label, missing, parsed, stamps[1])
    labels: dict[str, list[Any] | None] = {}
    for arg in _LABELS:
        read = optional[arg]
        labels[arg] = (
            None if read is None else read.series.astype(object).where(read.series.notna()).tolist()
        )
    customers = None if optional["customer_id"] is None else _factorize(optional["customer_id"])
    ticket_ids = None
    if optional["ticket_id"] is not None:
        column = optional["ticket_id"]
        check_missing(column.series.isna().to_numpy(), column.where, "None", "ticket id")
        ticket_ids = as_ids(column.label, column.series.to_numpy())
    return _build(stamps, times, labels, customers, ticket_ids)


def tickets_from_polars(
    df: pl.DataFrame,
    *,
    opened: str = "opened",
    first_response: str | None = None,
    resolved: str | None = None,
    channel: str | None = None,
    category: str | None = None,
    customer_id: str | None = None,
    ticket_id: str | None = None,
) -> Tickets:
    """Build :class:`Tickets` from a polars DataFrame with one row per ticket.

    Arguments, result and errors as in :func:`tickets_from_pandas` (a null counts as missing;
    times read as in :func:`~ecomstrat.io.log_from_polars`).

    Examples
    --------
    >>> import pytest; pl = pytest.importorskip("polars")
    >>> df = pl.DataFrame({"opened": ["2024-01-01T00:00", "2024-01-02T00:00"],
    ...                    "resolved": ["2024-01-01T05:00", None], "channel": ["chat", None]})
    >>> t = tickets_from_polars(df, resolved="resolved", channel="channel")
    >>> t.n_resolved, t.channel_codes.tolist()
    (1, [0, -1])
    """
    import polars as pl

    from ecomstrat.io.polars import _check_frame, _Column, _factorize, _ids, _times

    _check_frame(df, "ticket")
    start = _Column(df, "opened", opened)
    optional = {
        arg: None if name is None else _Column(df, arg, name)
        for arg, name in (
            ("first_response", first_response),
            ("resolved", resolved),
            ("channel", channel),
            ("category", category),
            ("customer_id", customer_id),
            ("ticket_id", ticket_id),
        )
    }
    stamps = _times(start)
    times: dict[str, DatetimeArray | None] = {}
    for arg in _TIMES:
        column = optional[arg]
        if column is None:
            times[arg] = None
            continue
        missing = np.asarray(column.series.is_null().to_numpy(), dtype=bool)
        kept = np.flatnonzero(~missing)
        rows: Any = _Rows(column, column.series.filter(~column.series.is_null()), kept)
        parsed = _times(rows) if kept.size else None
        times[arg] = _scatter(column.label, missing, parsed, stamps[1])
    labels: dict[str, list[Any] | None] = {}
    for arg in _LABELS:
        read = optional[arg]
        labels[arg] = None if read is None else read.series.cast(pl.String).to_list()
    customers = None if optional["customer_id"] is None else _factorize(optional["customer_id"])
    ticket_ids = None if optional["ticket_id"] is None else _ids(optional["ticket_id"])
    return _build(stamps, times, labels, customers, ticket_ids)


def read_tickets_csv(
    path: str | os.PathLike[str] | Any,
    *,
    opened: Column = "opened",
    first_response: Column | None = None,
    resolved: Column | None = None,
    channel: Column | None = None,
    category: Column | None = None,
    customer_id: Column | None = None,
    ticket_id: Column | None = None,
    delimiter: str = ",",
    time_format: str | None = None,
    header: bool = True,
    id_type: type[str] | type[int] = str,
) -> Tickets:
    """Read tickets from a delimited text file into :class:`Tickets` (no pandas needed).

    Parameters
    ----------
    path : str, path-like or text stream
        The file (UTF-8) or an open text stream.
    opened : str or int, default "opened"
        Column of opening times: a header name, or a 0-based position (the only choice when
        ``header=False``).
    first_response, resolved : str or int, optional
        Columns of first-response and resolution times (empty = not yet).
    channel, category : str or int, optional
        Columns of channel and category labels (empty = unknown).
    customer_id, ticket_id : str or int, optional
        Columns of customer ids and distinct ticket ids (read as ``id_type``).
    delimiter, time_format, header, id_type
        As in :func:`~ecomstrat.io.read_csv`.

    Returns
    -------
    Tickets
        Rows in file order.

    Raises
    ------
    FileNotFoundError, EmptyInputError, UnknownCodeError, InvalidInputError
        As in :func:`~ecomstrat.io.read_csv`, naming the line and column.
    """
    from ecomstrat.io.csv import _Options, _parse_ints, _parse_times, _read_columns

    key = customer_id if customer_id is not None else opened
    options = _Options(key, opened, opened, None, None, delimiter, time_format, header, id_type)
    columns: dict[str, Column] = {"opened": opened}
    extra = {
        "first_response": first_response,
        "resolved": resolved,
        "channel": channel,
        "category": category,
        "customer_id": customer_id,
        "ticket_id": ticket_id,
    }
    columns.update({arg: column for arg, column in extra.items() if column is not None})
    fields, where_in = _read_columns(path, columns, options)
    stamps = _parse_times(fields["opened"], time_format, where_in("opened"))
    times: dict[str, DatetimeArray | None] = {}
    for arg in _TIMES:
        if arg not in fields:
            times[arg] = None
            continue
        raw = fields[arg]
        missing = np.asarray(np.char.strip(raw) == "", dtype=bool)
        kept = np.flatnonzero(~missing)
        where = where_in(arg)

        def shifted(i: int, where: Where = where, kept: IntArray = kept) -> str:
            return where(int(kept[i]))

        parsed = _parse_times(raw[kept], time_format, shifted) if kept.size else None
        times[arg] = _scatter(f"column {columns[arg]!r}", missing, parsed, stamps[1])
    labels = {arg: fields[arg].tolist() if arg in fields else None for arg in _LABELS}
    customers = None
    if "customer_id" in fields:
        ids: AnyArray = fields["customer_id"]
        if id_type is int:
            ids = _parse_ints(ids, where_in("customer_id"))
        customers = factorize("customer_id", ids)
    ticket_ids = None
    if "ticket_id" in fields:
        ticket_ids = fields["ticket_id"]
        check_missing(ticket_ids == "", where_in("ticket_id"), "''", "ticket id")
        if id_type is int:
            ticket_ids = _parse_ints(ticket_ids, where_in("ticket_id"))
    return _build(stamps, times, labels, customers, ticket_ids)
