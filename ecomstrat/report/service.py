"""Report part on customer service: SLA attainment, resolution times, backlog, categories, cost.

:func:`service_overview` computes :func:`~ecomstrat.metrics.service.service_levels` (overall and
by channel), :func:`~ecomstrat.metrics.service.backlog`,
:func:`~ecomstrat.metrics.service.top_categories` and, given costs per contact, the cost per
channel with the self-service comparison
(:func:`~ecomstrat.metrics.engagement.self_service_saving`); :class:`ServiceOverview` formats
them as :class:`~ecomstrat.report.Section` objects (the report adds it when tickets are given).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.frames.tickets import Tickets
from ecomstrat.metrics.engagement import (
    SelfServiceShift,
    ServiceCost,
    self_service_saving,
)
from ecomstrat.metrics.service import (
    Backlog,
    ServiceLevels,
    TopCategories,
    service_cost_by_channel,
    service_levels,
    ticket_backlog,
    top_categories,
)
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = ["ServiceOverview", "service_overview"]


def _value(x: float) -> float | None:
    return None if math.isnan(x) else x


def _hours(x: float) -> str:
    """Hours with one decimal; under an hour, whole minutes."""
    if math.isnan(x):
        return fmt.MISSING
    return f"{x * 60:.0f} min" if x < 1 else f"{x:,.1f} h"


@attrs.frozen(eq=False)
class ServiceOverview:
    """Service levels overall and by channel, the backlog, top categories and costs.

    ``by_channel`` is None without channels, ``categories`` without categories, ``cost``
    without ``cost_per_contact`` (or channels), and ``self_service`` without
    ``self_service_cost_per_contact``.
    """

    levels: ServiceLevels
    by_channel: ServiceLevels | None
    backlog: Backlog
    categories: TopCategories | None
    cost: ServiceCost | None
    self_service: SelfServiceShift | None
    n_tickets: int

    def to_dict(self) -> dict[str, Any]:
        """The numbers as a JSON-able dict (NaN becomes ``None``)."""
        lv = self.levels
        return {
            "tickets": self.n_tickets,
            "sla_hours": lv.sla_hours,
            "observation_end": fmt.date(lv.observation_end),
            "levels": fmt.json_columns(lv.columns()),
            "by_channel": None
            if self.by_channel is None
            else fmt.json_columns(self.by_channel.columns()),
            "backlog": fmt.json_columns(self.backlog.columns()),
            "top_categories": None
            if self.categories is None
            else fmt.json_columns(self.categories.columns()),
            "cost": None
            if self.cost is None
            else {"total": self.cost.total, **fmt.json_columns(self.cost.columns())},
            "self_service": None
            if self.self_service is None
            else {
                "total_saving": self.self_service.total_saving,
                "cost_before": self.self_service.cost_before,
                "cost_after": self.self_service.cost_after,
                "resolution_rate": self.self_service.resolution_rate,
            },
        }

    def sections(self) -> list[Section]:
        """Service levels (overall and by channel), backlog, categories, then cost."""
        out = [_levels_section(self.levels, self.by_channel), _backlog_section(self.backlog)]
        if self.categories is not None:
            out.append(_categories_section(self.categories))
        if self.cost is not None:
            out.append(_cost_section(self.cost, self.self_service))
        return out


def service_overview(
    tickets: Tickets,
    *,
    sla_hours: float = 24.0,
    observation_end: object = None,
    freq: TimeUnit | str = "week",
    k: int = 5,
    cost_per_contact: Mapping[str, float] | None = None,
    self_service_cost_per_contact: float | None = None,
    shift_share: float | Mapping[str, float] = 0.2,
    resolution_rate: float = 1.0,
) -> ServiceOverview:
    """Compute the service part of the report (arguments as in :mod:`ecomstrat.metrics.service`).

    Parameters
    ----------
    tickets : Tickets
        Needs resolution times; channels and categories add their sections.
    sla_hours, observation_end
        As in :func:`~ecomstrat.metrics.service.service_levels`.
    freq : {"day", "week", "month"}
        Backlog periods.
    k : int
        Categories listed.
    cost_per_contact : mapping of str to float, optional
        Cost of one contact per channel: adds the cost section.
    self_service_cost_per_contact, shift_share, resolution_rate
        With a cost section, add the self-service comparison of
        :func:`~ecomstrat.metrics.engagement.self_service_saving`.

    Examples
    --------
    >>> t = Tickets.from_arrays(
    ...     ["2024-01-01T00:00", "2024-01-01T00:00", "2024-01-03T00:00"],
    ...     resolved=["2024-01-01T06:00", "2024-01-02T12:00", None],
    ...     channel=["chat", "phone", "chat"], category=["late", "late", "refund"],
    ... )
    >>> part = service_overview(t, observation_end="2024-01-05",
    ...                         cost_per_contact={"chat": 3.0, "phone": 8.0})
    >>> part.to_dict()["levels"]["within_sla"], part.to_dict()["cost"]["total"]  # 2 x 3 + 8
    ([1], 14.0)
    >>> [s.title for s in part.sections()]  # doctest: +NORMALIZE_WHITESPACE
    ['Service levels (SLA 24 h)', 'Ticket backlog (open at period end)',
     'Top ticket categories', 'Service cost by channel']
    """
    levels = service_levels(tickets, sla_hours=sla_hours, observation_end=observation_end)
    by_channel = None
    if tickets.channel_codes is not None:
        by_channel = service_levels(
            tickets, sla_hours=sla_hours, observation_end=observation_end, by="channel"
        )
    unit = TimeUnit.parse(freq) if isinstance(freq, str) else freq
    queue = ticket_backlog(tickets, freq=unit, observation_end=observation_end)
    categories = None if tickets.category_codes is None else top_categories(tickets, k=k)
    cost, shift = None, None
    if cost_per_contact is not None and tickets.channel_codes is not None:
        cost = service_cost_by_channel(tickets, cost_per_contact=cost_per_contact)
        if self_service_cost_per_contact is not None:
            shift = self_service_saving(
                cost,
                shift_share=shift_share,
                self_service_cost_per_contact=self_service_cost_per_contact,
                resolution_rate=resolution_rate,
            )
    return ServiceOverview(levels, by_channel, queue, categories, cost, shift, tickets.n_tickets)


def _level_row(levels: ServiceLevels, i: int) -> list[str]:
    share = _value(float(levels.share_within_sla[i]))
    low, high = float(levels.share_low[i]), float(levels.share_high[i])
    interval = fmt.MISSING if share is None else f"{fmt.share(low)} - {fmt.share(high)}"
    return [
        str(levels.groups[i]),
        fmt.count(int(levels.tickets[i])),
        fmt.count(int(levels.resolved[i])),
        fmt.share(share),
        interval,
        _hours(float(levels.median_resolution_hours[i])),
        _hours(float(levels.p90_resolution_hours[i])),
        _hours(float(levels.median_first_response_hours[i])),
    ]


def _levels_section(levels: ServiceLevels, by_channel: ServiceLevels | None) -> Section:
    rows = [_level_row(levels, 0)]
    if by_channel is not None:
        rows.extend(_level_row(by_channel, i) for i in range(len(by_channel.groups)))
    sla = f"{levels.sla_hours:g}"
    notes = [
        f"Within SLA: share of the tickets opened at least {sla} h before"
        f" {fmt.date(levels.observation_end)} ({fmt.count(int(levels.eligible[0]))} tickets)"
        f" resolved within {sla} h of opening; {levels.confidence:.0%} Wilson interval.",
        "Resolution and first-response times over the tickets resolved (answered) so far;"
        " p90 = 90th percentile.",
    ]
    return Section(
        f"Service levels (SLA {sla} h)",
        rows,
        header=["channel", "tickets", "resolved", "within SLA", "interval",
                "median resolution", "p90 resolution", "median first response"],
        notes=notes,
    )  # fmt: skip


def _backlog_section(queue: Backlog, *, last: int = 12) -> Section:
    n = len(queue.open)
    start = max(0, n - last)
    rows = [
        [
            fmt.date(queue.period_start[i]),
            fmt.count(int(queue.opened[i])),
            fmt.count(int(queue.resolved[i])),
            fmt.count(int(queue.open[i])),
        ]
        for i in range(start, n)
    ]
    notes = [
        f"Open = opened before the period's end and not resolved before it (last {n - start}"
        f" of {n} {queue.unit.value}s; the last one ends at the observation end)."
    ]
    return Section(
        "Ticket backlog (open at period end)",
        rows,
        header=[queue.unit.value, "opened", "resolved", "open"],
        notes=notes,
    )


def _categories_section(top: TopCategories) -> Section:
    rows = [
        [
            str(top.categories[i]),
            fmt.count(int(top.tickets[i])),
            fmt.share(float(top.share[i])),
            _hours(float(top.median_resolution_hours[i])),
        ]
        for i in range(len(top.categories))
    ]
    notes = [f"Share of all {fmt.count(top.n_tickets)} tickets; most frequent first."]
    return Section(
        "Top ticket categories",
        rows,
        header=["category", "tickets", "share", "median resolution"],
        notes=notes,
    )


def _cost_section(cost: ServiceCost, shift: SelfServiceShift | None) -> Section:
    rows = [
        [str(c), fmt.count(int(n)), fmt.number(float(u)), fmt.number(float(t))]
        for c, n, u, t in zip(
            cost.channels.tolist(), cost.contacts, cost.cost_per_contact, cost.cost, strict=True
        )
    ]
    rows.append(["total", fmt.count(int(np.sum(cost.contacts))), "", fmt.number(cost.total)])
    notes = ["One ticket = one contact in its channel (tickets without a channel left out)."]
    if shift is not None:
        notes.append(
            f"Self-service: moving the shifted contacts at"
            f" {fmt.number(shift.self_service_cost_per_contact)} per contact, with"
            f" {fmt.share(shift.resolution_rate)} resolved there, saves"
            f" {fmt.number(shift.total_saving)} ({fmt.number(shift.cost_before)} ->"
            f" {fmt.number(shift.cost_after)})."
        )
    return Section(
        "Service cost by channel",
        rows,
        header=["channel", "contacts", "cost per contact", "cost"],
        notes=notes,
    )
