"""One verdict on a fitted purchase model: the diagnostics, graded against stated thresholds.

:func:`check_model` runs the diagnostics that compare a model fitted on the calibration period
with data it did not see (the holdout) and with the calibration data themselves, grades four
numbers against :class:`CheckThresholds` and returns a :class:`ModelCheck` whose
:attr:`~ModelCheck.verdict` is the worst grade: ``"good"``, ``"acceptable"`` or ``"poor"``.

Examples
--------
>>> from ecomstrat.datasets import simulate_transactions
>>> from ecomstrat.metrics.summary import calibration_holdout_summary
>>> from ecomstrat.models.bgnbd import BGNBD
>>> sim = simulate_transactions(2_000, seed=5)
>>> split = calibration_holdout_summary(sim.log, calibration_end="2024-09-30",
...                                     observation_end=sim.observation_end, time_unit="week")
>>> check = check_model(BGNBD().fit(split.calibration), split)
>>> check.verdict
'good'
>>> [c.name for c in check.criteria]  # doctest: +NORMALIZE_WHITESPACE
['holdout aggregate error', 'holdout P(buy) calibration error',
 'calibration repeat-purchase distribution', 'holdout skill over the run rate']
"""

from __future__ import annotations

import math
from typing import Any, Literal

import attrs
import numpy as np

from ecomstrat._typing import AnyArray
from ecomstrat._validation import invalid
from ecomstrat.diagnostics.calibration import PeriodTransactions, period_transactions
from ecomstrat.diagnostics.holdout import (
    HoldoutByFrequency,
    HoldoutErrors,
    Tracking,
    holdout_by_frequency,
    holdout_errors,
    tracking,
)
from ecomstrat.frames._export import Tabular
from ecomstrat.frames.summary import CalibrationHoldout
from ecomstrat.frames.transaction_log import TransactionLog

__all__ = ["CheckThresholds", "Criterion", "Grade", "ModelCheck", "check_model"]

#: A criterion's grade; ``"not assessed"`` when the data cannot measure it (no holdout purchase).
Grade = Literal["good", "acceptable", "poor", "not assessed"]

_ORDER: dict[str, int] = {"good": 0, "acceptable": 1, "poor": 2}

#: An aggregate error within this many standard deviations of the model's own predictive
#: spread of the total (:attr:`~ecomstrat.diagnostics.HoldoutErrors.expected_sd`) is graded
#: good whatever its size: on a small base chance alone moves the total that far.
CHANCE_Z = 2.0


def _limits(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    ok = (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and math.isfinite(v) for v in value)
    )
    if not ok:
        raise invalid(attribute.name, value, "must be a pair (good, acceptable) of finite numbers")
    good, acceptable = value
    worse = good > acceptable if attribute.name != "skill" else good < acceptable
    if worse:
        raise invalid(
            attribute.name,
            value,
            "has its 'good' limit beyond its 'acceptable' one",
            "Give (good, acceptable) with good the stricter of the two.",
        )


@attrs.frozen
class CheckThresholds:
    """Limits of a ``good`` and an ``acceptable`` grade for each criterion of :func:`check_model`.

    Each field is a pair ``(good, acceptable)``. The first three are errors (a value at or
    below ``good`` is good, at or below ``acceptable`` acceptable, above it poor); ``skill``
    is a gain (at or above ``good`` is good, at or above ``acceptable`` acceptable).

    Parameters
    ----------
    aggregate_error : (float, float), default (0.10, 0.25)
        ``|expected / actual − 1|`` of the holdout purchases of all customers: the error of a
        forecast of total demand.
    calibration_error : (float, float), default (0.05, 0.10)
        Customer-weighted mean ``|predicted − observed|`` share of customers buying in the
        holdout, over bins of the predicted probability: whether "likely to buy" means it.
    distribution_gap : (float, float), default (0.02, 0.05)
        Largest gap, as a share of the customers, between the actual and expected numbers of
        customers with 0, 1, 2… repeat purchases in the calibration period (the fit itself).
    skill : (float, float), default (0.10, 0.0)
        ``1 − MAE(model) / MAE(run rate)`` of the customers' holdout purchases, where the run
        rate predicts ``x / T`` purchases per unit of time: a model no better than
        extrapolating each customer's past rate is no use for ranking them.

    An aggregate error beyond its limits is still graded good when the gap is within
    :data:`CHANCE_Z` standard deviations of the model's predictive spread of the total: on
    a few hundred customers chance alone moves the total by more than 10 %.

    Notes
    -----
    The defaults are judgement, not statistics: with thousands of customers a chi-square test
    rejects misfits too small to matter (it is reported, not graded). A 10 % aggregate error
    is the accuracy Fader, Hardie & Lee (2005, fig. 2) show on CDNOW's holdout; a model that
    loses to each customer's own run rate has failed at what it is for.
    """

    aggregate_error: tuple[float, float] = attrs.field(default=(0.10, 0.25), validator=_limits)
    calibration_error: tuple[float, float] = attrs.field(default=(0.05, 0.10), validator=_limits)
    distribution_gap: tuple[float, float] = attrs.field(default=(0.02, 0.05), validator=_limits)
    skill: tuple[float, float] = attrs.field(default=(0.10, 0.0), validator=_limits)


