"""Figures of the business metrics: CLV, value concentration, cohorts, CAC payback, lifecycle.

Each function takes the result object first and draws on one Axes: the ``ax`` it is given
(pyplot untouched), or a new pyplot figure when ``ax`` is None. It returns the Axes.

Examples
--------
>>> import pytest; _ = pytest.importorskip("matplotlib")
>>> import numpy as np
>>> from matplotlib.figure import Figure
>>> ax = lorenz_curve(np.array([1.0, 1.0, 2.0, 6.0]), ax=Figure().subplots())
>>> ax.lines[0].get_ydata().tolist()
[0.0, 0.6, 0.8, 0.9, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import (
    as_float_array,
    check_array_finite,
    check_count,
    check_finite,
    invalid,
    shown,
)
from ecomstrat.lifecycle.stages import StageMatrix, StageMigration
from ecomstrat.metrics.acquisition import AcquisitionTable
from ecomstrat.metrics.clv import LifetimeValues
from ecomstrat.metrics.cohorts import CohortMatrix
from ecomstrat.metrics.value_tiers import value_concentration
from ecomstrat.plot._axes import (
    INK,
    MISSING,
    MUTED,
    PALETTE,
    REFERENCE,
    SEQUENTIAL_CMAP,
    SIZE,
    is_skewed,
    label_cells,
    money_label,
    new_axes,
    percent_axis,
    title,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "clv_distribution",
    "cohort_retention",
    "lorenz_curve",
    "payback_curves",
    "stage_migration",
]

#: Shares of the customers whose share of the value :func:`lorenz_curve` marks.
TOP_SHARES = (0.10, 0.20)
#: Line styles of the campaigns of one channel (a channel has one colour).
_DASHES = ("-", "--", ":", "-.")
#: Most points :func:`lorenz_curve` draws (evenly spaced customers, both ends kept).
_LORENZ_POINTS = 2001


def _values(values: LifetimeValues | Sequence[float] | AnyArray) -> FloatArray:
    """The per-customer values as a 1-D float array: finite, at least one."""
    if isinstance(values, LifetimeValues):
        v = np.asarray(values.clv, dtype=np.float64)
    else:
        v = as_float_array("values", values, ndim=1)
    if v.size == 0:
        raise invalid("values", "<empty>", "must hold at least one value")
    check_array_finite("values", v)
    return v


def _amount(value: float) -> str:
    """A money amount: two decimals, or two significant digits below 1."""
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.2g}"


def _horizon_text(values: LifetimeValues | Sequence[float] | AnyArray, horizon: str) -> str:
    if horizon or not isinstance(values, LifetimeValues):
        return horizon
    unit = values.horizon_unit.value
    return f"{values.horizon:g} {unit}{'' if values.horizon == 1 else 's'}"


# ----------------------------------------------------------------------------- CLV


def clv_distribution(
    values: LifetimeValues | Sequence[float] | AnyArray,
    *,
    cutoffs: Mapping[str, float] | None = None,
    currency: str | None = None,
    horizon: str = "",
    bins: int = 50,
    ax: Axes | None = None,
) -> Axes:
    """Histogram of the customers' predicted CLV, on a log axis when skewed, with tier cut-offs.

    A distribution is drawn on a log axis when :func:`~ecomstrat.plot._axes.is_skewed` says
    so; the values below its 1st percentile (zeros included) are then counted in the first bin.

    Parameters
    ----------
    values : LifetimeValues or array-like of float
        One value per customer (finite), e.g. from
        :func:`~ecomstrat.customer_lifetime_value`.
    cutoffs : mapping of str to float, optional
        Tier name -> lowest value in the tier, drawn as labelled vertical lines.
    currency : str, optional
        Currency code shown in the axis label.
    horizon : str, optional
        E.g. ``"12 months"``, shown in the title; taken from a LifetimeValues when empty.
    bins : int, default 50
        Number of bins (>= 1).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InvalidInputError
        If ``values`` is empty or not finite, ``bins`` is not a whole number >= 1, or a
        cut-off is not a finite number.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> clv = np.random.default_rng(1).lognormal(3.0, 1.2, 500)
    >>> ax = clv_distribution(clv, cutoffs={"top 10%": 120.0}, currency="USD",
    ...                       ax=Figure().subplots())
    >>> ax.get_xscale(), ax.get_xlabel()
    ('log', 'predicted CLV per customer (USD), log scale')
    """
    v = _values(values)
    n_bins = check_count("bins", bins, minimum=1)
    cuts = {
        str(name): check_finite(f"cutoffs[{name!r}]", cut) for name, cut in (cutoffs or {}).items()
    }
    ax = new_axes(ax)
    log_scale = is_skewed(v)
    note = ""
    if log_scale:
        floor = max(float(np.quantile(v[v > 0], 0.01)), 1e-2)
        below = int((v < floor).sum())
        shown_values = np.maximum(v, floor)
        edges = np.geomspace(floor, max(float(shown_values.max()), floor * 10), n_bins + 1)
        ax.hist(shown_values, bins=edges.tolist(), color=PALETTE[0], alpha=0.85)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter("{x:,g}")  # 0.1, 1, 10, 1,000: amounts, not powers
        if below:
            note = f"; the {below:,} customers below {_amount(floor)} are counted in the first bin"
    else:
        ax.hist(v, bins=n_bins, color=PALETTE[0], alpha=0.85)
    for k, (name, cut) in enumerate(cuts.items()):
        at = max(cut, floor) if log_scale else cut
        color = PALETTE[(k + 1) % len(PALETTE)]
        ax.axvline(
            at, color=color, linestyle="--", linewidth=1.5, label=f"{name}: ≥ {_amount(cut)}"
        )
    scale = "log scale" if log_scale else "linear scale"
    money = money_label(currency)
    when = _horizon_text(values, horizon)
    title(
        ax,
        f"Predicted CLV per customer{f' over {when}' if when else ''}",
        f"{v.size:,} customers; median {np.median(v):,.2f}, mean {v.mean():,.2f},"
        f" total {v.sum():,.0f}{money}; {scale}{note}",
    )
    ax.set_xlabel(f"predicted CLV per customer{money}, {scale}")
    ax.set_ylabel("customers")
    ax.yaxis.set_major_formatter("{x:,.0f}")
    if cuts:
        ax.legend(title="value tiers", fontsize=9, loc="upper right")
    ax.grid(axis="y", alpha=0.3)
    return ax


def lorenz_curve(
    values: LifetimeValues | Sequence[float] | AnyArray, *, ax: Axes | None = None
) -> Axes:
    """How concentrated value is: the share of the value held by the most valuable customers.

    Customers are sorted by value, most valuable first; the curve is the cumulative share of
    the value against the share of the customers, above the diagonal of equal values. The
    Gini coefficient (0: everyone equal; near 1: one customer holds everything) and the share
    of the value of the top 10 % and top 20 % of customers are written on the figure.

    Parameters
    ----------
    values : LifetimeValues or array-like of float
        One value per customer (finite, >= 0, not all 0): predicted CLV, or historical
        margin or revenue.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` is the curve, from (0, 0) to (1, 1); with more than 2,000 customers
        it is drawn through 2,001 evenly spaced customers.

    Raises
    ------
    InvalidInputError
        If ``values`` is empty, negative, not finite, or sums to 0.

    Notes
    -----
    The top-``s`` share is the value of the ``ceil(s n)`` most valuable customers over the
    total. The Gini coefficient is twice the area between the curve and the diagonal (the
    sample Gini, ``Σ_i Σ_j |v_i - v_j| / (2 n² mean)``; Gini 1912).

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> ax = lorenz_curve([0.0, 0.0, 0.0, 8.0], ax=Figure().subplots())
    >>> ax.get_title(loc="left")
    'Value concentration: Gini 0.75'
    """
    concentration = value_concentration(_values(values))
    ax = new_axes(ax, size=(7.0, 5.6))
    x, y, gini = concentration.customer_share, concentration.value_share, concentration.gini
    n = concentration.n_customers
    if n + 1 > _LORENZ_POINTS:
        keep = np.unique(np.round(np.linspace(0, n, _LORENZ_POINTS)).astype(np.int64))
        x_drawn, y_drawn = x[keep], y[keep]
    else:
        x_drawn, y_drawn = x, y
    what = "predicted CLV" if isinstance(values, LifetimeValues) else "value"
    ax.plot(x_drawn, y_drawn, color=PALETTE[0], linewidth=2.0)
    ax.plot([0.0, 1.0], [0.0, 1.0], color=REFERENCE, linestyle="--", linewidth=1.2)
    ax.fill_between(x_drawn, x_drawn, y_drawn, color=PALETTE[0], alpha=0.12, linewidth=0)
    ax.text(
        0.75,
        0.735,
        "every customer worth the same (Gini 0)",
        rotation=45,
        rotation_mode="anchor",
        transform_rotates_text=True,
        ha="center",
        va="top",
        fontsize=8,
        color=MUTED,
    )
    lines, marked = [], 0
    for share in TOP_SHARES:
        held = concentration.top_share(share)
        k = max(1, math.ceil(round(share * n, 9)))  # the customers top_share counts
        lines.append(f"the top {share:.0%} hold {held:.0%}")
        if k == marked:  # few customers: the same point as the previous share
            continue
        marked, at = k, k / n
        ax.plot([0.0, at], [held, held], color=MUTED, linestyle=":", linewidth=1.0)
        ax.plot([at], [held], "o", color=INK, markersize=4)
        ax.annotate(
            f"top {share:.0%} of customers: {held:.0%}",
            xy=(at, held),
            xytext=(8, -4),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=8,
            color=INK,
        )
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.02)
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    ax.set_xlabel("share of customers, most valuable first")
    ax.set_ylabel(f"cumulative share of the {what}")
    ax.grid(alpha=0.3)
    title(
        ax,
        f"Value concentration: Gini {gini:.2f}",
        f"{n:,} customers; {', '.join(lines)} of the {what}; Gini: twice the shaded area",
    )
    return ax


# ------------------------------------------------------------------------------ cohorts


def _cohort_labels(matrix: CohortMatrix) -> list[str]:
    unit = matrix.period.value
    days = [str(np.datetime_as_string(c, unit="D")) for c in matrix.cohorts]
    cut = {"month": 7, "year": 4}.get(unit)
    return [d[:cut] for d in days] if cut else days


def _cohorts(sizes: AnyArray, unit: str) -> str:
    n, low, high = sizes.size, int(sizes.min()), int(sizes.max())
    each = f"{low:,}" if low == high else f"{low:,} to {high:,}"
    return f"{n} {unit}ly cohort{'' if n == 1 else 's'} ({each} each)"


def cohort_retention(
    matrix: CohortMatrix, *, max_offset: int | None = None, ax: Axes | None = None
) -> Axes:
    """Cohort x period-since-acquisition heat map, cells labelled.

    For retention (a share of the cohort buying), the colour scale stops at the best
    retention after the acquisition period (period 0 is 100 % by definition), cells read in
    percent; another metric (e.g. from :func:`~ecomstrat.cohort_revenue`) is drawn on its
    own range. Cells after the observation end are blank (grey). Up to 600 cells are labelled.

    Parameters
    ----------
    matrix : CohortMatrix
        E.g. from :func:`~ecomstrat.cohort_retention`.
    max_offset : int, optional
        Last period since acquisition to draw (>= 0); default all.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure (taller with more cohorts) when None.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` holds the drawn values, one row per cohort.

    Raises
    ------
    InvalidInputError
        If ``matrix`` is not a CohortMatrix or has no cohort, or ``max_offset`` is not a
        whole number >= 0.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> from ecomstrat import TransactionLog, cohort_retention as retention
    >>> log = TransactionLog.from_arrays(["a", "b", "a"], ["2024-01-05", "2024-01-20",
    ...                                  "2024-02-03"], [10.0, 20.0, 5.0])
    >>> ax = cohort_retention(retention(log), ax=Figure().subplots())
    >>> [t.get_text() for t in ax.texts][:2]
    ['100%', '50%']
    """
    if not isinstance(matrix, CohortMatrix):
        raise invalid(
            "matrix", shown(matrix), "must be a CohortMatrix", "E.g. cohort_retention(log)."
        )
    if matrix.n_cohorts == 0 or matrix.n_offsets == 0:
        raise invalid("matrix", repr(matrix), "has no cohort to draw")
    values = np.asarray(matrix.values, dtype=np.float64)
    if max_offset is not None:
        values = values[:, : check_count("max_offset", max_offset, minimum=0) + 1]
    n_rows, n_cols = values.shape
    retention = matrix.metric == "retention"
    later = values[:, 1:] if retention else values
    top = float(np.nanmax(later)) if later.size and np.isfinite(later).any() else 1.0
    top = top if top > 0 else 1.0
    ax = new_axes(ax, size=(SIZE[0], min(2.4 + 0.36 * n_rows, 9.0)))
    ax.set_facecolor(MISSING)
    image = ax.imshow(
        np.ma.masked_invalid(values),
        aspect="auto",
        cmap=SEQUENTIAL_CMAP,
        vmin=0.0,
        vmax=top,
        interpolation="nearest",
    )
    unit = matrix.period.value
    cell = "{:.0%}" if retention else "{:,.0f}" if top >= 100 else "{:,.1f}"
    labels = _cohort_labels(matrix)
    step = max(1, math.ceil(n_rows / 24))
    ax.set_yticks(range(0, n_rows, step), labels[::step])
    col_step = max(1, math.ceil(n_cols / 24))
    ax.set_xticks(range(0, n_cols, col_step), [str(j) for j in range(0, n_cols, col_step)])
    ax.tick_params(length=0)
    label_cells(ax, values, fmt=cell, dark_above=0.6 * top)
    ax.set_xlabel(f"{unit}s since acquisition (0 = the acquisition {unit})")
    ax.set_ylabel(f"cohort ({unit} of the first order)")
    sizes = np.asarray(matrix.sizes)
    scale = (
        f"colour scale capped at the best retention after {unit} 0 ({top:.0%})"
        if retention
        else f"colour scale 0 to {top:,.2f}"
    )
    colorbar = ax.figure.colorbar(image, ax=ax, pad=0.01)
    colorbar.set_label("share of the cohort buying" if retention else matrix.metric)
    if retention:
        colorbar.ax.yaxis.set_major_formatter("{x:.0%}")
    title(
        ax,
        f"Cohort {matrix.metric} by {unit} since acquisition",
        f"{int(sizes.sum()):,} customers in {_cohorts(sizes, unit)}; {scale};"
        " grey: not observed yet",
    )
    return ax


# ----------------------------------------------------------------------------- payback


def payback_curves(table: AcquisitionTable, *, max_lines: int = 8, ax: Axes | None = None) -> Axes:
    """Cumulative gross margin per acquired customer over the CAC, by month since acquisition.

    One line per campaign (or channel): :attr:`~ecomstrat.AcquisitionTable.payback_ratio`,
    the cumulative gross margin per customer divided by the CAC. It crosses the dashed line
    at 1.0 in the month the acquisition spend is paid back. A line stops after the last
    month observed for every customer of its row.

    Parameters
    ----------
    table : AcquisitionTable
        From :func:`~ecomstrat.acquisition_table`.
    max_lines : int, default 8
        Most rows drawn (>= 1): those with the most customers, in the table's order. Rows
        without customers or spend have no ratio and are left out.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        One line per row drawn (``x`` = months, ``y`` = ratio), then the line at 1.0.

    Raises
    ------
    InvalidInputError
        If ``table`` is not an AcquisitionTable or has no row with customers and spend, or
        ``max_lines`` is not a whole number >= 1.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> import ecomstrat as es
    >>> sim = es.simulate_transactions(300, seed=2, acquisition_span=8.0)
    >>> table = es.acquisition_table(sim.log, campaigns=es.simulate_campaigns(sim, seed=2),
    ...                              gross_margin_rate=0.4)
    >>> ax = payback_curves(table, max_lines=3, ax=Figure().subplots())
    >>> len(ax.get_legend().get_texts())
    3
    """
    if not isinstance(table, AcquisitionTable):
        raise invalid(
            "table",
            shown(table),
            "must be an AcquisitionTable",
            "E.g. acquisition_table(log, ...).",
        )
    most = check_count("max_lines", max_lines, minimum=1)
    ratio = np.asarray(table.payback_ratio, dtype=np.float64)
    cac = np.asarray(table.cac, dtype=np.float64)
    customers = np.asarray(table.customers)
    drawable = np.flatnonzero((customers > 0) & np.isfinite(cac) & (cac > 0))
    if drawable.size == 0:
        raise invalid(
            "table",
            repr(table),
            f"has no {table.by} with customers and spend: no payback to draw",
        )
    largest = drawable[np.argsort(-customers[drawable], kind="stable")][:most]
    rows = np.sort(largest)
    ax = new_axes(ax)
    months = np.asarray(table.months)
    styles: dict[str, int] = {}
    seen_in: dict[str, int] = {}
    for i in rows.tolist():
        paid = float(table.payback_month[i])
        if math.isfinite(paid):
            status = f"paid back in month {int(paid)}"
        else:
            seen = ratio[i][np.isfinite(ratio[i])]
            status = f"{seen[-1]:.2f} of CAC so far" if seen.size else "no month observed"
        name = str(table.labels[i])
        if table.by != "channel":
            name += f" ({table.channels[i]})"
        channel = str(table.channels[i])
        style = styles.setdefault(channel, len(styles)), seen_in.get(channel, 0)
        seen_in[channel] = style[1] + 1
        ax.plot(
            months,
            ratio[i],
            color=PALETTE[style[0] % len(PALETTE)],
            linestyle=_DASHES[style[1] % len(_DASHES)],
            linewidth=1.8,
            marker="o",
            markersize=3,
            label=f"{name}: {status}",
        )
    ax.axhline(1.0, color=REFERENCE, linestyle="--", linewidth=1.3)
    ax.annotate(
        "paid back: margin per customer = CAC",
        xy=(1.0, 1.0),
        xycoords=("axes fraction", "data"),
        xytext=(-4, -3),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=8,
        color=MUTED,
    )
    ax.set_ylim(bottom=0.0)
    observed = np.flatnonzero(np.isfinite(ratio[rows]).any(axis=0))
    last = float(months[observed[-1]]) if observed.size else float(months[-1])
    ax.set_xlim(float(months[0]) - 0.3, last + 0.3)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("months since acquisition (0 = the acquisition month)")
    ax.set_ylabel("cumulative gross margin per customer / CAC")
    ax.grid(alpha=0.3)
    ax.legend(
        title=f"{table.by} ({int(customers[rows].sum()):,} customers)",
        fontsize=8,
        title_fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
    )
    n = table.n_rows
    which = (
        f"All {n} {table.by}s"
        if rows.size == n
        else f"The {rows.size} of {n} {table.by}s with the most customers"
    )
    title(
        ax,
        f"CAC payback by {table.by}",
        f"{which}; CAC = spend / acquired customers; margin in {table.currency}; a line"
        " stops at the last month observed for all its customers",
    )
    return ax


# --------------------------------------------------------------------------- lifecycle


def _stage_shares(migration: StageMigration | StageMatrix) -> tuple[FloatArray, AnyArray | None]:
    """Row shares of a migration (NaN rows without customers) and its counts, if known."""
    if isinstance(migration, StageMigration):
        return np.asarray(migration.probabilities, dtype=np.float64), np.asarray(migration.counts)
    if not isinstance(migration, StageMatrix):
        raise invalid(
            "migration",
            shown(migration),
            "must be a StageMigration or a StageMatrix",
            "E.g. stage_migration(log, start=..., end=...).",
        )
    values = np.asarray(migration.values)
    if values.dtype.kind in "iu":  # counts: share out each row
        totals = values.sum(axis=1, keepdims=True)
        shares = np.full(values.shape, np.nan)
        np.divide(values, totals, out=shares, where=totals > 0)
        return shares, values
    shares = as_float_array("migration.values", values)
    bad = np.isfinite(shares) & ((shares < 0) | (shares > 1))
    if bad.any() or np.isinf(shares).any():
        i, j = np.unravel_index(int(np.argmax(bad | np.isinf(shares))), shares.shape)
        raise invalid(
            f"migration.values[{i}, {j}]",
            float(shares[i, j]),
            "must be a share in [0, 1] (or NaN for a stage without customers)",
            "Pass StageMigration.probability_table(), or counts as whole numbers.",
        )
    return shares, None


def stage_migration(migration: StageMigration | StageMatrix, *, ax: Axes | None = None) -> Axes:
    """Heat map of the moves between lifecycle stages: rows the stage at the start, columns the end.

    Cell ``(i, j)`` is the share of the customers in stage ``i`` at the start who are in stage
    ``j`` at the end (each row with customers sums to 100 %). The diagonal (customers who
    stayed) is outlined; rows without customers are grey; cells of exactly 0 are blank.

    Parameters
    ----------
    migration : StageMigration or StageMatrix
        From :func:`~ecomstrat.stage_migration`: its row shares are drawn and the customers
        per stage are written next to the stage names. A StageMatrix of shares (e.g.
        :meth:`~ecomstrat.StageMigration.probability_table`) is drawn as it is; one of whole
        numbers is read as counts.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` holds the shares (7 x 7, stages in the order of ``migration.names``).

    Raises
    ------
    InvalidInputError
        If ``migration`` is neither, or holds a share outside [0, 1].

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> from ecomstrat import TransactionLog, stage_migration as migrate
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "b", "b"], ["2023-01-01", "2024-05-01", "2023-06-01", "2023-06-15"],
    ...     [10.0, 12.0, 8.0, 9.0],
    ... )
    >>> ax = stage_migration(migrate(log, start="2023-12-31", end="2024-06-30"),
    ...                      ax=Figure().subplots())
    >>> [t.get_text() for t in ax.texts][:2]
    ['50%', '50%']
    """
    shares, counts = _stage_shares(migration)
    names = list(migration.names)
    ax = new_axes(ax, size=(8.0, 5.4))
    ax.set_facecolor(MISSING)
    image = ax.imshow(
        np.ma.masked_invalid(shares),
        cmap=SEQUENTIAL_CMAP,
        vmin=0.0,
        vmax=1.0,
        aspect="auto",
        interpolation="nearest",
    )
    label_cells(ax, shares, dark_above=0.6, skip_zero=True)
    from matplotlib.patches import Rectangle

    for i in range(len(names)):
        if np.isfinite(shares[i, i]):
            ax.add_patch(
                Rectangle((i - 0.5, i - 0.5), 1.0, 1.0, fill=False, edgecolor=INK, linewidth=1.0)
            )
    rows, cols = names, names
    if counts is not None:
        rows = [f"{s} ({n:,})" for s, n in zip(names, counts.sum(axis=1).tolist(), strict=True)]
        cols = [f"{s}\n({n:,})" for s, n in zip(names, counts.sum(axis=0).tolist(), strict=True)]
    ax.set_xticks(range(len(names)), cols, fontsize=8)
    ax.set_yticks(range(len(names)), rows, fontsize=8)
    ax.tick_params(length=0)
    if isinstance(migration, StageMigration):
        start = str(np.datetime_as_string(migration.before.observation_end, unit="D"))
        end = str(np.datetime_as_string(migration.after.observation_end, unit="D"))
        ax.set_xlabel(f"stage on {end} (customers)")
        ax.set_ylabel(f"stage on {start} (customers)")
        churn = migration.churn_rate
        churned = "" if churn is None else f"; {churn:.1%} of the active customers churned"
        subtitle = (
            f"{migration.before.n_customers:,} customers, {start} → {end}; each row: where the"
            f" customers of that stage went{churned}; outlined: stayed; grey: no customer"
        )
    else:
        ax.set_xlabel("stage at the end")
        ax.set_ylabel("stage at the start")
        subtitle = "Each row: where the customers of that stage went; outlined: stayed"
    colorbar = ax.figure.colorbar(image, ax=ax, pad=0.01)
    colorbar.set_label("share of the start stage's customers")
    colorbar.ax.yaxis.set_major_formatter("{x:.0%}")
    title(ax, "Lifecycle stage migration", subtitle)
    return ax
