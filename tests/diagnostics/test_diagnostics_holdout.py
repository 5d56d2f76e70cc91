"""Holdout diagnostics: by frequency, errors and reliability, weekly tracking.

Every number is checked against a plain per-customer computation (Python loops over the log
or the summary); the model's own predictions are the only shared part. On data simulated
from a known BG/NBD the diagnostics must say the model predicts well; on CDNOW master they
reproduce the figures recorded in the issue notes.
"""

from __future__ import annotations

import math
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, strategies as st

import ecomstrat as es
from ecomstrat import InvalidInputError, TransactionLog, calibration_holdout_summary, rfm_summary
from ecomstrat.datasets import SimulationParameters, simulate_transactions
from ecomstrat.diagnostics.holdout import (
    AliveCalibration,
    HoldoutByFrequency,
    HoldoutErrors,
    Tracking,
    holdout_by_frequency,
    holdout_errors,
    tracking,
)
from ecomstrat.frames.summary import CalibrationHoldout
from ecomstrat.models.bgbb import BGBB
from ecomstrat.models.bgnbd import BGNBD, MBGNBD, FittedBGNBD
from ecomstrat.models.paretonbd import ParetoNBD

CAL_END = "2024-09-30"
#: Population of the simulations (the CDNOW estimates, weeks).
TRUE = SimulationParameters()


@pytest.fixture(scope="module")
def sim() -> es.datasets.Simulation:
    return simulate_transactions(1_500, seed=11)


@pytest.fixture(scope="module")
def split(sim: es.datasets.Simulation) -> CalibrationHoldout:
    return calibration_holdout_summary(
        sim.log, calibration_end=CAL_END, observation_end=sim.observation_end, time_unit="week"
    )


@pytest.fixture(scope="module")
def model(split: CalibrationHoldout) -> FittedBGNBD:
    return BGNBD().fit(split.calibration)


def _tiny_log() -> TransactionLog:
    return TransactionLog.from_arrays(
        ["a", "a", "a", "a", "b", "b", "c", "d", "d"],
        [
            "2024-01-01T09:00",
            "2024-01-01T17:00",  # same day: one purchase
            "2024-01-20",
            "2024-03-01",
            "2024-01-05",
            "2024-02-20",
            "2024-01-09",
            "2024-01-29",
            "2024-02-01",
        ],
        [1.0] * 9,
    )


# ------------------------------------------------------------------------------ by frequency


def test_holdout_by_frequency_matches_a_plain_grouping(
    model: FittedBGNBD, split: CalibrationHoldout
) -> None:
    table = holdout_by_frequency(model, split, max_frequency=4)
    cal = split.calibration
    predicted = model.conditional_expected_purchases(split.duration_holdout, cal)
    groups: dict[str, list[int]] = {}
    for i, x in enumerate(cal.frequency.tolist()):
        groups.setdefault("4+" if x >= 4 else str(x), []).append(i)
    labels = [label for label in ("0", "1", "2", "3", "4+") if label in groups]
    assert table.labels == tuple(labels)
    assert table.customers.tolist() == [len(groups[label]) for label in labels]
    for k, label in enumerate(labels):
        rows = groups[label]
        assert table.actual[k] == pytest.approx(
            sum(int(split.frequency_holdout[i]) for i in rows) / len(rows), rel=1e-12
        )
        assert table.expected[k] == pytest.approx(
            sum(float(predicted[i]) for i in rows) / len(rows), rel=1e-12
        )
    assert (table.model, table.time_unit, table.holdout_length) == ("BG/NBD", "week", 39.0)
    columns = table.columns()
    assert list(columns) == ["calibration_frequency", "customers", "actual", "expected"]
    assert columns["calibration_frequency"].dtype.kind == "U"
    assert {len(v) for v in columns.values()} == {len(labels)}
    assert repr(table).startswith("HoldoutByFrequency(BG/NBD, 5 rows, 1")


def test_holdout_by_frequency_converts_the_holdout_to_the_model_unit(
    split: CalibrationHoldout,
) -> None:
    weekly = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    daily = BGNBD.from_params(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426, time_unit="day")
    by_week, by_day = holdout_by_frequency(weekly, split), holdout_by_frequency(daily, split)
    assert by_day.holdout_length == pytest.approx(39.0 * 7)
    assert by_day.time_unit == "day"
    np.testing.assert_allclose(by_day.expected, by_week.expected, rtol=1e-9)


