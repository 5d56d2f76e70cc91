"""Customer-service tickets: when each was opened, first answered and resolved, and where.

One row per ticket. ``first_response`` and ``resolved`` are ``datetime64[ns]`` with NaT for
"not yet" (an open ticket, or one still waiting for its first answer); neither may come before
the ticket was opened. Channels and categories are factorised to dense int64 codes (-1 where
unknown), customer ids with :func:`~ecomstrat.frames._arrays.factorize`, so that the service
metrics (:mod:`ecomstrat.metrics.service`) count with ``bincount``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, DatetimeArray, IntArray
from ecomstrat._validation import check_non_empty, check_same_length, invalid, shown
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import as_ids, factorize, freeze_arrays, unique_ids
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import NS, to_datetime64, to_instant, to_ns
from ecomstrat.frames.events import _check_codes, _labels

__all__ = ["Tickets"]


def _is_missing(value: object) -> bool:
    if value is None or (isinstance(value, str) and value == ""):
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def optional_times(
    name: str, values: Sequence[Any] | AnyArray, n: int, timezone: str | None
) -> DatetimeArray:
    """Times of one ticket event, NaT (or None, "", NaN) meaning "not yet", as datetime64[ns].

    They must be expressed like the opening times (``timezone``): aware datetimes need an
    aware (UTC) frame and naive ones a naive frame.
    """
    if isinstance(values, str | bytes) or not hasattr(values, "__len__"):
        raise invalid(name, shown(values), "must be a sequence of times (one per ticket)")
    array = np.asarray(values)
    if array.ndim != 1:
        raise invalid(name, f"<array of shape {array.shape}>", "must be one-dimensional")
    check_same_length(opened=np.empty(n), **{name: array})
    if array.dtype.kind == "M":
        return to_ns(array, lambda i: f"{name}[{i}]")
    if array.dtype.kind not in "OUS":
        raise invalid(
            name, f"<array of {array.dtype}>", "must hold datetimes, dates or ISO strings"
        )
    items = array.astype(object)
    out = np.full(n, np.datetime64("NaT"), dtype=NS)
    present = np.array([not _is_missing(v) for v in items], dtype=bool)
    kept = np.flatnonzero(present)
    if kept.size:
        try:
            stamps, tz = to_datetime64(name, items[kept])
        except ValueError:  # name the row of the original array, not of the subset
            for i in kept.tolist():
                to_instant(f"{name}[{i}]", items[i], timezone)
            raise
        if tz != timezone:
            raise invalid(
                name,
                f"<{'aware' if tz else 'naive'} times>",
                f"must be expressed like the opening times (timezone={timezone!r})",
                "Make all times aware (UTC) or all naive.",
            )
        out[kept] = stamps
    return out


@attrs.frozen(eq=False, repr=False)
class Tickets(Tabular):
    """Service tickets as columns: opened, first response, resolved, channel, category.

    Build it with :meth:`from_arrays` or an adapter in :mod:`ecomstrat.io.tickets` (pandas,
    polars, CSV). The constructor takes already-converted columns and checks every invariant;
    arrays are stored as read-only views.

    Parameters
    ----------
    opened : ndarray of datetime64[ns]
        When each ticket was opened (never missing).
    first_response, resolved : ndarray of datetime64[ns], optional
        When each ticket was first answered / resolved, NaT where not yet; None when the
        source does not record it. Never before ``opened``.
    channel_codes, category_codes : ndarray of int64, optional
        Position in ``channel_names`` / ``category_names``, -1 where unknown.
    channel_names, category_names : ndarray of str, optional
        The distinct channels (e.g. email, chat, phone) and categories, in order of first
        appearance.
    customer_index : ndarray of int64, optional
        Position of each ticket's customer in ``customer_ids``.
    customer_ids : ndarray, optional
        The distinct customer ids (int or str), in order of first appearance.
    ticket_ids : ndarray, optional
        One distinct id per ticket.
    timezone : {None, "UTC"}
        How to read the times.

    Examples
    --------
    >>> tickets = Tickets.from_arrays(
    ...     ["2024-01-01T09:00", "2024-01-01T10:00", "2024-01-02"],
    ...     first_response=["2024-01-01T09:30", None, "2024-01-02T00:10"],
    ...     resolved=["2024-01-01T12:00", None, None],
    ...     channel=["email", "chat", "email"],
    ... )
    >>> tickets.n_tickets, tickets.n_resolved, tickets.channel_names.tolist()
    (3, 1, ['email', 'chat'])
    """

    opened: DatetimeArray
    first_response: DatetimeArray | None = None
    resolved: DatetimeArray | None = None
    channel_codes: IntArray | None = None
    channel_names: AnyArray | None = None
    category_codes: IntArray | None = None
    category_names: AnyArray | None = None
    customer_index: IntArray | None = None
    customer_ids: AnyArray | None = None
    ticket_ids: AnyArray | None = None
    timezone: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.opened, np.ndarray) or self.opened.dtype != NS:
            raise invalid("opened", "<array>", "must be datetime64[ns]", "Use from_arrays.")
        n = int(self.opened.shape[0])
        if self.opened.ndim != 1:
            raise invalid("opened", f"<array of shape {self.opened.shape}>", "must be 1-D")
        if n == 0:
            raise EmptyInputError("the tickets are empty: at least one ticket is needed.")
        if np.isnat(self.opened).any():
            i = int(np.argmax(np.isnat(self.opened)))
            raise invalid(f"opened[{i}]", "NaT", "must not be missing (every ticket was opened)")
        for field in ("first_response", "resolved"):
            value = getattr(self, field)
            if value is None:
                continue
            if not isinstance(value, np.ndarray) or value.dtype != NS or value.shape != (n,):
                raise invalid(field, "<array>", f"must be datetime64[ns] of {n} times",
                              "Use from_arrays.")  # fmt: skip
            early = ~np.isnat(value) & (value < self.opened)
            if early.any():
                i = int(np.argmax(early))
                raise invalid(
                    f"{field}[{i}]",
                    str(value[i]),
                    f"is before the ticket was opened ({self.opened[i]})",
                    "Fix the times, or use NaT for 'not yet'.",
                )
        for field in ("channel_codes", "category_codes", "customer_index"):
            value = getattr(self, field)
            if value is not None and (
                not isinstance(value, np.ndarray) or value.dtype != np.int64 or value.shape != (n,)
            ):
                raise invalid(field, f"<{type(value).__name__}>",
                              f"must be an int64 array of {n} codes",
                              "Use Tickets.from_arrays to convert.")  # fmt: skip
        for codes, names, what in (
            (self.channel_codes, self.channel_names, "channel"),
            (self.category_codes, self.category_names, "category"),
        ):
            if (codes is None) != (names is None):
                raise invalid(f"{what}_names", shown(names), f"goes with {what}_codes: give both")
            if codes is not None and names is not None:
                _check_codes(f"{what}_codes", codes, len(names), missing=True)
        if (self.customer_index is None) != (self.customer_ids is None):
            raise invalid("customer_ids", shown(self.customer_ids),
                          "goes with customer_index: give both")  # fmt: skip
        if self.customer_index is not None and self.customer_ids is not None:
            _check_codes("customer_index", self.customer_index, len(self.customer_ids),
                         missing=False)  # fmt: skip
        if self.ticket_ids is not None:
            if not isinstance(self.ticket_ids, np.ndarray) or self.ticket_ids.shape != (n,):
                raise invalid("ticket_ids", "<array>", f"must be an array of {n} ids")
            unique_ids("ticket_ids", self.ticket_ids)
        utc = isinstance(self.timezone, str) and self.timezone == "UTC"
        if self.timezone is not None and not utc:
            raise invalid("timezone", shown(self.timezone), "must be None (naive) or 'UTC'")
        freeze_arrays(self)

    @classmethod
    def from_arrays(
        cls,
        opened: Sequence[Any] | AnyArray,
        *,
        first_response: Sequence[Any] | AnyArray | None = None,
        resolved: Sequence[Any] | AnyArray | None = None,
        channel: Sequence[str | None] | AnyArray | None = None,
        category: Sequence[str | None] | AnyArray | None = None,
        customer_ids: Sequence[Any] | AnyArray | None = None,
        ticket_ids: Sequence[Any] | AnyArray | None = None,
        timezone: str | None = None,
    ) -> Tickets:
        """Build the tickets from one entry per ticket (any order).

        Parameters
        ----------
        opened : array-like of datetime64, datetime, date or ISO 8601 str
            When each ticket was opened (none missing).
        first_response, resolved : array-like of times, optional
            When each ticket was first answered / resolved; NaT, None or "" for "not yet".
        channel, category : array-like of str, optional
            Contact channel (email, chat, phone...) and issue category; None or "" if unknown.
        customer_ids : array-like of int or str, optional
            The customer of each ticket (none missing).
        ticket_ids : array-like of int or str, optional
            A distinct id per ticket.
        timezone : {None, "UTC"}
            For ``datetime64`` input only: ``"UTC"`` if the values are UTC instants.

        Raises
        ------
        InvalidInputError
            If a time cannot be read, a response or resolution comes before the opening,
            lengths differ, or ticket ids repeat (each naming the argument and row).
        EmptyInputError
            If there is no ticket.
        """
        if isinstance(opened, str | bytes) or not hasattr(opened, "__len__"):
            raise invalid("opened", shown(opened), "must be a sequence of times (one per ticket)")
        check_non_empty("opened", opened)
        stamps, tz = to_datetime64("opened", opened, timezone)
        n = int(stamps.shape[0])
        times = {
            name: None if values is None else optional_times(name, values, n, tz)
            for name, values in (("first_response", first_response), ("resolved", resolved))
        }
        labels: dict[str, tuple[IntArray | None, AnyArray | None]] = {}
        for name, values in (("channel", channel), ("category", category)):
            if values is None:
                labels[name] = (None, None)
                continue
            codes, names = _labels(name, values)
            check_same_length(opened=stamps, **{name: codes})
            labels[name] = (codes, names)
        customers: tuple[IntArray | None, AnyArray | None] = (None, None)
        if customer_ids is not None:
            ids = as_ids("customer_ids", customer_ids)
            check_same_length(opened=stamps, customer_ids=ids)
            index, uniques = factorize("customer_ids", ids)
            customers = (index.astype(np.int64, copy=False), uniques)
        tickets = None
        if ticket_ids is not None:
            tickets = as_ids("ticket_ids", ticket_ids)
            check_same_length(opened=stamps, ticket_ids=tickets)
        return cls(
            stamps,
            times["first_response"],
            times["resolved"],
            labels["channel"][0],
            labels["channel"][1],
            labels["category"][0],
            labels["category"][1],
            customers[0],
            customers[1],
            tickets,
            tz,
        )

    @property
    def n_tickets(self) -> int:
        """Number of tickets."""
        return int(self.opened.shape[0])

    @property
    def n_resolved(self) -> int:
        """Number of tickets with a resolution time (0 when resolutions are not recorded)."""
        return 0 if self.resolved is None else int((~np.isnat(self.resolved)).sum())

    def __len__(self) -> int:
        return self.n_tickets

    def __repr__(self) -> str:
        span = f"{self.opened.min()} .. {self.opened.max()}"
        return f"Tickets({self.n_tickets} tickets, {self.n_resolved} resolved, opened {span})"

    def _export_timezone(self) -> str | None:
        return self.timezone

    def columns(self) -> dict[str, AnyArray]:
        """The tickets as named columns, with the original ids and labels."""
        out: dict[str, AnyArray] = {}
        if self.ticket_ids is not None:
            out["ticket_id"] = self.ticket_ids
        if self.customer_index is not None and self.customer_ids is not None:
            out["customer_id"] = self.customer_ids[self.customer_index]
        out["opened"] = self.opened
        if self.first_response is not None:
            out["first_response"] = self.first_response
        if self.resolved is not None:
            out["resolved"] = self.resolved
        for what, codes, names in (
            ("channel", self.channel_codes, self.channel_names),
            ("category", self.category_codes, self.category_names),
        ):
            if codes is not None and names is not None:
                full = np.array([*names.tolist(), None], dtype=object)
                out[what] = full[codes]  # -1 picks the trailing None
        return out
