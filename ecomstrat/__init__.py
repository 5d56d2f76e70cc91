"""ecomstrat: typed, fast e-commerce strategy metrics.

Customer lifetime value, RFM summaries, lifecycle staging, acquisition payback and
localization costing over columnar data, with numba kernels for the per-customer loops.

Every public name is importable from the package root; submodules load on first use, so
``import ecomstrat`` stays cheap and optional dependencies (pandas, polars, pyarrow) are only
imported by the functions that need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ecomstrat._version import __version__

if TYPE_CHECKING:
    from ecomstrat._warmup import warm_up
    from ecomstrat.datasets import Simulation, SimulationParameters, simulate_transactions
    from ecomstrat.domain import Campaign, Customer, Market, Money, Order, TimeUnit
    from ecomstrat.exceptions import (
        ConvergenceError,
        CurrencyMismatchError,
        EcomstratError,
        EcomstratWarning,
        EmptyInputError,
        InvalidInputError,
        MissingDependencyError,
        UnknownCodeError,
    )
    from ecomstrat.frames.summary import CalibrationHoldout, CustomerSummary
    from ecomstrat.frames.transaction_log import TransactionLog
    from ecomstrat.io import (
        log_from_arrow,
        log_from_pandas,
        log_from_polars,
        read_csv,
        read_parquet,
        summary_from_pandas,
    )
    from ecomstrat.metrics.summary import calibration_holdout_summary, rfm_summary

_LOCATIONS: dict[str, str] = {
    "CalibrationHoldout": "ecomstrat.frames.summary",
    "Campaign": "ecomstrat.domain",
    "ConvergenceError": "ecomstrat.exceptions",
    "CurrencyMismatchError": "ecomstrat.exceptions",
    "Customer": "ecomstrat.domain",
    "CustomerSummary": "ecomstrat.frames.summary",
    "EcomstratError": "ecomstrat.exceptions",
    "EcomstratWarning": "ecomstrat.exceptions",
    "EmptyInputError": "ecomstrat.exceptions",
    "InvalidInputError": "ecomstrat.exceptions",
    "Market": "ecomstrat.domain",
    "MissingDependencyError": "ecomstrat.exceptions",
    "Money": "ecomstrat.domain",
    "Order": "ecomstrat.domain",
    "Simulation": "ecomstrat.datasets",
    "SimulationParameters": "ecomstrat.datasets",
    "TimeUnit": "ecomstrat.domain",
    "TransactionLog": "ecomstrat.frames.transaction_log",
    "UnknownCodeError": "ecomstrat.exceptions",
    "calibration_holdout_summary": "ecomstrat.metrics.summary",
    "log_from_arrow": "ecomstrat.io",
    "log_from_pandas": "ecomstrat.io",
    "log_from_polars": "ecomstrat.io",
    "read_csv": "ecomstrat.io",
    "read_parquet": "ecomstrat.io",
    "rfm_summary": "ecomstrat.metrics.summary",
    "simulate_transactions": "ecomstrat.datasets",
    "summary_from_pandas": "ecomstrat.io",
    "warm_up": "ecomstrat._warmup",
}

__all__ = [
    "CalibrationHoldout",
    "Campaign",
    "ConvergenceError",
    "CurrencyMismatchError",
    "Customer",
    "CustomerSummary",
    "EcomstratError",
    "EcomstratWarning",
    "EmptyInputError",
    "InvalidInputError",
    "Market",
    "MissingDependencyError",
    "Money",
    "Order",
    "Simulation",
    "SimulationParameters",
    "TimeUnit",
    "TransactionLog",
    "UnknownCodeError",
    "__version__",
    "calibration_holdout_summary",
    "log_from_arrow",
    "log_from_pandas",
    "log_from_polars",
    "read_csv",
    "read_parquet",
    "rfm_summary",
    "simulate_transactions",
    "summary_from_pandas",
    "warm_up",
]


def __getattr__(name: str) -> Any:
    """Import public names on first access (PEP 562)."""
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module 'ecomstrat' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
