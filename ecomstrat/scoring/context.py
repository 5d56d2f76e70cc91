"""What a scorer reads and returns: the :class:`Scorer` protocol, its context and its scores.

A *scorer* turns a :class:`ScoringContext` — a customer summary plus, optionally, the
transaction log, engagement counts and a fitted transaction model — into one float per
customer, in one vectorised call. It states the inputs it needs in ``requires``, a set of
these tokens:

==========================  =====================================================================
``"summary"``               the :class:`~ecomstrat.CustomerSummary` (always present)
``"summary:total_value"``   a summary with ``total_value`` (as :func:`~ecomstrat.rfm_summary` makes)
``"log"``                   the :class:`~ecomstrat.TransactionLog` the summary was made from
``"model"``                 a fitted transaction model (BG/NBD, Pareto/NBD…)
``"engagement:<column>"``   engagement counts named ``<column>`` (e.g. ``engagement:visits``)
==========================  =====================================================================

The registry (:mod:`ecomstrat.scoring.registry`) runs scorers and gathers their output in a
:class:`Scores` table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import (
    check_array_finite,
    check_array_non_negative,
    check_choice,
    invalid,
    plain,
)
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames._arrays import frozen_view
from ecomstrat.frames._export import Tabular
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog

if TYPE_CHECKING:
    from ecomstrat.models._protocols import TransactionModel

_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@runtime_checkable
class Scorer(Protocol):
    """Anything with a name, a description, the inputs it needs and a vectorised ``score``.

    ``score`` is called once per context with every customer at once and returns a float64
    array of shape ``(context.n_customers,)``, finite, aligned with
    ``context.summary.customer_ids``. It must not modify the context's arrays (they are
    read-only).

    Examples
    --------
    >>> class SpendPerWeek:
    ...     name = "spend_per_week"
    ...     description = "Total spend divided by the customer's age in weeks."
    ...     requires = frozenset({"summary", "summary:total_value"})
    ...     def score(self, context):
    ...         summary = context.summary.to_unit("week")
    ...         return summary.total_value / np.maximum(summary.T, 1.0)
    >>> isinstance(SpendPerWeek(), Scorer)
    True
    """

    @property
    def name(self) -> str:
        """The scorer's name: the key of its scores (and of its entry point)."""
        ...

    @property
    def description(self) -> str:
        """One sentence saying what the score measures."""
        ...

    @property
    def requires(self) -> frozenset[str]:
        """The inputs it needs: tokens of the vocabulary in :mod:`ecomstrat.scoring.context`."""
        ...

    def score(self, context: ScoringContext, /) -> FloatArray:
        """One float per customer of ``context``."""
        ...


