r"""Figures of the strategy report, drawn with matplotlib (the ``plot`` extra).

Every function returns a new :class:`matplotlib.figure.Figure` drawn on an Agg canvas: no
pyplot state, no global style change, no window. matplotlib is imported when a function is
called; without it they raise :class:`~ecomstrat.exceptions.MissingDependencyError` naming
the extra (``pip install 'ecomstrat[plot]'``). Figures are 9 inches wide, 900 pixels at
:data:`DPI`.

Examples
--------
>>> import pytest; _ = pytest.importorskip("matplotlib")
>>> import numpy as np
>>> fig = clv_histogram(np.random.default_rng(1).lognormal(3.0, 1.2, 500),
...                     cutoffs={"top 10%": 120.0}, currency="USD")
>>> fig.get_suptitle()
'Predicted CLV per customer'
>>> figure_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"
True
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ecomstrat._optional import import_optional
from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import invalid

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ecomstrat.metrics.acquisition import AcquisitionTable
    from ecomstrat.metrics.cohorts import CohortMatrix
    from ecomstrat.report.model_check import TrackingCurve

__all__ = [
    "DPI",
    "WIDTH_INCHES",
    "clv_histogram",
    "figure_png",
    "p_alive_heatmap",
    "payback_curves",
    "retention_heatmap",
    "tracking_plot",
]

#: Resolution of :func:`figure_png`; with :data:`WIDTH_INCHES` it makes 900-pixel images.
DPI = 100
WIDTH_INCHES = 9.0
#: A distribution is drawn on a log scale when its mean exceeds its median this many times,
#: or its 99th percentile exceeds the median 20 times.
SKEW_RATIO = 1.5
#: Most panels :func:`payback_curves` draws (the campaigns with the most customers).
MAX_PANELS = 12

_TITLE = {"fontsize": 12, "fontweight": "bold"}
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def _figure(height: float, *, cols: int = 1, rows: int = 1) -> tuple[Figure, Any]:
    """A new Figure on an Agg canvas with a grid of axes (never pyplot)."""
    import_optional("matplotlib", "plot")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, squeeze=False)
    return fig, axes


def _titles(fig: Figure, ax: Axes | None, title: str, subtitle: str) -> None:
    """A bold figure title at the top left, and a grey subtitle above the axes."""
    fig.suptitle(title, x=0.01, ha="left", **_TITLE)
    if ax is not None:
        ax.set_title(subtitle, loc="left", fontsize=9, color="#444444")


def figure_png(figure: Figure, *, dpi: int = DPI) -> bytes:
    """Encode ``figure`` as PNG bytes (Agg renderer)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _money(currency: str | None) -> str:
    return f" ({currency})" if currency else ""


def is_skewed(values: FloatArray) -> bool:
    """Whether a positive distribution reads better on a log scale (see :data:`SKEW_RATIO`)."""
    positive = values[values > 0]
    if positive.size < 2:
        return False
    median = float(np.median(positive))
    if median <= 0:
        return True
    return bool(
        positive.mean() > SKEW_RATIO * median or np.quantile(positive, 0.99) > 20.0 * median
    )


