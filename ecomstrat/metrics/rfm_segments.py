"""Marketing RFM: quintile scores 1-5 and the named segments built on them.

:func:`rfm_scores` scores each customer's recency (time since the last purchase; recent is
high), frequency (number of purchases) and monetary value (total or mean spend) from 1 to 5 by
quintile, with one deterministic rule for ties. :func:`rfm_segments` names each customer's
segment with a table of score ranges (:data:`DEFAULT_SEGMENT_RULES`, or yours). See
:doc:`/rfm-segments`.

Note that these are *marketing* RFM scores: "recency" here is the time since the last purchase,
not the BTYD ``recency`` of :class:`~ecomstrat.CustomerSummary` (first to last purchase).

Examples
--------
>>> from ecomstrat import TransactionLog
>>> log = TransactionLog.from_arrays(
...     ["a", "a", "a", "b", "c", "c", "d", "e"],
...     ["2024-06-01", "2024-06-10", "2024-06-25", "2024-06-28", "2024-01-05", "2024-02-01",
...      "2023-11-01", "2024-03-15"],
...     [50.0, 60.0, 40.0, 25.0, 80.0, 90.0, 15.0, 30.0],
... )
>>> scores = rfm_scores(log, observation_end="2024-06-30")
>>> scores.recency.tolist(), scores.frequency.tolist(), scores.monetary.tolist()
([4, 5, 2, 1, 3], [5, 1, 4, 1, 1], [4, 2, 5, 1, 3])
>>> rfm_segments(scores).labels().tolist()
['Loyal', 'New', 'At risk', 'Lost', 'About to sleep']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Literal, TypeAlias

import attrs
import numpy as np
from numpy.typing import NDArray

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import check_choice, check_same_length, invalid, plain
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import frozen_view
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._labels import LabelledAssignment
from ecomstrat.frames._time import period_index, to_instant
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.summary import calibration_holdout_summary, rfm_summary

__all__ = [
    "DEFAULT_SEGMENT_RULES",
    "N_SCORES",
    "RFMScores",
    "RFMSegments",
    "SegmentRule",
    "quintile_scores",
    "rfm_scores",
    "rfm_segments",
]

Scores: TypeAlias = NDArray[np.int8]

#: Scores run from 1 to ``N_SCORES``.
N_SCORES = 5
#: Values are rounded to this many decimals before ranking, so that sums that differ only by
#: floating-point rounding (the same orders summed in another order) tie.
TIE_DECIMALS = 9
_OTHER = "Other"


def quintile_scores(values: FloatArray, *, high_is_best: bool = True) -> Scores:
    """Score ``values`` 1-5 by rank; tied values share the lowest score of their group.

    With ``n`` values and ``below`` the number of values that rank strictly worse, the score
    is ``1 + (5 * below) // n``. Rounded to :data:`TIE_DECIMALS` decimals first.

    Examples
    --------
    >>> quintile_scores(np.array([1.0, 5.0, 5.0, 10.0, 20.0])).tolist()
    [1, 2, 2, 4, 5]
    >>> quintile_scores(np.array([1.0, 5.0, 5.0, 10.0, 20.0]), high_is_best=False).tolist()
    [5, 3, 3, 2, 1]
    """
    v = np.round(values, TIE_DECIMALS)
    ordered = np.sort(v)
    n = v.size
    if high_is_best:
        below = np.searchsorted(ordered, v, side="left")
    else:
        below = n - np.searchsorted(ordered, v, side="right")
    return (1 + (N_SCORES * below) // n).astype(np.int8)


def _check_scores(name: str, scores: AnyArray, ids: AnyArray) -> Scores:
    values = np.asarray(scores)
    if values.ndim != 1:
        raise invalid(name, f"array of shape {values.shape}", "must be one-dimensional")
    if values.dtype.kind not in "iuf" and values.size:
        raise invalid(name, f"array of dtype {values.dtype}", "must hold whole-number scores")
    bad = ~np.isin(values, np.arange(1, N_SCORES + 1))
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(
            f"{name}[{i}]",
            plain(values[i]),
            f"is outside the scale: scores are whole numbers from 1 to {N_SCORES}",
            f"{int(bad.sum())} score(s) out of range.",
            where=f" (customer {plain(ids[i])!r})",
        )
    return values.astype(np.int8)


@attrs.frozen(eq=False, repr=False)
class RFMScores(Tabular):
    """Recency, frequency and monetary scores 1-5 of each customer, with the scored values.

    Build it with :func:`rfm_scores`, or from scores computed elsewhere with
    :meth:`from_scores`.

    Parameters
    ----------
    customer_ids : ndarray
        One id per customer.
    recency, frequency, monetary : ndarray of int8
        The scores, 1 (worst) to 5 (best): 5 is the most recent, most frequent, biggest.
    since_last : ndarray of float64, optional
        Time since the last purchase, in ``time_unit``.
    purchases : ndarray of int64, optional
        Number of purchase periods.
    spend : ndarray of float64, optional
        The monetary value scored (total or mean spend).
    time_unit : TimeUnit
        Unit of ``since_last``.
    """

    _pandas_index: ClassVar[str | None] = "customer_id"

    customer_ids: AnyArray
    recency: Scores
    frequency: Scores
    monetary: Scores
    since_last: FloatArray | None = None
    purchases: IntArray | None = None
    spend: FloatArray | None = None
    time_unit: TimeUnit = attrs.field(default=TimeUnit.DAY, converter=to_time_unit)

    def __attrs_post_init__(self) -> None:
        n = check_same_length(
            customer_ids=self.customer_ids,
            recency=self.recency,
            frequency=self.frequency,
            monetary=self.monetary,
        )
        if n == 0:
            raise EmptyInputError("the scores are empty: at least one customer is needed.")
        for name in ("recency", "frequency", "monetary"):
            scores = _check_scores(name, getattr(self, name), self.customer_ids)
            object.__setattr__(self, name, frozen_view(scores))
        object.__setattr__(self, "customer_ids", frozen_view(self.customer_ids))
        for name in ("since_last", "purchases", "spend"):
            value = getattr(self, name)
            if value is not None:
                check_same_length(customer_ids=self.customer_ids, **{name: value})
                object.__setattr__(self, name, frozen_view(value))

    @classmethod
    def from_scores(
        cls,
        *,
        recency: Sequence[int] | AnyArray,
        frequency: Sequence[int] | AnyArray,
        monetary: Sequence[int] | AnyArray,
        customer_ids: Sequence[Any] | AnyArray | None = None,
    ) -> RFMScores:
        """Wrap scores computed elsewhere (whole numbers 1-5) for :func:`rfm_segments`.

        Examples
        --------
        >>> RFMScores.from_scores(recency=[5, 1], frequency=[4, 2], monetary=[3, 3]).cells.tolist()
        [543, 123]
        >>> RFMScores.from_scores(recency=[6], frequency=[1], monetary=[1])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ecomstrat.exceptions.InvalidInputError: recency[0]=6 (customer 0) is invalid: ...
        """
        n = len(recency)
        ids = np.arange(n) if customer_ids is None else np.asarray(customer_ids)
        return cls(ids, np.asarray(recency), np.asarray(frequency), np.asarray(monetary))

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return int(self.recency.shape[0])

    def __len__(self) -> int:
        return self.n_customers

    def __repr__(self) -> str:
        return f"RFMScores({self.n_customers} customers)"

    @property
    def cells(self) -> NDArray[np.int16]:
        """The three scores as one number, ``100 * R + 10 * F + M`` (e.g. 545)."""
        r, f, m = (s.astype(np.int16) for s in (self.recency, self.frequency, self.monetary))
        return 100 * r + 10 * f + m

    def columns(self) -> dict[str, AnyArray]:
        """``customer_id``, the scored values (when known), ``r``, ``f``, ``m`` and ``rfm``."""
        out: dict[str, AnyArray] = {"customer_id": self.customer_ids}
        for name in ("since_last", "purchases", "spend"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out.update(r=self.recency, f=self.frequency, m=self.monetary, rfm=self.cells)
        return out


def rfm_scores(
    data: TransactionLog | CustomerSummary,
    *,
    observation_end: object = None,
    time_unit: TimeUnit | str = TimeUnit.DAY,
    monetary: Literal["total", "mean"] = "total",
) -> RFMScores:
    """Score each customer's recency, frequency and monetary value from 1 to 5 by quintile.

    The scored values are: *recency*, the time since the last purchase (the most recent get
    5); *frequency*, the number of purchase periods (days by default); *monetary*, the total
    spend, or the mean spend per purchase with ``monetary="mean"``. Each is scored
    ``1 + (5 * below) // n``, where ``below`` counts the customers strictly worse on that
    value and ``n`` all customers: the scores are quintiles of the rank, and tied customers
    share the lowest score of their group. So the result does not depend on the order of the
    customers or of the orders, and a value shared by many customers (one-time buyers'
    frequency, say) leaves some scores unused rather than splitting equals.

    Parameters
    ----------
    data : TransactionLog or CustomerSummary
        A log (summarised with :func:`~ecomstrat.rfm_summary`, daily purchase periods) or a
        summary that has ``total_value`` (as :func:`~ecomstrat.rfm_summary` makes).
    observation_end : datetime, date, str or numpy.datetime64, optional
        For a log only: the scoring date (its whole day counts); customers whose first order
        comes later are left out. Defaults to the last order's time.
    time_unit : TimeUnit or str, default "day"
        For a log only: unit of ``since_last``.
    monetary : {"total", "mean"}, default "total"
        Score the total spend or the mean spend per purchase period.

    Returns
    -------
    RFMScores

    Raises
    ------
    InvalidInputError
        If ``observation_end`` is before the log's first order, is given with a summary, or
        the summary has no ``total_value``.

    Notes
    -----
    RFM scoring goes back to direct marketing (e.g. Hughes 1994, *Strategic Database
    Marketing*). The common pandas recipe ranks frequency with ``rank(method="first")``
    before ``qcut``, which splits tied customers by row order; this function keeps ties
    together instead. See :doc:`/rfm-segments`.

    Examples
    --------
    >>> from ecomstrat import TransactionLog
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "b", "b", "c", "d", "e"],
    ...     ["2024-06-29", "2024-05-01", "2024-06-01", "2024-03-01", "2024-01-01", "2024-06-01"],
    ...     [10.0, 20.0, 30.0, 40.0, 5.0, 10.0],
    ... )
    >>> s = rfm_scores(log, observation_end="2024-06-30")
    >>> s.since_last.tolist(), s.recency.tolist()
    ([1.0, 29.0, 121.0, 181.0, 29.0], [5, 3, 2, 1, 3])
    >>> s.purchases.tolist(), s.frequency.tolist()
    ([1, 2, 1, 1, 1], [1, 5, 1, 1, 1])
    """
    check_choice("monetary", monetary, ("total", "mean"))
    if isinstance(data, TransactionLog):
        summary = _summary(data, observation_end, TimeUnit.parse(time_unit))
    elif isinstance(data, CustomerSummary):
        if observation_end is not None:
            raise invalid(
                "observation_end",
                str(observation_end),
                "must be None for a CustomerSummary, which is already observed to its end",
                "Summarise the log at the date you want, or pass the log itself.",
            )
        summary = data
    else:
        raise invalid(
            "data",
            f"<{type(data).__name__}>",
            "must be a TransactionLog or a CustomerSummary",
        )
    if summary.total_value is None:
        raise invalid(
            "data",
            "<CustomerSummary without total_value>",
            "needs total_value (all purchases, the first included) to score monetary value",
            "Build the summary with ecomstrat.rfm_summary(log, ...).",
        )
    since = summary.T - summary.recency
    purchases = summary.frequency + 1
    spend = summary.total_value if monetary == "total" else summary.total_value / purchases
    return RFMScores(
        summary.customer_ids,
        quintile_scores(since, high_is_best=False),
        quintile_scores(purchases.astype(np.float64)),
        quintile_scores(spend),
        since,
        purchases,
        np.asarray(spend, dtype=np.float64),
        time_unit=summary.time_unit,
    )


def _summary(log: TransactionLog, observation_end: object, unit: TimeUnit) -> CustomerSummary:
    if observation_end is None:
        return rfm_summary(log, time_unit=unit)
    instant = to_instant("observation_end", observation_end, log.timezone)
    first = log.times.min()
    days = period_index(np.array([instant, first]), TimeUnit.DAY)
    if days[0] < days[1]:
        raise invalid(
            "observation_end",
            str(instant),
            f"is before the first order of the log ({first})",
            "Choose a date on or after it.",
        )
    end = max(instant, np.datetime64(log.times.max(), "ns"))
    split = calibration_holdout_summary(
        log, calibration_end=instant, observation_end=end, time_unit=unit
    )
    return split.calibration


# ----------------------------------------------------------------------------------- segments


def _score_range(value: tuple[int, int]) -> tuple[int, int]:
    try:
        low, high = value
        return int(low), int(high)
    except (TypeError, ValueError):
        return value  # not a pair of whole numbers: the validator names it


def _check_range(
    instance: SegmentRule, attribute: attrs.Attribute[tuple[int, int]], value: tuple[int, int]
) -> None:
    pair = isinstance(value, tuple) and len(value) == 2
    if not (pair and 1 <= value[0] <= value[1] <= N_SCORES):
        raise invalid(
            f"{instance.name!r}.{attribute.name}",
            value,
            f"must be (low, high) scores with 1 <= low <= high <= {N_SCORES}",
        )


def _check_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise invalid("name", value, "must be a non-empty string")
    if value == _OTHER:
        raise invalid("name", value, "is reserved for customers no rule matches")


@attrs.frozen
class SegmentRule:
    """A named segment: the customers whose three scores lie in the given ranges.

    Parameters
    ----------
    name : str
        The segment's name.
    recency, frequency, monetary : tuple of (int, int)
        Inclusive score ranges ``(low, high)`` within 1-5; ``monetary`` defaults to any.

    Examples
    --------
    >>> SegmentRule("Champions", recency=(5, 5), frequency=(4, 5)).matches(
    ...     recency=5, frequency=4, monetary=1
    ... )
    True
    """

    name: str = attrs.field(validator=_check_name)
    recency: tuple[int, int] = attrs.field(converter=_score_range, validator=_check_range)
    frequency: tuple[int, int] = attrs.field(converter=_score_range, validator=_check_range)
    monetary: tuple[int, int] = attrs.field(
        default=(1, N_SCORES), converter=_score_range, validator=_check_range
    )

    def matches(self, *, recency: int, frequency: int, monetary: int) -> bool:
        """Whether the scores ``(recency, frequency, monetary)`` fall in this segment."""
        return (
            self.recency[0] <= recency <= self.recency[1]
            and self.frequency[0] <= frequency <= self.frequency[1]
            and self.monetary[0] <= monetary <= self.monetary[1]
        )


#: The widely used recency-frequency grid (monetary not used), with *Lost* carved out of the
#: *Hibernating* corner. Checked in order, first match wins; together they cover all 125
#: score combinations. See :doc:`/rfm-segments` for the sources.
DEFAULT_SEGMENT_RULES: tuple[SegmentRule, ...] = (
    SegmentRule("Champions", recency=(5, 5), frequency=(4, 5)),
    SegmentRule("Loyal", recency=(3, 4), frequency=(4, 5)),
    SegmentRule("Potential loyalists", recency=(4, 5), frequency=(2, 3)),
    SegmentRule("New", recency=(5, 5), frequency=(1, 1)),
    SegmentRule("Promising", recency=(4, 4), frequency=(1, 1)),
    SegmentRule("Need attention", recency=(3, 3), frequency=(3, 3)),
    SegmentRule("About to sleep", recency=(3, 3), frequency=(1, 2)),
    SegmentRule("At risk", recency=(1, 2), frequency=(3, 4)),
    SegmentRule("Can't lose them", recency=(1, 2), frequency=(5, 5)),
    SegmentRule("Lost", recency=(1, 1), frequency=(1, 1)),
    SegmentRule("Hibernating", recency=(1, 2), frequency=(1, 2)),
)


@attrs.frozen(eq=False, repr=False)
class RFMSegments(LabelledAssignment):
    """The named RFM segment of each customer.

    ``labels()``, ``counts``, ``shares`` and ``ids_in(segment)`` come from the
    labelled-assignment base shared with lifecycle stages and value tiers; the table adds the
    score columns of ``scores``.

    Parameters
    ----------
    scores : RFMScores
        The scores segmented.
    codes : ndarray of int8
        Index of each customer's segment in ``names``.
    names : tuple of str
        The rules' names in table order, then ``"Other"`` if some score combination matches
        no rule.
    rules : tuple of SegmentRule
        The table used.
    """

    _label_column: ClassVar[str] = "segment"

    scores: RFMScores
    codes: Scores
    names: tuple[str, ...]
    rules: tuple[SegmentRule, ...]

    def __attrs_post_init__(self) -> None:
        self._freeze_codes()

    @property
    def customer_ids(self) -> AnyArray:
        """The customers, as in ``scores``."""
        return self.scores.customer_ids

    def _more_columns(self) -> dict[str, AnyArray]:
        scores = self.scores.columns()
        del scores["customer_id"]
        return scores


def segment_lookup(rules: Iterable[SegmentRule]) -> tuple[NDArray[np.int8], tuple[str, ...]]:
    """The segment code of every (R, F, M) score cell, and the segment names.

    ``lookup[r - 1, f - 1, m - 1]`` is the index of the first rule matching ``(r, f, m)``, or
    ``len(rules)`` (named ``"Other"``) when none does.
    """
    table = tuple(rules)
    if not table:
        raise EmptyInputError("rules is empty: at least one SegmentRule is needed.")
    for i, rule in enumerate(table):
        if not isinstance(rule, SegmentRule):
            raise invalid(f"rules[{i}]", f"<{type(rule).__name__}>", "must be a SegmentRule")
    names = [rule.name for rule in table]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise invalid("rules", duplicated[0], "is the name of more than one rule")
    if len(table) >= np.iinfo(np.int8).max:
        raise invalid("rules", f"{len(table)} rules", "must be fewer than 127")
    lookup = np.full((N_SCORES,) * 3, len(table), dtype=np.int8)
    for i, rule in reversed(list(enumerate(table))):  # earlier rules overwrite later ones
        (r0, r1), (f0, f1), (m0, m1) = rule.recency, rule.frequency, rule.monetary
        lookup[r0 - 1 : r1, f0 - 1 : f1, m0 - 1 : m1] = i
    if (lookup == len(table)).any():
        names.append(_OTHER)
    lookup.flags.writeable = False
    return lookup, tuple(names)


def rfm_segments(
    scores: RFMScores, *, rules: Iterable[SegmentRule] = DEFAULT_SEGMENT_RULES
) -> RFMSegments:
    """Name each customer's segment: the first rule of ``rules`` their scores match.

    Parameters
    ----------
    scores : RFMScores
        From :func:`rfm_scores` or :meth:`RFMScores.from_scores`.
    rules : iterable of SegmentRule, default DEFAULT_SEGMENT_RULES
        The segment table, checked in order. Customers no rule matches fall in ``"Other"``.

    Returns
    -------
    RFMSegments

    Examples
    --------
    >>> s = RFMScores.from_scores(
    ...     recency=[5, 5, 1, 2, 3], frequency=[5, 1, 1, 5, 3], monetary=[1, 1, 1, 1, 1]
    ... )
    >>> seg = rfm_segments(s)
    >>> seg.labels().tolist()
    ['Champions', 'New', 'Lost', "Can't lose them", 'Need attention']
    >>> vip = [SegmentRule("VIP", recency=(4, 5), frequency=(4, 5), monetary=(4, 5))]
    >>> rfm_segments(s, rules=vip).counts
    {'VIP': 0, 'Other': 5}
    """
    if not isinstance(scores, RFMScores):
        raise invalid(
            "scores",
            f"<{type(scores).__name__}>",
            "must be an RFMScores",
            "Compute it with rfm_scores(...) or RFMScores.from_scores(...).",
        )
    table = tuple(rules)
    lookup, names = segment_lookup(table)
    codes = lookup[
        scores.recency.astype(np.intp) - 1,
        scores.frequency.astype(np.intp) - 1,
        scores.monetary.astype(np.intp) - 1,
    ]
    return RFMSegments(scores, codes, names, table)
