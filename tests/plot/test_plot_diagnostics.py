"""The diagnostic figures draw exactly the numbers of their result objects.

Every figure is drawn on an Axes of a plain :class:`matplotlib.figure.Figure` (pyplot is
touched only by the ``ax=None`` test, which closes its figure). The data come from a BG/NBD
fitted on a simulated log with a calibration/holdout split; the assertions compare the drawn
artists (bar heights, line data, the heat map's masked array, scatter offsets) with the
result's arrays.
"""

from __future__ import annotations

import doctest
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import PathCollection, QuadMesh  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from ecomstrat._typing import AnyArray  # noqa: E402
from ecomstrat.datasets import simulate_transactions  # noqa: E402
from ecomstrat.diagnostics import (  # noqa: E402
    Heterogeneity,
    frequency_recency_grid,
    heterogeneity,
    holdout_by_frequency,
    holdout_errors,
    period_transactions,
    probability_alive_history,
    tracking,
)
from ecomstrat.exceptions import InvalidInputError, MissingDependencyError  # noqa: E402
from ecomstrat.metrics.summary import calibration_holdout_summary  # noqa: E402
from ecomstrat.models.bgbb import BGBB  # noqa: E402
from ecomstrat.models.bgnbd import BGNBD  # noqa: E402
from ecomstrat.plot import diagnostics as plot  # noqa: E402
from ecomstrat.plot._axes import figure_png, subtitle_of  # noqa: E402

CALIBRATION_END = "2024-09-30"


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    """A fitted BG/NBD and every diagnostic result, computed once."""
    sim = simulate_transactions(1_500, seed=11)
    split = calibration_holdout_summary(
        sim.log,
        calibration_end=CALIBRATION_END,
        observation_end=sim.observation_end,
        time_unit="week",
    )
    model = BGNBD().fit(split.calibration)
    frequent = int(np.argmax(split.calibration.frequency >= 3))
    return {
        "period": period_transactions(model, split.calibration),
        "holdout": holdout_by_frequency(model, split),
        "errors": holdout_errors(model, split),
        "tracking": tracking(
            model,
            sim.log,
            customers=split.calibration,
            calibration_end=CALIBRATION_END,
            observation_end=sim.observation_end,
        ),
        "untracked": tracking(
            model, sim.log, customers=split.calibration, observation_end=sim.observation_end
        ),
        "grid": frequency_recency_grid(model, age=39.0, horizon=26.0, max_frequency=10),
        "history": probability_alive_history(
            model,
            sim.log,
            customer_id=split.calibration.customer_ids[frequent],
            observation_end=sim.observation_end,
        ),
        "mixing": heterogeneity(model),
    }


def _y(line: Line2D) -> AnyArray:
    return np.asarray(line.get_ydata())


def _x(line: Line2D) -> AnyArray:
    return np.asarray(line.get_xdata())


