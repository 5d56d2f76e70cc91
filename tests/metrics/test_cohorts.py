"""Cohort matrices: hand-checked cases, censoring, inputs, and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat import EmptyInputError, InvalidInputError, TransactionLog
from ecomstrat.metrics.cohorts import CohortMatrix, cohort_margin, cohort_retention, cohort_revenue
from tests.reference.cohorts import cohort_cells_python

NAN = float("nan")


@pytest.fixture
def log() -> TransactionLog:
    # January cohort: a, b. February cohort: c, d. March: e.
    #   a: Jan 10, Jan 20 (same month), Feb 3, Apr 1
    #   b: Jan 31
    #   c: Feb 1, Mar 15
    #   d: Feb 28
    #   e: Mar 2, Apr 30
    return TransactionLog.from_arrays(
        ["a", "a", "a", "a", "b", "c", "c", "d", "e", "e"],
        [
            "2024-01-10",
            "2024-01-20",
            "2024-02-03",
            "2024-04-01",
            "2024-01-31T23:00",
            "2024-02-01",
            "2024-03-15",
            "2024-02-28",
            "2024-03-02",
            "2024-04-30",
        ],
        [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0],
        margins=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        currency="EUR",
    )


def test_retention_by_hand(log: TransactionLog) -> None:
    m = cohort_retention(log)
    assert m.cohorts.astype("datetime64[D]").astype(str).tolist() == [
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
    ]
    assert m.sizes.tolist() == [2, 2, 1]
    assert m.offsets.tolist() == [0, 1, 2, 3]
    # Jan: M0 both; M1 (Feb) a; M2 (Mar) nobody; M3 (Apr) a -> 1, 1/2, 0, 1/2
    # Feb: M0 both; M1 (Mar) c; M2 (Apr) nobody; M3 (May) unobserved
    # Mar: M0 e; M1 (Apr) e; later unobserved
    expected = [[1.0, 0.5, 0.0, 0.5], [1.0, 0.5, 0.0, NAN], [1.0, 1.0, NAN, NAN]]
    np.testing.assert_array_equal(m.values, expected)
    assert m.observed.tolist() == [
        [True] * 4,
        [True, True, True, False],
        [True, True, False, False],
    ]
    # Size-weighted mean over the cohorts seen: M1 = (2*0.5 + 2*0.5 + 1*1) / 5 = 0.6
    # M2 = (0 + 0) / 4 = 0; M3 = 0.5 (January only)
    np.testing.assert_allclose(m.mean(), [1.0, 0.6, 0.0, 0.5])


def test_revenue_and_margin_by_hand(log: TransactionLog) -> None:
    revenue = cohort_revenue(log)
    # Jan cohort (2 customers): M0 = (10 + 20 + 50) / 2 = 40; M1 = 30 / 2; M2 = 0; M3 = 40 / 2
    # Feb cohort (2): M0 = (60 + 80) / 2 = 70; M1 = 70 / 2 = 35; M2 = 0
    # Mar cohort (1): M0 = 90; M1 = 100
    expected = [[40.0, 15.0, 0.0, 20.0], [70.0, 35.0, 0.0, NAN], [90.0, 100.0, NAN, NAN]]
    np.testing.assert_array_equal(revenue.values, expected)
    assert revenue.metric == "revenue per customer"
    cumulative = cohort_revenue(log, cumulative=True)
    np.testing.assert_array_equal(
        cumulative.values,
        [[40.0, 55.0, 55.0, 75.0], [70.0, 105.0, 105.0, NAN], [90.0, 190.0] + [NAN] * 2],
    )
    margin = cohort_margin(log)  # margins are a tenth of the amounts
    np.testing.assert_allclose(margin.values, cumulative.values / 10)
    assert margin.metric == "cumulative margin per customer"
    per_period = cohort_margin(log, cumulative=False)
    np.testing.assert_allclose(per_period.values, revenue.values / 10)


def test_margin_from_rate() -> None:
    log = TransactionLog.from_arrays(["a", "b"], ["2024-01-01", "2024-02-01"], [10.0, 30.0])
    m = cohort_margin(log, gross_margin_rate=0.25)
    # Jan: 10 * 0.25 = 2.5, then nothing more in Feb -> 2.5; Feb: 30 * 0.25 = 7.5
    np.testing.assert_array_equal(m.values, [[2.5, 2.5], [7.5, NAN]])
    with pytest.raises(InvalidInputError, match="gross_margin_rate is None"):
        cohort_margin(log)
    with pytest.raises(InvalidInputError, match=r"gross_margin_rate=1\.5"):
        cohort_margin(log, gross_margin_rate=1.5)


def test_margin_rate_refused_when_log_has_margins(log: TransactionLog) -> None:
    with pytest.raises(InvalidInputError, match="must be None when the log has margins"):
        cohort_margin(log, gross_margin_rate=0.3)


def test_weekly_periods(log: TransactionLog) -> None:
    m = cohort_retention(log, period="week", max_offset=2)
    # First orders: a Wed 2024-01-10 (week of Mon 01-08), b Wed 01-31 (week of 01-29),
    # c Thu 02-01 (week of 01-29), d Wed 02-28 (week of 02-26), e Sat 03-02 (week of 02-26).
    assert m.cohorts.astype("datetime64[D]").astype(str).tolist() == [
        "2024-01-08",
        "2024-01-29",
        "2024-02-26",
    ]
    assert m.sizes.tolist() == [1, 2, 2]
    # a: week offsets 0 (01-10, 01-20 is offset 1), 1, ... -> M1 = 1 (Jan 20 is 10 days later)
    assert m.values[0].tolist() == [1.0, 1.0, 0.0]
    assert m.n_offsets == 3


def test_observation_end_drops_later_orders_and_customers(log: TransactionLog) -> None:
    m = cohort_retention(log, observation_end="2024-02-15")
    # Only Jan (a, b) and c (first order Feb 1) are acquired; d and e come later.
    assert m.sizes.tolist() == [2, 1]
    # a's Feb 3 order is before the end: Jan M1 = 1/2; Feb M1 (March) is after the end.
    np.testing.assert_array_equal(m.values, [[1.0, 0.5], [1.0, NAN]])
    revenue = cohort_revenue(log, observation_end="2024-02-15")
    # Feb cohort: only c's Feb 1 order (60); d's Feb 28 order is after the end.
    assert revenue.values[1, 0] == 60.0


def test_given_acquisition_dates(log: TransactionLog) -> None:
    # Everyone "signed up" on 2023-12-15: one December cohort of 5; orders before acquisition
    # do not exist here, so M1 (January) has a and b, M2 (Feb) a, c, d ...
    acquired = np.full(log.n_customers, np.datetime64("2023-12-15", "ns"))
    m = cohort_retention(log, acquired_at=acquired)
    assert m.sizes.tolist() == [5]
    # Dec: none (0); Jan: a, b; Feb: a, c, d; Mar: c, e; Apr: a, e
    np.testing.assert_allclose(m.values, [[0.0, 0.4, 0.6, 0.4, 0.4]])


def test_orders_before_given_acquisition_are_ignored() -> None:
    log = TransactionLog.from_arrays(["a", "a"], ["2024-01-05", "2024-03-05"], [5.0, 7.0])
    m = cohort_revenue(log, acquired_at=["2024-02-01"])
    # Acquired in February: the January order is before acquisition; March is M1.
    np.testing.assert_array_equal(m.values, [[0.0, 7.0]])


def test_wide_columns_and_long_cells(log: TransactionLog) -> None:
    pytest.importorskip("pandas")
    m = cohort_retention(log)
    wide = m.to_pandas()
    assert wide.index.name == "cohort"
    assert wide.columns.tolist() == ["customers", "0", "1", "2", "3"]
    assert wide["customers"].tolist() == [2, 2, 1]
    assert wide["1"].tolist() == [0.5, 0.5, 1.0]
    long = m.cells().to_pandas()
    assert long.columns.tolist() == ["cohort", "offset", "customers", "retention"]
    assert len(long) == 12


def test_utc_log_keeps_timezone() -> None:
    pd = pytest.importorskip("pandas")
    log = TransactionLog.from_arrays(
        ["a", "b"],
        pd.to_datetime(["2024-01-01T10:00Z", "2024-02-01T10:00Z"]).to_pydatetime(),
        [1.0, 2.0],
    )
    assert log.timezone == "UTC"
    frame = cohort_retention(log).to_pandas()
    assert str(frame.index.tz) == "UTC"


def test_invalid_inputs(log: TransactionLog) -> None:
    with pytest.raises(InvalidInputError, match=r"acquired_at='<2 values>'"):
        cohort_retention(log, acquired_at=["2024-01-01", "2024-01-02"])
    with pytest.raises(InvalidInputError, match=r"observation_end=.*before the first order"):
        cohort_retention(log, observation_end="2023-01-01")
    with pytest.raises(InvalidInputError, match="max_offset=-1"):
        cohort_retention(log, max_offset=-1)
    with pytest.raises(EmptyInputError, match="no customer was acquired"):
        cohort_retention(log, acquired_at=np.full(5, np.datetime64("2025-01-01", "ns")))


def test_matrix_refuses_empty_cohort() -> None:
    with pytest.raises(
        InvalidInputError, match=r"sizes\[1\]=0 \(cohort 2024-02-01\) is invalid: must be >= 1"
    ):
        CohortMatrix(
            "retention",
            np.array(["2024-01-01", "2024-02-01"], dtype="datetime64[ns]"),
            np.arange(1),
            np.ones((2, 1)),
            np.array([3, 0]),
            "month",
            np.datetime64("2024-02-29", "ns"),
        )


def test_result_is_read_only(log: TransactionLog) -> None:
    m = cohort_retention(log)
    with pytest.raises(ValueError, match="read-only"):
        m.values[0, 0] = 2.0


@st.composite
def logs(draw: st.DrawFn) -> tuple[list[int], list[int], list[float]]:
    n = draw(st.integers(1, 40))
    customers = draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 400), min_size=n, max_size=n))
    amounts = draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n))
    return customers, days, [a / 100 for a in amounts]


def _log(customers: list[int], days: list[int], amounts: list[float]) -> TransactionLog:
    times = np.datetime64("2024-01-01", "ns") + np.array(days) * np.timedelta64(1, "D")
    return TransactionLog.from_arrays(customers, times, amounts, margins=[a / 2 for a in amounts])


@given(case=logs(), period=st.sampled_from(["week", "month"]))
def test_retention_is_a_share(case: tuple, period: str) -> None:
    m = cohort_retention(_log(*case), period=period)
    seen = m.values[m.observed]
    assert ((seen >= 0) & (seen <= 1)).all()
    assert (m.values[:, 0] == 1.0).all()  # cohorts by first purchase
    assert int(m.sizes.sum()) == len(set(case[0]))


@given(case=logs(), seed=st.integers(0, 1_000))
def test_permuting_rows_changes_nothing(case: tuple, seed: int) -> None:
    order = np.random.default_rng(seed).permutation(len(case[0]))
    shuffled = tuple([column[i] for i in order] for column in case)
    for metric in (cohort_retention, cohort_revenue, cohort_margin):
        a, b = metric(_log(*case)), metric(_log(*shuffled))
        np.testing.assert_allclose(a.values, b.values, rtol=1e-12, atol=1e-12)
        assert a.sizes.tolist() == b.sizes.tolist()


@given(case=logs())
def test_cumulative_margin_matches_reference_sums(case: tuple) -> None:
    # End to end against the plain-Python kernel reference: per-customer totals.
    log = _log(*case)
    m = cohort_margin(log, period="month")
    total = np.nansum(
        np.where(m.observed, np.diff(m.values, axis=1, prepend=0.0), 0.0) * m.sizes[:, None]
    )
    np.testing.assert_allclose(total, float(log.margins.sum()), rtol=1e-9, atol=1e-9)
    periods = log.times.astype("datetime64[M]").astype(np.int64)
    first = np.full(log.n_customers, 10**9, dtype=np.int64)
    np.minimum.at(first, log.customer_index, periods)
    rows = np.searchsorted(np.unique(first), first)
    active, _, _ = cohort_cells_python(
        log.customer_index,
        periods,
        log.amounts,
        log.margins,
        first,
        rows,
        m.n_cohorts,
        m.n_offsets,
        int(periods.max()),
    )
    retention = cohort_retention(log)
    np.testing.assert_allclose(
        np.where(retention.observed, retention.values, 0.0), active / m.sizes[:, None]
    )
