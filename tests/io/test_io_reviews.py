"""Review adapters: pandas, polars and CSV give the same Reviews and name the cell at fault."""

from __future__ import annotations

import io

import numpy as np
import pytest

from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError
from ecomstrat.frames.reviews import Reviews
from ecomstrat.io import read_reviews_csv, reviews_from_pandas, reviews_from_polars

CSV = (
    "product_id,rating,time,customer_id,answered\n"
    "mug,5,2024-01-01T10:00:00,c1,\n"
    "tee,1,2024-01-02T09:00:00,c2,2024-01-02T21:00:00\n"
    "mug,2,2024-01-03T08:00:00,c1,\n"
)
ROWS = {
    "product_id": ["mug", "tee", "mug"],
    "rating": [5, 1, 2],
    "time": ["2024-01-01T10:00:00", "2024-01-02T09:00:00", "2024-01-03T08:00:00"],
    "customer_id": ["c1", "c2", "c1"],
    "answered": [None, "2024-01-02T21:00:00", None],
}
OPTIONAL = {"customer_id": "customer_id", "answered": "answered"}


def _expected() -> Reviews:
    return Reviews.from_arrays(
        ROWS["product_id"], ROWS["rating"], ROWS["time"],
        customer_ids=ROWS["customer_id"], answered=ROWS["answered"],
    )  # fmt: skip


def _same(got: Reviews, want: Reviews) -> None:
    assert got.product_ids.tolist() == want.product_ids.tolist()
    assert got.product_index.tolist() == want.product_index.tolist()
    assert got.ratings.tolist() == want.ratings.tolist()
    np.testing.assert_array_equal(got.times, want.times)
    assert got.customer_ids is not None
    assert want.customer_ids is not None
    assert got.customer_ids.tolist() == want.customer_ids.tolist()
    assert got.answered is not None
    assert want.answered is not None
    np.testing.assert_array_equal(got.answered, want.answered)
    assert got.timezone == want.timezone
    assert got.scale == want.scale


def test_csv_matches_from_arrays() -> None:
    _same(read_reviews_csv(io.StringIO(CSV), **OPTIONAL), _expected())


def test_csv_by_position_without_header() -> None:
    body = "".join(CSV.splitlines(keepends=True)[1:])
    got = read_reviews_csv(
        io.StringIO(body), product_id=0, rating=1, time=2, customer_id=3, answered=4, header=False
    )
    _same(got, _expected())


def test_pandas_matches_from_arrays() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(ROWS)
    _same(reviews_from_pandas(df, **OPTIONAL), _expected())
    df["time"] = pd.to_datetime(df["time"])
    df["answered"] = pd.to_datetime(df["answered"])
    _same(reviews_from_pandas(df, **OPTIONAL), _expected())


def test_polars_matches_from_arrays() -> None:
    pl = pytest.importorskip("polars")
    df = pl.DataFrame(ROWS)
    _same(reviews_from_polars(df, **OPTIONAL), _expected())


def test_csv_errors_name_line_and_column() -> None:
    bad = CSV.replace("tee,1,", "tee,7,")
    with pytest.raises(InvalidInputError, match=r"line 3, column 'rating'"):
        read_reviews_csv(io.StringIO(bad))
    bad = CSV.replace("2024-01-02T21:00:00", "not a time")
    with pytest.raises(InvalidInputError, match=r"line 3, column 'answered'"):
        read_reviews_csv(io.StringIO(bad), answered="answered")
    bad = CSV.replace("2024-01-02T21:00:00", "2024-01-01T00:00:00")
    with pytest.raises(InvalidInputError, match=r"answered\[1\].*before the review"):
        read_reviews_csv(io.StringIO(bad), answered="answered")
    with pytest.raises(UnknownCodeError):
        read_reviews_csv(io.StringIO(CSV), rating="stars")
    with pytest.raises(EmptyInputError):
        read_reviews_csv(io.StringIO(CSV.splitlines()[0] + "\n"))


def test_pandas_errors_name_the_cell() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({**ROWS, "rating": [5, None, 2]})
    with pytest.raises(InvalidInputError, match=r"df\['rating'\]\.iloc\[1\]"):
        reviews_from_pandas(df)
    df = pd.DataFrame({**ROWS, "rating": ["5", "1", "2"]})
    with pytest.raises(InvalidInputError, match="must be numeric"):
        reviews_from_pandas(df)
    df = pd.DataFrame({**ROWS, "product_id": ["a", None, "b"]})
    with pytest.raises(InvalidInputError, match=r"df\['product_id'\]\.iloc\[1\]"):
        reviews_from_pandas(df)
    with pytest.raises(InvalidInputError, match="DataFrame"):
        reviews_from_pandas(ROWS)  # type: ignore[arg-type]


def test_polars_errors_name_the_cell() -> None:
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({**ROWS, "rating": [5, 0, 2]})
    with pytest.raises(InvalidInputError, match=r"df\['rating'\]\[1\]"):
        reviews_from_polars(df)
    df = pl.DataFrame({**ROWS, "answered": [None, "garbage", None]})
    with pytest.raises(InvalidInputError, match=r"df\['answered'\]"):  # polars: whole column
        reviews_from_polars(df, answered="answered")