def _legend(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [text.get_text() for text in legend.get_texts()]


def _figure(ax: Axes) -> Figure:
    figure = ax.get_figure()
    assert isinstance(figure, Figure)
    return figure


def _ax() -> Axes:
    axes: Axes = Figure(layout="constrained").subplots()
    return axes


#: Each plotting function with the result it draws.
DRAWINGS: dict[str, tuple[Callable[..., Axes], str]] = {
    "period_transactions": (plot.period_transactions, "period"),
    "holdout_by_frequency": (plot.holdout_by_frequency, "holdout"),
    "holdout_calibration": (plot.holdout_calibration, "errors"),
    "tracking": (plot.tracking, "tracking"),
    "expected_purchases_grid": (plot.expected_purchases_grid, "grid"),
    "probability_alive_grid": (plot.probability_alive_grid, "grid"),
    "probability_alive_history": (plot.probability_alive_history, "history"),
    "heterogeneity": (plot.heterogeneity, "mixing"),
}


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_draws_on_the_given_axes_with_model_and_unit_in_the_title(
    name: str, data: dict[str, Any]
) -> None:
    function, key = DRAWINGS[name]
    pyplot = sys.modules.get("matplotlib.pyplot")
    open_before = pyplot.get_fignums() if pyplot is not None else []
    ax = _ax()
    assert function(data[key], ax=ax) is ax
    assert ax.get_title(loc="left").startswith("BG/NBD (weeks): ")
    assert subtitle_of(ax)
    assert ax.get_xlabel()
    assert ax.get_ylabel()
    # the figure renders, and pyplot gained no figure
    assert figure_png(_figure(ax), dpi=40).startswith(b"\x89PNG")
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert (pyplot.get_fignums() if pyplot is not None else []) == open_before


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_wrong_result_type_names_the_argument(name: str, data: dict[str, Any]) -> None:
    function, key = DRAWINGS[name]
    argument = {"errors": "errors", "grid": "grid", "history": "history"}.get(key, "result")
    other = data["holdout"] if key != "holdout" else data["period"]
    with pytest.raises(InvalidInputError, match=rf"^{argument}='<\w+>' is invalid: must be a"):
        function(other, ax=_ax())


def test_period_transactions_bars_are_actual_and_expected(data: dict[str, Any]) -> None:
    result = data["period"]
    ax = plot.period_transactions(result, ax=_ax())
    heights = [patch.get_height() for patch in ax.patches if isinstance(patch, Rectangle)]
    n = len(result.labels)
    assert len(heights) == 2 * n
    np.testing.assert_array_equal(heights[:n], result.actual)
    np.testing.assert_allclose(heights[n:], result.expected, rtol=1e-12)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(result.labels)
    assert f"{result.n_customers:,} customers" in subtitle_of(ax)
    assert f"{result.chi_square:,.1f} on {result.degrees_of_freedom} df" in subtitle_of(ax)
    assert _legend(ax) == ["actual", "expected (BG/NBD)"]


def test_holdout_by_frequency_lines_are_the_bucket_means(data: dict[str, Any]) -> None:
    result = data["holdout"]
    ax = plot.holdout_by_frequency(result, ax=_ax())
    actual, expected = ax.get_lines()
    np.testing.assert_allclose(_y(actual), result.actual, rtol=1e-12)
    np.testing.assert_allclose(_y(expected), result.expected, rtol=1e-12)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == f"{result.labels[0]}\n{int(result.customers[0]):,}"
    assert f"{result.holdout_length:g} weeks" in subtitle_of(ax)


def test_tracking_cumulative_lines_and_calibration_end(data: dict[str, Any]) -> None:
    result = data["tracking"]
    ax = plot.tracking(result, ax=_ax())
    actual, expected, conditional, end = ax.get_lines()
    np.testing.assert_allclose(_y(actual), result.actual_cumulative, rtol=1e-12)
    np.testing.assert_allclose(_y(expected), result.expected_cumulative, rtol=1e-12)
    known = np.isfinite(result.conditional_cumulative)
    np.testing.assert_allclose(_y(conditional), result.conditional_cumulative[known], rtol=1e-12)
    np.testing.assert_array_equal(_x(conditional), result.week_ends[known])
    # the conditional line continues the calibration-period count
    assert _y(conditional)[0] >= result.calibration_purchases
    assert _x(end)[0] == np.datetime64(CALIBRATION_END, "D")
    assert "calibration period to 2024-09-30" in subtitle_of(ax)
    assert ax.get_ylabel() == "cumulative repeat purchases"


def test_tracking_weekly_leaves_out_partial_weeks(data: dict[str, Any]) -> None:
    result = data["tracking"]
    # the simulated log runs 78 weeks and 2 days from its first purchase day
    assert result.n_weeks == 79
    assert result.week_ends[-1] - result.week_ends[-2] == np.timedelta64(1, "D")
    ax = plot.tracking(result, cumulative=False, ax=_ax())
    actual, expected, conditional, _ = ax.get_lines()
    np.testing.assert_array_equal(_x(actual), result.week_ends[:-1])
    np.testing.assert_array_equal(_y(actual), result.actual[:-1])
    np.testing.assert_allclose(_y(expected), result.expected[:-1], rtol=1e-12)
    known = np.flatnonzero(np.isfinite(result.conditional))
    # the week holding the calibration end is left out too: only its days after the end count
    np.testing.assert_allclose(_y(conditional), result.conditional[known[1:-1]], rtol=1e-12)
    assert result.week_ends[known[1]] - np.timedelta64(7, "D") >= np.datetime64(CALIBRATION_END)
    assert "the last week, 1 day long, is left out" in subtitle_of(ax)
    assert ax.get_ylabel() == "repeat purchases in the week"


def test_tracking_without_calibration_end_has_two_lines(data: dict[str, Any]) -> None:
    ax = plot.tracking(data["untracked"], ax=_ax())
    assert len(ax.get_lines()) == 2
    assert "calibration" not in subtitle_of(ax)
    assert len(_legend(ax)) == 2


def test_tracking_cumulative_must_be_a_bool(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError, match=r"^cumulative='yes' is invalid"):
        plot.tracking(data["tracking"], cumulative="yes", ax=_ax())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("function", "field"),
    [
        (plot.expected_purchases_grid, "expected_purchases"),
        (plot.probability_alive_grid, "probability_alive"),
    ],
)
def test_grid_image_is_the_grid_with_impossible_cells_masked(
    function: Callable[..., Axes], field: str, data: dict[str, Any]
) -> None:
    grid = data["grid"]
    ax = function(grid, ax=_ax())
    (mesh,) = (c for c in ax.collections if isinstance(c, QuadMesh))
    image: np.ma.MaskedArray[Any, Any] = np.ma.asarray(mesh.get_array())
    values = getattr(grid, field)
    assert image.shape == values.shape == (grid.recencies.size, grid.frequencies.size)
    np.testing.assert_array_equal(np.ma.getmaskarray(image), np.isnan(values))
    np.testing.assert_allclose(image.compressed(), values[~np.isnan(values)], rtol=1e-12)
    # frequency on x, recency on y, cell centres on the grid's values
    assert ax.get_xlim() == pytest.approx((-0.5, grid.frequencies[-1] + 0.5))
    step = grid.recencies[1] - grid.recencies[0]
    assert ax.get_ylim() == pytest.approx((-step / 2, grid.recencies[-1] + step / 2))
    # impossible cells are drawn grey, and there is a colour bar
    assert mesh.get_cmap().get_bad()[:3] == pytest.approx(matplotlib.colors.to_rgb("#d9d9d9"))
    assert mesh.colorbar is not None
    subtitle = subtitle_of(ax)
    assert "T = 39 weeks" in subtitle
    assert ("26 weeks" in subtitle) == (field == "expected_purchases")


