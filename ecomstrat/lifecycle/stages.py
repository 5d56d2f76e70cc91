"""Lifecycle staging: each customer's stage at a date, migrations between dates, and counts.

A customer is a *prospect* (known, never bought), *new*, *growing*, *mature*, *declining*,
*churned* or *reactivated*; the rules are those of a :class:`RuleBasedPolicy` or, with
``P(alive)`` from a fitted model for *churned*, a :class:`ModelBasedPolicy`. Each stage also
maps to a phase of the buyer-seller relationship (:class:`RelationshipPhase`). A numba kernel
stages every customer at one or more dates in one pass over the log. See :doc:`/lifecycle`.

Examples
--------
>>> from ecomstrat import TransactionLog
>>> log = TransactionLog.from_arrays(
...     ["a", "a", "a", "b", "c", "c", "c"],
...     ["2023-07-01", "2024-01-01", "2024-06-01", "2024-06-20", "2023-01-10", "2023-02-10",
...      "2024-06-25"],
...     [20.0, 35.0, 25.0, 12.0, 50.0, 40.0, 60.0],
... )
>>> stages = stage_customers(log, observation_end="2024-06-30", prospects=["d"])
>>> stages.labels().tolist()
['mature', 'new', 'reactivated', 'prospect']
>>> stages.counts["new"], stages.phase_counts["exploration"]
(1, 2)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import attrs
import numpy as np

from ecomstrat._kernels.lifecycle import PARALLEL_MIN_CUSTOMERS, stage_codes, stage_codes_parallel
from ecomstrat._typing import AnyArray, BoolArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import invalid, plain
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.frames._arrays import frozen_view
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._labels import LabelCodes, LabelledAssignment
from ecomstrat.frames._time import NS, period_index, to_instant
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.lifecycle.policy import (
    PHASE_NAMES,
    PHASE_OF_STAGE,
    STAGE_NAMES,
    LifecyclePolicy,
    ModelBasedPolicy,
    RuleBasedPolicy,
    Stage,
)
from ecomstrat.metrics.summary import calibration_holdout_summary
from ecomstrat.models._protocols import TransactionModel

__all__ = [
    "LifecycleStages",
    "StageCountsOverTime",
    "StageMatrix",
    "StageMigration",
    "stage_counts_over_time",
    "stage_customers",
    "stage_migration",
]

_N_STAGES = len(STAGE_NAMES)
#: Dates staged per kernel call by :func:`stage_counts_over_time` (bounds the memory of the
#: ``dates x customers`` code matrix).
_DATES_PER_CALL = 16


@attrs.frozen(eq=False, repr=False)
class LifecycleStages(LabelledAssignment):
    """The lifecycle stage of each customer at one date.

    ``names`` are the stage labels (:data:`STAGE_NAMES`) and ``codes`` the :class:`Stage`
    codes; ``labels()``, ``counts``, ``shares`` and ``ids_in(stage)`` (a label or a
    :class:`Stage`) come from the labelled-assignment base shared with RFM segments and value
    tiers.

    Parameters
    ----------
    customer_ids : ndarray
        The log's customers (in its order), then the extra prospects (sorted).
    codes : ndarray of int8
        :class:`Stage` code of each customer.
    observation_end : numpy.datetime64
        The date staged (its whole day counts).
    policy : RuleBasedPolicy or ModelBasedPolicy
        The rules used.
    """

    _label_column: ClassVar[str] = "stage"

    customer_ids: AnyArray
    codes: LabelCodes
    observation_end: np.datetime64
    policy: LifecyclePolicy

    def __attrs_post_init__(self) -> None:
        self._freeze_codes()
        object.__setattr__(self, "customer_ids", frozen_view(self.customer_ids))

    def _repr_context(self) -> str:
        return f"observation_end={self.observation_end}, "

    @property
    def names(self) -> tuple[str, ...]:
        """Stage labels indexed by code (``names[codes[i]]`` is customer ``i``'s stage)."""
        return STAGE_NAMES

    @property
    def phases(self) -> LabelCodes:
        """:class:`RelationshipPhase` code of each customer (int8)."""
        return PHASE_OF_STAGE[self.codes]

    @property
    def phase_counts(self) -> dict[str, int]:
        """Customers per relationship phase, in phase order (zeros included)."""
        counts = np.bincount(self.phases, minlength=len(PHASE_NAMES))
        return {name: int(c) for name, c in zip(PHASE_NAMES, counts, strict=True)}

    def _more_columns(self) -> dict[str, AnyArray]:
        return {"phase": np.asarray(PHASE_NAMES)[self.phases]}


def stage_customers(
    log: TransactionLog,
    *,
    observation_end: object,
    policy: LifecyclePolicy | None = None,
    prospects: Sequence[Any] | AnyArray | None = None,
) -> LifecycleStages:
    """Stage every customer at a date.

    Parameters
    ----------
    log : TransactionLog
        The orders, in any row order. Orders after the day of ``observation_end`` are
        ignored; a customer of the log with no order by then is a prospect.
    observation_end : datetime, date, str or numpy.datetime64
        The date to stage at (its whole day counts). Not before the log's first order.
    policy : RuleBasedPolicy or ModelBasedPolicy, optional
        Defaults to ``RuleBasedPolicy()``.
    prospects : array-like, optional
        Ids of known customers who may never have bought. Ids already in the log are staged
        by their orders; the others (deduplicated, sorted) are prospects, after the log's.

    Returns
    -------
    LifecycleStages

    Raises
    ------
    InvalidInputError
        If ``observation_end`` is before the first order, the ids of ``prospects`` are not of
        the log's kind (int or str), or a model returns invalid probabilities.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     [1, 1, 1, 2], ["2024-01-01", "2024-02-01", "2024-03-01", "2024-03-20"], [5.0] * 4
    ... )
    >>> from ecomstrat.lifecycle import Duration
    >>> policy = RuleBasedPolicy(new_window=Duration(30, "day"))
    >>> stages = stage_customers(log, observation_end="2024-03-31", policy=policy)
    >>> stages.labels().tolist(), stages.counts["new"]
    (['growing', 'new'], 1)
    """
    policy = _policy(policy)
    instant = to_instant("observation_end", observation_end, log.timezone)
    codes = _stage_matrix(log, np.array([instant], dtype=NS), policy, "observation_end")[0]
    ids, extra = _with_prospects(log, prospects)
    return LifecycleStages(ids, _append_prospects(codes, extra), instant, policy)


@attrs.frozen(eq=False, repr=False)
class StageMatrix(Tabular):
    """A stage-by-stage matrix: rows the stage at the start, columns the stage at the end.

    Parameters
    ----------
    values : ndarray, shape (7, 7)
        ``values[i, j]`` for :class:`Stage` codes ``i`` (start) and ``j`` (end).
    """

    _pandas_index: ClassVar[str | None] = "from"

    values: AnyArray

    def __attrs_post_init__(self) -> None:
        if np.shape(self.values) != (_N_STAGES, _N_STAGES):
            raise invalid("values", f"array of shape {np.shape(self.values)}", "must be (7, 7)")
        object.__setattr__(self, "values", frozen_view(self.values))

    def __repr__(self) -> str:
        return f"StageMatrix({self.values.dtype}, {_N_STAGES} x {_N_STAGES} stages)"

    @property
    def names(self) -> tuple[str, ...]:
        """Stage labels of the rows and columns."""
        return STAGE_NAMES

    def columns(self) -> dict[str, AnyArray]:
        """``from`` (the stage at the start), then one column per stage at the end."""
        out: dict[str, AnyArray] = {"from": np.asarray(STAGE_NAMES)}
        for j, name in enumerate(STAGE_NAMES):
            out[name] = self.values[:, j]
        return out


@attrs.frozen(eq=False, repr=False)
class StageMigration(Tabular):
    """How customers moved between lifecycle stages from one date to another.

    ``counts[i, j]`` is the number of customers in stage ``i`` at ``before.observation_end``
    and in stage ``j`` at ``after.observation_end`` (codes of :class:`Stage`). As a table:
    the counts, one row per start stage; :meth:`probability_table` gives the row-normalised
    view.
    """

    _pandas_index: ClassVar[str | None] = "from"

    before: LifecycleStages
    after: LifecycleStages
    counts: IntArray = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        if not np.array_equal(self.before.customer_ids, self.after.customer_ids):
            raise invalid(
                "after",
                "<LifecycleStages>",
                "must stage the same customers, in the same order, as before",
            )
        pairs = self.before.codes.astype(np.intp) * _N_STAGES + self.after.codes
        matrix = np.bincount(pairs, minlength=_N_STAGES * _N_STAGES).astype(np.int64)
        object.__setattr__(self, "counts", frozen_view(matrix.reshape(_N_STAGES, _N_STAGES)))

    def __repr__(self) -> str:
        return (
            f"StageMigration({self.before.observation_end} -> {self.after.observation_end},"
            f" {self.before.n_customers} customers)"
        )

    @property
    def names(self) -> tuple[str, ...]:
        """Stage labels of the rows and columns."""
        return STAGE_NAMES

    @property
    def probabilities(self) -> FloatArray:
        """Row-normalised counts: ``P(stage j at end | stage i at start)``.

        Each row with customers sums to 1; a row without any is NaN (undefined).
        """
        totals = self.counts.sum(axis=1, keepdims=True)
        out = np.full(self.counts.shape, np.nan)
        np.divide(self.counts, totals, out=out, where=totals > 0)
        return out

    def probability_table(self) -> StageMatrix:
        """:attr:`probabilities` as a table (``to_pandas()``, ``to_polars()``, ``to_arrow()``)."""
        return StageMatrix(self.probabilities)

    @property
    def churn_rate(self) -> float | None:
        """Share of the customers active at the start who are churned at the end.

        Active: neither prospect nor churned. None when no customer was active.
        """
        active = [s for s in Stage if s not in (Stage.PROSPECT, Stage.CHURNED)]
        start = int(self.counts[active].sum())
        if start == 0:
            return None
        return int(self.counts[active, Stage.CHURNED].sum()) / start

    def columns(self) -> dict[str, AnyArray]:
        """The counts as columns: ``from`` (stage at start), then one column per end stage."""
        return StageMatrix(self.counts).columns()


def stage_migration(
    log: TransactionLog,
    *,
    start: object,
    end: object,
    policy: LifecyclePolicy | None = None,
    prospects: Sequence[Any] | AnyArray | None = None,
) -> StageMigration:
    """Stage every customer at ``start`` and at ``end`` and count the moves between stages.

    ``start`` and ``end`` bound the period whose moves are counted; each staging sees the
    orders up to its own date. Customers of the log who first buy after ``start`` are
    prospects then, so the ``prospect`` row shows acquisition. Both dates are staged in one
    pass over the log.

    Parameters
    ----------
    log, policy, prospects
        As in :func:`stage_customers`.
    start, end : datetime, date, str or numpy.datetime64
        The two dates, ``start`` before ``end``.

    Returns
    -------
    StageMigration

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "b", "b"], ["2023-01-01", "2024-05-01", "2023-06-01", "2023-06-15"],
    ...     [10.0, 12.0, 8.0, 9.0],
    ... )
    >>> m = stage_migration(log, start="2023-12-31", end="2024-06-30")
    >>> m.before.labels().tolist(), m.after.labels().tolist()
    (['declining', 'declining'], ['reactivated', 'churned'])
    >>> m.probabilities[Stage.DECLINING].tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.5]
    >>> m.churn_rate
    0.5
    """
    policy = _policy(policy)
    first = to_instant("start", start, log.timezone)
    last = to_instant("end", end, log.timezone)
    if not first < last:
        raise invalid("start", str(first), f"must be before end={last}", "Swap the two dates?")
    both = _stage_matrix(log, np.array([first, last], dtype=NS), policy, "start")
    ids, extra = _with_prospects(log, prospects)
    return StageMigration(
        LifecycleStages(ids, _append_prospects(both[0], extra), first, policy),
        LifecycleStages(ids, _append_prospects(both[1], extra), last, policy),
    )


@attrs.frozen(eq=False, repr=False)
class StageCountsOverTime(Tabular):
    """Customers per lifecycle stage at each of a series of dates.

    Parameters
    ----------
    dates : ndarray of datetime64[ns]
        The dates staged, increasing.
    counts : ndarray of int64, shape (dates, stages)
        ``counts[t, s]``: customers in stage ``s`` at ``dates[t]``.
    policy : RuleBasedPolicy or ModelBasedPolicy
        The rules used.
    timezone : {None, "UTC"}
        How to read ``dates`` (that of the log).
    """

    _pandas_index: ClassVar[str | None] = "date"

    dates: DatetimeArray
    counts: IntArray
    policy: LifecyclePolicy
    timezone: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.counts.shape != (self.dates.shape[0], _N_STAGES):
            raise invalid("counts", f"array of shape {self.counts.shape}", "must be (dates, 7)")
        object.__setattr__(self, "dates", frozen_view(self.dates))
        object.__setattr__(self, "counts", frozen_view(self.counts))

    def __len__(self) -> int:
        return int(self.dates.shape[0])

    def __repr__(self) -> str:
        return f"StageCountsOverTime({len(self)} dates, {self.dates[0]} .. {self.dates[-1]})"

    def _export_timezone(self) -> str | None:
        return self.timezone

    @property
    def names(self) -> tuple[str, ...]:
        """Stage labels of the columns of ``counts``."""
        return STAGE_NAMES

    @property
    def shares(self) -> FloatArray:
        """``counts`` divided by the number of customers (each row sums to 1)."""
        shares: FloatArray = self.counts / self.counts.sum(axis=1, keepdims=True)
        return shares

    def columns(self) -> dict[str, AnyArray]:
        """``date`` then one column of counts per stage."""
        out: dict[str, AnyArray] = {"date": self.dates}
        for j, name in enumerate(STAGE_NAMES):
            out[name] = self.counts[:, j]
        return out


def stage_counts_over_time(
    log: TransactionLog,
    *,
    dates: Iterable[object] | DatetimeArray,
    policy: LifecyclePolicy | None = None,
    prospects: Sequence[Any] | AnyArray | None = None,
) -> StageCountsOverTime:
    """Count the customers in each lifecycle stage at each of a series of dates.

    Parameters
    ----------
    log, policy, prospects
        As in :func:`stage_customers`.
    dates : iterable of datetime, date, str or numpy.datetime64
        Strictly increasing dates to stage at (each one an ``observation_end``), none before
        the log's first order.

    Returns
    -------
    StageCountsOverTime

    Examples
    --------
    >>> log = TransactionLog.from_arrays(["a", "b"], ["2024-01-01", "2024-03-01"], [5.0, 7.0])
    >>> over = stage_counts_over_time(log, dates=["2024-01-31", "2024-03-15", "2024-06-30"])
    >>> over.counts[:, [Stage.PROSPECT, Stage.NEW, Stage.DECLINING]].tolist()
    [[1, 1, 0], [0, 2, 0], [0, 0, 2]]
    """
    policy = _policy(policy)
    instants = _instants(log, dates)
    if instants.size == 0:
        raise EmptyInputError("dates is empty: at least one date is needed.")
    later = np.diff(instants) > np.timedelta64(0, "ns")
    if not later.all():
        i = int(np.argmin(later)) + 1
        raise invalid(
            f"dates[{i}]",
            str(instants[i]),
            f"is not after dates[{i - 1}]={instants[i - 1]}: dates must be strictly increasing",
        )
    _, extra = _with_prospects(log, prospects)
    counts = np.zeros((instants.size, _N_STAGES), dtype=np.int64)
    days = _order_days(log)
    for lo in range(0, instants.size, _DATES_PER_CALL):
        block = _stage_matrix(log, instants[lo : lo + _DATES_PER_CALL], policy, "dates[0]", days)
        for k in range(block.shape[0]):
            counts[lo + k] = np.bincount(block[k], minlength=_N_STAGES)
    counts[:, Stage.PROSPECT] += extra.size
    return StageCountsOverTime(instants, counts, policy, log.timezone)


# ----------------------------------------------------------------------------------- helpers


def _policy(policy: LifecyclePolicy | None) -> LifecyclePolicy:
    if policy is None:
        return RuleBasedPolicy()
    if not isinstance(policy, RuleBasedPolicy | ModelBasedPolicy):
        raise invalid(
            "policy",
            f"<{type(policy).__name__}>",
            "must be a RuleBasedPolicy or a ModelBasedPolicy",
        )
    return policy


def _readonly(array: AnyArray) -> AnyArray:
    # The kernels are compiled (and cached) for read-only inputs, the layout frames hand over.
    array.flags.writeable = False
    return array


def _instants(log: TransactionLog, dates: Iterable[object] | DatetimeArray) -> DatetimeArray:
    if isinstance(dates, np.ndarray) and dates.dtype.kind == "M":
        instants = dates.astype(NS).reshape(-1)
        if np.isnat(instants).any():
            i = int(np.argmax(np.isnat(instants)))
            raise invalid(f"dates[{i}]", "NaT", "is missing")
        return instants
    return np.array(
        [to_instant(f"dates[{i}]", d, log.timezone) for i, d in enumerate(dates)], dtype=NS
    )


def _order_days(log: TransactionLog) -> IntArray:
    """Day index of each order, read-only (the layout the kernel is compiled for)."""
    return _readonly(period_index(log.times, TimeUnit.DAY))


def _stage_matrix(
    log: TransactionLog,
    instants: DatetimeArray,
    policy: LifecyclePolicy,
    name: str,
    days: IntArray | None = None,
) -> LabelCodes:
    """Stage codes of the log's customers at each (increasing) instant, ``(k, n)`` int8.

    ``name`` is the argument holding ``instants[0]``, for the error message; ``days`` are
    the orders' day indices when the caller already has them.
    """
    if days is None:
        days = _order_days(log)
    as_of_days = _readonly(period_index(instants, TimeUnit.DAY))
    first_day = int(days.min())
    if int(as_of_days[0]) < first_day:
        raise invalid(
            name,
            str(instants[0]),
            f"is before the first order of the log ({log.times.min()})",
            "Choose a date on or after it.",
        )
    rules = policy.rules if isinstance(policy, ModelBasedPolicy) else policy
    t = rules.in_days()
    n = log.n_customers
    if isinstance(policy, ModelBasedPolicy):
        churned = np.zeros((instants.size, n), dtype=np.bool_)
        for k in range(instants.size):
            churned[k] = _model_churned(log, days, instants[k], int(as_of_days[k]), policy)
        use_model = True
    else:
        churned = np.zeros((0, 0), dtype=np.bool_)
        use_model = False
    kernel = stage_codes_parallel if n >= PARALLEL_MIN_CUSTOMERS else stage_codes
    codes: LabelCodes = kernel(
        log.customer_index,
        days,
        n,
        as_of_days,
        _readonly(churned),
        use_model,
        t.new_window,
        t.churn_after,
        t.reactivation_window,
        t.overdue_factor,
        t.trend_window,
    )
    return codes


def _model_churned(
    log: TransactionLog,
    days: IntArray,
    instant: np.datetime64,
    day: int,
    policy: ModelBasedPolicy,
) -> BoolArray:
    """``P(alive) < alive_threshold`` for the customers who bought by ``day``."""
    bought = np.zeros(log.n_customers, dtype=np.bool_)
    bought[log.customer_index[days <= day]] = True
    rows = np.flatnonzero(bought)
    end = max(instant, np.datetime64(log.times.max(), "ns"))
    split = calibration_holdout_summary(
        log, calibration_end=instant, observation_end=end, time_unit=policy.model.time_unit
    )
    summary = split.calibration
    if summary.n_customers != rows.size:  # pragma: no cover - both count buyers by day
        raise RuntimeError("the summary and the stages disagree on who has bought")
    alive = np.ones(rows.size)
    aged = summary.T > 0
    if aged.any():
        alive[aged] = _probabilities(policy.model, summary.take(aged))
    churned = np.zeros(log.n_customers, dtype=np.bool_)
    churned[rows] = alive < policy.alive_threshold
    return churned


def _probabilities(model: TransactionModel, summary: CustomerSummary) -> FloatArray:
    raw = model.probability_alive(summary)
    try:
        p = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidInputError(
            f"model.probability_alive returned {type(raw).__name__}, not an array of floats."
        ) from error
    if p.shape != (summary.n_customers,):
        raise InvalidInputError(
            f"model.probability_alive returned an array of shape {p.shape}; expected"
            f" ({summary.n_customers},), one probability per customer of the summary."
        )
    bad = ~(np.isfinite(p) & (p >= 0) & (p <= 1))
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInputError(
            f"model.probability_alive returned {plain(p[i])!r} for customer"
            f" {plain(summary.customer_ids[i])!r}: probabilities must lie in [0, 1]."
        )
    return p


def _with_prospects(
    log: TransactionLog, prospects: Sequence[Any] | AnyArray | None
) -> tuple[AnyArray, AnyArray]:
    """(all customer ids, the extra prospect ids not in the log)."""
    ids = log.customer_ids
    if prospects is None:
        return ids, ids[:0]
    extra = np.asarray(prospects)
    if extra.ndim != 1:
        raise invalid("prospects", f"array of shape {extra.shape}", "must be one-dimensional")
    if extra.size == 0:
        return ids, ids[:0]
    numeric_log = ids.dtype.kind in "iu"
    if extra.dtype.kind == "f" or (extra.dtype.kind in "iu") != numeric_log:
        kind = "integers" if numeric_log else "strings"
        raise invalid(
            "prospects",
            f"array of dtype {extra.dtype}",
            f"must hold {kind}, like the log's customer ids ({ids.dtype})",
        )
    try:
        extra = np.unique(extra)
    except TypeError as error:
        raise invalid("prospects", "mixed types", "ids must all be of one type") from error
    extra = extra[~np.isin(extra, ids)]
    return np.concatenate([ids, extra]), extra


def _append_prospects(codes: LabelCodes, extra: AnyArray) -> LabelCodes:
    if extra.size == 0:
        return codes
    return np.concatenate([codes, np.full(extra.size, Stage.PROSPECT, dtype=np.int8)])
