"""The products report part on simulated baskets and on lines without times or customers."""

from __future__ import annotations

import json

import numpy as np

from ecomstrat import OrderLines
from ecomstrat.datasets import simulate_transactions
from ecomstrat.datasets.baskets import simulate_baskets
from ecomstrat.report.products import products_overview
from ecomstrat.report.text import render


def test_simulated_baskets_carry_times_and_returns() -> None:
    sim = simulate_transactions(300, seed=3)
    lines = simulate_baskets(sim, n_products=20, seed=3, unit_return_rate=0.2)
    assert lines.times is not None
    assert lines.returned_quantities is not None
    order_of_line = lines.order_ids[lines.order_index]
    assert (lines.times == sim.log.times[order_of_line]).all()
    assert (lines.returned_quantities <= lines.quantities).all()
    assert 0.1 < lines.returned_quantities.sum() / lines.quantities.sum() < 0.3


def test_overview_on_simulated_input() -> None:
    sim = simulate_transactions(500, seed=2)
    lines = simulate_baskets(sim, n_products=30, seed=2)
    part = products_overview(lines, log=sim.log, gross_margin_rate=0.3, n_top=5)
    titles = [s.title for s in part.sections()]
    assert titles == [
        "Top products by revenue",
        "ABC classes",
        "Product classes",
        "First-product cohorts",
    ]
    assert len(part.sections()[0].rows) == 5
    data = part.to_dict()
    json.dumps(data)
    assert sum(c["products"] for c in data["abc_counts"].values()) == data["products"]
    assert data["product_classes"] is not None
    assert "Top products" in render(part.sections())


def test_overview_says_why_pieces_are_absent() -> None:
    lines = OrderLines.from_arrays([1, 2, 3], ["A", "B", "A"], amounts=[5.0, 2.0, 1.0])
    part = products_overview(lines)
    assert part.classes is None
    assert part.cohorts is None
    sections = part.sections()
    assert "No order times" in sections[2].notes[0]
    assert "customer ids" in sections[3].notes[0]
    # A 6 of 8 (75 % < 80 %) so B completes class A
    assert part.to_dict()["abc_counts"]["A"]["products"] == 2
    assert np.isclose(part.performance.total_revenue, 8.0)
