from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest

import ecomstrat.io.csv as csv_module
from ecomstrat.exceptions import (
    EmptyInputError,
    InvalidInputError,
    MissingDependencyError,
    UnknownCodeError,
)
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.io import read_csv
from tests.io._logs import assert_same_log

ENGINES = [
    "python",
    pytest.param(
        "pyarrow",
        marks=pytest.mark.skipif(not csv_module._has_pyarrow(), reason="pyarrow is not installed"),
    ),
]

ORDERS = """\
customer_id,time,amount,margin
00002,2024-01-05,12.00,2.5
00001,2024-01-01T10:30:00,30,-1
00002,2024-02-01 08:00,8.5,1.5
00003,2024-03-01,0,0
"""


def _write(tmp_path: Path, text: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _expected(**kwargs: object) -> TransactionLog:
    return TransactionLog.from_arrays(
        ["00002", "00001", "00002", "00003"],
        ["2024-01-05", "2024-01-01T10:30", "2024-02-01T08:00", "2024-03-01"],
        [12.0, 30.0, 8.5, 0.0],
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_reads_a_simple_file(tmp_path: Path, engine: str) -> None:
    log = read_csv(_write(tmp_path, ORDERS), margin="margin", currency="USD", engine=engine)
    assert_same_log(log, _expected(margins=[2.5, -1.0, 1.5, 0.0], currency="USD"))
    assert log.customer_ids.tolist() == ["00002", "00001", "00003"]  # first appearance


def test_int_ids(tmp_path: Path, engine: str) -> None:
    log = read_csv(_write(tmp_path, ORDERS), id_type=int, engine=engine)
    assert log.customer_ids.dtype == np.int64
    assert log.customer_ids.tolist() == [2, 1, 3]  # order of first appearance


def test_positions_without_header(tmp_path: Path, engine: str) -> None:
    body = ORDERS.split("\n", 1)[1]
    log = read_csv(
        _write(tmp_path, body), header=False, customer_id=0, time=1, amount=2, engine=engine
    )
    assert_same_log(log, _expected())


def test_positions_with_header_and_other_delimiters(tmp_path: Path, engine: str) -> None:
    semicolons = _write(tmp_path, ORDERS.replace(",", ";"), "semi.csv")
    log = read_csv(semicolons, delimiter=";", customer_id=0, time="time", amount=2, engine=engine)
    assert_same_log(log, _expected())
    spaced = "\n".join("  " + "   ".join(line.split(",")) for line in ORDERS.splitlines())
    spaced = spaced.replace("2024-02-01 08:00", "2024-02-01T08:00")
    spaced_path = _write(tmp_path, spaced + "\n\n", "spaced.txt")
    for word in ("whitespace", " Whitespace "):
        assert_same_log(read_csv(spaced_path, delimiter=word, engine=engine), _expected())
    tabs = _write(tmp_path, ORDERS.replace(",", "\t"), "tabs.tsv")
    for word in ("tab", "\\t", "\t"):
        assert_same_log(read_csv(tabs, delimiter=word, engine=engine), _expected())


def test_quoted_fields_blank_lines_and_bom(tmp_path: Path, engine: str) -> None:
    text = '\ufeff\n"customer_id","note",time,amount\r\n\r\n"a,b","say ""hi""",2024-01-01,1.5\r\n'
    text += 'c,"two\nlines",2024-01-02,2\r\n'
    log = read_csv(_write(tmp_path, text), engine=engine)
    assert log.customer_ids.tolist() == ["a,b", "c"]
    assert log.amounts.tolist() == [1.5, 2.0]


@pytest.mark.parametrize(
    ("stamps", "time_format", "timezone", "expected"),
    [
        (["20240105", "19970101"], "%Y%m%d", None, ["2024-01-05", "1997-01-01"]),
        (["05/01/2024", "01/01/1997"], "%d/%m/%Y", None, ["2024-01-05", "1997-01-01"]),
        (
            ["2024-01-05T01:00+0100", "1997-01-01T00:00-0030"],
            "%Y-%m-%dT%H:%M%z",
            "UTC",
            ["2024-01-05T00:00", "1997-01-01T00:30"],
        ),
        (
            ["2024-01-05T01:00:00+01:00", "1997-01-01T00:00:00.5Z"],
            None,
            "UTC",
            ["2024-01-05T00:00", "1997-01-01T00:00:00.5"],
        ),
        (
            ["2024-01-05T01:02:03.123456789", "1997-01-01 23:59"],
            None,
            None,
            ["2024-01-05T01:02:03.123456789", "1997-01-01T23:59"],
        ),
    ],
)
def test_time_formats(
    tmp_path: Path,
    engine: str,
    stamps: list[str],
    time_format: str | None,
    timezone: str | None,
    expected: list[str],
) -> None:
    text = "customer_id,time,amount\n" + "".join(f"x,{s},1\n" for s in stamps)
    log = read_csv(_write(tmp_path, text), time_format=time_format, engine=engine)
    assert log.timezone == timezone
    np.testing.assert_array_equal(log.times, np.array(expected, dtype="M8[ns]"))


def test_reads_a_stream() -> None:
    assert_same_log(read_csv(io.StringIO(ORDERS)), _expected())
    with pytest.raises(InvalidInputError, match="needs a file path"):
        read_csv(io.StringIO(ORDERS), engine="pyarrow")
    with pytest.raises(InvalidInputError, match="must be opened in text mode"):
        read_csv(io.BytesIO(ORDERS.encode()))
    with pytest.raises(InvalidInputError, match="must be a file path or a text stream"):
        read_csv(b"orders.csv")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "kwargs", "error", "pattern"),
    [
        ("", {}, EmptyInputError, r"orders.csv' is empty: it holds no line with data"),
        ("\n  \n", {"delimiter": "whitespace"}, EmptyInputError, r"is empty"),
        ("customer_id,time,amount\n", {}, EmptyInputError, r"header but no data row"),
        (
            ORDERS,
            {"amount": "amout"},
            UnknownCodeError,
            r"amount='amout' is not a column of the header of '.*orders.csv': its columns are"
            r" 'customer_id', 'time', 'amount', 'margin'. Did you mean 'amount'",
        ),
        (ORDERS, {"amount": 7}, InvalidInputError, r"amount=7 .*positions run from 0 to 3"),
        (ORDERS, {"header": False}, InvalidInputError, r"customer_id='customer_id' .*header=F"),
        (
            ORDERS.replace("2024-02-01 08:00", "2024-02-31"),
            {},
            InvalidInputError,
            r"orders.csv' line 4, column 'time'='2024-02-31' is invalid: is not a valid ISO",
        ),
        (
            ORDERS.replace("2024-02-01 08:00", "01/02/2024"),
            {},
            InvalidInputError,
            r"line 4, column 'time'='01/02/2024' .*Pass time_format",
        ),
        (
            ORDERS.replace("2024-02-01 08:00", "2024-02-01T08:00Z"),
            {},
            InvalidInputError,
            r"line 4, column 'time'='2024-02-01T08:00Z' .*cannot be mixed",
        ),
        (ORDERS.replace("2024-03-01", "2300-03-01"), {}, InvalidInputError, r"line 5.*outside"),
        (
            ORDERS.replace("8.5", "8,5"),
            {},
            InvalidInputError,
            r"line 4='00002,2024-02-01 08:00,8,5,1.5' is invalid: has 5 fields but line 1 has 4",
        ),
        (
            ORDERS.replace("8.5", "eight"),
            {},
            InvalidInputError,
            r"line 4, column 'amount'='eight' is invalid: is not a number",
        ),
        (ORDERS.replace("8.5", ""), {}, InvalidInputError, r"line 4, column 'amount'='' .*empty"),
        (ORDERS.replace("8.5", "-8.5"), {}, InvalidInputError, r"line 4, column 'amount'.*>= 0"),
        (ORDERS.replace("8.5", "nan"), {}, InvalidInputError, r"line 4, column 'amount'=NaN"),
        (
            ORDERS.replace("00003", "C3"),
            {"id_type": int},
            InvalidInputError,
            r"line 5, column 'customer_id'='C3' is invalid: is not an integer id",
        ),
        (
            "customer_id,time,amount\n1,20240229,1\n1,20230229,2\n",
            {"time_format": "%Y%m%d"},
            InvalidInputError,
            r"line 3, column 'time'='20230229' is invalid: is not a valid date",
        ),
        (
            ORDERS,
            {"time_format": "%Y%m%d"},
            InvalidInputError,
            r"line 2, column 'time'='2024-01-05' is invalid: does not match",
        ),
        (
            ORDERS,
            {"time_format": "%Y-%m-%d"},
            InvalidInputError,
            r"line 3, column 'time'='2024-01-01T10:30:00' is invalid: does not match",
        ),
    ],
)
def test_errors_name_line_column_and_value(
    tmp_path: Path,
    engine: str,
    text: str,
    kwargs: dict[str, object],
    error: type[Exception],
    pattern: str,
) -> None:
    with pytest.raises(error, match=pattern):
        read_csv(_write(tmp_path, text), engine=engine, **kwargs)  # type: ignore[arg-type]


