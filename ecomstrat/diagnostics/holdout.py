"""How well a purchase model fitted on a calibration period predicts what came after it.

:func:`holdout_by_frequency` compares the holdout purchases with the model's conditional
expectations by calibration frequency (Fader, Hardie & Lee 2005, fig. 4);
:func:`holdout_errors` scores the per-customer predictions and bins the customers by their
predicted probability of buying again (a reliability table); :func:`tracking` follows the
repeat purchases week by week in calendar time, next to the model's unconditional and
conditional expectations (their fig. 2 and 3).

Only the continuous-time purchase models (BG/NBD, MBG/NBD, Pareto/NBD) are accepted: these
diagnostics place the purchases on a calendar.

Examples
--------
>>> from ecomstrat.datasets import simulate_transactions
>>> from ecomstrat.metrics.summary import calibration_holdout_summary
>>> from ecomstrat.models.bgnbd import BGNBD
>>> sim = simulate_transactions(2_000, seed=5)
>>> split = calibration_holdout_summary(
...     sim.log, calibration_end="2024-09-30", observation_end=sim.observation_end,
...     time_unit="week")
>>> model = BGNBD().fit(split.calibration)
>>> holdout_by_frequency(model, split).labels
('0', '1', '2', '3', '4', '5', '6', '7+')
>>> errors = holdout_errors(model, split)
>>> bool(abs(errors.aggregate_error) < 0.1)
True
>>> weekly = tracking(model, sim.log, customers=split.calibration, calibration_end="2024-09-30",
...                   observation_end=sim.observation_end)
>>> weekly.n_weeks, weekly.n_customers == len(split)
(79, True)
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import check_count, invalid
from ecomstrat.diagnostics.calibration import ContinuousModel, continuous_model
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import period_index, period_of, to_instant
from ecomstrat.frames.summary import CalibrationHoldout, CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.models._base import row_index
from ecomstrat.models._data import as_rfm_arrays

__all__ = [
    "AliveCalibration",
    "ContinuousModel",
    "HoldoutByFrequency",
    "HoldoutErrors",
    "Tracking",
    "holdout_by_frequency",
    "holdout_errors",
    "tracking",
]

#: A customer's holdout pmf is summed until less than this probability is left…
PMF_TAIL = 1e-7
#: …or this many terms.
MAX_PMF_TERMS = 2_000
#: Parameter draws behind the parameters' share of :attr:`HoldoutErrors.expected_sd`.
PARAMETER_DRAWS = 100
#: Days in a tracking week, whatever the model's time unit.
_WEEK_DAYS = 7
#: Tolerance, in days, when matching the customers' ages with the calibration end (a report
#: may raise T = 0 to a tiny positive age before fitting).
_AGE_TOLERANCE_DAYS = 1e-3


def _continuous(model: object) -> ContinuousModel:
    """``model`` if it is a fitted BG/NBD, MBG/NBD or Pareto/NBD, else a named error."""
    return continuous_model(
        model,
        fix="Fit one on the calibration summary, e.g. BGNBD().fit(split.calibration); the"
        " discrete-time BG/BB has no calendar to compare with.",
    )


def _split(split: object) -> CalibrationHoldout:
    if not isinstance(split, CalibrationHoldout):
        raise invalid(
            "split",
            f"<{type(split).__name__}>",
            "must be a CalibrationHoldout",
            "Build it with calibration_holdout_summary(log, calibration_end=...).",
        )
    return split


def _holdout_length(model: ContinuousModel, split: CalibrationHoldout) -> float:
    """The holdout duration in the model's time unit."""
    return float(split.calibration.time_unit.convert(split.duration_holdout, to=model.time_unit))


# ------------------------------------------------------------------------------ by frequency


