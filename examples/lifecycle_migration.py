"""Stage a simulated customer base, follow it over time, and decide what to do with whom.

Run it from anywhere: ``python examples/lifecycle_migration.py`` (a few seconds; the first run
in a fresh environment also compiles the kernels).
"""

from __future__ import annotations

import numpy as np

import ecomstrat as es
from ecomstrat.lifecycle import (
    STAGE_NAMES,
    Duration,
    RuleBasedPolicy,
    recommend_actions,
    stage_counts_over_time,
    stage_customers,
)
from ecomstrat.metrics.rfm_segments import rfm_scores, rfm_segments
from ecomstrat.metrics.value_tiers import value_tiers
from ecomstrat.report import render
from ecomstrat.report.lifecycle import lifecycle_overview

START = "2024-01-01"


def main() -> None:
    # 78 weeks of a 20,000-customer base acquired during the first 12 weeks (CDNOW parameters),
    # plus 2,000 newsletter subscribers who never bought.
    sim = es.simulate_transactions(20_000, seed=7, start=START)
    log = sim.log
    prospects = np.arange(100_000, 102_000)
    end = sim.observation_end
    previous = end - np.timedelta64(26 * 7, "D")
    print(log)

    # Thresholds for a catalogue bought every few months.
    policy = RuleBasedPolicy(
        new_window=Duration(8, "week"),
        churn_after=Duration(9, "month"),
        overdue_factor=2.0,
        trend_window=Duration(13, "week"),
        reactivation_window=Duration(8, "week"),
    )
    print()
    overview = lifecycle_overview(
        log, observation_end=end, previous=previous, policy=policy, prospects=prospects
    )
    print(render(overview.sections()))

    # Stage counts every 13 weeks.
    dates = np.datetime64(START) + np.arange(13, 79, 13) * np.timedelta64(7, "D")
    over = stage_counts_over_time(log, dates=dates, policy=policy, prospects=prospects)
    print("\nCustomers per stage every 13 weeks")
    print(f"{'date':<12}" + "".join(f"{name:>12}" for name in STAGE_NAMES))
    for date, row in zip(over.dates, over.counts, strict=True):
        print(f"{str(date)[:10]:<12}" + "".join(f"{count:>12,}" for count in row))

    # Recommended actions: stage x value tier (revenue so far) through the default playbook.
    stages = stage_customers(log, observation_end=end, policy=policy, prospects=prospects)
    revenue = np.zeros(stages.n_customers)
    revenue[: log.n_customers] = np.bincount(
        log.customer_index, weights=log.amounts, minlength=log.n_customers
    )
    tiers = value_tiers(revenue, customer_ids=stages.customer_ids)
    plan = recommend_actions(stages, tiers=tiers)
    print("\nCustomers per recommended action")
    for action, count in sorted(plan.counts.items(), key=lambda item: -item[1]):
        print(f"  {action:<30} {count:>8,}")

    # The same customers by marketing RFM segment.
    segments = rfm_segments(rfm_scores(log, observation_end=end))
    print("\nRFM segments (customers who have bought)")
    for name, count in segments.counts.items():
        print(f"  {name:<22} {count:>7,}  {segments.shares[name]:6.1%}")


if __name__ == "__main__":
    main()
