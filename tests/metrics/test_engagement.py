"""NPS, CSAT, repeat purchases, period retention, AOV, frequency and service cost."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat import EmptyInputError, InvalidInputError, TransactionLog, UnknownCodeError
from ecomstrat.metrics.engagement import (
    average_order_value,
    csat,
    nps,
    period_retention,
    purchase_frequency,
    repeat_purchase_rate,
    self_service_saving,
    service_cost,
    wilson_interval,
)

Z95 = 1.959963984540054
SCORES = [10, 9, 9, 8, 7, 6, 3, 10, 9, 5]  # 5 promoters, 2 passives, 3 detractors


def test_nps_wald_by_hand() -> None:
    r = nps(SCORES, method="wald")
    assert (r.promoters, r.passives, r.detractors, r.n) == (5, 2, 3, 10)
    assert r.score == 20.0  # 100 * (5 - 3) / 10
    # p = 0.5, d = 0.3: Var = 100² (0.5 + 0.3 - 0.2²) / 10 = 100² * 0.076; SE = 27.568
    se = 100 * math.sqrt(0.76 / 10)
    assert r.low == pytest.approx(20 - Z95 * se)  # -34.03
    assert r.high == pytest.approx(20 + Z95 * se)  # 74.03
    assert r.low == pytest.approx(-34.03, abs=0.01)


def test_nps_adjusted_wald_by_hand() -> None:
    r = nps(SCORES)
    assert r.method == "adjusted-wald"
    # n' = 13, p' = 5.75 / 13, d' = 3.75 / 13; centre 100 (p' - d') = 15.385
    p, d = 5.75 / 13, 3.75 / 13
    se = 100 * math.sqrt((p + d - (p - d) ** 2) / 13)  # 23.32
    assert r.low == pytest.approx(100 * (p - d) - Z95 * se)
    assert r.high == pytest.approx(100 * (p - d) + Z95 * se)
    assert (round(r.low, 2), round(r.high, 2)) == (-30.33, 61.10)
    assert r.score == 20.0  # the score itself is not adjusted


def test_nps_bootstrap_is_seeded_and_plausible() -> None:
    a = nps(SCORES, method="bootstrap", seed=1)
    b = nps(SCORES, method="bootstrap", seed=1)
    assert (a.low, a.high) == (b.low, b.high)
    assert a.low < a.score < a.high
    big = np.repeat(SCORES, 200)  # n = 2000: bootstrap close to Wald
    boot, wald = nps(big, method="bootstrap", n_resamples=4000), nps(big, method="wald")
    assert boot.low == pytest.approx(wald.low, abs=1.0)
    assert boot.high == pytest.approx(wald.high, abs=1.0)


def test_nps_clips_to_range() -> None:
    r = nps([10, 10, 10, 10])
    assert r.score == 100.0
    assert r.high == 100.0
    assert nps([0, 0, 0, 0]).low == -100.0


def test_nps_rejects_bad_scores() -> None:
    with pytest.raises(InvalidInputError, match=r"scores\[2\]=11.0 is invalid: must be a whole"):
        nps([1, 2, 11, 12])
    with pytest.raises(InvalidInputError, match=r"scores\[0\]=7.5"):
        nps([7.5])
    with pytest.raises(InvalidInputError, match=r"scores\[1\]=nan"):
        nps([7, float("nan")])
    with pytest.raises(EmptyInputError):
        nps([])
    with pytest.raises(UnknownCodeError, match="'wilson'"):
        nps(SCORES, method="wilson")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"confidence=1\.0"):
        nps(SCORES, confidence=1.0)


@given(
    st.lists(st.integers(0, 10), min_size=1, max_size=300),
    st.sampled_from(["adjusted-wald", "wald"]),
)
def test_nps_in_range(scores: list[int], method: str) -> None:
    r = nps(scores, method=method)  # type: ignore[arg-type]
    assert -100.0 <= r.low <= r.high <= 100.0
    assert -100.0 <= r.score <= 100.0
    assert r.promoters + r.passives + r.detractors == len(scores)


def test_wilson_by_hand() -> None:
    # 8 of 10, z = 1.96: centre (0.8 + z²/20) / (1 + z²/10) = 0.71674
    # half = z / (1 + z²/10) * sqrt(0.016 + z²/400) = 0.22658
    low, high = wilson_interval(8, n=10)
    z2 = Z95**2
    centre = (0.8 + z2 / 20) / (1 + z2 / 10)
    half = Z95 / (1 + z2 / 10) * math.sqrt(0.8 * 0.2 / 10 + z2 / 400)
    assert float(low) == pytest.approx(centre - half)  # 0.4902
    assert float(high) == pytest.approx(centre + half)  # 0.9433
    low0, high0 = wilson_interval(np.array([0, 0]), n=np.array([5, 0]))
    assert low0[0] == 0.0  # 0 of 5: [0, z²/(n+z²)]
    assert high0[0] == pytest.approx(z2 / (5 + z2))
    assert math.isnan(low0[1])
    assert math.isnan(high0[1])


def test_csat_by_hand() -> None:
    c = csat([5, 4, 4, 3, 5, 2, 5, 4, 1, 5])  # 4s and 5s: 3 + 4 = 7 of 10
    assert (c.successes, c.n, c.estimate) == (7, 10, 0.7)
    low, high = wilson_interval(7, n=10)
    assert (c.low, c.high) == (float(low), float(high))
    assert (round(c.low, 3), round(c.high, 3)) == (0.397, 0.892)
    seven = csat([7, 6, 5, 1], scale=(1, 7), satisfied_from=6)  # top-2 box on 1-7: 6, 7
    assert seven.successes == 2


def test_csat_rejects_bad_input() -> None:
    with pytest.raises(
        InvalidInputError, match=r"scores\[1\]=0.0 is invalid: must be a whole number from 1 to 5"
    ):
        csat([5, 0])
    with pytest.raises(InvalidInputError, match="satisfied_from=6"):
        csat([5], satisfied_from=6)
    with pytest.raises(InvalidInputError, match=r"scale=\(5, 1\)"):
        csat([5], scale=(5, 1))


@given(st.lists(st.integers(1, 5), min_size=1, max_size=200))
def test_csat_is_a_share(scores: list[int]) -> None:
    c = csat(scores)
    assert 0.0 <= c.low <= c.estimate <= c.high <= 1.0


@pytest.fixture
def log() -> TransactionLog:
    # a buys in Jan, Feb, Apr; b in Jan (twice the same day); c in Feb and Mar; d in Apr.
    return TransactionLog.from_arrays(
        ["a", "a", "a", "b", "b", "c", "c", "d"],
        [
            "2024-01-05",
            "2024-02-10",
            "2024-04-01",
            "2024-01-07T09:00",
            "2024-01-07T18:00",
            "2024-02-03",
            "2024-03-09",
            "2024-04-20",
        ],
        [10.0, 20.0, 30.0, 5.0, 15.0, 40.0, 60.0, 20.0],
    )


def test_repeat_purchase_rate(log: TransactionLog) -> None:
    r = repeat_purchase_rate(log)
    # a and c bought on two or more days; b's two orders are one day; d bought once: 2 / 4
    assert (r.successes, r.n, r.estimate) == (2, 4, 0.5)
    early = repeat_purchase_rate(log, observation_end="2024-02-15")
    # by Feb 15: a (Jan 5, Feb 10) repeats; b once; c once (Feb 3); d not yet acquired: 1 / 3
    assert (early.successes, early.n) == (1, 3)


def test_period_retention_by_hand(log: TransactionLog) -> None:
    r = period_retention(log)
    assert r.periods.astype("datetime64[M]").astype(str).tolist() == [
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-04",
    ]
    # Jan {a, b}; Feb {a, c}; Mar {c}; Apr {a, d}
    assert r.active.tolist() == [2, 2, 1, 2]
    assert r.new.tolist() == [2, 1, 0, 1]
    assert r.retained.tolist() == [0, 1, 1, 0]  # Feb: a; Mar: c; Apr: none (c left)
    assert r.reactivated.tolist() == [0, 0, 0, 1]  # a comes back in April
    np.testing.assert_array_equal(r.retention, [np.nan, 0.5, 0.5, 0.0])  # 1/2, 1/2, 0/1
    np.testing.assert_array_equal(r.churn, [np.nan, 0.5, 0.5, 1.0])
    weekly = period_retention(log, period="week", observation_end="2024-01-31")
    assert weekly.active.sum() == 2  # a and b in the first week; nobody after until Feb


@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 200)), min_size=1, max_size=60),
    st.sampled_from(["week", "month"]),
)
def test_retention_rates_are_shares(rows: list[tuple[int, int]], period: str) -> None:
    customers = [c for c, _ in rows]
    times = np.datetime64("2024-01-01", "ns") + np.array([d for _, d in rows]) * np.timedelta64(
        1, "D"
    )
    r = period_retention(
        TransactionLog.from_arrays(customers, times, [1.0] * len(rows)), period=period
    )
    seen = ~np.isnan(r.retention)
    assert ((r.retention[seen] >= 0) & (r.retention[seen] <= 1)).all()
    np.testing.assert_allclose(r.churn[seen], 1 - r.retention[seen])
    assert (r.reactivated >= 0).all()
    assert r.new.sum() == len(set(customers))


def test_order_metrics(log: TransactionLog) -> None:
    assert average_order_value(log) == 200.0 / 8  # 25
    assert purchase_frequency(log) == 8 / 4  # 2 orders per customer
    # January: a 10, b 5 + 15 -> AOV 30 / 3 = 10; 3 orders / 2 customers
    assert average_order_value(log, observation_end="2024-01-31") == 10.0
    assert (
        purchase_frequency(log, observation_start="2024-01-01", observation_end="2024-01-31") == 1.5
    )
    with pytest.raises(EmptyInputError, match="no order lies between"):
        average_order_value(log, observation_start="2030-01-01")


def test_to_pandas_of_results(log: TransactionLog) -> None:
    pytest.importorskip("pandas")
    frame = nps(SCORES).to_pandas()
    assert frame["score"].tolist() == [20.0]
    assert period_retention(log).to_pandas()["active"].tolist() == [2, 2, 1, 2]


def test_service_cost_and_saving_by_hand() -> None:
    cost = service_cost(
        {"phone": 1000, "email": 400}, cost_per_contact={"phone": 8.0, "email": 4.5, "chat": 3.0}
    )
    assert cost.cost.tolist() == [8000.0, 1800.0]  # 1000 × 8, 400 × 4.5
    assert cost.total == 9800.0
    assert cost["email"] == 1800.0
    shift = self_service_saving(
        cost, shift_share={"phone": 0.25}, self_service_cost_per_contact=0.10
    )
    # 250 phone contacts move: 250 × (8 - 0.1) = 1975; email unchanged
    assert shift.moved.tolist() == [250.0, 0.0]
    assert shift.saving.tolist() == pytest.approx([1975.0, 0.0])
    assert shift.cost_after == pytest.approx(9800.0 - 1975.0)
    partial = self_service_saving(
        cost, shift_share=0.5, self_service_cost_per_contact=0.10, resolution_rate=0.09
    )
    # phone: 500 × (0.09 × 8 - 0.1) = 310; email: 200 × (0.09 × 4.5 - 0.1) = 61
    assert partial.saving.tolist() == pytest.approx([310.0, 61.0])
    assert partial.total_saving == pytest.approx(371.0)
    assert partial.to_pandas()["saving"].tolist() == pytest.approx([310.0, 61.0])


def test_service_cost_errors() -> None:
    with pytest.raises(InvalidInputError, match="needs a cost for every channel"):
        service_cost({"phone": 10}, cost_per_contact={"email": 1.0})
    with pytest.raises(InvalidInputError, match=r"contacts\['phone'\]=-1"):
        service_cost({"phone": -1}, cost_per_contact={"phone": 1.0})
    cost = service_cost({"phone": 10}, cost_per_contact={"phone": 1.0})
    with pytest.raises(InvalidInputError, match=r"shift_share=1\.5"):
        self_service_saving(cost, shift_share=1.5, self_service_cost_per_contact=0.1)
    with pytest.raises(UnknownCodeError, match="'fax'"):
        self_service_saving(cost, shift_share={"fax": 0.5}, self_service_cost_per_contact=0.1)


@pytest.mark.parametrize(
    ("successes", "n", "match"),
    [
        (5, 3, r"^successes=5.0 is invalid: must be <= n=3.0. There cannot be more successes"),
        ([1, 4], [2, 3], r"^successes\[1\]=4.0 is invalid: must be <= n\[1\]=3.0"),
        (-1, 3, r"^successes=-1.0 is invalid: must be >= 0"),
        (1.5, 3, r"^successes=1.5 is invalid: must be a finite whole number"),
        (float("nan"), 3, r"^successes=nan is invalid: must be a finite whole number"),
        (1, [2, float("inf")], r"^n\[1\]=inf is invalid: must be a finite whole number"),
        ("1", 3, r"^successes='1' is invalid: must be numbers, not str"),
        (1, None, r"^n=None is invalid: must be numbers, not None"),
        ([1, 2], [3, 4, 5], r"^successes='<array of shape \(2,\)>' is invalid: must broadcast"),
    ],
)
def test_wilson_rejects_impossible_counts(successes: object, n: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        wilson_interval(successes, n=n)  # type: ignore[arg-type]


def test_wilson_interval_holds_the_share_exactly() -> None:
    # 0 of 10: centre - half = 2.78e-17 in floating point, not 0; the ends are now exact.
    low, high = wilson_interval(np.array([0, 10, 3, 0]), n=np.array([10, 10, 7, 0]))
    assert low[0] == 0.0
    assert high[1] == 1.0
    assert low[2] <= 3 / 7 <= high[2]
    assert np.isnan(low[3])
    assert np.isnan(high[3])
    none = csat([1] * 10)  # the case hypothesis found
    assert (none.low, none.estimate) == (0.0, 0.0)
    assert csat([5] * 10).high == 1.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"seed": -1}, r"^seed=-1 is invalid: must be None or a whole number >= 0"),
        ({"seed": 1.5}, r"^seed=1.5 is invalid: must be None or a whole number >= 0"),
        ({"seed": "1"}, r"^seed='1' is invalid"),
        ({"n_resamples": 0}, r"^n_resamples=0 is invalid: must be a whole number >= 1"),
        ({"confidence": "0.9"}, r"^confidence='0.9' is invalid: must be a number, not str"),
    ],
)
def test_nps_rejects_bad_options(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        nps(SCORES, method="bootstrap", **kwargs)  # type: ignore[arg-type]
    assert nps(SCORES, method="bootstrap", seed=np.int64(3)).n == 10  # numpy integers are seeds