def _engagement_arrays(
    value: Mapping[str, Sequence[float] | AnyArray] | None,
) -> Mapping[str, FloatArray]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise invalid(
            "engagement",
            f"<{type(value).__name__}>",
            "must be a mapping of column name to counts",
            "E.g. engagement={'visits': visits, 'carts': carts}.",
        )
    out: dict[str, FloatArray] = {}
    for key, column in value.items():
        if not isinstance(key, str) or not _COLUMN.fullmatch(key):
            raise invalid(
                "engagement key",
                key,
                "must be an identifier (letters, digits and underscores, not first a digit)",
            )
        try:
            array = np.asarray(column, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise invalid(
                f"engagement[{key!r}]", "<non-numeric values>", "must be numbers"
            ) from error
        if array.ndim != 1:
            raise invalid(
                f"engagement[{key!r}]", f"<array of shape {array.shape}>", "must be one-dimensional"
            )
        out[key] = frozen_view(array)
    return MappingProxyType(out)


def _id_kind(ids: AnyArray) -> str:
    return {"i": "integer", "u": "integer", "U": "string", "S": "bytes"}.get(ids.dtype.kind, "any")


def _rows_of_log_customers(summary: CustomerSummary, log: TransactionLog) -> IntArray:
    """Summary row of each of the log's customers (-1 when not in the summary)."""
    ids, log_ids = summary.customer_ids, log.customer_ids
    kinds = {_id_kind(ids), _id_kind(log_ids)} - {"any"}
    if len(kinds) > 1:
        raise invalid(
            "log",
            f"<TransactionLog with {log_ids.dtype} customer ids>",
            f"must identify customers like the summary does ({ids.dtype} ids)",
            "Build the summary from this log, e.g. ecomstrat.rfm_summary(log).",
        )
    try:
        order = np.argsort(ids, kind="stable")
        ordered = ids[order]
        position = np.minimum(np.searchsorted(ordered, log_ids), len(ids) - 1)
        found = ordered[position] == log_ids
    except TypeError as error:
        raise invalid(
            "log", "<TransactionLog>", "has customer ids that cannot be compared with the summary's"
        ) from error
    rows: IntArray = np.where(found, order[position], -1).astype(np.int64)
    covered = np.zeros(len(ids), dtype=bool)
    covered[rows[found]] = True
    if not covered.all():
        i = int(np.argmin(covered))
        raise invalid(
            "log",
            f"<TransactionLog of {log.n_customers} customers>",
            f"has no order of customer {plain(ids[i])!r} (summary row {i};"
            f" {int((~covered).sum())} summary customer(s) missing)",
            "Pass the log the summary was made from.",
        )
    return frozen_view(rows)


def _lacking_log() -> InvalidInputError:
    return invalid("log", None, "is needed here", "Pass ScoringContext(summary, log=log).")


@attrs.frozen(eq=False, repr=False)
class ScoringContext:
    """Everything a scorer may read, column by column, aligned with the summary's customers.

    Parameters
    ----------
    summary : CustomerSummary
        The customers to score; every score has one value per row, in this order.
    log : TransactionLog, optional
        The orders the summary was made from. It may hold more customers (a calibration
        summary leaves some out) but must hold every customer of the summary;
        :attr:`log_rows` maps its customers to summary rows.
    engagement : mapping of str to array of float, optional
        Engagement counts (visits, carts, e-mail clicks…), one value per summary customer,
        finite and >= 0. Stored read-only.
    model : TransactionModel, optional
        A fitted model of repeat buying with ``probability_alive(summary)``,
        ``conditional_expected_purchases(t, summary)`` and a ``time_unit``
        (:class:`~ecomstrat.models._protocols.TransactionModel`: e.g. ``BGNBD().fit(summary)``
        or ``ParetoNBD().fit(summary)``).

    Raises
    ------
    InvalidInputError
        If an input is not aligned with the summary (the message names it and the first
        offending customer), or the model lacks a method the scorers call.

    Examples
    --------
    >>> from ecomstrat import CustomerSummary
    >>> s = CustomerSummary.from_arrays([1, 0], [3.0, 0.0], [5.0, 4.0], customer_ids=["a", "b"])
    >>> ScoringContext(s, engagement={"visits": [4, 0]})
    ScoringContext(2 customers; inputs: engagement:visits, summary)
    >>> ScoringContext(s, engagement={"visits": [4, 0, 1]})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ecomstrat.exceptions.InvalidInputError: engagement['visits']='<3 values>' is invalid: ...
    """

    summary: CustomerSummary
    log: TransactionLog | None = attrs.field(default=None, kw_only=True)
    engagement: Mapping[str, FloatArray] = attrs.field(
        default=None, converter=_engagement_arrays, kw_only=True
    )
    model: TransactionModel | None = attrs.field(default=None, kw_only=True)
    _log_rows: IntArray | None = attrs.field(init=False, default=None)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.summary, CustomerSummary):
            raise invalid(
                "summary",
                f"<{type(self.summary).__name__}>",
                "must be a CustomerSummary",
                "Make one with ecomstrat.rfm_summary(log).",
            )
        n = self.summary.n_customers
        ids = self.summary.customer_ids
        for key, counts in self.engagement.items():
            name = f"engagement[{key!r}]"
            if len(counts) != n:
                raise invalid(
                    name,
                    f"<{len(counts)} values>",
                    f"must hold one value per summary customer ({n})",
                    "Align the counts with summary.customer_ids.",
                )
            check_array_finite(name, counts, ids)
            check_array_non_negative(name, counts, ids, "Engagement counts cannot be negative.")
        if self.log is not None:
            if not isinstance(self.log, TransactionLog):
                raise invalid("log", f"<{type(self.log).__name__}>", "must be a TransactionLog")
            object.__setattr__(self, "_log_rows", _rows_of_log_customers(self.summary, self.log))
        if self.model is not None:
            self._check_model(self.model)

    @staticmethod
    def _check_model(model: object) -> None:
        lacking = [
            method
            for method in ("probability_alive", "conditional_expected_purchases")
            if not callable(getattr(model, method, None))
        ]
        if not isinstance(getattr(model, "time_unit", None), TimeUnit):
            lacking.append("time_unit")
        if lacking:
            raise invalid(
                "model",
                f"<{type(model).__name__}>",
                "must be a fitted transaction model: it lacks " + ", ".join(lacking),
                "Fit one, e.g. ecomstrat.models.bgnbd.BGNBD().fit(summary).",
            )

    @property
    def n_customers(self) -> int:
        """Number of customers scored."""
        return self.summary.n_customers

    @property
    def customer_ids(self) -> AnyArray:
        """The customers, in the order of every score."""
        return self.summary.customer_ids

    @property
    def inputs(self) -> frozenset[str]:
        """The ``requires`` tokens this context satisfies."""
        tokens = {"summary"}
        if self.summary.total_value is not None:
            tokens.add("summary:total_value")
        if self.log is not None:
            tokens.add("log")
        if self.model is not None:
            tokens.add("model")
        tokens.update(f"engagement:{key}" for key in self.engagement)
        return frozenset(tokens)

    def missing(self, requires: Iterable[str]) -> frozenset[str]:
        """The tokens of ``requires`` this context does not satisfy."""
        return frozenset(requires) - self.inputs

    @property
    def log_rows(self) -> IntArray:
        """Summary row of each of the log's customers, ``-1`` for those not in the summary.

        ``context.log_rows[log.customer_index]`` gives the summary row of every order, for
        per-customer sums with :func:`numpy.bincount`.
        """
        if self._log_rows is None:
            raise _lacking_log()
        return self._log_rows

    def require_log(self) -> TransactionLog:
        """The log, or an :class:`~ecomstrat.InvalidInputError` saying how to give one."""
        if self.log is None:
            raise _lacking_log()
        return self.log

    def require_model(self) -> TransactionModel:
        """The model, or an :class:`~ecomstrat.InvalidInputError` saying how to give one."""
        if self.model is None:
            raise invalid(
                "model",
                None,
                "is needed here: a fitted transaction model",
                "Pass ScoringContext(summary, model=BGNBD().fit(summary)).",
            )
        return self.model

    def engagement_counts(self, column: str) -> FloatArray:
        """The engagement counts named ``column`` (the error lists the columns there are)."""
        if column not in self.engagement:
            if not self.engagement:
                raise invalid(
                    "engagement",
                    "{}",
                    f"has no column {column!r}",
                    f"Pass ScoringContext(summary, engagement={{{column!r}: counts}}).",
                )
            check_choice("engagement column", column, self.engagement)
        return self.engagement[column]

    def __repr__(self) -> str:
        inputs = ", ".join(sorted(self.inputs))
        return f"ScoringContext({self.n_customers} customers; inputs: {inputs})"


