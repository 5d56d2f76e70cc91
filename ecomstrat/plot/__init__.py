"""Figures of the diagnostics and strategy metrics, drawn with matplotlib (the ``plot`` extra).

Every function takes the data object first (a result of :mod:`ecomstrat.diagnostics` or of a
metric), draws on ``ax`` and returns it. Without ``ax`` it draws on a new
``matplotlib.pyplot`` figure, so a notebook shows it; with one it never touches pyplot.
matplotlib is imported on the first call; without it the call raises
:class:`~ecomstrat.exceptions.MissingDependencyError` (``pip install 'ecomstrat[plot]'``).

Model diagnostics (:mod:`.diagnostics`): :func:`period_transactions`,
:func:`holdout_by_frequency`, :func:`holdout_calibration`, :func:`tracking`,
:func:`expected_purchases_grid`, :func:`probability_alive_grid`,
:func:`probability_alive_history`, :func:`heterogeneity`. Strategy metrics
(:mod:`.business`): :func:`clv_distribution`, :func:`lorenz_curve`, :func:`cohort_retention`,
:func:`payback_curves`, :func:`stage_migration`.
"""

from ecomstrat.plot.business import (
    clv_distribution,
    cohort_retention,
    lorenz_curve,
    payback_curves,
    stage_migration,
)
from ecomstrat.plot.diagnostics import (
    expected_purchases_grid,
    heterogeneity,
    holdout_by_frequency,
    holdout_calibration,
    period_transactions,
    probability_alive_grid,
    probability_alive_history,
    tracking,
)

__all__ = [
    "clv_distribution",
    "cohort_retention",
    "expected_purchases_grid",
    "heterogeneity",
    "holdout_by_frequency",
    "holdout_calibration",
    "lorenz_curve",
    "payback_curves",
    "period_transactions",
    "probability_alive_grid",
    "probability_alive_history",
    "stage_migration",
    "tracking",
]