def test_probability_alive_grid_colour_scale_is_zero_to_one(data: dict[str, Any]) -> None:
    ax = plot.probability_alive_grid(data["grid"], ax=_ax())
    (mesh,) = (c for c in ax.collections if isinstance(c, QuadMesh))
    assert mesh.get_clim() == (0.0, 1.0)
    assert mesh.colorbar is not None
    assert mesh.colorbar.ax.get_ylabel() == "P(alive)"


def test_bgbb_grid_speaks_of_opportunities() -> None:
    model = BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    grid = frequency_recency_grid(model, age=6, horizon=5, max_frequency=6)
    ax = plot.probability_alive_grid(grid, ax=_ax())
    assert ax.get_title(loc="left").startswith("BG/BB (opportunities): ")
    assert "T = 6 opportunities" in subtitle_of(ax)
    assert "opportunity" in ax.get_ylabel()


def test_history_is_a_step_line_with_purchase_marks(data: dict[str, Any]) -> None:
    history = data["history"]
    ax = plot.probability_alive_history(history, ax=_ax())
    line, marks = ax.get_lines()
    assert line.get_drawstyle() == "steps-post"
    np.testing.assert_array_equal(_x(line), history.dates)
    np.testing.assert_array_equal(_y(line), history.probability_alive)
    np.testing.assert_array_equal(_x(marks), history.purchase_dates)
    days = history.dates.astype("datetime64[D]")
    on_day = np.searchsorted(days, history.purchase_dates.astype("datetime64[D]"))
    np.testing.assert_array_equal(_y(marks), history.probability_alive[on_day])
    assert str(history.customer_id) in ax.get_title(loc="left")
    assert f"{history.purchase_dates.size} purchase days" in subtitle_of(ax)


def test_heterogeneity_draws_the_first_distribution_by_default(data: dict[str, Any]) -> None:
    result: Heterogeneity = data["mixing"]
    first = result.distributions[0]
    ax = plot.heterogeneity(result, ax=_ax())
    density, mean = ax.get_lines()
    np.testing.assert_array_equal(_x(density), first.grid)
    np.testing.assert_array_equal(_y(density), first.density)
    assert _x(mean)[0] == first.mean
    assert ax.get_xlabel() == first.meaning
    assert "λ" in ax.get_title(loc="left")


def test_heterogeneity_by_name(data: dict[str, Any]) -> None:
    result: Heterogeneity = data["mixing"]
    ax = plot.heterogeneity(result, parameter="p", ax=_ax())
    np.testing.assert_array_equal(_y(ax.get_lines()[0]), result["p"].density)
    assert f"mean {result['p'].mean:.3g}" in _legend(ax)


def test_heterogeneity_unknown_parameter_lists_the_names(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError, match=r"^parameter='mu' is not known.*'lambda', 'p'"):
        plot.heterogeneity(data["mixing"], parameter="mu", ax=_ax())


