"""Distributed paths on Dask: RFM summaries, fits, predictions and scores beyond one machine.

Install with ``pip install 'ecomstrat[dask]'``. Every function takes a Dask DataFrame (of
orders) or a :class:`DaskSummary` and gives the single-machine result, whatever the
partitioning: summaries bitwise equal, fitted parameters to the optimiser's tolerance,
per-customer predictions equal row by row. See :doc:`/beyond-one-machine`.

* :func:`rfm_summary`, :func:`calibration_holdout_summary`: shuffle the orders by customer
  (keeping each customer's rows in input order), then the single-machine summary per partition;
* :func:`fit`: distinct ``(x, t_x, T)`` patterns with counts per partition, one weighted fit;
* :func:`predictions`, :func:`customer_lifetime_value`,
  :func:`customer_lifetime_value_interval`, :func:`score`, :func:`stage_customers`:
  partition-wise maps keyed by customer id;
* :class:`WarmUp`: a ``distributed`` worker plugin that compiles the kernels once per worker.

Names load on first access, so ``import ecomstrat.dask`` imports neither dask nor numba.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecomstrat.dask._fit import fit as fit, patterns as patterns
    from ecomstrat.dask._maps import (
        customer_lifetime_value as customer_lifetime_value,
        customer_lifetime_value_interval as customer_lifetime_value_interval,
        predictions as predictions,
        score as score,
        stage_customers as stage_customers,
    )
    from ecomstrat.dask._summary import (
        DaskCalibrationHoldout as DaskCalibrationHoldout,
        DaskSummary as DaskSummary,
        calibration_holdout_summary as calibration_holdout_summary,
        rfm_summary as rfm_summary,
    )
    from ecomstrat.dask._warmup import WarmUp as WarmUp

#: public name -> module that defines it (imported on first access)
_LOCATIONS: dict[str, str] = {
    "DaskCalibrationHoldout": "ecomstrat.dask._summary",
    "DaskSummary": "ecomstrat.dask._summary",
    "WarmUp": "ecomstrat.dask._warmup",
    "calibration_holdout_summary": "ecomstrat.dask._summary",
    "customer_lifetime_value": "ecomstrat.dask._maps",
    "customer_lifetime_value_interval": "ecomstrat.dask._maps",
    "fit": "ecomstrat.dask._fit",
    "patterns": "ecomstrat.dask._fit",
    "predictions": "ecomstrat.dask._maps",
    "rfm_summary": "ecomstrat.dask._summary",
    "score": "ecomstrat.dask._maps",
    "stage_customers": "ecomstrat.dask._maps",
}

__all__ = sorted(_LOCATIONS)


def __getattr__(name: str) -> Any:
    """Import public names on first access (PEP 562)."""
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module 'ecomstrat.dask' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
