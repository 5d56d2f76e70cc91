"""Scorers named like others: each returns a constant that identifies this distribution."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ecomstrat.scoring import ScoringContext

#: Every score of this plugin.
MARK = -1.0


class _Constant:
    description = "Returns -1 for every customer (identifies the duplicate plugin)."
    requires = frozenset({"summary"})

    def __init__(self, name: str) -> None:
        self.name = name

    def score(self, context: ScoringContext, /) -> NDArray[np.float64]:
        return np.full(context.n_customers, MARK)


rfm = _Constant("rfm")
spend_per_week = _Constant("spend_per_week")
