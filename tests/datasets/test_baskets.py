"""simulate_baskets: shapes, seeds and validation."""

from __future__ import annotations

import numpy as np
import pytest

from ecomstrat.datasets.baskets import planted_pairs, simulate_baskets
from ecomstrat.datasets.simulate import simulate_transactions
from ecomstrat.exceptions import InvalidInputError


def test_lines_follow_the_log() -> None:
    simulation = simulate_transactions(400, seed=4)
    lines = simulate_baskets(simulation, n_products=30, seed=4)
    log = simulation.log
    assert lines.n_orders == log.n_transactions
    # each order's customer is the log's, and its lines' amounts add up to the order's amount
    order = lines.order_ids[lines.order_index]
    customer = lines.customer_ids[lines.customer_index]
    np.testing.assert_array_equal(customer, log.customer_ids[log.customer_index[order]])
    totals = np.bincount(order, weights=lines.amounts, minlength=log.n_transactions)
    np.testing.assert_allclose(totals, log.amounts)
    assert (lines.quantities >= 1).all()
    again = simulate_baskets(simulation, n_products=30, seed=4)
    np.testing.assert_array_equal(again.product_index, lines.product_index)
    assert planted_pairs(2) == [(0, 1), (2, 3)]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_products": 1}, "n_products"),
        ({"n_products": 6, "n_planted": 4}, "n_planted"),
        ({"mean_basket_size": 0.5}, "mean_basket_size"),
        ({"planted_strength": 2.0}, "planted_strength"),
        ({"popularity_exponent": -1.0}, "popularity_exponent"),
    ],
)
def test_bad_arguments(kwargs: dict[str, float], match: str) -> None:
    simulation = simulate_transactions(20, seed=1)
    with pytest.raises(InvalidInputError, match=match):
        simulate_baskets(simulation, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="simulation"):
        simulate_baskets("log")  # type: ignore[arg-type]
