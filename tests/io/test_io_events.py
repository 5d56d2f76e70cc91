"""Event adapters: pandas, polars and CSV give the same EventLog, and word errors the same way."""

from __future__ import annotations

import io

import numpy as np
import pytest

from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError
from ecomstrat.frames.events import EventLog
from ecomstrat.io.events import events_from_pandas, events_from_polars, read_events_csv

CSV = (
    "customer_id,event_type,time,session,channel,campaign,amount\n"
    "c1,visit,2024-01-01T10:00:00,s1,email,spring,\n"
    "c1,purchase,2024-01-01T10:05:00,s1,email,spring,25.5\n"
    "c2,visit,2024-01-02T09:00:00,s2,,,\n"
)
OPTIONAL = {
    "session_id": "session",
    "channel": "channel",
    "campaign": "campaign",
    "amount": "amount",
}


def _expected() -> EventLog:
    return EventLog.from_arrays(
        ["c1", "c1", "c2"],
        ["visit", "purchase", "visit"],
        ["2024-01-01T10:00", "2024-01-01T10:05", "2024-01-02T09:00"],
        session_ids=["s1", "s1", "s2"],
        channels=["email", "email", None],
        campaigns=["spring", "spring", None],
        amounts=[np.nan, 25.5, np.nan],
    )


def _same(got: EventLog, want: EventLog) -> None:
    for name, values in want.columns().items():
        np.testing.assert_array_equal(got.columns()[name], values, err_msg=name)


def test_csv_reads_every_column():
    _same(read_events_csv(io.StringIO(CSV), **OPTIONAL), _expected())


def test_csv_file_and_positions(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(CSV.split("\n", 1)[1], encoding="utf-8")
    events = read_events_csv(path, customer_id=0, event_type=1, time=2, amount=6, header=False)
    assert events.amounts is not None
    assert events.amounts[1] == 25.5
    assert events.n_actors == 2


def test_pandas_matches_csv():
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(io.StringIO(CSV), dtype={"channel": object, "campaign": object})
    df["time"] = pd.to_datetime(df["time"])
    _same(events_from_pandas(df, **OPTIONAL), _expected())


def test_polars_matches_csv():
    pl = pytest.importorskip("polars")
    df = pl.read_csv(io.StringIO(CSV).read().encode())
    _same(events_from_polars(df, **OPTIONAL), _expected())


def test_missing_column_lists_the_columns():
    with pytest.raises(UnknownCodeError, match="customer_id"):
        read_events_csv(io.StringIO(CSV), event_type="kind")
    pd = pytest.importorskip("pandas")
    with pytest.raises(UnknownCodeError, match="kind"):
        events_from_pandas(pd.DataFrame({"customer_id": [1], "time": ["2024-01-01"]}),
                           event_type="kind")  # fmt: skip


def test_bad_cells_are_named():
    bad_amount = CSV.replace("25.5", "abc")
    with pytest.raises(InvalidInputError, match="line 3, column 'amount'"):
        read_events_csv(io.StringIO(bad_amount), amount="amount")
    negative = CSV.replace("25.5", "-1")
    with pytest.raises(InvalidInputError, match="line 3, column 'amount'"):
        read_events_csv(io.StringIO(negative), amount="amount")
    no_type = CSV.replace("c2,visit", "c2,")
    with pytest.raises(InvalidInputError, match="line 4, column 'event_type'"):
        read_events_csv(io.StringIO(no_type))
    bad_time = CSV.replace("2024-01-02T09:00:00", "yesterday")
    with pytest.raises(InvalidInputError, match="line 4, column 'time'"):
        read_events_csv(io.StringIO(bad_time))


def test_pandas_errors():
    pd = pytest.importorskip("pandas")
    with pytest.raises(EmptyInputError):
        events_from_pandas(pd.DataFrame({"customer_id": [], "event_type": [], "time": []}))
    df = pd.DataFrame(
        {"customer_id": ["a"], "event_type": [None], "time": pd.to_datetime(["2024-01-01"])}
    )
    with pytest.raises(InvalidInputError, match=r"df\['event_type'\].iloc\[0\]"):
        events_from_pandas(df)
    df = pd.DataFrame(
        {"customer_id": ["a"], "event_type": ["x"], "time": ["2024-01-01"], "amount": ["1"]}
    )
    with pytest.raises(InvalidInputError, match="numeric"):
        events_from_pandas(df, amount="amount")


def test_empty_csv():
    with pytest.raises(EmptyInputError):
        read_events_csv(io.StringIO("customer_id,event_type,time\n"))
    with pytest.raises(FileNotFoundError):
        read_events_csv("/nonexistent/events.csv")