def test_empty_frequencies_are_left_out() -> None:
    log = _tiny_log()
    split = calibration_holdout_summary(
        log, calibration_end="2024-01-31", observation_end="2024-03-31", time_unit="week"
    )
    # calibration frequencies: a 1, b 0, c 0, d 0 (nobody with 2, 3, …); holdout: a, b, d
    m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    table = holdout_by_frequency(m, split, max_frequency=7)
    assert table.labels == ("0", "1")
    assert table.customers.tolist() == [3, 1]
    assert table.actual.tolist() == pytest.approx([2 / 3, 1.0], rel=1e-15)


# ------------------------------------------------------------------------------ errors


def test_holdout_errors_match_a_plain_computation(
    model: FittedBGNBD, split: CalibrationHoldout
) -> None:
    bins = 8
    errors = holdout_errors(model, split, bins=bins)
    cal, horizon = split.calibration, split.duration_holdout
    expected = model.conditional_expected_purchases(horizon, cal).tolist()
    p_none = model.conditional_probability_of_purchases(0, horizon, cal).tolist()
    alive = model.probability_alive(cal).tolist()
    actual = split.frequency_holdout.tolist()
    n = len(actual)
    assert errors.n_customers == n
    assert errors.actual_purchases == sum(actual)
    assert errors.expected_purchases == pytest.approx(sum(expected), rel=1e-12)
    assert errors.aggregate_error == pytest.approx(sum(expected) / sum(actual) - 1, rel=1e-12)
    assert errors.mean_absolute_error == pytest.approx(
        sum(abs(e - a) for e, a in zip(expected, actual, strict=True)) / n, rel=1e-12
    )
    assert errors.root_mean_squared_error == pytest.approx(
        math.sqrt(sum((e - a) ** 2 for e, a in zip(expected, actual, strict=True)) / n),
        rel=1e-12,
    )
    members: dict[int, list[int]] = {}
    for i, q in enumerate(p_none):
        members.setdefault(min(int((1 - q) * bins), bins - 1), []).append(i)
    table = errors.calibration
    assert table.lower.tolist() == [b / bins for b in sorted(members)]
    assert table.upper.tolist() == [(b + 1) / bins for b in sorted(members)]
    weighted_gap = 0.0
    for k, b in enumerate(sorted(members)):
        rows = members[b]
        predicted = sum(1 - p_none[i] for i in rows) / len(rows)
        observed = sum(actual[i] > 0 for i in rows) / len(rows)
        assert table.customers[k] == len(rows)
        assert table.predicted[k] == pytest.approx(predicted, rel=1e-12)
        assert table.observed[k] == pytest.approx(observed, rel=1e-12)
        assert table.probability_alive[k] == pytest.approx(
            sum(alive[i] for i in rows) / len(rows), rel=1e-12
        )
        assert b / bins <= table.predicted[k] <= (b + 1) / bins
        weighted_gap += len(rows) * abs(predicted - observed)
    assert errors.calibration_error == pytest.approx(weighted_gap / n, rel=1e-12)
    assert set(table.columns()) == {
        "lower",
        "upper",
        "customers",
        "probability_alive",
        "predicted",
        "observed",
    }
    assert repr(errors).startswith("HoldoutErrors(BG/NBD, 1")
    assert repr(table) == f"AliveCalibration(BG/NBD, {len(members)} bins)"


def test_a_model_of_the_simulating_process_predicts_well() -> None:
    """Data from a known BG/NBD: small aggregate and calibration errors, true or fitted."""
    sim = simulate_transactions(20_000, seed=3)
    split = calibration_holdout_summary(
        sim.log, calibration_end=CAL_END, observation_end=sim.observation_end, time_unit="week"
    )
    true = BGNBD.from_params(r=TRUE.r, alpha=TRUE.alpha, a=TRUE.a, b=TRUE.b, time_unit="week")
    for model in (true, BGNBD().fit(split.calibration)):
        errors = holdout_errors(model, split)
        # measured: true parameters +1.4 % / 0.0067, fitted -0.6 % / 0.0064 (notes/holdout.md)
        assert abs(errors.aggregate_error) < 0.04
        assert errors.calibration_error < 0.015
        assert np.abs(errors.calibration.predicted - errors.calibration.observed).max() < 0.06
        by_frequency = holdout_by_frequency(model, split)
        np.testing.assert_allclose(by_frequency.expected, by_frequency.actual, rtol=0.1)


