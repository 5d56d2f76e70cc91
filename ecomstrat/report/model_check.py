"""How well a fitted purchase model predicts: holdout purchases and the tracking curve.

:func:`model_check` compares a model fitted on the calibration period with what the customers
did in the holdout period, by calibration frequency (Fader, Hardie & Lee 2005, fig. 4);
:func:`tracking_curve` sums the model's expected repeat purchases over the customers, each
from their own first purchase, week by week, next to the actual count (their fig. 2).

Examples
--------
>>> from ecomstrat.datasets import simulate_transactions
>>> from ecomstrat.metrics.summary import calibration_holdout_summary
>>> from ecomstrat.models.bgnbd import BGNBD
>>> sim = simulate_transactions(2_000, seed=5)
>>> split = calibration_holdout_summary(sim.log, calibration_end="2024-09-30",
...                                     observation_end=sim.observation_end, time_unit="week")
>>> model = BGNBD().fit(split.calibration)
>>> check = model_check(split, model)
>>> [s.title for s in check.sections()]
['Model check: holdout purchases, predicted vs actual']
>>> curve = tracking_curve(sim.log, model, split.calibration, calibration_end="2024-09-30",
...                        observation_end=sim.observation_end)
>>> bool(curve.actual[-1] > 0 and curve.expected[-1] > 0)
True
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import attrs
import numpy as np

from ecomstrat._typing import DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.frames._time import period_index, period_of, to_instant
from ecomstrat.frames.summary import CalibrationHoldout, CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.report import _format as fmt
from ecomstrat.report.overview import _Overview
from ecomstrat.report.section import Section

__all__ = [
    "HoldoutPrediction",
    "ModelCheck",
    "PurchaseModel",
    "TrackingCurve",
    "model_check",
    "tracking_curve",
]

#: Days in a week: the tracking curve is weekly whatever the model's time unit.
WEEK_DAYS = 7


class PurchaseModel(Protocol):
    """A fitted purchase model as the checks use it (a fitted BG/NBD, Pareto/NBD…)."""

    @property
    def time_unit(self) -> TimeUnit:
        """Unit of the model's times."""
        ...

    def expected_purchases(self, t: Any) -> FloatArray:
        """Expected repeat purchases of a new customer in ``(0, t]``."""
        ...

    def conditional_expected_purchases(self, t: Any, data: CustomerSummary, /) -> FloatArray:
        """Expected repeat purchases in ``(T, T + t]`` given each history."""
        ...


# ------------------------------------------------------------------------------ holdout check


@attrs.frozen
class HoldoutPrediction:
    """Mean holdout purchases of the customers with one calibration frequency."""

    calibration_frequency: str
    customers: int
    actual: float
    predicted: float


@attrs.frozen
class ModelCheck(_Overview):
    """A model fitted on the calibration period against the holdout (see :func:`model_check`)."""

    model: str
    time_unit: str
    calibration_end: np.datetime64
    observation_end: np.datetime64
    holdout_length: float
    params: dict[str, float]
    n_customers: int
    actual_purchases: int
    predicted_purchases: float
    mean_absolute_error: float
    buckets: tuple[HoldoutPrediction, ...]

    def sections(self) -> tuple[Section, ...]:
        """One table by calibration frequency."""
        rows = [
            (
                b.calibration_frequency,
                fmt.count(b.customers),
                fmt.number(b.actual, 3),
                fmt.number(b.predicted, 3),
                fmt.number(b.predicted - b.actual, 3),
            )
            for b in self.buckets
        ]
        params = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        ratio = (
            fmt.MISSING
            if self.actual_purchases == 0
            else fmt.share(self.predicted_purchases / self.actual_purchases)
        )
        notes = [
            f"{self.model} fitted on the calibration period only (to"
            f" {fmt.date(self.calibration_end)}; {params}), predicting the"
            f" {fmt.number(self.holdout_length)} {self.time_unit}s to"
            f" {fmt.date(self.observation_end)}.",
            f"In all: {fmt.number(self.predicted_purchases, 0)} purchases predicted,"
            f" {fmt.count(self.actual_purchases)} made ({ratio}); mean absolute error per"
            f" customer {fmt.number(self.mean_absolute_error, 3)}.",
        ]
        return (
            Section(
                "Model check: holdout purchases, predicted vs actual",
                rows,
                header=("x in calibration", "customers", "actual", "predicted", "difference"),
                notes=notes,
            ),
        )


