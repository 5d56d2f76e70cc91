"""Timing regularity of purchases: summed log inter-purchase times and estimates of ``k``.

``litt``, each customer's sum of the logarithms of the inter-purchase times, is the
statistic the (M)BG/CNBD-k likelihood needs besides ``(x, t_x, T)`` (BTYDplus ``elog2cbs``);
:func:`estimate_regularity` gives a quick model-free reading of the Erlang/Gamma shape ``k``
of the inter-purchase times (BTYDplus ``estimateRegularity``): close to 1 for exponential
(Poisson) timing, larger for regular buyers.
"""

from __future__ import annotations

import itertools
import math
from typing import ClassVar, Literal

import attrs
import numpy as np
from scipy.optimize import brentq
from scipy.special import digamma

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import check_choice, check_count, invalid, plain
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import freeze_arrays
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import period_index, period_of, to_instant
from ecomstrat.frames.transaction_log import TransactionLog

__all__ = [
    "LogInterTransactionTimes",
    "estimate_regularity",
    "log_inter_transaction_times",
]

RegularityMethod = Literal["wheat", "mle", "mle-minka", "mle-thom", "cv"]


@attrs.frozen(eq=False, repr=False)
class LogInterTransactionTimes(Tabular):
    """Per customer: repeat purchases and the sum of their log inter-purchase times.

    A table (``columns()``: ``customer_id``, ``frequency``, ``litt``; ``to_pandas()`` indexed
    by customer id, ``to_polars()``, ``to_arrow()``). Pass it as ``litt=`` to
    :meth:`ecomstrat.models.cnbd.BGCNBD.fit`: it is aligned by customer id and converted to
    the model's time unit.

    Attributes
    ----------
    customer_ids : ndarray
        One per customer (those who bought by the observation end), in the log's order.
    frequency : ndarray of float64
        Repeat purchases ``x`` (distinct purchase periods minus one).
    litt : ndarray of float64
        ``Σ log(t_j - t_{j-1})`` over the ``x`` inter-purchase times, in ``time_unit`` (0 when
        ``x = 0``).
    time_unit : TimeUnit
        Unit of the inter-purchase times.
    """

    customer_ids: AnyArray
    frequency: FloatArray
    litt: FloatArray
    time_unit: TimeUnit

    _pandas_index: ClassVar[str | None] = "customer_id"

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    def __len__(self) -> int:
        return int(self.litt.shape[0])

    def __repr__(self) -> str:
        return (
            f"LogInterTransactionTimes(n_customers={len(self)}, time_unit={self.time_unit.value!r})"
        )

    def columns(self) -> dict[str, AnyArray]:
        """``customer_id``, ``frequency`` and ``litt``, one row per customer."""
        return {"customer_id": self.customer_ids, "frequency": self.frequency, "litt": self.litt}

    def to_unit(self, time_unit: TimeUnit | str) -> LogInterTransactionTimes:
        """The same statistics in another time unit: ``litt − x·log(new/old)``."""
        unit = TimeUnit.parse(time_unit)
        if unit is self.time_unit:
            return self
        shift = math.log(unit.days / self.time_unit.days)
        return LogInterTransactionTimes(
            self.customer_ids, self.frequency, self.litt - self.frequency * shift, unit
        )

    def align(self, customer_ids: object) -> LogInterTransactionTimes:
        """The rows of ``customer_ids``, in that order; an unknown id raises an error."""
        wanted = np.asarray(customer_ids)
        position = {plain(c): i for i, c in enumerate(self.customer_ids.tolist())}
        rows = np.empty(wanted.shape[0], dtype=np.int64)
        for j, c in enumerate(wanted.tolist()):
            i = position.get(plain(c))
            if i is None:
                raise invalid(
                    "litt",
                    f"<no row for customer {c!r}>",
                    "must cover every customer of the data",
                    "Compute it from the same log (log_inter_transaction_times).",
                )
            rows[j] = i
        return LogInterTransactionTimes(
            wanted, self.frequency[rows], self.litt[rows], self.time_unit
        )


