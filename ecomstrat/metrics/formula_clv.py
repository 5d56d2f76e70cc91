"""Formula CLV: the back-of-the-envelope lifetime values, without a purchase model.

Two classic formulas, beside the model-based :func:`~ecomstrat.customer_lifetime_value`:

* :func:`simple_clv`: ``CLV = gross margin rate × average order value × purchases per year ×
  expected lifespan in years``, per customer and per segment, the lifespan given or
  ``1 / annual churn rate`` estimated from the log (:func:`annual_churn`).
* :func:`retention_clv`: the retention-based value of a customer who brings a margin ``m`` per
  period and stays from one period to the next with probability ``r``, discounted at ``d``:
  ``m r / (1 + d − r)`` (infinite horizon) or its finite sum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar, Literal

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import (
    check_choice,
    check_count,
    check_finite,
    check_positive,
    check_unit_interval,
    invalid,
)
from ecomstrat.domain.time_unit import DAYS_PER_YEAR, TimeUnit
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import freeze_arrays
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._ids import IdIndex
from ecomstrat.frames._labels import LabelledAssignment
from ecomstrat.frames._time import to_instant
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.models._protocols import check_discount_rate

__all__ = [
    "ChurnEstimate",
    "SegmentLifetimeValues",
    "SimpleLifetimeValues",
    "annual_churn",
    "retention_clv",
    "simple_clv",
]

_NS_PER_DAY = 86_400 * 10**9
MarginTiming = Literal["end", "start"]


def _end(log: TransactionLog, observation_end: object) -> np.datetime64:
    if observation_end is None:
        return np.datetime64(log.times.max(), "ns")
    return to_instant("observation_end", observation_end, log.timezone)


def _offset(days: float) -> np.timedelta64:
    return np.timedelta64(round(days * _NS_PER_DAY), "ns")


# ------------------------------------------------------------------------------------- churn


@attrs.frozen
class ChurnEstimate(Tabular):
    """Annual churn rate measured between two consecutive windows (see :func:`annual_churn`).

    A one-row table (:meth:`columns`, ``to_pandas()``...).

    Attributes
    ----------
    previous_start, previous_end, latest_end : numpy.datetime64
        The windows ``(previous_start, previous_end]`` and ``(previous_end, latest_end]``.
    window_days : float
        Length of each window in days.
    active : int
        Customers with at least one order in the previous window.
    retained : int
        Of those, customers with at least one order in the latest window.
    window_churn_rate : float
        ``1 − retained / active``: churn over one window.
    annual_churn_rate : float
        ``1 − (1 − window_churn_rate) ** (365.2425 / window_days)``.
    lifespan_years : float
        ``1 / annual_churn_rate`` (infinite when nobody was lost).
    """

    previous_start: np.datetime64
    previous_end: np.datetime64
    latest_end: np.datetime64
    window_days: float
    active: int
    retained: int
    window_churn_rate: float
    annual_churn_rate: float
    lifespan_years: float

    def columns(self) -> dict[str, AnyArray]:
        """The fields as named columns of one row."""
        return {f.name: np.array([getattr(self, f.name)]) for f in attrs.fields(type(self))}


def annual_churn(
    log: TransactionLog,
    *,
    observation_end: object = None,
    churn_window: float = 1.0,
    churn_window_unit: TimeUnit | str = TimeUnit.YEAR,
) -> ChurnEstimate:
    """Share of a window's buyers who do not buy in the next window, converted to a year.

    Definition: with ``w`` the window length and ``E`` the observation end, a customer is
    *active* when they have an order in the previous window ``(E − 2w, E − w]``, and
    *retained* when they also have one in the latest window ``(E − w, E]``. The window churn
    rate is ``c_w = 1 − retained / active``; assuming the same retention in every window, the
    annual churn rate is ``c = 1 − (1 − c_w) ** (1 year / w)`` (one year = 365.2425 days), and
    the expected lifespan ``1 / c`` years (the mean of a geometric number of years).

    Parameters
    ----------
    log : TransactionLog
        The orders; those after ``observation_end`` are ignored.
    observation_end : datetime, date, str or numpy.datetime64, optional
        End of the latest window (default: the last order's time).
    churn_window, churn_window_unit : float, TimeUnit or str
        Window length ``w`` (> 0; default one year). A log shorter than two years needs a
        shorter window, e.g. ``churn_window=13, churn_window_unit="week"``.

    Returns
    -------
    ChurnEstimate

    Raises
    ------
    InvalidInputError
        If the window is not > 0.
    EmptyInputError
        If no customer bought in the previous window (the log is too short: shorten the
        window or give the lifespan).

    Notes
    -----
    This is the retention rate of the contractual CLV formulas (Gupta & Lehmann 2003,
    "Customers as assets", *Journal of Interactive Marketing* 17(1)) measured on purchases.
    In a non-contractual business a customer who skips a window is counted lost although
    they may come back: the shorter the window relative to the time between purchases, the
    higher the churn and the shorter the lifespan. For the probability that a customer is
    still alive use a BTYD model (e.g. :class:`~ecomstrat.BGNBD`).

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "b", "c", "d", "a", "b", "e"],
    ...     ["2023-03-01", "2023-04-01", "2023-05-01", "2023-06-01",
    ...      "2024-03-01", "2024-05-01", "2024-06-01"],
    ...     [10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0])
    >>> churn = annual_churn(log, observation_end="2024-12-31")
    >>> churn.active, churn.retained, churn.annual_churn_rate, churn.lifespan_years
    (4, 2, 0.5, 2.0)
    """
    end = _end(log, observation_end)
    width = check_positive("churn_window", churn_window)
    days = TimeUnit.parse(churn_window_unit).convert(width, to=TimeUnit.DAY)
    middle = end - _offset(days)
    start = end - _offset(2.0 * days)
    previous = (log.times > start) & (log.times <= middle)
    latest = (log.times > middle) & (log.times <= end)
    was_active = np.zeros(log.n_customers, dtype=bool)
    was_active[log.customer_index[previous]] = True
    is_active = np.zeros(log.n_customers, dtype=bool)
    is_active[log.customer_index[latest]] = True
    active = int(was_active.sum())
    if active == 0:
        raise EmptyInputError(
            f"no customer bought in the window ({start}, {middle}], so churn cannot be measured."
            " Shorten churn_window, or give lifespan_years."
        )
    retained = int((was_active & is_active).sum())
    window_churn = 1.0 - retained / active
    annual = 1.0 - (retained / active) ** (DAYS_PER_YEAR / days)
    return ChurnEstimate(
        start,
        middle,
        end,
        float(days),
        active,
        retained,
        window_churn,
        annual,
        math.inf if annual == 0.0 else 1.0 / annual,
    )


# ------------------------------------------------------------------------------- simple CLV


@attrs.frozen(eq=False, repr=False)
class SegmentLifetimeValues(Tabular):
    """The simple CLV of each segment (see :func:`simple_clv`).

    Attributes
    ----------
    segments : ndarray of str
        Segment names (in order of the labels' vocabulary, or sorted).
    customers, orders : ndarray of int64
        Customers with an order in the window, and their orders, per segment.
    revenue : ndarray of float64
        Their revenue in the window.
    average_order_value : ndarray of float64
        ``revenue / orders``.
    annual_frequency : ndarray of float64
        ``orders / customers / window years``: purchases per customer per year.
    clv_per_customer : ndarray of float64
        ``gross_margin_rate × average_order_value × annual_frequency × lifespan_years``.
    total_clv : ndarray of float64
        ``clv_per_customer × customers``: the sum of the customers' CLV.

    A segment of the vocabulary without a customer in the window has zeros throughout.
    """

    segments: AnyArray
    customers: IntArray
    orders: IntArray
    revenue: FloatArray
    average_order_value: FloatArray
    annual_frequency: FloatArray
    clv_per_customer: FloatArray
    total_clv: FloatArray

    _pandas_index: ClassVar[str | None] = "segment"

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    def __len__(self) -> int:
        return int(self.segments.shape[0])

    def __repr__(self) -> str:
        return f"SegmentLifetimeValues({len(self)} segments, total={self.total_clv.sum():.6g})"

    def columns(self) -> dict[str, AnyArray]:
        """The per-segment arrays by name, ``segment`` first."""
        return {
            "segment": self.segments,
            "customers": self.customers,
            "orders": self.orders,
            "revenue": self.revenue,
            "average_order_value": self.average_order_value,
            "annual_frequency": self.annual_frequency,
            "clv_per_customer": self.clv_per_customer,
            "total_clv": self.total_clv,
        }


@attrs.frozen(eq=False, repr=False)
class SimpleLifetimeValues(Tabular):
    """Per-customer simple CLV and its ingredients (see :func:`simple_clv`).

    Attributes
    ----------
    customer_ids : ndarray
        Customers with at least one order in the window.
    orders : ndarray of int64
        Their orders in the window.
    revenue : ndarray of float64
        Their revenue in the window.
    average_order_value : ndarray of float64
        ``revenue / orders``.
    annual_frequency : ndarray of float64
        ``orders / window_years``.
    clv : ndarray of float64
        ``gross_margin_rate × average_order_value × annual_frequency × lifespan_years``
        (``lifespan_years`` within the horizon when ``horizon_years`` is given).
    lifespan_years : float
        Expected years alive used: given, or ``1 / annual churn rate``; with
        ``horizon_years``, the expected years alive within the horizon.
    gross_margin_rate : float
        Fraction of revenue kept as margin.
    window_years : float
        Length of the observation window in years.
    churn : ChurnEstimate or None
        The churn measurement, when the lifespan was estimated.
    segments : SegmentLifetimeValues or None
        The values by segment, when ``by`` was given.
    """

    customer_ids: AnyArray
    orders: IntArray
    revenue: FloatArray
    average_order_value: FloatArray
    annual_frequency: FloatArray
    clv: FloatArray
    lifespan_years: float
    gross_margin_rate: float
    window_years: float
    churn: ChurnEstimate | None
    segments: SegmentLifetimeValues | None

    _pandas_index: ClassVar[str | None] = "customer_id"

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    def __len__(self) -> int:
        return int(self.clv.shape[0])

    def __repr__(self) -> str:
        return (
            f"SimpleLifetimeValues({len(self)} customers, lifespan_years={self.lifespan_years:.4g},"
            f" total={self.total:.6g})"
        )

    @property
    def total(self) -> float:
        """Sum of the customers' CLV."""
        return float(self.clv.sum())

    def columns(self) -> dict[str, AnyArray]:
        """The per-customer arrays by name, ``customer_id`` first."""
        return {
            "customer_id": self.customer_ids,
            "orders": self.orders,
            "revenue": self.revenue,
            "average_order_value": self.average_order_value,
            "annual_frequency": self.annual_frequency,
            "clv": self.clv,
        }


def _segment_codes(
    by: Sequence[object] | AnyArray | LabelledAssignment, log: TransactionLog
) -> tuple[IntArray, AnyArray]:
    """Segment code of each of the log's customers, and the segment names."""
    if isinstance(by, LabelledAssignment):
        index = IdIndex("by.customer_ids", expected=log.n_customers + by.n_customers)
        index.encode(log.customer_ids)
        theirs = index.encode(by.customer_ids)
        if theirs.size and int(theirs.max()) >= log.n_customers:
            unknown = by.customer_ids[int(np.argmax(theirs >= log.n_customers))]
            raise invalid(
                "by",
                f"<{type(by).__name__}>",
                f"labels customer {unknown!r}, who is not in the log",
            )
        codes = np.full(log.n_customers, -1, dtype=np.int64)
        codes[theirs] = by.codes
        if (codes < 0).any():
            missing = log.customer_ids[int(np.argmax(codes < 0))]
            raise invalid(
                "by",
                f"<{type(by).__name__}>",
                f"has no label for customer {missing!r} of the log",
                "Label every customer of the log (e.g. build the segments from the same log).",
            )
        return codes, np.asarray(by.names)
    labels = np.asarray(by)
    if labels.shape != (log.n_customers,):
        raise invalid(
            "by",
            f"<array of shape {labels.shape}>",
            f"must hold one label per customer of the log ({log.n_customers}), in the order"
            " of log.customer_ids",
        )
    names, codes = np.unique(labels.astype(str), return_inverse=True)
    return codes.astype(np.int64), names


def simple_clv(
    log: TransactionLog,
    *,
    observation_start: object = None,
    observation_end: object = None,
    lifespan_years: float | None = None,
    churn_window: float = 1.0,
    churn_window_unit: TimeUnit | str = TimeUnit.YEAR,
    gross_margin_rate: float = 1.0,
    horizon_years: float | None = None,
    by: Sequence[object] | AnyArray | LabelledAssignment | None = None,
) -> SimpleLifetimeValues:
    """CLV = gross margin rate × average order value × purchases per year × lifespan in years.

    For each customer with an order in the window ``[observation_start, observation_end]``:
    ``average_order_value = revenue / orders`` and ``annual_frequency = orders /
    window_years``, both over the window. The expected lifespan is ``lifespan_years`` or,
    when not given, ``1 / annual churn rate`` measured by :func:`annual_churn` (the share of
    the customers who bought in the previous ``churn_window`` who do not buy in the latest
    one, up to ``observation_end``). With ``by``, the same values per segment:
    ``average_order_value = revenue / orders`` and ``annual_frequency = orders / customers /
    window_years`` of the segment, so that a segment's ``total_clv`` is the sum of its
    customers' ``clv``.

    Parameters
    ----------
    log : TransactionLog
        The orders.
    observation_start, observation_end : datetime, date, str or numpy.datetime64, optional
        The window (inclusive; default: the first and the last order's time).
    lifespan_years : float, optional
        Expected customer lifespan in years (> 0); estimated from the log when not given.
    churn_window, churn_window_unit : float, TimeUnit or str
        Window of the churn measurement (default one year), see :func:`annual_churn`.
    gross_margin_rate : float
        Fraction of revenue kept as gross margin, in (0, 1] (default 1: revenue CLV).
    horizon_years : float, optional
        Value over a planning horizon of ``h`` years (> 0) instead of the whole lifespan: the
        lifespan ``L`` is replaced by the expected years alive within the horizon,
        ``L (1 − exp(−h / L))``, taking the lifetime as exponential with mean ``L`` (which
        gives back ``L`` as ``h`` grows).
    by : array_like or LabelledAssignment, optional
        A label per customer of the log (in the order of ``log.customer_ids``) or a
        labelling such as :class:`~ecomstrat.RFMSegments` or lifecycle stages (matched by
        customer id); adds :attr:`SimpleLifetimeValues.segments`.

    Returns
    -------
    SimpleLifetimeValues

    Raises
    ------
    InvalidInputError
        If a rate or length is out of range, the window is empty or reversed, or ``by``
        does not label the log's customers.
    EmptyInputError
        If no order is in the window, or the churn cannot be measured.

    Notes
    -----
    The textbook formula (e.g. Kumar & Reinartz, *Customer Relationship Management*, 2018,
    ch. 6; "average order value × purchase frequency × customer lifespan"). The lifespan
    ``1 / c`` is the mean of a geometric lifetime with annual churn ``c`` (Gupta & Lehmann
    2003). It extrapolates each customer's past spending rate for the whole lifespan: it
    ignores recency (a customer gone silent for months is valued like an active one) and
    differences in dropout between customers, so it is a planning number for a base or a
    segment rather than a ranking of individuals. ``annual_frequency`` divides by the whole
    window, so customers acquired late in it are undervalued: start the window at their
    acquisition (``observation_start``) or compare cohorts. No discounting; for a
    discounted value use :func:`retention_clv`.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "b", "a"], ["2024-01-01", "2024-04-01", "2024-07-01", "2024-12-31"],
    ...     [30.0, 10.0, 40.0, 20.0])
    >>> result = simple_clv(log, lifespan_years=3.0, gross_margin_rate=0.5,
    ...                     observation_end="2024-12-31")
    >>> round(result.window_years, 4)
    0.9993
    >>> result.average_order_value.tolist(), result.orders.tolist()
    ([20.0, 40.0], [3, 1])
    >>> result.clv.round(2).tolist()  # 0.5 × 20 × 3 / 0.9993 × 3, 0.5 × 40 × 1 / 0.9993 × 3
    [90.06, 60.04]
    >>> simple_clv(log, lifespan_years=3.0, by=["vip", "new"]).segments.clv_per_customer.round(2)
    array([120.08, 180.12])
    """
    margin = check_finite("gross_margin_rate", gross_margin_rate)
    if not 0.0 < margin <= 1.0:
        raise invalid(
            "gross_margin_rate",
            gross_margin_rate,
            "must lie in (0, 1]",
            "Give the margin as a fraction of revenue (0.3 for 30%).",
        )
    end = _end(log, observation_end)
    if observation_start is None:
        start = np.datetime64(log.times.min(), "ns")
    else:
        start = to_instant("observation_start", observation_start, log.timezone)
    if not start < end:
        raise invalid(
            "observation_start",
            str(start),
            f"must be before observation_end={end}",
            "The window needs a length to give purchases per year.",
        )
    window_years = float((end - start) / np.timedelta64(1, "ns")) / _NS_PER_DAY / DAYS_PER_YEAR
    churn: ChurnEstimate | None = None
    if lifespan_years is None:
        churn = annual_churn(
            log,
            observation_end=end,
            churn_window=churn_window,
            churn_window_unit=churn_window_unit,
        )
        if churn.annual_churn_rate == 0.0:
            raise invalid(
                "lifespan_years",
                None,
                f"cannot be estimated: all {churn.active} customers of the previous window"
                " bought again (no churn)",
                "Give lifespan_years, or a longer churn_window.",
            )
        lifespan = churn.lifespan_years
    else:
        lifespan = check_positive("lifespan_years", lifespan_years)
    if horizon_years is not None:
        horizon = check_positive("horizon_years", horizon_years)
        lifespan = lifespan * -math.expm1(-horizon / lifespan)
    keep = (log.times >= start) & (log.times <= end)
    if not keep.any():
        raise EmptyInputError(
            f"no order lies between observation_start={start} and observation_end={end}."
            " Widen the window."
        )
    n = log.n_customers
    orders_all = np.bincount(log.customer_index[keep], minlength=n).astype(np.int64)
    revenue_all = np.bincount(
        log.customer_index[keep], weights=log.amounts[keep], minlength=n
    ).astype(np.float64)
    buyers = orders_all > 0
    orders, revenue = orders_all[buyers], revenue_all[buyers]
    aov = revenue / orders
    frequency = orders / window_years
    clv = margin * aov * frequency * lifespan
    segments = None
    if by is not None:
        codes_all, names = _segment_codes(by, log)
        codes = codes_all[buyers]
        k = names.size
        seg_customers = np.bincount(codes, minlength=k).astype(np.int64)
        seg_orders = np.bincount(codes, weights=orders, minlength=k).astype(np.int64)
        seg_revenue = np.bincount(codes, weights=revenue, minlength=k).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            seg_aov = np.where(seg_orders > 0, seg_revenue / np.maximum(seg_orders, 1), 0.0)
            seg_frequency = seg_orders / np.maximum(seg_customers, 1) / window_years
        per_customer = margin * seg_aov * seg_frequency * lifespan
        segments = SegmentLifetimeValues(
            names.astype(str),
            seg_customers,
            seg_orders,
            seg_revenue,
            seg_aov,
            seg_frequency,
            per_customer,
            per_customer * seg_customers,
        )
    return SimpleLifetimeValues(
        log.customer_ids[buyers],
        orders,
        revenue,
        aov,
        frequency,
        clv,
        float(lifespan),
        margin,
        window_years,
        churn,
        segments,
    )


# ---------------------------------------------------------------------------- retention CLV


def retention_clv(
    margin_per_period: float,
    *,
    retention_rate: float,
    annual_discount_rate: float | None = None,
    discount_rate_per_period: float | None = None,
    period: TimeUnit | str = TimeUnit.YEAR,
    horizon_periods: int | None = None,
    margin_timing: MarginTiming = "end",
) -> float:
    """Retention-based CLV: margin per period × retention, discounted, over a horizon.

    With margin ``m`` per period, retention ``r`` from one period to the next and discount
    ``d`` per period:

    * ``margin_timing="end"`` (Gupta & Lehmann 2003): the margin of period ``t`` is received
      at its end, only by customers retained through it (the first period is a retention
      step too): ``CLV = Σ_{t=1}^{N} m r^t / (1 + d)^t``, ``= m r / (1 + d − r)`` when
      ``N`` is infinite.
    * ``margin_timing="start"`` (Berger & Nasr 1998, case 1 with margin at the start of each
      period): the first margin is certain and undiscounted:
      ``CLV = Σ_{t=0}^{N−1} m r^t / (1 + d)^t``, ``= m (1 + d) / (1 + d − r)`` when ``N`` is
      infinite, i.e. ``m`` plus the ``"end"`` value.

    Parameters
    ----------
    margin_per_period : float
        Margin ``m`` a retained customer brings each period (finite; may be negative).
    retention_rate : float
        ``r`` in [0, 1].
    annual_discount_rate, discount_rate_per_period : float, optional
        The discount rate, as an effective annual rate converted to the period
        (``(1 + D) ** (period / year) − 1``) or per period directly, in [0, 1]; give at most
        one (default: annual 0.10).
    period : TimeUnit or str
        Length of a period (default a year), for the annual rate.
    horizon_periods : int, optional
        ``N``, a whole number of periods >= 0 (default: infinite).
    margin_timing : {"end", "start"}
        When the margin is received, above.

    Returns
    -------
    float

    Raises
    ------
    InvalidInputError
        If a rate is outside [0, 1], both discount rates are given, ``horizon_periods`` is not
        a whole number >= 0, or the infinite sum diverges (``r = 1`` with ``d = 0``).
    UnknownCodeError
        If ``margin_timing`` is not ``"end"`` or ``"start"``.

    Notes
    -----
    Gupta & Lehmann (2003), "Customers as assets", *Journal of Interactive Marketing* 17(1),
    9–24, eq. for ``m r / (1 + i − r)``; Berger & Nasr (1998), "Customer lifetime value:
    marketing models and applications", *Journal of Interactive Marketing* 12(1), 17–30.
    The finite sum is the geometric series ``m q (1 − q^N) / (1 − q)`` (``"end"``) or
    ``m (1 − q^N) / (1 − q)`` (``"start"``) with ``q = r / (1 + d)``.

    Examples
    --------
    >>> round(retention_clv(100.0, retention_rate=0.8, annual_discount_rate=0.1), 6)
    266.666667
    >>> round(retention_clv(100.0, retention_rate=0.8, annual_discount_rate=0.1,
    ...                     horizon_periods=2), 4)  # 100 × (0.8/1.1 + 0.64/1.21)
    125.6198
    >>> round(retention_clv(100.0, retention_rate=0.8, annual_discount_rate=0.1,
    ...                     margin_timing="start"), 6)  # 100 × 1.1 / 0.3
    366.666667
    """
    m = check_finite("margin_per_period", margin_per_period)
    r = check_unit_interval("retention_rate", retention_rate)
    check_choice("margin_timing", margin_timing, ("end", "start"))
    if annual_discount_rate is not None and discount_rate_per_period is not None:
        raise invalid(
            "discount_rate_per_period",
            discount_rate_per_period,
            f"cannot be given with annual_discount_rate={annual_discount_rate!r}",
            "Give one of the two.",
        )
    if discount_rate_per_period is not None:
        d = check_discount_rate("discount_rate_per_period", discount_rate_per_period)
    else:
        annual = check_discount_rate(
            "annual_discount_rate", 0.10 if annual_discount_rate is None else annual_discount_rate
        )
        d = (1.0 + annual) ** TimeUnit.parse(period).convert(1.0, to=TimeUnit.YEAR) - 1.0
    q = r / (1.0 + d)
    first = q if margin_timing == "end" else 1.0
    if horizon_periods is None:
        if q >= 1.0:
            raise invalid(
                "retention_rate",
                retention_rate,
                "must be < 1 without discounting and with an infinite horizon (the sum diverges)",
                "Give a discount rate > 0 or horizon_periods.",
            )
        return m * first / (1.0 - q)
    n = check_count("horizon_periods", horizon_periods)
    if q == 1.0:
        return m * n
    return m * first * (1.0 - q**n) / (1.0 - q)
