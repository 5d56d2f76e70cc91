"""ecomstrat.plot.business and ._axes: each figure draws what its data says, on the given Axes."""

from __future__ import annotations

import math
import sys

import attrs
import numpy as np
import pytest

import ecomstrat as es
from ecomstrat.exceptions import InvalidInputError, MissingDependencyError
from ecomstrat.lifecycle.stages import StageMatrix
from ecomstrat.metrics.clv import LifetimeValues
from ecomstrat.plot import _axes, business as plot

matplotlib = pytest.importorskip("matplotlib")


def new_ax():
    """An Axes on a pyplot-free figure."""
    from matplotlib.figure import Figure

    return Figure(figsize=(9.0, 4.6), layout="constrained").subplots()


def drawn(ax) -> None:
    """A bold title, axis labels, and a figure that renders to PNG."""
    assert ax.get_title(loc="left")
    assert ax.get_xlabel()
    assert ax.get_ylabel()
    assert _axes.figure_png(ax.figure)[1:4] == b"PNG"


@pytest.fixture(scope="module")
def sim() -> es.Simulation:
    return es.simulate_transactions(600, seed=5, acquisition_span=40.0, observation_length=70.0)


@pytest.fixture(scope="module")
def table(sim: es.Simulation) -> es.AcquisitionTable:
    campaigns = es.simulate_campaigns(sim, seed=5, flight_days=21)
    return es.acquisition_table(sim.log, campaigns=campaigns, gross_margin_rate=0.4)


@pytest.fixture(scope="module")
def migration(sim: es.Simulation) -> es.StageMigration:
    end = sim.observation_end
    return es.stage_migration(sim.log, start=end - np.timedelta64(91, "D"), end=end)


def lifetime_values(clv: np.ndarray) -> LifetimeValues:
    n = clv.size
    ones = np.ones(n)
    return LifetimeValues(
        np.arange(n), clv, ones, ones, clv, 0.3 * ones, 12.0, "month", 0.1, 0.002, "week", "test"
    )


# ------------------------------------------------------------------------- shared helpers


def test_new_axes_uses_the_given_axes_and_refuses_others():
    ax = new_ax()
    assert _axes.new_axes(ax) is ax
    with pytest.raises(InvalidInputError, match=r"^ax='not an axes' is invalid"):
        _axes.new_axes("not an axes")  # type: ignore[arg-type]


def test_title_and_subtitle_replace_on_a_second_call():
    ax = new_ax()
    _axes.title(ax, "First", "one")
    _axes.title(ax, "Second", "two " * 60)
    assert ax.get_title(loc="left") == "Second"
    subtitles = [t for t in ax.texts if t.get_gid() == "ecomstrat-subtitle"]
    assert len(subtitles) == 1
    assert "\n" in subtitles[0].get_text()  # wrapped to the axes
    assert _axes.subtitle_of(ax) == ("two " * 60).strip()
    assert _axes.subtitle_of(new_ax()) == ""


def test_without_matplotlib_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingDependencyError, match=r"ecomstrat\[plot\]"):
        plot.lorenz_curve([1.0, 2.0])


def test_money_label_and_is_skewed():
    assert _axes.money_label("EUR") == " (EUR)"
    assert _axes.money_label(None) == ""
    assert _axes.is_skewed(np.random.default_rng(0).lognormal(0.0, 2.0, 1000))
    assert not _axes.is_skewed(np.array([10.0, 11.0, 12.0]))
    assert not _axes.is_skewed(np.array([0.0, 0.0, 5.0]))  # one positive value


def test_label_cells_skips_nan_zero_and_too_many_cells():
    ax = new_ax()
    _axes.label_cells(ax, np.array([[0.5, np.nan], [0.0, 0.9]]), skip_zero=True)
    assert [(t.get_text(), t.get_color()) for t in ax.texts] == [
        ("50%", _axes.INK),
        ("90%", "white"),
    ]
    _axes.label_cells(ax, np.zeros((30, 30)), max_cells=600)
    assert len(ax.texts) == 2


# ------------------------------------------------------------------------------------ CLV


