"""Report part on carts: abandonment, checkout abandonment and reminder recovery.

:func:`carts_overview` computes :func:`~ecomstrat.metrics.carts.cart_abandonment` overall, by
channel and by period; :class:`CartsOverview` formats them as
:class:`~ecomstrat.report.Section` objects (the report pipeline adds it as a part when the
events have cart events).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from ecomstrat._validation import invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames.events import EventLog
from ecomstrat.metrics.carts import CartAbandonment, _kinds, cart_abandonment
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = ["CartsOverview", "carts_overview", "carts_section"]

#: Columns of the per-channel and per-period tables.
_GROUP_HEADER = [
    "carts",
    "abandoned",
    "abandonment rate",
    "checkout abandonment",
    "reminded",
    "recovered",
    "recovery rate",
    "revenue recovered",
]


def _share(value: float) -> str:
    return fmt.MISSING if math.isnan(value) else fmt.share(value)


def _interval(lower: float, upper: float) -> str:
    if math.isnan(lower) or math.isnan(upper):
        return fmt.MISSING
    return f"{fmt.share(lower)} - {fmt.share(upper)}"


def _money(value: float) -> str:
    return fmt.MISSING if math.isnan(value) else fmt.number(value)


def _hours(value: float) -> str:
    return fmt.MISSING if math.isnan(value) else fmt.number(value, 1)


@attrs.frozen(eq=False)
class CartsOverview:
    """Cart abandonment of an event log: overall, by channel (if any) and by period.

    Attributes
    ----------
    overall : CartAbandonment
        One row.
    by_channel : CartAbandonment or None
        One row per channel of the opening cart events (None without channels).
    by_period : CartAbandonment
        One row per period in which carts were opened.
    """

    overall: CartAbandonment
    by_channel: CartAbandonment | None
    by_period: CartAbandonment

    def to_dict(self) -> dict[str, Any]:
        """The three tables as JSON-able columns (NaN becomes ``None``)."""
        return {
            "window_days": self.overall.window_days,
            "observation_end": fmt.date(self.overall.observation_end),
            "open_carts": self.overall.open_carts,
            "confidence": self.overall.confidence,
            "period": self.by_period.period_unit,
            "overall": fmt.json_columns(self.overall.columns()),
            "by_channel": None
            if self.by_channel is None
            else fmt.json_columns(self.by_channel.columns()),
            "by_period": fmt.json_columns(self.by_period.columns()),
        }

    def sections(self) -> list[Section]:
        """The overall numbers, then by channel (if any) and by period."""
        out = [carts_section(self.overall)]
        if self.by_channel is not None:
            out.append(_group_section(self.by_channel, "channel"))
        out.append(_group_section(self.by_period, "period"))
        return out


def carts_overview(
    events: EventLog,
    *,
    period: TimeUnit | str = "month",
    window_days: float = 7.0,
    event_names: Mapping[str, str] | None = None,
    observation_end: object = None,
    confidence: float = 0.95,
) -> CartsOverview:
    """Compute the carts part of the report (arguments as :func:`cart_abandonment`).

    Raises
    ------
    EmptyInputError
        If the events have no cart event (the report then skips the part, saying so).

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> from ecomstrat.datasets.events import simulate_events
    >>> part = carts_overview(simulate_events(simulate_transactions(200, seed=4), seed=4))
    >>> [s.title for s in part.sections()]
    ['Cart abandonment', 'Cart abandonment by channel', 'Cart abandonment by month']
    """
    if not isinstance(events, EventLog):
        raise invalid(
            "events", f"<{type(events).__name__}>", "must be an EventLog",
            "Build one with EventLog.from_arrays or ecomstrat.io.events.",
        )  # fmt: skip
    if not (_kinds(events, event_names) == 0).any():
        raise EmptyInputError(
            "no cart events: the events have no 'cart' event type (map yours with"
            " event_names=, e.g. {'add_to_cart': 'cart'}), so cart abandonment is not shown."
        )
    common: dict[str, Any] = {
        "period": period,
        "window_days": window_days,
        "event_names": event_names,
        "observation_end": observation_end,
        "confidence": confidence,
    }
    overall = cart_abandonment(events, **common)
    by_channel = None
    if events.channel_codes is not None:
        by_channel = cart_abandonment(events, by="channel", **common)
    by_period = cart_abandonment(events, by="period", **common)
    return CartsOverview(overall, by_channel, by_period)


def carts_section(carts: CartAbandonment) -> Section:
    """The first row of ``carts``: counts, rates with intervals, revenue and time recovered."""

    def at(name: str) -> float:
        return float(np.asarray(carts.columns()[name])[0])

    level = f"{carts.confidence:.0%} interval"
    rows = [
        ["cart episodes", fmt.count(round(at("carts"))), ""],
        [
            "abandoned",
            f"{fmt.count(round(at('abandoned')))} ({_share(at('abandonment_rate'))})",
            _interval(at("abandonment_lower"), at("abandonment_upper")),
        ],
        ["reached checkout", fmt.count(round(at("checkouts"))), ""],
        [
            "abandoned at checkout",
            f"{fmt.count(round(at('checkout_abandoned')))}"
            f" ({_share(at('checkout_abandonment_rate'))})",
            _interval(at("checkout_lower"), at("checkout_upper")),
        ],
        ["reminders sent", fmt.count(round(at("reminders_sent"))), ""],
        ["reminded carts", fmt.count(round(at("reminded"))), ""],
        [
            "recovered after a reminder",
            f"{fmt.count(round(at('recovered')))} ({_share(at('recovery_rate'))})",
            _interval(at("recovery_lower"), at("recovery_upper")),
        ],
        ["revenue recovered", _money(at("revenue_recovered")), ""],
        ["median hours to recovery", _hours(at("median_hours_to_recovery")), ""],
    ]
    notes = [
        f"A cart event opens an episode per customer; a purchase within {carts.window_days:g}"
        " days closes it. Abandoned: not bought before a reminder; recovered: reminded, then"
        " bought within the window; time to recovery from the first reminder.",
        f"Carts judged at {fmt.date(carts.observation_end)};"
        f" {fmt.count(carts.open_carts)} newer carts are still open and left out."
        " Intervals are Wilson score intervals.",
    ]
    return Section("Cart abandonment", rows, header=["measure", "value", level], notes=notes)


def _group_section(carts: CartAbandonment, by: str) -> Section:
    if by == "channel" and carts.channel is not None:
        labels = [str(c) or "(none)" for c in carts.channel.tolist()]
        title = "Cart abandonment by channel"
    else:
        periods = [] if carts.period is None else list(carts.period)
        labels = [fmt.date(p) for p in periods]
        title = f"Cart abandonment by {carts.period_unit}"
    rows = [
        [
            labels[i],
            fmt.count(round(float(carts.carts[i]))),
            fmt.count(round(float(carts.abandoned[i]))),
            _share(float(carts.abandonment_rate[i])),
            _share(float(carts.checkout_abandonment_rate[i])),
            fmt.count(round(float(carts.reminded[i]))),
            fmt.count(round(float(carts.recovered[i]))),
            _share(float(carts.recovery_rate[i])),
            _money(float(carts.revenue_recovered[i])),
        ]
        for i in range(carts.n_rows)
    ]
    notes = [
        f"Carts grouped by the {by} of the event opening them; recovery rate = recovered /"
        " reminded carts."
    ]
    return Section(title, rows, header=[by, *_GROUP_HEADER], notes=notes)