@attrs.frozen(eq=False, repr=False)
class HoldoutByFrequency(Tabular):
    """Mean holdout purchases per customer by calibration frequency: actual vs expected.

    Attributes
    ----------
    model : str
        The model's name.
    time_unit : str
        The model's time unit.
    holdout_length : float
        Length of the holdout period, in ``time_unit``.
    labels : tuple of str
        Calibration frequency of each row, ``"0"``, ``"1"``, … and the open last one
        ``"7+"``; frequencies no customer has are left out.
    customers : ndarray of int64
        Customers in each row.
    actual : ndarray of float64
        Mean number of holdout purchases per customer.
    expected : ndarray of float64
        Mean of ``E[X(T, T + holdout] | x, t_x, T]`` over the row's customers.
    """

    model: str
    time_unit: str
    holdout_length: float
    labels: tuple[str, ...]
    customers: IntArray
    actual: FloatArray
    expected: FloatArray

    def columns(self) -> dict[str, AnyArray]:
        """``calibration_frequency``, ``customers``, ``actual`` and ``expected``."""
        return {
            "calibration_frequency": np.array(self.labels, dtype=str),
            "customers": self.customers,
            "actual": self.actual,
            "expected": self.expected,
        }

    def __repr__(self) -> str:
        return (
            f"HoldoutByFrequency({self.model}, {len(self.labels)} rows,"
            f" {int(self.customers.sum())} customers, holdout {self.holdout_length:.4g}"
            f" {self.time_unit}s)"
        )


def holdout_by_frequency(
    model: ContinuousModel, split: CalibrationHoldout, *, max_frequency: int = 7
) -> HoldoutByFrequency:
    """Actual and expected holdout purchases per customer, by calibration frequency.

    Parameters
    ----------
    model : FittedBGNBD, FittedMBGNBD or FittedParetoNBD
        Fitted on ``split.calibration``.
    split : CalibrationHoldout
        From :func:`~ecomstrat.calibration_holdout_summary`.
    max_frequency : int, default 7
        First calibration frequency pooled with all larger ones (``"7+"``).

    Returns
    -------
    HoldoutByFrequency

    Raises
    ------
    InvalidInputError
        For another model, a ``split`` that is not a :class:`~ecomstrat.CalibrationHoldout`,
        or ``max_frequency < 1``.

    Notes
    -----
    The expectation of each customer is the model's conditional expectation of purchases in
    the holdout, e.g. eq. (10) of Fader, Hardie & Lee (2005), "Counting your customers the easy
    way", *Marketing Science* 24(2), 275–284, whose fig. 4 is this table for CDNOW.

    Examples
    --------
    >>> from ecomstrat import TransactionLog, calibration_holdout_summary
    >>> from ecomstrat.models.bgnbd import BGNBD
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "a", "b", "b", "c"],
    ...     ["2024-01-01", "2024-01-20", "2024-03-01", "2024-01-05", "2024-02-20", "2024-01-09"],
    ...     [1.0] * 6)
    >>> split = calibration_holdout_summary(log, calibration_end="2024-01-31",
    ...                                     observation_end="2024-03-31", time_unit="week")
    >>> m = BGNBD.from_params(r=0.24, alpha=4.4, a=0.79, b=2.4, time_unit="week")
    >>> table = holdout_by_frequency(m, split, max_frequency=1)
    >>> table.labels, table.customers.tolist(), table.actual.tolist()
    (('0', '1+'), [2, 1], [0.5, 1.0])
    """
    fitted, split = _continuous(model), _split(split)
    top = check_count("max_frequency", max_frequency, minimum=1)
    cal = split.calibration
    horizon = _holdout_length(fitted, split)
    expected = fitted.conditional_expected_purchases(horizon, cal)
    actual = split.frequency_holdout.astype(np.float64)
    groups = np.minimum(cal.frequency, top)
    sizes = np.bincount(groups, minlength=top + 1)
    kept = np.flatnonzero(sizes)
    mean_actual = np.bincount(groups, weights=actual, minlength=top + 1)[kept] / sizes[kept]
    mean_expected = np.bincount(groups, weights=expected, minlength=top + 1)[kept] / sizes[kept]
    labels = tuple(f"{g}+" if g == top else str(g) for g in kept.tolist())
    return HoldoutByFrequency(
        model=fitted.name,
        time_unit=fitted.time_unit.value,
        holdout_length=horizon,
        labels=labels,
        customers=sizes[kept].astype(np.int64),
        actual=mean_actual,
        expected=mean_expected,
    )


# ------------------------------------------------------------------------------ errors