def test_clv_distribution_log_scale_counts_every_customer():
    values = np.random.default_rng(1).lognormal(2.0, 1.5, 2_000)
    values[:7] = 0.0
    ax = new_ax()
    cut = {"top 1%": 300.0, "top 10%": 60.0}
    assert plot.clv_distribution(values, cutoffs=cut, currency="EUR", bins=40, ax=ax) is ax
    drawn(ax)
    heights = np.array([p.get_height() for p in ax.patches])
    assert heights.size == 40
    assert heights.sum() == values.size
    floor = max(float(np.quantile(values[values > 0], 0.01)), 1e-2)
    assert (
        heights[0]
        == np.histogram(np.maximum(values, floor), bins=np.geomspace(floor, values.max(), 41))[0][0]
    )
    assert ax.get_xscale() == "log"
    assert "EUR" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "top 1%: ≥ 300.00",
        "top 10%: ≥ 60.00",
    ]
    assert [line.get_xdata()[0] for line in ax.lines] == [300.0, 60.0]
    below = int((values < floor).sum())
    assert f"the {below:,} customers below" in _axes.subtitle_of(ax)


def test_clv_distribution_linear_matches_numpy_histogram():
    values = np.random.default_rng(2).normal(50.0, 5.0, 500)
    ax = plot.clv_distribution(values, bins=12, ax=new_ax())
    heights = [p.get_height() for p in ax.patches]
    assert heights == np.histogram(values, bins=12)[0].tolist()
    assert ax.get_xscale() == "linear"
    assert ax.get_legend() is None
    assert f"median {np.median(values):,.2f}" in _axes.subtitle_of(ax)


def test_clv_distribution_of_lifetime_values_names_the_horizon():
    clv = np.array([1.0, 2.0, 3.0, 4.0])
    ax = plot.clv_distribution(lifetime_values(clv), bins=4, ax=new_ax())
    assert ax.get_title(loc="left") == "Predicted CLV per customer over 12 months"
    assert sum(p.get_height() for p in ax.patches) == 4
    given_horizon = plot.clv_distribution(lifetime_values(clv), horizon="1 year", ax=new_ax())
    assert given_horizon.get_title(loc="left").endswith("over 1 year")


@pytest.mark.parametrize(
    ("values", "kwargs", "named"),
    [
        ([], {}, r"^values='<empty>'"),
        ([1.0, math.nan], {}, r"^values\[1\]=nan"),
        ([[1.0, 2.0]], {}, r"^values='<an array of shape \(1, 2\)>'"),
        ("abc", {}, r"^values='abc'"),
        ([1.0, 2.0], {"bins": 0}, r"^bins=0 is invalid: must be >= 1"),
        ([1.0, 2.0], {"bins": 2.5}, r"^bins=2.5 is invalid"),
        ([1.0, 2.0], {"cutoffs": {"top": math.inf}}, r"^cutoffs\['top'\]=inf"),
    ],
)
def test_clv_distribution_bad_input(values, kwargs, named):
    with pytest.raises(InvalidInputError, match=named):
        plot.clv_distribution(values, ax=new_ax(), **kwargs)


# ----------------------------------------------------------------------------- Lorenz


def test_lorenz_curve_points_and_shares():
    values = np.arange(1.0, 11.0)  # 1..10, total 55
    ax = new_ax()
    assert plot.lorenz_curve(values, ax=ax) is ax
    drawn(ax)
    curve = ax.lines[0]
    x, y = np.asarray(curve.get_xdata()), np.asarray(curve.get_ydata())
    assert (x[0], y[0], x[-1], y[-1]) == (0.0, 0.0, 1.0, 1.0)
    np.testing.assert_allclose(x, np.arange(11) / 10)
    np.testing.assert_allclose(y, np.concatenate(([0.0], np.cumsum(values[::-1]) / 55.0)))
    diagonal = ax.lines[1]
    assert list(diagonal.get_xdata()) == [0.0, 1.0] == list(diagonal.get_ydata())
    texts = [t.get_text() for t in ax.texts]
    assert "top 10% of customers: 18%" in texts  # 10 / 55
    assert "top 20% of customers: 35%" in texts  # 19 / 55
    assert ax.get_title(loc="left") == "Value concentration: Gini 0.30"  # 165 / 550


def test_lorenz_curve_gini_of_known_distributions():
    one_holds_all = plot.lorenz_curve([0.0, 0.0, 0.0, 5.0], ax=new_ax())
    assert one_holds_all.get_title(loc="left") == "Value concentration: Gini 0.75"  # (n-1)/n
    equal = plot.lorenz_curve(np.full(50, 3.0), ax=new_ax())
    assert equal.get_title(loc="left") == "Value concentration: Gini 0.00"
    np.testing.assert_allclose(equal.lines[0].get_ydata(), equal.lines[0].get_xdata())
    # Exponential values: Gini 1/2; 40,000 customers are drawn through 2,001 points.
    exponential = np.random.default_rng(3).exponential(10.0, 40_000)
    ax = plot.lorenz_curve(exponential, ax=new_ax())
    assert ax.get_title(loc="left") == "Value concentration: Gini 0.50"
    assert len(ax.lines[0].get_xdata()) == 2001
    assert ax.lines[0].get_ydata()[-1] == 1.0