def model_check(
    split: CalibrationHoldout,
    model: PurchaseModel,
    *,
    max_frequency: int = 7,
    name: str = "BG/NBD",
    params: dict[str, float] | None = None,
) -> ModelCheck:
    """Compare ``model`` (fitted on ``split.calibration``) with the holdout purchases.

    The prediction for each customer is ``E[X(T, T + holdout] | x, t_x, T]``; customers are
    grouped by calibration frequency ``0 … max_frequency - 1`` and ``max_frequency+``.

    Parameters
    ----------
    split : CalibrationHoldout
        From :func:`~ecomstrat.calibration_holdout_summary`.
    model : PurchaseModel
        Fitted on ``split.calibration``.
    max_frequency : int, default 7
        First frequency pooled with all larger ones.
    name : str, default "BG/NBD"
        The model's name in the report.
    params : dict, optional
        Its parameters, shown in a note (default: ``model.params.to_dict()`` when present).

    Returns
    -------
    ModelCheck
    """
    if max_frequency < 1:
        raise invalid("max_frequency", max_frequency, "must be >= 1")
    cal = split.calibration
    horizon = cal.time_unit.convert(split.duration_holdout, to=model.time_unit)
    predicted = np.asarray(model.conditional_expected_purchases(horizon, cal), dtype=np.float64)
    actual = split.frequency_holdout.astype(np.float64)
    groups = np.minimum(cal.frequency, max_frequency)
    buckets = []
    for g in range(max_frequency + 1):
        members = groups == g
        size = int(members.sum())
        if size:
            label = f"{g}+" if g == max_frequency else str(g)
            buckets.append(
                HoldoutPrediction(
                    label, size, float(actual[members].mean()), float(predicted[members].mean())
                )
            )
    if params is None:
        held = getattr(model, "params", None)
        params = dict(held.to_dict()) if held is not None and hasattr(held, "to_dict") else {}
    return ModelCheck(
        model=name,
        time_unit=cal.time_unit.value,
        calibration_end=split.calibration_end,
        observation_end=split.observation_end,
        holdout_length=split.duration_holdout,
        params=params,
        n_customers=cal.n_customers,
        actual_purchases=int(split.frequency_holdout.sum()),
        predicted_purchases=float(predicted.sum()),
        mean_absolute_error=float(np.abs(predicted - actual).mean()),
        buckets=tuple(buckets),
    )


# ------------------------------------------------------------------------------ tracking curve


@attrs.frozen(eq=False)
class TrackingCurve:
    """Cumulative repeat purchases week by week: actual, and expected by the model.

    Attributes
    ----------
    week_ends : ndarray of datetime64[D]
        Last day of each week (the last week may be shorter).
    actual : ndarray of float64
        Repeat purchases (purchase days after each customer's first) made by the end of
        each week, summed over the customers.
    expected : ndarray of float64
        ``Σ_i E[X(t_i)]`` with ``t_i`` the time from customer ``i``'s first purchase to the
        end of the week (0 before it).
    calibration_end : numpy.datetime64 or None
        End of the period the model was fitted on, when it is not the whole span.
    n_customers : int
        Customers summed over.
    model : str
        The model's name.
    """

    week_ends: DatetimeArray
    actual: FloatArray
    expected: FloatArray
    calibration_end: np.datetime64 | None
    n_customers: int
    model: str = "BG/NBD"

    @property
    def n_weeks(self) -> int:
        """Number of weeks."""
        return int(self.week_ends.shape[0])

    def to_dict(self) -> dict[str, Any]:
        """The weekly values as JSON-able lists."""
        return {
            "model": self.model,
            "n_customers": self.n_customers,
            "calibration_end": None
            if self.calibration_end is None
            else fmt.json_values(np.array([self.calibration_end]))[0],
            "week_ends": fmt.json_values(self.week_ends),
            "actual_cumulative": fmt.json_values(self.actual),
            "expected_cumulative": fmt.json_values(self.expected),
        }

    def sections(self) -> tuple[Section, ...]:
        """Actual and expected totals every 13 weeks and at the end."""
        weeks = sorted({*range(12, self.n_weeks, 13), self.n_weeks - 1})
        rows = []
        for w in weeks:
            actual, expected = float(self.actual[w]), float(self.expected[w])
            gap = fmt.MISSING if actual == 0 else fmt.share(expected / actual - 1.0)
            rows.append(
                (
                    f"{w + 1}",
                    fmt.date(self.week_ends[w]),
                    fmt.number(actual, 0),
                    fmt.number(expected, 0),
                    gap,
                )
            )
        note = (
            f"{self.model} expectations summed over {fmt.count(self.n_customers)} customers, each"
            " from their own first purchase."
        )
        if self.calibration_end is not None:
            note += f" The model saw only the data to {fmt.date(self.calibration_end)}."
        return (
            Section(
                "Tracking: cumulative repeat purchases",
                rows,
                header=("week", "ends", "actual", "expected", "expected vs actual"),
                notes=[note],
            ),
        )