@attrs.frozen(eq=False, repr=False)
class AliveCalibration(Tabular):
    """Reliability table: customers binned by their predicted probability of buying again.

    Attributes
    ----------
    model : str
        The model's name.
    time_unit : str
        The model's time unit.
    lower, upper : ndarray of float64
        Edges of each bin of the predicted probability (equal widths over [0, 1]; empty bins
        are left out). A bin holds ``lower <= p < upper``, the last one also ``p = 1``.
    customers : ndarray of int64
        Customers in each bin.
    probability_alive : ndarray of float64
        Their mean probability of being alive at the calibration end.
    predicted : ndarray of float64
        Their mean predicted probability of at least one purchase in the holdout.
    observed : ndarray of float64
        The share of them who bought in the holdout.
    """

    model: str
    time_unit: str
    lower: FloatArray
    upper: FloatArray
    customers: IntArray
    probability_alive: FloatArray
    predicted: FloatArray
    observed: FloatArray

    def columns(self) -> dict[str, AnyArray]:
        """One row per non-empty bin."""
        return {
            "lower": self.lower,
            "upper": self.upper,
            "customers": self.customers,
            "probability_alive": self.probability_alive,
            "predicted": self.predicted,
            "observed": self.observed,
        }

    def __repr__(self) -> str:
        return f"AliveCalibration({self.model}, {self.lower.size} bins)"


@attrs.frozen(eq=False, repr=False)
class HoldoutErrors:
    """How far the per-customer holdout predictions are from what the customers did.

    Attributes
    ----------
    model : str
        The model's name.
    time_unit : str
        The model's time unit.
    holdout_length : float
        Length of the holdout period, in ``time_unit``.
    n_customers : int
        Customers of the calibration summary.
    actual_purchases : int
        Their holdout purchases.
    expected_purchases : float
        The sum of their conditional expectations.
    aggregate_error : float
        ``expected_purchases / actual_purchases - 1`` (NaN when nobody bought in the holdout).
    expected_sd : float
        Standard deviation of the customers' total holdout purchases under the model: the
        randomness of the purchases (customers independent given the parameters) and the
        uncertainty of the estimated parameters (their asymptotic normal distribution; none
        for ``from_params`` models or boundary estimates). How far chance alone moves the
        total (see :attr:`z_score`).
    mean_absolute_error, root_mean_squared_error : float
        Per customer, of the expected minus the actual holdout purchases.
    calibration : AliveCalibration
        The reliability table of P(at least one holdout purchase).
    calibration_error : float
        Mean of ``|predicted - observed|`` over the bins, weighted by their customers.
    """

    model: str
    time_unit: str
    holdout_length: float
    n_customers: int
    actual_purchases: int
    expected_purchases: float
    aggregate_error: float
    expected_sd: float
    mean_absolute_error: float
    root_mean_squared_error: float
    calibration: AliveCalibration
    calibration_error: float

    @property
    def z_score(self) -> float:
        """``(expected - actual) / expected_sd``: the total's gap in units of chance."""
        gap = self.expected_purchases - self.actual_purchases
        return gap / self.expected_sd if self.expected_sd > 0 else math.copysign(math.inf, gap)

    def __repr__(self) -> str:
        return (
            f"HoldoutErrors({self.model}, {self.n_customers} customers: expected"
            f" {self.expected_purchases:.1f} vs {self.actual_purchases} holdout purchases,"
            f" MAE {self.mean_absolute_error:.3g}, calibration error"
            f" {self.calibration_error:.3g})"
        )


