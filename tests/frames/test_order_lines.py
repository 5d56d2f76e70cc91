"""OrderLines: factorised ids, defaults, validation."""

from __future__ import annotations

import numpy as np
import pytest

from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames.order_lines import OrderLines


def test_from_arrays_factorises_in_order_of_appearance() -> None:
    lines = OrderLines.from_arrays(
        ["o2", "o1", "o2"],
        [7, 3, 7],
        quantities=[2, 1, 1],
        amounts=[4.0, 1.5, 2.0],
        customer_ids=["b", "a", "b"],
    )
    assert lines.order_ids.tolist() == ["o2", "o1"]
    assert lines.order_index.tolist() == [0, 1, 0]
    assert lines.product_ids.tolist() == [7, 3]
    assert lines.product_index.tolist() == [0, 1, 0]
    assert lines.customer_ids.tolist() == ["b", "a"]
    assert (lines.n_lines, lines.n_orders, lines.n_products, lines.n_customers) == (3, 2, 2, 2)
    t = lines.columns()
    assert list(t) == ["order_id", "customer_id", "product_id", "quantity", "amount"]
    assert t["order_id"].tolist() == ["o2", "o1", "o2"]
    assert t["quantity"].tolist() == [2.0, 1.0, 1.0]
    assert repr(lines) == "OrderLines(3 lines, 2 orders, 2 products, 2 customers)"
    assert not lines.order_index.flags.writeable


def test_defaults_and_export() -> None:
    lines = OrderLines.from_arrays([1, 1], ["x", "y"])
    assert lines.quantities.tolist() == [1.0, 1.0]
    assert lines.amounts is None
    assert lines.customer_ids is None
    assert lines.n_customers == 0
    assert list(lines.columns()) == ["order_id", "product_id", "quantity"]
    pd = pytest.importorskip("pandas")
    assert isinstance(lines.to_pandas(), pd.DataFrame)


def test_input_not_mutated() -> None:
    orders = np.array([3, 1, 3])
    OrderLines.from_arrays(orders, np.array([1, 2, 3]))
    assert orders.tolist() == [3, 1, 3]
    assert orders.flags.writeable


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"order_ids": [], "product_ids": []}, "order_ids"),
        ({"order_ids": [1, 2], "product_ids": [1]}, "length"),
        ({"order_ids": [1.5, 2.0], "product_ids": [1, 2]}, "order_ids"),
        ({"order_ids": [1, None], "product_ids": [1, 2]}, "order_ids"),
        ({"order_ids": [1, 2], "product_ids": [1, 2], "quantities": [1, 0]}, "quantities"),
        ({"order_ids": [1, 2], "product_ids": [1, 2], "quantities": [1, np.nan]}, "quantities"),
        ({"order_ids": [1, 2], "product_ids": [1, 2], "amounts": [1, -1]}, "amounts"),
        ({"order_ids": [1, 1], "product_ids": [1, 2], "customer_ids": ["a", "b"]}, "one customer"),
    ],
)
def test_bad_input(kwargs: dict[str, object], match: str) -> None:
    order_ids = kwargs.pop("order_ids")
    product_ids = kwargs.pop("product_ids")
    with pytest.raises(InvalidInputError, match=match):
        OrderLines.from_arrays(order_ids, product_ids, **kwargs)  # type: ignore[arg-type]


def test_constructor_checks_codes() -> None:
    with pytest.raises(InvalidInputError, match="product_index"):
        OrderLines(
            np.array([0], np.int64),
            np.array([1]),
            np.array([5], np.int64),
            np.array([1]),
            np.ones(1),
        )
