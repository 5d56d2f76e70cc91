from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import given

from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.io import log_from_arrow, log_from_pandas, log_from_polars, read_csv
from ecomstrat.io.csv import _has_pyarrow
from tests.io._logs import assert_same_log, logs


def _margin(log: TransactionLog) -> str | None:
    return None if log.margins is None else "margin"


@given(logs())
def test_pandas_round_trip(log: TransactionLog) -> None:
    pytest.importorskip("pandas")
    back = log_from_pandas(log.to_pandas(), margin=_margin(log), currency=log.currency)
    assert_same_log(back, log)


@given(logs())
def test_polars_round_trip(log: TransactionLog) -> None:
    pytest.importorskip("polars")
    back = log_from_polars(log.to_polars(), margin=_margin(log), currency=log.currency)
    assert_same_log(back, log)


@given(logs())
def test_arrow_round_trip(log: TransactionLog) -> None:
    pytest.importorskip("pyarrow")
    back = log_from_arrow(log.to_arrow(), margin=_margin(log), currency=log.currency)
    assert_same_log(back, log)


def _to_csv(log: TransactionLog) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    columns = log.columns()
    writer.writerow(list(columns))
    stamps = np.datetime_as_string(log.times, unit="us")
    if log.timezone == "UTC":
        stamps = np.char.add(stamps, "Z")
    columns["time"] = stamps
    for row in zip(*(values.tolist() for values in columns.values()), strict=True):
        writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
    return out.getvalue()


@given(logs())
def test_csv_round_trip(tmp_path_factory: pytest.TempPathFactory, log: TransactionLog) -> None:
    path = tmp_path_factory.mktemp("csv") / "log.csv"
    path.write_text(_to_csv(log), encoding="utf-8", newline="")
    id_type = int if log.customer_ids.dtype.kind == "i" else str
    engines = ["python", "pyarrow"] if _has_pyarrow() else ["python"]
    for engine in engines:
        back = read_csv(
            path, margin=_margin(log), currency=log.currency, id_type=id_type, engine=engine
        )  # type: ignore[arg-type]
        assert_same_log(back, log)
