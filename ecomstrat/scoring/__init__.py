"""Scorers: one number per customer, from built-in, installed and in-process scorers.

A *scorer* (:class:`Scorer`) turns a :class:`ScoringContext` — a customer summary plus,
optionally, the transaction log, engagement counts and a fitted transaction model — into one
float per customer, in one vectorised call; :func:`score` and :func:`score_all` gather the
results in a :class:`Scores` table. The package has three modules:

* :mod:`ecomstrat.scoring.context`: the protocol, the context and the scores table;
* :mod:`ecomstrat.scoring.registry`: the lazy entry-point registry (group
  ``ecomstrat.scorers``), its default instance and the module-level functions;
* :mod:`ecomstrat.scoring.builtin`: the built-in scorers ``rfm``, ``p_alive``,
  ``churn_risk``, ``clv`` and ``lead``.

Importing it imports no model, no numba kernel and no plugin. See :doc:`/howto-scorer-plugin`.

Examples
--------
>>> from ecomstrat import scoring
>>> scoring.available()[:5]
('churn_risk', 'clv', 'lead', 'p_alive', 'rfm')
>>> scoring.get("rfm")
RFMScorer(monetary='total', name='rfm')
"""

from __future__ import annotations

from ecomstrat.scoring.builtin import (
    ChurnRiskScorer,
    CLVScorer,
    LeadScorer,
    ProbabilityAliveScorer,
    RFMScorer,
)
from ecomstrat.scoring.context import Scorer, Scores, ScoringContext
from ecomstrat.scoring.registry import (
    ScorerEntry,
    ScorerRegistry,
    available,
    default_registry,
    get,
    refresh,
    register,
    score,
    score_all,
    unregister,
)

__all__ = [
    "CLVScorer",
    "ChurnRiskScorer",
    "LeadScorer",
    "ProbabilityAliveScorer",
    "RFMScorer",
    "Scorer",
    "ScorerEntry",
    "ScorerRegistry",
    "Scores",
    "ScoringContext",
    "available",
    "default_registry",
    "get",
    "refresh",
    "register",
    "score",
    "score_all",
    "unregister",
]
