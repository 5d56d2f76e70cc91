"""A scorer whose score() calls sys.exit(3)."""

from __future__ import annotations

import sys
from typing import Any

from ecomstrat.scoring import ScoringContext


class ExitsOnScore:
    name = "exits_on_score"
    description = "Calls sys.exit(3) when asked to score."
    requires = frozenset({"summary"})

    def score(self, context: ScoringContext, /) -> Any:
        sys.exit(3)


exits_on_score = ExitsOnScore()
