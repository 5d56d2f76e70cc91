"""The report's figures: ecomstrat.plot drawings, titled and labelled, without pyplot."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from ecomstrat import simulate_campaigns, simulate_transactions
from ecomstrat.exceptions import MissingDependencyError
from ecomstrat.report.figures import DPI, FIGURE_AFTER, FIGURES, WIDTH_INCHES
from ecomstrat.report.pipeline import ReportOptions, build_report

matplotlib = pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def report():
    sim = simulate_transactions(800, seed=11)
    options = ReportOptions(holdout_weeks=26, gross_margin_rate=0.4, interval_draws=0)
    return build_report(sim.log, options=options, campaigns=simulate_campaigns(sim, seed=2))


@pytest.fixture(scope="module")
def figures(report):
    return report.figures()


def test_every_figure_is_drawn_in_reading_order(figures):
    assert list(figures) == list(FIGURES)
    assert set(FIGURE_AFTER) == set(FIGURES)


def test_each_figure_has_one_titled_labelled_axes(figures):
    for key, figure in figures.items():
        assert figure.get_figwidth() * DPI == WIDTH_INCHES * DPI == 900, key
        main = [ax for ax in figure.axes if ax.get_label() != "<colorbar>"]
        assert len(main) == 1, key
        ax = main[0]
        assert ax.get_title(loc="left") or ax.get_title(), key
        assert ax.get_xlabel(), key
        assert ax.get_ylabel(), key


def test_p_alive_is_the_model_grid_at_the_median_age(report, figures):
    grid = report.data.alive_grid
    age = report.data.summary.time_unit.convert(float(np.median(report.data.summary.T)), to="week")
    assert grid.age == pytest.approx(age)
    mesh = figures["p_alive"].axes[0].collections[0].get_array()
    drawn = np.ma.filled(np.ma.masked_invalid(mesh).astype(float), np.nan)
    np.testing.assert_allclose(
        drawn.reshape(grid.probability_alive.shape), grid.probability_alive, equal_nan=True
    )


def test_retention_table_and_figure_share_the_horizon(report, figures):
    table = next(s for s in report.sections() if s.title.startswith("Cohort retention"))
    offsets = report.data.max_offset + 1
    assert report.data.max_offset == 12
    assert len(table.header) - 2 <= offsets  # cohort, customers, then M0 … M12 at most
    image = figures["retention"].axes[0].images[0].get_array()
    assert image.shape[1] == min(offsets, report.data.retention.n_offsets)
    assert len(table.header) - 2 == image.shape[1]


def test_model_check_figures_show_the_check(report, figures):
    check = report.data.check
    bars = figures["period_transactions"].axes[0].patches
    heights = sorted(round(b.get_height(), 6) for b in bars)
    expected = sorted(
        [round(float(v), 6) for v in check.period_transactions.actual]
        + [round(float(v), 6) for v in check.period_transactions.expected]
    )
    assert heights == expected


def test_png_is_900_pixels_wide(report):
    images = report.images()
    assert set(images) == set(FIGURES)
    png = images["tracking"].png
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 900


def test_no_pyplot_and_no_global_style_change(report):
    before = dict(matplotlib.rcParams)
    report.figures()
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or not pyplot.get_fignums()
    assert dict(matplotlib.rcParams) == before


def test_missing_matplotlib_names_the_extra(report, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingDependencyError, match=r"ecomstrat\[plot\]"):
        report.figures()
