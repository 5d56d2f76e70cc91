"""CAC payback of simulated campaigns: cohort retention, payback per campaign and channel.

Run it from anywhere: ``python examples/cac_payback.py`` (a couple of seconds once the kernels
are cached on disk).
"""

from __future__ import annotations

import numpy as np

import ecomstrat as es
from ecomstrat.datasets.campaigns import simulate_campaigns
from ecomstrat.metrics.acquisition import acquisition_table
from ecomstrat.report import render
from ecomstrat.report.acquisition import acquisition_sections

#: The simulated log has no margins: assume 40% gross margin on every order.
GROSS_MARGIN_RATE = 0.4


def main() -> None:
    # 20,000 customers acquired over 12 weeks, observed for 78 weeks (CDNOW parameters),
    # and two-week campaigns rotating through three channels over the acquisition window.
    sim = es.simulate_transactions(20_000, seed=21)
    campaigns = simulate_campaigns(sim, seed=21, channels=("search", "social", "email"))
    print(sim.log)
    print(f"{len(campaigns)} campaigns, {campaigns[0].start} to {campaigns[-1].end}\n")

    print(
        render(
            acquisition_sections(sim.log, campaigns=campaigns, gross_margin_rate=GROSS_MARGIN_RATE)
        )
    )

    by_channel = acquisition_table(
        sim.log, campaigns=campaigns, by="channel", gross_margin_rate=GROSS_MARGIN_RATE
    )
    print("\nPayback curves by channel: cumulative margin per customer / CAC")
    months = [0, 1, 2, 3, 6, 9, 12]
    print(f"{'channel':>8}  {'CAC':>6}  " + "  ".join(f"M{m:<4}" for m in months))
    ratio = by_channel.payback_ratio
    for i, channel in enumerate(by_channel.labels):
        cells = "  ".join(
            f"{ratio[i, m]:5.2f}" if not np.isnan(ratio[i, m]) else "    -" for m in months
        )
        print(f"{channel:>8}  {by_channel.cac[i]:6.2f}  {cells}")


if __name__ == "__main__":
    main()
