"""Register an in-process scorer, then score a simulated customer base with every scorer.

Run it from anywhere: ``python examples/custom_scorer.py`` (a few seconds once the kernels are
cached on disk). To ship a scorer to other projects, package it instead: see
``examples/plugin_template/`` and ``docs/howto-scorer-plugin.md``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

import ecomstrat as es
from ecomstrat.models.bgnbd import BGNBD
from ecomstrat.scoring import ScoringContext, default_registry, register, score_all


class AverageOrderValue:
    """Mean value of the customer's orders (orders, not purchase days: two orders on one day
    count twice), from the transaction log."""

    name = "aov"
    description = "Average order value: the customer's order amounts summed, over their orders."
    requires = frozenset({"log"})

    def score(self, context: ScoringContext, /) -> NDArray[np.float64]:
        log = context.require_log()
        rows = context.log_rows[log.customer_index]  # summary row of each order, -1 if unscored
        kept = rows >= 0
        n = context.n_customers
        spend = np.bincount(rows[kept], weights=log.amounts[kept], minlength=n)
        orders = np.bincount(rows[kept], minlength=n)
        return spend / np.maximum(orders, 1)


def main() -> None:
    register(AverageOrderValue())

    # 78 weeks of a 2,000-customer base (CDNOW-like parameters), summarised in weeks.
    sim = es.simulate_transactions(2_000, seed=3)
    summary = es.rfm_summary(sim.log, observation_end=sim.observation_end, time_unit="week")
    model = BGNBD().fit(summary)
    print(model)

    # Engagement counts from a web analytics export would go here; simulate some that grow
    # with the number of purchases.
    rng = np.random.default_rng(3)
    visits = rng.poisson(2.0 + 3.0 * summary.frequency)
    engagement = {
        "visits": visits,
        "carts": rng.binomial(visits, 0.2),
        "email_clicks": rng.poisson(0.5 + 0.5 * summary.frequency),
    }
    context = ScoringContext(summary, log=sim.log, engagement=engagement, model=model)
    print(context)

    print("\nScorers")
    for entry in default_registry.entries():
        scorer = default_registry.get(entry.name)
        print(f"  {entry.name:<11} {entry.origin:<10} {scorer.description}")

    scores = score_all(context)  # one vectorised call per scorer, gathered in a table
    names = list(scores)
    top = np.argsort(-scores["clv"], kind="stable")[:10]
    print("\nTop 10 customers by CLV (next 12 months, discounted at 10 % a year)")
    print(f"{'customer':>8}  " + "  ".join(f"{name:>10}" for name in names))
    for i in top:
        cells = "  ".join(f"{scores[name][i]:>10.3f}" for name in names)
        print(f"{summary.customer_ids[i]:>8}  {cells}")
    agree = np.corrcoef(scores["rfm"], scores["clv"])[0, 1]
    print(
        f"\nCorrelation of the RFM score with CLV over {summary.n_customers} customers: {agree:.2f}"
    )


if __name__ == "__main__":
    main()