@attrs.frozen(eq=False, repr=False)
class Scores(Tabular, Mapping[str, FloatArray]):
    """Scores by scorer name, one float64 array per scorer, aligned with ``customer_ids``.

    A read-only mapping (``scores["rfm"]``, ``list(scores)`` gives the scorer names) and a
    table with one row per customer: :meth:`columns` gives ``customer_id`` and one column per
    scorer, and ``to_pandas()`` (indexed by ``customer_id``), ``to_polars()`` and
    ``to_arrow()`` export it.

    Parameters
    ----------
    customer_ids : ndarray
        The customers scored, in the order of every array.
    values : mapping of str to ndarray of float64
        The scores by scorer name, each of shape ``(len(customer_ids),)``. Stored read-only.

    Examples
    --------
    >>> scores = Scores(np.array(["a", "b"]), values={"rfm": np.array([9.0, 12.0])})
    >>> scores
    Scores(2 customers; rfm)
    >>> scores["rfm"].tolist(), list(scores.columns())
    ([9.0, 12.0], ['customer_id', 'rfm'])
    """

    _pandas_index: ClassVar[str | None] = "customer_id"

    customer_ids: AnyArray
    _values: Mapping[str, FloatArray] = attrs.field(alias="values", kw_only=True)

    def __attrs_post_init__(self) -> None:
        n = len(self.customer_ids)
        for name, values in self._values.items():
            if values.shape != (n,):
                raise invalid(
                    f"values[{name!r}]",
                    f"<array of shape {values.shape}>",
                    f"must hold one score per customer ({n})",
                )
        frozen = {name: frozen_view(values) for name, values in self._values.items()}
        object.__setattr__(self, "_values", MappingProxyType(frozen))

    def __getitem__(self, name: str) -> FloatArray:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def columns(self) -> dict[str, AnyArray]:
        """``customer_id``, then one column per scorer."""
        return {"customer_id": self.customer_ids, **self._values}

    def __repr__(self) -> str:
        names = ", ".join(self._values) or "no scorer"
        return f"Scores({len(self.customer_ids)} customers; {names})"
