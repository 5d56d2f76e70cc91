"""Figures of the model diagnostics (:mod:`ecomstrat.diagnostics`), drawn with matplotlib.

Each function takes the result object of the diagnostic of the same name and draws it on one
:class:`~matplotlib.axes.Axes`: the one given as ``ax`` (pyplot is then never touched), or a
new figure from :func:`matplotlib.pyplot.subplots` when ``ax`` is None, so that a notebook
shows it. The drawn numbers are the result's numbers, nothing is recomputed. Titles name the
model and its time unit; axes say their units.

Examples
--------
>>> import pytest; _ = pytest.importorskip("matplotlib")
>>> from matplotlib.figure import Figure
>>> from ecomstrat import diagnostics
>>> from ecomstrat.models.bgnbd import BGNBD
>>> model = BGNBD.from_params(r=0.24, alpha=4.41, a=0.79, b=2.43, time_unit="week")
>>> ax = heterogeneity(diagnostics.heterogeneity(model), ax=Figure().subplots())
>>> ax.get_title(loc="left"), ax.get_xlabel()
('BG/NBD (weeks): how λ varies across customers', 'purchase rate per week while alive')
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ecomstrat._optional import import_optional
from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import check_choice, invalid
from ecomstrat.diagnostics.grids import duration_label, plural
from ecomstrat.plot._axes import (
    ACTUAL,
    CONDITIONAL,
    EXPECTED,
    INK,
    MUTED,
    PROBABILITY_CMAP,
    REFERENCE,
    new_axes,
    percent_axis,
    title,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ecomstrat.diagnostics.calibration import (
        Heterogeneity,
        MixingDistribution,
        PeriodTransactions,
    )
    from ecomstrat.diagnostics.grids import AliveHistory, FrequencyRecencyGrid
    from ecomstrat.diagnostics.holdout import HoldoutByFrequency, HoldoutErrors, Tracking

__all__ = [
    "expected_purchases_grid",
    "heterogeneity",
    "holdout_by_frequency",
    "holdout_calibration",
    "period_transactions",
    "probability_alive_grid",
    "probability_alive_history",
    "tracking",
]

#: Colour of the grid cells no customer history can reach.
IMPOSSIBLE = "#d9d9d9"
#: Contour levels of :func:`probability_alive_grid`.
ALIVE_LEVELS = (0.1, 0.25, 0.5, 0.75, 0.9)
#: With a density spike at an edge, :func:`heterogeneity` stops the y axis at this many times
#: the highest density over the rest of the range.
SPIKE_HEADROOM = 1.5
#: Area in points² of the point of the largest bin in :func:`holdout_calibration`.
MARKER_AREA = 900.0

#: Share of the range next to each edge of a density where a spike is looked for.
_EDGE_SHARE = 0.025
#: Display names of the mixing parameters (the data use ascii names).
_SYMBOLS = {"lambda": "λ", "mu": "μ", "theta": "θ", "nu": "ν", "mean_spend": "mean spend"}
_WEEK_DAYS = 7
#: Most contour lines of :func:`expected_purchases_grid`.
_PURCHASE_LEVELS = 6


# ------------------------------------------------------------------------------ helpers


def _model(result: Any) -> str:
    """``"BG/NBD (weeks)"``: the model and the unit its times are in."""
    return f"{result.model} ({plural(result.time_unit)})"


def _check(name: str, value: object, cls: type, source: str) -> None:
    if not isinstance(value, cls):
        raise invalid(
            name,
            f"<{type(value).__name__}>",
            f"must be a {cls.__name__}",
            f"Compute it with ecomstrat.diagnostics.{source}(...).",
        )


def _date(value: Any) -> str:
    return str(np.datetime_as_string(np.datetime64(value, "D")))


def _date_axis(ax: Axes) -> None:
    mdates = import_optional("matplotlib.dates", "plot")
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


# ------------------------------------------------------------------------------ calibration fit


def period_transactions(result: PeriodTransactions, *, ax: Axes | None = None) -> Axes:
    r"""Grouped bars: customers by repeat purchases in calibration, actual vs expected.

    Parameters
    ----------
    result : PeriodTransactions
        From :func:`ecomstrat.diagnostics.period_transactions`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. The subtitle gives the chi-square test of the fit.

    Notes
    -----
    Fader, Hardie & Lee (2005), "Counting your customers" the easy way, Marketing Science
    24(2), fig. 1: the model's bars are :math:`\sum_i P(X(T_i) = k)`, each customer at their
    own age :math:`T_i`.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> from ecomstrat import diagnostics
    >>> from ecomstrat.models.bgnbd import BGNBD
    >>> model = BGNBD.from_params(r=0.24, alpha=4.41, a=0.79, b=2.43, time_unit="week")
    >>> result = diagnostics.period_transactions(model, ([0, 1, 1, 3], [0, 5, 9, 20], [30] * 4))
    >>> ax = period_transactions(result, ax=Figure().subplots())
    >>> [int(bar.get_height()) for bar in ax.patches][:4]  # customers with 0, 1, 2, 3
    [1, 2, 0, 1]
    """
    from ecomstrat.diagnostics.calibration import PeriodTransactions

    _check("result", result, PeriodTransactions, "period_transactions")
    ax = new_axes(ax)
    positions = np.arange(len(result.labels), dtype=np.float64)
    width = 0.4
    ax.bar(positions - width / 2, result.actual, width, color=ACTUAL, label="actual")
    ax.bar(
        positions + width / 2,
        result.expected,
        width,
        color=EXPECTED,
        alpha=0.85,
        label=f"expected ({result.model})",
    )
    ax.set_xticks(positions, list(result.labels))
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("customers")
    ax.yaxis.set_major_formatter("{x:,.0f}")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper right")
    if result.degrees_of_freedom >= 1 and math.isfinite(result.p_value):
        test = (
            f"chi² = {result.chi_square:,.1f} on {result.degrees_of_freedom} df,"
            f" p = {result.p_value:.2g}"
        )
    else:
        test = "too few pooled cells for a chi² test"
    title(
        ax,
        f"{_model(result)}: customers by repeat purchases in calibration",
        f"{result.n_customers:,} customers; {test}; largest gap"
        f" {result.max_share_gap:.1%} of the customers",
    )
    return ax


def heterogeneity(
    result: Heterogeneity, *, parameter: str | None = None, ax: Axes | None = None
) -> Axes:
    """Density of one fitted mixing distribution across customers, its mean marked.

    Parameters
    ----------
    result : Heterogeneity
        From :func:`ecomstrat.diagnostics.heterogeneity`.
    parameter : str, optional
        Which distribution (``"lambda"``, ``"p"``…); by default the first.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidInputError
        If ``parameter`` is not one of the result's distributions (the error lists them).

    Notes
    -----
    The density is drawn on the result's grid (its 0.5 % to 99.5 % quantiles). A gamma
    density of shape below 1, or a beta density of a first parameter below 1 (both common:
    most customers buy rarely), rises without bound towards 0; the y axis then stops at
    :data:`SPIKE_HEADROOM` times the highest density away from that edge, and the subtitle
    gives the value the curve reaches.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> from ecomstrat import diagnostics
    >>> from ecomstrat.models.bgnbd import BGNBD
    >>> model = BGNBD.from_params(r=0.24, alpha=4.41, a=0.79, b=2.43, time_unit="week")
    >>> ax = heterogeneity(diagnostics.heterogeneity(model), parameter="p",
    ...                    ax=Figure().subplots())
    >>> ax.get_legend().get_texts()[1].get_text()
    'mean 0.245'
    """
    from ecomstrat.diagnostics.calibration import Heterogeneity

    _check("result", result, Heterogeneity, "heterogeneity")
    names = [d.parameter for d in result.distributions]
    if parameter is None:
        dist: MixingDistribution = result.distributions[0]
    else:
        dist = result.distributions[names.index(check_choice("parameter", parameter, names))]
    ax = new_axes(ax)
    grid = np.asarray(dist.grid, dtype=np.float64)
    density = np.asarray(dist.density, dtype=np.float64)
    symbol = _SYMBOLS.get(dist.parameter, dist.parameter)
    ax.plot(grid, density, color=ACTUAL, linewidth=2.0, label=f"density of {symbol}")
    ax.fill_between(grid, density, color=ACTUAL, alpha=0.15, linewidth=0)
    notes = [_describe(dist, symbol)]
    if math.isfinite(dist.mean):
        ax.axvline(
            dist.mean,
            color=EXPECTED,
            linestyle="--",
            linewidth=1.5,
            label=f"mean {dist.mean:.3g}",
        )
        ax.legend(loc="upper right")
    else:
        notes.append("the mean is infinite")
    top = _cut_spike(grid, density)
    if top is None:
        ax.set_ylim(bottom=0.0)
    else:
        ax.set_ylim(0.0, top)
        edge = int(np.nanargmax(density))
        notes.append(
            f"off the scale, the density reaches {float(density[edge]):,.3g}"
            f" at {float(grid[edge]):.2g}"
        )
    ax.set_xlim(float(grid[0]), float(grid[-1]))
    ax.set_xlabel(dist.meaning)
    ax.set_ylabel("density across customers")
    ax.grid(alpha=0.3)
    title(ax, f"{_model(result)}: how {symbol} varies across customers", "; ".join(notes))
    return ax


def _describe(dist: MixingDistribution, symbol: str) -> str:
    values = ", ".join(f"{k} {v:.3g}" for k, v in dist.shape.items())
    spread = f"; sd {dist.sd:.3g}" if math.isfinite(dist.sd) else ""
    return f"{symbol} ~ {dist.family.replace('_', ' ')}({values}){spread}"


def _cut_spike(grid: FloatArray, density: FloatArray) -> float | None:
    """A y limit when the density spikes at an edge of the grid, else None.

    The spike is cut when the density within :data:`_EDGE_SHARE` of the range from an edge
    exceeds twice the highest density over the rest.
    """
    finite = np.isfinite(density)
    if finite.sum() < 10:
        return None
    low, high = float(grid[0]), float(grid[-1])
    margin = _EDGE_SHARE * (high - low)
    inner = finite & (grid >= low + margin) & (grid <= high - margin)
    if not inner.any():
        return None
    body = float(density[inner].max())
    peak = float(density[finite].max())
    if body <= 0.0 or peak <= 2.0 * body:
        return None
    return SPIKE_HEADROOM * body


# ------------------------------------------------------------------------------ holdout


def holdout_by_frequency(result: HoldoutByFrequency, *, ax: Axes | None = None) -> Axes:
    r"""Mean holdout purchases per customer by calibration frequency, actual vs expected.

    Parameters
    ----------
    result : HoldoutByFrequency
        From :func:`ecomstrat.diagnostics.holdout_by_frequency`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; the tick labels give the customers in each group.

    Notes
    -----
    Fader, Hardie & Lee (2005), "Counting your customers" the easy way, fig. 4: the
    conditional expectation :math:`E[X(T, T + \tau) \mid x, t_x, T]` averaged over the
    customers of each group.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> import ecomstrat as es
    >>> from ecomstrat.models.bgnbd import BGNBD
    >>> log = es.TransactionLog.from_arrays(
    ...     ["a", "a", "b", "a", "b"],
    ...     ["2024-01-01", "2024-02-01", "2024-01-10", "2024-05-01", "2024-04-01"],
    ...     [10.0, 12.0, 8.0, 9.0, 7.0],
    ... )
    >>> split = es.calibration_holdout_summary(log, calibration_end="2024-03-01",
    ...                                        observation_end="2024-06-30", time_unit="week")
    >>> model = BGNBD.from_params(r=0.24, alpha=4.41, a=0.79, b=2.43, time_unit="week")
    >>> result = es.diagnostics.holdout_by_frequency(model, split)
    >>> ax = holdout_by_frequency(result, ax=Figure().subplots())
    >>> ax.get_lines()[0].get_ydata().tolist()  # actual: one holdout purchase each
    [1.0, 1.0]
    """
    from ecomstrat.diagnostics.holdout import HoldoutByFrequency

    _check("result", result, HoldoutByFrequency, "holdout_by_frequency")
    ax = new_axes(ax)
    positions = np.arange(len(result.labels), dtype=np.float64)
    ax.plot(positions, result.actual, color=ACTUAL, marker="o", linewidth=2.0, label="actual")
    ax.plot(
        positions,
        result.expected,
        color=EXPECTED,
        marker="s",
        linestyle="--",
        linewidth=2.0,
        label=f"expected ({result.model})",
    )
    customers = np.asarray(result.customers)
    ax.set_xticks(
        positions, [f"{k}\n{int(n):,}" for k, n in zip(result.labels, customers, strict=True)]
    )
    ax.set_xlabel("repeat purchases in calibration (below: customers)")
    ax.set_ylabel("purchases per customer in holdout")
    ax.set_ylim(bottom=0.0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    title(
        ax,
        f"{_model(result)}: holdout purchases by calibration frequency",
        f"mean purchases per customer in the"
        f" {duration_label(result.holdout_length, result.time_unit)} after the calibration"
        f" end; {int(customers.sum()):,} customers",
    )
    return ax


def holdout_calibration(errors: HoldoutErrors, *, ax: Axes | None = None) -> Axes:
    r"""Reliability diagram: predicted vs observed share of customers buying in the holdout.

    Parameters
    ----------
    errors : HoldoutErrors
        From :func:`ecomstrat.diagnostics.holdout_errors`; its ``calibration`` table is drawn.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: one point per bin of the predicted probability, its area in
        proportion to the bin's customers, and the diagonal of a perfect prediction.

    Notes
    -----
    The predicted probability of at least one holdout purchase is
    :math:`1 - P(X(T, T + \tau) = 0 \mid x, t_x, T)`; a well calibrated model has its points
    on the diagonal.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> import ecomstrat as es
    >>> from ecomstrat.models.bgnbd import BGNBD
    >>> log = es.TransactionLog.from_arrays(
    ...     ["a", "a", "b", "a", "b"],
    ...     ["2024-01-01", "2024-02-01", "2024-01-10", "2024-05-01", "2024-04-01"],
    ...     [10.0, 12.0, 8.0, 9.0, 7.0],
    ... )
    >>> split = es.calibration_holdout_summary(log, calibration_end="2024-03-01",
    ...                                        observation_end="2024-06-30", time_unit="week")
    >>> model = BGNBD.from_params(r=0.24, alpha=4.41, a=0.79, b=2.43, time_unit="week")
    >>> ax = holdout_calibration(es.diagnostics.holdout_errors(model, split),
    ...                          ax=Figure().subplots())
    >>> ax.collections[0].get_offsets().round(3).tolist()  # (predicted, observed) per bin
    [[0.196, 1.0], [0.427, 1.0]]
    """
    from ecomstrat.diagnostics.holdout import HoldoutErrors

    _check("errors", errors, HoldoutErrors, "holdout_errors")
    table = errors.calibration
    ax = new_axes(ax, size=(7.5, 5.6))
    ax.plot([0.0, 1.0], [0.0, 1.0], color=REFERENCE, linestyle=":", linewidth=1.5)
    customers = np.asarray(table.customers, dtype=np.float64)
    predicted = np.asarray(table.predicted, dtype=np.float64)
    observed = np.asarray(table.observed, dtype=np.float64)
    largest = float(customers.max()) if customers.size else 1.0
    areas = MARKER_AREA * customers / largest
    ax.scatter(predicted, observed, s=areas, color=ACTUAL, alpha=0.7, edgecolors="white")
    for x, y, n, area in zip(predicted, observed, customers, areas, strict=True):
        radius = math.sqrt(area / math.pi)
        ax.annotate(
            f"{int(n):,}",
            xy=(float(x), float(y)),
            xytext=(radius + 3.0, -radius * 0.5),
            textcoords="offset points",
            va="top",
            fontsize=8,
            color=MUTED,
        )
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.0)
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    holdout = f"{errors.holdout_length:.3g}-{errors.time_unit}"
    ax.set_xlabel(f"predicted P(at least one purchase in the {holdout} holdout)")
    ax.set_ylabel("observed share with a holdout purchase")
    ax.grid(alpha=0.3)
    lines = import_optional("matplotlib.lines", "plot")
    bins = lines.Line2D([], [], color=ACTUAL, alpha=0.7, marker="o", linestyle="none", markersize=9)
    diagonal = ax.get_lines()[0]
    ax.legend(
        [diagonal, bins],
        ["perfect prediction", f"{errors.model}: one bin, area ~ customers"],
        loc="upper left",
    )
    title(
        ax,
        f"{_model(errors)}: share buying in the holdout",
        f"{errors.n_customers:,} customers in {customers.size} bins, their number by each"
        f" point; customer-weighted mean |predicted - observed| {errors.calibration_error:.3f}",
    )
    return ax


def tracking(result: Tracking, *, cumulative: bool = True, ax: Axes | None = None) -> Axes:
    """Repeat purchases by week: actual, expected, and conditional after the calibration end.

    Parameters
    ----------
    result : Tracking
        From :func:`ecomstrat.diagnostics.tracking`.
    cumulative : bool, default True
        Cumulative totals, or (False) the purchases of each week.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; a dotted line marks the calibration end.

    Notes
    -----
    Fader, Hardie & Lee (2005), "Counting your customers" the easy way, figs. 2 (cumulative)
    and 3 (weekly): the model's :math:`E[X(t_i)]` summed over the customers, :math:`t_i` from
    each one's first purchase. The conditional line continues the actual count at the
    calibration end; in the weekly view it starts with the first whole week after it.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> import ecomstrat as es
    >>> from ecomstrat.models.bgnbd import BGNBD
    >>> log = es.TransactionLog.from_arrays(
    ...     ["a", "a", "b", "a", "b"],
    ...     ["2024-01-01", "2024-02-01", "2024-01-10", "2024-05-01", "2024-04-01"],
    ...     [10.0, 12.0, 8.0, 9.0, 7.0],
    ... )
    >>> split = es.calibration_holdout_summary(log, calibration_end="2024-03-01",
    ...                                        observation_end="2024-06-30", time_unit="week")
    >>> model = BGNBD.from_params(r=0.24, alpha=4.41, a=0.79, b=2.43, time_unit="week")
    >>> weekly = es.diagnostics.tracking(model, log, customers=split.calibration,
    ...                                  calibration_end="2024-03-01",
    ...                                  observation_end="2024-06-30")
    >>> ax = tracking(weekly, ax=Figure().subplots())
    >>> float(ax.get_lines()[0].get_ydata()[-1])  # repeat purchases in all
    3.0
    """
    from ecomstrat.diagnostics.holdout import Tracking

    _check("result", result, Tracking, "tracking")
    if not isinstance(cumulative, bool):
        raise invalid("cumulative", cumulative, "must be True or False")
    ax = new_axes(ax)
    weeks = np.asarray(result.week_ends)
    shown = np.ones(weeks.size, dtype=bool)
    subtitle = f"{result.n_customers:,} customers, each from their first purchase"
    if cumulative:
        actual, expected = result.actual_cumulative, result.expected_cumulative
        conditional = result.conditional_cumulative
    else:
        actual, expected, conditional = result.actual, result.expected, result.conditional
        days = _last_week_days(weeks)
        if days < _WEEK_DAYS:
            shown[-1] = False
            subtitle += f"; the last week, {duration_label(days, 'day')} long, is left out"
    ax.plot(weeks[shown], actual[shown], color=ACTUAL, linewidth=1.8, label="actual")
    ax.plot(
        weeks[shown],
        expected[shown],
        color=EXPECTED,
        linestyle="--",
        linewidth=1.8,
        label=f"expected ({result.model}, from each first purchase)",
    )
    known = shown & np.isfinite(np.asarray(conditional, dtype=np.float64))
    if not cumulative and known.any():
        # the week holding the calibration end has only its days after it: not a week's worth
        known[int(np.argmax(known))] = False
    if known.any():
        ax.plot(
            weeks[known],
            np.asarray(conditional)[known],
            color=CONDITIONAL,
            linestyle="-.",
            linewidth=1.8,
            label="conditional (given each history at the calibration end)",
        )
    if result.calibration_end is not None:
        end_day = result.calibration_end.astype("datetime64[D]")
        ax.axvline(end_day, color=REFERENCE, linestyle=":")
        ax.annotate(
            " calibration end ",
            xy=(end_day, 0.02),
            xycoords=("data", "axes fraction"),
            ha="right",
            fontsize=9,
            color=MUTED,
        )
        subtitle += f"; calibration period to {_date(result.calibration_end)}"
    _date_axis(ax)
    ax.set_ylim(bottom=0.0)
    ax.yaxis.set_major_formatter("{x:,.0f}")
    ax.set_xlabel("week ending")
    ax.set_ylabel("cumulative repeat purchases" if cumulative else "repeat purchases in the week")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left" if cumulative else "upper right", fontsize=9)
    what = "cumulative repeat purchases" if cumulative else "repeat purchases per week"
    title(ax, f"{_model(result)}: {what}, actual vs model", subtitle)
    return ax


def _last_week_days(week_ends: AnyArray) -> int:
    """Days in the last week of a tracking (the observation may end within a week)."""
    if week_ends.size < 2:
        return _WEEK_DAYS
    gap = (week_ends[-1] - week_ends[-2]).astype("timedelta64[D]")
    return int(gap.astype(np.int64))


# ------------------------------------------------------------------------------ grids


def expected_purchases_grid(grid: FrequencyRecencyGrid, *, ax: Axes | None = None) -> Axes:
    r"""Heat map of the expected purchases in the next ``horizon`` by frequency and recency.

    Parameters
    ----------
    grid : FrequencyRecencyGrid
        From :func:`ecomstrat.diagnostics.frequency_recency_grid`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: frequency on x, recency on y, a colour bar, and contour lines at
        1, 2 and 5 times powers of ten; grey cells are histories no customer can have.

    Notes
    -----
    Every cell is a customer of the same age :math:`T`, so the cells differ only by
    :math:`(x, t_x)`, as in the iso-value plots of Fader, Hardie & Lee (2005), "RFM and CLV:
    using iso-value curves for customer base analysis", Journal of Marketing Research 42(4).
    A customer who bought often but long ago can be worth less than one who bought less
    often but recently.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> from ecomstrat import diagnostics
    >>> from ecomstrat.models.bgnbd import BGNBD
    >>> model = BGNBD.from_params(r=0.24, alpha=4.41, a=0.79, b=2.43, time_unit="week")
    >>> grid = diagnostics.frequency_recency_grid(model, age=52, horizon=26, max_frequency=10)
    >>> ax = expected_purchases_grid(grid, ax=Figure(figsize=(9, 5)).subplots())
    >>> ax.collections[0].get_array().shape  # recencies x frequencies
    (40, 11)
    """
    from ecomstrat.diagnostics.grids import FrequencyRecencyGrid

    _check("grid", grid, FrequencyRecencyGrid, "frequency_recency_grid")
    horizon = duration_label(float(grid.horizon), grid.time_unit)
    return _heat_map(
        grid,
        np.asarray(grid.expected_purchases, dtype=np.float64),
        what="expected purchases",
        label=f"expected purchases in the next {horizon}",
        subtitle=f"; horizon {horizon}",
        probability=False,
        ax=ax,
    )


def probability_alive_grid(grid: FrequencyRecencyGrid, *, ax: Axes | None = None) -> Axes:
    r"""Heat map of P(alive) by frequency and recency, every cell a customer of the same age.

    Parameters
    ----------
    grid : FrequencyRecencyGrid
        From :func:`ecomstrat.diagnostics.frequency_recency_grid`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: frequency on x, recency on y, P(alive) from 0 to 1 on the colour
        bar, contour lines at 0.1, 0.25, 0.5, 0.75 and 0.9; grey cells are histories no
        customer can have.

    Notes
    -----
    For the BG/NBD, :math:`P(\text{alive}) = 1 / (1 + \frac{a}{b + x - 1}
    (\frac{\alpha + T}{\alpha + t_x})^{r + x})` for :math:`x > 0` (Fader, Hardie & Lee
    2005, eq. 13): the more purchases, the more a long silence counts against the customer.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> from ecomstrat import diagnostics
    >>> from ecomstrat.models.bgnbd import BGNBD
    >>> model = BGNBD.from_params(r=0.24, alpha=4.41, a=0.79, b=2.43, time_unit="week")
    >>> grid = diagnostics.frequency_recency_grid(model, age=52, horizon=26, max_frequency=10)
    >>> ax = probability_alive_grid(grid, ax=Figure(figsize=(9, 5)).subplots())
    >>> int(ax.collections[0].get_array().mask.sum())  # impossible cells, left grey
    49
    """
    from ecomstrat.diagnostics.grids import FrequencyRecencyGrid

    _check("grid", grid, FrequencyRecencyGrid, "frequency_recency_grid")
    return _heat_map(
        grid,
        np.asarray(grid.probability_alive, dtype=np.float64),
        what="P(alive)",
        label="P(alive)",
        subtitle="",
        probability=True,
        ax=ax,
    )


def _heat_map(
    grid: FrequencyRecencyGrid,
    values: FloatArray,
    *,
    what: str,
    label: str,
    subtitle: str,
    probability: bool,
    ax: Axes | None,
) -> Axes:
    matplotlib = import_optional("matplotlib", "plot")
    ax = new_axes(ax, size=(9.0, 5.6))
    frequencies = np.asarray(grid.frequencies, dtype=np.float64)
    recencies = np.asarray(grid.recencies, dtype=np.float64)
    masked = np.ma.masked_invalid(values)
    top = 1.0 if probability else float(masked.max()) if masked.count() else 1.0
    mesh = ax.pcolormesh(
        frequencies,
        recencies,
        masked,
        shading="nearest",
        cmap=matplotlib.colormaps[PROBABILITY_CMAP].with_extremes(bad=IMPOSSIBLE),
        vmin=0.0,
        vmax=top,
    )
    if masked.count() and frequencies.size > 1 and recencies.size > 1:
        levels = list(ALIVE_LEVELS) if probability else _purchase_levels(top)
        if levels:
            lines = ax.contour(
                frequencies, recencies, masked, levels=levels, colors="white", linewidths=0.8
            )
            ax.clabel(lines, fontsize=8, fmt="{:g}".format)
    colorbar = ax.figure.colorbar(mesh, ax=ax, fraction=0.05, pad=0.015)
    colorbar.set_label(label)
    unit = grid.time_unit
    # after the colour bar: the title wraps to the width the colour bar leaves
    title(
        ax,
        f"{_model(grid)}: {what} by frequency and recency",
        f"every cell a customer aged T = {duration_label(float(grid.age), unit)}{subtitle};"
        " grey: impossible histories",
    )
    ticker = import_optional("matplotlib.ticker", "plot")
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel("repeat purchases x (frequency)")
    if unit == "opportunity":
        ax.set_ylabel("recency t_x (opportunity of the last purchase)")
    else:
        ax.set_ylabel(f"recency t_x ({plural(unit)} from first to last purchase)")
    return ax


def _purchase_levels(top: float) -> list[float]:
    """Contour levels 1, 2, 5 times a power of ten, from ``top / 100`` to below ``top``.

    The values span orders of magnitude (most histories expect well under one purchase), so
    the steps grow with the value; at most :data:`_PURCHASE_LEVELS` of them, the largest.
    """
    if not top > 0.0 or not math.isfinite(top):
        return []
    low = top / 100.0
    start = math.floor(math.log10(low))
    levels = [
        step * 10.0**power
        for power in range(start, start + 4)
        for step in (1.0, 2.0, 5.0)
        if low <= step * 10.0**power < top
    ]
    return levels[-_PURCHASE_LEVELS:]


# ------------------------------------------------------------------------------ one customer


def probability_alive_history(history: AliveHistory, *, ax: Axes | None = None) -> Axes:
    """P(alive) of one customer day by day, as a step line, with the purchase days marked.

    Parameters
    ----------
    history : AliveHistory
        From :func:`ecomstrat.diagnostics.probability_alive_history`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Notes
    -----
    Under the BG/NBD a customer can only drop out right after a repeat purchase, so
    P(alive) is 1 until the first repeat purchase and then decays with the silence since the
    last one (Fader, Hardie & Lee 2005, eq. 13).

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> import ecomstrat as es
    >>> from ecomstrat.models.bgnbd import BGNBD
    >>> log = es.TransactionLog.from_arrays(
    ...     ["a", "a", "a"], ["2024-01-01", "2024-02-01", "2024-05-01"], [10.0, 12.0, 9.0]
    ... )
    >>> model = BGNBD.from_params(r=0.24, alpha=4.41, a=0.79, b=2.43, time_unit="week")
    >>> history = es.diagnostics.probability_alive_history(model, log, customer_id="a",
    ...                                                     observation_end="2024-06-30")
    >>> ax = probability_alive_history(history, ax=Figure().subplots())
    >>> ax.get_lines()[1].get_ydata().round(3).tolist()  # P(alive) on the purchase days
    [1.0, 0.755, 0.813]
    """
    from ecomstrat.diagnostics.grids import AliveHistory

    _check("history", history, AliveHistory, "probability_alive_history")
    ax = new_axes(ax)
    dates = np.asarray(history.dates)
    alive = np.asarray(history.probability_alive, dtype=np.float64)
    ax.plot(dates, alive, drawstyle="steps-post", color=ACTUAL, linewidth=1.8, label="P(alive)")
    purchases = np.asarray(history.purchase_dates)
    days = dates.astype("datetime64[D]")
    index = np.clip(np.searchsorted(days, purchases.astype("datetime64[D]")), 0, days.size - 1)
    ax.plot(
        purchases,
        alive[index],
        linestyle="none",
        marker="o",
        markersize=6,
        color=INK,
        label="purchase day",
    )
    _date_axis(ax)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("date")
    ax.set_ylabel("P(alive) at the end of the day")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left")
    last = float(alive[-1]) if alive.size else math.nan
    frequency = int(history.frequency[-1]) if len(history.frequency) else 0
    title(
        ax,
        f"{_model(history)}: P(alive) of customer {history.customer_id}",
        f"{purchases.size} purchase days ({frequency} repeat) to {_date(dates[-1])};"
        f" P(alive) then {last:.2f}",
    )
    return ax
