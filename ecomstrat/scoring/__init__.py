"""Scorers that ship with ecomstrat; the registry itself is :mod:`ecomstrat.scoring.registry`.

The instances in :mod:`ecomstrat.scoring.builtin` are the entry points of the built-in table
:data:`ecomstrat.scoring.registry.BUILTIN_SCORERS`. Importing this package imports no model and no
numba kernel.
"""

from __future__ import annotations

from ecomstrat.scoring.builtin import (
    DEFAULT_LEAD_WEIGHTS,
    ChurnRiskScorer,
    CLVScorer,
    LeadScorer,
    ProbabilityAliveScorer,
    RFMScorer,
)

__all__ = [
    "DEFAULT_LEAD_WEIGHTS",
    "CLVScorer",
    "ChurnRiskScorer",
    "LeadScorer",
    "ProbabilityAliveScorer",
    "RFMScorer",
]
