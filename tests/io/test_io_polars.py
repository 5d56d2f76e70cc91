from __future__ import annotations

import numpy as np
import pytest

from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.io import log_from_polars, summary_from_polars
from tests.io._logs import AMOUNTS, IDS, MARGINS, TIMES, assert_same_log, expected_log

pl = pytest.importorskip("polars")


@pytest.fixture
def orders() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": IDS,
            "time": pl.Series(TIMES, dtype=pl.Datetime("ns")),
            "amount": AMOUNTS,
            "margin": MARGINS,
        }
    )


def test_matches_from_arrays(orders: pl.DataFrame) -> None:
    log = log_from_polars(orders, margin="margin", currency="USD")
    assert_same_log(log, expected_log("USD"))


def test_float_amounts_and_ns_times_are_not_copied(orders: pl.DataFrame) -> None:
    log = log_from_polars(orders)
    assert np.shares_memory(log.amounts, orders["amount"].to_numpy())
    assert np.shares_memory(log.times, orders["time"].to_physical().to_numpy())


def test_caller_frame_is_not_modified(orders: pl.DataFrame) -> None:
    before = orders.clone()
    log_from_polars(orders.with_columns(pl.col("time").dt.replace_time_zone("Asia/Tokyo")))
    log_from_polars(orders)
    assert orders.equals(before)


def test_int_and_categorical_ids(orders: pl.DataFrame) -> None:
    ints = log_from_polars(orders.with_columns(customer_id=pl.Series([20, 10, 20, 30])))
    assert ints.customer_ids.dtype == np.int64
    assert ints.customer_ids.tolist() == [20, 10, 30]  # order of first appearance
    cats = log_from_polars(orders.with_columns(pl.col("customer_id").cast(pl.Categorical)))
    assert cats.customer_ids.tolist() == ["c2", "c1", "c3"]
    assert cats.customer_index.tolist() == [0, 1, 0, 2]


def test_time_zone_becomes_utc(orders: pl.DataFrame) -> None:
    tokyo = orders.with_columns(pl.col("time").dt.replace_time_zone("Asia/Tokyo"))
    log = log_from_polars(tokyo)
    assert log.timezone == "UTC"
    expected = np.array(TIMES, dtype="M8[ns]") - np.timedelta64(9, "h")
    np.testing.assert_array_equal(log.times, expected)


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        (pl.Series([d.date() for d in TIMES]), np.array([d.date() for d in TIMES], "M8[D]")),
        (pl.Series(TIMES, dtype=pl.Datetime("ms")), np.array(TIMES, "M8[ms]")),
        (pl.Series([d.isoformat() for d in TIMES]), np.array(TIMES, "M8[us]")),
    ],
)
def test_other_time_columns(orders: pl.DataFrame, series: pl.Series, expected: object) -> None:
    log = log_from_polars(orders.with_columns(time=series))
    assert log.timezone is None
    np.testing.assert_array_equal(log.times, np.asarray(expected).astype("M8[ns]"))


def test_strings_with_offsets_become_utc(orders: pl.DataFrame) -> None:
    stamps = ["2024-01-05T01:00:00+01:00", "2024-01-01T10:30:00Z"] * 2
    log = log_from_polars(orders.with_columns(time=pl.Series(stamps)))
    assert log.timezone == "UTC"
    assert log.times[:2].tolist() == [
        np.datetime64("2024-01-05T00:00", "ns").item(),
        np.datetime64("2024-01-01T10:30", "ns").item(),
    ]


def test_missing_column(orders: pl.DataFrame) -> None:
    with pytest.raises(UnknownCodeError, match=r"amount='Amount'.*Did you mean 'amount'"):
        log_from_polars(orders, amount="Amount")


@pytest.mark.parametrize(
    ("column", "values", "pattern"),
    [
        ("amount", [1.0, None, 2.0, 3.0], r"df\['amount'\]\[1\]=null .*needs a value"),
        ("amount", [1.0, float("nan"), 2.0, 3.0], r"df\['amount'\]\[1\]=NaN"),
        ("amount", [1.0, 2.0, -2.0, 3.0], r"df\['amount'\]\[2\]=-2.0 .*>= 0"),
        ("amount", ["1", "2", "3", "4"], r"df\['amount'\]='<String>'.*must be numeric"),
        ("time", [1, 2, 3, 4], r"df\['time'\]='<Int64>'.*datetimes"),
        ("time", ["2024-01-01", "nope", "2024-01-02", "2024"], r"df\['time'\]\[1\]='nope'"),
        ("time", ["2024-01-01", None, "2024-01-02", "2024"], r"df\['time'\]\[1\]=null"),
        ("time", ["2300-01-01"] * 4, r"df\['time'\]\[0\]=.*outside the datetime64\[ns\]"),
        ("customer_id", [1.0, 2.0, 1.0, 3.0], r"df\['customer_id'\]='<Float64>'.*pl.Int64"),
        ("customer_id", ["a", None, "a", "b"], r"df\['customer_id'\]\[1\]=null .*customer id"),
    ],
)
def test_bad_values_name_column_and_row(
    orders: pl.DataFrame, column: str, values: list[object], pattern: str
) -> None:
    with pytest.raises(InvalidInputError, match=pattern):
        log_from_polars(orders.with_columns(pl.Series(column, values, strict=False)))


