"""Reading static and time-varying covariates from CSV (reference and pyarrow engines)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError
from ecomstrat.io.covariates import read_customer_covariates, read_time_varying_covariates

STATIC = "customer_id,gender,channel\n007,0,1\n3,1,0\n"
LONG = (
    "customer_id,cov_date,season,gender\n"
    "1,2005-01-02,0,1\n1,2005-01-09,1,1\n"
    "2,2005-01-02,0,0\n2,2005-01-09,1,0\n"
)


def _file(tmp_path: Path, text: str, name: str = "cov.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["python", "auto"])
def test_static_file_and_stream(tmp_path: Path, engine: str) -> None:
    cov = read_customer_covariates(_file(tmp_path, STATIC), engine=engine)  # type: ignore[arg-type]
    assert cov.customer_ids.tolist() == ["007", "3"]  # ids stay text by default
    assert cov.names == ("gender", "channel")
    assert cov.values.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    streamed = read_customer_covariates(io.StringIO(STATIC), columns=["channel"])
    assert streamed.values.ravel().tolist() == [1.0, 0.0]
    ints = read_customer_covariates(_file(tmp_path, STATIC), id_type=int, engine=engine)  # type: ignore[arg-type]
    assert ints.customer_ids.tolist() == [7, 3]


@pytest.mark.parametrize("engine", ["python", "auto"])
def test_time_varying_file(tmp_path: Path, engine: str) -> None:
    cov = read_time_varying_covariates(_file(tmp_path, LONG), engine=engine)  # type: ignore[arg-type]
    assert cov.customer_ids.tolist() == ["1", "2"]
    assert cov.names == ("season", "gender")
    assert cov.values.shape == (2, 2, 2)
    assert cov.values[:, :, 0].tolist() == [[0.0, 1.0], [0.0, 1.0]]
    assert [str(d) for d in cov.period_starts] == ["2005-01-02", "2005-01-09"]


def test_time_format_and_delimiters(tmp_path: Path) -> None:
    text = "customer_id;cov_date;x\n1;02/01/2005;0\n1;09/01/2005;1\n"
    cov = read_time_varying_covariates(_file(tmp_path, text), delimiter=";", time_format="%d/%m/%Y")
    assert str(cov.period_starts[1]) == "2005-01-09"
    spaced = read_customer_covariates(io.StringIO("customer_id x\na  1\n"), delimiter="whitespace")
    assert spaced.values.tolist() == [[1.0]]


def test_true_false_count_as_one_zero(tmp_path: Path) -> None:
    text = "customer_id,vip\n1,TRUE\n2,false\n"
    for engine in ("python", "auto"):
        cov = read_customer_covariates(_file(tmp_path, text), engine=engine)  # type: ignore[arg-type]
        assert cov.values.ravel().tolist() == [1.0, 0.0]


@pytest.mark.parametrize("engine", ["python", "auto"])
def test_bad_cells_name_line_and_column(tmp_path: Path, engine: str) -> None:
    kw = {"engine": engine}
    bad = _file(tmp_path, "customer_id,gender\n1,0\n2,m\n")
    with pytest.raises(InvalidInputError, match=r"line 3, column 'gender'='m'.*not a number"):
        read_customer_covariates(bad, **kw)  # type: ignore[arg-type]
    empty = _file(tmp_path, "customer_id,gender\n1,\n2,1\n")
    with pytest.raises(InvalidInputError, match=r"line 2, column 'gender'=''.*is empty"):
        read_customer_covariates(empty, **kw)  # type: ignore[arg-type]
    nan = _file(tmp_path, "customer_id,gender\n1,0\n2,nan\n")
    with pytest.raises(InvalidInputError, match=r"line 3, column 'gender'='nan'.*finite"):
        read_customer_covariates(nan, **kw)  # type: ignore[arg-type]
    no_id = _file(tmp_path, "customer_id,gender\n,0\n")
    with pytest.raises(InvalidInputError, match=r"line 2, column 'customer_id'.*needs an id"):
        read_customer_covariates(no_id, **kw)  # type: ignore[arg-type]
    dup = _file(tmp_path, "customer_id,gender\n1,0\n1,1\n")
    with pytest.raises(InvalidInputError, match=r"customer_id.*'1'.*duplicated"):
        read_customer_covariates(dup, **kw)  # type: ignore[arg-type]
    date = _file(tmp_path, "customer_id,cov_date,x\n1,2005-13-40,0\n")
    with pytest.raises(InvalidInputError, match=r"line 2, column 'cov_date'"):
        read_time_varying_covariates(date, **kw)  # type: ignore[arg-type]
    gap = _file(tmp_path, "customer_id,cov_date,x\n1,2005-01-02,0\n2,2005-01-09,0\n")
    with pytest.raises(InvalidInputError, match=r"cov_date='2005-01-09'.*missing for customer '1'"):
        read_time_varying_covariates(gap, **kw)  # type: ignore[arg-type]


def test_columns_and_files_are_checked(tmp_path: Path) -> None:
    path = _file(tmp_path, STATIC)
    with pytest.raises(UnknownCodeError, match=r"'gendr'.*Did you mean 'gender'"):
        read_customer_covariates(path, columns=["gendr"])
    with pytest.raises(UnknownCodeError, match="'id'"):
        read_customer_covariates(path, id_column="id")
    with pytest.raises(InvalidInputError, match=r"columns\[1\]"):
        read_customer_covariates(path, columns=["gender", "gender"])
    with pytest.raises(FileNotFoundError):
        read_customer_covariates(tmp_path / "absent.csv")
    with pytest.raises(EmptyInputError):
        read_customer_covariates(_file(tmp_path, "customer_id\n1\n", "ids.csv"))
    with pytest.raises(EmptyInputError):
        read_customer_covariates(_file(tmp_path, "customer_id,x\n", "header.csv"))
    with pytest.raises(InvalidInputError, match="engine"):
        read_customer_covariates(path, engine="fast")  # type: ignore[arg-type]


def test_apparel_files_read_identically_by_both_engines(shared_data: Path) -> None:
    pytest.importorskip("pyarrow")
    dyn = shared_data / "clvtools_apparel_dyncov.csv"
    fast = read_time_varying_covariates(dyn, id_type=int)
    slow = read_time_varying_covariates(dyn, id_type=int, engine="python")
    assert fast.values.shape == (600, 313, 3)
    assert fast.names == ("high_season", "gender", "channel")
    np.testing.assert_array_equal(fast.values, slow.values)
    np.testing.assert_array_equal(fast.customer_ids, slow.customer_ids)
    np.testing.assert_array_equal(fast.period_starts, slow.period_starts)
    future = read_time_varying_covariates(shared_data / "clvtools_apparel_dyncov_future.csv")
    assert future.values.shape == (600, 94, 3)
    assert str(future.period_starts[0]) == "2011-01-02"
    static = read_customer_covariates(shared_data / "clvtools_apparel_staticcov.csv")
    assert static.values.shape == (600, 2)
    np.testing.assert_array_equal(
        static.align(fast.customer_ids).values, fast.static(["gender", "channel"]).values
    )