@attrs.frozen
class Criterion:
    """One graded number of a :class:`ModelCheck`.

    Attributes
    ----------
    name : str
        What is measured.
    value : float
        The measurement (NaN when it cannot be measured).
    good, acceptable : float
        The limits it was graded against.
    higher_is_better : bool
        ``True`` for a gain (skill), ``False`` for an error.
    grade : str
        ``"good"``, ``"acceptable"``, ``"poor"`` or ``"not assessed"``.
    meaning : str
        One sentence on what the number says.
    """

    name: str
    value: float
    good: float
    acceptable: float
    higher_is_better: bool
    grade: Grade
    meaning: str


def _grade(value: float, limits: tuple[float, float], *, higher_is_better: bool) -> Grade:
    if not math.isfinite(value):
        return "not assessed"
    good, acceptable = limits
    if higher_is_better:
        return "good" if value >= good else "acceptable" if value >= acceptable else "poor"
    return "good" if value <= good else "acceptable" if value <= acceptable else "poor"


def _criterion(
    name: str, value: float, limits: tuple[float, float], meaning: str, *, gain: bool = False
) -> Criterion:
    grade = _grade(value, limits, higher_is_better=gain)
    return Criterion(name, value, limits[0], limits[1], gain, grade, meaning)


@attrs.frozen(eq=False)
class ModelCheck(Tabular):
    """A fitted purchase model's diagnostics and the verdict on them (see :func:`check_model`).

    As a table (:meth:`columns`), one row per criterion.

    Attributes
    ----------
    model : str
        The model's name.
    time_unit : str
        Its time unit.
    verdict : str
        The worst grade of the assessed criteria: ``"good"``, ``"acceptable"`` or
        ``"poor"`` (``"not assessed"`` when none could be measured).
    summary : str
        The verdict in one or two plain sentences, naming the criteria that set it.
    criteria : tuple of Criterion
        The graded numbers.
    thresholds : CheckThresholds
        The limits used.
    period_transactions : PeriodTransactions
        Customers by repeat purchases in the calibration period, actual vs expected.
    holdout_by_frequency : HoldoutByFrequency
        Mean holdout purchases by calibration frequency, actual vs expected.
    holdout_errors : HoldoutErrors
        Aggregate and per-customer holdout errors, with the P(buy) calibration table.
    tracking : Tracking or None
        Weekly repeat purchases, actual vs expected, when the log was given.
    """

    model: str
    time_unit: str
    verdict: Grade
    summary: str
    criteria: tuple[Criterion, ...]
    thresholds: CheckThresholds
    period_transactions: PeriodTransactions
    holdout_by_frequency: HoldoutByFrequency
    holdout_errors: HoldoutErrors
    tracking: Tracking | None = None

    def __repr__(self) -> str:
        return f"ModelCheck({self.model}: {self.verdict})"

    def columns(self) -> dict[str, AnyArray]:
        """``criterion``, ``value``, ``good``, ``acceptable``, ``grade`` (one row each)."""
        return {
            "criterion": np.array([c.name for c in self.criteria]),
            "value": np.array([c.value for c in self.criteria], dtype=np.float64),
            "good": np.array([c.good for c in self.criteria], dtype=np.float64),
            "acceptable": np.array([c.acceptable for c in self.criteria], dtype=np.float64),
            "grade": np.array([c.grade for c in self.criteria]),
        }


def _run_rate_error(split: CalibrationHoldout) -> float:
    """Mean absolute holdout error of predicting each customer's calibration rate ``x / T``."""
    cal = split.calibration
    rate = np.divide(
        cal.frequency.astype(np.float64), cal.T, out=np.zeros(cal.n_customers), where=cal.T > 0
    )
    predicted = rate * split.duration_holdout
    return float(np.abs(predicted - split.frequency_holdout).mean())


def _ratio(errors: HoldoutErrors) -> str:
    if errors.actual_purchases == 0:
        return "no purchase to compare with"
    return f"{errors.expected_purchases / errors.actual_purchases:.1%} of the actual"


def _flagged(criterion: Criterion) -> str:
    """``name value (good if ≤ limit)`` of a criterion that is not good."""
    sign = "≥" if criterion.higher_is_better else "≤"
    return f"{criterion.name} {criterion.value:.1%} (good if {sign} {criterion.good:.0%})"