def _summary_rows(log: TransactionLog, summary: CustomerSummary) -> IntArray:
    """Log customer index of each summary customer."""
    ids = log.customer_ids  # in order of first appearance, not sorted
    order = np.argsort(ids, kind="stable")
    position = order[np.minimum(np.searchsorted(ids[order], summary.customer_ids), len(ids) - 1)]
    if not (ids[position] == summary.customer_ids).all():
        raise invalid(
            "summary",
            summary,
            "has customers that are not in the log",
            "Build the summary from this log.",
        )
    return position.astype(np.int64)


def tracking_curve(
    log: TransactionLog,
    model: PurchaseModel,
    customers: CustomerSummary,
    *,
    calibration_end: object = None,
    observation_end: object = None,
    name: str = "BG/NBD",
) -> TrackingCurve:
    """Weekly cumulative repeat purchases of ``customers``: actual and expected by ``model``.

    A purchase is a day with orders (as in :func:`~ecomstrat.rfm_summary` with the default
    daily period); repeat purchases are those after the customer's first day. Week ``w``
    covers days ``7w … 7w + 6`` after the first purchase day of all ``customers``.

    Parameters
    ----------
    log : TransactionLog
        The orders.
    model : PurchaseModel
        A fitted model with ``expected_purchases(t)`` (the BG/NBD's eq. 9).
    customers : CustomerSummary
        The customers to sum over (their ids must be in ``log``), e.g. the calibration
        summary the model was fitted on.
    calibration_end : datetime, date, str or numpy.datetime64, optional
        Shown as the end of the data the model saw.
    observation_end : datetime, date, str or numpy.datetime64, optional
        Last day counted (default: the last order).
    name : str, default "BG/NBD"
        The model's name in the report.

    Returns
    -------
    TrackingCurve
    """
    rows = _summary_rows(log, customers)
    member = np.zeros(log.n_customers, dtype=bool)
    member[rows] = True
    kept = member[log.customer_index]
    days = period_index(log.times[kept], TimeUnit.DAY)
    who = log.customer_index[kept]
    end_time = (
        log.times.max()
        if observation_end is None
        else to_instant("observation_end", observation_end, log.timezone)
    )
    end_day = period_of(end_time, TimeUnit.DAY)
    first = np.full(log.n_customers, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, who, days)
    start = int(first[rows].min())
    if end_day < start:
        raise invalid(
            "observation_end", str(end_time), "is before the first purchase of every customer"
        )
    in_span = days <= end_day
    span = end_day - start + 1
    pairs = np.unique(who[in_span] * (span + 1) + (days[in_span] - start))
    pair_customer, pair_day = pairs // (span + 1), pairs % (span + 1) + start
    repeat = pair_day > first[pair_customer]
    n_weeks = math.ceil(span / WEEK_DAYS)
    weekly = np.bincount((pair_day[repeat] - start) // WEEK_DAYS, minlength=n_weeks)
    actual = np.cumsum(weekly[:n_weeks]).astype(np.float64)
    bounds = np.minimum(start + WEEK_DAYS * np.arange(1, n_weeks + 1), end_day + 1)
    first_days, counts = np.unique(first[rows], return_counts=True)
    ages = np.maximum(bounds[None, :] - first_days[:, None], 0).astype(np.float64)
    t = ages / model.time_unit.days
    expected = counts.astype(np.float64) @ np.asarray(model.expected_purchases(t))
    week_ends = (bounds - 1).astype("datetime64[D]")
    return TrackingCurve(
        week_ends=week_ends,
        actual=actual,
        expected=np.asarray(expected, dtype=np.float64),
        calibration_end=None
        if calibration_end is None
        else to_instant("calibration_end", calibration_end, log.timezone),
        n_customers=int(rows.size),
        model=name,
    )