def test_bad_arguments(tmp_path: Path) -> None:
    path = _write(tmp_path, ORDERS)
    with pytest.raises(FileNotFoundError, match=r"nowhere\.csv"):
        read_csv(tmp_path / "nowhere.csv")
    with pytest.raises(InvalidInputError, match="delimiter"):
        read_csv(path, delimiter="ab")
    with pytest.raises(InvalidInputError, match="id_type"):
        read_csv(path, id_type=float)  # type: ignore[arg-type]
    with pytest.raises(UnknownCodeError, match=r"engine='arrow'.*'pyarrow'"):
        read_csv(path, engine="arrow")  # type: ignore[arg-type]


def test_pyarrow_engine_needs_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow.csv", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'ecomstrat\[pyarrow\]'"):
        read_csv(_write(tmp_path, ORDERS), engine="pyarrow")


# --- the CDNOW reference files ---------------------------------------------------------------


def _cdnow_master(path: Path, engine: str = "auto") -> TransactionLog:
    return read_csv(
        path / "cdnow_master.txt",
        delimiter="whitespace",
        time="date",
        amount="dollar_value",
        time_format="%Y%m%d",
        engine=engine,
    )  # type: ignore[arg-type]


def _cdnow_sample(path: Path, engine: str = "auto") -> TransactionLog:
    return read_csv(
        path / "cdnow_sample.txt",
        delimiter="whitespace",
        header=False,
        customer_id=0,
        time=2,
        amount=4,
        time_format="%Y%m%d",
        engine=engine,
    )  # type: ignore[arg-type]


