"""RFM summaries of a transaction log: whole-period, and calibration/holdout split."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

from ecomstrat._kernels.rfm import PARALLEL_MIN_ORDERS, rfm_split, rfm_split_parallel
from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import check_choice, invalid, plain
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.frames._time import period_index, period_of, period_start, to_instant
from ecomstrat.frames.summary import CalibrationHoldout, CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog

__all__ = ["calibration_holdout_summary", "rfm_summary"]

Monetary = Literal["amount", "margin"]


def rfm_summary(
    log: TransactionLog,
    *,
    observation_end: object = None,
    time_unit: TimeUnit | str = TimeUnit.DAY,
    period: TimeUnit | str = TimeUnit.DAY,
    monetary: Monetary = "amount",
) -> CustomerSummary:
    """Summarise each customer's purchases up to ``observation_end``.

    Orders in the same ``period`` (by default the same calendar day) collapse into one
    purchase whose value is their sum. Orders after ``observation_end`` are ignored.

    Parameters
    ----------
    log : TransactionLog
        The orders, in any row order.
    observation_end : datetime, date, str or numpy.datetime64, optional
        End of the observation (inclusive: its whole period counts). Defaults to the last
        order's time. Must not precede any customer's first purchase.
    time_unit : TimeUnit or str
        Unit of ``recency`` and ``T`` (``"day"``, ``"week"``, ``"month"``, ``"year"``).
    period : TimeUnit or str
        Purchase period: ``"day"``, ``"week"`` (ISO, Monday first), calendar ``"month"`` or
        ``"year"``.
    monetary : {"amount", "margin"}
        Which order column ``monetary`` and ``total_value`` average and sum.

    Returns
    -------
    CustomerSummary
        One row per customer, in the order of ``log.customer_ids``.

    Raises
    ------
    InvalidInputError
        If ``observation_end`` precedes a customer's first purchase, or a time is naive where
        the log is aware (or the reverse).

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "a", "b"],
    ...     ["2024-01-01T09:00", "2024-01-01T18:00", "2024-01-15", "2024-01-10"],
    ...     [10.0, 5.0, 20.0, 8.0],
    ... )
    >>> s = rfm_summary(log, observation_end="2024-01-29", time_unit="week")
    >>> s.frequency.tolist(), s.recency.tolist(), s.T.tolist(), s.monetary.tolist()
    ([1, 0], [2.0, 0.0], [4.0, 2.7142857142857144], [20.0, 0.0])
    """
    unit, per = TimeUnit.parse(time_unit), TimeUnit.parse(period)
    end = _observation_end(log, observation_end)
    end_p = period_of(end, per)
    stats = _split(log, end_p, end_p, per, monetary)

    def first_seen(i: int) -> np.datetime64:
        first: np.datetime64 = log.times[log.customer_index == i].min()
        return first

    return summary_from_stats(log.customer_ids, stats, end, end_p, unit, per, first_seen)


def calibration_holdout_summary(
    log: TransactionLog,
    *,
    calibration_end: object,
    observation_end: object = None,
    time_unit: TimeUnit | str = TimeUnit.DAY,
    period: TimeUnit | str = TimeUnit.DAY,
    monetary: Monetary = "amount",
) -> CalibrationHoldout:
    """Summarise purchases up to ``calibration_end`` and count those after it.

    Customers whose first purchase falls after ``calibration_end`` are left out (they were not
    yet acquired); their number is ``n_excluded``. Holdout purchases are the purchase periods in
    (``calibration_end``, ``observation_end``].

    Parameters
    ----------
    log : TransactionLog
        The orders, in any row order.
    calibration_end : datetime, date, str or numpy.datetime64
        End of the calibration window (inclusive).
    observation_end : datetime, date, str or numpy.datetime64, optional
        End of the holdout window (inclusive); defaults to the last order's time.
    time_unit, period, monetary
        As in :func:`rfm_summary`.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "a", "b"], ["2024-01-01", "2024-01-08", "2024-02-05", "2024-02-01"],
    ...     [10.0, 5.0, 20.0, 8.0],
    ... )
    >>> split = calibration_holdout_summary(
    ...     log, calibration_end="2024-01-31", observation_end="2024-02-29", time_unit="week"
    ... )
    >>> split.calibration.frequency.tolist(), split.frequency_holdout.tolist(), split.n_excluded
    ([1], [1], 1)
    """
    unit, per = TimeUnit.parse(time_unit), TimeUnit.parse(period)
    cal = to_instant("calibration_end", calibration_end, log.timezone)
    end = _observation_end(log, observation_end)
    check_window(cal, end)
    cal_p, end_p = period_of(cal, per), period_of(end, per)
    stats = _split(log, cal_p, end_p, per, monetary)
    return holdout_from_stats(
        log.customer_ids, stats, (cal, cal_p), (end, end_p), unit, per, log.times.min()
    )


def check_window(cal: np.datetime64, end: np.datetime64) -> None:
    """Refuse a ``calibration_end`` after ``observation_end``."""
    if cal > end:
        raise invalid(
            "calibration_end",
            str(cal),
            f"is after observation_end={end}",
            "The calibration window must end before the observation does.",
        )


def summary_from_stats(
    customer_ids: AnyArray,
    stats: Stats,
    end: np.datetime64,
    end_p: int,
    unit: TimeUnit,
    per: TimeUnit,
    first_seen: Callable[[int], np.datetime64],
) -> CustomerSummary:
    """The :func:`rfm_summary` of the kernel's statistics (also used by the streaming path).

    ``first_seen(i)`` is customer ``i``'s first order time, named in the error raised when
    ``observation_end`` precedes it.
    """
    n_periods = stats[0]
    if (n_periods == 0).any():
        late = np.flatnonzero(n_periods == 0)
        i = int(late[0])
        raise invalid(
            "observation_end",
            str(end),
            f"is before the first purchase of {late.size} customer(s), e.g. customer"
            f" {plain(customer_ids[i])!r} (first purchase {first_seen(i)})",
            "Choose a later observation_end, or use calibration_holdout_summary(log,"
            " calibration_end=...), which leaves customers acquired later out.",
        )
    # every customer: a slice, so that the columns are views of the statistics, not copies
    return _calibration(customer_ids, stats, slice(None), end_p, end, unit, per)


def holdout_from_stats(
    customer_ids: AnyArray,
    stats: Stats,
    cal: tuple[np.datetime64, int],
    end: tuple[np.datetime64, int],
    unit: TimeUnit,
    per: TimeUnit,
    first_order: np.datetime64,
) -> CalibrationHoldout:
    """The :func:`calibration_holdout_summary` of the kernel's statistics.

    ``cal`` and ``end`` are the two cut-offs with their period indices; ``first_order`` is
    the earliest order time, named in the error raised when nobody bought by ``cal``.
    """
    (cal_t, cal_p), (end_t, end_p) = cal, end
    kept = np.flatnonzero(stats[0] > 0)
    if kept.size == 0:
        raise EmptyInputError(
            f"no customer bought by calibration_end={cal_t}: the first order is at"
            f" {first_order}. Choose a later calibration_end."
        )
    summary = _calibration(customer_ids, stats, kept, cal_p, cal_t, unit, per)
    n_holdout, holdout_value = stats[5][kept], stats[6][kept]
    monetary_holdout = np.divide(
        holdout_value, n_holdout, out=np.zeros(kept.size), where=n_holdout > 0
    )
    return CalibrationHoldout(
        summary,
        n_holdout,
        monetary_holdout,
        float(_duration(np.array([end_p - cal_p]), per, unit)[0]),
        cal_t,
        end_t,
        len(customer_ids) - kept.size,
    )


def _observation_end(log: TransactionLog, observation_end: object) -> np.datetime64:
    if observation_end is None:
        return np.datetime64(log.times.max(), "ns")
    return to_instant("observation_end", observation_end, log.timezone)


#: Per customer: distinct calibration periods, first and last of them, value in the first and
#: in all of them, distinct holdout periods, holdout value (the outputs of ``rfm_split``).
Stats = tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray, IntArray, FloatArray]


def _split(log: TransactionLog, cal_p: int, end_p: int, per: TimeUnit, monetary: str) -> Stats:
    check_choice("monetary", monetary, ("amount", "margin"))
    values = log.amounts if monetary == "amount" else log.margins
    if values is None:
        raise InvalidInputError(
            "monetary='margin' needs margins, but this log has none. Build the log with margins=…"
        )
    periods = period_index(log.times, per)
    periods.flags.writeable = False  # the kernels are compiled for read-only inputs only
    kernel = rfm_split_parallel if log.n_transactions >= PARALLEL_MIN_ORDERS else rfm_split
    return kernel(log.customer_index, periods, values, log.n_customers, cal_p, end_p)


def _calibration(
    customer_ids: AnyArray,
    stats: Stats,
    rows: IntArray | slice,
    end_p: int,
    end: np.datetime64,
    unit: TimeUnit,
    per: TimeUnit,
) -> CustomerSummary:
    first, last = stats[1][rows], stats[2][rows]
    first_value, total_value = stats[3][rows], stats[4][rows]
    frequency = stats[0][rows] - 1
    monetary = np.divide(
        total_value - first_value, frequency, out=np.zeros(frequency.size), where=frequency > 0
    )
    return CustomerSummary(
        customer_ids[rows],
        frequency,
        _duration(last - first, per, unit),
        _duration(end_p - first, per, unit),
        monetary,
        period_start(first, per),
        total_value,
        time_unit=unit,
        period=per,
        observation_end=end,
    )


def _duration(periods: IntArray, per: TimeUnit, unit: TimeUnit) -> FloatArray:
    """Periods expressed in ``unit`` (dividing last, so days / 7 is exactly what it says).

    The division is done in place: one float column at the peak instead of two.
    """
    durations = np.multiply(periods, per.days, dtype=np.float64)
    durations /= unit.days
    return durations
