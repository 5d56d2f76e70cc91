"""check_model: the graded criteria, the verdict, and the chance spread of the holdout total."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import ecomstrat as es
from ecomstrat.diagnostics import CheckThresholds, check_model, holdout_errors
from ecomstrat.exceptions import InvalidInputError


@pytest.fixture(scope="module")
def split() -> es.CalibrationHoldout:
    sim = es.simulate_transactions(3_000, seed=8)
    return es.calibration_holdout_summary(
        sim.log,
        calibration_end="2024-09-30",
        observation_end=sim.observation_end,
        time_unit="week",
    )


def test_a_model_fitted_to_its_own_simulation_is_good(split) -> None:
    check = check_model(es.BGNBD().fit(split.calibration), split)
    assert check.verdict == "good"
    assert check.summary.startswith("Good: the BG/NBD")
    assert [c.grade for c in check.criteria] == ["good"] * 4
    table = check.columns()
    assert table["criterion"].tolist() == [c.name for c in check.criteria]
    assert table["grade"].tolist() == ["good"] * 4
    assert repr(check) == "ModelCheck(BG/NBD: good)"


def test_a_wrong_model_is_poor_and_says_why(split) -> None:
    wrong = es.BGNBD.from_params(r=2.0, alpha=2.0, a=0.1, b=20.0, time_unit="week")
    check = check_model(wrong, split)
    assert check.verdict == "poor"
    grades = {c.name: c.grade for c in check.criteria}
    assert grades["holdout aggregate error"] == "poor"
    assert check.summary.startswith("Poor: the BG/NBD fails: holdout aggregate error")
    assert "(good if ≤ 10%)" in check.summary


def test_grades_follow_the_thresholds(split) -> None:
    model = es.BGNBD().fit(split.calibration)
    strict = CheckThresholds(distribution_gap=(0.0, 0.0), skill=(0.99, 0.98))
    check = check_model(model, split, thresholds=strict)
    grades = {c.name: c.grade for c in check.criteria}
    assert grades["calibration repeat-purchase distribution"] == "poor"
    assert grades["holdout skill over the run rate"] == "poor"
    assert check.verdict == "poor"
    skill = next(c for c in check.criteria if c.higher_is_better)
    mae = check.holdout_errors.mean_absolute_error
    cal = split.calibration
    run_rate = cal.frequency / cal.T * split.duration_holdout
    baseline = np.abs(run_rate - split.frequency_holdout).mean()
    assert skill.value == pytest.approx(1.0 - mae / baseline)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"aggregate_error": (0.3, 0.1)}, r"^aggregate_error=\(0.3, 0.1\) is invalid: has its"),
        ({"skill": (0.0, 0.1)}, r"^skill=\(0.0, 0.1\) is invalid"),
        ({"calibration_error": (0.1,)}, r"^calibration_error=\(0.1,\) is invalid: must be a pair"),
        ({"distribution_gap": (0.1, math.inf)}, r"^distribution_gap=.* must be a pair"),
    ],
)
def test_bad_thresholds_are_named(kwargs, named) -> None:
    with pytest.raises(InvalidInputError, match=named):
        CheckThresholds(**kwargs)


def test_bad_thresholds_argument(split) -> None:
    model = es.BGNBD().fit(split.calibration)
    with pytest.raises(InvalidInputError, match=r"^thresholds=.* must be a CheckThresholds"):
        check_model(model, split, thresholds={"skill": (0.1, 0.0)})  # type: ignore[arg-type]


def test_poisson_limit_of_the_chance_spread() -> None:
    # Rates concentrated at 1 per week and no dropout: each customer's holdout purchases are
    # Poisson(holdout), so the total's variance is n * holdout (no fit: no parameter part).
    log = es.TransactionLog.from_arrays(
        ["a", "b", "c", "a"],
        ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-20"],
        [1.0, 1.0, 1.0, 1.0],
    )
    split = es.calibration_holdout_summary(
        log, calibration_end="2024-02-01", observation_end="2024-03-14", time_unit="week"
    )
    model = es.BGNBD.from_params(r=1e5, alpha=1e5, a=1e-6, b=1e4, time_unit="week")
    errors = holdout_errors(model, split)
    holdout = split.duration_holdout
    assert errors.expected_purchases == pytest.approx(3 * holdout, rel=1e-3)
    assert errors.expected_sd == pytest.approx(math.sqrt(3 * holdout), rel=1e-3)
    assert errors.z_score == pytest.approx(
        (errors.expected_purchases - errors.actual_purchases) / errors.expected_sd
    )


def test_parameter_uncertainty_widens_the_spread(split) -> None:
    fitted = es.BGNBD().fit(split.calibration)
    given = es.BGNBD.from_params(**fitted.params.to_dict(), time_unit="week")
    wide, narrow = holdout_errors(fitted, split), holdout_errors(given, split)
    assert wide.expected_purchases == pytest.approx(narrow.expected_purchases)
    assert wide.expected_sd > narrow.expected_sd > 0


@pytest.mark.parametrize(
    ("seed", "error", "z", "grade"),
    [(0, -0.189, -1.13, "good"), (10, 0.334, 2.12, "poor")],
)
def test_within_chance_the_aggregate_error_is_good(seed, error, z, grade) -> None:
    # 300 customers: the holdout total moves by more than 10 % by chance alone.
    sim = es.simulate_transactions(300, seed=seed)
    small = es.calibration_holdout_summary(
        sim.log,
        calibration_end="2024-09-30",
        observation_end=sim.observation_end,
        time_unit="week",
    )
    check = check_model(es.BGNBD().fit(small.calibration), small)
    errors, aggregate = check.holdout_errors, check.criteria[0]
    assert errors.aggregate_error == pytest.approx(error, abs=1e-3)
    assert errors.z_score == pytest.approx(z, abs=0.01)
    assert aggregate.grade == grade
    assert f"{abs(z):.1f} standard deviations of chance" in aggregate.meaning


def test_no_holdout_purchase_is_not_assessed() -> None:
    log = es.TransactionLog.from_arrays(
        ["a", "a", "b", "b", "c"],
        ["2024-01-01", "2024-01-10", "2024-01-02", "2024-01-20", "2024-01-05"],
        [1.0] * 5,
    )
    split = es.calibration_holdout_summary(
        log, calibration_end="2024-02-01", observation_end="2024-03-01", time_unit="week"
    )
    model = es.BGNBD.from_params(r=0.5, alpha=5.0, a=0.8, b=2.0, time_unit="week")
    check = check_model(model, split)
    grades = {c.name: c.grade for c in check.criteria}
    assert grades["holdout aggregate error"] == "not assessed"
    assert check.verdict in {"good", "acceptable", "poor"}


def test_with_the_log_the_check_tracks(split) -> None:
    sim = es.simulate_transactions(3_000, seed=8)
    model = es.BGNBD().fit(split.calibration)
    check = check_model(model, split, log=sim.log)
    assert check.tracking is not None
    assert check.tracking.n_customers == len(split)
    assert check_model(model, split).tracking is None


def test_cdnow_master_is_acceptable_for_its_aggregate_error(shared_data: Path) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(
        shared_data / "cdnow_master.txt", sep=r"\s+", dtype={"customer_id": str, "date": str}
    )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    log = es.log_from_pandas(frame, customer_id="customer_id", time="date", amount="dollar_value")
    split = es.calibration_holdout_summary(
        log, calibration_end="1997-09-30", observation_end="1998-06-30", time_unit="week"
    )
    check = check_model(es.BGNBD().fit(split.calibration), split)
    values = {c.name: (c.value, c.grade) for c in check.criteria}
    assert values["holdout aggregate error"][0] == pytest.approx(0.1428, abs=5e-4)
    assert values["holdout aggregate error"][1] == "acceptable"
    assert values["calibration repeat-purchase distribution"][0] == pytest.approx(0.0107, abs=5e-4)
    assert values["holdout skill over the run rate"][1] == "good"
    assert check.verdict == "acceptable"
    assert check.holdout_errors.z_score < -5  # far beyond chance: a real misfit
