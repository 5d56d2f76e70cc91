"""Cart abandonment and reminder recovery from an :class:`~ecomstrat.frames.events.EventLog`.

The events read, by their default names (:data:`CART_EVENT_TYPES`; map your own with
``event_names=``, e.g. ``{"add_to_cart": "cart", "order_completed": "purchase"}``):

- ``"cart"``: a cart was created (or changed),
- ``"checkout"``: checkout started,
- ``"purchase"``: an order was placed (its amount, when the log has amounts),
- ``"cart_reminder"``: a cart reminder (e-mail, push...) was sent to the actor.

**Cart episode.** Per actor, in time order, a ``cart`` event at ``t0`` opens an episode unless
it falls inside the actor's open episode (later cart events are changes to the same cart).
The episode is *closed by a purchase* if the actor's first purchase at or after ``t0`` comes
by ``t0 + window_days``; it ends at that purchase, else at ``t0 + window_days``. Its
reminders are the actor's ``cart_reminder`` events in ``[t0, end)``, its checkout any
``checkout`` event in ``[t0, end]``.

- *abandoned*: not bought before a reminder, i.e. no closing purchase, or a reminder was
  sent before it (the merchant treated the cart as left);
- *recovered*: abandoned, reminded, and then closed by a purchase (within the window);
- *time to recovery*: from the episode's first reminder to its closing purchase.

Episodes opened later than ``observation_end - window_days`` cannot be judged yet and are
left out (counted in :attr:`CartAbandonment.open_carts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import check_choice, check_positive, invalid, shown
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.frames._arrays import freeze_arrays
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import NS, period_index, period_start, to_instant
from ecomstrat.frames.events import EventLog
from ecomstrat.metrics.engagement import wilson_interval

__all__ = ["CART_EVENT_TYPES", "CartAbandonment", "cart_abandonment"]

#: The event types read, by their default names.
CART_EVENT_TYPES: tuple[str, ...] = ("cart", "checkout", "purchase", "cart_reminder")

_NS_PER_DAY = 86_400_000_000_000
_NS_PER_HOUR = 3_600_000_000_000
_COUNTS = (
    "carts",
    "abandoned",
    "checkouts",
    "checkout_abandoned",
    "reminders_sent",
    "reminded",
    "recovered",
)


@attrs.frozen(eq=False)
class CartAbandonment(Tabular):
    """Cart episodes, abandonment and reminder recovery: one row overall, per period or channel.

    Attributes
    ----------
    period : ndarray of datetime64[ns] or None
        First instant of the period in which each row's carts were opened (``by="period"``).
    channel : ndarray of str or None
        Channel of the cart event opening the episodes (``""`` for none; ``by="channel"``).
    carts : ndarray of float64
        Judged cart episodes (opened by ``observation_end - window_days``).
    abandoned, abandonment_rate, abandonment_lower, abandonment_upper : ndarray
        Episodes not bought before a reminder; their share of ``carts`` and its Wilson
        interval.
    checkouts, checkout_abandoned, checkout_abandonment_rate, checkout_lower, checkout_upper
        Episodes that reached checkout; those of them abandoned, the share and its interval.
    reminders_sent : ndarray of float64
        Reminder events inside the episodes.
    reminded : ndarray of float64
        Episodes with at least one reminder (all of them abandoned).
    recovered, recovery_rate, recovery_lower, recovery_upper : ndarray
        Reminded episodes closed by a purchase; their share of ``reminded`` and its interval.
    revenue_recovered : ndarray of float64
        Amounts of the recovering purchases (NaN when the log has no amounts).
    median_hours_to_recovery : ndarray of float64
        Median hours from the first reminder to the recovering purchase (NaN: none).
    window_days : float
        Days within which a purchase closes an episode.
    open_carts : int
        Episodes left out because their window was not over at ``observation_end``.
    observation_end : numpy.datetime64
        The instant at which the carts are judged.
    period_unit : str or None
        ``"week"`` or ``"month"`` when grouped by period.
    confidence : float
        Level of the intervals.
    """

    _COLUMNS: ClassVar[tuple[str, ...]] = (
        "carts",
        "abandoned",
        "abandonment_rate",
        "abandonment_lower",
        "abandonment_upper",
        "checkouts",
        "checkout_abandoned",
        "checkout_abandonment_rate",
        "checkout_lower",
        "checkout_upper",
        "reminders_sent",
        "reminded",
        "recovered",
        "recovery_rate",
        "recovery_lower",
        "recovery_upper",
        "revenue_recovered",
        "median_hours_to_recovery",
    )

    period: AnyArray | None
    channel: AnyArray | None
    carts: FloatArray
    abandoned: FloatArray
    abandonment_rate: FloatArray
    abandonment_lower: FloatArray
    abandonment_upper: FloatArray
    checkouts: FloatArray
    checkout_abandoned: FloatArray
    checkout_abandonment_rate: FloatArray
    checkout_lower: FloatArray
    checkout_upper: FloatArray
    reminders_sent: FloatArray
    reminded: FloatArray
    recovered: FloatArray
    recovery_rate: FloatArray
    recovery_lower: FloatArray
    recovery_upper: FloatArray
    revenue_recovered: FloatArray
    median_hours_to_recovery: FloatArray
    window_days: float
    open_carts: int
    observation_end: np.datetime64
    period_unit: str | None
    confidence: float

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.carts.shape[0])

    def columns(self) -> dict[str, AnyArray]:
        """Period and channel (when grouped), then the counts, rates and intervals."""
        out: dict[str, AnyArray] = {}
        if self.period is not None:
            out["period"] = self.period
        if self.channel is not None:
            out["channel"] = self.channel
        for name in self._COLUMNS:
            out[name] = getattr(self, name)
        return out


def _kinds(events: EventLog, event_names: Mapping[str, str] | None) -> IntArray:
    """Index into :data:`CART_EVENT_TYPES` of each event (-1: another type)."""
    mapping = {name: name for name in CART_EVENT_TYPES}
    if event_names is not None:
        if not isinstance(event_names, Mapping):
            raise invalid(
                "event_names", shown(event_names), "must map your event names to standard ones",
                "E.g. {'add_to_cart': 'cart'}.",
            )  # fmt: skip
        for yours, standard in event_names.items():
            check_choice(f"event_names[{yours!r}]", standard, CART_EVENT_TYPES)
            mapping[str(yours)] = standard
    lookup = np.array(
        [
            CART_EVENT_TYPES.index(mapping[n]) if n in mapping else -1
            for n in events.event_names.tolist()
        ],
        dtype=np.int64,
    )
    return lookup[events.event_codes]


@attrs.frozen
class _Episodes:
    """One entry per judged episode."""

    opening: IntArray  # event row of the opening cart
    abandoned: AnyArray
    checkout: AnyArray
    reminders: IntArray
    recovered: AnyArray
    revenue: FloatArray  # recovering purchase's amount, NaN otherwise
    hours: FloatArray  # first reminder -> recovering purchase, NaN otherwise
    n_open: int


def _by_actor(
    actors: IntArray, times: IntArray, rows: IntArray
) -> dict[int, tuple[IntArray, IntArray]]:
    """Per actor: (times, event rows) in time order."""
    order = np.lexsort((times, actors))
    actors, times, rows = actors[order], times[order], rows[order]
    cuts = np.flatnonzero(np.diff(actors)) + 1
    out: dict[int, tuple[IntArray, IntArray]] = {}
    pieces = zip(np.split(times, cuts), np.split(rows, cuts), np.split(actors, cuts), strict=True)
    for t, r, a in pieces:
        if a.size:
            out[int(a[0])] = (t, r)
    return out


def _episodes(events: EventLog, kinds: IntArray, window: int, end: int) -> _Episodes:
    stamps = events.times.astype(np.int64)
    empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    per_kind = []
    for k in range(len(CART_EVENT_TYPES)):
        rows = np.flatnonzero(kinds == k)
        per_kind.append(_by_actor(events.actor_index[rows], stamps[rows], rows))
    carts, checkouts, purchases, reminders = per_kind
    amounts = events.amounts
    opening: list[int] = []
    abandoned: list[bool] = []
    checkout: list[bool] = []
    n_reminders: list[int] = []
    recovered: list[bool] = []
    revenue: list[float] = []
    hours: list[float] = []
    n_open = 0
    for actor, (cart_times, cart_rows) in carts.items():
        buy_t, buy_r = purchases.get(actor, empty)
        out_t, _ = checkouts.get(actor, empty)
        rem_t, _ = reminders.get(actor, empty)
        i = 0
        while i < cart_times.size:
            t0 = int(cart_times[i])
            j = int(np.searchsorted(buy_t, t0, side="left"))
            bought = j < buy_t.size and int(buy_t[j]) <= t0 + window
            stop = int(buy_t[j]) if bought else t0 + window
            i_next = int(np.searchsorted(cart_times, stop, side="right"))
            if t0 + window > end and not (bought and stop <= end):
                n_open += 1  # its window is not over: cannot be judged yet
                i = max(i_next, i + 1)
                continue
            lo = int(np.searchsorted(rem_t, t0, side="left"))
            hi = int(np.searchsorted(rem_t, stop, side="left"))
            sent = hi - lo
            c_lo = int(np.searchsorted(out_t, t0, side="left"))
            c_hi = int(np.searchsorted(out_t, stop, side="right"))
            left = not bought or sent > 0
            back = bought and sent > 0
            opening.append(int(cart_rows[i]))
            abandoned.append(left)
            checkout.append(c_hi > c_lo)
            n_reminders.append(sent)
            recovered.append(back)
            if back:
                amount = np.nan if amounts is None else float(amounts[int(buy_r[j])])
                revenue.append(0.0 if amounts is not None and np.isnan(amount) else amount)
                hours.append((stop - int(rem_t[lo])) / _NS_PER_HOUR)
            else:
                revenue.append(np.nan)
                hours.append(np.nan)
            i = max(i_next, i + 1)
    return _Episodes(
        np.array(opening, dtype=np.int64),
        np.array(abandoned, dtype=bool),
        np.array(checkout, dtype=bool),
        np.array(n_reminders, dtype=np.int64),
        np.array(recovered, dtype=bool),
        np.array(revenue, dtype=np.float64),
        np.array(hours, dtype=np.float64),
        n_open,
    )


def _by(by: str | Sequence[str] | None) -> tuple[str, ...]:
    if by is None:
        return ()
    items = [by] if isinstance(by, str) else list(by)
    for item in items:
        check_choice("by", item, ("period", "channel"))
    return tuple(dict.fromkeys(items))


def cart_abandonment(
    events: EventLog,
    *,
    by: str | Sequence[str] | None = None,
    period: TimeUnit | str = "month",
    window_days: float = 7.0,
    event_names: Mapping[str, str] | None = None,
    observation_end: object = None,
    confidence: float = 0.95,
) -> CartAbandonment:
    """Cart abandonment, checkout abandonment and reminder recovery of an event log.

    Parameters
    ----------
    events : EventLog
        The tracked events, with ``cart`` events (see :data:`CART_EVENT_TYPES`).
    by : {None, "period", "channel"} or a sequence of both
        Group the episodes by the period and/or channel of their opening cart event.
    period : {"week", "month"}, default "month"
        The period of ``by="period"``.
    window_days : float, default 7
        Days after a cart within which a purchase closes its episode.
    event_names : mapping of str to str, optional
        Your event names -> the standard ones of :data:`CART_EVENT_TYPES`.
    observation_end : datetime-like, optional
        When the carts are judged (default: the last event); episodes whose window is not
        over by then, and not yet bought, are left out.
    confidence : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    CartAbandonment
        One row overall, or one per group that has episodes (sorted by period, channel).

    Raises
    ------
    InvalidInputError
        If ``events`` is not an EventLog, an argument is out of range, or ``by="channel"``
        without channels.

    Notes
    -----
    Cart abandonment rate = carts not bought / carts created (Baymard Institute, "Cart
    abandonment rate statistics"; Farris et al. (2010), *Marketing Metrics*, 2nd ed., ch. 9
    on web conversion); here "not bought" is "not bought before a reminder", so that reminders
    recover a subset of the abandoned carts (recovery rate = recovered / reminded episodes,
    as in e-mail remarketing reports). The episode rules are in :mod:`ecomstrat.metrics.carts`.
    Intervals are Wilson (1927) score intervals.

    Examples
    --------
    >>> events = EventLog.from_arrays(
    ...     ["a", "a", "b", "b", "b", "c"],
    ...     ["cart", "purchase", "cart", "cart_reminder", "purchase", "cart"],
    ...     ["2024-01-01", "2024-01-01T01:00", "2024-01-02", "2024-01-03", "2024-01-03T06:00",
    ...      "2024-01-04"],
    ...     amounts=[float("nan"), 20.0, float("nan"), float("nan"), 35.0, float("nan")])
    >>> carts = cart_abandonment(events, observation_end="2024-02-01")
    >>> carts.carts.tolist(), carts.abandoned.tolist(), carts.recovered.tolist()
    ([3.0], [2.0], [1.0])
    >>> carts.abandonment_rate.tolist(), carts.recovery_rate.tolist()  # 2/3, 1/1
    ([0.6666666666666666], [1.0])
    >>> carts.revenue_recovered.tolist(), carts.median_hours_to_recovery.tolist()
    ([35.0], [6.0])
    """
    if not isinstance(events, EventLog):
        raise invalid(
            "events", f"<{type(events).__name__}>", "must be an EventLog",
            "Build one with EventLog.from_arrays or ecomstrat.io.events.",
        )  # fmt: skip
    groups = _by(by)
    unit = TimeUnit.parse(period) if isinstance(period, str) else period
    if unit not in (TimeUnit.WEEK, TimeUnit.MONTH):
        raise invalid("period", shown(period), "must be 'week' or 'month'")
    days = check_positive("window_days", window_days)
    if not 0 < confidence < 1:
        raise invalid("confidence", confidence, "must lie in (0, 1)", "95% is 0.95.")
    if "channel" in groups and events.channel_codes is None:
        raise invalid("by", "channel", "needs channels in the events", "Pass channels=...")
    if observation_end is None:
        end = np.datetime64(events.times.max(), "ns")
    else:
        end = to_instant("observation_end", observation_end, events.timezone)
    kinds = _kinds(events, event_names)
    ep = _episodes(events, kinds, round(days * _NS_PER_DAY), int(end.astype(np.int64)))

    n = ep.opening.size
    keys = np.zeros((n, 2), dtype=np.int64)
    if "period" in groups:
        keys[:, 0] = period_index(events.times[ep.opening], unit)
    if "channel" in groups and events.channel_codes is not None:
        keys[:, 1] = events.channel_codes[ep.opening]
    if groups:
        uniq, group = np.unique(keys, axis=0, return_inverse=True)
        group = group.reshape(-1)
    else:
        uniq, group = np.zeros((1, 2), dtype=np.int64), np.zeros(n, dtype=np.int64)
    m = uniq.shape[0]

    def total(flags: AnyArray) -> FloatArray:
        return np.bincount(group, weights=flags.astype(np.float64), minlength=m).astype(np.float64)

    counts = {
        "carts": total(np.ones(n)),
        "abandoned": total(ep.abandoned),
        "checkouts": total(ep.checkout),
        "checkout_abandoned": total(ep.checkout & ep.abandoned),
        "reminders_sent": total(ep.reminders),
        "reminded": total(ep.reminders > 0),
        "recovered": total(ep.recovered),
    }
    revenue = total(np.where(ep.recovered, np.nan_to_num(ep.revenue), 0.0))
    if events.amounts is None:
        revenue = np.full(m, np.nan)
    median = np.full(m, np.nan)
    for g in np.unique(group[ep.recovered]):
        median[g] = float(np.median(ep.hours[ep.recovered & (group == g)]))
    rates = [
        _rate(counts["abandoned"], counts["carts"], confidence),
        _rate(counts["checkout_abandoned"], counts["checkouts"], confidence),
        _rate(counts["recovered"], counts["reminded"], confidence),
    ]
    period_col = period_start(uniq[:, 0], unit) if "period" in groups else None
    channel_col = None
    if "channel" in groups and events.channel_names is not None:
        names = [*events.channel_names.tolist(), ""]  # -1 picks ""
        channel_col = np.array([str(names[c]) for c in uniq[:, 1]], dtype=str).reshape(-1)
    return CartAbandonment(
        period_col,
        channel_col,
        counts["carts"],
        counts["abandoned"],
        *rates[0],
        counts["checkouts"],
        counts["checkout_abandoned"],
        *rates[1],
        counts["reminders_sent"],
        counts["reminded"],
        counts["recovered"],
        *rates[2],
        revenue,
        median,
        float(days),
        ep.n_open,
        end.astype(NS),
        unit.value if "period" in groups else None,
        float(confidence),
    )


def _rate(
    numerator: FloatArray, denominator: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Share, Wilson lower and upper bounds (NaN where the denominator is 0)."""
    some = denominator > 0
    value = np.full(numerator.size, np.nan)
    lower = np.full(numerator.size, np.nan)
    upper = np.full(numerator.size, np.nan)
    value[some] = numerator[some] / denominator[some]
    if some.any():
        low, high = wilson_interval(
            numerator[some].astype(np.int64),
            n=denominator[some].astype(np.int64),
            confidence=confidence,
        )
        lower[some], upper[some] = low, high
    return value, lower, upper