def clv_histogram(
    clv: Sequence[float] | AnyArray,
    *,
    cutoffs: Mapping[str, float] | None = None,
    currency: str | None = None,
    horizon: str = "",
    bins: int = 50,
) -> Figure:
    """Histogram of predicted CLV, on a log axis when skewed, with value-tier cut-offs.

    Parameters
    ----------
    clv : array-like of float
        One value per customer (>= 0).
    cutoffs : mapping of str to float, optional
        Tier name -> lowest CLV in the tier, drawn as labelled vertical lines.
    currency : str, optional
        Shown in the axis label.
    horizon : str, optional
        E.g. ``"12 months"``, shown in the subtitle.
    bins : int, default 50
        Number of bins.
    """
    values = np.asarray(clv, dtype=np.float64)
    if values.size == 0:
        raise invalid("clv", "<empty>", "must hold at least one value")
    fig, axes = _figure(4.6)
    ax: Axes = axes[0, 0]
    log_scale = is_skewed(values)
    note = ""
    if log_scale:
        floor = max(float(np.quantile(values[values > 0], 0.01)), 1e-2)
        below = int((values < floor).sum())
        shown = np.maximum(values, floor)
        edges = np.geomspace(floor, max(float(shown.max()), floor * 10), bins + 1)
        ax.hist(shown, bins=edges.tolist(), color=_COLORS[0], alpha=0.85)
        ax.set_xscale("log")
        if below:
            note = f"; {below:,} customers below {floor:,.2f} are in the first bin"
    else:
        ax.hist(values, bins=bins, color=_COLORS[0], alpha=0.85)
    for k, (name, cut) in enumerate((cutoffs or {}).items()):
        color = _COLORS[(k + 1) % len(_COLORS)]
        ax.axvline(cut, color=color, linestyle="--", linewidth=1.5, label=f"{name}: ≥ {cut:,.2f}")
    scale = "log scale" if log_scale else "linear scale"
    within = f" over {horizon}" if horizon else ""
    _titles(
        fig,
        ax,
        "Predicted CLV per customer",
        f"{values.size:,} customers; residual value{within}; {scale}{note}",
    )
    ax.set_xlabel(f"predicted CLV{_money(currency)}, {scale}")
    ax.set_ylabel("customers")
    ax.yaxis.set_major_formatter("{x:,.0f}")
    if cutoffs:
        ax.legend(title="value tiers", fontsize=9, loc="upper right")
    ax.grid(axis="y", alpha=0.3)
    return fig