def test_lorenz_curve_marks_a_shared_point_once():
    ax = plot.lorenz_curve([1.0, 3.0], ax=new_ax())  # top 10 % and top 20 %: the same customer
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("top")] == [
        "top 10% of customers: 75%"
    ]
    assert "the top 10% hold 75%, the top 20% hold 75%" in _axes.subtitle_of(ax)


def test_lorenz_curve_of_lifetime_values():
    ax = plot.lorenz_curve(lifetime_values(np.array([1.0, 3.0])), ax=new_ax())
    assert ax.get_ylabel() == "cumulative share of the predicted CLV"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ([1.0, -2.0], r"^values\[1\]=-2.0 .*must be >= 0"),
        ([0.0, 0.0], r"^values='<all 0>'"),
        ([], r"^values='<empty>'"),
        ([math.inf], r"^values\[0\]=inf"),
    ],
)
def test_lorenz_curve_bad_input(values, named):
    with pytest.raises(InvalidInputError, match=named):
        plot.lorenz_curve(values, ax=new_ax())


# ---------------------------------------------------------------------------- cohorts


def test_cohort_retention_heat_map_is_the_matrix(sim):
    matrix = es.cohort_retention(sim.log)
    ax = new_ax()
    assert plot.cohort_retention(matrix, ax=ax) is ax
    drawn(ax)
    image = ax.images[0].get_array()
    np.testing.assert_array_equal(image.filled(np.nan), matrix.values)
    assert np.ma.getmaskarray(image).tolist() == np.isnan(matrix.values).tolist()
    assert ax.images[0].get_clim() == (0.0, np.nanmax(matrix.values[:, 1:]))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [str(c)[:7] for c in matrix.cohorts.astype("datetime64[M]")]
    cells = [t.get_text() for t in ax.texts if t.get_gid() is None]
    assert cells[0] == "100%"
    assert len(cells) == int(np.isfinite(matrix.values).sum())
    assert len(ax.figure.axes) == 2  # the colour bar
    assert f"{int(matrix.sizes.sum()):,} customers in {matrix.n_cohorts}" in _axes.subtitle_of(ax)


def test_cohort_retention_max_offset_and_other_metrics(sim):
    matrix = es.cohort_retention(sim.log)
    ax = plot.cohort_retention(matrix, max_offset=3, ax=new_ax())
    np.testing.assert_array_equal(ax.images[0].get_array().filled(np.nan), matrix.values[:, :4])
    revenue = es.cohort_revenue(sim.log, cumulative=True)
    ax = plot.cohort_retention(revenue, ax=new_ax())
    assert ax.get_title(loc="left").startswith("Cohort cumulative revenue per customer")
    assert ax.images[0].get_clim()[1] == np.nanmax(revenue.values)
    assert not any(t.get_text().endswith("%") for t in ax.texts)


@pytest.mark.parametrize(
    ("matrix", "kwargs", "named"),
    [
        (np.zeros((2, 2)), {}, r"^matrix='<ndarray>' is invalid: must be a CohortMatrix"),
        (None, {"max_offset": -1}, r"^max_offset=-1 is invalid: must be >= 0"),
        (None, {"max_offset": True}, r"^max_offset=True is invalid: must be a whole number"),
    ],
)
def test_cohort_retention_bad_input(sim, matrix, kwargs, named):
    matrix = es.cohort_retention(sim.log) if matrix is None else matrix
    with pytest.raises(InvalidInputError, match=named):
        plot.cohort_retention(matrix, ax=new_ax(), **kwargs)


# ---------------------------------------------------------------------------- payback