def holdout_errors(
    model: ContinuousModel, split: CalibrationHoldout, *, bins: int = 10
) -> HoldoutErrors:
    """Aggregate and per-customer errors of the holdout predictions, and a reliability table.

    Parameters
    ----------
    model : FittedBGNBD, FittedMBGNBD or FittedParetoNBD
        Fitted on ``split.calibration``.
    split : CalibrationHoldout
        From :func:`~ecomstrat.calibration_holdout_summary`.
    bins : int, default 10
        Number of equal-width bins of the predicted probability over [0, 1].

    Returns
    -------
    HoldoutErrors

    Raises
    ------
    InvalidInputError
        For another model, a ``split`` that is not a :class:`~ecomstrat.CalibrationHoldout`,
        or ``bins < 1``.

    Notes
    -----
    The predicted probability that customer ``i`` buys at least once in the holdout is
    ``1 - P(X(T_i, T_i + τ) = 0 | x_i, t_x_i, T_i)`` (the model's
    ``conditional_probability_of_purchases``; for the BG/NBD, Fader, Hardie & Lee 2005,
    "Counting your customers the easy way", and their note "Deriving an expression for
    P(X(t, t + τ) = x) under the BG/NBD model"). ``calibration_error`` is the expected
    calibration error of the reliability diagram (Naeini, Cooper & Hauskrecht 2015, AAAI).

    Examples
    --------
    >>> from ecomstrat import TransactionLog, calibration_holdout_summary
    >>> from ecomstrat.models.bgnbd import BGNBD
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "a", "b", "b", "c"],
    ...     ["2024-01-01", "2024-01-20", "2024-03-01", "2024-01-05", "2024-02-20", "2024-01-09"],
    ...     [1.0] * 6)
    >>> split = calibration_holdout_summary(log, calibration_end="2024-01-31",
    ...                                     observation_end="2024-03-31", time_unit="week")
    >>> m = BGNBD.from_params(r=0.24, alpha=4.4, a=0.79, b=2.4, time_unit="week")
    >>> errors = holdout_errors(m, split, bins=4)
    >>> errors.actual_purchases, errors.calibration.customers.tolist()
    (2, [2, 1])
    """
    fitted, split = _continuous(model), _split(split)
    n_bins = check_count("bins", bins, minimum=1)
    cal = split.calibration
    horizon = _holdout_length(fitted, split)
    expected = fitted.conditional_expected_purchases(horizon, cal)
    actual = split.frequency_holdout.astype(np.float64)
    predicted = 1.0 - fitted.conditional_probability_of_purchases(0, horizon, cal)
    alive = fitted.probability_alive(cal)
    bought = (split.frequency_holdout > 0).astype(np.float64)

    which = np.clip(np.floor(predicted * n_bins).astype(np.int64), 0, n_bins - 1)
    sizes = np.bincount(which, minlength=n_bins)
    kept = np.flatnonzero(sizes)
    n = sizes[kept]

    def mean(values: FloatArray) -> FloatArray:
        means: FloatArray = np.bincount(which, weights=values, minlength=n_bins)[kept] / n
        return means

    mean_predicted, mean_observed = mean(predicted), mean(bought)
    table = AliveCalibration(
        model=fitted.name,
        time_unit=fitted.time_unit.value,
        lower=kept / n_bins,
        upper=(kept + 1) / n_bins,
        customers=n.astype(np.int64),
        probability_alive=mean(alive),
        predicted=mean_predicted,
        observed=mean_observed,
    )
    total_actual = int(split.frequency_holdout.sum())
    total_expected = float(expected.sum())
    gap = expected - actual
    return HoldoutErrors(
        model=fitted.name,
        time_unit=fitted.time_unit.value,
        holdout_length=horizon,
        n_customers=cal.n_customers,
        actual_purchases=total_actual,
        expected_purchases=total_expected,
        aggregate_error=math.nan if total_actual == 0 else total_expected / total_actual - 1.0,
        expected_sd=_total_sd(fitted, horizon, cal, expected),
        mean_absolute_error=float(np.abs(gap).mean()),
        root_mean_squared_error=float(np.sqrt(np.square(gap).mean())),
        calibration=table,
        calibration_error=float(np.abs(mean_predicted - mean_observed) @ n / n.sum()),
    )


def _total_sd(
    model: ContinuousModel, horizon: float, customers: CustomerSummary, mean: FloatArray
) -> float:
    """Standard deviation of the sum of the customers' holdout purchases under ``model``.

    The purchases' part: ``E[X²]`` is summed from the conditional pmf over ``n = 0, 1, …``
    once per distinct history ``(x, t_x, T)``, until less than :data:`PMF_TAIL` of its
    probability is left (at most :data:`MAX_PMF_TERMS` terms). The parameters' part: the
    variance of the expected total over :data:`PARAMETER_DRAWS` draws of the parameters.
    """
    rfm = as_rfm_arrays(customers, model.time_unit)
    first, inverse = row_index((rfm.x, rfm.t_x, rfm.T))
    histories = (rfm.x[first], rfm.t_x[first], rfm.T[first])
    weights = np.bincount(inverse, minlength=first.size).astype(np.float64)
    second = np.zeros(first.size)
    left = np.ones(first.size)
    open_ = np.arange(first.size)
    for n in range(MAX_PMF_TERMS):
        history = tuple(c[open_] for c in histories)
        p = model.conditional_probability_of_purchases(n, horizon, history)  # type: ignore[arg-type]
        second[open_] += n * n * p
        left[open_] -= p
        open_ = open_[left[open_] > PMF_TAIL]
        if open_.size == 0:
            break
    purchases = float(np.maximum(second[inverse] - mean * mean, 0.0).sum())
    return math.sqrt(purchases + _parameter_variance(model, horizon, histories, weights))


