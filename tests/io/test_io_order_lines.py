"""Order lines from pandas, polars and CSV give the same frame."""

from __future__ import annotations

import io

import numpy as np
import pytest

from ecomstrat.exceptions import InvalidInputError
from ecomstrat.io import order_lines_from_pandas, order_lines_from_polars, read_order_lines_csv

CSV = "order,customer,sku,qty,value\n1,a,A,2,4.0\n1,a,B,1,2.5\n2,b,A,1,2.0\n"
COLUMNS = {
    "order_id": "order",
    "customer_id": "customer",
    "product_id": "sku",
    "quantity": "qty",
    "amount": "value",
}


def _check(lines) -> None:
    assert lines.order_ids.tolist() in (["1", "2"], [1, 2])
    assert lines.product_ids.tolist() == ["A", "B"]
    assert lines.customer_ids.tolist() == ["a", "b"]
    np.testing.assert_array_equal(lines.quantities, [2.0, 1.0, 1.0])
    np.testing.assert_array_equal(lines.amounts, [4.0, 2.5, 2.0])


def test_csv(tmp_path) -> None:
    _check(read_order_lines_csv(io.StringIO(CSV), **COLUMNS))
    path = tmp_path / "lines.csv"
    path.write_text(CSV)
    lines = read_order_lines_csv(path, order_id="order", product_id="sku")
    assert lines.order_ids.tolist() == ["1", "2"]
    assert lines.customer_ids is None


def test_csv_int_ids_and_errors() -> None:
    lines = read_order_lines_csv(io.StringIO("order_id,product_id\n10,3\n10,4\n"), id_type=int)
    assert lines.order_ids.tolist() == [10]
    assert lines.product_ids.tolist() == [3, 4]
    with pytest.raises(InvalidInputError, match="product_id"):
        read_order_lines_csv(io.StringIO("order_id,sku\n1,A\n"))
    with pytest.raises(InvalidInputError, match="qty"):
        read_order_lines_csv(io.StringIO("order_id,product_id,qty\n1,A,x\n"), quantity="qty")
    with pytest.raises(InvalidInputError, match="missing"):
        read_order_lines_csv(io.StringIO("order_id,product_id\n1,\n"))


def test_pandas() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(io.StringIO(CSV), dtype={"order": str})
    before = df.copy()
    _check(order_lines_from_pandas(df, **COLUMNS))
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(InvalidInputError, match="order_id"):
        order_lines_from_pandas(df)


def test_polars() -> None:
    pl = pytest.importorskip("polars")
    df = pl.read_csv(io.StringIO(CSV), schema_overrides={"order": pl.String})
    _check(order_lines_from_polars(df, **COLUMNS))
    with pytest.raises(InvalidInputError, match="missing"):
        order_lines_from_polars(pl.DataFrame({"order_id": [1, None], "product_id": [1, 2]}))
