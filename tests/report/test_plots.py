"""The report's figures: each is titled and labelled, and drawn without pyplot."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from ecomstrat import TransactionLog, cohort_retention
from ecomstrat.exceptions import MissingDependencyError
from ecomstrat.report import plots

matplotlib = pytest.importorskip("matplotlib")


def labelled(figure) -> None:
    """A figure title, and an x and y label on every visible axes but colour bars."""
    assert figure.get_suptitle()
    assert figure.get_figwidth() * plots.DPI == 900
    for ax in figure.axes:
        if not ax.get_visible() or ax.get_label() == "<colorbar>":
            continue
        assert ax.get_xlabel() or figure.get_supxlabel()
        assert ax.get_ylabel() or ax.get_title(loc="left")


@pytest.fixture(scope="module")
def log() -> TransactionLog:
    rng = np.random.default_rng(4)
    n = 60
    ids = [f"c{i}" for i in range(n) for _ in range(3)]
    first = rng.integers(0, 90, n)
    days = np.concatenate([[f, f + rng.integers(1, 200), f + rng.integers(1, 300)] for f in first])
    times = np.datetime64("2024-01-01") + days.astype("timedelta64[D]")
    return TransactionLog.from_arrays(ids, times, rng.gamma(2.0, 20.0, 3 * n), currency="EUR")


def test_clv_histogram_log_scale_when_skewed():
    values = np.random.default_rng(1).lognormal(2.0, 1.5, 2_000)
    fig = plots.clv_histogram(values, cutoffs={"top 1%": 300.0, "top 10%": 60.0}, currency="EUR")
    labelled(fig)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert "EUR" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "top 1%: ≥ 300.00",
        "top 10%: ≥ 60.00",
    ]


def test_clv_histogram_linear_when_not_skewed():
    values = np.random.default_rng(1).normal(50.0, 5.0, 500)
    fig = plots.clv_histogram(values)
    assert fig.axes[0].get_xscale() == "linear"
    assert fig.axes[0].get_legend() is None


def test_p_alive_heatmap_cells_are_means():
    x = np.array([0, 1, 1, 2, 9])
    t_x = np.array([0.0, 5.0, 5.0, 10.0, 19.0])
    p = np.array([1.0, 0.2, 0.4, 0.5, 0.9])
    fig = plots.p_alive_heatmap(x, t_x, p, time_unit="week", max_frequency=5, recency_bins=4)
    labelled(fig)
    grid = fig.axes[0].images[0].get_array()
    assert grid.shape == (4, 6)  # recency bins x frequencies 0..5+
    assert grid[1, 1] == pytest.approx(0.3)  # two customers with x=1, t_x=5
    assert grid[3, 5] == pytest.approx(0.9)  # x=9 pooled into "5+"
    assert np.ma.is_masked(grid[0, 3])  # empty cell
    assert "weeks" in fig.axes[0].get_ylabel()
    assert "T averaged" in fig.axes[0].get_title(loc="left")


def test_retention_heatmap(log):
    matrix = cohort_retention(log)
    fig = plots.retention_heatmap(matrix)
    labelled(fig)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts[0] == "100%"


def test_tracking_plot(log):
    from ecomstrat import rfm_summary
    from ecomstrat.models.bgnbd import BGNBD
    from ecomstrat.report.model_check import tracking_curve

    summary = rfm_summary(log, time_unit="week")
    model = BGNBD.from_params(r=0.3, alpha=5.0, a=0.8, b=2.5, time_unit="week")
    curve = tracking_curve(log, model, summary, calibration_end="2024-06-30")
    assert curve.actual[-1] == 2 * 60  # two repeat purchases each (distinct days)
    fig = plots.tracking_plot(curve)
    labelled(fig)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "actual",
        "expected (BG/NBD)",
    ]


def test_payback_curves(log):
    import datetime

    from ecomstrat import Campaign, Money, acquisition_table

    campaigns = [
        Campaign(
            f"c{k}",
            channel,
            Money("600", "EUR"),
            datetime.date(2024, 1, 1) + datetime.timedelta(days=30 * k),
            datetime.date(2024, 1, 30) + datetime.timedelta(days=30 * k),
        )
        for k, channel in enumerate(["search", "social", "email"])
    ]
    table = acquisition_table(log, campaigns=campaigns, gross_margin_rate=0.4)
    fig = plots.payback_curves(table)
    assert fig.get_suptitle() == "CAC payback per campaign"
    assert "months since acquisition" in fig.get_supxlabel()
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    assert len(titles) == 3
    assert titles[0].startswith("c0 (search): ")
    assert all(ax.get_ylim()[1] > 0 for ax in fig.axes)
    fig = plots.payback_curves(table, max_panels=2)
    assert "the 2 largest of 3" in fig.get_suptitle()


def test_png_is_900_pixels_wide():
    png = plots.figure_png(plots.clv_histogram([1.0, 2.0, 3.0]))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 900


def test_no_pyplot_and_no_global_style_change():
    before = dict(matplotlib.rcParams)
    plots.clv_histogram([1.0, 2.0, 30.0])
    assert (
        "matplotlib.pyplot" not in sys.modules or not sys.modules["matplotlib.pyplot"].get_fignums()
    )
    assert dict(matplotlib.rcParams) == before


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingDependencyError, match=r"ecomstrat\[plot\]"):
        plots.clv_histogram([1.0, 2.0])