def test_heterogeneity_cuts_an_unbounded_density_only() -> None:
    # shape r < 1: the gamma density of lambda rises without bound at 0
    spiky = heterogeneity(BGNBD.from_params(r=0.25, alpha=5.0, a=0.8, b=2.4, time_unit="week"))
    ax = plot.heterogeneity(spiky, ax=_ax())
    lam = spiky["lambda"]
    top = ax.get_ylim()[1]
    assert top < lam.density.max()
    inner = lam.grid >= lam.grid[0] + 0.025 * (lam.grid[-1] - lam.grid[0])
    assert top == pytest.approx(plot.SPIKE_HEADROOM * lam.density[inner].max())
    assert "off the scale" in subtitle_of(ax)
    # shape r > 1: a hump, drawn whole
    humped = heterogeneity(BGNBD.from_params(r=3.0, alpha=5.0, a=0.8, b=2.4, time_unit="week"))
    ax = plot.heterogeneity(humped, ax=_ax())
    assert ax.get_ylim()[1] >= humped["lambda"].density.max()
    assert "off the scale" not in subtitle_of(ax)


def test_holdout_calibration_points_diagonal_and_sizes(data: dict[str, Any]) -> None:
    errors = data["errors"]
    table = errors.calibration
    ax = plot.holdout_calibration(errors, ax=_ax())
    (diagonal,) = ax.get_lines()
    np.testing.assert_array_equal(diagonal.get_xydata(), [[0.0, 0.0], [1.0, 1.0]])
    (points,) = (c for c in ax.collections if isinstance(c, PathCollection))
    np.testing.assert_allclose(
        np.asarray(points.get_offsets()),
        np.column_stack([table.predicted, table.observed]),
        rtol=1e-12,
    )
    sizes = points.get_sizes()
    np.testing.assert_allclose(sizes / sizes.max(), table.customers / table.customers.max())
    assert f"{errors.calibration_error:.3f}" in subtitle_of(ax)
    assert [t.get_text() for t in ax.texts if t.get_text().replace(",", "").isdigit()] == [
        f"{int(n):,}" for n in table.customers
    ]


def test_without_ax_a_new_pyplot_figure_is_made(data: dict[str, Any]) -> None:
    ax = plot.period_transactions(data["period"])
    try:
        assert _figure(ax).get_size_inches() == pytest.approx((9.0, 4.6))
    finally:
        sys.modules["matplotlib.pyplot"].close(ax.figure)


def test_without_matplotlib_the_extra_is_named(
    data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingDependencyError, match=r"ecomstrat\[plot\]"):
        plot.period_transactions(data["period"])


def test_docs_page_prints_what_it_says(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/diagnostics.md: its plot blocks run as doctests, printing the page's numbers."""
    page = Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md"
    if not page.is_file():  # an sdist ships the tests without the docs
        pytest.skip(f"{page} is absent")
    blocks = re.findall(
        r"^```\{eval-rst\}\n\.\. plot::\n(.*?)^```$", page.read_text("utf-8"), re.M | re.S
    )
    assert len(blocks) == 15
    source = "\n".join(textwrap.dedent(block) for block in blocks)
    test = doctest.DocTestParser().get_doctest(source, {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    monkeypatch.chdir(page.parent)
    try:
        runner.run(test)
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close("all")
    assert runner.summarize(verbose=False) == (0, len(test.examples))


def test_grid_contour_levels(data: dict[str, Any]) -> None:
    grid = data["grid"]
    alive = plot.probability_alive_grid(grid, ax=_ax())
    (lines,) = (c for c in alive.collections if isinstance(c, ContourSet))
    assert list(lines.levels) == [0.1, 0.25, 0.5, 0.75, 0.9]
    expected = plot.expected_purchases_grid(grid, ax=_ax())
    (lines,) = (c for c in expected.collections if isinstance(c, ContourSet))
    top = np.nanmax(grid.expected_purchases)
    # 1, 2, 5 times powers of ten from top / 100 up, the six largest below the top
    candidates = [m * 10.0**k for k in range(-4, 4) for m in (1.0, 2.0, 5.0)]
    wanted = [v for v in candidates if top / 100 <= v < top][-6:]
    np.testing.assert_allclose(np.asarray(lines.levels), wanted)


def test_period_transactions_without_a_chi_square_test() -> None:
    model = BGNBD.from_params(r=0.24, alpha=4.41, a=0.79, b=2.43, time_unit="week")
    result = period_transactions(model, ([0, 1, 1, 3], [0, 5, 9, 20], [30, 30, 30, 30]))
    assert result.degrees_of_freedom < 1
    ax = plot.period_transactions(result, ax=_ax())
    assert "too few pooled cells for a chi² test" in subtitle_of(ax)
    assert [int(patch.get_height()) for patch in ax.patches if isinstance(patch, Rectangle)][
        :4
    ] == [1, 2, 0, 1]
