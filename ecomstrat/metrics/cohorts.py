"""Acquisition cohorts: retention, revenue and margin by cohort and periods since acquisition.

A cohort is the set of customers acquired in one calendar period (by default the period of
their first order). Row ``c`` of a :class:`CohortMatrix` is a cohort, column ``k`` the ``k``-th
period after acquisition (``k = 0`` is the acquisition period itself). Cells that lie after the
observation end are not yet observed and hold NaN, so every matrix is a "triangle".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import numpy as np

from ecomstrat._kernels.cohorts import cohort_cells
from ecomstrat._typing import AnyArray, BoolArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import invalid
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.frames._arrays import frozen_view
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import (
    NS,
    period_index,
    period_of,
    period_start,
    to_datetime64,
    to_instant,
)
from ecomstrat.frames.transaction_log import TransactionLog

__all__ = ["CohortCells", "CohortMatrix", "cohort_margin", "cohort_retention", "cohort_revenue"]

_NO_PERIOD = np.iinfo(np.int64).max


@attrs.frozen(eq=False, repr=False)
class CohortMatrix(Tabular):
    """One metric by acquisition cohort (rows) and periods since acquisition (columns).

    Parameters
    ----------
    metric : str
        What the values are, e.g. ``"retention"``.
    cohorts : ndarray of datetime64[ns]
        Start of each cohort's acquisition period, ascending.
    offsets : ndarray of int64
        Periods since acquisition, ``0, 1, …`` (``0`` is the acquisition period).
    values : ndarray of float64, shape (n_cohorts, n_offsets)
        The metric; NaN where the period lies after the observation end.
    sizes : ndarray of int64
        Customers acquired in each cohort (each >= 1).
    period : TimeUnit
        Length of a cohort and of an offset (calendar weeks, months…).
    observation_end : numpy.datetime64
        Last instant of data; its whole period counts as observed.
    timezone : {None, "UTC"}
        How to read ``cohorts`` (as in the transaction log).

    Examples
    --------
    >>> m = CohortMatrix("retention", np.array(["2024-01-01"], dtype="datetime64[ns]"),
    ...                  np.arange(2), np.array([[1.0, 0.5]]), np.array([4]), period="month",
    ...                  observation_end=np.datetime64("2024-02-29", "ns"))
    >>> m.n_cohorts, m.n_offsets, m.mean().tolist()
    (1, 2, [1.0, 0.5])
    """

    _pandas_index: ClassVar[str | None] = "cohort"

    metric: str
    cohorts: DatetimeArray
    offsets: IntArray
    values: FloatArray
    sizes: IntArray
    period: TimeUnit = attrs.field(converter=to_time_unit)
    observation_end: np.datetime64
    timezone: str | None = None

    def __attrs_post_init__(self) -> None:
        n, k = self.cohorts.shape[0], self.offsets.shape[0]
        if self.values.shape != (n, k):
            raise invalid(
                "values",
                f"array of shape {self.values.shape}",
                f"must have shape (len(cohorts), len(offsets)) = ({n}, {k})",
            )
        if self.sizes.shape != (n,):
            raise invalid("sizes", f"array of shape {self.sizes.shape}", f"must have shape ({n},)")
        empty = np.flatnonzero(self.sizes <= 0)
        if empty.size:
            i = int(empty[0])
            raise invalid(
                f"sizes[{i}]",
                self.sizes[i],
                "must be >= 1: a cohort needs at least one customer",
                "Leave empty cohorts out.",
                where=f" (cohort {self.cohorts[i].astype('datetime64[D]')})",
            )
        for field in ("cohorts", "offsets", "values", "sizes"):
            object.__setattr__(self, field, frozen_view(getattr(self, field)))

    @property
    def n_cohorts(self) -> int:
        """Number of cohorts (rows)."""
        return int(self.cohorts.shape[0])

    @property
    def n_offsets(self) -> int:
        """Number of periods since acquisition (columns)."""
        return int(self.offsets.shape[0])

    @property
    def observed(self) -> BoolArray:
        """Which cells lie within the observation (not NaN by censoring)."""
        return ~np.isnan(self.values)

    def mean(self) -> FloatArray:
        """Size-weighted mean over the cohorts observed at each offset (NaN if none is)."""
        seen = self.observed
        weights = np.where(seen, self.sizes[:, None], 0).astype(np.float64)
        total = weights.sum(axis=0)
        numerator = np.where(seen, self.values, 0.0) * weights
        out: FloatArray = np.divide(
            numerator.sum(axis=0), total, out=np.full(self.n_offsets, np.nan), where=total > 0
        )
        return out

    def columns(self) -> dict[str, AnyArray]:
        """One row per cohort: ``cohort`` (the pandas index), ``customers``, then the offsets.

        The offset columns are named ``"0"``, ``"1"``… (the triangle as usually printed); see
        :meth:`cells` for one row per cell.
        """
        out: dict[str, AnyArray] = {"cohort": self.cohorts, "customers": self.sizes}
        for j, offset in enumerate(self.offsets.tolist()):
            out[str(offset)] = self.values[:, j]
        return out

    def cells(self) -> CohortCells:
        """The same values in long format: one row per (cohort, offset) cell."""
        return CohortCells(self)

    def _export_timezone(self) -> str | None:
        return self.timezone

    def __repr__(self) -> str:
        return (
            f"CohortMatrix({self.metric!r}, {self.n_cohorts} cohorts x {self.n_offsets}"
            f" {self.period.value}s, {int(self.sizes.sum())} customers)"
        )


@attrs.frozen(eq=False, repr=False)
class CohortCells(Tabular):
    """A :class:`CohortMatrix` in long format: one row per (cohort, offset) cell.

    Columns ``cohort``, ``offset``, ``customers`` (the cohort's size) and the metric, named
    after :attr:`CohortMatrix.metric` with ``_`` for spaces (e.g. ``retention``).

    Examples
    --------
    >>> m = CohortMatrix("retention", np.array(["2024-01-01"], dtype="datetime64[ns]"),
    ...                  np.arange(2), np.array([[1.0, 0.5]]), np.array([4]), period="month",
    ...                  observation_end=np.datetime64("2024-02-29", "ns"))
    >>> {name: column.tolist() for name, column in m.cells().columns().items() if name != "cohort"}
    {'offset': [0, 1], 'customers': [4, 4], 'retention': [1.0, 0.5]}
    """

    matrix: CohortMatrix

    def columns(self) -> dict[str, AnyArray]:
        """``cohort``, ``offset``, ``customers`` and the metric, one entry per cell."""
        m = self.matrix
        n, k = m.n_cohorts, m.n_offsets
        return {
            "cohort": np.repeat(m.cohorts, k),
            "offset": np.tile(m.offsets, n),
            "customers": np.repeat(m.sizes, k),
            m.metric.replace(" ", "_"): m.values.reshape(-1),
        }

    def _export_timezone(self) -> str | None:
        return self.matrix.timezone

    def __repr__(self) -> str:
        return f"CohortCells({self.matrix.metric!r}, {self.matrix.values.size} cells)"


# ----------------------------------------------------------------------------- shared machinery


@attrs.frozen(eq=False)
class Cohorts:
    """Customers assigned to cohort rows, with everything the kernel needs (private)."""

    period: TimeUnit
    end: np.datetime64
    end_period: int
    periods: IntArray  # period of each order; orders after ``end`` get a period past any cell
    acquired_at: DatetimeArray  # acquisition instant of each customer (NaT: not acquired)
    acquisition: IntArray  # acquisition period of each customer (meaningless when row < 0)
    row: IntArray  # cohort row of each customer, -1 if not acquired by ``end``
    row_period: IntArray  # acquisition period of each row
    sizes: IntArray


def observation_end_of(log: TransactionLog, observation_end: object) -> np.datetime64:
    """``observation_end`` as an instant in the log's timezone (default: the last order)."""
    if observation_end is None:
        return np.datetime64(log.times.max(), "ns")
    end = to_instant("observation_end", observation_end, log.timezone)
    first = log.times.min()
    if end < first:
        raise invalid(
            "observation_end",
            str(end),
            f"is before the first order ({first})",
            "Choose a later observation_end.",
        )
    return end


def _acquisition_times(
    log: TransactionLog, acquired_at: Sequence[Any] | AnyArray | None, late: BoolArray
) -> DatetimeArray:
    if acquired_at is None:
        stamps = log.times.view(np.int64).copy()
        stamps[late] = _NO_PERIOD
        first = np.full(log.n_customers, _NO_PERIOD, dtype=np.int64)
        np.minimum.at(first, log.customer_index, stamps)
        first[first == _NO_PERIOD] = np.iinfo(np.int64).min  # NaT: no order by the end
        return first.view(NS)
    times, tz = to_datetime64("acquired_at", acquired_at, log.timezone)
    if times.shape[0] != log.n_customers:
        raise invalid(
            "acquired_at",
            f"<{times.shape[0]} values>",
            f"must hold one time per customer of the log ({log.n_customers}), aligned with"
            " log.customer_ids",
        )
    if tz != log.timezone:
        raise invalid(
            "acquired_at",
            f"<times in {tz or 'naive wall-clock'}>",
            f"must be expressed like the log's times ({log.timezone or 'naive wall-clock'})",
            "Give naive times for a naive log and aware ones for a UTC log.",
        )
    return times


def assign_cohorts(
    log: TransactionLog,
    period: TimeUnit | str,
    observation_end: object,
    acquired_at: Sequence[Any] | AnyArray | None = None,
) -> Cohorts:
    """Put each customer acquired by ``observation_end`` in the row of their acquisition period.

    Orders after ``observation_end`` are ignored: they get a period index beyond every cell.
    """
    per = TimeUnit.parse(period)
    end = observation_end_of(log, observation_end)
    late = log.times > end
    periods = period_index(log.times, per)
    periods[late] = _NO_PERIOD
    times = _acquisition_times(log, acquired_at, late)
    included = ~np.isnat(times) & (times <= end)
    if not included.any():
        raise EmptyInputError(
            f"no customer was acquired by observation_end={end}: every cohort would be empty."
            " Choose a later observation_end."
        )
    acquisition = np.zeros(log.n_customers, dtype=np.int64)
    acquisition[included] = period_index(times[included], per)
    end_period = period_of(end, per)
    row_period, row_of = np.unique(acquisition[included], return_inverse=True)
    row = np.full(log.n_customers, -1, dtype=np.int64)
    row[included] = row_of.reshape(-1)
    sizes = np.bincount(row[included], minlength=row_period.shape[0]).astype(np.int64)
    return Cohorts(per, end, end_period, periods, times, acquisition, row, row_period, sizes)


def cohort_sums(
    log: TransactionLog,
    cohorts: Cohorts,
    n_rows: int,
    n_offsets: int,
    row: IntArray | None = None,
    margins: FloatArray | None = None,
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Run the kernel: active customers, revenue and margin per (row, offset)."""
    rows = cohorts.row if row is None else row
    values = log.amounts if margins is None else margins
    inputs = [cohorts.periods, cohorts.acquisition, rows, values]
    for array in inputs:  # the kernels are compiled for read-only inputs only
        array.flags.writeable = False
    return cohort_cells(
        log.customer_index,
        cohorts.periods,
        log.amounts,
        values,
        cohorts.acquisition,
        rows,
        n_rows,
        n_offsets,
        cohorts.end_period,
    )


def _offsets(cohorts: Cohorts, max_offset: int | None) -> int:
    span = cohorts.end_period - int(cohorts.row_period[0]) + 1
    if max_offset is None:
        return span
    if isinstance(max_offset, bool) or not isinstance(max_offset, int | np.integer):
        raise invalid("max_offset", max_offset, "must be a whole number or None")
    if max_offset < 0:
        raise invalid("max_offset", max_offset, "must be >= 0")
    return min(span, int(max_offset) + 1)


def _censor(values: FloatArray, row_period: IntArray, end_period: int) -> FloatArray:
    k = np.arange(values.shape[1])
    unseen = row_period[:, None] + k[None, :] > end_period
    values[unseen] = np.nan
    return values


def _matrix(
    log: TransactionLog,
    metric: str,
    cohorts: Cohorts,
    values: FloatArray,
) -> CohortMatrix:
    return CohortMatrix(
        metric,
        period_start(cohorts.row_period, cohorts.period),
        np.arange(values.shape[1], dtype=np.int64),
        values,
        cohorts.sizes,
        cohorts.period,
        cohorts.end,
        log.timezone,
    )


def _compute(
    log: TransactionLog,
    period: TimeUnit | str,
    observation_end: object,
    acquired_at: Sequence[Any] | AnyArray | None,
    max_offset: int | None,
    margins: FloatArray | None = None,
) -> tuple[Cohorts, IntArray, FloatArray, FloatArray]:
    cohorts = assign_cohorts(log, period, observation_end, acquired_at)
    n_offsets = _offsets(cohorts, max_offset)
    active, revenue, margin = cohort_sums(
        log, cohorts, cohorts.sizes.shape[0], n_offsets, margins=margins
    )
    return cohorts, active, revenue, margin


def _per_customer(cohorts: Cohorts, sums: FloatArray, cumulative: bool) -> FloatArray:
    per_customer = sums / cohorts.sizes[:, None]
    if cumulative:
        per_customer = np.cumsum(per_customer, axis=1)
    return _censor(per_customer, cohorts.row_period, cohorts.end_period)


# ---------------------------------------------------------------------------------- public API


def cohort_retention(
    log: TransactionLog,
    *,
    period: TimeUnit | str = TimeUnit.MONTH,
    observation_end: object = None,
    acquired_at: Sequence[Any] | AnyArray | None = None,
    max_offset: int | None = None,
) -> CohortMatrix:
    """Share of each acquisition cohort that buys in the ``k``-th period after acquisition.

    ``values[c, k]`` = (customers of cohort ``c`` with at least one order in period
    ``acquisition + k``) / (customers in cohort ``c``). With cohorts by first purchase,
    column 0 is 1 by construction.

    Parameters
    ----------
    log : TransactionLog
        The orders, in any row order.
    period : TimeUnit or str, default "month"
        Cohort and offset length: ``"day"``, ``"week"`` (ISO, Monday first), calendar
        ``"month"`` or ``"year"``.
    observation_end : datetime, date, str or numpy.datetime64, optional
        Last instant of data (default: the last order). Later orders are ignored, customers
        acquired later are left out, and cells after its period are NaN.
    acquired_at : array-like of datetimes, optional
        Acquisition time of each customer, aligned with ``log.customer_ids`` (sign-up, first
        visit…), in the log's timezone convention. Default: the first order. Orders before a
        customer's acquisition period are not counted.
    max_offset : int, optional
        Keep only offsets ``0..max_offset``.

    Returns
    -------
    CohortMatrix
        ``metric="retention"``; values in [0, 1] or NaN.

    Raises
    ------
    InvalidInputError
        For an ``observation_end`` before the first order, misaligned ``acquired_at`` or a
        negative ``max_offset``.
    EmptyInputError
        If no customer is acquired by ``observation_end``.

    Notes
    -----
    This is the classic acquisition-cohort ("triangle") table of retention analysis; Fader &
    Hardie (2009, "Probability models for customer-base analysis", *Journal of Interactive
    Marketing* 23(1)) discuss why such curves flatten in non-contractual settings. Periods are
    calendar periods as in :func:`~ecomstrat.rfm_summary`; see :doc:`/cohorts`.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "b", "a", "c", "a"],
    ...     ["2024-01-05", "2024-01-20", "2024-02-03", "2024-02-10", "2024-03-01"],
    ...     [10.0, 20.0, 5.0, 8.0, 7.0],
    ... )
    >>> m = cohort_retention(log)
    >>> m.sizes.tolist(), m.values.round(2).tolist()
    ([2, 1], [[1.0, 0.5, 0.5], [1.0, 0.0, nan]])
    """
    cohorts, active, _revenue, _margin = _compute(
        log, period, observation_end, acquired_at, max_offset
    )
    retention = active / cohorts.sizes[:, None]
    return _matrix(
        log, "retention", cohorts, _censor(retention, cohorts.row_period, cohorts.end_period)
    )


def cohort_revenue(
    log: TransactionLog,
    *,
    period: TimeUnit | str = TimeUnit.MONTH,
    observation_end: object = None,
    acquired_at: Sequence[Any] | AnyArray | None = None,
    max_offset: int | None = None,
    cumulative: bool = False,
) -> CohortMatrix:
    """Revenue per acquired customer of each cohort, by period since acquisition.

    ``values[c, k]`` = (amounts ordered by cohort ``c`` in period ``acquisition + k``) /
    (customers in cohort ``c``); every acquired customer is in the denominator, buyer or not.

    Parameters
    ----------
    log, period, observation_end, acquired_at, max_offset
        As in :func:`cohort_retention`.
    cumulative : bool, default False
        Sum over offsets ``0..k`` instead.

    Returns
    -------
    CohortMatrix
        ``metric="revenue per customer"`` (or ``"cumulative revenue per customer"``), in the
        log's currency.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "b", "a"], ["2024-01-05", "2024-01-20", "2024-02-03"], [10.0, 20.0, 5.0]
    ... )
    >>> cohort_revenue(log).values.tolist()  # (10 + 20) / 2, then 5 / 2
    [[15.0, 2.5]]
    >>> cohort_revenue(log, cumulative=True).values.tolist()
    [[15.0, 17.5]]
    """
    cohorts, _active, revenue, _margin = _compute(
        log, period, observation_end, acquired_at, max_offset
    )
    metric = "cumulative revenue per customer" if cumulative else "revenue per customer"
    return _matrix(log, metric, cohorts, _per_customer(cohorts, revenue, cumulative))


def cohort_margin(
    log: TransactionLog,
    *,
    period: TimeUnit | str = TimeUnit.MONTH,
    observation_end: object = None,
    acquired_at: Sequence[Any] | AnyArray | None = None,
    max_offset: int | None = None,
    cumulative: bool = True,
    gross_margin_rate: float | None = None,
) -> CohortMatrix:
    """Cumulative gross margin per acquired customer of each cohort (the payback curve).

    ``values[c, k]`` = (margin of cohort ``c``'s orders in periods ``acquisition + 0..k``) /
    (customers in cohort ``c``). Compared with the CAC of the cohort it tells when the
    acquisition spend is earned back (see :func:`~ecomstrat.metrics.acquisition.acquisition_table`).

    Parameters
    ----------
    log, period, observation_end, acquired_at, max_offset
        As in :func:`cohort_retention`.
    cumulative : bool, default True
        ``False`` gives the margin of each period alone.
    gross_margin_rate : float, optional
        For a log without margins: the margin is taken as ``amount * gross_margin_rate``.
        Must be None when the log has margins.

    Returns
    -------
    CohortMatrix
        ``metric="cumulative margin per customer"`` (or ``"margin per customer"``).

    Raises
    ------
    InvalidInputError
        If the log has no margins and no ``gross_margin_rate`` is given, or both are.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "b", "a"], ["2024-01-05", "2024-01-20", "2024-02-03"], [10.0, 20.0, 5.0],
    ...     margins=[4.0, 8.0, 2.0],
    ... )
    >>> cohort_margin(log).values.tolist()  # (4 + 8) / 2, then + 2 / 2
    [[6.0, 7.0]]
    """
    margins = margins_of(log, gross_margin_rate)
    cohorts, _active, _revenue, margin = _compute(
        log, period, observation_end, acquired_at, max_offset, margins
    )
    metric = "cumulative margin per customer" if cumulative else "margin per customer"
    return _matrix(log, metric, cohorts, _per_customer(cohorts, margin, cumulative))


def margins_of(log: TransactionLog, gross_margin_rate: float | None) -> FloatArray:
    """The log's margins, or ``amounts * gross_margin_rate`` for a log without margins."""
    if log.margins is not None:
        if gross_margin_rate is not None:
            raise invalid(
                "gross_margin_rate",
                gross_margin_rate,
                "must be None when the log has margins",
                "Drop gross_margin_rate, or build the log without margins.",
            )
        return log.margins
    if gross_margin_rate is None:
        raise InvalidInputError(
            "the log has no margins and gross_margin_rate is None: margins are needed."
            " Build the log with margins=… or pass gross_margin_rate=0.4 (for example)."
        )
    rate = float(gross_margin_rate)
    if not np.isfinite(rate) or not -1.0 <= rate <= 1.0:
        raise invalid(
            "gross_margin_rate", gross_margin_rate, "must lie in [-1, 1]", "0.4 means 40%."
        )
    out: FloatArray = log.amounts * rate
    return out
