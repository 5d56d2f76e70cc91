"""Model diagnostics: how well a fitted customer-base model describes and predicts the data.

Every diagnostic is data first (a frame with ``columns()`` and ``to_pandas()``…) and a figure
second (:mod:`ecomstrat.plot`):

- :func:`period_transactions` and :func:`heterogeneity` (:mod:`.calibration`): the fit to the
  calibration data and the fitted mixing distributions;
- :func:`frequency_recency_grid` and :func:`probability_alive_history` (:mod:`.grids`): the
  model's predictions over histories and along one customer's;
- :func:`holdout_by_frequency`, :func:`holdout_errors` and :func:`tracking` (:mod:`.holdout`):
  the predictions against a holdout period and over calendar time;
- :func:`check_model` (:mod:`.verdict`): the graded criteria and a plain verdict.
"""

from ecomstrat.diagnostics.calibration import (
    Heterogeneity,
    MixingDistribution,
    PeriodTransactions,
    heterogeneity,
    period_transactions,
)
from ecomstrat.diagnostics.grids import (
    AliveHistory,
    FrequencyRecencyGrid,
    frequency_recency_grid,
    probability_alive_history,
)
from ecomstrat.diagnostics.holdout import (
    AliveCalibration,
    HoldoutByFrequency,
    HoldoutErrors,
    Tracking,
    holdout_by_frequency,
    holdout_errors,
    tracking,
)
from ecomstrat.diagnostics.verdict import (
    CheckThresholds,
    Criterion,
    Grade,
    ModelCheck,
    check_model,
)

__all__ = [
    "AliveCalibration",
    "AliveHistory",
    "CheckThresholds",
    "Criterion",
    "FrequencyRecencyGrid",
    "Grade",
    "Heterogeneity",
    "HoldoutByFrequency",
    "HoldoutErrors",
    "MixingDistribution",
    "ModelCheck",
    "PeriodTransactions",
    "Tracking",
    "check_model",
    "frequency_recency_grid",
    "heterogeneity",
    "holdout_by_frequency",
    "holdout_errors",
    "period_transactions",
    "probability_alive_history",
    "tracking",
]
