"""Shared pieces of the figures: a new or given Axes, titles, colours, cell labels, PNG bytes.

Every public plotting function draws on one :class:`matplotlib.axes.Axes`: the one it is given,
or a new one from :func:`new_axes`. matplotlib is imported when a function is called (the
``plot`` extra); nothing here changes matplotlib's global state (no style, no rcParams).

Examples
--------
>>> import pytest; _ = pytest.importorskip("matplotlib")
>>> from matplotlib.figure import Figure
>>> ax = new_axes(Figure(layout="constrained").subplots())
>>> title(ax, "Predicted CLV per customer", "1,000 customers; log scale")
>>> ax.get_title(loc="left"), subtitle_of(ax)
('Predicted CLV per customer', '1,000 customers; log scale')
>>> figure_png(ax.figure)[1:4]
b'PNG'
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from ecomstrat._optional import import_optional
from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import invalid, shown

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "ACTUAL",
    "CONDITIONAL",
    "DPI",
    "EXPECTED",
    "INK",
    "MISSING",
    "MUTED",
    "PALETTE",
    "PROBABILITY_CMAP",
    "REFERENCE",
    "SEQUENTIAL_CMAP",
    "SIZE",
    "SKEW_RATIO",
    "figure_png",
    "is_skewed",
    "label_cells",
    "money_label",
    "new_axes",
    "percent_axis",
    "subtitle_of",
    "title",
]

#: Default figure size of a new Axes, in inches (900 x 460 pixels at :data:`DPI`).
SIZE = (9.0, 4.6)
#: Resolution of :func:`figure_png`.
DPI = 100

#: Text and the main data line.
INK = "#222222"
#: Subtitles, annotations and secondary text.
MUTED = "#555555"
#: Reference lines: a diagonal, break-even at 1.0, the end of the calibration period.
REFERENCE = "#777777"
#: Face of a heat map behind the cells without data (masked NaN).
MISSING = "#eeeeee"
#: Observed data (bars, lines) next to a model's expectation.
ACTUAL = "#1f77b4"
#: A model's unconditional expectation.
EXPECTED = "#d62728"
#: A model's expectation conditional on each customer's history.
CONDITIONAL = "#ff7f0e"
#: Colours of categorical series (campaigns, tiers), in order.
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
)
#: Colour map of shares and counts (0 is white).
SEQUENTIAL_CMAP = "Blues"
#: Colour map of probabilities and model expectations on a grid.
PROBABILITY_CMAP = "viridis"

#: A distribution is drawn on a log scale when its mean exceeds its median this many times,
#: or its 99th percentile exceeds the median 20 times.
SKEW_RATIO = 1.5

_TITLE_SIZE = 12.0
_SUBTITLE_SIZE = 9.0
_SUBTITLE_GID = "ecomstrat-subtitle"
#: Gap between the top of the axes and the subtitle, and between subtitle and title (points).
_GAP = 5.0


def new_axes(ax: Axes | None, *, size: tuple[float, float] = SIZE) -> Axes:
    """``ax`` itself, or a new Axes on a new pyplot figure when ``ax`` is None.

    A new figure comes from :func:`matplotlib.pyplot.subplots` (so a notebook shows it) with
    the constrained layout; a given Axes is used as it is and pyplot is not touched.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        Where to draw.
    size : tuple of float, default (9.0, 4.6)
        Width and height in inches of a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed (``pip install 'ecomstrat[plot]'``).
    InvalidInputError
        If ``ax`` is neither None nor an Axes.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> new_axes(ax) is ax
    True
    """
    if ax is None:
        import_optional("matplotlib", "plot")
        pyplot: Any = import_optional("matplotlib.pyplot", "plot")
        created: Axes = pyplot.subplots(figsize=size, layout="constrained")[1]
        return created
    import_optional("matplotlib", "plot")
    from matplotlib.axes import Axes as AxesType

    if not isinstance(ax, AxesType):
        raise invalid(
            "ax",
            shown(ax),
            "must be a matplotlib Axes or None",
            "Pass e.g. fig.subplots(), or leave ax out for a new figure.",
        )
    return ax


def _wrap(ax: Axes, text: str, fontsize: float, char_width: float) -> str:
    """``text`` wrapped to the width of ``ax`` (an estimate from the font size)."""
    parent: Any = ax.figure  # Figure.figure is itself, SubFigure.figure the root (mpl >= 3.8)
    root = None if parent is None else parent.figure
    inches = SIZE[0] if root is None else root.get_figwidth()
    points = ax.get_position().width * inches * 72.0
    width = max(30, int(points / (char_width * fontsize)))
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def title(ax: Axes, title: str, subtitle: str = "") -> None:
    """A bold title at the top left of ``ax``, and a grey subtitle line below it.

    Both are wrapped to the current width of the axes: call it after adding a colour bar,
    which narrows the axes (a subtitle wider than the axes takes part in the layout, and
    would push the colour bar away). Calling it again replaces both.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.
    title : str
        What the figure shows (names the model and time unit where there is one).
    subtitle : str, optional
        How to read it: the data, the scale, what is left out.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("matplotlib")
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> title(ax, "Cohort retention", "1,200 customers")
    >>> subtitle_of(ax)
    '1,200 customers'
    """
    for text in list(ax.texts):
        if text.get_gid() == _SUBTITLE_GID:
            text.remove()
    pad = 6.0
    if subtitle:
        wrapped = _wrap(ax, subtitle, _SUBTITLE_SIZE, 0.55)
        note = ax.annotate(
            wrapped,
            xy=(0.0, 1.0),
            xycoords="axes fraction",
            xytext=(0.0, _GAP),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=_SUBTITLE_SIZE,
            color=MUTED,
            linespacing=1.25,
        )
        note.set_gid(_SUBTITLE_GID)
        lines = wrapped.count("\n") + 1
        pad = _GAP + lines * _SUBTITLE_SIZE * 1.25 * 1.05 + _GAP
    ax.set_title(
        _wrap(ax, title, _TITLE_SIZE, 0.62),
        loc="left",
        fontsize=_TITLE_SIZE,
        fontweight="bold",
        color=INK,
        pad=pad,
    )


def subtitle_of(ax: Axes) -> str:
    """The subtitle :func:`title` put on ``ax`` (line breaks as spaces), or ``""``."""
    for text in ax.texts:
        if text.get_gid() == _SUBTITLE_GID:
            return text.get_text().replace("\n", " ")
    return ""


def figure_png(figure: Figure, *, dpi: int = DPI) -> bytes:
    """Encode ``figure`` as PNG bytes with the Agg renderer.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        E.g. ``ax.figure`` of an axes a plotting function returned.
    dpi : int, default 100
        Dots per inch.

    Returns
    -------
    bytes
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def money_label(currency: str | None) -> str:
    """``" (EUR)"`` to append to an axis label of money, or ``""`` without a currency.

    Examples
    --------
    >>> "predicted CLV" + money_label("EUR")
    'predicted CLV (EUR)'
    """
    return f" ({currency})" if currency else ""


