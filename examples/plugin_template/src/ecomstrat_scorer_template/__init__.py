"""An ecomstrat scorer plugin: one scorer, ``repeat_rate``, published as an entry point.

A scorer is any object with ``name``, ``description``, ``requires`` and a vectorised
``score(context)``; the entry point names an *instance* of it (``repeat_rate`` below).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ecomstrat.scoring import ScoringContext

__all__ = ["RepeatRate", "repeat_rate"]


class RepeatRate:
    """Repeat purchases per week of customer age: ``frequency / max(T, 1 week)``.

    Young customers (less than a week since their first purchase) are measured over one week,
    so that a single early repeat purchase does not give an extreme rate.
    """

    name = "repeat_rate"
    description = "Repeat purchases per week since the first purchase (age floored at one week)."
    requires = frozenset({"summary"})

    def score(self, context: ScoringContext, /) -> NDArray[np.float64]:
        """One rate per customer, for all customers at once (never loop over customers)."""
        summary = context.summary.to_unit("week")
        return summary.frequency / np.maximum(summary.T, 1.0)


#: The instance the entry point ``repeat_rate`` points at.
repeat_rate = RepeatRate()
