"""rfm_summary and calibration_holdout_summary: hand-checked cases, properties, errors."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat import (
    EmptyInputError,
    InvalidInputError,
    TimeUnit,
    TransactionLog,
    UnknownCodeError,
    calibration_holdout_summary,
    rfm_summary,
)

DAY = np.timedelta64(1, "D")
START = np.datetime64("2024-01-01", "ns")


def small_log() -> TransactionLog:
    return TransactionLog.from_arrays(
        ["b", "a", "a", "a", "b", "c"],
        [
            "2024-01-10T12:00",  # b: first purchase, day 9
            "2024-01-01T08:00",  # a: first purchase, day 0
            "2024-01-01T20:00",  # a: same day -> collapses with the one above
            "2024-01-22T10:00",  # a: day 21
            "2024-01-31T23:59",  # b: day 30
            "2024-02-05T09:00",  # c: day 35
        ],
        [8.0, 10.0, 5.0, 20.0, 4.0, 3.0],
    )


def test_hand_checked_daily() -> None:
    s = rfm_summary(small_log(), observation_end="2024-02-10")  # day 40
    assert s.customer_ids.tolist() == ["b", "a", "c"]  # order of first appearance in the log
    # b: days {9, 30} -> x=1, t_x=21, T=31; repeat value 4; total 12
    # a: purchase days {0, 21} -> x=1, t_x=21, T=40; repeat value 20; total 10+5+20=35
    # c: day {35} -> x=0, t_x=0, T=5; monetary 0 by convention
    assert s.frequency.tolist() == [1, 1, 0]
    assert s.recency.tolist() == [21.0, 21.0, 0.0]
    assert s.T.tolist() == [31.0, 40.0, 5.0]
    assert s.monetary.tolist() == [4.0, 20.0, 0.0]
    assert s.total_value.tolist() == [12.0, 35.0, 3.0]
    assert s.first_purchase[1] == np.datetime64("2024-01-01", "ns")
    assert s.time_unit is TimeUnit.DAY
    assert s.period is TimeUnit.DAY


def test_weekly_units_and_periods() -> None:
    log = small_log()
    weeks = rfm_summary(log, observation_end="2024-02-10", time_unit="week")
    np.testing.assert_allclose(weeks.T, [31 / 7, 40 / 7, 5 / 7])
    # weekly periods (ISO weeks from Monday 2024-01-01): a buys in weeks 0 and 3,
    # b in weeks 1 and 4 (Wed 31 Jan), c in week 5 (Mon 5 Feb); observation end in week 5.
    per_week = rfm_summary(log, observation_end="2024-02-10", time_unit="week", period="week")
    assert per_week.frequency.tolist() == [1, 1, 0]
    assert per_week.recency.tolist() == [3.0, 3.0, 0.0]
    assert per_week.T.tolist() == [4.0, 5.0, 0.0]


def test_default_observation_end_is_last_order() -> None:
    s = rfm_summary(small_log())
    assert s.observation_end == np.datetime64("2024-02-05T09:00", "ns")
    assert s.T.tolist() == [26.0, 35.0, 0.0]


def test_margin_value() -> None:
    log = TransactionLog.from_arrays(
        [1, 1, 1],
        ["2024-01-01", "2024-01-05", "2024-01-09"],
        [10.0, 20.0, 30.0],
        margins=[2.0, -1.0, 5.0],
    )
    s = rfm_summary(log, monetary="margin")
    assert s.monetary.tolist() == [2.0]  # (-1 + 5) / 2
    assert s.total_value.tolist() == [6.0]
    with pytest.raises(InvalidInputError, match="margins"):
        rfm_summary(small_log(), monetary="margin")
    with pytest.raises(UnknownCodeError, match="value"):
        rfm_summary(small_log(), monetary="revenue")  # type: ignore[arg-type]


def test_calibration_holdout_hand_checked() -> None:
    split = calibration_holdout_summary(
        small_log(), calibration_end="2024-01-25", observation_end="2024-02-10"
    )
    # c first buys after the calibration end: excluded. a: calibration days {0, 21}, no holdout.
    # b: calibration day {9}, holdout day 30 (value 4).
    assert split.n_excluded == 1
    assert split.calibration.customer_ids.tolist() == ["b", "a"]
    assert split.calibration.frequency.tolist() == [0, 1]
    assert split.calibration.T.tolist() == [15.0, 24.0]
    assert split.frequency_holdout.tolist() == [1, 0]
    assert split.monetary_holdout.tolist() == [4.0, 0.0]
    assert split.duration_holdout == 16.0
    assert set(split.columns()) >= {"frequency_holdout", "monetary_holdout", "duration_holdout"}


def test_aware_times_use_utc_days() -> None:
    berlin = dt.timezone(dt.timedelta(hours=1))
    times = [
        dt.datetime(2024, 1, 2, 0, 30, tzinfo=berlin),  # 2024-01-01 23:30 UTC
        dt.datetime(2024, 1, 1, 22, 0, tzinfo=dt.UTC),  # same UTC day
        dt.datetime(2024, 1, 3, 12, 0, tzinfo=dt.UTC),
    ]
    log = TransactionLog.from_arrays([7, 7, 7], times, [1.0, 2.0, 3.0])
    assert log.timezone == "UTC"
    s = rfm_summary(log, observation_end=dt.datetime(2024, 1, 4, tzinfo=dt.UTC))
    assert s.frequency.tolist() == [1]
    assert s.T.tolist() == [3.0]
    with pytest.raises(InvalidInputError, match="naive"):
        rfm_summary(log, observation_end=dt.datetime(2024, 1, 4))
    assert rfm_summary(log, observation_end="2024-01-04").T.tolist() == [
        3.0
    ]  # a date string is fine


def test_errors_name_the_field_and_value() -> None:
    log = small_log()
    with pytest.raises(InvalidInputError, match=r"observation_end.*first purchase.*'c'"):
        rfm_summary(log, observation_end="2024-01-20")
    with pytest.raises(InvalidInputError, match=r"calibration_end.*after observation_end"):
        calibration_holdout_summary(log, calibration_end="2024-03-01", observation_end="2024-02-01")
    with pytest.raises(EmptyInputError, match="calibration_end"):
        calibration_holdout_summary(log, calibration_end="2023-12-01", observation_end="2024-02-01")
    with pytest.raises(UnknownCodeError, match="fortnight"):
        rfm_summary(log, time_unit="fortnight")
    with pytest.raises(InvalidInputError, match="observation_end"):
        rfm_summary(log, observation_end="not a date")
    aware = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    with pytest.raises(InvalidInputError, match="aware"):
        rfm_summary(log, observation_end=aware)


@st.composite
def logs(draw: st.DrawFn) -> TransactionLog:
    n = draw(st.integers(1, 60))
    ids = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    minutes = draw(st.lists(st.integers(0, 60 * 24 * 120), min_size=n, max_size=n))
    cents = draw(st.lists(st.integers(0, 50_000), min_size=n, max_size=n))
    times = START + np.array(minutes) * np.timedelta64(1, "m")
    return TransactionLog.from_arrays(np.array(ids), times, np.array(cents) / 100.0)


def _permuted(log: TransactionLog, order: np.ndarray) -> TransactionLog:
    return TransactionLog.from_arrays(
        log.customer_ids[log.customer_index][order], log.times[order], log.amounts[order]
    )


def _assert_same(a, b) -> None:  # type: ignore[no-untyped-def]
    """Equal summaries up to the order of customers (first appearance in each log)."""
    a, b = a.take(np.argsort(a.customer_ids)), b.take(np.argsort(b.customer_ids))
    np.testing.assert_array_equal(a.customer_ids, b.customer_ids)
    np.testing.assert_array_equal(a.frequency, b.frequency)
    np.testing.assert_allclose(a.recency, b.recency)
    np.testing.assert_allclose(a.T, b.T)
    np.testing.assert_allclose(a.monetary, b.monetary, rtol=1e-12)
    np.testing.assert_allclose(a.total_value, b.total_value, rtol=1e-12)


END = START + 130 * DAY


@given(log=logs(), seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(log: TransactionLog, seed: int) -> None:
    order = np.random.default_rng(seed).permutation(log.n_transactions)
    _assert_same(
        rfm_summary(log, observation_end=END),
        rfm_summary(_permuted(log, order), observation_end=END),
    )


@given(log=logs(), cut=st.integers(0, 10))
def test_splitting_customers_and_concatenating(log: TransactionLog, cut: int) -> None:
    whole = rfm_summary(log, observation_end=END)
    ids = log.customer_ids[log.customer_index]
    parts = [ids < cut, ids >= cut]
    pieces = [
        rfm_summary(_permuted(log, np.flatnonzero(mask)), observation_end=END)
        for mask in parts
        if mask.any()
    ]
    joined_ids = np.concatenate([p.customer_ids for p in pieces])
    order = np.argsort(joined_ids)
    whole = whole.take(np.argsort(whole.customer_ids))
    for field in ("customer_ids", "frequency", "recency", "T", "monetary", "total_value"):
        joined = np.concatenate([getattr(p, field) for p in pieces])[order]
        np.testing.assert_allclose(joined, getattr(whole, field), rtol=1e-12)


@given(log=logs(), unit=st.sampled_from(list(TimeUnit)), period=st.sampled_from(list(TimeUnit)))
def test_invariants(log: TransactionLog, unit: TimeUnit, period: TimeUnit) -> None:
    s = rfm_summary(log, observation_end=END, time_unit=unit, period=period)
    assert (s.recency >= 0).all()
    assert (s.recency <= s.T).all()
    assert (s.frequency[s.frequency == 0] == 0).all()
    assert (s.recency[s.frequency == 0] == 0).all()
    # frequency is the number of distinct purchase periods minus one
    days = log.times.astype("datetime64[D]").astype(np.int64)
    for code in range(log.n_customers):
        distinct = np.unique(days[log.customer_index == code]).size
        assert s.frequency[code] <= distinct - 1
        if period is TimeUnit.DAY:
            assert s.frequency[code] == distinct - 1


@given(log=logs())
def test_time_unit_equivariance(log: TransactionLog) -> None:
    days = rfm_summary(log, observation_end=END)
    weeks = rfm_summary(log, observation_end=END, time_unit="week")
    np.testing.assert_allclose(weeks.recency * 7, days.recency)
    np.testing.assert_allclose(days.to_unit("week").T, weeks.T)


@given(log=logs(), cal_day=st.integers(0, 130))
def test_calibration_and_holdout_add_up(log: TransactionLog, cal_day: int) -> None:
    cal_end = START + cal_day * DAY
    if cal_end < log.times.min().astype("datetime64[D]"):
        return
    split = calibration_holdout_summary(log, calibration_end=cal_end, observation_end=END)
    whole = rfm_summary(log, observation_end=END)
    position = {c: i for i, c in enumerate(whole.customer_ids.tolist())}
    rows = np.array([position[c] for c in split.calibration.customer_ids.tolist()])
    total = split.calibration.frequency + 1 + split.frequency_holdout
    np.testing.assert_array_equal(total, whole.frequency[rows] + 1)
    assert split.n_excluded + len(split) == log.n_customers
    value = split.calibration.total_value + split.monetary_holdout * split.frequency_holdout
    np.testing.assert_allclose(value, whole.total_value[rows], rtol=1e-9)


def test_inputs_never_mutated() -> None:
    ids = np.array([3, 1, 3])
    times = np.array(["2024-01-05", "2024-01-01", "2024-01-02"], dtype="datetime64[ns]")
    amounts = np.array([1.0, 2.0, 3.0])
    copies = [ids.copy(), times.copy(), amounts.copy()]
    log = TransactionLog.from_arrays(ids, times, amounts)
    rfm_summary(log)
    calibration_holdout_summary(log, calibration_end="2024-01-03")
    for original, copy in zip((ids, times, amounts), copies, strict=True):
        np.testing.assert_array_equal(original, copy)
    amounts[0] = 99.0  # the caller's array stays writable
    assert not log.amounts.flags.writeable
