from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pytest

from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.io import log_from_pandas, summary_from_pandas
from tests.io._logs import assert_same_log

pd = pytest.importorskip("pandas")


@pytest.fixture
def orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer": ["c2", "c1", "c2", "c3"],
            "placed": pd.to_datetime(
                ["2024-01-05", "2024-01-01 10:30", "2024-02-01", "2024-03-01"], format="ISO8601"
            ).as_unit("ns"),
            "total": [12.0, 30.0, 8.5, 0.0],
            "profit": [2.0, -1.0, 1.5, 0.0],
            "ignored": ["x", "y", "z", "w"],
        }
    )


def _read(df: pd.DataFrame, **kwargs: str) -> TransactionLog:
    mapping = {"customer_id": "customer", "time": "placed", "amount": "total"}
    return log_from_pandas(df, **{**mapping, **kwargs})


def test_matches_from_arrays(orders: pd.DataFrame) -> None:
    log = _read(orders, margin="profit", currency="EUR")
    expected = TransactionLog.from_arrays(
        orders["customer"].tolist(),
        orders["placed"].to_numpy(),
        orders["total"].to_numpy(),
        margins=orders["profit"].to_numpy(),
        currency="EUR",
    )
    assert_same_log(log, expected)
    assert log.customer_ids.dtype.kind == "U"


def test_float_amounts_and_ns_times_are_not_copied(orders: pd.DataFrame) -> None:
    log = _read(orders, margin="profit")
    assert np.shares_memory(log.amounts, orders["total"].to_numpy())
    assert np.shares_memory(log.times, orders["placed"].to_numpy())
    assert np.shares_memory(log.margins, orders["profit"].to_numpy())
    assert not log.amounts.flags.writeable


def test_caller_frame_is_not_modified(orders: pd.DataFrame) -> None:
    before = orders.copy(deep=True)
    aware = orders.assign(placed=orders["placed"].dt.tz_localize("Europe/Paris"))
    aware_before = aware.copy(deep=True)
    _read(orders, margin="profit")
    _read(aware)
    _read(orders.assign(placed=["2024-01-05", "2024-01-01", "2024-02-01", "2024-03-01"]))
    pd.testing.assert_frame_equal(orders, before)
    pd.testing.assert_frame_equal(aware, aware_before)


def test_int_ids_stay_int(orders: pd.DataFrame) -> None:
    log = _read(orders.assign(customer=[20, 10, 20, 30]))
    assert log.customer_ids.dtype == np.int64
    assert log.customer_ids.tolist() == [20, 10, 30]  # order of first appearance
    assert log.customer_index.tolist() == [0, 1, 0, 2]


def test_categorical_ids_keep_only_observed_categories(orders: pd.DataFrame) -> None:
    ids = pd.Categorical(orders["customer"], categories=["c3", "c2", "c1", "unused"])
    log = _read(orders.assign(customer=ids))
    assert log.customer_ids.tolist() == ["c2", "c1", "c3"]  # first appearance, not categories
    assert log.customer_index.tolist() == [0, 1, 0, 2]


def test_timezone_aware_times_become_utc_instants(orders: pd.DataFrame) -> None:
    paris = orders.assign(placed=orders["placed"].dt.tz_localize("Europe/Paris"))
    log = _read(paris)
    assert log.timezone == "UTC"
    expected = orders["placed"].to_numpy() - np.timedelta64(1, "h")  # CET = UTC+1 in winter
    np.testing.assert_array_equal(log.times, expected)
    assert np.shares_memory(log.times, paris["placed"].array.asi8)


def test_coarser_datetime_units_are_converted(orders: pd.DataFrame) -> None:
    seconds = orders.assign(placed=orders["placed"].dt.as_unit("s"))
    log = _read(seconds)
    assert log.times.dtype == np.dtype("datetime64[ns]")
    np.testing.assert_array_equal(log.times, orders["placed"].to_numpy())


