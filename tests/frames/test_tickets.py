"""The Tickets frame: construction, NaT as "not yet", validation, export."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.frames.tickets import Tickets

NAT = np.datetime64("NaT", "ns")


def test_from_arrays_codes_labels_and_missing_times() -> None:
    t = Tickets.from_arrays(
        ["2024-01-01T09:00", "2024-01-01T10:00", "2024-01-02"],
        first_response=["2024-01-01T09:30", None, ""],
        resolved=[np.datetime64("2024-01-01T12:00"), NAT, float("nan")],
        channel=["email", None, "email"],
        category=["late", "refund", ""],
        customer_ids=["c1", "c2", "c1"],
        ticket_ids=[10, 11, 12],
    )
    assert t.n_tickets == 3
    assert len(t) == 3
    assert t.n_resolved == 1
    assert t.channel_codes.tolist() == [0, -1, 0]
    assert t.category_codes.tolist() == [0, 1, -1]
    assert t.customer_index.tolist() == [0, 1, 0]
    assert np.isnat(t.first_response).tolist() == [False, True, True]
    cols = t.columns()
    assert list(cols) == [
        "ticket_id", "customer_id", "opened", "first_response", "resolved", "channel", "category"
    ]  # fmt: skip
    assert cols["channel"].tolist() == ["email", None, "email"]
    assert not t.opened.flags.writeable


def test_optional_columns_stay_none() -> None:
    t = Tickets.from_arrays(["2024-01-01"])
    assert t.first_response is None
    assert t.resolved is None
    assert t.channel_codes is None
    assert t.n_resolved == 0
    assert list(t.columns()) == ["opened"]
    assert "1 tickets" in repr(t)


def test_aware_times_are_utc() -> None:
    utc = dt.UTC
    t = Tickets.from_arrays(
        [dt.datetime(2024, 1, 1, 10, tzinfo=utc)],
        resolved=[dt.datetime(2024, 1, 1, 12, tzinfo=utc)],
    )
    assert t.timezone == "UTC"
    with pytest.raises(InvalidInputError, match="resolved"):
        Tickets.from_arrays(
            [dt.datetime(2024, 1, 1, 10, tzinfo=utc)], resolved=[dt.datetime(2024, 1, 1, 12)]
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"resolved": ["2023-12-31"]}, r"resolved\[0\].*before the ticket was opened"),
        ({"first_response": ["2023-12-31T23:59"]}, r"first_response\[0\]"),
        ({"resolved": ["2024-01-02", "2024-01-03"]}, "resolved"),
        ({"resolved": ["not a date"]}, r"resolved\[0\]"),
        ({"channel": [3]}, r"channel\[0\]"),
        ({"ticket_ids": ["a", "a"]}, "duplicated"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, object], match: str) -> None:
    opened = ["2024-01-01"] * (2 if "ticket_ids" in kwargs else 1)
    with pytest.raises(InvalidInputError, match=match):
        Tickets.from_arrays(opened, **kwargs)  # type: ignore[arg-type]


def test_missing_opening_and_empty_input() -> None:
    with pytest.raises(InvalidInputError, match=r"opened\[1\]"):
        Tickets.from_arrays(["2024-01-01", None])
    with pytest.raises(InvalidInputError, match="NaT"):
        Tickets.from_arrays(np.array(["2024-01-01", "NaT"], dtype="datetime64[ns]"))
    with pytest.raises(EmptyInputError):
        Tickets.from_arrays([])
    with pytest.raises(InvalidInputError, match="opened"):
        Tickets.from_arrays("2024-01-01")  # type: ignore[arg-type]


def test_input_not_mutated() -> None:
    resolved = np.array(["2024-01-02", "NaT"], dtype="datetime64[ns]")
    before = resolved.copy()
    Tickets.from_arrays(["2024-01-01", "2024-01-01"], resolved=resolved)
    assert np.array_equal(resolved, before, equal_nan=True)


def test_export_to_pandas() -> None:
    pd = pytest.importorskip("pandas")
    t = Tickets.from_arrays(["2024-01-01", "2024-01-02"], resolved=["2024-01-03", None])
    df = t.to_pandas()
    assert df["resolved"].isna().tolist() == [False, True]
    assert isinstance(df, pd.DataFrame)
