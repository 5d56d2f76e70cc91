"""CustomerCovariates and TimeVaryingCovariates: inputs, validation, alignment, export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError
from ecomstrat.frames.covariates import CustomerCovariates, TimeVaryingCovariates

STATIC = {"customer_id": ["a", "b", "c"], "gender": [0, 1, 1], "spend": [1.5, 0.0, 2.25]}
LONG = {
    "customer_id": [7, 8, 7, 8, 7, 8],
    "cov_date": [
        "2005-01-02",
        "2005-01-02",
        "2005-01-09",
        "2005-01-09",
        "2005-01-16",
        "2005-01-16",
    ],
    "season": [0, 0, 1, 1, 0, 0],
    "gender": [1, 0, 1, 0, 1, 0],
}


# --- static: inputs -------------------------------------------------------------------------------


def test_mapping_input_and_fields() -> None:
    cov = CustomerCovariates.from_table(STATIC)
    assert cov.customer_ids.tolist() == ["a", "b", "c"]
    assert cov.names == ("gender", "spend")
    assert cov.values.tolist() == [[0.0, 1.5], [1.0, 0.0], [1.0, 2.25]]
    assert cov.values.dtype == np.float64
    assert cov.values.shape == (3, 2)
    assert len(cov) == cov.n_customers == 3
    assert "3 customers" in repr(cov)
    assert not cov.values.flags.writeable
    assert not cov.customer_ids.flags.writeable


def test_pandas_polars_arrow_and_mapping_agree() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    reference = CustomerCovariates.from_table(STATIC)
    inputs = [
        pd.DataFrame(STATIC),
        pd.DataFrame(STATIC).set_index("customer_id"),  # the id as a named index
        pl.DataFrame(STATIC),
        pa.table(STATIC),
        {k: np.asarray(v) for k, v in STATIC.items()},
    ]
    for table in inputs:
        cov = CustomerCovariates.from_table(table)
        assert cov.names == reference.names
        assert cov.customer_ids.tolist() == reference.customer_ids.tolist()
        np.testing.assert_array_equal(cov.values, reference.values)


def test_integer_ids_keep_their_dtype_through_pandas() -> None:
    pd = pytest.importorskip("pandas")
    cov = CustomerCovariates.from_table(pd.DataFrame({"customer_id": [3, 1], "vip": [1, 0]}))
    assert cov.customer_ids.dtype.kind == "i"
    assert cov.customer_ids.tolist() == [3, 1]


def test_columns_selects_and_orders_covariates() -> None:
    cov = CustomerCovariates.from_table(STATIC, columns=["spend"])
    assert cov.names == ("spend",)
    other = CustomerCovariates.from_table(
        {"id": [1, 2], "x": [3, 4]}, id_column="id", columns=["x"]
    )
    assert other.customer_ids.tolist() == [1, 2]


def test_booleans_count_as_zero_one() -> None:
    cov = CustomerCovariates.from_arrays([1, 2], {"vip": [True, False], "w": np.array([1, 0])})
    assert cov.values.tolist() == [[1.0, 1.0], [0.0, 0.0]]


def test_export_round_trip() -> None:
    pytest.importorskip("pandas")
    cov = CustomerCovariates.from_table(STATIC)
    frame = cov.to_pandas()
    assert frame.index.name == "customer_id"
    again = CustomerCovariates.from_table(frame)
    np.testing.assert_array_equal(again.values, cov.values)
    assert list(cov.columns()) == ["customer_id", "gender", "spend"]


# --- static: validation ---------------------------------------------------------------------------


def test_nan_names_column_row_and_customer() -> None:
    with pytest.raises(InvalidInputError, match=r"spend\[1\]=nan \(customer 'b'\)"):
        CustomerCovariates.from_arrays(["a", "b"], {"spend": [1.0, float("nan")]})
    with pytest.raises(InvalidInputError, match=r"spend\[0\]=inf"):
        CustomerCovariates.from_arrays(["a", "b"], {"spend": [float("inf"), 1.0]})


def test_missing_value_in_pandas_and_arrow_is_refused() -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    df = pd.DataFrame({"customer_id": [1, 2], "x": pd.array([1, None], dtype="Int64")})
    with pytest.raises(InvalidInputError, match=r"x\[1\]=nan \(customer 2\)"):
        CustomerCovariates.from_table(df)
    table = pa.table({"customer_id": [1, 2], "x": pa.array([True, None])})
    with pytest.raises(InvalidInputError, match=r"x\[1\]=nan"):
        CustomerCovariates.from_table(table)


def test_non_numeric_column_is_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"gender.*must hold numbers"):
        CustomerCovariates.from_arrays([1, 2], {"gender": ["m", "f"]})
    with pytest.raises(InvalidInputError, match=r"gender\[1\]='f'.*not str"):
        CustomerCovariates.from_arrays([1, 2], {"gender": np.array([0, "f"], dtype=object)})


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"customer_ids='a'.*duplicated"):
        CustomerCovariates.from_arrays(["a", "a"], {"x": [1, 2]})


def test_names_are_checked() -> None:
    with pytest.raises(InvalidInputError, match=r"names\[1\]='x'.*duplicated"):
        CustomerCovariates.from_table({"customer_id": [1], "x": [1]}, columns=["x", "x"])
    with pytest.raises(InvalidInputError, match=r"names\[0\]=''.*non-empty"):
        CustomerCovariates.from_arrays([1], {"": [1]})
    with pytest.raises(InvalidInputError, match=r"reserved"):
        CustomerCovariates.from_table(STATIC, columns=["customer_id"])


def test_absent_columns_are_named() -> None:
    with pytest.raises(UnknownCodeError, match=r"'customer_id'"):
        CustomerCovariates.from_table({"id": [1], "x": [1]})
    with pytest.raises(UnknownCodeError, match=r"'gendr'.*Did you mean 'gender'"):
        CustomerCovariates.from_table(STATIC, columns=["gendr"])
    pd = pytest.importorskip("pandas")
    with pytest.raises(UnknownCodeError, match=r"'customer_id'"):
        CustomerCovariates.from_table(pd.DataFrame({"id": [1], "x": [1]}))


def test_wrong_lengths_and_types() -> None:
    with pytest.raises(InvalidInputError, match=r"one value per customer"):
        CustomerCovariates.from_arrays([1, 2], {"x": [1]})
    with pytest.raises(InvalidInputError, match=r"covariates"):
        CustomerCovariates.from_table([[1, 2]])
    with pytest.raises(EmptyInputError):
        CustomerCovariates.from_table({"customer_id": [1]})
    with pytest.raises(EmptyInputError):
        CustomerCovariates.from_arrays([], {"x": []})


def test_matrix_and_unknown_name() -> None:
    cov = CustomerCovariates.from_table(STATIC)
    m = cov.matrix(["spend", "gender"])
    assert m.flags.c_contiguous
    assert m.tolist() == [[1.5, 0.0], [0.0, 1.0], [2.25, 1.0]]
    with pytest.raises(UnknownCodeError, match=r"'age'.*'gender', 'spend'"):
        cov.matrix(["age"])
    with pytest.raises(InvalidInputError, match=r"names"):
        cov.matrix("gender")


def test_align_orders_rows_and_names_missing_customers() -> None:
    cov = CustomerCovariates.from_table(STATIC)
    aligned = cov.align(["c", "a"])
    assert aligned.customer_ids.tolist() == ["c", "a"]
    assert aligned.values[:, 1].tolist() == [2.25, 1.5]
    assert cov.align(["a", "b", "c"]) is cov
    with pytest.raises(InvalidInputError, match=r"covariates=.*lack 2 .*'x', 'y'") as error:
        cov.align(["a", "x", "y", "x"])
    assert "covariates" in str(error.value)


def test_align_matches_int_and_str_ids_by_text() -> None:
    cov = CustomerCovariates.from_arrays([10, 20], {"x": [1, 2]})
    assert cov.positions(["20", "10", "20"]).tolist() == [1, 0, 1]
    text = CustomerCovariates.from_arrays(["10", "20"], {"x": [1, 2]})
    assert text.align(np.array([20, 10])).values.ravel().tolist() == [2.0, 1.0]


@given(st.permutations(list(range(12))))
def test_align_is_a_permutation(order: list[int]) -> None:
    ids = np.array([f"c{i}" for i in range(12)])
    values = np.arange(12.0)
    cov = CustomerCovariates.from_arrays(ids, {"x": values})
    aligned = cov.align(ids[order])
    np.testing.assert_array_equal(aligned.values[:, 0], values[order])
    np.testing.assert_array_equal(aligned.align(ids).values, cov.values)


# --- time-varying ---------------------------------------------------------------------------------


def test_long_table_becomes_a_cube() -> None:
    cov = TimeVaryingCovariates.from_table(LONG)
    assert cov.customer_ids.tolist() == [7, 8]
    assert cov.names == ("season", "gender")
    assert cov.period.value == "week"
    assert [str(d) for d in cov.period_starts] == ["2005-01-02", "2005-01-09", "2005-01-16"]
    assert cov.values.shape == (2, 3, 2)
    assert cov.values[:, :, 0].tolist() == [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]
    assert cov.values[:, :, 1].tolist() == [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    assert (cov.n_customers, cov.n_periods) == (2, 3)
    assert not cov.values.flags.writeable
    assert not cov.period_starts.flags.writeable
    assert "2 customers x 3 weeks" in repr(cov)


def test_time_varying_inputs_agree() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    reference = TimeVaryingCovariates.from_table(LONG)
    df = pd.DataFrame(LONG)
    dated = df.assign(cov_date=pd.to_datetime(df["cov_date"]))
    objects = dict(LONG, cov_date=[dt.date.fromisoformat(d) for d in LONG["cov_date"]])
    inputs = [
        df,
        dated,
        pl.DataFrame(LONG),
        pl.from_pandas(dated).with_columns(pl.col("cov_date").cast(pl.Date)),
        pa.table(LONG),
        pa.table(dated),
        objects,
    ]
    for table in inputs:
        cov = TimeVaryingCovariates.from_table(table)
        assert cov.customer_ids.tolist() == reference.customer_ids.tolist()
        np.testing.assert_array_equal(cov.period_starts, reference.period_starts)
        np.testing.assert_array_equal(cov.values, reference.values)


def test_columns_long_format_round_trip() -> None:
    cov = TimeVaryingCovariates.from_table(LONG)
    cols = cov.columns()
    assert list(cols) == ["customer_id", "period_start", "season", "gender"]
    assert cols["customer_id"].tolist() == [7, 7, 7, 8, 8, 8]
    again = TimeVaryingCovariates.from_table(cols, date_column="period_start")
    np.testing.assert_array_equal(again.values, cov.values)
    pytest.importorskip("polars")
    assert cov.to_polars().shape == (6, 4)


@given(
    st.integers(1, 5),
    st.integers(1, 6),
    st.integers(1, 3),
    st.sampled_from(["week", "day"]),
    st.randoms(use_true_random=False),
)
def test_any_cube_survives_a_shuffled_long_table(
    n: int, m: int, k: int, period: str, random: Any
) -> None:
    # A random cube, written as a long table in shuffled row order, comes back intact.
    cube = np.array([random.randint(-3, 3) for _ in range(n * m * k)], float).reshape(n, m, k)
    step = 7 if period == "week" else 1
    starts = np.datetime64("2024-01-03") + step * np.arange(m)
    ids = np.array([f"c{9 - i}" for i in range(n)])
    rows = [(i, p) for i in range(n) for p in range(m)]
    random.shuffle(rows)
    table: dict[str, Any] = {
        "customer_id": [ids[i] for i, _ in rows],
        "cov_date": np.array([starts[p] for _, p in rows]),
    }
    for j in range(k):
        table[f"x{j}"] = [cube[i, p, j] for i, p in rows]
    cov = TimeVaryingCovariates.from_table(table, period=period)
    np.testing.assert_array_equal(cov.period_starts, starts)
    np.testing.assert_array_equal(cov.align(ids).values, cube)
    assert cov.names == tuple(f"x{j}" for j in range(k))


def test_daily_grid_and_other_weekdays() -> None:
    daily = TimeVaryingCovariates.from_table(
        {"customer_id": [1, 1], "cov_date": ["2024-03-01", "2024-03-02"], "x": [0, 1]},
        period="day",
    )
    assert daily.values.shape == (1, 2, 1)
    monday = TimeVaryingCovariates.from_table(
        {"customer_id": [1, 1], "cov_date": ["2024-03-04", "2024-03-11"], "x": [0, 1]}
    )
    assert str(monday.period_starts[0]) == "2024-03-04"


def test_missing_period_names_customer_and_period() -> None:
    rows = {k: v[:-1] for k, v in LONG.items()}  # customer 8 lacks 2005-01-16
    with pytest.raises(InvalidInputError, match=r"cov_date='2005-01-16'.*customer 8") as error:
        TimeVaryingCovariates.from_table(rows)
    assert "1 (customer, period) row(s) missing" in str(error.value)


def test_gap_in_the_grid_is_refused() -> None:
    rows = {
        "customer_id": [1, 1],
        "cov_date": ["2005-01-02", "2005-01-16"],  # 2005-01-09 missing for everyone
        "x": [0, 1],
    }
    with pytest.raises(InvalidInputError, match=r"cov_date='2005-01-09'.*missing for customer 1"):
        TimeVaryingCovariates.from_table(rows)


def test_duplicated_customer_period() -> None:
    rows = {k: [*v, v[0]] for k, v in LONG.items()}
    with pytest.raises(InvalidInputError, match=r"\(customer_id, cov_date\)=.*7.*2005-01-02.*dupl"):
        TimeVaryingCovariates.from_table(rows)


def test_dates_off_the_grid_or_with_times() -> None:
    off = {"customer_id": [1, 1], "cov_date": ["2005-01-02", "2005-01-10"], "x": [0, 1]}
    with pytest.raises(InvalidInputError, match=r"cov_date\[1\]='2005-01-10'.*not a period start"):
        TimeVaryingCovariates.from_table(off)
    timed = {"customer_id": [1], "cov_date": [np.datetime64("2005-01-02T10:00")], "x": [0]}
    with pytest.raises(InvalidInputError, match=r"cov_date\[0\].*not a time of day"):
        TimeVaryingCovariates.from_table(timed)
    bad = {"customer_id": [1], "cov_date": ["soon"], "x": [0]}
    with pytest.raises(InvalidInputError, match=r"cov_date\[0\]='soon'"):
        TimeVaryingCovariates.from_table(bad)


def test_nan_names_column_customer_and_period() -> None:
    rows = dict(LONG, season=[0, 0, float("nan"), 1, 0, 0])
    with pytest.raises(
        InvalidInputError, match=r"season\[2\]=nan \(customer 7, cov_date 2005-01-09"
    ):
        TimeVaryingCovariates.from_table(rows)


def test_period_must_have_a_fixed_length() -> None:
    with pytest.raises(InvalidInputError, match=r"period='month'.*'week' or 'day'"):
        TimeVaryingCovariates.from_table(LONG, period="month")
    with pytest.raises(UnknownCodeError):
        TimeVaryingCovariates.from_table(LONG, period="fortnight")


def test_constructor_checks_the_grid() -> None:
    starts = np.array(["2005-01-02", "2005-01-10"], dtype="datetime64[D]")
    with pytest.raises(InvalidInputError, match=r"period_starts\[1\]='2005-01-10'"):
        TimeVaryingCovariates(np.array([1]), starts, ("x",), np.zeros((1, 2, 1)))
    with pytest.raises(InvalidInputError, match=r"values"):
        TimeVaryingCovariates(np.array([1]), starts[:1], ("x",), np.zeros((1, 2, 1)))


def test_matrix_align_and_static() -> None:
    cov = TimeVaryingCovariates.from_table(LONG)
    assert cov.matrix(["gender"]).shape == (2, 3, 1)
    assert cov.align([8, 7]).values[0, :, 1].tolist() == [0.0, 0.0, 0.0]
    assert cov.align([7, 8]) is cov
    with pytest.raises(InvalidInputError, match=r"covariates=.*lack 1.*9"):
        cov.align([7, 9])
    assert cov.static(["gender"]).values.ravel().tolist() == [1.0, 0.0]
    with pytest.raises(InvalidInputError, match=r"season=1.0 \(customer 7, period 2005-01-09\)"):
        cov.static(["season"])
    with pytest.raises(UnknownCodeError, match=r"'age'"):
        cov.matrix(["age"])


# --- the apparel files (CLVTools) -----------------------------------------------------------------


def test_apparel_covariates_load_with_the_right_shapes(shared_data: Path) -> None:
    pd = pytest.importorskip("pandas")
    dynamic = TimeVaryingCovariates.from_table(
        pd.read_csv(shared_data / "clvtools_apparel_dyncov.csv")
    )
    assert dynamic.values.shape == (600, 313, 3)
    assert dynamic.names == ("high_season", "gender", "channel")
    assert str(dynamic.period_starts[0]) == "2005-01-02"
    assert str(dynamic.period_starts[-1]) == "2010-12-26"
    static = CustomerCovariates.from_table(
        pd.read_csv(shared_data / "clvtools_apparel_staticcov.csv")
    )
    assert static.values.shape == (600, 2)
    np.testing.assert_array_equal(
        dynamic.static(["gender", "channel"]).values,
        static.align(dynamic.customer_ids).values,
    )