def percent_axis(ax: Axes, which: str = "y", *, decimals: int = 0) -> None:
    """Show the ``which`` ("x" or "y") tick labels of shares in [0, 1] as percentages."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_formatter(f"{{x:.{decimals}%}}")


def is_skewed(values: FloatArray) -> bool:
    """Whether a positive distribution reads better on a log scale (see :data:`SKEW_RATIO`).

    Only the positive values count; fewer than two of them is never skewed.

    Examples
    --------
    >>> import numpy as np
    >>> is_skewed(np.array([1.0, 1.0, 1.0, 100.0])), is_skewed(np.array([9.0, 10.0, 11.0]))
    (True, False)
    """
    positive = values[values > 0]
    if positive.size < 2:
        return False
    median = float(np.median(positive))
    return bool(
        positive.mean() > SKEW_RATIO * median or np.quantile(positive, 0.99) > 20.0 * median
    )


def label_cells(
    ax: Axes,
    values: AnyArray,
    *,
    fmt: str = "{:.0%}",
    dark_above: float = 0.6,
    max_cells: int = 600,
    skip_zero: bool = False,
) -> None:
    """Write each finite cell of an ``imshow`` heat map at its centre, white on dark cells.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes holding the heat map, cell ``(i, j)`` centred at ``x=j, y=i``.
    values : ndarray, shape (rows, columns)
        The cell values (NaN cells are left blank).
    fmt : str, default "{:.0%}"
        Format of a value.
    dark_above : float, default 0.6
        Values above this are written in white.
    max_cells : int, default 600
        With more cells than this, nothing is written (they would not be readable).
    skip_zero : bool, default False
        Leave cells of exactly 0 blank too (sparse matrices read better).
    """
    rows, cols = values.shape
    if rows * cols > max_cells:
        return
    size = 8 if cols <= 18 else 6
    for i in range(rows):
        for j in range(cols):
            v = float(values[i, j])
            if np.isfinite(v) and not (skip_zero and v == 0.0):
                ax.text(
                    j,
                    i,
                    fmt.format(v),
                    ha="center",
                    va="center",
                    fontsize=size,
                    color="white" if v > dark_above else INK,
                )
