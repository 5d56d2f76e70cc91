"""The lifecycle part of the demo report: stage distribution, stage migration, value tiers.

:func:`lifecycle_overview` computes the numbers as a frozen :class:`LifecycleOverview` (JSON
via :meth:`~LifecycleOverview.to_dict`); its :meth:`~LifecycleOverview.sections` formats them
as report sections for :func:`~ecomstrat.report.render`.

Examples
--------
>>> from ecomstrat.datasets import simulate_transactions
>>> from ecomstrat.report import render
>>> sim = simulate_transactions(500, seed=2)
>>> overview = lifecycle_overview(sim.log, observation_end="2025-06-30", previous="2024-12-31")
>>> sections = overview.sections()
>>> for section in sections:
...     print(section.title)
Lifecycle stages at 2025-06-30
Stage migration 2024-12-31 -> 2025-06-30
Value tiers at 2025-06-30
>>> text = render(sections)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from ecomstrat._validation import check_same_length, invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.frames._time import period_index, period_of
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.lifecycle import (
    PHASE_NAMES,
    STAGE_NAMES,
    LifecyclePolicy,
    ModelBasedPolicy,
    RuleBasedPolicy,
    stage_migration,
)
from ecomstrat.metrics.value_tiers import TOP_SHARES, value_tiers
from ecomstrat.report import _format as fmt
from ecomstrat.report.overview import _Overview
from ecomstrat.report.section import Section

__all__ = ["LifecycleOverview", "lifecycle_overview"]


@attrs.frozen
class LifecycleOverview(_Overview):
    """Lifecycle stages at a date, migrations since an earlier one, and value tiers."""

    observation_end: np.datetime64
    previous: np.datetime64
    n_customers: int
    policy: str
    stage_counts: dict[str, int]
    stage_shares: dict[str, float]
    phase_shares: dict[str, float]
    previous_stage_counts: dict[str, int]
    migration_counts: tuple[tuple[int, ...], ...]
    migration_shares: tuple[tuple[float | None, ...], ...]
    churn_rate: float | None
    value_basis: str
    tier_counts: dict[str, int]
    tier_customer_shares: dict[str, float]
    tier_value_shares: dict[str, float | None]

    def sections(self) -> tuple[Section, ...]:
        """Three sections: stages, migration matrix, value tiers."""
        day = fmt.date(self.observation_end)
        before = fmt.date(self.previous)
        stages = [
            (name, fmt.count(self.stage_counts[name]), fmt.share(self.stage_shares[name]))
            for name in STAGE_NAMES
        ]
        phases = ", ".join(f"{name} {fmt.share(self.phase_shares[name])}" for name in PHASE_NAMES)
        stage_notes = [
            f"{fmt.count(self.n_customers)} customers; {self.policy}",
            f"Relationship phases: {phases}.",
        ]
        matrix = [
            (
                name,
                *(fmt.share(cell) for cell in self.migration_shares[i]),
                fmt.count(self.previous_stage_counts[name]),
            )
            for i, name in enumerate(STAGE_NAMES)
        ]
        churn = (
            "no customer was active"
            if self.churn_rate is None
            else f"{fmt.share(self.churn_rate)} of the customers active on {before} had churned"
        )
        migration_notes = [
            f"Rows: stage on {before}; columns: stage on {day}; cells: share of the row.",
            f"Churn: {churn} by {day}.",
        ]
        tiers = [
            (
                name,
                fmt.count(count),
                fmt.share(self.tier_customer_shares[name]),
                fmt.share(self.tier_value_shares[name]),
            )
            for name, count in self.tier_counts.items()
        ]
        return (
            Section(
                f"Lifecycle stages at {day}",
                stages,
                header=("stage", "customers", "share"),
                notes=stage_notes,
            ),
            Section(
                f"Stage migration {before} -> {day}",
                matrix,
                header=("from \\ to", *STAGE_NAMES, "customers"),
                notes=migration_notes,
            ),
            Section(
                f"Value tiers at {day}",
                tiers,
                header=("tier", "customers", "share of customers", "share of value"),
                notes=[f"Value: {self.value_basis}. Tied customers share the lower tier."],
            ),
        )


def describe_policy(policy: LifecyclePolicy) -> str:
    """One sentence stating the rules of a lifecycle policy.

    Examples
    --------
    >>> describe_policy(RuleBasedPolicy())  # doctest: +NORMALIZE_WHITESPACE
    'new for 90 days after the first purchase; churned after 365 days without one;
    declining when overdue (2x their mean gap) or buying less in the last 180 days than in
    the 180 before; reactivated for 90 days after a return.'
    """
    rules = policy.rules if isinstance(policy, ModelBasedPolicy) else policy
    churn = (
        f"churned when P(alive) < {policy.alive_threshold:g}"
        if isinstance(policy, ModelBasedPolicy)
        else f"churned after {rules.churn_after} without one"
    )
    return (
        f"new for {rules.new_window} after the first purchase; {churn}; declining when overdue"
        f" ({rules.overdue_factor:g}x their mean gap) or buying less in the last"
        f" {rules.trend_window} than in the {rules.trend_window.value:g} before; reactivated"
        f" for {rules.reactivation_window} after a return."
    )


def _historical_value(log: TransactionLog, observation_end: np.datetime64, n: int) -> Any:
    """Revenue of each customer up to the day of ``observation_end`` (0 for extra prospects)."""
    days = period_index(log.times, TimeUnit.DAY)
    end = period_of(observation_end, TimeUnit.DAY)
    kept = days <= end
    return np.bincount(log.customer_index[kept], weights=log.amounts[kept], minlength=n)


def lifecycle_overview(
    log: TransactionLog,
    *,
    observation_end: object,
    previous: object,
    policy: LifecyclePolicy | None = None,
    values: Sequence[float] | Any | None = None,
    prospects: Sequence[Any] | Any | None = None,
    top_shares: Sequence[float] = TOP_SHARES,
) -> LifecycleOverview:
    """Stage the customers at ``previous`` and ``observation_end`` and tier them by value.

    Parameters
    ----------
    log : TransactionLog
        The orders.
    observation_end, previous : datetime, date, str or numpy.datetime64
        The report date and an earlier date to measure migrations from.
    policy : RuleBasedPolicy or ModelBasedPolicy, optional
        Defaults to ``RuleBasedPolicy()``.
    values : array-like of float, optional
        Per-customer value (e.g. CLV) aligned with the staged customers (the log's, then the
        extra prospects); defaults to each customer's revenue up to ``observation_end``.
    prospects : array-like, optional
        Known customers who may never have bought.
    top_shares : sequence of float, default (0.01, 0.10)
        The rank tiers (see :func:`~ecomstrat.metrics.value_tiers.value_tiers`).

    Returns
    -------
    LifecycleOverview
    """
    resolved = RuleBasedPolicy() if policy is None else policy
    migration = stage_migration(
        log, start=previous, end=observation_end, policy=resolved, prospects=prospects
    )
    after = migration.after
    n = after.n_customers
    if values is None:
        value = _historical_value(log, after.observation_end, n)
        unit = f" ({log.currency})" if log.currency else ""
        basis = f"revenue{unit} up to {fmt.date(after.observation_end)}"
    else:
        value = np.asarray(values, dtype=np.float64)
        if value.ndim != 1:
            raise invalid("values", f"array of shape {value.shape}", "must be one-dimensional")
        check_same_length(values=value, customers=after.customer_ids)
        basis = "the values given"
    tiers = value_tiers(value, top_shares=top_shares, customer_ids=after.customer_ids)
    probabilities = migration.probabilities
    return LifecycleOverview(
        observation_end=after.observation_end,
        previous=migration.before.observation_end,
        n_customers=n,
        policy=describe_policy(resolved),
        stage_counts=after.counts,
        stage_shares=after.shares,
        phase_shares={name: c / n for name, c in after.phase_counts.items()},
        previous_stage_counts=migration.before.counts,
        migration_counts=tuple(tuple(int(c) for c in row) for row in migration.counts),
        migration_shares=tuple(
            tuple(None if np.isnan(p) else float(p) for p in row) for row in probabilities
        ),
        churn_rate=migration.churn_rate,
        value_basis=basis,
        tier_counts=tiers.counts,
        tier_customer_shares=tiers.shares,
        tier_value_shares={
            name: None if np.isnan(s) else s for name, s in tiers.value_shares.items()
        },
    )