def test_no_holdout_purchase_gives_a_nan_aggregate_error() -> None:
    log = TransactionLog.from_arrays(
        ["a", "a", "b"], ["2024-01-01", "2024-01-10", "2024-01-05"], [1.0] * 3
    )
    split = calibration_holdout_summary(
        log, calibration_end="2024-01-31", observation_end="2024-02-29", time_unit="week"
    )
    m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    errors = holdout_errors(m, split, bins=1)
    assert errors.actual_purchases == 0
    assert math.isnan(errors.aggregate_error)
    assert errors.calibration.customers.tolist() == [2]
    assert errors.calibration.observed.tolist() == [0.0]
    assert errors.mean_absolute_error == pytest.approx(errors.expected_purchases / 2)


@pytest.mark.parametrize(
    "model",
    [
        MBGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week"),
        ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="week"),
    ],
    ids=["MBG/NBD", "Pareto/NBD"],
)
def test_the_other_continuous_models_are_accepted(model: object, split: CalibrationHoldout) -> None:
    errors = holdout_errors(model, split)  # type: ignore[arg-type]
    assert errors.model == model.name  # type: ignore[attr-defined]
    assert errors.expected_purchases == pytest.approx(
        model.conditional_expected_purchases(39.0, split.calibration).sum(),  # type: ignore[attr-defined]
        rel=1e-12,
    )
    table = holdout_by_frequency(model, split)  # type: ignore[arg-type]
    assert table.model == model.name  # type: ignore[attr-defined]


