from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import numpy as np
import pytest

from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.io import log_from_arrow, read_parquet, summary_from_arrow
from tests.io._logs import AMOUNTS, IDS, MARGINS, TIMES, assert_same_log, expected_log

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture
def orders() -> pa.Table:
    return pa.table(
        {
            "customer_id": IDS,
            "time": pa.array(TIMES, pa.timestamp("ns")),
            "amount": AMOUNTS,
            "margin": MARGINS,
        }
    )


def _replace(table: pa.Table, name: str, values: object) -> pa.Table:
    column = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    return table.set_column(table.column_names.index(name), name, column)


def test_matches_from_arrays(orders: pa.Table) -> None:
    log = log_from_arrow(orders, margin="margin", currency="JPY")
    assert_same_log(log, expected_log("JPY"))


def test_single_chunk_columns_are_not_copied(orders: pa.Table) -> None:
    log = log_from_arrow(orders)
    assert np.shares_memory(log.amounts, orders["amount"].chunk(0).to_numpy())
    assert np.shares_memory(log.times, orders["time"].chunk(0).to_numpy())


def test_record_batches_and_chunked_columns(orders: pa.Table) -> None:
    expected = log_from_arrow(orders)
    assert_same_log(log_from_arrow(orders.to_batches()[0]), expected)
    chunked = pa.concat_tables([orders.slice(0, 1), orders.slice(1)])
    assert chunked["amount"].num_chunks == 2
    assert_same_log(log_from_arrow(chunked), expected)


def test_ids_of_other_types(orders: pa.Table) -> None:
    ints = log_from_arrow(_replace(orders, "customer_id", pa.array([20, 10, 20, 30], pa.int32())))
    assert ints.customer_ids.tolist() == [20, 10, 30]  # order of first appearance
    assert ints.customer_index.tolist() == [0, 1, 0, 2]
    encoded = _replace(orders, "customer_id", orders["customer_id"].dictionary_encode())
    assert_same_log(log_from_arrow(encoded), log_from_arrow(orders))
    large = _replace(orders, "customer_id", orders["customer_id"].cast(pa.large_string()))
    assert_same_log(log_from_arrow(large), log_from_arrow(orders))


def test_timestamp_with_zone_is_utc(orders: pa.Table) -> None:
    stamps = pa.array(
        [d.replace(tzinfo=dt.timezone(dt.timedelta(hours=-5))) for d in TIMES],
        pa.timestamp("us", tz="America/New_York"),
    )
    log = log_from_arrow(_replace(orders, "time", stamps))
    assert log.timezone == "UTC"
    expected = np.array(TIMES, "M8[ns]") + np.timedelta64(5, "h")
    np.testing.assert_array_equal(log.times, expected)


@pytest.mark.parametrize(
    ("values", "timezone"),
    [
        (pa.array([d.date() for d in TIMES]), None),
        (pa.array([d.isoformat() for d in TIMES]), None),
        (pa.array([d.isoformat() + "Z" for d in TIMES]), "UTC"),
        (pa.array(TIMES, pa.timestamp("s")), None),
    ],
)
def test_other_time_columns(orders: pa.Table, values: pa.Array, timezone: str | None) -> None:
    log = log_from_arrow(_replace(orders, "time", values))
    assert log.timezone == timezone
    expected = np.array(TIMES, "M8[ns]")
    if pa.types.is_date(values.type):
        expected = expected.astype("M8[D]").astype("M8[ns]")
    np.testing.assert_array_equal(log.times, expected)


def test_decimal_and_integer_amounts(orders: pa.Table) -> None:
    money = pa.array([decimal.Decimal("12.50"), decimal.Decimal("3")] * 2, pa.decimal128(6, 2))
    assert log_from_arrow(_replace(orders, "amount", money)).amounts.tolist() == [12.5, 3.0] * 2
    ints = pa.array([1, 2, 3, 4], pa.int16())
    assert log_from_arrow(_replace(orders, "amount", ints)).amounts.dtype == np.float64


def test_missing_column(orders: pa.Table) -> None:
    with pytest.raises(UnknownCodeError, match=r"time='timestamp' is not a column of table"):
        log_from_arrow(orders, time="timestamp")


@pytest.mark.parametrize(
    ("column", "values", "pattern"),
    [
        ("amount", [1.0, None, 2.0, 3.0], r"table\['amount'\]\[1\]=null .*needs a value"),
        ("amount", [1.0, 2.0, -2.0, 3.0], r"table\['amount'\]\[2\]=-2.0 .*>= 0"),
        ("amount", ["1", "2", "3", "4"], r"table\['amount'\]='<string>'.*must be numeric"),
        ("time", [1, 2, 3, 4], r"table\['time'\]='<int64>'.*timestamps"),
        ("time", ["2024-01-01", "2024-01-02", "nope", "2024-01-03"], r"\[2\]='nope'.*ISO"),
        ("time", ["2024-01-01", "2024-01-02", None, "2024-01-03"], r"\[2\]=null .*time"),
        ("time", ["2024-01-01", "2024-01-02", "2024-01-02T00:00Z", "2024-01-03"], r"\[2\].*mixed"),
        ("time", ["2024-01-01T00:00Z", "2024-01-02", "2024-01-02T00:00Z", "x"], r"\[1\].*mixed"),
        ("time", ["2300-01-01"] * 4, r"\[0\]=.*outside the datetime64\[ns\] range"),
        ("customer_id", [1.5, 2.0, 1.5, 3.0], r"table\['customer_id'\]='<double>'.*int64"),
        ("customer_id", ["a", None, "a", "b"], r"table\['customer_id'\]\[1\]=null"),
    ],
)
def test_bad_values_name_column_and_row(
    orders: pa.Table, column: str, values: list[object], pattern: str
) -> None:
    with pytest.raises(InvalidInputError, match=pattern):
        log_from_arrow(_replace(orders, column, values))


