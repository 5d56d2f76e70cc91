"""Report part on the AARRR funnel: the KPIs of an event log, overall, by channel and by month.

:func:`aarrr_overview` computes the numbers with :func:`~ecomstrat.metrics.aarrr.aarrr_kpis`
and :class:`AARRROverview` formats them as :class:`~ecomstrat.report.Section` objects (the
``aarrr`` part of :func:`~ecomstrat.report.pipeline.build_report` when events are given).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from ecomstrat.domain.campaign import Campaign
from ecomstrat.frames._time import to_instant
from ecomstrat.frames.events import EventLog
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.aarrr import KPI_DEFINITIONS, AARRRReport, aarrr_kpis
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = ["AARRROverview", "aarrr_overview", "campaign_spend", "revenue_log"]

#: KPIs shown per channel and per period, in the order of the columns.
CHANNEL_KPIS = (
    "conversion_rate",
    "bounce_rate",
    "activation_rate",
    "retention_rate",
    "arpu",
    "cost_per_acquisition",
)
PERIOD_KPIS = ("active_users", "conversion_rate", "bounce_rate", "retention_rate", "arpu")
#: The works the KPI definitions follow (each KPI's own is in its ``source`` column).
SOURCES = (
    "McClure (2007), Startup metrics for pirates; Farris et al. (2010), Marketing Metrics,"
    " ch. 5 and 9; Skok (2009) and Ries (2011) for the viral coefficient"
)
_LABELS = {
    "click_through_rate": "click-through rate",
    "signup_rate": "signup rate",
    "conversion_rate": "conversion rate",
    "bounce_rate": "bounce rate",
    "cost_per_acquisition": "cost per acquisition",
    "activation_rate": "activation rate",
    "active_users": "active users",
    "retention_rate": "retention rate",
    "repurchase_rate": "repurchase rate",
    "revisit_rate": "revisit rate",
    "arpu": "ARPU",
    "average_order_value": "average order value",
    "referral_rate": "referral rate",
    "referral_conversion_rate": "referral conversion",
    "viral_coefficient": "viral coefficient (K)",
}


def _value(kpi: str, value: float) -> str:
    if math.isnan(value):
        return fmt.MISSING
    if kpi == "active_users":
        return fmt.count(round(value))
    if KPI_DEFINITIONS[kpi].rate:
        return fmt.share(value)
    return fmt.number(value, 3 if kpi == "viral_coefficient" else 2)


def _interval(lower: float, upper: float) -> str:
    if math.isnan(lower) or math.isnan(upper):
        return fmt.MISSING
    return f"{fmt.share(lower)} - {fmt.share(upper)}"


def _ratio(kpi: str, numerator: float, denominator: float) -> str:
    if kpi == "active_users":
        return fmt.MISSING
    digits = 2 if kpi in ("arpu", "average_order_value", "cost_per_acquisition") else 0
    return f"{fmt.number(numerator, digits)} / {fmt.number(denominator, 0)}"


@attrs.frozen(eq=False)
class AARRROverview:
    """The AARRR KPIs of an event log: overall, by channel (if any) and by period.

    Attributes
    ----------
    overall : AARRRReport
        One row per KPI.
    by_channel : AARRRReport or None
        One row per KPI and channel (None when the events have no channels).
    by_period : AARRRReport
        One row per KPI and period.
    n_events, n_actors : int
        Size of the event log.
    """

    overall: AARRRReport
    by_channel: AARRRReport | None
    by_period: AARRRReport
    n_events: int
    n_actors: int

    def to_dict(self) -> dict[str, Any]:
        """The three tables as JSON-able columns (NaN becomes ``None``)."""
        return {
            "n_events": self.n_events,
            "n_actors": self.n_actors,
            "confidence": self.overall.confidence,
            "period": self.overall.period_unit,
            "overall": fmt.json_columns(self.overall.columns()),
            "by_channel": None
            if self.by_channel is None
            else fmt.json_columns(self.by_channel.columns()),
            "by_period": fmt.json_columns(self.by_period.columns()),
        }

    def sections(self) -> list[Section]:
        """The KPI table, then the KPIs by channel (if any) and by period."""
        out = [kpi_section(self.overall, n_events=self.n_events, n_actors=self.n_actors)]
        if self.by_channel is not None:
            out.append(_pivot(self.by_channel, "channel", CHANNEL_KPIS))
        out.append(_pivot(self.by_period, "period", PERIOD_KPIS))
        return out


def kpi_section(report: AARRRReport, *, n_events: int, n_actors: int) -> Section:
    """One row per KPI: stage, KPI, value, interval, numerator / denominator, definition.

    Examples
    --------
    >>> events = EventLog.from_arrays(["a", "a", "b"], ["visit", "purchase", "visit"],
    ...                               ["2024-01-01", "2024-01-01T00:05", "2024-01-02"])
    >>> s = kpi_section(aarrr_kpis(events), n_events=3, n_actors=2)
    >>> s.rows[2][:4]
    ('acquisition', 'conversion rate', '50.0%', '9.5% - 90.5%')
    """
    rows = [
        [
            str(report.stage[i]),
            _LABELS.get(str(report.kpi[i]), str(report.kpi[i])),
            _value(str(report.kpi[i]), float(report.value[i])),
            _interval(float(report.lower[i]), float(report.upper[i])),
            _ratio(str(report.kpi[i]), float(report.numerator[i]), float(report.denominator[i])),
        ]
        for i in range(report.n_rows)
    ]
    header = [
        "stage",
        "KPI",
        "value",
        f"{report.confidence:.0%} interval",
        "numerator / denominator",
    ]
    notes = [
        f"{n_events:,} events of {n_actors:,} customers or sessions. Intervals are Wilson score"
        f" intervals; retention is measured {report.period_unit} to {report.period_unit}.",
        "Conversion, signup and revisit rates are shares of visitors (actors with a visit or"
        " page view); bounce rate is the share of sessions with a single page view; the viral"
        " coefficient is referral signups per active user.",
        f"Definitions and sources: {SOURCES}.",
    ]
    return Section("AARRR funnel KPIs", rows, header=header, notes=notes)


def _pivot(report: AARRRReport, by: str, kpis: tuple[str, ...]) -> Section:
    keys: list[Any] = []
    labels = report.channel if by == "channel" else report.period
    assert labels is not None
    for label in labels.tolist():
        if label not in keys:
            keys.append(label)
    present = [k for k in kpis if k in set(report.kpi.tolist())]
    rows = []
    for key in keys:
        here = labels == (np.datetime64(key, "ns") if by == "period" else key)
        cells = [fmt.date(np.datetime64(key, "ns")) if by == "period" else (key or "(none)")]
        for kpi in present:
            match = here & (report.kpi == kpi)
            value = float(report.value[int(np.argmax(match))]) if match.any() else math.nan
            cells.append(_value(kpi, value))
        rows.append(cells)
    header = [by, *(_LABELS[k] for k in present)]
    title = "AARRR by channel" if by == "channel" else f"AARRR by {report.period_unit}"
    notes = [
        "Each group's KPIs are computed on its own events"
        + (
            "; retention compares each period's active users with the previous period's."
            if by == "period"
            else "; a customer active in several channels counts in each."
        )
    ]
    return Section(title, rows, header=header, notes=notes)


def aarrr_overview(
    events: EventLog,
    *,
    transactions: TransactionLog | None = None,
    spend: float | Mapping[str, float] | None = None,
    event_names: Mapping[str, str] | None = None,
    period: str = "month",
    observation_end: object = None,
) -> AARRROverview:
    """Compute the AARRR part of the report (arguments as :func:`~ecomstrat.aarrr_kpis`).

    ``transactions`` supplies the revenue when the events carry no amounts;
    ``observation_end`` drops later events.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> from ecomstrat.datasets.events import simulate_events
    >>> sim = simulate_transactions(300, seed=4)
    >>> part = aarrr_overview(simulate_events(sim, seed=4))
    >>> [s.title for s in part.sections()]
    ['AARRR funnel KPIs', 'AARRR by channel', 'AARRR by month']
    """
    if observation_end is not None:
        end = to_instant("observation_end", observation_end, events.timezone)
        kept = events.times <= end
        if not kept.all():
            events = _subset(events, kept)
    common: dict[str, Any] = {
        "period": period,
        "event_names": event_names,
        "transactions": transactions,
    }
    overall = aarrr_kpis(events, spend=spend, **common)
    by_channel = None
    if events.channel_codes is not None:
        by_channel = aarrr_kpis(events, by="channel", spend=spend, **common)
    by_period = aarrr_kpis(events, by="period", **common)
    return AARRROverview(overall, by_channel, by_period, events.n_events, events.n_actors)


def _subset(events: EventLog, kept: Any) -> EventLog:
    """The events where ``kept`` (rebuilt from their original values)."""
    columns = events.columns()
    return EventLog.from_arrays(
        columns["actor_id"][kept],
        columns["event_type"][kept],
        events.times[kept],
        session_ids=None if events.session_index is None else events.session_index[kept],
        campaigns=columns["campaign"][kept] if "campaign" in columns else None,
        channels=columns["channel"][kept] if "channel" in columns else None,
        amounts=None if events.amounts is None else events.amounts[kept],
        timezone=events.timezone,
    )


def campaign_spend(campaigns: Sequence[Campaign] | None) -> dict[str, float] | None:
    """Spend by channel of the campaigns (None without campaigns), for cost per acquisition.

    Examples
    --------
    >>> import datetime
    >>> from ecomstrat.domain.money import Money
    >>> day = datetime.date(2024, 1, 1)
    >>> campaigns = [Campaign("c1", "email", Money("100", "USD"), day, day),
    ...              Campaign("c2", "email", Money("50", "USD"), day, day)]
    >>> campaign_spend(campaigns)
    {'email': 150.0}
    """
    if not campaigns:
        return None
    out: dict[str, float] = {}
    for campaign in campaigns:
        out[campaign.channel] = out.get(campaign.channel, 0.0) + float(campaign.spend.amount)
    return out


def revenue_log(events: EventLog, log: TransactionLog) -> TransactionLog | None:
    """``log`` when the events carry no amounts and their ids are of the same kind, else None."""
    if events.amounts is not None:
        return None
    same = (events.actor_ids.dtype.kind in "iu") == (log.customer_ids.dtype.kind in "iu")
    return log if same else None
