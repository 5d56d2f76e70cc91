"""The report's figures: :mod:`ecomstrat.plot` functions drawn on pyplot-free Agg figures.

Each figure is a new :class:`matplotlib.figure.Figure` on an Agg canvas holding one Axes that
an :mod:`ecomstrat.plot` function draws on: no pyplot state, no window, no global style.
matplotlib is imported when a figure is drawn; without it :func:`report_figures` raises
:class:`~ecomstrat.exceptions.MissingDependencyError` naming the ``plot`` extra. Figures are
:data:`WIDTH_INCHES` wide, 900 pixels at :data:`DPI`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from ecomstrat._optional import import_optional

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ecomstrat.report.pipeline import ReportData

__all__ = ["DPI", "FIGURES", "FIGURE_AFTER", "WIDTH_INCHES", "draw", "report_figures"]

#: Resolution of the PNG images; with :data:`WIDTH_INCHES` it makes 900-pixel images.
DPI = 100
WIDTH_INCHES = 9.0

#: Figure key -> (report part it follows, title, what it shows), in reading order.
FIGURES: Mapping[str, tuple[str, str, str]] = {
    "p_alive": (
        "model",
        "P(alive) by frequency and recency",
        "The purchase model's probability that a customer of the median age is still active,"
        " for every frequency and recency. Under BG/NBD a one-time buyer (frequency 0) has"
        " P(alive) = 1; MBG/NBD (--model mbgnbd) lets them drop out too.",
    ),
    "clv_distribution": (
        "clv",
        "Distribution of predicted CLV",
        "Histogram of the predicted CLV per customer with the value-tier cut-offs.",
    ),
    "value_concentration": (
        "clv",
        "Value concentration",
        "Share of the predicted CLV held by the most valuable share of customers (Lorenz curve).",
    ),
    "period_transactions": (
        "model_check",
        "Repeat purchases in the calibration period",
        "Customers by number of repeat purchases in the calibration period, actual and as the"
        " model expects.",
    ),
    "holdout_by_frequency": (
        "model_check",
        "Holdout purchases by calibration frequency",
        "Mean holdout purchases per customer, actual and predicted from each one's history.",
    ),
    "holdout_calibration": (
        "model_check",
        "Probability to buy in the holdout, predicted vs observed",
        "Customers binned by their predicted probability of buying in the holdout: the share who"
        " did buy against the prediction, point area by customers.",
    ),
    "tracking": (
        "tracking",
        "Tracking: cumulative repeat purchases",
        "Cumulative repeat purchases by week, actual and expected by the purchase model.",
    ),
    "tracking_weekly": (
        "tracking",
        "Tracking: weekly repeat purchases",
        "Repeat purchases in each week, actual and expected by the purchase model.",
    ),
    "stage_migration": (
        "lifecycle",
        "Stage migration",
        "Share of the customers of each lifecycle stage who were in each stage at the end.",
    ),
    "retention": (
        "acquisition",
        "Cohort retention",
        "Heat map of the share of each monthly cohort buying in each month since acquisition.",
    ),
    "payback": (
        "acquisition",
        "CAC payback curves",
        "Cumulative gross margin per customer as a multiple of the CAC, by month since"
        " acquisition.",
    ),
}

#: Figure key -> start of the title of the section it is placed after in the HTML page.
FIGURE_AFTER: Mapping[str, str] = {
    "p_alive": "P(alive)",
    "clv_distribution": "Predicted CLV",
    "value_concentration": "Predicted CLV",
    "period_transactions": "Model check: repeat purchases",
    "holdout_by_frequency": "Model check: holdout purchases",
    "holdout_calibration": "Model check: probability to buy",
    "tracking": "Tracking",
    "tracking_weekly": "Tracking",
    "stage_migration": "Stage migration",
    "retention": "Cohort retention",
    "payback": "CAC payback",
}


def draw(plot: Callable[[Axes], object], *, height: float = 4.6) -> Figure:
    """A new Agg figure, :data:`WIDTH_INCHES` wide, with one Axes that ``plot`` draws on."""
    import_optional("matplotlib", "plot")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    plot(figure.subplots())
    return figure


def report_figures(data: ReportData) -> dict[str, Figure]:
    """The figures ``data`` allows, by key (see :data:`FIGURES`), in reading order."""
    import_optional("matplotlib", "plot")
    from ecomstrat import plot

    drawers: dict[str, tuple[Callable[[Axes], object], float]] = {}
    if data.alive_grid is not None:
        grid = data.alive_grid
        drawers["p_alive"] = (lambda ax: plot.probability_alive_grid(grid, ax=ax), 5.6)
    if data.lifetime_values is not None:
        clv = data.lifetime_values
        drawers["clv_distribution"] = (
            lambda ax: plot.clv_distribution(
                clv,
                cutoffs=data.tier_cutoffs or {},
                currency=data.currency,
                horizon=data.horizon,
                ax=ax,
            ),
            4.6,
        )
        drawers["value_concentration"] = (lambda ax: plot.lorenz_curve(clv, ax=ax), 5.0)
    if data.check is not None:
        check = data.check
        drawers["period_transactions"] = (
            lambda ax: plot.period_transactions(check.period_transactions, ax=ax),
            4.6,
        )
        drawers["holdout_by_frequency"] = (
            lambda ax: plot.holdout_by_frequency(check.holdout_by_frequency, ax=ax),
            4.6,
        )
        drawers["holdout_calibration"] = (
            lambda ax: plot.holdout_calibration(check.holdout_errors, ax=ax),
            5.6,
        )
    if data.tracking is not None:
        weekly = data.tracking
        drawers["tracking"] = (lambda ax: plot.tracking(weekly, ax=ax), 4.6)
        drawers["tracking_weekly"] = (
            lambda ax: plot.tracking(weekly, cumulative=False, ax=ax),
            4.6,
        )
    if data.migration is not None:
        migration = data.migration
        drawers["stage_migration"] = (lambda ax: plot.stage_migration(migration, ax=ax), 5.2)
    if data.retention is not None:
        retention, offset = data.retention, data.max_offset
        rows = int(np.asarray(retention.values).shape[0])
        drawers["retention"] = (
            lambda ax: plot.cohort_retention(retention, max_offset=offset, ax=ax),
            min(2.4 + 0.42 * rows, 9.0),
        )
    if data.acquisition is not None and data.acquisition.n_rows:
        table = data.acquisition
        drawers["payback"] = (lambda ax: plot.payback_curves(table, ax=ax), 4.8)
    return {key: draw(drawers[key][0], height=drawers[key][1]) for key in FIGURES if key in drawers}