def _distinct_periods(
    log: TransactionLog, observation_end: object, per: TimeUnit
) -> tuple[IntArray, IntArray]:
    """Distinct (customer, period) pairs up to the end, sorted by customer then period."""
    periods = np.asarray(period_index(log.times, per), dtype=np.int64)
    codes = np.asarray(log.customer_index, dtype=np.int64)
    if observation_end is not None:
        end = to_instant("observation_end", observation_end, log.timezone)
        keep = periods <= period_of(end, per)
        periods, codes = periods[keep], codes[keep]
    order = np.lexsort((periods, codes))
    codes, periods = codes[order], periods[order]
    new = np.ones(codes.size, dtype=bool)
    new[1:] = (codes[1:] != codes[:-1]) | (periods[1:] != periods[:-1])
    return codes[new], periods[new]


def log_inter_transaction_times(
    log: TransactionLog,
    *,
    observation_end: object = None,
    time_unit: TimeUnit | str = TimeUnit.DAY,
    period: TimeUnit | str = TimeUnit.DAY,
) -> LogInterTransactionTimes:
    """Each customer's repeat purchases and summed log inter-purchase times (``litt``).

    Orders in the same ``period`` (default: the same day) count as one purchase, as in
    :func:`~ecomstrat.metrics.summary.rfm_summary`; orders after ``observation_end`` are
    ignored, and customers without an order by then are left out.

    Parameters
    ----------
    log : TransactionLog
        The orders, in any row order.
    observation_end : datetime, date, str or numpy.datetime64, optional
        End of the observation (inclusive: its whole period counts); default the last order.
    time_unit : TimeUnit or str
        Unit of the inter-purchase times (``"day"``, ``"week"``…); it must be the model's.
    period : TimeUnit or str
        Purchase period (``"day"`` by default).

    Returns
    -------
    LogInterTransactionTimes
        In the order of ``log.customer_ids``.

    Raises
    ------
    EmptyInputError
        If no customer bought by ``observation_end``.

    Notes
    -----
    ``litt = Σ_{j=1..x} log(t_j − t_{j−1})`` with ``t_0`` the first purchase: BTYDplus'
    ``elog2cbs`` (Platzer & Reutterer 2016) after merging same-day transactions. It enters
    the (M)BG/CNBD-k likelihood as ``(k−1)·litt``, the only part that compares different
    ``k``.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "a", "b"], ["2024-01-01", "2024-01-08", "2024-01-22", "2024-01-03"],
    ...     [1.0, 1.0, 1.0, 1.0],
    ... )
    >>> stats = log_inter_transaction_times(log, time_unit="week")
    >>> stats.frequency.tolist(), stats.litt.round(6).tolist()   # log 1 + log 2 for a
    ([2.0, 0.0], [0.693147, 0.0])
    """
    unit, per = TimeUnit.parse(time_unit), TimeUnit.parse(period)
    codes, periods = _distinct_periods(log, observation_end, per)
    if codes.size == 0:
        raise EmptyInputError("no customer bought by observation_end.")
    same = np.zeros(codes.size, dtype=bool)
    same[1:] = codes[1:] == codes[:-1]
    gaps = np.zeros(codes.size)
    gaps[1:] = (periods[1:] - periods[:-1]) * (per.days / unit.days)
    logs = np.where(same, np.log(np.where(same, gaps, 1.0)), 0.0)
    n = int(log.customer_ids.shape[0])
    counts = np.bincount(codes, minlength=n)
    litt = np.bincount(codes, weights=logs, minlength=n)
    present = counts > 0
    return LogInterTransactionTimes(
        log.customer_ids[present],
        (counts[present] - 1).astype(np.float64),
        litt[present].astype(np.float64),
        unit,
    )


def _gamma_shape_mle(gaps: FloatArray) -> float:
    s = math.log(float(np.mean(gaps))) - float(np.mean(np.log(gaps)))
    if s <= 0.0:
        return 50.0

    def score(v: float) -> float:
        return math.log(v) - float(digamma(v)) - s

    lo, hi = 0.1, 50.0
    if score(hi) > 0.0:
        return hi
    if score(lo) < 0.0:
        return lo
    return float(brentq(score, lo, hi, xtol=1e-12))


