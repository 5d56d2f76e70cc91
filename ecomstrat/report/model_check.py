"""The report's model check and tracking parts: :mod:`ecomstrat.diagnostics` as sections.

:class:`ModelCheckPart` shows a :class:`~ecomstrat.diagnostics.ModelCheck`: the verdict and its
criteria, the calibration repeat-purchase distribution, the holdout by calibration frequency
and the calibration of the predicted probability to buy. :class:`TrackingPart` shows a
:class:`~ecomstrat.diagnostics.Tracking` every 13 weeks.

Examples
--------
>>> from ecomstrat.datasets import simulate_transactions
>>> from ecomstrat.diagnostics import check_model
>>> from ecomstrat.metrics.summary import calibration_holdout_summary
>>> from ecomstrat.models.bgnbd import BGNBD
>>> sim = simulate_transactions(2_000, seed=5)
>>> split = calibration_holdout_summary(sim.log, calibration_end="2024-09-30",
...                                     observation_end=sim.observation_end, time_unit="week")
>>> part = ModelCheckPart(check_model(BGNBD().fit(split.calibration), split, log=sim.log))
>>> [s.title for s in part.sections()]  # doctest: +NORMALIZE_WHITESPACE
['Model check: verdict', 'Model check: repeat purchases in the calibration period',
 'Model check: holdout purchases, predicted vs actual',
 'Model check: probability to buy in the holdout, predicted vs observed']
>>> TrackingPart(part.check.tracking).sections()[0].title
'Tracking: repeat purchases by week'
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np

from ecomstrat.diagnostics.holdout import Tracking
from ecomstrat.diagnostics.verdict import Criterion, ModelCheck
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = ["ModelCheckPart", "TrackingPart"]

#: Rows of the tracking table: one every this many weeks, and the last week.
TRACKING_STEP = 13


def _value(criterion: Criterion) -> str:
    if not math.isfinite(criterion.value):
        return fmt.MISSING
    return fmt.share(criterion.value)


def _limit(criterion: Criterion, limit: float) -> str:
    sign = "≥" if criterion.higher_is_better else "≤"
    return f"{sign} {limit:.0%}"


@attrs.frozen
class ModelCheckPart:
    """The model-check part of a report (see :func:`~ecomstrat.diagnostics.check_model`)."""

    check: ModelCheck

    @property
    def n_customers(self) -> int:
        """Customers checked."""
        return self.check.holdout_errors.n_customers

    @property
    def holdout_length(self) -> float:
        """Length of the holdout period, in the model's time unit."""
        return self.check.holdout_errors.holdout_length

    def to_dict(self) -> dict[str, Any]:
        """The verdict, the criteria and the diagnostics' numbers, JSON-able."""
        c = self.check
        errors = c.holdout_errors
        pt = c.period_transactions
        return {
            "model": c.model,
            "time_unit": c.time_unit,
            "verdict": c.verdict,
            "summary": c.summary,
            "criteria": [
                {
                    "name": k.name,
                    "value": k.value if math.isfinite(k.value) else None,
                    "good": k.good,
                    "acceptable": k.acceptable,
                    "higher_is_better": k.higher_is_better,
                    "grade": k.grade,
                }
                for k in c.criteria
            ],
            "n_customers": errors.n_customers,
            "holdout_length": errors.holdout_length,
            "actual_purchases": errors.actual_purchases,
            "expected_purchases": errors.expected_purchases,
            "aggregate_error": fmt.json_values(np.array([errors.aggregate_error]))[0],
            "expected_sd": errors.expected_sd,
            "mean_absolute_error": errors.mean_absolute_error,
            "root_mean_squared_error": errors.root_mean_squared_error,
            "calibration_error": fmt.json_values(np.array([errors.calibration_error]))[0],
            "period_transactions": {
                **fmt.json_columns(pt.columns()),
                "chi_square": fmt.json_values(np.array([pt.chi_square]))[0],
                "degrees_of_freedom": pt.degrees_of_freedom,
                "p_value": fmt.json_values(np.array([pt.p_value]))[0],
            },
            "by_frequency": fmt.json_columns(c.holdout_by_frequency.columns()),
            "probability_to_buy": fmt.json_columns(errors.calibration.columns()),
        }

    def sections(self) -> tuple[Section, ...]:
        """The verdict, then one table per diagnostic."""
        c = self.check
        errors = c.holdout_errors
        unit = c.time_unit
        verdict = Section(
            "Model check: verdict",
            [
                (k.name, _value(k), _limit(k, k.good), _limit(k, k.acceptable), k.grade)
                for k in c.criteria
            ],
            header=("criterion", "value", "good if", "acceptable if", "grade"),
            notes=[
                f"Verdict: {c.summary}",
                f"{c.model} fitted on the calibration period only, predicting the"
                f" {errors.holdout_length:.3g} {unit}s after it for"
                f" {fmt.count(errors.n_customers)} customers.",
            ],
        )
        pt = c.period_transactions
        p_value = fmt.MISSING if math.isnan(pt.p_value) else f"{pt.p_value:.3g}"
        distribution = Section(
            "Model check: repeat purchases in the calibration period",
            [
                (label, fmt.count(int(a)), fmt.number(float(e), 1), fmt.number(float(e) - a, 1))
                for label, a, e in zip(pt.labels, pt.actual, pt.expected, strict=True)
            ],
            header=("repeat purchases", "customers", "expected", "difference"),
            notes=[
                f"Pearson chi-square {pt.chi_square:,.1f} on {pt.degrees_of_freedom} degrees of"
                f" freedom (p = {p_value}); with thousands of customers it rejects gaps too"
                " small to matter, so the verdict grades the largest gap in shares instead.",
            ],
        )
        hf = c.holdout_by_frequency
        by_frequency = Section(
            "Model check: holdout purchases, predicted vs actual",
            [
                (
                    label,
                    fmt.count(int(n)),
                    fmt.number(float(a), 3),
                    fmt.number(float(e), 3),
                    fmt.number(float(e - a), 3),
                )
                for label, n, a, e in zip(
                    hf.labels, hf.customers, hf.actual, hf.expected, strict=True
                )
            ],
            header=("x in calibration", "customers", "actual", "predicted", "difference"),
            notes=[
                f"Mean holdout purchases per customer. In all:"
                f" {fmt.number(errors.expected_purchases, 0)} predicted,"
                f" {fmt.count(errors.actual_purchases)} made, a gap of"
                f" {abs(errors.z_score):.1f} standard deviations of chance; per customer, mean"
                " absolute error"
                f" {fmt.number(errors.mean_absolute_error, 3)}, root mean squared error"
                f" {fmt.number(errors.root_mean_squared_error, 3)}.",
            ],
        )
        cal = errors.calibration
        buying = Section(
            "Model check: probability to buy in the holdout, predicted vs observed",
            [
                (
                    f"{lo:.0%}–{hi:.0%}",
                    fmt.count(int(n)),
                    fmt.share(float(alive)),
                    fmt.share(float(p)),
                    fmt.share(float(o)),
                )
                for lo, hi, n, alive, p, o in zip(
                    cal.lower,
                    cal.upper,
                    cal.customers,
                    cal.probability_alive,
                    cal.predicted,
                    cal.observed,
                    strict=True,
                )
            ],
            header=("predicted", "customers", "mean P(alive)", "predicted", "observed"),
            notes=[
                "Customers binned by their predicted probability of at least one holdout"
                " purchase; 'observed' is the share who did buy. P(alive) is higher: a live"
                " customer may still not buy within the holdout.",
            ],
        )
        return (verdict, distribution, by_frequency, buying)