def _parameter_variance(
    model: ContinuousModel,
    horizon: float,
    histories: tuple[FloatArray, FloatArray, FloatArray],
    weights: FloatArray,
) -> float:
    """Variance of the expected holdout total over draws of the parameters (0 without a fit)."""
    if model.fit is None or model.fit.diagnostics.at_boundary:
        return 0.0
    try:
        draws = model.parameter_draws(n_draws=PARAMETER_DRAWS, seed=0)
    except InvalidInputError:  # a covariance that is not positive definite
        return 0.0
    fitted: Any = model
    params = type(model.params)
    totals = [
        float(
            attrs.evolve(
                fitted, params=params(*map(float, theta)), fit=None
            ).conditional_expected_purchases(horizon, histories)
            @ weights
        )
        for theta in draws
    ]
    return float(np.var(totals))


# ------------------------------------------------------------------------------ tracking


@attrs.frozen(eq=False, repr=False)
class Tracking(Tabular):
    """Repeat purchases week by week in calendar time: actual, and expected by the model.

    Week ``w`` covers the days ``7w … 7w + 6`` after the first purchase day of the customers
    (the last week may be shorter). The arrays hold each week's increment; the ``*_cumulative``
    properties add them up.

    Attributes
    ----------
    model : str
        The model's name.
    time_unit : str
        The model's time unit (the tracking period is always a week).
    week_ends : ndarray of datetime64[D]
        Last day of each week.
    actual : ndarray of float64
        Repeat purchases (days with orders after each customer's first) in each week.
    expected : ndarray of float64
        Weekly increments of ``Σ_i E[X(t_i)]``, ``t_i`` the time from customer ``i``'s first
        purchase day to the week's end (the unconditional expectation).
    conditional : ndarray of float64
        Weekly increments of ``Σ_i E[X(T_i, T_i + τ) | x_i, t_x_i, T_i]``, ``τ`` the time from
        the calibration end to the week's end: the week holding the calibration end gets the
        part after it, the weeks before are NaN; all NaN without a calibration end.
    calibration_end : numpy.datetime64 or None
        End of the calibration period (its whole day counts as calibration).
    n_customers : int
        Customers summed over.
    calibration_purchases : float
        Actual repeat purchases of the customers up to the end of the calibration end's day,
        where :attr:`conditional_cumulative` starts (NaN without a calibration end).
    """

    model: str
    time_unit: str
    week_ends: DatetimeArray
    actual: FloatArray
    expected: FloatArray
    conditional: FloatArray
    calibration_end: np.datetime64 | None
    n_customers: int
    calibration_purchases: float = math.nan

    @property
    def n_weeks(self) -> int:
        """Number of weeks."""
        return int(self.week_ends.shape[0])

    @property
    def actual_cumulative(self) -> FloatArray:
        """Repeat purchases made by the end of each week."""
        return np.cumsum(self.actual)

    @property
    def expected_cumulative(self) -> FloatArray:
        """Repeat purchases expected by the end of each week (unconditional)."""
        return np.cumsum(self.expected)

    @property
    def conditional_cumulative(self) -> FloatArray:
        """:attr:`calibration_purchases` plus the conditional expectations so far.

        NaN up to the week before the calibration end; a :class:`Tracking` built by hand
        without ``calibration_purchases`` starts from the actual count at the end of the
        week holding the calibration end.
        """
        known = ~np.isnan(self.conditional)
        out = np.full(self.n_weeks, np.nan)
        if not known.any():
            return out
        first = int(np.argmax(known))
        start = self.calibration_purchases
        if math.isnan(start):
            start = float(self.actual_cumulative[first])
        out[first:] = start + np.cumsum(self.conditional[first:])
        return out

    def columns(self) -> dict[str, AnyArray]:
        """Weekly increments and cumulative sums, one row per week."""
        return {
            "week_end": self.week_ends,
            "actual": self.actual,
            "expected": self.expected,
            "conditional": self.conditional,
            "actual_cumulative": self.actual_cumulative,
            "expected_cumulative": self.expected_cumulative,
            "conditional_cumulative": self.conditional_cumulative,
        }

    def __repr__(self) -> str:
        end = "" if self.calibration_end is None else f", calibration_end={self.calibration_end}"
        return f"Tracking({self.model}, {self.n_weeks} weeks, {self.n_customers} customers{end})"


