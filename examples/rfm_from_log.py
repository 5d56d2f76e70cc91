"""Summarise a simulated customer base in weeks: top customers, then calibration vs holdout.

Run it from anywhere: ``python examples/rfm_from_log.py`` (about a second once the kernels are
cached on disk).
"""

from __future__ import annotations

import numpy as np

import ecomstrat as es
from ecomstrat.report import holdout_overview, render

START = "2024-01-01"


def main() -> None:
    # 78 weeks of a 5,000-customer base acquired during the first 12 weeks (CDNOW parameters).
    sim = es.simulate_transactions(5_000, seed=11, start=START)
    log = sim.log
    print(log)

    summary = es.rfm_summary(log, observation_end=sim.observation_end, time_unit="week")
    assert summary.total_value is not None  # rfm_summary always fills it
    top = np.argsort(-summary.total_value, kind="stable")[:10]
    print("\nTop 10 customers by total value (USD), durations in weeks")
    print(f"{'customer':>8}  {'x':>3}  {'t_x':>6}  {'T':>6}  {'monetary':>9}  {'total':>9}")
    for i in top:
        print(
            f"{summary.customer_ids[i]:>8}  {summary.frequency[i]:>3}  {summary.recency[i]:>6.2f}"
            f"  {summary.T[i]:>6.2f}  {summary.monetary[i]:>9.2f}  {summary.total_value[i]:>9.2f}"
        )
    share = summary.total_value[top].sum() / summary.total_value.sum()
    print(
        f"These 10 customers ({10 / summary.n_customers:.1%} of all) bring {share:.1%} of revenue."
    )

    # Calibration: the first 39 weeks; holdout: the 39 weeks after.
    calibration_end = np.datetime64(START) + np.timedelta64(39 * 7, "D")
    split = es.calibration_holdout_summary(
        log, calibration_end=calibration_end, observation_end=sim.observation_end, time_unit="week"
    )
    print()
    print(render(holdout_overview(split).sections()))


if __name__ == "__main__":
    main()
