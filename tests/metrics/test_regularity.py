"""Summed log inter-purchase times (litt) and the regularity estimates."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat import TransactionLog
from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.metrics.regularity import (
    LogInterTransactionTimes,
    estimate_regularity,
    log_inter_transaction_times,
)
from ecomstrat.metrics.summary import rfm_summary


def _log() -> TransactionLog:
    # a: 2024-01-01, 01-08 (twice the same day), 01-22, 02-05 -> gaps 7, 14, 14 days
    # b: 2024-01-03 only; c: 2024-01-10 and 2024-03-01 (after the cut below)
    return TransactionLog.from_arrays(
        ["a", "a", "a", "a", "a", "b", "c", "c"],
        [
            "2024-01-01",
            "2024-01-08",
            "2024-01-08T18:00",
            "2024-01-22",
            "2024-02-05",
            "2024-01-03",
            "2024-01-10",
            "2024-03-01",
        ],
        np.ones(8),
    )


def test_hand_worked_litt_in_days_and_weeks() -> None:
    days = log_inter_transaction_times(_log(), observation_end="2024-02-29")
    # a: log 7 + log 14 + log 14 ; b, c: no repeat purchase by the end
    assert days.customer_ids.tolist() == ["a", "b", "c"]
    assert days.frequency.tolist() == [3.0, 0.0, 0.0]
    assert days.litt[0] == pytest.approx(math.log(7) + 2 * math.log(14), rel=1e-15)
    weeks = log_inter_transaction_times(_log(), observation_end="2024-02-29", time_unit="week")
    # in weeks: log 1 + log 2 + log 2 = log 4 = log-days minus 3 log 7
    assert weeks.litt[0] == pytest.approx(math.log(4.0), rel=1e-14)
    converted = days.to_unit("week")
    np.testing.assert_allclose(converted.litt, weeks.litt, rtol=1e-14, atol=1e-15)
    assert converted.time_unit.value == "week"


def test_frequency_agrees_with_the_rfm_summary() -> None:
    stats = log_inter_transaction_times(_log(), observation_end="2024-02-29")
    summary = rfm_summary(_log(), observation_end="2024-02-29")
    assert stats.frequency.tolist() == summary.frequency.tolist()


def test_customers_after_the_end_are_left_out_and_align_checks_ids() -> None:
    stats = log_inter_transaction_times(_log(), observation_end="2024-01-05")
    assert stats.customer_ids.tolist() == ["a", "b"]
    assert stats.align(["b", "a"]).frequency.tolist() == [0.0, 0.0]
    with pytest.raises(InvalidInputError, match="litt"):
        stats.align(["a", "z"])
    with pytest.raises(EmptyInputError):
        log_inter_transaction_times(_log(), observation_end="2023-12-01")


def test_table_export() -> None:
    stats = log_inter_transaction_times(_log())
    assert set(stats.columns()) == {"customer_id", "frequency", "litt"}
    assert len(stats) == 3
    assert "LogInterTransactionTimes" in repr(stats)
    assert isinstance(stats, LogInterTransactionTimes)


@given(gaps=st.lists(st.integers(1, 60), min_size=1, max_size=12))
def test_litt_is_the_sum_of_log_gaps(gaps: list[int]) -> None:
    days = np.cumsum([0, *gaps])
    dates = (np.datetime64("2024-01-01") + days.astype("timedelta64[D]")).astype(str)
    log = TransactionLog.from_arrays(["a"] * len(dates), dates.tolist(), np.ones(len(dates)))
    stats = log_inter_transaction_times(log, time_unit="week")
    assert stats.frequency[0] == len(gaps)
    assert stats.litt[0] == pytest.approx(sum(math.log(g / 7) for g in gaps), abs=1e-12)


def test_grocery_cbs_x_tx_litt(shared_data) -> None:
    with open(shared_data / "btydplus_grocery_elog.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    log = TransactionLog.from_arrays(
        [r["customer_id"] for r in rows], [r["date"] for r in rows], np.ones(len(rows))
    )
    summary = rfm_summary(log, observation_end="2006-12-31", time_unit="week")
    stats = log_inter_transaction_times(log, observation_end="2006-12-31", time_unit="week")
    with open(shared_data / "btydplus_grocery_cbs_52w.csv", newline="") as handle:
        ref = {r["cust"]: r for r in csv.DictReader(handle)}
    ids = [str(c) for c in summary.customer_ids]
    assert sorted(ids) == sorted(ref)
    x = np.array([float(ref[c]["x"]) for c in ids])
    t_x = np.array([float(ref[c]["t.x"]) for c in ids])
    litt = np.array([float(ref[c]["litt"]) for c in ids])
    T = np.array([float(ref[c]["T.cal"]) for c in ids])
    np.testing.assert_array_equal(summary.frequency, x)
    np.testing.assert_allclose(summary.recency, t_x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(summary.T, T, rtol=1e-12)
    np.testing.assert_allclose(stats.align(summary.customer_ids).litt, litt, rtol=1e-12, atol=1e-12)


def test_wheat_hand_worked_and_errors() -> None:
    log = TransactionLog.from_arrays(
        ["a"] * 4 + ["b"] * 4,
        [
            "2024-01-01",
            "2024-01-08",
            "2024-01-15",
            "2024-01-23",
            "2024-01-01",
            "2024-01-03",
            "2024-01-13",
            "2024-01-14",
        ],
        np.ones(8),
    )
    # M_a = 7/15, M_b = 10/11; Var = mean((M - 1/2)^2); k = (1 - 4 Var)/(8 Var)
    var = ((7 / 15 - 0.5) ** 2 + (10 / 11 - 0.5) ** 2) / 2
    assert estimate_regularity(log) == pytest.approx((1 - 4 * var) / (8 * var), rel=1e-14)
    with pytest.raises(InvalidInputError, match="method"):
        estimate_regularity(log, method="magic")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="min_intervals"):
        estimate_regularity(log, min_intervals=1)
    with pytest.raises(EmptyInputError):
        estimate_regularity(log, method="mle")  # nobody has more than 10 purchases


def test_estimates_recover_an_erlang_shape() -> None:
    rng = np.random.default_rng(4)
    ids, dates = [], []
    for c in range(400):
        gaps = np.maximum(1, np.round(rng.gamma(4.0, 20.0 / 4.0, 14))).astype(int)
        days = np.cumsum([0, *gaps])
        ids += [f"c{c}"] * days.size
        dates += (np.datetime64("2020-01-01") + days.astype("timedelta64[D]")).astype(str).tolist()
    log = TransactionLog.from_arrays(ids, dates, np.ones(len(ids)))
    for method in ("wheat", "mle", "mle-minka", "mle-thom", "cv"):
        k = estimate_regularity(log, method=method)  # type: ignore[arg-type]
        assert 2.5 < k < 6.0, (method, k)
