"""Report building blocks: numbers as plain data, sections, and a plain-text renderer.

A report is a list of :class:`Section` objects (title, header, rows of formatted cells,
notes). Each ``*_overview`` function computes frozen plain data from a frame; the result
offers ``to_dict()`` for JSON and ``sections()`` for :func:`render`. The full strategy report
is :func:`ecomstrat.report.pipeline.build_report` (a part it cannot compute on the data is a
:class:`SkippedPart` saying why; :mod:`ecomstrat.report.customers` holds its one row per
customer); :mod:`ecomstrat.report.figures` draws its figures with :mod:`ecomstrat.plot`
(matplotlib, imported on use) and :mod:`ecomstrat.report.html` lays it out as one
self-contained HTML page. Nothing here prints: ``ecomstrat report`` and ``ecomstrat demo``
(:mod:`ecomstrat.cli`) do.

Examples
--------
>>> from ecomstrat import TransactionLog
>>> log = TransactionLog.from_arrays(["a", "b", "a"], ["2024-01-01", "2024-01-03", "2024-02-01"],
...                                  [10.0, 5.0, 7.5], currency="EUR")
>>> print(render(data_overview(log).sections()))
Transaction log
===============
  customers                         2
  orders                            3
  orders per customer            1.50
  first order              2024-01-01
  last order               2024-02-01
  revenue (EUR)                 22.50
  mean order value (EUR)         7.50
  Times are naive wall-clock times.
"""

from ecomstrat.report.overview import (
    DataOverview,
    Distribution,
    HoldoutBucket,
    HoldoutOverview,
    SimulationOverview,
    SummaryOverview,
    data_overview,
    holdout_overview,
    simulation_overview,
    summary_overview,
)
from ecomstrat.report.section import Reportable, Section, SkippedPart
from ecomstrat.report.text import render

__all__ = [
    "DataOverview",
    "Distribution",
    "HoldoutBucket",
    "HoldoutOverview",
    "Reportable",
    "Section",
    "SimulationOverview",
    "SkippedPart",
    "SummaryOverview",
    "data_overview",
    "holdout_overview",
    "render",
    "simulation_overview",
    "summary_overview",
]