@pytest.mark.parametrize(
    ("values", "expected_tz"),
    [
        (["2024-01-05", "2024-01-01T10:30", "2024-02-01 00:00:00", "2024-03-01"], None),
        (
            [
                "2024-01-05T01:00+01:00",
                "2024-01-01T10:30Z",
                "2024-02-01T02:00:00+02:00",
                "2024-03-01T00:00Z",
            ],
            "UTC",
        ),
    ],
)
def test_iso_strings_are_parsed(
    orders: pd.DataFrame, values: list[str], expected_tz: str | None
) -> None:
    log = _read(orders.assign(placed=values))
    assert log.timezone == expected_tz
    np.testing.assert_array_equal(log.times, orders["placed"].to_numpy())


def test_datetime_objects_and_decimals_are_accepted(orders: pd.DataFrame) -> None:
    times = pd.Series([dt.date(2024, 1, 5), dt.datetime(2024, 1, 1, 10, 30)] * 2, dtype=object)
    money = pd.Series([decimal.Decimal("12.5"), decimal.Decimal("30")] * 2, dtype=object)
    log = _read(orders.assign(placed=times, total=money))
    assert log.times[1] == np.datetime64("2024-01-01T10:30")
    assert log.amounts.tolist() == [12.5, 30.0, 12.5, 30.0]


def test_missing_column_lists_columns_and_close_match(orders: pd.DataFrame) -> None:
    with pytest.raises(UnknownCodeError, match=r"customer_id='Customer'.*'placed'.*'customer'"):
        _read(orders, customer_id="Customer")


def test_column_in_index_gets_a_hint(orders: pd.DataFrame) -> None:
    with pytest.raises(UnknownCodeError, match=r"is the index: call df.reset_index"):
        _read(orders.set_index("customer"))


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        ({"total": [1.0, np.nan, 2.0, 3.0]}, r"df\['total'\]\.iloc\[1\]=NaN .*needs a value"),
        ({"total": [1.0, 2.0, -3.0, 3.0]}, r"df\['total'\]\.iloc\[2\]=-3.0 .*>= 0"),
        ({"total": [1.0, 2.0, np.inf, 3.0]}, r"df\['total'\]\.iloc\[2\]=inf .*finite"),
        ({"total": ["1", "2", "3", "4"]}, r"df\['total'\]=.*must be numeric.*pd.to_numeric"),
        ({"total": [True, False, True, True]}, r"df\['total'\]=.*not boolean"),
        ({"placed": [1, 2, 3, 4]}, r"df\['placed'\]='<int64>'.*datetimes"),
        ({"placed": ["2024-01-01", "soon", None, "2024"]}, r"\.iloc\[1\]='soon'.*ISO 8601"),
        ({"placed": ["2024-01-01", None, "2024-01-02", "2024"]}, r"\.iloc\[1\]=NaT .*time"),
        (
            {"placed": ["2024-01-01", "2024-01-01T00:00Z", "2024-01-02", "2024-01-03"]},
            r"df\['placed'\]\.iloc\[1\]='2024-01-01T00:00Z'.*cannot be mixed",
        ),
        ({"placed": ["2300-01-01"] * 4}, r"\.iloc\[0\]=.*outside the datetime64\[ns\] range"),
        ({"customer": [1.0, 2.0, 1.0, 3.0]}, r"df\['customer'\]='<float64>'.*astype\('int64'\)"),
        ({"customer": [1.0, np.nan, 1.0, 3.0]}, r"\.iloc\[1\]=NaN .*customer id"),
        ({"customer": ["a", None, "b", "c"]}, r"\.iloc\[1\]=None .*customer id"),
        (
            {"customer": pd.Series([1, "a", 1, 2], dtype=object)},
            r"df\['customer'\]\.iloc\[1\]='a' .*type str but row 0 has type int",
        ),
    ],
)
def test_bad_values_name_column_and_row(
    orders: pd.DataFrame, change: dict[str, object], pattern: str
) -> None:
    with pytest.raises(InvalidInputError, match=pattern):
        _read(orders.assign(**change))