def _summary(model: str, verdict: Grade, criteria: tuple[Criterion, ...]) -> str:
    if verdict == "not assessed":
        return (
            "Not assessed: no criterion could be measured on these data (the holdout needs"
            f" purchases). Do not rely on the {model} forecasts before checking them."
        )
    if verdict == "good":
        return (
            f"Good: the {model} fits the calibration data and predicts the holdout within the"
            " stated limits; its forecasts can be used to rank and value customers."
        )
    flagged = "; ".join(_flagged(c) for c in criteria if c.grade in ("acceptable", "poor"))
    if verdict == "acceptable":
        return (
            f"Acceptable: the {model} is usable with care: {flagged}. Rank customers with it;"
            " treat its totals as approximate."
        )
    return (
        f"Poor: the {model} fails: {flagged}. Do not act on its forecasts; try another"
        " purchase model, a longer calibration period or a cleaner log."
    )


def check_model(
    model: Any,
    split: CalibrationHoldout,
    *,
    log: TransactionLog | None = None,
    thresholds: CheckThresholds | None = None,
) -> ModelCheck:
    """Diagnose ``model`` (fitted on ``split.calibration``) and give a verdict.

    Four criteria are graded (see :class:`CheckThresholds` for their limits): the aggregate
    holdout error, the calibration of the predicted probability to buy in the holdout, the
    largest gap in the distribution of calibration repeat purchases, and the per-customer
    skill over each customer's run rate. The verdict is the worst grade.

    Parameters
    ----------
    model : fitted BG/NBD, MBG/NBD or Pareto/NBD
        Fitted on ``split.calibration``.
    split : CalibrationHoldout
        From :func:`~ecomstrat.calibration_holdout_summary`.
    log : TransactionLog, optional
        The orders behind ``split``; with it the check includes the weekly tracking.
    thresholds : CheckThresholds, optional
        Limits of the grades (default ``CheckThresholds()``).

    Returns
    -------
    ModelCheck

    Raises
    ------
    InvalidInputError
        For a model that is not a continuous-time purchase model, or a ``thresholds`` that
        is not a :class:`CheckThresholds`.
    """
    limits = CheckThresholds() if thresholds is None else thresholds
    if not isinstance(limits, CheckThresholds):
        raise invalid(
            "thresholds",
            limits,
            "must be a CheckThresholds",
            "E.g. CheckThresholds(skill=(0.2, 0)).",
        )
    by_frequency = holdout_by_frequency(model, split)
    errors = holdout_errors(model, split)
    distribution = period_transactions(model, split.calibration)
    baseline = _run_rate_error(split)
    skill = 1.0 - errors.mean_absolute_error / baseline if baseline > 0 else math.nan
    aggregate = _criterion(
        "holdout aggregate error",
        abs(errors.aggregate_error),
        limits.aggregate_error,
        f"{errors.expected_purchases:,.0f} holdout purchases expected,"
        f" {errors.actual_purchases:,} made ({_ratio(errors)}); the gap is"
        f" {abs(errors.z_score):.1f} standard deviations of chance.",
    )
    if aggregate.grade in ("acceptable", "poor") and abs(errors.z_score) <= CHANCE_Z:
        aggregate = attrs.evolve(aggregate, grade="good")
    criteria = (
        aggregate,
        _criterion(
            "holdout P(buy) calibration error",
            errors.calibration_error,
            limits.calibration_error,
            "Mean gap between the predicted and the observed share of customers buying in the"
            " holdout, over bins of the prediction.",
        ),
        _criterion(
            "calibration repeat-purchase distribution",
            distribution.max_share_gap,
            limits.distribution_gap,
            "Largest gap between the actual and expected shares of customers with 0, 1, 2…"
            f" repeat purchases (chi-square {distribution.chi_square:,.1f} on"
            f" {distribution.degrees_of_freedom} df, reported, not graded).",
        ),
        _criterion(
            "holdout skill over the run rate",
            skill,
            limits.skill,
            f"Per-customer mean absolute error {errors.mean_absolute_error:.3f} against"
            f" {baseline:.3f} for each customer's own past rate.",
            gain=True,
        ),
    )
    assessed = [c.grade for c in criteria if c.grade != "not assessed"]
    verdict: Grade = max(assessed, key=_ORDER.__getitem__) if assessed else "not assessed"
    weekly = (
        None
        if log is None
        else tracking(
            model,
            log,
            customers=split.calibration,
            calibration_end=split.calibration_end,
            observation_end=split.observation_end,
        )
    )
    return ModelCheck(
        model=errors.model,
        time_unit=errors.time_unit,
        verdict=verdict,
        summary=_summary(errors.model, verdict, criteria),
        criteria=criteria,
        thresholds=limits,
        period_transactions=distribution,
        holdout_by_frequency=by_frequency,
        holdout_errors=errors,
        tracking=weekly,
    )
