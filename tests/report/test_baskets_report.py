"""The baskets report part: JSON-able numbers and two sections."""

from __future__ import annotations

import json

from ecomstrat.datasets.baskets import simulate_baskets
from ecomstrat.datasets.simulate import simulate_transactions
from ecomstrat.frames.order_lines import OrderLines
from ecomstrat.report.baskets import baskets_overview
from ecomstrat.report.text import render


def test_hand_worked_part() -> None:
    lines = OrderLines.from_arrays(
        [1, 1, 2, 2, 3, 4, 4, 5],
        ["A", "B", "A", "B", "A", "B", "C", "C"],
        customer_ids=["x", "x", "y", "y", "z", "w", "w", "v"],
    )
    part = baskets_overview(lines, min_support=0.2, n_top=5)
    data = part.to_dict()
    json.dumps(data)
    # one pair AB in 2 of 5 baskets: rules A->B and B->A, lift 5x2/(3x3) = 1.11
    assert data["rules"] == 2
    assert data["top_rules"]["count"] == [2, 2]
    top, coverage = part.sections()
    assert top.rows[0][:5] == ("A", "B", "40.0%", "66.7%", "1.11")
    # z and w get an offer: 2 of 5 customers
    assert coverage.rows[:3] == (
        ("customers", "5"),
        ("with at least one offer", "2"),
        ("coverage", "40.0%"),
    )


def test_without_customers_and_rendered() -> None:
    lines = simulate_baskets(simulate_transactions(300, seed=2), n_products=20, seed=2)
    part = baskets_overview(lines)
    assert len(part.sections()) == 2
    text = render(part.sections())
    assert "Product affinity" in text
    bare = baskets_overview(OrderLines.from_arrays(lines.order_index, lines.product_index))
    assert bare.next_best is None
    assert bare.to_dict()["next_best"] is None
    assert len(bare.sections()) == 1
