"""TransactionLog and CustomerSummary: construction, invariants and errors."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat import (
    CustomerSummary,
    EmptyInputError,
    InvalidInputError,
    TimeUnit,
    TransactionLog,
)

TIMES = ["2024-01-01", "2024-01-02", "2024-01-03"]


@given(ids=st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=50))
def test_factorize_integer_ids(ids: list[int]) -> None:
    times = np.full(len(ids), np.datetime64("2024-01-01", "ns"))
    log = TransactionLog.from_arrays(np.array(ids), times, np.ones(len(ids)))
    np.testing.assert_array_equal(log.customer_ids, list(dict.fromkeys(ids)))  # first appearance
    np.testing.assert_array_equal(log.customer_ids[log.customer_index], ids)


def test_compact_and_sparse_integer_ids_agree() -> None:
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 1000, 5000)  # compact: direct addressing
    sparse = ids * 10**9  # sparse: hash table
    times = np.full(ids.size, np.datetime64("2024-01-01", "ns"))
    a = TransactionLog.from_arrays(ids, times, np.ones(ids.size))
    b = TransactionLog.from_arrays(sparse, times, np.ones(ids.size))
    np.testing.assert_array_equal(a.customer_index, b.customer_index)
    np.testing.assert_array_equal(a.customer_ids * 10**9, b.customer_ids)


def test_string_ids_and_repr() -> None:
    log = TransactionLog.from_arrays(["x", "y", "x"], TIMES, [1.0, 2.0, 3.0], currency="eur")
    assert log.customer_ids.tolist() == ["x", "y"]
    assert log.currency == "EUR"
    assert "3 orders, 2 customers" in repr(log)
    assert log.columns()["customer_id"].tolist() == ["x", "y", "x"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"amounts": [1.0, -2.0, 3.0]}, r"amounts\[1\]=.*-2.0.*customer 'b'.*>= 0"),
        ({"amounts": [1.0, float("nan"), 3.0]}, r"amounts\[1\]=.*nan.*finite"),
        ({"times": ["2024-01-01", "NaT", "2024-01-03"]}, r"times\[1\].*missing"),
        ({"customer_ids": ["a", None, "c"]}, r"customer_ids\[1\]=None.*missing"),
        ({"customer_ids": [1.0, 2.0, 3.0]}, r"integers or strings"),
        ({"amounts": [1.0, 2.0]}, r"equal lengths"),
        ({"currency": "XYZ"}, r"XYZ"),
        (
            {
                "times": [
                    dt.datetime(2024, 1, 1),
                    dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
                    dt.datetime(2024, 1, 3),
                ]
            },
            r"times\[1\].*naive and timezone-aware",
        ),
    ],
)
def test_invalid_logs(kwargs: dict, match: str) -> None:
    args = {"customer_ids": ["a", "b", "c"], "times": TIMES, "amounts": [1.0, 2.0, 3.0]}
    currency = kwargs.pop("currency", None)
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=match):
        TransactionLog.from_arrays(**args, currency=currency)


def test_empty_log() -> None:
    with pytest.raises(EmptyInputError):
        TransactionLog.from_arrays([], [], [])


def test_constructor_checks_factorized_input() -> None:
    times = np.array(TIMES, dtype="datetime64[ns]")
    with pytest.raises(InvalidInputError, match="customer_index"):
        TransactionLog(np.array([0, 1, 2]), np.array(["a", "b"]), times, np.ones(3))
    with pytest.raises(InvalidInputError, match="duplicated"):
        TransactionLog(np.array([0, 1, 0]), np.array(["a", "a"]), times, np.ones(3))
    with pytest.raises(InvalidInputError, match="no order"):
        TransactionLog(np.array([0, 0, 0]), np.array(["a", "b"]), times, np.ones(3))
    with pytest.raises(InvalidInputError, match="float64"):
        TransactionLog(np.array([0, 1, 0]), np.array(["a", "b"]), times, np.ones(3, dtype=int))


def test_summary_from_arrays_and_invariants() -> None:
    s = CustomerSummary.from_arrays(
        [2.0, 0], [3.0, 0.0], [5.0, 4.0], [10.0, 0.0], customer_ids=["p", "q"], time_unit="week"
    )
    assert s.frequency.dtype == np.int64
    assert s.time_unit is TimeUnit.WEEK
    assert s.take(np.array([1])).customer_ids.tolist() == ["q"]
    assert s.to_unit("day").recency.tolist() == [21.0, 0.0]
    with pytest.raises(InvalidInputError, match=r"recency\[0\].*customer 0.*<= T"):
        CustomerSummary.from_arrays([1], [6.0], [5.0])
    with pytest.raises(InvalidInputError, match=r"frequency\[0\]=2.5.*whole"):
        CustomerSummary.from_arrays([2.5], [1.0], [5.0])
    with pytest.raises(InvalidInputError, match=r"frequency\[0\]=-1"):
        CustomerSummary.from_arrays([-1], [0.0], [5.0])
    with pytest.raises(InvalidInputError, match="must be 0 when frequency is 0"):
        CustomerSummary.from_arrays([0], [1.0], [5.0])
    with pytest.raises(InvalidInputError, match=r"T\[0\]=.*nan"):
        CustomerSummary.from_arrays([0], [0.0], [float("nan")])
    with pytest.raises(InvalidInputError, match="duplicated"):
        CustomerSummary.from_arrays([0, 0], [0.0, 0.0], [1.0, 1.0], customer_ids=["a", "a"])
    with pytest.raises(EmptyInputError):
        CustomerSummary.from_arrays([], [], [])


def test_from_orders() -> None:
    from decimal import Decimal

    from ecomstrat import CurrencyMismatchError, Money, Order

    utc = dt.UTC
    orders = [
        Order(
            "o1",
            "c1",
            dt.datetime(2024, 1, 1, 10, tzinfo=utc),
            Money("20.00", "EUR"),
            cost=Money("12.00", "EUR"),
            returned=Money("5.00", "EUR"),
        ),
        Order(
            "o2",
            "c2",
            dt.datetime(2024, 1, 2, 10, tzinfo=utc),
            Money("7.50", "EUR"),
            cost=Money("2.50", "EUR"),
        ),
        Order(
            "o3",
            "c1",
            dt.datetime(2024, 1, 5, 10, tzinfo=utc),
            Money("1.25", "EUR"),
            cost=Money("1.00", "EUR"),
        ),
    ]
    log = TransactionLog.from_orders(orders)
    assert log.currency == "EUR"
    assert log.timezone == "UTC"
    assert log.customer_ids.tolist() == ["c1", "c2"]
    assert log.amounts.tolist() == [15.0, 7.5, 1.25]  # net of the 5.00 return
    assert log.margins is not None
    assert log.margins.tolist() == [3.0, 5.0, 0.25]  # net amount - cost
    gross = TransactionLog.from_orders(orders, net_of_returns=False)
    assert gross.amounts.tolist() == [20.0, 7.5, 1.25]
    mixed = [*orders, Order("o4", "c3", dt.datetime(2024, 1, 6, tzinfo=utc), Money("1", "USD"))]
    with pytest.raises(CurrencyMismatchError, match=r"orders\[3\].*USD.*EUR"):
        TransactionLog.from_orders(mixed)
    with pytest.raises(EmptyInputError):
        TransactionLog.from_orders([])
    assert Decimal("15.00") == orders[0].net_amount.amount


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        # numpy reads ["a", nan] as the strings ["a", "nan"]: the NaN must not become a customer
        (
            {"customer_ids": ["a", float("nan"), "c"]},
            r"^customer_ids\[1\]=nan is invalid: is missing. Drop rows without a customer id.$",
        ),
        (
            {"customer_ids": [True, False, True]},
            r"^customer_ids='<array of bool>' is invalid: customer ids must be integers or strings",
        ),
        (
            {"amounts": [True, False, True]},
            r"^amounts\[0\]=True is invalid: must be a number, not bool \(3 such value\(s\)\).$",
        ),
        (
            {"amounts": [1.0, "2", 3.0]},
            r"^amounts\[1\]='2' is invalid: must be a number, not str \(1 such value\(s\)\). Conv",
        ),
        ({"amounts": [[1.0, 2.0, 3.0]]}, r"^amounts='<an array of shape \(1, 3\)>' is invalid"),
        ({"customer_ids": None}, r"^customer_ids=None is invalid: must be a sequence of ids"),
        ({"times": None}, r"^times=None is invalid: must be a sequence of times"),
        ({"amounts": None}, r"^amounts=None is invalid: must be numbers, not None.$"),
    ],
)
def test_junk_logs_are_refused(kwargs: dict, match: str) -> None:
    args = {"customer_ids": ["a", "b", "c"], "times": TIMES, "amounts": [1.0, 2.0, 3.0]}
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=match):
        TransactionLog.from_arrays(**args)


def test_a_customer_named_nan_is_kept() -> None:
    log = TransactionLog.from_arrays(["a", "nan", "a"], TIMES, [1.0, 2.0, 3.0])
    assert log.customer_ids.tolist() == ["a", "nan"]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (
            ([[1, 0]], [[1.0, 0.0]], [[2.0, 2.0]]),
            r"^frequency='<an array of shape \(1, 2\)>' is invalid: must be one-dimensional",
        ),
        (
            ([1, 0], [1.0, 0.0], [2.0, 2.0], [-5.0, 0.0]),
            r"^monetary\[0\]=-5.0 \(customer 0\) is invalid: must be >= 0 \(1 such value\(s\) in"
            r" all\). monetary is the mean value of the repeat purchases; for margins, which may"
            r" be negative, summarise the log with rfm_summary\(log, monetary='margin'\).$",
        ),
        (
            (["a"], [1.0], [2.0]),
            r"^frequency\[0\]='a' is invalid: must be a number, not str \(1 such value\(s\)\).",
        ),
        (([1], ["1.0"], [2.0]), r"^recency\[0\]='1.0' is invalid: must be a number, not str"),
        ((None, [1.0], [2.0]), r"^frequency=None is invalid: must be numbers, not None.$"),
    ],
)
def test_junk_summaries_are_refused(args: tuple, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        CustomerSummary.from_arrays(*args)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([99], r"^rows\[0\]=99 is invalid: must lie in \[-2, 2\) \(there are 2 rows\).$"),
        ([0, -3], r"^rows\[1\]=-3 is invalid: must lie in \[-2, 2\)"),
        ([0.5], r"^rows\[0\]=0.5 is invalid: must be a whole-number position or a boolean."),
        (["a"], r"^rows\[0\]='a' is invalid: must be a whole-number position"),
        ([True], r"^rows='<boolean mask of length 1>' is invalid: must have one entry per row"),
        (1, r"^rows='<int>' is invalid: must be a one-dimensional array of positions"),
        ([[0]], r"^rows='<array of shape \(1, 1\)>' is invalid: must be a one-dimensional"),
    ],
)
def test_take_refuses_bad_rows(rows: object, match: str) -> None:
    s = CustomerSummary.from_arrays([1, 0], [1.0, 0.0], [2.0, 2.0], customer_ids=["p", "q"])
    with pytest.raises(InvalidInputError, match=match):
        s.take(rows)  # type: ignore[arg-type]
    assert s.take([-1]).customer_ids.tolist() == ["q"]
    assert s.take(np.array([False, True])).customer_ids.tolist() == ["q"]


@pytest.mark.parametrize(
    "times",
    [
        ["2024-01-01", "9999-01-01", "2024-01-03"],  # numpy would wrap it to 1815-03-31
        ["2024-01-01", dt.datetime(9999, 1, 1), "2024-01-03"],
        np.array(["2024-01-01", "9999-01-01", "2024-01-03"], dtype="datetime64[D]"),
    ],
)
def test_times_outside_the_nanosecond_range_are_refused(times: object) -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"^times\[1\]='9999-01-01.*' is invalid: is outside the datetime64\[ns\] range"
        r" \(1677-09-21 to 2262-04-11\)\. Drop or correct that row\.$",
    ):
        TransactionLog.from_arrays(["a", "b", "c"], times, [1.0, 2.0, 3.0])  # type: ignore[arg-type]


def test_frequencies_too_large_for_int64_are_refused() -> None:
    with pytest.raises(
        InvalidInputError, match=r"^frequency\[0\]=1e\+20 is invalid: must be a whole number"
    ):
        CustomerSummary.from_arrays([1e20], [1.0], [2.0])
