"""Adapters from pandas, polars and CSV to Tickets."""

from __future__ import annotations

import io

import numpy as np
import pytest

from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.io import read_tickets_csv, tickets_from_pandas, tickets_from_polars

CSV = (
    "id,customer,opened,first,resolved,channel,category\n"
    "t1,7,2024-01-05T10:00,2024-01-05T10:20,2024-01-05T15:00,email,delivery\n"
    "t2,3,2024-01-06T09:00,,,chat,\n"
    "t3,7,2024-01-07,2024-01-07T01:00,2024-01-08,,returns\n"
)
ARGS = {
    "ticket_id": "id",
    "customer_id": "customer",
    "first_response": "first",
    "resolved": "resolved",
    "channel": "channel",
    "category": "category",
}


def _check(t: object) -> None:
    from ecomstrat.frames.tickets import Tickets

    assert isinstance(t, Tickets)
    assert t.n_tickets == 3
    assert t.n_resolved == 2
    assert t.channel_codes is not None
    assert t.channel_codes.tolist() == [0, 1, -1]
    assert t.category_codes is not None
    assert t.category_codes.tolist() == [0, -1, 1]
    assert t.customer_index is not None
    assert t.customer_index.tolist() == [0, 1, 0]
    assert t.resolved is not None
    assert np.isnat(t.resolved).tolist() == [False, True, False]
    assert str(t.resolved[0]) == "2024-01-05T15:00:00.000000000"


def test_read_csv() -> None:
    t = read_tickets_csv(io.StringIO(CSV), **ARGS)
    _check(t)
    assert t.ticket_ids is not None
    assert t.ticket_ids.tolist() == ["t1", "t2", "t3"]


def test_read_csv_from_path_and_positions(tmp_path: object) -> None:
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "tickets.csv"
    path.write_text(CSV.split("\n", 1)[1], encoding="utf-8")
    t = read_tickets_csv(path, header=False, opened=2, resolved=4, customer_id=1, id_type=int)
    assert t.n_resolved == 2
    assert t.customer_ids is not None
    assert t.customer_ids.tolist() == [7, 3]


def test_read_csv_errors_name_line_and_column() -> None:
    bad = "opened,resolved\n2024-01-02,\n2024-01-02,garbage\n"
    with pytest.raises(InvalidInputError, match=r"line 3, column 'resolved'"):
        read_tickets_csv(io.StringIO(bad), resolved="resolved")
    early = "opened,resolved\n2024-01-02,2024-01-01\n"
    with pytest.raises(InvalidInputError, match="before the ticket was opened"):
        read_tickets_csv(io.StringIO(early), resolved="resolved")
    with pytest.raises(EmptyInputError):
        read_tickets_csv(io.StringIO("opened\n"))
    with pytest.raises(FileNotFoundError):
        read_tickets_csv("/nonexistent/tickets.csv")


def test_from_pandas() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(io.StringIO(CSV), dtype={"id": str})
    _check(tickets_from_pandas(df, **ARGS))
    df["resolved"] = pd.to_datetime(df["resolved"], format="ISO8601")  # datetime64 with NaT
    _check(tickets_from_pandas(df, **ARGS))
    df.loc[1, "resolved"] = pd.Timestamp("2023-01-01")
    with pytest.raises(InvalidInputError, match=r"resolved\[1\]"):
        tickets_from_pandas(df, **ARGS)


def test_from_pandas_bad_time_names_the_cell() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"opened": ["2024-01-01", "2024-01-02"], "resolved": [None, "nonsense"]})
    with pytest.raises(InvalidInputError, match=r"iloc\[1\]"):
        tickets_from_pandas(df, resolved="resolved")


def test_from_polars() -> None:
    pl = pytest.importorskip("polars")
    df = pl.read_csv(io.StringIO(CSV), schema_overrides={"customer": pl.Int64})
    _check(tickets_from_polars(df, **ARGS))
    df = df.with_columns(pl.col("resolved").str.to_datetime())
    _check(tickets_from_polars(df, **ARGS))