def test_wrong_inputs_are_named(split: CalibrationHoldout, model: FittedBGNBD) -> None:
    bgbb = BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    for call in (holdout_by_frequency, holdout_errors):
        with pytest.raises(InvalidInputError, match=r"^model='<BG/BB>' is invalid: .*Pareto/NBD"):
            call(bgbb, split)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match=r"^split='<CustomerSummary>' is invalid"):
            call(model, split.calibration)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^max_frequency=0 is invalid: must be >= 1"):
        holdout_by_frequency(model, split, max_frequency=0)
    with pytest.raises(InvalidInputError, match=r"^bins=2.5 is invalid"):
        holdout_errors(model, split, bins=2.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^bins=True is invalid"):
        holdout_errors(model, split, bins=True)


# ------------------------------------------------------------------------------ tracking


def _naive_weeks(
    log: TransactionLog, ids: list[object], start: int, end: int
) -> tuple[list[int], dict[object, int]]:
    """Repeat purchase days per week and each customer's first day, by Python loops."""
    wanted = set(ids)
    days: dict[object, set[int]] = {}
    day_numbers = log.times.astype("datetime64[D]").astype(np.int64).tolist()
    for cid, day in zip(log.customer_ids[log.customer_index].tolist(), day_numbers, strict=True):
        if cid in wanted and day <= end:
            days.setdefault(cid, set()).add(day)
    weeks = [0] * (-(-(end - start + 1) // 7))
    first = {}
    for cid, seen in days.items():
        first[cid] = min(seen)
        for day in seen:
            if day > first[cid]:
                weeks[(day - start) // 7] += 1
    return weeks, first


def test_tracking_matches_per_customer_sums(
    sim: es.datasets.Simulation, split: CalibrationHoldout, model: FittedBGNBD
) -> None:
    weekly = tracking(
        model,
        sim.log,
        customers=split.calibration,
        calibration_end=CAL_END,
        observation_end=sim.observation_end,
    )
    ids = split.calibration.customer_ids.tolist()
    start = int(sim.log.times.min().astype("datetime64[D]").astype(np.int64))
    end = int(sim.observation_end.astype("datetime64[D]").astype(np.int64))
    weeks, first = _naive_weeks(sim.log, ids, start, end)
    assert weekly.actual.tolist() == weeks
    assert weekly.n_customers == len(ids)
    assert weekly.week_ends[0] == np.datetime64(start + 6, "D")
    assert weekly.week_ends[-1] == np.datetime64(end, "D")
    # expected: Σ_i E[X(t_i)], t_i = week end day - first purchase day, customer by customer
    for w in (0, 5, 38, weekly.n_weeks - 1):
        day = int(weekly.week_ends[w].astype(np.int64))
        naive = sum(float(model.expected_purchases(max(day - first[c], 0) / 7.0)) for c in ids)
        assert weekly.expected_cumulative[w] == pytest.approx(naive, rel=1e-9)


def test_cumulative_tracking_matches_the_sum_of_conditional_expectations(
    sim: es.datasets.Simulation, split: CalibrationHoldout, model: FittedBGNBD
) -> None:
    weekly = tracking(
        model,
        sim.log,
        customers=split.calibration,
        calibration_end=CAL_END,
        observation_end=sim.observation_end,
    )
    holdout = model.conditional_expected_purchases(split.duration_holdout, split.calibration)
    # 2024-09-30 is a Monday, not the end of a tracking week: the anchor is the actual count
    # at the end of that day, the calibration summary's repeat purchases
    assert weekly.calibration_purchases == split.calibration.frequency.sum()
    cal_day = int(np.datetime64(CAL_END, "D").astype(np.int64))
    ends = weekly.week_ends.astype(np.int64)
    w_cal = int(np.argmax(ends >= cal_day))
    assert ends[w_cal] > cal_day
    assert np.isnan(weekly.conditional[:w_cal]).all()
    assert np.isnan(weekly.conditional_cumulative[:w_cal]).all()
    assert not np.isnan(weekly.conditional[w_cal:]).any()
    assert weekly.actual_cumulative[w_cal - 1] <= weekly.calibration_purchases
    assert weekly.calibration_purchases <= weekly.actual_cumulative[w_cal]
    assert weekly.conditional_cumulative[-1] - weekly.calibration_purchases == pytest.approx(
        float(holdout.sum()), rel=1e-9
    )
    # the calibration week gets the part after the calibration end only
    part = model.conditional_expected_purchases((ends[w_cal] - cal_day) / 7.0, split.calibration)
    assert weekly.conditional[w_cal] == pytest.approx(float(part.sum()), rel=1e-9)
    # the holdout total is what the customers were expected to do, near what they did
    assert weekly.actual_cumulative[-1] - weekly.calibration_purchases == (
        split.frequency_holdout.sum()
    )


def test_tracking_at_a_week_end_anchors_on_the_actual_curve() -> None:
    """CDNOW-like alignment: the calibration end is the last day of a tracking week."""
    log = _tiny_log()
    split = calibration_holdout_summary(
        log, calibration_end="2024-01-28", observation_end="2024-03-31", time_unit="week"
    )
    m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    weekly = tracking(
        m,
        log,
        customers=split.calibration,
        calibration_end="2024-01-28",
        observation_end="2024-03-31",
    )
    # weeks from Monday 2024-01-01; week 4 ends on Sunday 2024-01-28
    assert weekly.week_ends[3] == np.datetime64("2024-01-28")
    assert weekly.actual.tolist() == [0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]
    assert weekly.calibration_purchases == weekly.actual_cumulative[3] == 1.0
    assert np.isnan(weekly.conditional[:3]).all()
    assert weekly.conditional[3] == 0.0
    holdout = m.conditional_expected_purchases(split.duration_holdout, split.calibration).sum()
    assert weekly.conditional_cumulative[3] == 1.0
    assert weekly.conditional_cumulative[-1] - weekly.actual_cumulative[3] == pytest.approx(
        float(holdout), rel=1e-9
    )
    assert repr(weekly) == (
        "Tracking(BG/NBD, 13 weeks, 3 customers, calibration_end=2024-01-28T00:00:00.000000000)"
    )
    columns = weekly.columns()
    assert list(columns) == [
        "week_end",
        "actual",
        "expected",
        "conditional",
        "actual_cumulative",
        "expected_cumulative",
        "conditional_cumulative",
    ]
    assert {len(v) for v in columns.values()} == {13}


def test_tracking_without_a_calibration_end_has_no_conditional_curve(
    sim: es.datasets.Simulation, model: FittedBGNBD
) -> None:
    summary = rfm_summary(sim.log, observation_end=sim.observation_end, time_unit="week")
    weekly = tracking(model, sim.log, customers=summary, observation_end=sim.observation_end)
    assert weekly.calibration_end is None
    assert math.isnan(weekly.calibration_purchases)
    assert np.isnan(weekly.conditional).all()
    assert np.isnan(weekly.conditional_cumulative).all()
    assert weekly.actual_cumulative[-1] == summary.frequency.sum()
    assert weekly.expected_cumulative[-1] == pytest.approx(
        float(model.expected_purchases(summary.T).sum()), rel=1e-9
    )


def test_a_hand_built_tracking_anchors_at_the_calibration_week() -> None:
    weekly = Tracking(
        model="BG/NBD",
        time_unit="week",
        week_ends=np.array(["2024-01-07", "2024-01-14", "2024-01-21"], dtype="datetime64[D]"),
        actual=np.array([1.0, 2.0, 3.0]),
        expected=np.array([1.0, 1.5, 2.0]),
        conditional=np.array([np.nan, 0.0, 2.5]),
        calibration_end=np.datetime64("2024-01-14"),
        n_customers=4,
    )
    np.testing.assert_array_equal(weekly.conditional_cumulative, [np.nan, 3.0, 5.5])
    np.testing.assert_array_equal(weekly.actual_cumulative, [1.0, 3.0, 6.0])


def test_tracking_refuses_customers_that_do_not_match(
    sim: es.datasets.Simulation, split: CalibrationHoldout, model: FittedBGNBD
) -> None:
    full = rfm_summary(sim.log, observation_end=sim.observation_end, time_unit="week")
    with pytest.raises(InvalidInputError, match=r"does not describe the log at calibration_end"):
        tracking(model, sim.log, customers=full, calibration_end=CAL_END)
    weekly_periods = calibration_holdout_summary(
        sim.log, calibration_end=CAL_END, time_unit="week", period="week"
    ).calibration
    with pytest.raises(InvalidInputError, match=r"default daily period"):
        tracking(model, sim.log, customers=weekly_periods, calibration_end=CAL_END)
    other = calibration_holdout_summary(
        _tiny_log(), calibration_end="2024-01-31", time_unit="week"
    ).calibration
    with pytest.raises(InvalidInputError, match=r"^customers=.* not in the log"):
        tracking(model, sim.log, customers=other)
    with pytest.raises(InvalidInputError, match=r"^calibration_end=.* is after observation_end"):
        tracking(
            model,
            sim.log,
            customers=split.calibration,
            calibration_end="2030-01-01",
            observation_end=sim.observation_end,
        )
    with pytest.raises(InvalidInputError, match=r"^observation_end=.* before the first purchase"):
        tracking(model, sim.log, customers=split.calibration, observation_end="2020-01-01")
    bgbb = BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    with pytest.raises(InvalidInputError, match=r"^model='<BG/BB>'"):
        tracking(bgbb, sim.log, customers=split.calibration)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^log='<CalibrationHoldout>'"):
        tracking(model, split, customers=split.calibration)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^customers='<CalibrationHoldout>'"):
        tracking(model, sim.log, customers=split)  # type: ignore[arg-type]


@given(
    st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 60)), min_size=1, max_size=40),
    st.integers(0, 60),
)
def test_tracking_counts_every_repeat_purchase_day(
    orders: list[tuple[str, int]], cal_offset: int
) -> None:
    """Whatever the log: the actual curve ends at the summary's repeat purchases, and the
    conditional curve ends at the calibration purchases plus the holdout expectations."""
    base = np.datetime64("2024-01-01T10:00", "ns")
    ids = [c for c, _ in orders]
    times = np.array([base + np.timedelta64(d, "D") for _, d in orders])
    log = TransactionLog.from_arrays(ids, times, [1.0] * len(ids))
    m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    end = base + np.timedelta64(60, "D")
    summary = rfm_summary(log, observation_end=end, time_unit="week")
    weekly = tracking(m, log, customers=summary, observation_end=end)
    assert weekly.actual_cumulative[-1] == summary.frequency.sum()
    assert weekly.expected_cumulative[-1] == pytest.approx(
        float(m.expected_purchases(summary.T).sum()), rel=1e-9, abs=1e-12
    )
    cal = min(base + np.timedelta64(cal_offset, "D"), end)
    if cal < log.times.min():
        return
    split = calibration_holdout_summary(log, calibration_end=cal, observation_end=end)
    # the models need T > 0: a customer acquired on the calibration end day gets a tiny age,
    # as the report does before fitting
    split = attrs.evolve(
        split, calibration=attrs.evolve(split.calibration, T=np.maximum(split.calibration.T, 1e-6))
    )
    weekly = tracking(m, log, customers=split.calibration, calibration_end=cal, observation_end=end)
    holdout = m.conditional_expected_purchases(
        split.duration_holdout / 7.0, split.calibration
    ).sum()
    assert weekly.calibration_purchases == split.calibration.frequency.sum()
    assert weekly.conditional_cumulative[-1] == pytest.approx(
        weekly.calibration_purchases + float(holdout), rel=1e-9, abs=1e-12
    )
    assert weekly.actual_cumulative[-1] == pytest.approx(
        weekly.calibration_purchases + split.frequency_holdout.sum()
    )


# ------------------------------------------------------------------------------ CDNOW


@pytest.mark.reference_data
def test_cdnow_master_holdout_figures(shared_data: Path) -> None:
    """BG/NBD fitted to 1997-09-30 on CDNOW master, its 39-week holdout (notes/holdout.md)."""
    log = es.read_csv(
        shared_data / "cdnow_master.txt",
        delimiter="whitespace",
        time="date",
        amount="dollar_value",
        time_format="%Y%m%d",
    )
    split = calibration_holdout_summary(
        log, calibration_end="1997-09-30", observation_end="1998-06-30", time_unit="week"
    )
    model = BGNBD().fit(split.calibration)
    assert model.params.to_dict() == pytest.approx(
        {"r": 0.251624, "alpha": 4.788943, "a": 0.723434, "b": 2.161088}, rel=1e-4
    )
    errors = holdout_errors(model, split)
    assert isinstance(errors, HoldoutErrors)
    assert isinstance(errors.calibration, AliveCalibration)
    assert (errors.n_customers, errors.actual_purchases) == (23_570, 19_684)
    assert errors.expected_purchases == pytest.approx(16_873.7, abs=0.1)
    assert errors.aggregate_error == pytest.approx(-0.1428, abs=1e-4)
    assert errors.mean_absolute_error == pytest.approx(0.8187, abs=1e-4)
    assert errors.root_mean_squared_error == pytest.approx(1.7329, abs=1e-4)
    assert errors.calibration_error == pytest.approx(0.0397, abs=1e-4)
    assert errors.calibration.customers.tolist() == [
        352, 15_824, 1_421, 1_616, 1_242, 786, 907, 617, 605, 200
    ]  # fmt: skip
    np.testing.assert_allclose(
        errors.calibration.observed,
        [0.3324, 0.1591, 0.3920, 0.4963, 0.5548, 0.6425, 0.7277, 0.7877, 0.8760, 0.9700],
        atol=1e-4,
    )
    table = holdout_by_frequency(model, split)
    assert isinstance(table, HoldoutByFrequency)
    assert table.customers.tolist() == [14_119, 4_442, 2_064, 1_084, 605, 348, 272, 636]
    np.testing.assert_allclose(
        table.actual, [0.251, 0.784, 1.403, 1.837, 2.451, 3.063, 3.801, 6.591], atol=5e-4
    )
    np.testing.assert_allclose(
        table.expected, [0.231, 0.520, 1.037, 1.579, 2.267, 2.892, 3.533, 6.469], atol=5e-4
    )
    weekly = tracking(
        model,
        log,
        customers=split.calibration,
        calibration_end="1997-09-30",
        observation_end="1998-06-30",
    )
    assert weekly.n_weeks == 78
    assert weekly.week_ends[38] == np.datetime64("1997-09-30")  # week 39 ends at the split
    assert weekly.calibration_purchases == weekly.actual_cumulative[38] == 24_337
    assert weekly.actual_cumulative[-1] == 44_021
    assert weekly.expected_cumulative[38] == pytest.approx(24_451.9, abs=0.1)
    assert weekly.expected_cumulative[-1] == pytest.approx(41_301.1, abs=0.1)
    assert weekly.conditional_cumulative[-1] == pytest.approx(
        24_337 + errors.expected_purchases, rel=1e-9
    )
