"""Order-line adapters read order times and returned units when their columns are named."""

from __future__ import annotations

import io

import numpy as np
import pytest

from ecomstrat import InvalidInputError
from ecomstrat.io.order_lines import (
    order_lines_from_pandas,
    order_lines_from_polars,
    read_order_lines_csv,
)

CSV = "o,p,q,t,r\n1,A,2,2024-01-01,1\n1,B,1,2024-01-01,0\n2,A,1,2024-02-01T10:00,0\n"
TIMES = ["2024-01-01T00:00", "2024-01-01T00:00", "2024-02-01T10:00"]


def test_csv_reads_times_and_returns() -> None:
    lines = read_order_lines_csv(
        io.StringIO(CSV),
        order_id="o",
        product_id="p",
        quantity="q",
        time="t",
        returned_quantity="r",
    )
    assert lines.times is not None
    assert lines.times.tolist() == np.array(TIMES, dtype="datetime64[ns]").tolist()
    assert lines.returned_quantities is not None
    assert lines.returned_quantities.tolist() == [1.0, 0.0, 0.0]
    assert list(lines.columns())[:3] == ["order_id", "time", "product_id"]
    assert lines.columns()["returned_quantity"].tolist() == [1.0, 0.0, 0.0]


def test_csv_without_the_columns_keeps_old_behaviour() -> None:
    lines = read_order_lines_csv(io.StringIO(CSV), order_id="o", product_id="p")
    assert lines.times is None
    assert lines.returned_quantities is None
    assert "time" not in lines.columns()


def test_unknown_column_is_named() -> None:
    with pytest.raises(InvalidInputError, match="returned_quantity"):
        read_order_lines_csv(io.StringIO(CSV), order_id="o", product_id="p", returned_quantity="x")


def test_pandas_aware_times_become_utc() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "order_id": [1, 1, 2],
            "product_id": ["A", "B", "A"],
            "t": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-03"]).tz_localize(
                "Europe/Paris"
            ),
            "r": [0, 0, 1],
        }
    )
    lines = order_lines_from_pandas(df, time="t", returned_quantity="r")
    assert lines.times is not None
    assert str(lines.times[0]) == "2023-12-31T23:00:00.000000000"
    assert lines.returned_quantities is not None
    assert lines.returned_quantities.tolist() == [0.0, 0.0, 1.0]


def test_polars_times() -> None:
    pl = pytest.importorskip("polars")
    df = pl.DataFrame(
        {"o": [1, 1, 2], "p": ["A", "B", "A"], "t": ["2024-01-01", "2024-01-01", "2024-01-03"]}
    ).with_columns(pl.col("t").str.to_datetime())
    lines = order_lines_from_polars(df, order_id="o", product_id="p", time="t")
    assert lines.times is not None
    assert str(lines.times[2]) == "2024-01-03T00:00:00.000000000"