@attrs.frozen
class TrackingPart:
    """The tracking part of a report: weekly repeat purchases, actual and expected."""

    tracking: Tracking

    def to_dict(self) -> dict[str, Any]:
        """The weekly values (increments and cumulative), JSON-able."""
        t = self.tracking
        end = t.calibration_end
        return {
            "model": t.model,
            "n_customers": t.n_customers,
            "calibration_end": None if end is None else fmt.json_values(np.array([end]))[0],
            "week_ends": fmt.json_values(t.week_ends),
            "actual": fmt.json_values(t.actual),
            "expected": fmt.json_values(t.expected),
            "conditional": fmt.json_values(t.conditional),
            "actual_cumulative": fmt.json_values(t.actual_cumulative),
            "expected_cumulative": fmt.json_values(t.expected_cumulative),
            "conditional_cumulative": fmt.json_values(t.conditional_cumulative),
        }

    def sections(self) -> tuple[Section, ...]:
        """Cumulative actual and expected purchases every 13 weeks and at the end."""
        t = self.tracking
        weeks = sorted({*range(TRACKING_STEP - 1, t.n_weeks, TRACKING_STEP), t.n_weeks - 1})
        holdout = t.calibration_end is not None
        rows = []
        for w in weeks:
            actual = float(t.actual_cumulative[w])
            expected = float(t.expected_cumulative[w])
            conditional = float(t.conditional_cumulative[w])
            row = [
                f"{w + 1}",
                fmt.date(t.week_ends[w]),
                fmt.number(float(t.actual[w]), 0),
                fmt.number(actual, 0),
                fmt.number(expected, 0),
                fmt.MISSING if actual == 0 else fmt.share(expected / actual - 1.0),
            ]
            if holdout:
                row.append(fmt.MISSING if math.isnan(conditional) else fmt.number(conditional, 0))
            rows.append(row)
        header = ["week", "ends", "that week", "cumulative", "expected", "expected vs actual"]
        notes = [
            f"{t.model} expectations summed over {fmt.count(t.n_customers)} customers, each from"
            " their own first purchase ('expected'); 'that week' is the week's actual repeat"
            " purchases."
        ]
        if holdout:
            header.append("given history")
            notes.append(
                f"The model saw only the data to {fmt.date(t.calibration_end)}. 'given history'"
                " adds to the actual count at the calibration end each customer's expected"
                " purchases given their calibration history, the forecast a user acts on."
            )
        return (Section("Tracking: repeat purchases by week", rows, header=header, notes=notes),)