def test_empty_and_lazy_frames(orders: pl.DataFrame) -> None:
    with pytest.raises(EmptyInputError):
        log_from_polars(orders.head(0))
    with pytest.raises(InvalidInputError, match=r"collect\(\)"):
        log_from_polars(orders.lazy())  # type: ignore[arg-type]


def test_log_to_polars_round_trip(orders: pl.DataFrame) -> None:
    log = log_from_polars(orders, margin="margin")
    frame = log.to_polars()
    assert frame.columns == ["customer_id", "time", "amount", "margin"]
    assert frame.schema["time"] == pl.Datetime("ns")
    assert frame.schema["customer_id"] == pl.String
    assert_same_log(log_from_polars(frame, margin="margin"), log)
    aware = log_from_polars(orders.with_columns(pl.col("time").dt.replace_time_zone("UTC")))
    assert aware.to_polars().schema["time"] == pl.Datetime("ns", "UTC")
    assert_same_log(log_from_polars(aware.to_polars()), aware)


def test_summary_to_polars() -> None:
    summary = CustomerSummary.from_arrays(
        [2, 0], [30.5, 0.0], [38.0, 10.0], customer_ids=[7, 3], time_unit="week"
    )
    frame = summary.to_polars()
    assert frame.columns == ["customer_id", "frequency", "recency", "T", "monetary"]
    assert frame.schema["frequency"] == pl.Int64
    assert frame.schema["T"] == pl.Float64
    assert frame["customer_id"].to_list() == [7, 3]
    assert frame["recency"].to_list() == [30.5, 0.0]


# --- summaries ---------------------------------------------------------------------------------


def test_summary_round_trip() -> None:
    summary = CustomerSummary.from_arrays(
        [2, 0, 1], [30.5, 0.0, 3.0], [40.0, 40.0, 5.0], [12.5, 0.0, 3.0],
        customer_ids=["a", "b", "c"], time_unit="week",
    )  # fmt: skip
    back = summary_from_polars(summary.to_polars(), monetary="monetary", time_unit="week")
    for field in ("customer_ids", "frequency", "recency", "T", "monetary"):
        np.testing.assert_array_equal(getattr(back, field), getattr(summary, field))
    assert back.customer_ids.dtype.kind == "U"
    assert back.time_unit == summary.time_unit


def test_summary_ids_and_errors() -> None:
    df = pl.DataFrame({"frequency": [1, 0], "recency": [2.0, 0.0], "T": [5.0, 5.0]})
    assert summary_from_polars(df, customer_id=None).customer_ids.tolist() == [0, 1]
    ids = summary_from_polars(df.with_columns(id=pl.Series([7, 3])), customer_id="id")
    assert ids.customer_ids.tolist() == [7, 3]
    assert ids.customer_ids.dtype == np.int64
    categorical = df.with_columns(customer_id=pl.Series(["x", "y"], dtype=pl.Categorical))
    assert summary_from_polars(categorical).customer_ids.tolist() == ["x", "y"]
    with pytest.raises(UnknownCodeError, match=r"customer_id='customer_id'.*'frequency'"):
        summary_from_polars(df)
    with pytest.raises(UnknownCodeError, match=r"T='age' is not a column of df"):
        summary_from_polars(df, T="age", customer_id=None)
    with pytest.raises(InvalidInputError, match=r"df\['recency'\]\[1\]=null"):
        summary_from_polars(df.with_columns(recency=pl.Series([2.0, None])), customer_id=None)
    with pytest.raises(InvalidInputError, match="customer ids must be integers or strings"):
        summary_from_polars(df.with_columns(customer_id=pl.Series([1.0, 2.0])))
    with pytest.raises(InvalidInputError, match=r"customer_ids='a' is invalid: is duplicated"):
        summary_from_polars(df.with_columns(customer_id=pl.Series(["a", "a"])))
    with pytest.raises(InvalidInputError, match=r"Call \.collect\(\) first"):
        summary_from_polars(df.lazy())  # type: ignore[arg-type]
    with pytest.raises(EmptyInputError, match="at least one customer"):
        summary_from_polars(df.head(0), customer_id=None)