@pytest.mark.reference_data
def test_cdnow_master(shared_data: Path, engine: str) -> None:
    log = _cdnow_master(shared_data, engine)
    assert (log.n_transactions, log.n_customers) == (69_659, 23_570)
    assert log.customer_ids[:2].tolist() == ["00001", "00002"]
    assert log.times.min() == np.datetime64("1997-01-01")
    assert log.times.max() == np.datetime64("1998-06-30")
    assert log.amounts[0] == 11.77


@pytest.mark.reference_data
def test_cdnow_sample(shared_data: Path, engine: str) -> None:
    log = _cdnow_sample(shared_data, engine)
    assert (log.n_transactions, log.n_customers) == (6_919, 2_357)
    assert log.customer_ids[0] == "00004"
    ints = read_csv(
        shared_data / "cdnow_sample.txt",
        delimiter="whitespace",
        header=False,
        customer_id=0,
        time=2,
        amount=4,
        time_format="%Y%m%d",
        id_type=int,
    )
    assert ints.customer_ids[0] == 4
    np.testing.assert_array_equal(ints.customer_index, log.customer_index)


@pytest.mark.reference_data
def test_cdnow_pyarrow_engine_does_not_fall_back(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyarrow")
    expected = _cdnow_master(shared_data, "python")

    def refuse(*args: object) -> TransactionLog:
        raise AssertionError("the pyarrow engine fell back to the reference reader")

    monkeypatch.setattr(csv_module, "_read_python", refuse)
    assert_same_log(_cdnow_master(shared_data, "pyarrow"), expected)
    _cdnow_sample(shared_data, "pyarrow")


def test_comma_file_pyarrow_engine_does_not_fall_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyarrow")
    path = _write(tmp_path, ORDERS)
    expected = read_csv(path, engine="python", margin="margin")
    monkeypatch.setattr(csv_module, "_read_python", lambda *args: None)
    assert_same_log(read_csv(path, engine="pyarrow", margin="margin"), expected)


@pytest.mark.reference_data
def test_cdnow_matches_the_pandas_path(shared_data: Path) -> None:
    pd = pytest.importorskip("pandas")
    from ecomstrat.io import log_from_pandas

    df = pd.read_csv(shared_data / "cdnow_master.txt", sep=r"\s+", dtype={"customer_id": str})
    df["date"] = pd.to_datetime(df["date"].astype(str), format="%Y%m%d")
    expected = log_from_pandas(df, time="date", amount="dollar_value")
    assert_same_log(_cdnow_master(shared_data), expected)
