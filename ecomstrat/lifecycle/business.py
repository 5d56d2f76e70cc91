"""Where the business (or a market, or a product line) stands: start-up, growth, maturity, decline.

:func:`business_phase` builds the monthly series of new customers, active customers and revenue
from a :class:`~ecomstrat.frames.transaction_log.TransactionLog` and classifies the latest
months with the documented, overridable :class:`PhaseRules`. :func:`diffusion_fit` fits a Bass
(1969) or logistic diffusion curve to cumulative customers to estimate the remaining potential,
with a delta-method interval. See :doc:`/business-phase`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar, Literal, overload

import attrs
import numpy as np
from scipy import optimize, stats

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import check_choice, check_whole_numbers, invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames._arrays import frozen_view
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import NS, period_index, period_of, period_start, to_instant
from ecomstrat.frames.transaction_log import TransactionLog

__all__ = [
    "BUSINESS_PHASE_NAMES",
    "BusinessPhase",
    "BusinessPhases",
    "DiffusionFit",
    "MonthlyActivity",
    "PhaseRules",
    "SeriesTooShortError",
    "business_phase",
    "diffusion_fit",
    "monthly_activity",
]

#: The four phases, in life order.
BUSINESS_PHASE_NAMES: tuple[str, ...] = ("start-up", "growth", "maturity", "decline")


class SeriesTooShortError(InvalidInputError):
    """A monthly series has fewer complete months than the computation needs."""


# ----------------------------------------------------------------------------- the monthly series


@attrs.frozen(eq=False)
class MonthlyActivity(Tabular):
    """New customers, active customers and revenue of each complete calendar month.

    Attributes
    ----------
    period : ndarray of datetime64[ns]
        First instant of each month, from the month of the first order.
    new_customers : ndarray of int64
        Customers whose first order falls in the month.
    active_customers : ndarray of int64
        Customers with at least one order in the month.
    revenue : ndarray of float64
        Sum of the month's order amounts.
    cumulative_customers : ndarray of int64
        Customers acquired up to the end of the month.
    """

    period: AnyArray
    new_customers: IntArray
    active_customers: IntArray
    revenue: FloatArray
    cumulative_customers: IntArray
    timezone: str | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("period", "new_customers", "active_customers", "revenue"):
            object.__setattr__(self, name, frozen_view(getattr(self, name)))
        object.__setattr__(self, "cumulative_customers", frozen_view(self.cumulative_customers))

    @property
    def n_months(self) -> int:
        """Number of months."""
        return int(self.period.shape[0])

    def __len__(self) -> int:
        return self.n_months

    def _export_timezone(self) -> str | None:
        return self.timezone

    def columns(self) -> dict[str, AnyArray]:
        """The columns: period, new_customers, active_customers, revenue, cumulative_customers."""
        return {
            "period": self.period,
            "new_customers": self.new_customers,
            "active_customers": self.active_customers,
            "revenue": self.revenue,
            "cumulative_customers": self.cumulative_customers,
        }


def _end_of(log: TransactionLog, observation_end: object) -> np.datetime64:
    if observation_end is None:
        return np.datetime64(log.times.max(), "ns")
    end = to_instant("observation_end", observation_end, log.timezone)
    if end < log.times.min():
        raise invalid(
            "observation_end",
            str(end),
            f"is before the first order ({log.times.min()})",
            "Choose a later observation_end.",
        )
    return end


def _last_complete_month(end: np.datetime64) -> int:
    """The month of ``end`` when ``end`` falls on its last day, else the month before."""
    month = period_of(end, TimeUnit.MONTH)
    next_day = (end.astype("datetime64[D]") + 1).astype(NS)
    return month if period_of(next_day, TimeUnit.MONTH) > month else month - 1


def _series(
    log: TransactionLog, rows: Any, end: np.datetime64
) -> tuple[int, IntArray, IntArray, FloatArray, IntArray]:
    """First month and the monthly arrays of the orders ``rows`` (a mask or slice) up to ``end``."""
    times = log.times[rows]
    keep = times <= end
    months = period_index(times[keep], TimeUnit.MONTH)
    customers = log.customer_index[rows][keep]
    amounts = log.amounts[rows][keep]
    last = _last_complete_month(end)
    if months.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return last + 1, empty, empty, np.zeros(0), empty
    first = int(months.min())
    n = max(last - first + 1, 0)
    inside = months <= last
    offset = months[inside] - first
    customers = customers[inside]
    revenue = np.bincount(offset, weights=amounts[inside], minlength=n)[:n].astype(np.float64)
    pairs = np.unique(customers.astype(np.int64) * max(n, 1) + offset)
    active = np.bincount(pairs % max(n, 1), minlength=n)[:n].astype(np.int64)
    # a customer's first month counts over every order of the rows, complete months or not
    first_month = np.full(log.n_customers, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_month, log.customer_index[rows][keep], months)
    acquired = first_month[first_month != np.iinfo(np.int64).max] - first
    new = np.bincount(acquired[acquired < n], minlength=n)[:n].astype(np.int64)
    return first, new, active, revenue, np.cumsum(new)


def monthly_activity(log: TransactionLog, *, observation_end: object = None) -> MonthlyActivity:
    """New customers, active customers and revenue of each complete month of the log.

    Months run from the month of the first order to the last complete month at
    ``observation_end`` (a month is complete when ``observation_end`` falls on its last day or
    later); orders after ``observation_end`` are ignored.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "b", "a", "c"], ["2024-01-05", "2024-01-20", "2024-02-03", "2024-02-28"],
    ...     [10.0, 5.0, 7.0, 3.0])
    >>> m = monthly_activity(log, observation_end="2024-02-29")
    >>> m.new_customers.tolist(), m.active_customers.tolist(), m.revenue.tolist()
    ([2, 1], [2, 2], [15.0, 10.0])
    """
    end = _end_of(log, observation_end)
    first, new, active, revenue, cumulative = _series(log, slice(None), end)
    return MonthlyActivity(
        period_start(np.arange(first, first + new.shape[0], dtype=np.int64), TimeUnit.MONTH),
        new,
        active,
        revenue,
        cumulative,
        log.timezone,
    )


# ---------------------------------------------------------------------------------- the rules


def _positive_int(_instance: object, attribute: Any, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid(attribute.name, value, "must be a whole number >= 1")


def _non_negative(_instance: object, attribute: Any, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise invalid(attribute.name, value, "must be a number >= 0")
    if not math.isfinite(value):
        raise invalid(attribute.name, value, "must be finite")


@attrs.frozen
class PhaseRules:
    """The thresholds of :func:`business_phase` (monthly rates; override any by keyword).

    Parameters
    ----------
    window_months : int
        ``k``: the trailing window over which the trends are measured (default 6).
    startup_months : int
        A business younger than this (months since its first order) is a start-up unless it
        declines (default 12).
    growth_rate : float
        Trend at or above which the business grows: +3% a month (about +43% a year).
    decline_rate : float
        Trend at or below ``-decline_rate`` means decline: −2% a month (about −22% a year).

    Examples
    --------
    >>> PhaseRules(window_months=3).window_months
    3
    """

    window_months: int = attrs.field(default=6, validator=_positive_int)
    startup_months: int = attrs.field(default=12, validator=_positive_int)
    growth_rate: float = attrs.field(default=0.03, validator=_non_negative)
    decline_rate: float = attrs.field(default=0.02, validator=_non_negative)

    @property
    def min_months(self) -> int:
        """Complete months needed to classify: the window plus one (``k + 1``)."""
        return self.window_months + 1


def _trend(values: FloatArray) -> float:
    """Relative monthly trend: OLS slope over the window divided by the window's mean.

    NaN for a window whose mean is 0 (nothing to grow from); ``-1`` when the window ends
    at zero after positive values (the fall to nothing).
    """
    mean = float(values.mean())
    if mean <= 0:
        return math.nan
    x = np.arange(values.shape[0], dtype=np.float64)
    x -= x.mean()
    slope = float((x * (values - mean)).sum() / (x * x).sum())
    return max(slope / mean, -1.0)


# ---------------------------------------------------------------------------------- the result


@attrs.frozen(eq=False)
class BusinessPhase(Tabular):
    """The phase of a business with the reasons and the monthly series behind it.

    Attributes
    ----------
    phase : str
        One of :data:`BUSINESS_PHASE_NAMES`.
    reasons : tuple of str
        Each rule that fired, with its numbers.
    monthly : MonthlyActivity
        The monthly series (``columns()`` exports it).
    revenue_trend, active_trend, new_customer_trend : float
        Relative monthly trend over the last ``k`` months (OLS slope / mean; NaN on a zero mean).
    trend : float
        Business trend: mean of ``revenue_trend`` and ``active_trend``.
    acceleration : float
        ``trend`` of the last ``k`` months minus that of the ``k`` months before (NaN when there
        are fewer than ``2k`` months).
    age_months : int
        Complete months since the first order's month.
    rules : PhaseRules
    group : str or None
        The label of the market or product line, when classified ``by`` label.
    """

    phase: str
    reasons: tuple[str, ...]
    monthly: MonthlyActivity
    revenue_trend: float
    active_trend: float
    new_customer_trend: float
    trend: float
    acceleration: float
    age_months: int
    rules: PhaseRules
    group: str | None = None

    def _export_timezone(self) -> str | None:
        return self.monthly.timezone

    def columns(self) -> dict[str, AnyArray]:
        """The monthly series (see :class:`MonthlyActivity`)."""
        return self.monthly.columns()


@attrs.frozen(eq=False)
class BusinessPhases(Tabular):
    """The phase of each group (market, product line): one row per label, in sorted order.

    Groups with fewer complete months than ``rules.min_months`` have phase ``"too short"``.
    """

    phases: tuple[BusinessPhase, ...]
    rules: PhaseRules

    def of(self, group: str) -> BusinessPhase:
        """The result of one group."""
        for p in self.phases:
            if p.group == group:
                return p
        raise invalid("group", group, "is not one of the labels", f"Use one of {self.groups}.")

    @property
    def groups(self) -> tuple[str, ...]:
        """The labels, sorted."""
        return tuple(str(p.group) for p in self.phases)

    def columns(self) -> dict[str, AnyArray]:
        """One row per group: group, phase, months, the trends and the acceleration."""
        return {
            "group": np.array(self.groups, dtype=object),
            "phase": np.array([p.phase for p in self.phases], dtype=object),
            "months": np.array([p.monthly.n_months for p in self.phases], dtype=np.int64),
            "revenue_trend": np.array([p.revenue_trend for p in self.phases]),
            "active_trend": np.array([p.active_trend for p in self.phases]),
            "trend": np.array([p.trend for p in self.phases]),
            "acceleration": np.array([p.acceleration for p in self.phases]),
        }


def _pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.2%}"


def _classify(monthly: MonthlyActivity, rules: PhaseRules, group: str | None) -> BusinessPhase:
    k = rules.window_months
    n = monthly.n_months
    if n < rules.min_months:
        raise SeriesTooShortError(
            f"the series{'' if group is None else f' of {group!r}'} has {n} complete month(s);"
            f" the business phase needs at least {rules.min_months} (window_months={k} plus"
            " one). Give a longer log, a later observation_end or a smaller window_months."
        )
    revenue = monthly.revenue.astype(np.float64)
    active = monthly.active_customers.astype(np.float64)
    new = monthly.new_customers.astype(np.float64)
    g_rev = _trend(revenue[-k:])
    g_act = _trend(active[-k:])
    g_new = _trend(new[-k:])
    both_empty = math.isnan(g_rev) and math.isnan(g_act)  # nothing sold in the whole window
    trend = -1.0 if both_empty else float(np.nanmean([g_rev, g_act]))
    acceleration = math.nan
    if n >= 2 * k:
        before = [_trend(revenue[-2 * k : -k]), _trend(active[-2 * k : -k])]
        if not all(math.isnan(b) for b in before):
            acceleration = trend - float(np.nanmean(before))
    age = n
    reasons = [
        f"over the last {k} months revenue trends {_pct(g_rev)} a month, active customers"
        f" {_pct(g_act)}, new customers {'none' if new[-k:].sum() == 0 else _pct(g_new)};"
        f" business trend {_pct(trend)}",
    ]
    if not math.isnan(acceleration):
        reasons.append(
            f"the trend changed by {100 * acceleration:+.1f} points vs the {k} months before"
        )
    if trend <= -rules.decline_rate:
        phase = "decline"
        reasons.append(f"trend {_pct(trend)} <= -{rules.decline_rate:.1%} a month")
    elif age < rules.startup_months:
        phase = "start-up"
        reasons.append(f"{age} months old < {rules.startup_months} months and not declining")
    elif trend >= rules.growth_rate:
        phase = "growth"
        reasons.append(f"trend {_pct(trend)} >= +{rules.growth_rate:.1%} a month")
        if not math.isnan(acceleration) and acceleration < 0:
            reasons.append("growth is slowing (negative acceleration): maturity may be near")
    else:
        phase = "maturity"
        reasons.append(
            f"trend {_pct(trend)} between -{rules.decline_rate:.1%} and"
            f" +{rules.growth_rate:.1%} a month"
        )
    return BusinessPhase(
        phase, tuple(reasons), monthly, g_rev, g_act, g_new, trend, acceleration, age, rules, group
    )


@overload
def business_phase(
    log: TransactionLog,
    *,
    observation_end: object = ...,
    by: None = ...,
    window_months: int | None = ...,
    rules: PhaseRules | None = ...,
) -> BusinessPhase: ...
@overload
def business_phase(
    log: TransactionLog,
    *,
    observation_end: object = ...,
    by: Sequence[Any] | AnyArray,
    window_months: int | None = ...,
    rules: PhaseRules | None = ...,
) -> BusinessPhases: ...
def business_phase(
    log: TransactionLog,
    *,
    observation_end: object = None,
    by: Sequence[Any] | AnyArray | None = None,
    window_months: int | None = None,
    rules: PhaseRules | None = None,
) -> BusinessPhase | BusinessPhases:
    """Classify the business as start-up, growth, maturity or decline from its monthly series.

    Parameters
    ----------
    log : TransactionLog
        The orders.
    observation_end : datetime, date, str or numpy.datetime64, optional
        Last instant of data (default: the last order); only complete months are used.
    by : array-like, optional
        One label per order (market, product line): classify each label's orders separately;
        a customer is new to a label at their first order with that label.
    window_months : int, optional
        Shortcut for ``rules.window_months``.
    rules : PhaseRules, optional
        The thresholds (default :class:`PhaseRules`).

    Returns
    -------
    BusinessPhase, or BusinessPhases when ``by`` is given.

    Raises
    ------
    SeriesTooShortError
        When there are fewer than ``window_months + 1`` complete months (without ``by``).

    Notes
    -----
    Over the last ``k`` complete months, the relative trend of a series is its OLS slope divided
    by its mean (a monthly growth rate that tolerates zeros). The business trend is the mean of
    the revenue and active-customer trends. First matching rule: **decline** when the trend is
    at most ``-decline_rate``; **start-up** when the business is younger than
    ``startup_months``; **growth** when the trend is at least ``growth_rate``; otherwise
    **maturity**. The acceleration (trend change against the ``k`` months before) is reported
    as a reason. The phases follow the product/industry life cycle (Levitt, "Exploit the
    Product Life Cycle", HBR 1965); see :doc:`/business-phase`.

    Examples
    --------
    >>> import numpy as np
    >>> days = np.arange("2023-01", "2024-07", dtype="datetime64[M]").astype("datetime64[D]")
    >>> # one new customer a month, each buying 10.0 in their first month only
    >>> log = TransactionLog.from_arrays(np.arange(18), days + 3, np.full(18, 10.0))
    >>> result = business_phase(log, observation_end="2024-06-30")
    >>> result.phase, result.revenue_trend
    ('maturity', 0.0)
    """
    if rules is None:
        rules = PhaseRules()
    if window_months is not None:
        rules = attrs.evolve(rules, window_months=window_months)
    end = _end_of(log, observation_end)
    if by is None:
        monthly = monthly_activity(log, observation_end=end)
        return _classify(monthly, rules, None)
    labels = np.asarray(by, dtype=object)
    if labels.ndim != 1 or labels.shape[0] != log.n_transactions:
        raise invalid(
            "by",
            f"<{labels.shape[0] if labels.ndim == 1 else labels.shape} labels>",
            f"must hold one label per order ({log.n_transactions})",
        )
    names = sorted({str(v) for v in labels.tolist()})
    text = np.array([str(v) for v in labels.tolist()], dtype=object)
    out = []
    for name in names:
        first, new, active, revenue, cumulative = _series(log, text == name, end)
        monthly = MonthlyActivity(
            period_start(np.arange(first, first + new.shape[0], dtype=np.int64), TimeUnit.MONTH),
            new,
            active,
            revenue,
            cumulative,
            log.timezone,
        )
        try:
            out.append(_classify(monthly, rules, name))
        except SeriesTooShortError as error:
            nan = math.nan
            out.append(
                BusinessPhase(
                    "too short", (str(error),), monthly, nan, nan, nan, nan, nan,
                    monthly.n_months, rules, name,
                )
            )  # fmt: skip
    return BusinessPhases(tuple(out), rules)


# ---------------------------------------------------------------------------------- diffusion


def _bass(t: FloatArray, p: float, q: float, m: float) -> FloatArray:
    e = np.exp(-(p + q) * t)
    result: FloatArray = m * (1.0 - e) / (1.0 + (q / p) * e)
    return result


def _logistic(t: FloatArray, r: float, t0: float, m: float) -> FloatArray:
    result: FloatArray = m / (1.0 + np.exp(-r * (t - t0)))
    return result


@attrs.frozen(eq=False)
class DiffusionFit(Tabular):
    """A diffusion curve fitted to cumulative customers, and the potential left.

    Attributes
    ----------
    model : {"bass", "logistic"}
    parameters : dict of str to float
        Bass: ``p`` (innovation), ``q`` (imitation), ``m`` (market potential); logistic:
        ``r`` (rate), ``t0`` (midpoint, months), ``m``.
    standard_errors : dict of str to float
        From the Jacobian at the optimum: ``s² (JᵀJ)⁻¹`` (NaN when singular).
    acquired : int
        Customers acquired by the end of the series, ``N(T)``.
    remaining, remaining_lower, remaining_upper : float
        ``m − N(T)`` and its delta-method interval at ``confidence`` (lower end floored at 0).
    confidence : float
    at_bound : bool
        Whether ``m`` hit a bound of the search (then it is not identified by the data: the
        curve has not bent yet, or has already flattened at ``N(T)``).
    month, new_customers, cumulative, fitted : ndarray
        The series: month ``1..T``, new customers, observed and fitted cumulative customers.
    period : ndarray of datetime64[ns] or None
        First instant of each month, when fitted on a log.
    """

    _NAMES: ClassVar[dict[str, tuple[str, str, str]]] = {
        "bass": ("p", "q", "m"),
        "logistic": ("r", "t0", "m"),
    }

    model: str
    parameters: dict[str, float]
    standard_errors: dict[str, float]
    acquired: int
    remaining: float
    remaining_lower: float
    remaining_upper: float
    confidence: float
    at_bound: bool
    month: IntArray
    new_customers: IntArray
    cumulative: IntArray
    fitted: FloatArray
    period: AnyArray | None = None

    @property
    def market_potential(self) -> float:
        """``m``: customers the market will eventually hold."""
        return self.parameters["m"]

    def columns(self) -> dict[str, AnyArray]:
        """The series: period (when known), month, new_customers, cumulative, fitted."""
        out: dict[str, AnyArray] = {} if self.period is None else {"period": self.period}
        out.update(
            month=self.month,
            new_customers=self.new_customers,
            cumulative=self.cumulative,
            fitted=self.fitted,
        )
        return out


#: Months a diffusion fit needs: three parameters plus at least three degrees of freedom.
MIN_DIFFUSION_MONTHS = 6


def diffusion_fit(
    data: TransactionLog | Sequence[int] | IntArray | FloatArray,
    *,
    model: Literal["bass", "logistic"] = "bass",
    observation_end: object = None,
    confidence: float = 0.9,
) -> DiffusionFit:
    """Fit a Bass or logistic diffusion curve to cumulative customers; estimate what remains.

    Parameters
    ----------
    data : TransactionLog or array-like of int
        A log (new customers per complete month are computed from it) or the new-customer
        counts of consecutive months.
    model : {"bass", "logistic"}
    observation_end : optional
        With a log: last instant of data (default: the last order).
    confidence : float
        Level of the remaining-potential interval (default 0.9).

    Returns
    -------
    DiffusionFit

    Raises
    ------
    SeriesTooShortError
        With fewer than 6 months (:data:`MIN_DIFFUSION_MONTHS`) or no customer.

    Notes
    -----
    Bass (1969), "A New Product Growth for Model Consumer Durables", *Management Science*
    15(5): cumulative adopters ``N(t) = m F(t)``,
    ``F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p) e^{−(p+q)t})``; logistic:
    ``N(t) = m / (1 + e^{−r(t − t0)})``. ``t`` counts months from the start of the first
    month, ``N(t)`` is observed at the end of months ``1..T``. Fitted by nonlinear least squares
    on the cumulative counts (Srinivasan & Mason, *Marketing Science* 5(2), 1986) with
    ``scipy.optimize.least_squares`` from a small grid of starts, ``m`` bounded below by
    ``N(T)`` so the remaining potential ``m − N(T)`` is never negative. Standard errors:
    ``s² (JᵀJ)⁻¹``, ``s² = SSR / (T − 3)``; the interval is the delta method (normal, on ``m``,
    as ``N(T)`` is known). Errors of cumulative counts are autocorrelated, so the interval is
    optimistic; read it as a lower bound on the uncertainty.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(0, 25.0)
    >>> F = (1 - np.exp(-0.33 * t)) / (1 + 10 * np.exp(-0.33 * t))  # p = 0.03, q = 0.3
    >>> new = np.diff(np.round(10_000 * F)).astype(int)  # m = 10,000, 24 months
    >>> fit = diffusion_fit(new)
    >>> round(fit.parameters["p"], 3), round(fit.parameters["q"], 2), round(fit.market_potential)
    (0.03, 0.3, 10000)
    """
    check_choice("model", model, ("bass", "logistic"))
    if not (isinstance(confidence, float | int) and 0 < confidence < 1):
        raise invalid("confidence", confidence, "must be strictly between 0 and 1")
    period = None
    if isinstance(data, TransactionLog):
        monthly = monthly_activity(data, observation_end=observation_end)
        new = monthly.new_customers.astype(np.int64)
        period = monthly.period
    else:
        if observation_end is not None:
            raise invalid(
                "observation_end", observation_end, "is only meaningful with a TransactionLog"
            )
        new = check_whole_numbers("data", data).astype(np.int64)
    n = new.shape[0]
    if n < MIN_DIFFUSION_MONTHS:
        raise SeriesTooShortError(
            f"the new-customer series has {n} complete month(s); a diffusion fit needs at least"
            f" {MIN_DIFFUSION_MONTHS} (three parameters plus three degrees of freedom)."
        )
    cumulative = np.cumsum(new)
    total = int(cumulative[-1])
    if total == 0:
        raise SeriesTooShortError("no customer was acquired: there is no curve to fit.")
    t = np.arange(1, n + 1, dtype=np.float64)
    y = cumulative / total  # fit in units of N(T) for conditioning
    curve = _bass if model == "bass" else _logistic
    if model == "bass":
        lower, upper = [1e-6, 0.0, 1.0], [1.0, 3.0, 100.0]
        starts = [
            (p, q, m) for p in (0.002, 0.02, 0.1) for q in (0.05, 0.3, 0.8) for m in (1.1, 3.0)
        ]
    else:
        lower, upper = [1e-4, -10.0 * n, 1.0], [5.0, 20.0 * n, 100.0]
        starts = [
            (r, t0, m) for r in (0.1, 0.5, 1.5) for t0 in (n / 4, n / 2, n) for m in (1.1, 3.0)
        ]

    def residuals(theta: FloatArray) -> FloatArray:
        return curve(t, float(theta[0]), float(theta[1]), float(theta[2])) - y

    best: Any = None
    for start in starts:
        result = optimize.least_squares(
            residuals, np.array(start), bounds=(lower, upper), method="trf", x_scale="jac"
        )
        if best is None or result.cost < best.cost:
            best = result
    theta = np.asarray(best.x, dtype=np.float64)
    scale = np.array([1.0, 1.0, float(total)])
    jac = np.asarray(best.jac, dtype=np.float64) * total / scale  # d(N)/d(theta in real units)
    ssr = float(2.0 * best.cost) * total**2
    dof = n - 3
    try:
        covariance = np.linalg.inv(jac.T @ jac) * (ssr / dof)
        se = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    except np.linalg.LinAlgError:
        se = np.full(3, math.nan)
    values = theta * scale
    names = DiffusionFit._NAMES[model]
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    m = float(values[2])
    remaining = max(m - total, 0.0)
    span = z * float(se[2])
    at_bound = bool(np.isclose(theta[2], upper[2]) or (theta[2] - 1.0) < 1e-9)
    return DiffusionFit(
        model,
        {name: float(v) for name, v in zip(names, values, strict=True)},
        {name: float(s) for name, s in zip(names, se, strict=True)},
        total,
        remaining,
        max(remaining - span, 0.0) if math.isfinite(span) else math.nan,
        remaining + span if math.isfinite(span) else math.nan,
        float(confidence),
        at_bound,
        frozen_view(np.arange(1, n + 1, dtype=np.int64)),
        frozen_view(new),
        frozen_view(cumulative),
        frozen_view(curve(t, *values)),
        period,
    )
