"""Report sections on acquisition: cohort retention and CAC payback per campaign.

:func:`acquisition_sections` computes the numbers with
:func:`~ecomstrat.metrics.cohorts.cohort_retention` and
:func:`~ecomstrat.metrics.acquisition.acquisition_table` and formats them as
:class:`~ecomstrat.report.Section` objects for the ``ecomstrat demo`` report.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ecomstrat.domain.campaign import Campaign
from ecomstrat.domain.customer import Customer
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.acquisition import AcquisitionTable, acquisition_table
from ecomstrat.metrics.cohorts import CohortMatrix, cohort_retention
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = [
    "AcquisitionOverview",
    "acquisition_overview",
    "acquisition_sections",
    "payback_section",
    "retention_section",
]


@attrs.frozen(eq=False)
class AcquisitionOverview:
    """Monthly cohort retention and the per-campaign CAC payback table of a log.

    ``table`` is None when there are no campaigns (retention only).
    """

    retention: CohortMatrix
    table: AcquisitionTable | None
    max_offset: int = 12

    def to_dict(self) -> dict[str, Any]:
        """The numbers as a JSON-able dict (NaN becomes ``None``)."""
        return {
            "retention": {
                "cohorts": fmt.json_values(self.retention.cohorts),
                "offsets": fmt.json_values(self.retention.offsets),
                "sizes": fmt.json_values(self.retention.sizes),
                "values": fmt.json_values(self.retention.values),
            },
            "campaigns": None if self.table is None else fmt.json_columns(self.table.columns()),
        }

    def sections(self) -> list[Section]:
        """Cohort retention, then CAC payback per campaign (when there are campaigns)."""
        out = [retention_section(self.retention, max_offset=self.max_offset)]
        if self.table is not None:
            out.append(payback_section(self.table))
        return out


def acquisition_overview(
    log: TransactionLog,
    *,
    campaigns: Sequence[Campaign],
    gross_margin_rate: float | None = None,
    customers: Iterable[Customer] | None = None,
    observation_end: object = None,
    max_offset: int = 12,
) -> AcquisitionOverview:
    """Compute the acquisition part of the report (arguments as :func:`acquisition_sections`).

    With no campaigns (an empty sequence) only the cohort retention is computed.
    """
    retention = cohort_retention(log, observation_end=observation_end)
    if not campaigns:
        return AcquisitionOverview(retention, None, max_offset)
    table = acquisition_table(
        log,
        campaigns=campaigns,
        customers=customers,
        gross_margin_rate=gross_margin_rate,
        observation_end=observation_end,
    )
    return AcquisitionOverview(retention, table, max_offset)


def _number(value: float, digits: int = 2) -> str:
    return fmt.MISSING if math.isnan(value) else fmt.number(value, digits)


def _share(value: float) -> str:
    return fmt.MISSING if math.isnan(value) else fmt.share(value)


def retention_section(matrix: CohortMatrix, *, max_offset: int = 12) -> Section:
    """A cohort × offset table of retention shares (offsets ``0..max_offset``).

    Examples
    --------
    >>> log = TransactionLog.from_arrays(["a", "b", "a"], ["2024-01-05", "2024-01-20",
    ...                                  "2024-02-03"], [10.0, 20.0, 5.0])
    >>> s = retention_section(cohort_retention(log))
    >>> s.header
    ('cohort', 'customers', 'M0', 'M1')
    >>> s.rows
    (('2024-01-01', '2', '100.0%', '50.0%'), ('all (weighted)', '2', '100.0%', '50.0%'))
    """
    width = min(matrix.n_offsets, max_offset + 1)
    letter = matrix.period.value[0].upper()
    header = ["cohort", "customers", *(f"{letter}{k}" for k in range(width))]
    rows = [
        [
            fmt.date(matrix.cohorts[i]),
            fmt.count(int(matrix.sizes[i])),
            *(_share(float(v)) for v in matrix.values[i, :width]),
        ]
        for i in range(matrix.n_cohorts)
    ]
    mean = matrix.mean()[:width]
    rows.append(
        ["all (weighted)", fmt.count(int(matrix.sizes.sum())), *(_share(float(v)) for v in mean)]
    )
    notes = [
        f"Share of each cohort (customers by {matrix.period.value} of first order) buying in"
        f" the {matrix.period.value} {letter}k after acquisition; {fmt.MISSING} = not yet"
        " observed."
    ]
    return Section(f"Cohort retention ({matrix.period.value}ly)", rows, header=header, notes=notes)


def payback_section(table: AcquisitionTable) -> Section:
    """One row per campaign: spend, customers, CAC, ROAS, LTV:CAC and both paybacks."""
    rows = []
    for i in range(table.n_rows):
        month = float(table.payback_month[i])
        gap = float(table.payback_gap[i])
        if not math.isnan(month):
            reached = f"month {int(month)}"
        elif math.isnan(gap):
            reached = fmt.MISSING
        else:
            reached = f"not yet ({_number(gap)} short)"
        rows.append(
            [
                str(table.labels[i]),
                str(table.channels[i]),
                _number(float(table.spend[i]), 0),
                fmt.count(int(table.customers[i])),
                _number(float(table.cac[i])),
                _number(float(table.roas[i])),
                _number(float(table.ltv_cac[i])),
                _number(float(table.simple_payback_months[i]), 1),
                reached,
            ]
        )
    header = [
        table.by,
        "channel",
        f"spend ({table.currency})",
        "customers",
        "CAC",
        "ROAS",
        "LTV:CAC",
        "simple payback (months)",
        "margin reaches CAC",
    ]
    notes = [
        f"Customers are attributed by the date of their first order; {table.n_unattributed:,}"
        f" acquired customers had no campaign. Paid CAC {_number(table.paid_cac)}, blended CAC"
        f" {_number(table.blended_cac)} {table.currency}.",
        "Simple payback = CAC / (monthly revenue per customer x gross margin rate). The last"
        " column is the month since acquisition (0 = the acquisition month) in which the"
        " cumulative gross margin per customer reaches the CAC, up to"
        f" {fmt.date(table.observation_end)}."
        f" LTV is the {table.ltv_source} per customer to date.",
    ]
    return Section("CAC payback per campaign", rows, header=header, notes=notes)


def acquisition_sections(
    log: TransactionLog,
    *,
    campaigns: Sequence[Campaign],
    gross_margin_rate: float | None = None,
    customers: Iterable[Customer] | None = None,
    observation_end: object = None,
    max_offset: int = 12,
) -> list[Section]:
    """The acquisition part of the demo report: monthly cohort retention, then CAC payback.

    Parameters
    ----------
    log : TransactionLog
        The orders, in the campaigns' currency.
    campaigns : sequence of Campaign
        The campaigns to evaluate.
    gross_margin_rate : float, optional
        Margin as a share of revenue, for a log without margins.
    customers : iterable of Customer, optional
        Known acquisition campaigns or channels (see
        :func:`~ecomstrat.metrics.acquisition.acquisition_table`).
    observation_end : datetime, date, str or numpy.datetime64, optional
        Last instant of data (default: the last order).
    max_offset : int, default 12
        Last month since acquisition shown in the retention table.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> from ecomstrat.datasets.campaigns import simulate_campaigns
    >>> sim = simulate_transactions(500, seed=2)
    >>> sections = acquisition_sections(sim.log, campaigns=simulate_campaigns(sim, seed=2),
    ...                                 gross_margin_rate=0.4)
    >>> [s.title for s in sections]
    ['Cohort retention (monthly)', 'CAC payback per campaign']
    """
    return acquisition_overview(
        log,
        campaigns=campaigns,
        gross_margin_rate=gross_margin_rate,
        customers=customers,
        observation_end=observation_end,
        max_offset=max_offset,
    ).sections()
