"""From a transaction log to customer lifetime value: the customers worth the most next year.

log -> RFM summary (weeks) -> BG/NBD (purchases) + Gamma-Gamma (spend) -> CLV per customer.
Run it from anywhere: ``python examples/clv_on_a_log.py`` (a few seconds the first time, while
numba compiles and caches its kernels; about one second afterwards).
"""

from __future__ import annotations

import numpy as np

import ecomstrat as es
from ecomstrat.metrics.clv import customer_lifetime_value
from ecomstrat.models.bgnbd import BGNBD
from ecomstrat.models.gamma_gamma import GammaGamma

#: Share of revenue kept as gross margin (the simulated orders carry revenue only).
GROSS_MARGIN = 0.4


def main() -> None:
    # A log of orders: 78 weeks of 5,000 customers acquired during the first 12 weeks. With
    # your own data: es.read_csv("orders.csv", customer_id=..., time=..., amount=...).
    log = es.simulate_transactions(5_000, seed=21, start="2024-01-01").log
    print(log)

    # One row per customer: repeat purchases x, recency t_x and age T in weeks, mean spend.
    summary = es.rfm_summary(log, time_unit="week")

    purchases = BGNBD().fit(summary)  # how often, and for how long, each customer buys
    spend = GammaGamma().fit(summary)  # how much a purchase is worth, per customer
    print(purchases)
    print(spend)

    clv = customer_lifetime_value(
        summary,
        purchase_model=purchases,
        spend=spend,
        horizon=12,
        horizon_unit="month",
        gross_margin_rate=GROSS_MARGIN,
    )
    alive = purchases.probability_alive(summary)
    print(
        f"\nCLV over 12 months at 10% a year, {GROSS_MARGIN:.0%} margin: total"
        f" {clv.total:,.0f} USD, mean {clv.clv.mean():.2f}, median {np.median(clv.clv):.2f}"
    )

    top = np.argsort(-clv.clv, kind="stable")[:10]
    print("\nTop 10 customers by CLV (durations in weeks, money in USD)")
    print(
        f"{'customer':>8}  {'x':>3}  {'t_x':>6}  {'T':>6}  {'P(alive)':>8}"
        f"  {'purchases':>9}  {'spend':>7}  {'CLV':>8}"
    )
    for i in top:
        print(
            f"{summary.customer_ids[i]:>8}  {summary.frequency[i]:>3}  {summary.recency[i]:>6.1f}"
            f"  {summary.T[i]:>6.1f}  {alive[i]:>8.3f}  {clv.expected_purchases[i]:>9.2f}"
            f"  {clv.expected_spend[i]:>7.2f}  {clv.clv[i]:>8.2f}"
        )
    share = clv.clv[top].sum() / clv.total
    print(f"These 10 customers (0.2% of all) hold {share:.1%} of the predicted value.")


if __name__ == "__main__":
    main()