def test_first_bad_string_is_found_in_a_long_column() -> None:
    stamps = ["2024-01-01"] * 1000
    stamps[637] = "2024-13-01"
    table = pa.table({"customer_id": [1] * 1000, "time": stamps, "amount": [1.0] * 1000})
    with pytest.raises(InvalidInputError, match=r"table\['time'\]\[637\]='2024-13-01'"):
        log_from_arrow(table)


def test_empty_table_and_wrong_type(orders: pa.Table) -> None:
    with pytest.raises(EmptyInputError):
        log_from_arrow(orders.slice(0, 0))
    with pytest.raises(InvalidInputError, match="must be a pyarrow Table"):
        log_from_arrow({"customer_id": [1]})


def test_log_to_arrow_round_trip(orders: pa.Table) -> None:
    log = log_from_arrow(orders, margin="margin")
    table = log.to_arrow()
    assert table.column_names == ["customer_id", "time", "amount", "margin"]
    assert table.schema.field("time").type == pa.timestamp("ns")
    assert table.schema.field("customer_id").type == pa.string()
    assert_same_log(log_from_arrow(table, margin="margin"), log)
    aware = log_from_arrow(_replace(orders, "time", orders["time"].cast(pa.timestamp("ns", "UTC"))))
    assert aware.to_arrow().schema.field("time").type == pa.timestamp("ns", tz="UTC")
    assert_same_log(log_from_arrow(aware.to_arrow()), aware)


def test_read_parquet(orders: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    pq.write_table(orders.append_column("extra", pa.array(["a"] * 4)), path)
    assert_same_log(read_parquet(path, margin="margin"), log_from_arrow(orders, margin="margin"))
    folder = tmp_path / "folder"
    folder.mkdir()
    pq.write_table(orders, folder / "part-0.parquet")
    assert_same_log(read_parquet(folder), log_from_arrow(orders))
    with pytest.raises(UnknownCodeError, match=r"amount='total'.*'customer_id', 'time'"):
        read_parquet(path, amount="total")
    with pytest.raises(FileNotFoundError, match=r"missing\.parquet"):
        read_parquet(tmp_path / "missing.parquet")


def test_summary_to_arrow() -> None:
    summary = CustomerSummary.from_arrays(
        [2, 0], [30.5, 0.0], [38.0, 10.0], [4.0, 0.0], customer_ids=["x", "y"]
    )
    table = summary.to_arrow()
    assert table.column_names == ["customer_id", "frequency", "recency", "T", "monetary"]
    assert table.schema.field("customer_id").type == pa.string()
    assert table.schema.field("frequency").type == pa.int64()
    assert table.schema.field("monetary").type == pa.float64()
    assert table["monetary"].to_pylist() == [4.0, 0.0]


# --- summaries ---------------------------------------------------------------------------------


def test_summary_round_trip() -> None:
    summary = CustomerSummary.from_arrays(
        [2, 0, 1], [30.5, 0.0, 3.0], [40.0, 40.0, 5.0], [12.5, 0.0, 3.0],
        customer_ids=[10, 11, 12], time_unit="week",
    )  # fmt: skip
    table = summary.to_arrow()
    for source in (table, table.to_batches()[0]):
        back = summary_from_arrow(source, monetary="monetary", time_unit="week")
        for field in ("customer_ids", "frequency", "recency", "T", "monetary"):
            np.testing.assert_array_equal(getattr(back, field), getattr(summary, field))
        assert back.customer_ids.dtype == np.int64


def test_summary_ids_and_errors() -> None:
    table = pa.table({"frequency": [1, 0], "recency": [2.0, 0.0], "T": [5.0, 5.0]})
    assert summary_from_arrow(table, customer_id=None).customer_ids.tolist() == [0, 1]
    named = table.append_column("customer_id", pa.array(["x", "y"]).dictionary_encode())
    assert summary_from_arrow(named).customer_ids.tolist() == ["x", "y"]
    assert summary_from_arrow(named).customer_ids.dtype.kind == "U"
    with pytest.raises(UnknownCodeError, match=r"customer_id='customer_id'.*'frequency'"):
        summary_from_arrow(table)
    with pytest.raises(InvalidInputError, match=r"table\['T'\]\[0\]=null"):
        summary_from_arrow(table.set_column(2, "T", pa.array([None, 5.0])), customer_id=None)
    with pytest.raises(InvalidInputError, match=r"customer ids must be integers or strings"):
        summary_from_arrow(table.append_column("customer_id", pa.array([1.0, 2.0])))
    with pytest.raises(InvalidInputError, match=r"table='<dict>' is invalid"):
        summary_from_arrow({"frequency": [1]})
    with pytest.raises(EmptyInputError, match="at least one customer"):
        summary_from_arrow(table.slice(0, 0), customer_id=None)