def test_empty_frame_and_non_frame(orders: pd.DataFrame) -> None:
    with pytest.raises(EmptyInputError, match="df is empty"):
        _read(orders.iloc[:0])
    with pytest.raises(InvalidInputError, match="must be a pandas DataFrame"):
        log_from_pandas(orders.to_dict())  # type: ignore[arg-type]


def test_duplicated_column_label(orders: pd.DataFrame) -> None:
    doubled = pd.concat([orders, orders[["total"]]], axis=1)
    with pytest.raises(InvalidInputError, match="names several columns"):
        _read(doubled)


def test_log_to_pandas_round_trip(orders: pd.DataFrame) -> None:
    log = _read(orders, margin="profit")
    frame = log.to_pandas()
    assert frame.columns.tolist() == ["customer_id", "time", "amount", "margin"]
    assert frame["time"].dtype == np.dtype("datetime64[ns]")
    assert frame["customer_id"].tolist() == orders["customer"].tolist()
    assert_same_log(log_from_pandas(frame, margin="margin"), log)


def test_utc_log_to_pandas_is_timezone_aware(orders: pd.DataFrame) -> None:
    log = _read(orders.assign(placed=orders["placed"].dt.tz_localize("UTC")))
    frame = log.to_pandas()
    assert str(frame["time"].dtype) == "datetime64[ns, UTC]"
    assert_same_log(log_from_pandas(frame), log)


def test_summary_to_pandas() -> None:
    summary = CustomerSummary.from_arrays(
        [2, 0, 1],
        [30.5, 0.0, 3.0],
        [38.0, 10.0, 20.0],
        [22.4, 0.0, 5.0],
        customer_ids=["b", "a", "c"],
        time_unit="week",
    )
    frame = summary.to_pandas()
    assert frame.index.name == "customer_id"
    assert frame.index.tolist() == ["b", "a", "c"]
    assert frame.columns.tolist() == ["frequency", "recency", "T", "monetary"]
    assert frame["frequency"].dtype == np.int64
    assert frame["recency"].tolist() == [30.5, 0.0, 3.0]
    back = summary_from_pandas(frame, monetary="monetary", time_unit="week")
    for field in ("customer_ids", "frequency", "recency", "T", "monetary"):
        np.testing.assert_array_equal(getattr(back, field), getattr(summary, field))
    assert back.time_unit == summary.time_unit


def test_summary_from_pandas_on_cdnow(shared_data) -> None:  # type: ignore[no-untyped-def]
    df = pd.read_csv(shared_data / "cdnow_sample_summary_spend.csv")
    summary = summary_from_pandas(
        df,
        frequency="x",
        recency="t_x",
        T="T",
        monetary="zbar",
        customer_id="ID",
        time_unit="week",
    )
    assert summary.n_customers == 2357
    assert summary.customer_ids[:2].tolist() == [1, 2]
    assert summary.frequency[:2].tolist() == [2, 1]
    assert summary.monetary[0] == pytest.approx(22.35)
    assert summary.time_unit.value == "week"


def test_summary_from_pandas_errors() -> None:
    df = pd.DataFrame({"frequency": [1, 0], "recency": [2.0, 0.0], "T": [5.0, 5.0]})
    assert summary_from_pandas(df).customer_ids.tolist() == [0, 1]
    with pytest.raises(UnknownCodeError, match=r"T='age'.*'frequency', 'recency', 'T'"):
        summary_from_pandas(df, T="age")
    with pytest.raises(InvalidInputError, match=r"df\['recency'\]\.iloc\[1\]=NaN"):
        summary_from_pandas(df.assign(recency=[2.0, np.nan]))
    with pytest.raises(InvalidInputError, match=r"customer_ids='a' is invalid: is duplicated"):
        summary_from_pandas(df.set_index(pd.Index(["a", "a"])))
    with pytest.raises(EmptyInputError):
        summary_from_pandas(df.iloc[:0])