def test_payback_lines_are_margin_over_cac(table):
    ax = new_ax()
    assert plot.payback_curves(table, max_lines=4, ax=ax) is ax
    drawn(ax)
    top4 = np.sort(np.argsort(-table.customers, kind="stable")[:4])
    lines, reference = ax.lines[:-1], ax.lines[-1]
    assert len(lines) == 4
    for line, i in zip(lines, top4, strict=True):
        np.testing.assert_array_equal(line.get_xdata(), table.months)
        np.testing.assert_allclose(
            line.get_ydata(), table.payback_curves[i] / table.cac[i], equal_nan=True
        )
    assert list(reference.get_ydata()) == [1.0, 1.0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    for text, i in zip(legend, top4, strict=True):
        assert text.startswith(f"{table.labels[i]} ({table.channels[i]}): ")
        paid = table.payback_month[i]
        assert ("paid back in month" in text) == bool(np.isfinite(paid))
    assert _axes.subtitle_of(ax).startswith(f"The 4 of {table.n_rows} campaigns")


def test_payback_leaves_out_rows_without_customers(table):
    no_customers = np.zeros(table.n_rows, dtype=bool)
    no_customers[0] = True
    cac = np.where(no_customers, np.nan, table.cac)
    ax = plot.payback_curves(attrs.evolve(table, cac=cac), max_lines=99, ax=new_ax())
    assert len(ax.lines) - 1 == table.n_rows - 1
    with pytest.raises(InvalidInputError, match=r"^table=.* has no campaign with customers"):
        plot.payback_curves(attrs.evolve(table, cac=np.full(table.n_rows, np.nan)), ax=new_ax())


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"max_lines": 0}, r"^max_lines=0 is invalid: must be >= 1"),
        ({"max_lines": "3"}, r"^max_lines='3' is invalid: must be a whole number"),
        ({"table": "x"}, r"^table='x' is invalid: must be an AcquisitionTable"),
    ],
)
def test_payback_bad_input(table, kwargs, named):
    given_table = kwargs.pop("table", table)
    with pytest.raises(InvalidInputError, match=named):
        plot.payback_curves(given_table, ax=new_ax(), **kwargs)


# -------------------------------------------------------------------------- lifecycle


def test_stage_migration_heat_map_is_the_row_shares(migration):
    ax = new_ax()
    assert plot.stage_migration(migration, ax=ax) is ax
    drawn(ax)
    image = ax.images[0].get_array()
    np.testing.assert_array_equal(image.filled(np.nan), migration.probabilities)
    counts = migration.counts
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == [
        f"{name} ({n:,})" for name, n in zip(migration.names, counts.sum(axis=1), strict=True)
    ]
    cells = [t.get_text() for t in ax.texts if t.get_gid() is None]
    shares = migration.probabilities
    shown = shares[np.isfinite(shares) & (shares != 0)]
    assert cells == [f"{s:.0%}" for s in shown]
    assert f"{migration.churn_rate:.1%} of the active customers churned" in _axes.subtitle_of(ax)


def test_stage_matrix_of_shares_or_counts(migration):
    shares = plot.stage_migration(migration.probability_table(), ax=new_ax())
    counts = plot.stage_migration(StageMatrix(np.asarray(migration.counts)), ax=new_ax())
    for ax in (shares, counts):
        np.testing.assert_array_equal(
            ax.images[0].get_array().filled(np.nan), migration.probabilities
        )
    assert [t.get_text() for t in shares.get_yticklabels()] == list(migration.names)
    assert counts.get_yticklabels()[0].get_text().startswith("prospect (")


@pytest.mark.parametrize(
    ("migration", "named"),
    [
        (np.eye(7), r"^migration='<ndarray>' is invalid: must be a StageMigration"),
        (StageMatrix(np.full((7, 7), 1.5)), r"^migration.values\[0, 0\]=1.5 is invalid"),
        (StageMatrix(np.full((7, 7), -np.inf)), r"^migration.values\[0, 0\]=-inf is invalid"),
    ],
)
def test_stage_migration_bad_input(migration, named):
    with pytest.raises(InvalidInputError, match=named):
        plot.stage_migration(migration, ax=new_ax())


# ------------------------------------------------------------------------------ pyplot


def test_without_ax_each_function_makes_a_pyplot_figure(sim, table, migration):
    pyplot = pytest.importorskip("matplotlib.pyplot")
    clv = np.random.default_rng(4).lognormal(2.0, 1.0, 300)
    calls = [
        lambda: plot.clv_distribution(clv),
        lambda: plot.lorenz_curve(clv),
        lambda: plot.cohort_retention(es.cohort_retention(sim.log)),
        lambda: plot.payback_curves(table),
        lambda: plot.stage_migration(migration),
    ]
    for call in calls:
        ax = call()
        figure = ax.figure
        try:
            assert isinstance(ax, matplotlib.axes.Axes)
            assert figure.number in pyplot.get_fignums()
            assert figure.get_layout_engine() is not None
        finally:
            pyplot.close(figure)