def _summary_rows(log: TransactionLog, summary: CustomerSummary) -> IntArray:
    """Log customer index of each summary customer."""
    ids = log.customer_ids  # in order of first appearance, not sorted
    order = np.argsort(ids, kind="stable")
    position = order[np.minimum(np.searchsorted(ids[order], summary.customer_ids), len(ids) - 1)]
    if not (ids[position] == summary.customer_ids).all():
        raise invalid(
            "customers",
            summary,
            "has customers that are not in the log",
            "Build the summary from this log.",
        )
    return position.astype(np.int64)


def tracking(
    model: ContinuousModel,
    log: TransactionLog,
    *,
    customers: CustomerSummary,
    calibration_end: object = None,
    observation_end: object = None,
) -> Tracking:
    """Weekly repeat purchases of ``customers``: actual, expected, and expected given the past.

    A purchase is a day with orders (as in :func:`~ecomstrat.rfm_summary` with the default
    daily period); repeat purchases are those after the customer's first day.

    Parameters
    ----------
    model : FittedBGNBD, FittedMBGNBD or FittedParetoNBD
        The fitted model, usually on the calibration period.
    log : TransactionLog
        The orders.
    customers : CustomerSummary
        The customers to follow (their ids must be in ``log``). With ``calibration_end``, it
        must be the calibration summary at that date with daily purchase periods, e.g.
        ``calibration_holdout_summary(log, calibration_end=...).calibration``: its ``x``,
        ``t_x`` and ``T`` are the histories the conditional expectations start from.
    calibration_end : datetime, date, str or numpy.datetime64, optional
        End of the calibration period (its whole day counts): after it, the conditional
        expectations are filled in.
    observation_end : datetime, date, str or numpy.datetime64, optional
        Last day counted (default: the last order).

    Returns
    -------
    Tracking

    Raises
    ------
    InvalidInputError
        For another model, customers that are not in ``log``, a ``calibration_end`` after
        ``observation_end``, or customers whose frequency and age do not match the log at
        ``calibration_end``.

    Notes
    -----
    ``expected`` is ``Σ_i E[X(t_i)]`` (eq. 9 of Fader, Hardie & Lee 2005, "Counting your
    customers the easy way", for the BG/NBD), the curve of their fig. 2; the cumulative
    ``conditional`` is anchored on the actual count at the calibration end and adds
    ``Σ_i E[X(T_i, T_i + τ) | x_i, t_x_i, T_i]`` (their eq. 10), so that at the last week it
    exceeds the anchor by exactly the sum of the holdout predictions.

    Examples
    --------
    >>> from ecomstrat import TransactionLog, calibration_holdout_summary
    >>> from ecomstrat.models.bgnbd import BGNBD
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "a", "b", "b", "c"],
    ...     ["2024-01-01", "2024-01-20", "2024-03-01", "2024-01-05", "2024-02-20", "2024-01-09"],
    ...     [1.0] * 6)
    >>> split = calibration_holdout_summary(log, calibration_end="2024-01-28",
    ...                                     observation_end="2024-03-31", time_unit="week")
    >>> m = BGNBD.from_params(r=0.24, alpha=4.4, a=0.79, b=2.4, time_unit="week")
    >>> weekly = tracking(m, log, customers=split.calibration, calibration_end="2024-01-28",
    ...                   observation_end="2024-03-31")
    >>> weekly.n_weeks, weekly.actual.tolist()[:5], weekly.calibration_purchases
    (13, [0.0, 0.0, 1.0, 0.0, 0.0], 1.0)
    """
    fitted = _continuous(model)
    if not isinstance(log, TransactionLog):
        raise invalid("log", f"<{type(log).__name__}>", "must be a TransactionLog")
    if not isinstance(customers, CustomerSummary):
        raise invalid("customers", f"<{type(customers).__name__}>", "must be a CustomerSummary")
    rows = _summary_rows(log, customers)
    member = np.zeros(log.n_customers, dtype=bool)
    member[rows] = True
    kept = member[log.customer_index]
    days = period_index(log.times[kept], TimeUnit.DAY)
    who = log.customer_index[kept]
    end_time = (
        np.datetime64(log.times.max(), "ns")
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
    # distinct (customer, day) pairs up to the end: the purchases
    span = end_day - start + 1
    in_span = days <= end_day
    pairs = np.unique(who[in_span] * (span + 1) + (days[in_span] - start))
    pair_customer, pair_day = pairs // (span + 1), pairs % (span + 1) + start
    repeat = pair_day > first[pair_customer]
    n_weeks = -(-span // _WEEK_DAYS)
    actual = np.bincount((pair_day[repeat] - start) // _WEEK_DAYS, minlength=n_weeks)
    last_days = np.minimum(start + _WEEK_DAYS * np.arange(1, n_weeks + 1) - 1, end_day)

    # unconditional: every customer from their own first purchase day, grouped by that day
    to_model = TimeUnit.DAY.convert(1.0, to=fitted.time_unit)
    first_days, counts = np.unique(first[rows], return_counts=True)
    ages = np.maximum(last_days[None, :] - first_days[:, None], 0) * to_model
    expected = counts.astype(np.float64) @ fitted.expected_purchases(ages)

    conditional = np.full(n_weeks, np.nan)
    cal_time: np.datetime64 | None = None
    calibration_purchases = math.nan
    if calibration_end is not None:
        cal_time = to_instant("calibration_end", calibration_end, log.timezone)
        cal_day = period_of(cal_time, TimeUnit.DAY)
        if cal_day > end_day:
            raise invalid(
                "calibration_end",
                str(cal_time),
                f"is after observation_end={end_time}",
                "The calibration period must end before the observation does.",
            )
        calibration_repeats = repeat & (pair_day <= cal_day)
        _check_histories(customers, rows, first, pair_customer[calibration_repeats], cal_day)
        calibration_purchases = float(calibration_repeats.sum())
        after = np.flatnonzero(last_days >= cal_day)
        totals = np.array(
            [
                fitted.conditional_expected_purchases(float(gap) * to_model, customers).sum()
                for gap in last_days[after] - cal_day
            ]
        )
        conditional[after] = np.diff(totals, prepend=0.0)
    return Tracking(
        model=fitted.name,
        time_unit=fitted.time_unit.value,
        week_ends=last_days.astype("datetime64[D]"),
        actual=actual[:n_weeks].astype(np.float64),
        expected=np.diff(expected, prepend=0.0),
        conditional=conditional,
        calibration_end=cal_time,
        n_customers=int(rows.size),
        calibration_purchases=calibration_purchases,
    )


def _check_histories(
    customers: CustomerSummary,
    rows: IntArray,
    first: IntArray,
    repeat_customer: IntArray,
    cal_day: int,
) -> None:
    """Refuse ``customers`` unless their ``x`` and ``T`` are the log's at ``cal_day``."""
    frequency = np.bincount(repeat_customer, minlength=first.size)[rows]
    age = customers.time_unit.convert(1.0, to=TimeUnit.DAY) * customers.T
    wrong = (frequency != customers.frequency) | (
        np.abs(age - (cal_day - first[rows])) > _AGE_TOLERANCE_DAYS
    )
    if wrong.any():
        i = int(np.argmax(wrong))
        raise invalid(
            "customers",
            customers,
            f"does not describe the log at calibration_end: customer"
            f" {customers.customer_ids[i]!r} has frequency={int(customers.frequency[i])},"
            f" T={float(customers.T[i]):.6g} {customers.time_unit.value}s, the log"
            f" {int(frequency[i])} repeat purchase days and an age of"
            f" {cal_day - int(first[rows[i]])} days",
            "Pass calibration_holdout_summary(log, calibration_end=...).calibration with the"
            " same calibration_end and the default daily period.",
        )