def _shape(gaps: FloatArray, method: str) -> float:
    if method == "mle":
        return _gamma_shape_mle(gaps)
    if method == "mle-minka":
        s = math.log(float(np.mean(gaps))) - float(np.mean(np.log(gaps)))
        return (3.0 - s + math.sqrt((s - 3.0) ** 2 + 24.0 * s)) / (12.0 * s)
    if method == "mle-thom":
        mu = math.log(float(np.mean(gaps))) - float(np.mean(np.log(gaps)))
        return (1.0 / (4.0 * mu)) * (1.0 + math.sqrt(1.0 + 4.0 * mu / 3.0))
    cv = float(np.std(gaps, ddof=1)) / float(np.mean(gaps))
    return 1.0 / cv**2


def estimate_regularity(
    log: TransactionLog,
    *,
    method: RegularityMethod = "wheat",
    min_intervals: int | None = None,
    observation_end: object = None,
    period: TimeUnit | str = TimeUnit.DAY,
) -> float:
    """A model-free estimate of the Gamma/Erlang shape ``k`` of inter-purchase times.

    Parameters
    ----------
    log : TransactionLog
        The orders (same-``period`` orders merged).
    method : {"wheat", "mle", "mle-minka", "mle-thom", "cv"}
        ``"wheat"`` (default): Wheat & Morrison (1990), one ``k`` for everybody from each
        customer's last two inter-purchase times. The others fit a Gamma shape per customer
        (maximum likelihood, Minka's or Thom's approximation, or ``1/CV²``) and return the
        median.
    min_intervals : int, optional
        Customers with fewer inter-purchase times are ignored (default 2 for ``"wheat"``,
        10 otherwise, as BTYDplus; >= 2).
    observation_end : optional
        Ignore orders after it.
    period : TimeUnit or str
        Purchase period (``"day"``).

    Returns
    -------
    float
        About 1 for exponential (Poisson) timing; clearly above 1 for regular buyers
        (``inf`` from ``"wheat"`` when every ratio is exactly 1/2: perfectly regular gaps).

    Raises
    ------
    InvalidInputError
        For an unknown method or ``min_intervals < 2``.
    EmptyInputError
        When no customer has enough purchases.

    Notes
    -----
    BTYDplus ``estimateRegularity``. Wheat & Morrison (1990), "Estimating purchase regularity
    with two interpurchase times", JMR 27(1): ``M = ITT₁/(ITT₁+ITT₂)`` is Beta(k, k) and
    ``k = (1 − 4 Var M)/(8 Var M)``. BTYDplus picks one of the two ratios at random per
    customer; here both ``M`` and ``1 − M`` enter (a Beta(k, k) variable is symmetric about
    1/2), so ``Var M = mean((M − 1/2)²)`` and the result is deterministic. Only customers with
    more than ``min_intervals`` purchases count (BTYDplus keeps customers whose number of
    purchases exceeds ``min``).

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a"] * 4 + ["b"] * 4,
    ...     ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-23",
    ...      "2024-01-01", "2024-01-03", "2024-01-13", "2024-01-14"],
    ...     [1.0] * 8,
    ... )
    >>> round(estimate_regularity(log), 4)   # M = 7/15 (a) and 10/11 (b)
    0.984
    """
    check_choice("method", method, ("wheat", "mle", "mle-minka", "mle-thom", "cv"))
    minimum = (2 if method == "wheat" else 10) if min_intervals is None else min_intervals
    minimum = check_count("min_intervals", minimum, minimum=2)
    per = TimeUnit.parse(period)
    codes, periods = _distinct_periods(log, observation_end, per)
    bounds = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
    values: list[float] = []
    for lo, hi in itertools.pairwise(bounds):
        if hi - lo <= minimum:
            continue
        gaps = np.diff(periods[lo:hi]).astype(np.float64)
        if method == "wheat":
            values.append(float(gaps[-2] / (gaps[-2] + gaps[-1])))
        else:
            values.append(_shape(gaps, method))
    if not values:
        raise EmptyInputError(
            f"no customer has more than {minimum} purchases (min_intervals={minimum})."
        )
    if method != "wheat":
        return float(np.median(values))
    m = np.asarray(values)
    var = float(np.mean((m - 0.5) ** 2))
    if var == 0.0:
        return math.inf
    return (1.0 - 4.0 * var) / (8.0 * var)
