"""Discrete-time inputs: purchase patterns over opportunities, and cohort survivor counts."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from ecomstrat._kernels.patterns import unique_rows
from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import as_float_array, check_same_length, invalid
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import frozen_view
from ecomstrat.frames._export import Tabular

__all__ = ["DiscretePatterns", "SurvivorCounts"]

ArrayLike = Sequence[float] | AnyArray


def _numbers(name: str, values: object, fix: str | None = None) -> FloatArray:
    """``values`` as a 1-D float64 array, or an error naming ``name``."""
    array = as_float_array(name, values)
    if array.ndim != 1:
        raise invalid(name, f"<array of shape {array.shape}>", "must be one-dimensional", fix)
    return array


def _whole(name: str, values: FloatArray, fix: str) -> IntArray:
    """Check finite whole numbers and return them as int64."""
    bad = ~np.isfinite(values) | (values != np.round(values)) | (np.abs(values) >= 2.0**53)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(
            f"{name}[{i}]",
            float(values[i]),
            "must be a finite whole number (below 2**53)",
            f"{fix} ({int(bad.sum())} row(s) break this rule.)",
        )
    return values.astype(np.int64)


def _frequency(values: ArrayLike) -> IntArray:
    return _whole("frequency", _numbers("frequency", values), "frequency counts purchases.")


def _recency(values: ArrayLike) -> IntArray:
    return _whole("recency", _numbers("recency", values), "recency is an opportunity number.")


def _periods(values: ArrayLike) -> IntArray:
    return _whole("periods", _numbers("periods", values), "periods counts opportunities.")


def _weights(values: ArrayLike) -> FloatArray:
    return _numbers("weights", values)


def _survivors(values: ArrayLike) -> FloatArray:
    return _numbers("survivors", values)


def _cohort(values: ArrayLike) -> IntArray:
    return _whole("cohort", _numbers("cohort", values), "cohort labels are integers.")


def _first_bad(rules: list[tuple[str, AnyArray, AnyArray, str]]) -> None:
    for name, values, bad, rule in rules:
        if bad.any():
            i = int(np.argmax(bad))
            raise invalid(
                f"{name}[{i}]",
                values[i].item(),
                rule,
                f"{int(bad.sum())} row(s) break this rule.",
            )


@attrs.frozen(eq=False, repr=False)
class DiscretePatterns(Tabular):
    """Purchase histories over discrete opportunities, one row per ``(x, t_x, n)`` pattern.

    The input of the BG/BB model: opportunities are fixed occasions (a yearly fund drive, an
    annual event, a weekly slot) at each of which a customer either buys or does not.

    Parameters
    ----------
    frequency : array of whole numbers
        ``x``: opportunities with a purchase (after the first, "trial", purchase).
    recency : array of whole numbers
        ``t_x``: the opportunity of the last purchase (``1..n``), 0 when ``x = 0``.
    periods : array of whole numbers
        ``n``: opportunities observed.
    weights : array of float
        Customers with each pattern (1 for per-customer rows); may be fractional.

    Raises
    ------
    InvalidInputError
        Naming the first row that breaks a rule: whole numbers, ``0 <= x <= t_x <= n``,
        ``t_x = 0`` when ``x = 0``, finite ``weights >= 0``.
    EmptyInputError
        When there are no rows.

    Notes
    -----
    The notation is that of Fader, Hardie & Shang (2010), "Customer-Base Analysis in a
    Discrete-Time Noncontractual Setting", *Marketing Science* 29(6), 1086–1108: ``x``
    purchases in ``n`` opportunities need at least ``x`` of them, so ``x <= t_x``.

    Examples
    --------
    >>> p = DiscretePatterns([0, 2, 3], [0, 4, 3], [6, 6, 6], [10, 4, 1])
    >>> len(p), p.n_customers
    (3, 15.0)
    >>> DiscretePatterns([2], [1], [6], [1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ecomstrat.exceptions.InvalidInputError: recency[0]=1 is invalid: must be >= frequency ...
    """

    frequency: IntArray = attrs.field(converter=_frequency)
    recency: IntArray = attrs.field(converter=_recency)
    periods: IntArray = attrs.field(converter=_periods)
    weights: FloatArray = attrs.field(converter=_weights)

    def __attrs_post_init__(self) -> None:
        n_rows = check_same_length(
            frequency=self.frequency,
            recency=self.recency,
            periods=self.periods,
            weights=self.weights,
        )
        if n_rows == 0:
            raise EmptyInputError("the patterns are empty: at least one row is needed.")
        x, t_x, n, w = self.frequency, self.recency, self.periods, self.weights
        _first_bad(
            [
                ("frequency", x, x < 0, "must be >= 0"),
                ("periods", n, n < 0, "must be >= 0"),
                ("recency", t_x, t_x < 0, "must be >= 0"),
                ("recency", t_x, t_x > n, "must be <= periods (the last purchase is one of them)"),
                (
                    "recency",
                    t_x,
                    t_x < x,
                    "must be >= frequency (x purchases need x opportunities, the last at t_x)",
                ),
                ("recency", t_x, (x == 0) & (t_x != 0), "must be 0 when frequency is 0"),
                ("weights", w, ~np.isfinite(w) | (w < 0), "must be finite and >= 0"),
            ]
        )
        for name, value in (("frequency", x), ("recency", t_x), ("periods", n), ("weights", w)):
            object.__setattr__(self, name, frozen_view(value))

    @classmethod
    def from_histories(cls, histories: AnyArray | Sequence[Sequence[int]]) -> DiscretePatterns:
        """Compress per-customer 0/1 purchase histories into patterns with counts.

        Parameters
        ----------
        histories : array of shape (n_customers, n_periods)
            ``histories[c, j]`` is 1 when customer ``c`` bought at opportunity ``j + 1`` and 0
            otherwise. The first ("trial") purchase that made them a customer is not a
            column.

        Returns
        -------
        DiscretePatterns
            One row per distinct ``(x, t_x, n)``, sorted, with ``weights`` = customers.

        Examples
        --------
        >>> h = [[0, 0, 0], [1, 0, 1], [0, 0, 0], [1, 1, 0]]
        >>> p = DiscretePatterns.from_histories(h)
        >>> p.frequency.tolist(), p.recency.tolist(), p.periods.tolist(), p.weights.tolist()
        ([0, 2, 2], [0, 2, 3], [3, 3, 3], [2.0, 1.0, 1.0])
        """
        array = as_float_array("histories", histories, booleans=True)
        if array.ndim != 2:
            raise invalid(
                "histories",
                f"<array of shape {array.shape}>",
                "must be 2-D (customers × opportunities)",
                "Stack the customers' 0/1 rows into one array.",
            )
        if array.shape[0] == 0:
            raise EmptyInputError("histories is empty: at least one customer is needed.")
        if array.shape[1] == 0:
            raise EmptyInputError(
                "histories has no opportunities (0 columns): at least one is needed."
            )
        bad = (array != 0) & (array != 1)
        if bad.any():
            i, j = (int(k) for k in np.unravel_index(int(np.argmax(bad)), array.shape))
            raise invalid(
                f"histories[{i}, {j}]",
                float(array[i, j]),
                "must be 0 or 1",
                "Mark an opportunity with a purchase as 1, whatever the amount.",
            )
        n_periods = array.shape[1]
        bought = array == 1
        x = bought.sum(axis=1)
        last = n_periods - np.argmax(bought[:, ::-1], axis=1)
        t_x = np.where(x > 0, last, 0)
        return cls(x, t_x, np.full(len(x), n_periods), np.ones(len(x))).compress()

    @property
    def n_customers(self) -> float:
        """Total weight: the number of customers the patterns stand for."""
        return float(self.weights.sum())

    def __len__(self) -> int:
        return int(self.frequency.shape[0])

    def __repr__(self) -> str:
        return (
            f"DiscretePatterns({len(self)} patterns, {self.n_customers:.6g} customers,"
            f" periods {int(self.periods.min())}..{int(self.periods.max())})"
        )

    def compress(self) -> DiscretePatterns:
        """Merge identical ``(x, t_x, n)`` rows, adding up their weights (sorted by n, x, t_x)."""
        return self.distinct()[0]

    def distinct(self) -> tuple[DiscretePatterns, IntArray]:
        """The distinct ``(x, t_x, n)`` rows with summed weights, and each row's pattern.

        Returns
        -------
        patterns : DiscretePatterns
            Sorted by ``n``, ``x``, ``t_x``.
        inverse : ndarray of int64
            ``patterns`` row of every row of ``self``.

        Notes
        -----
        The rows are matched by the one row-deduplication kernel of the package,
        :func:`~ecomstrat._kernels.patterns.unique_rows` (hashing, O(rows)); only the distinct
        patterns are then sorted.
        """
        first, inverse = unique_rows(self.periods, self.frequency, self.recency)
        order = np.lexsort((self.recency[first], self.frequency[first], self.periods[first]))
        first = first[order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        inverse = rank[inverse]
        weights = np.bincount(inverse, weights=self.weights, minlength=len(first))
        patterns = DiscretePatterns(
            self.frequency[first], self.recency[first], self.periods[first], weights
        )
        return patterns, inverse

    def columns(self) -> dict[str, AnyArray]:
        """The patterns as named columns: ``frequency``, ``recency``, ``periods``, ``weights``."""
        return {
            "frequency": self.frequency,
            "recency": self.recency,
            "periods": self.periods,
            "weights": self.weights,
        }


@attrs.frozen(eq=False, repr=False)
class SurvivorCounts(Tabular):
    """Customers of one or more cohorts still active at the start of each period.

    Row ``k`` of a cohort is the number active at the start of period ``k`` (``k = 0`` is the
    cohort size), so the counts never increase. The rows of a cohort are consecutive and in
    period order.

    Parameters
    ----------
    survivors : array of float
        Counts of all cohorts, one after the other; may be fractional (e.g. percentages).
    cohort : array of int
        Cohort label of each row, non-decreasing (:meth:`from_counts` and
        :meth:`from_cohorts` number them).

    Raises
    ------
    InvalidInputError
        Naming the first bad value: counts must be finite and >= 0, each cohort's first
        count > 0 and no count above the one before; every cohort needs at least two rows.

    Notes
    -----
    The data of Fader & Hardie (2007), "How to Project Customer Retention", *Journal of
    Interactive Marketing* 21(1), 76–90, Table 1.

    Examples
    --------
    >>> s = SurvivorCounts.from_cohorts([[1000, 631, 468], [500, 400]])
    >>> s.n_cohorts, s.period.tolist(), s.cohort_sizes.tolist()
    (2, [0, 1, 2, 0, 1], [1000.0, 500.0])
    >>> SurvivorCounts.from_counts([1000, 631, 700])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ecomstrat.exceptions.InvalidInputError: survivors[2]=700.0 is invalid: must be <= ...
    """

    survivors: FloatArray = attrs.field(converter=_survivors)
    cohort: IntArray = attrs.field(converter=_cohort)

    def __attrs_post_init__(self) -> None:
        s = self.survivors
        check_same_length(survivors=s, cohort=self.cohort)
        if len(s) == 0:
            raise EmptyInputError("survivors is empty: give each cohort's size and later counts.")
        cohort = self.cohort
        _first_bad(
            [("cohort", cohort, np.r_[False, cohort[1:] < cohort[:-1]], "must not decrease")]
        )
        starts = np.r_[True, cohort[1:] != cohort[:-1]]
        previous = np.r_[np.nan, s[:-1]]
        ends = np.r_[starts[1:], True]
        _first_bad(
            [
                ("survivors", s, ~np.isfinite(s) | (s < 0), "must be finite and >= 0"),
                ("survivors", s, starts & (s <= 0), "must be > 0 (it is the cohort size)"),
                (
                    "survivors",
                    s,
                    ~starts & (s > previous),
                    "must be <= the count before it (survivors never increase)",
                ),
                (
                    "survivors",
                    s,
                    starts & ends,
                    "is a cohort's only count: give its size and at least one later count",
                ),
            ]
        )
        object.__setattr__(self, "survivors", frozen_view(s))
        object.__setattr__(self, "cohort", frozen_view(cohort))

    @classmethod
    def from_counts(cls, counts: ArrayLike) -> SurvivorCounts:
        """One cohort: its size, then the customers active at the start of each later period."""
        values = _numbers("counts", counts, "Give several cohorts to from_cohorts.")
        return cls(values, np.zeros(len(values)))

    @classmethod
    def from_cohorts(cls, cohorts: Sequence[ArrayLike]) -> SurvivorCounts:
        """Several cohorts, each a sequence like :meth:`from_counts` takes (lengths may differ)."""
        arrays = [_numbers(f"cohorts[{c}]", counts) for c, counts in enumerate(cohorts)]
        if not arrays:
            raise EmptyInputError("cohorts is empty: at least one cohort is needed.")
        labels = np.concatenate([np.full(len(a), c) for c, a in enumerate(arrays)])
        return cls(np.concatenate(arrays), labels)

    @property
    def period(self) -> IntArray:
        """Period of each row within its cohort (0 for the cohort size)."""
        index = np.arange(len(self.survivors))
        starts = np.r_[True, self.cohort[1:] != self.cohort[:-1]]
        first = np.maximum.accumulate(np.where(starts, index, 0))
        return (index - first).astype(np.int64)

    @property
    def n_cohorts(self) -> int:
        """Number of cohorts."""
        return int(np.count_nonzero(np.r_[True, self.cohort[1:] != self.cohort[:-1]]))

    @property
    def cohort_sizes(self) -> FloatArray:
        """Each cohort's first count."""
        return np.asarray(self.survivors[self.period == 0], dtype=np.float64)

    def __len__(self) -> int:
        return int(self.survivors.shape[0])

    def __repr__(self) -> str:
        return f"SurvivorCounts({self.n_cohorts} cohort(s), {len(self)} rows)"

    def columns(self) -> dict[str, AnyArray]:
        """The counts as named columns: ``cohort``, ``period``, ``survivors``."""
        return {"cohort": self.cohort, "period": self.period, "survivors": self.survivors}