def p_alive_heatmap(
    frequency: Sequence[float] | AnyArray,
    recency: Sequence[float] | AnyArray,
    p_alive: Sequence[float] | AnyArray,
    *,
    time_unit: str = "week",
    max_frequency: int | None = None,
    recency_bins: int = 20,
) -> Figure:
    """Mean P(alive) per (frequency x, recency t_x) cell, over the customers in each cell.

    Each customer enters at their own age ``T``, so a cell is the average over the ages of
    its customers. Frequencies from ``max_frequency`` up share the last column (default: the
    99th percentile of ``frequency``, at least 5); recency is cut into ``recency_bins`` equal
    bins. Empty cells are left blank.
    """
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    p = np.asarray(p_alive, dtype=np.float64)
    if not x.size == t_x.size == p.size or x.size == 0:
        raise invalid("frequency", f"<{x.size} values>", "must match recency and p_alive, >= 1")
    top = int(x.max())
    if max_frequency is None:
        max_frequency = max(5, math.ceil(float(np.quantile(x, 0.99))))
    k = max(1, min(top, max_frequency))
    column = np.minimum(x, k).astype(np.int64)
    span = max(float(t_x.max()), 1e-9)
    width = span / recency_bins
    row = np.minimum((t_x / width).astype(np.int64), recency_bins - 1)
    cells = row * (k + 1) + column
    size = recency_bins * (k + 1)
    counts = np.bincount(cells, minlength=size)
    sums = np.bincount(cells, weights=p, minlength=size)
    means = np.divide(sums, counts, out=np.full(size, np.nan), where=counts > 0)
    grid = np.ma.masked_invalid(means.reshape(recency_bins, k + 1))

    fig, axes = _figure(5.6)
    ax: Axes = axes[0, 0]
    ax.set_facecolor("#f2f2f2")
    image = ax.imshow(
        grid,
        origin="lower",
        aspect="auto",
        cmap="viridis",
        vmin=0.0,
        vmax=1.0,
        extent=(-0.5, k + 0.5, 0.0, span),
        interpolation="nearest",
    )
    colorbar = fig.colorbar(image, ax=ax)
    colorbar.set_label("mean P(alive) of the customers in the cell")
    ticks = list(range(0, k + 1, max(1, (k + 1) // 12)))
    ax.set_xticks(ticks, [f"{t}+" if t == k and top > k else str(t) for t in ticks])
    ax.set_xlabel("frequency x (repeat purchases)")
    ax.set_ylabel(f"recency t_x ({time_unit}s from first to last purchase)")
    _titles(
        fig,
        ax,
        "P(alive) by frequency and recency",
        f"Mean P(alive) of the customers in each cell ({x.size:,} in all), each at their own"
        " age T (T averaged, not fixed); grey: no customer",
    )
    return fig


def retention_heatmap(matrix: CohortMatrix, *, max_offset: int | None = None) -> Figure:
    """Cohort x period-since-acquisition heat map of retention, cells labelled in percent.

    The colour scale stops at the highest retention after the acquisition period (period 0
    is 100% by definition and is drawn at the top of the scale); unobserved cells are blank.
    """
    values = np.asarray(matrix.values, dtype=np.float64)
    if max_offset is not None:
        values = values[:, : max_offset + 1]
    n_rows, n_cols = values.shape
    later = values[:, 1:]
    top = float(np.nanmax(later)) if later.size and np.isfinite(later).any() else 1.0
    top = max(top, 1e-6)
    height = min(2.2 + 0.42 * n_rows, 9.0)
    fig, axes = _figure(height)
    ax: Axes = axes[0, 0]
    ax.set_facecolor("#f2f2f2")
    image = ax.imshow(
        np.ma.masked_invalid(values),
        aspect="auto",
        cmap="Blues",
        vmin=0.0,
        vmax=top,
        interpolation="nearest",
    )
    colorbar = fig.colorbar(image, ax=ax)
    colorbar.set_label("share of the cohort buying")
    colorbar.ax.yaxis.set_major_formatter("{x:.0%}")
    unit = matrix.period.value
    letter = unit[0].upper()
    labels = [str(np.datetime_as_string(c, unit="D")) for c in matrix.cohorts]
    if unit == "month":
        labels = [label[:7] for label in labels]
    step = max(1, n_rows // 24)
    ax.set_yticks(range(0, n_rows, step), labels[::step])
    col_step = max(1, n_cols // 24)
    ax.set_xticks(range(0, n_cols, col_step), [f"{letter}{j}" for j in range(0, n_cols, col_step)])
    if n_rows * n_cols <= 600:
        size = 8 if n_cols <= 18 else 6
        for i in range(n_rows):
            for j in range(n_cols):
                v = values[i, j]
                if np.isfinite(v):
                    dark = v > 0.6 * top
                    ax.text(
                        j,
                        i,
                        f"{v:.0%}",
                        ha="center",
                        va="center",
                        fontsize=size,
                        color="white" if dark else "black",
                    )
    ax.set_xlabel(f"{unit}s since acquisition ({letter}0 = the acquisition {unit})")
    ax.set_ylabel(f"cohort ({unit} of first order)")
    sizes = np.asarray(matrix.sizes)
    _titles(
        fig,
        ax,
        f"Cohort retention ({unit}ly)",
        f"{int(sizes.sum()):,} customers in {n_rows} cohorts; colour scale capped at the best"
        f" retention after {letter}0 ({top:.0%}); blank: not yet observed",
    )
    return fig


def tracking_plot(curve: TrackingCurve) -> Figure:
    """Actual vs expected cumulative repeat purchases by week, with the calibration end."""
    weeks = np.arange(1, curve.n_weeks + 1)
    fig, axes = _figure(4.6)
    ax: Axes = axes[0, 0]
    ax.plot(weeks, curve.actual, color="#222222", linewidth=2.0, label="actual")
    ax.plot(
        weeks,
        curve.expected,
        color=_COLORS[1],
        linewidth=2.0,
        linestyle="--",
        label=f"expected ({curve.model})",
    )
    if curve.calibration_end is not None:
        # Values are plotted at the end of each week: the calibration ends after its last day.
        start = curve.week_ends[0] - np.timedelta64(6, "D")
        end_day = curve.calibration_end.astype("datetime64[D]")
        position = float((end_day - start).astype(np.int64) + 1) / 7.0
        ax.axvline(position, color="#777777", linestyle=":", linewidth=1.5)
        ax.annotate(
            " calibration | holdout ",
            xy=(position, 0.04),
            xycoords=("data", "axes fraction"),
            ha="center",
            fontsize=9,
            color="#444444",
            backgroundcolor="white",
        )
    ax.set_xlim(0.5, curve.n_weeks + 0.5)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter("{x:,.0f}")
    first = str(np.datetime_as_string(curve.week_ends[0] - np.timedelta64(6, "D"), unit="D"))
    ax.set_xlabel(f"week (week 1 starts {first})")
    ax.set_ylabel("cumulative repeat purchases")
    _titles(
        fig,
        ax,
        "Tracking: cumulative repeat purchases, actual vs expected",
        f"{curve.n_customers:,} customers; expected = the model's E[X(t)] summed over the"
        " customers, t from each one's first purchase",
    )
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return fig


def payback_curves(table: AcquisitionTable, *, max_panels: int = MAX_PANELS) -> Figure:
    """One panel per campaign: cumulative gross margin per customer by month vs the CAC.

    With more than ``max_panels`` rows, the rows with the most customers are drawn.
    """
    n = table.n_rows
    if n == 0:
        raise invalid("table", table, "has no rows")
    order = np.argsort(-np.asarray(table.customers), kind="stable")[:max_panels]
    order = np.sort(order)
    cols = min(3, order.size)
    rows = math.ceil(order.size / cols)
    fig, axes = _figure(1.2 + 2.5 * rows, cols=cols, rows=rows)
    months = np.asarray(table.months)
    channels = sorted({str(c) for c in table.channels})
    color_of = {c: _COLORS[k % len(_COLORS)] for k, c in enumerate(channels)}
    top = 0.0
    for k, i in enumerate(order.tolist()):
        ax: Axes = axes[k // cols, k % cols]
        curve = np.asarray(table.payback_curves[i], dtype=np.float64)
        cac = float(table.cac[i])
        color = color_of[str(table.channels[i])]
        ax.plot(months, curve, color=color, linewidth=2.0, marker="o", markersize=3)
        if math.isfinite(cac):
            ax.axhline(cac, color="#444444", linestyle="--", linewidth=1.2)
            top = max(top, cac)
        paid = float(table.payback_month[i])
        if math.isfinite(paid):
            ax.axvline(paid, color=color, linestyle=":", linewidth=1.0)
        finite = curve[np.isfinite(curve)]
        if finite.size:
            top = max(top, float(finite.max()))
        if math.isfinite(paid):
            status = f"paid back in month {int(paid)}"
        elif math.isfinite(cac):
            status = "not paid back yet"
        else:
            status = "no customer"
        label = f"{table.labels[i]} ({table.channels[i]}): {status}"
        if math.isfinite(cac):
            ax.annotate(
                f"CAC {cac:,.2f}",
                xy=(1.0, cac),
                xycoords=("axes fraction", "data"),
                xytext=(-4, 3),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=8,
                color="#444444",
            )
        ax.set_title(label, fontsize=9, loc="left")
        ax.grid(alpha=0.3)
        if k % cols == 0:
            ax.set_ylabel(f"margin per customer{_money(table.currency)}", fontsize=9)
    for k in range(order.size, rows * cols):
        axes[k // cols, k % cols].set_visible(False)
    for k in range(order.size):
        axes[k // cols, k % cols].set_ylim(0, top * 1.08 if top > 0 else 1.0)
    shown = "" if order.size == n else f" (the {order.size} largest of {n})"
    _titles(fig, None, f"CAC payback per {table.by}{shown}", "")
    fig.supxlabel(
        "months since acquisition (0 = the acquisition month)\nline: cumulative gross margin"
        " per acquired customer; dashed: CAC; dotted: the month the margin reaches the CAC",
        fontsize=9,
    )
    return fig
