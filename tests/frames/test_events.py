"""The event log frame: factorised ids, types, labels; invariants and errors."""

from __future__ import annotations

import numpy as np
import pytest

from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.frames.events import EventLog


def test_from_arrays_factorises_every_column():
    events = EventLog.from_arrays(
        [7, 3, 7],
        ["visit", "visit", "purchase"],
        ["2024-01-01T10:00", "2024-01-02", "2024-01-01T10:05"],
        session_ids=["s1", "s2", "s1"],
        campaigns=["spring", None, ""],
        channels=["email", "social", "email"],
        amounts=[np.nan, np.nan, 12.5],
    )
    assert events.actor_ids.tolist() == [7, 3]
    assert events.actor_index.tolist() == [0, 1, 0]
    assert events.event_names.tolist() == ["visit", "purchase"]
    assert events.event_codes.tolist() == [0, 0, 1]
    assert events.session_index is not None
    assert events.session_index.tolist() == [0, 1, 0]
    assert events.campaign_codes is not None
    assert events.campaign_codes.tolist() == [0, -1, -1]
    assert events.channel_names is not None
    assert events.channel_names.tolist() == ["email", "social"]
    assert events.n_events == len(events) == 3
    assert events.n_actors == 2
    assert "3 events, 2 actors" in repr(events)


def test_columns_give_back_the_original_values():
    events = EventLog.from_arrays(
        ["a", "b"], ["visit", "signup"], ["2024-01-01", "2024-01-02"], channels=["x", None]
    )
    columns = events.columns()
    assert columns["actor_id"].tolist() == ["a", "b"]
    assert columns["event_type"].tolist() == ["visit", "signup"]
    assert columns["channel"].tolist() == ["x", None]
    assert "amount" not in columns
    assert "session" not in columns


def test_arrays_are_read_only():
    events = EventLog.from_arrays(["a"], ["visit"], ["2024-01-01"])
    with pytest.raises(ValueError, match="read-only"):
        events.actor_index[0] = 1


def test_to_pandas():
    pd = pytest.importorskip("pandas")
    events = EventLog.from_arrays(["a"], ["visit"], ["2024-01-01"], amounts=[1.0])
    frame = events.to_pandas()
    assert list(frame.columns) == ["actor_id", "event_type", "time", "amount"]
    assert frame["time"].dtype == np.dtype("datetime64[ns]")
    assert isinstance(frame, pd.DataFrame)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"actor_ids": ["a", None]}, "actor_ids"),
        ({"event_types": ["visit"]}, "equal lengths"),
        ({"event_types": [1, 2]}, "event_types"),
        ({"times": ["2024-01-01", None]}, "times"),
        ({"amounts": [1.0, -2.0]}, "amounts"),
        ({"amounts": [1.0, np.inf]}, "amounts"),
        ({"channels": ["x", 3]}, r"channels\[1\]"),
        ({"campaigns": ["x"]}, "equal lengths"),
        ({"session_ids": ["s", None]}, "session_ids"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    arguments = {
        "actor_ids": ["a", "b"],
        "event_types": ["visit", "visit"],
        "times": ["2024-01-01", "2024-01-02"],
    }
    arguments.update(kwargs)
    actor_ids = arguments.pop("actor_ids")
    event_types = arguments.pop("event_types")
    times = arguments.pop("times")
    with pytest.raises(InvalidInputError, match=match):
        EventLog.from_arrays(actor_ids, event_types, times, **arguments)


def test_empty_log_is_refused():
    with pytest.raises(EmptyInputError):
        EventLog.from_arrays([], [], [])


def test_constructor_checks_codes():
    with pytest.raises(InvalidInputError, match="actor_index"):
        EventLog(
            np.array([0, 2]),
            np.array(["a", "b"]),
            np.array([0, 0]),
            np.array(["visit"]),
            np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[ns]"),
        )
