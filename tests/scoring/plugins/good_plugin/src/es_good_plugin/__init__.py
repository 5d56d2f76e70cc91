"""Two well-behaved scorers: spend per week of age, and the number of orders in the log."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ecomstrat.scoring import ScoringContext


class SpendPerWeek:
    name = "spend_per_week"
    description = "Total spend divided by the customer's age in weeks (at least one week)."
    requires = frozenset({"summary", "summary:total_value"})

    def score(self, context: ScoringContext, /) -> NDArray[np.float64]:
        summary = context.summary.to_unit("week")
        assert summary.total_value is not None
        return summary.total_value / np.maximum(summary.T, 1.0)


class Orders:
    name = "orders"
    description = "Number of orders of each customer in the transaction log."
    requires = frozenset({"log"})

    def score(self, context: ScoringContext, /) -> NDArray[np.float64]:
        log = context.require_log()
        rows = context.log_rows[log.customer_index]
        kept = rows >= 0
        counts = np.bincount(rows[kept], minlength=context.n_customers)
        return counts.astype(np.float64)


spend_per_week = SpendPerWeek()
orders = Orders()
