"""Helpers shared by the io tests: log equality and a hypothesis strategy of small logs."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import strategies as st

from ecomstrat.frames.transaction_log import TransactionLog

#: The small order table the pandas, polars and Arrow tests build their frames from.
IDS = ["c2", "c1", "c2", "c3"]
TIMES = [
    dt.datetime(2024, 1, 5),
    dt.datetime(2024, 1, 1, 10, 30),
    dt.datetime(2024, 2, 1),
    dt.datetime(2024, 3, 1),
]
AMOUNTS = [12.0, 30.0, 8.5, 0.0]
MARGINS = [2.0, -1.0, 1.5, 0.0]


def expected_log(currency: str) -> TransactionLog:
    """The table above, built with :meth:`TransactionLog.from_arrays`."""
    return TransactionLog.from_arrays(IDS, TIMES, AMOUNTS, margins=MARGINS, currency=currency)


def assert_same_log(got: TransactionLog, expected: TransactionLog) -> None:
    """Equal arrays with equal dtypes, same currency and timezone."""
    for field in ("customer_index", "customer_ids", "times", "amounts"):
        a, b = getattr(got, field), getattr(expected, field)
        assert a.dtype == b.dtype, (field, a.dtype, b.dtype)
        np.testing.assert_array_equal(a, b, err_msg=field)
    if expected.margins is None:
        assert got.margins is None
    else:
        assert got.margins is not None
        np.testing.assert_array_equal(got.margins, expected.margins)
    assert got.currency == expected.currency
    assert got.timezone == expected.timezone


_ids = st.one_of(
    st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=6, unique=True),
    st.lists(st.integers(0, 30), min_size=1, max_size=6, unique=True),
    st.lists(
        st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=5),
        min_size=1,
        max_size=6,
        unique=True,
    ),
)
_times = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1))
_amounts = st.floats(0.0, 1e9, allow_nan=False, allow_infinity=False)
_margins = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


@st.composite
def logs(draw: st.DrawFn) -> TransactionLog:
    """Small logs: int or str ids, naive or UTC times, with or without margins."""
    customers = draw(_ids)
    n = draw(st.integers(len(customers), len(customers) + 8))
    picks = draw(st.lists(st.sampled_from(customers), min_size=n - len(customers), max_size=n))
    ids = draw(st.permutations(customers + picks))
    times = np.array(draw(st.lists(_times, min_size=len(ids), max_size=len(ids))), "M8[ns]")
    amounts = draw(st.lists(_amounts, min_size=len(ids), max_size=len(ids)))
    margins = draw(st.none() | st.lists(_margins, min_size=len(ids), max_size=len(ids)))
    return TransactionLog.from_arrays(
        np.array(ids),
        times,
        amounts,
        margins=margins,
        currency=draw(st.sampled_from([None, "USD", "EUR"])),
        timezone=draw(st.sampled_from([None, "UTC"])),
    )
