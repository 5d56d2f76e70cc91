"""The event log: one row per tracked event (visit, page view, click, signup, purchase...).

Who did it (a customer id, or a session id for anonymous traffic), what (the event type),
when, and optionally in which session, through which campaign and channel, and for how much.
Ids, event types, campaigns and channels are factorised to dense int64 codes (ids with
:class:`~ecomstrat.frames._ids.IdIndex`, in order of first appearance), so that the AARRR
metrics (:mod:`ecomstrat.metrics.aarrr`) count with ``bincount`` instead of hashing strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import (
    as_float_array,
    check_array_non_negative,
    check_non_empty,
    check_same_length,
    invalid,
    shown,
)
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import as_ids, factorize, freeze_arrays
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import NS, to_datetime64

__all__ = ["EventLog"]


def _labels(name: str, values: object) -> tuple[IntArray, AnyArray]:
    """Codes and distinct names of a column of labels (str), missing (None or "") as -1."""
    if values is None or isinstance(values, str | bytes) or not hasattr(values, "__len__"):
        raise invalid(name, shown(values), "must be a sequence of labels (one per row)")
    items = np.asarray(values, dtype=object).tolist()
    if np.asarray(values, dtype=object).ndim != 1:
        raise invalid(name, f"<{type(values).__name__}>", "must be one-dimensional")
    present = [not (v is None or (isinstance(v, float) and v != v) or v == "") for v in items]
    for i, value in enumerate(items):
        if present[i] and not isinstance(value, str | np.str_):
            raise invalid(
                f"{name}[{i}]",
                shown(value),
                "must be a string label",
                "E.g. 'email' or 'page_view'.",
            )
    codes = np.full(len(items), -1, dtype=np.int64)
    kept = np.flatnonzero(np.array(present, dtype=bool))
    if kept.size:
        found, uniques = factorize(name, np.array([str(items[i]) for i in kept], dtype=str))
        codes[kept] = found
    else:
        uniques = np.empty(0, dtype=str)
    return codes, uniques.astype(str)


@attrs.frozen(eq=False, repr=False)
class EventLog(Tabular):
    """Tracked events as columns: who, what, when, and optionally session, campaign, channel.

    Build it with :meth:`from_arrays` or an adapter in :mod:`ecomstrat.io.events` (pandas,
    polars, CSV). The constructor takes already-factorised columns and checks every invariant;
    arrays are stored as read-only views.

    Parameters
    ----------
    actor_index : ndarray of int64
        Position of each event's actor (customer, or session for anonymous traffic) in
        ``actor_ids``.
    actor_ids : ndarray
        The distinct original ids (int or str), in order of first appearance.
    event_codes : ndarray of int64
        Position of each event's type in ``event_names``.
    event_names : ndarray of str
        The distinct event types, e.g. ``"visit"``, ``"page_view"``, ``"purchase"``.
    times : ndarray of datetime64[ns]
        When each event happened.
    session_index : ndarray of int64, optional
        Dense code of each event's session (sessions are otherwise derived from a 30-minute
        inactivity timeout, see :mod:`ecomstrat.metrics.aarrr`).
    campaign_codes, channel_codes : ndarray of int64, optional
        Position in ``campaign_names`` / ``channel_names``, -1 where the event has none.
    campaign_names, channel_names : ndarray of str, optional
        The distinct campaigns and channels.
    amounts : ndarray of float64, optional
        Value of each event (e.g. of a purchase), >= 0; NaN for events without one.
    timezone : {None, "UTC"}
        How to read ``times``.

    Examples
    --------
    >>> events = EventLog.from_arrays(
    ...     ["a", "a", "b"], ["visit", "purchase", "visit"],
    ...     ["2024-01-01T10:00", "2024-01-01T10:05", "2024-01-02"],
    ...     channels=["email", "email", None],
    ... )
    >>> events.n_events, events.n_actors, events.event_names.tolist()
    (3, 2, ['visit', 'purchase'])
    >>> events.channel_codes.tolist(), events.channel_names.tolist()
    ([0, 0, -1], ['email'])
    """

    actor_index: IntArray
    actor_ids: AnyArray
    event_codes: IntArray
    event_names: AnyArray
    times: DatetimeArray
    session_index: IntArray | None = None
    campaign_codes: IntArray | None = None
    campaign_names: AnyArray | None = None
    channel_codes: IntArray | None = None
    channel_names: AnyArray | None = None
    amounts: FloatArray | None = None
    timezone: str | None = None

    def __attrs_post_init__(self) -> None:
        n = check_same_length(
            actor_index=self.actor_index, event_codes=self.event_codes, times=self.times
        )
        if n == 0:
            raise EmptyInputError("the event log is empty: at least one event is needed.")
        for field in ("actor_index", "event_codes", "session_index", "campaign_codes",
                      "channel_codes"):  # fmt: skip
            value = getattr(self, field)
            if value is not None and (
                not isinstance(value, np.ndarray) or value.dtype != np.int64 or value.shape != (n,)
            ):
                raise invalid(
                    field, f"<{type(value).__name__}>", f"must be an int64 array of {n} codes",
                    "Use EventLog.from_arrays to convert.",
                )  # fmt: skip
        if not isinstance(self.times, np.ndarray) or self.times.dtype != NS:
            raise invalid("times", "<array>", "must be datetime64[ns]", "Use from_arrays.")
        if np.isnat(self.times).any():
            raise invalid("times", "NaT", "times must not be missing")
        _check_codes("actor_index", self.actor_index, len(self.actor_ids), missing=False)
        _check_codes("event_codes", self.event_codes, len(self.event_names), missing=False)
        if self.session_index is not None:
            _check_codes("session_index", self.session_index, None, missing=False)
        for codes, names, what in (
            (self.campaign_codes, self.campaign_names, "campaign"),
            (self.channel_codes, self.channel_names, "channel"),
        ):
            if (codes is None) != (names is None):
                raise invalid(f"{what}_names", shown(names), f"goes with {what}_codes: give both")
            if codes is not None and names is not None:
                _check_codes(f"{what}_codes", codes, len(names), missing=True)
        if self.amounts is not None:
            if not isinstance(self.amounts, np.ndarray) or self.amounts.dtype != np.float64:
                raise invalid("amounts", "<array>", "must be float64", "Use from_arrays.")
            check_same_length(times=self.times, amounts=self.amounts)
            if np.isinf(self.amounts).any():
                i = int(np.argmax(np.isinf(self.amounts)))
                raise invalid(f"amounts[{i}]", float(self.amounts[i]), "must be finite or NaN")
            check_array_non_negative(
                "amounts", np.nan_to_num(self.amounts), None, "Record refunds separately."
            )
        utc = isinstance(self.timezone, str) and self.timezone == "UTC"
        if self.timezone is not None and not utc:
            raise invalid("timezone", shown(self.timezone), "must be None (naive) or 'UTC'")
        freeze_arrays(self)

    @classmethod
    def from_arrays(
        cls,
        actor_ids: Sequence[Any] | AnyArray,
        event_types: Sequence[str] | AnyArray,
        times: Sequence[Any] | AnyArray,
        *,
        session_ids: Sequence[Any] | AnyArray | None = None,
        campaigns: Sequence[str | None] | AnyArray | None = None,
        channels: Sequence[str | None] | AnyArray | None = None,
        amounts: Sequence[float] | AnyArray | None = None,
        timezone: str | None = None,
    ) -> EventLog:
        """Build an event log from one entry per event (any order).

        Parameters
        ----------
        actor_ids : array-like of int or str
            The customer (or, for anonymous traffic, the session) of each event.
        event_types : array-like of str
            The type of each event; the AARRR metrics read the names of
            :data:`ecomstrat.metrics.aarrr.EVENT_TYPES` (map others with ``event_names=``).
        times : array-like of datetime64, datetime, date or ISO 8601 str
            When each event happened.
        session_ids : array-like of int or str, optional
            The session of each event.
        campaigns, channels : array-like of str, optional
            Campaign and channel of each event (None or "" where unknown).
        amounts : array-like of float, optional
            Value of each event (NaN where none), >= 0.
        timezone : {None, "UTC"}
            For ``datetime64`` input only: ``"UTC"`` if the values are UTC instants.
        """
        ids = as_ids("actor_ids", actor_ids)
        check_non_empty("actor_ids", ids)
        stamps, tz = to_datetime64("times", times, timezone)
        types = as_ids("event_types", event_types)
        if types.dtype.kind not in "UO":
            raise invalid("event_types", f"<array of {types.dtype}>", "must hold names (str)")
        check_same_length(actor_ids=ids, event_types=types, times=stamps)
        actor_index, actor_uniques = factorize("actor_ids", ids)
        event_codes, event_uniques = factorize("event_types", types)
        sessions = None
        if session_ids is not None:
            session_values = as_ids("session_ids", session_ids)
            check_same_length(actor_ids=ids, session_ids=session_values)
            sessions, _ = factorize("session_ids", session_values)
        campaign: tuple[IntArray | None, AnyArray | None] = (None, None)
        channel: tuple[IntArray | None, AnyArray | None] = (None, None)
        if campaigns is not None:
            campaign_codes, campaign_names = _labels("campaigns", campaigns)
            check_same_length(actor_ids=ids, campaigns=campaign_codes)
            campaign = (campaign_codes, campaign_names)
        if channels is not None:
            channel_codes, channel_names = _labels("channels", channels)
            check_same_length(actor_ids=ids, channels=channel_codes)
            channel = (channel_codes, channel_names)
        values = None
        if amounts is not None:
            values = as_float_array("amounts", amounts, ndim=1)
            check_same_length(actor_ids=ids, amounts=values)
        return cls(
            actor_index,
            actor_uniques,
            event_codes,
            np.asarray(event_uniques).astype(str),
            stamps,
            sessions,
            campaign[0],
            campaign[1],
            channel[0],
            channel[1],
            values,
            tz,
        )

    @property
    def n_events(self) -> int:
        """Number of events."""
        return int(self.times.shape[0])

    @property
    def n_actors(self) -> int:
        """Number of distinct customers (or sessions standing for them)."""
        return int(self.actor_ids.shape[0])

    def __len__(self) -> int:
        return self.n_events

    def __repr__(self) -> str:
        span = f"{self.times.min()} .. {self.times.max()}"
        return (
            f"EventLog({self.n_events} events, {self.n_actors} actors,"
            f" {len(self.event_names)} event types, {span})"
        )

    def _export_timezone(self) -> str | None:
        return self.timezone

    def columns(self) -> dict[str, AnyArray]:
        """The events as named columns, with the original ids and names."""
        out: dict[str, AnyArray] = {
            "actor_id": self.actor_ids[self.actor_index],
            "event_type": self.event_names[self.event_codes],
            "time": self.times,
        }
        if self.session_index is not None:
            out["session"] = self.session_index
        for what, codes, names in (
            ("campaign", self.campaign_codes, self.campaign_names),
            ("channel", self.channel_codes, self.channel_names),
        ):
            if codes is not None and names is not None:
                full = np.array([*names.tolist(), None], dtype=object)
                out[what] = full[codes]  # -1 picks the trailing None
        if self.amounts is not None:
            out["amount"] = self.amounts
        return out


def _check_codes(name: str, codes: IntArray, m: int | None, *, missing: bool) -> None:
    low = -1 if missing else 0
    if codes.size and codes.min() < low:
        raise invalid(name, int(codes.min()), f"must be >= {low}")
    if m is not None and codes.size and codes.max() >= m:
        raise invalid(name, int(codes.max()), f"must be < {m} (the number of names)")
