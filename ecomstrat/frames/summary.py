"""Per-customer RFM statistics, the input of the BTYD models and of lifecycle staging."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import (
    as_float_array,
    check_array_finite,
    check_array_non_negative,
    check_same_length,
    invalid,
    plain,
)
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import as_ids, as_rows, frozen_view, unique_ids
from ecomstrat.frames._export import Tabular

__all__ = ["CalibrationHoldout", "CustomerSummary"]

_ARRAY_FIELDS = (
    "customer_ids",
    "frequency",
    "recency",
    "T",
    "monetary",
    "first_purchase",
    "total_value",
)


@attrs.frozen(eq=False, repr=False)
class CustomerSummary(Tabular):
    """Frequency, recency, age and spend of each customer, in an explicit time unit.

    Parameters
    ----------
    customer_ids : ndarray
        Distinct customer ids, one per row.
    frequency : ndarray of int64
        Number of *repeat* purchase periods ``x`` (distinct periods with an order, minus one).
    recency : ndarray of float64
        ``t_x``: time from the first to the last purchase period (0 when ``frequency == 0``).
    T : ndarray of float64
        Age: time from the first purchase period to the observation end (``T >= recency``).
    monetary : ndarray of float64
        Mean value of the repeat purchase periods (0 when ``frequency == 0``); may be negative
        only when summarising margins.
    first_purchase : ndarray of datetime64[ns], optional
        Start of each customer's first purchase period.
    total_value : ndarray of float64, optional
        Value of all purchases up to the observation end, the first one included.
    time_unit : TimeUnit
        Unit of ``recency`` and ``T``.
    period : TimeUnit
        Length of a purchase period: orders in the same period count as one purchase.
    observation_end : numpy.datetime64, optional
        The instant ``T`` is measured to.

    Notes
    -----
    The definitions are those of the BTYD literature (Fader, Hardie & Lee 2005, "Counting
    your customers the easy way", Marketing Science 24(2)): ``x`` counts repeat transactions,
    ``t_x`` and ``T`` are measured from the first transaction. See :doc:`/rfm`.

    Examples
    --------
    >>> s = CustomerSummary.from_arrays([2, 0], [30.43, 0.0], [38.86, 38.86], time_unit="week")
    >>> s.frequency.tolist(), s.to_unit("day").T.round(2).tolist()
    ([2, 0], [272.02, 272.02])
    """

    customer_ids: AnyArray
    frequency: IntArray
    recency: FloatArray
    T: FloatArray
    monetary: FloatArray
    first_purchase: DatetimeArray | None = None
    total_value: FloatArray | None = None
    time_unit: TimeUnit = attrs.field(default=TimeUnit.DAY, converter=to_time_unit)
    period: TimeUnit = attrs.field(default=TimeUnit.DAY, converter=to_time_unit)
    observation_end: np.datetime64 | None = None

    _pandas_index = "customer_id"

    def __attrs_post_init__(self) -> None:
        columns = {f: getattr(self, f) for f in _ARRAY_FIELDS if getattr(self, f) is not None}
        n = check_same_length(**columns)
        if n == 0:
            raise EmptyInputError("the customer summary is empty: at least one customer needed.")
        _check_dtype("frequency", self.frequency, np.int64)
        for name in ("recency", "T", "monetary", "total_value"):
            _check_dtype(name, getattr(self, name), np.float64)
        ids = self.customer_ids
        for name in ("recency", "T", "monetary"):
            check_array_finite(name, getattr(self, name), ids)
        check_array_non_negative("frequency", self.frequency, ids)
        check_array_non_negative("recency", self.recency, ids)
        _check_row_rule(
            self.recency > self.T,
            "recency",
            self.recency,
            ids,
            "must be <= T (the last purchase cannot follow the observation end)",
        )
        _check_row_rule(
            (self.frequency == 0) & (self.recency != 0),
            "recency",
            self.recency,
            ids,
            "must be 0 when frequency is 0",
        )
        unique_ids("customer_ids", ids)
        for field in _ARRAY_FIELDS:
            value = getattr(self, field)
            if value is not None:
                object.__setattr__(self, field, frozen_view(value))

    @classmethod
    def from_arrays(
        cls,
        frequency: Sequence[float] | AnyArray,
        recency: Sequence[float] | AnyArray,
        T: Sequence[float] | AnyArray,
        monetary: Sequence[float] | AnyArray | None = None,
        *,
        customer_ids: Sequence[Any] | AnyArray | None = None,
        time_unit: TimeUnit | str = TimeUnit.DAY,
    ) -> CustomerSummary:
        """Build a summary from precomputed columns (e.g. a published data set).

        ``frequency`` may be given as floats if they are whole numbers; ``customer_ids``
        default to ``0..n-1`` and ``monetary`` (the mean value of the repeat purchases,
        >= 0) to zeros.

        Raises
        ------
        InvalidInputError
            If a column is not one-dimensional numbers, or a value breaks a rule (the
            message names the first one and its customer).
        """
        freq, rec, age = (
            as_float_array(name, values, ndim=1)
            for name, values in (("frequency", frequency), ("recency", recency), ("T", T))
        )
        n = check_same_length(frequency=freq, recency=rec, T=age)
        whole = np.isfinite(freq) & (freq == np.round(freq)) & (np.abs(freq) < 2.0**53)
        if not whole.all():
            i = int(np.argmin(whole))
            raise invalid(
                f"frequency[{i}]",
                float(freq[i]),
                "must be a whole number (below 2**53)",
                "frequency counts repeat purchases.",
            )
        ids = np.arange(n) if customer_ids is None else as_ids("customer_ids", customer_ids)
        money = np.zeros(n) if monetary is None else as_float_array("monetary", monetary, ndim=1)
        summary = cls(
            ids,
            freq.astype(np.int64),
            rec,
            age,
            money,
            time_unit=TimeUnit.parse(time_unit),
        )
        check_array_non_negative(
            "monetary",
            summary.monetary,
            summary.customer_ids,
            "monetary is the mean value of the repeat purchases; for margins, which may be"
            " negative, summarise the log with rfm_summary(log, monetary='margin').",
        )
        return summary

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return int(self.frequency.shape[0])

    def __len__(self) -> int:
        return self.n_customers

    def __repr__(self) -> str:
        return (
            f"CustomerSummary({self.n_customers} customers, time_unit={self.time_unit.value!r},"
            f" period={self.period.value!r}, mean frequency={self.frequency.mean():.3g},"
            f" mean T={self.T.mean():.4g})"
        )

    def to_unit(self, time_unit: TimeUnit | str) -> CustomerSummary:
        """The same summary with ``recency`` and ``T`` expressed in another unit."""
        unit = TimeUnit.parse(time_unit)
        factor = self.time_unit.days / unit.days
        return attrs.evolve(self, recency=self.recency * factor, T=self.T * factor, time_unit=unit)

    def take(self, rows: IntArray | AnyArray) -> CustomerSummary:
        """Select customers by positions (``-n <= i < n``) or by a boolean mask of length n.

        Raises
        ------
        InvalidInputError
            If a position is out of range or not a whole number, or the mask has another length.
        """
        index = as_rows("rows", rows, self.n_customers)

        def pick(value: AnyArray | None) -> AnyArray | None:
            return None if value is None else value[index]

        return attrs.evolve(
            self,
            **{f: pick(getattr(self, f)) for f in _ARRAY_FIELDS},  # type: ignore[arg-type]
        )

    def columns(self) -> dict[str, AnyArray]:
        """The summary as named columns (``customer_id``, ``frequency``, ``recency``…)."""
        out: dict[str, AnyArray] = {"customer_id": self.customer_ids}
        for field in _ARRAY_FIELDS[1:]:
            value = getattr(self, field)
            if value is not None:
                out[field] = value
        return out


@attrs.frozen(eq=False, repr=False)
class CalibrationHoldout(Tabular):
    """A calibration-period summary plus what the same customers did in the holdout period.

    Parameters
    ----------
    calibration : CustomerSummary
        Summary up to ``calibration_end`` of the customers who bought by then.
    frequency_holdout : ndarray of int64
        Number of purchase periods in (``calibration_end``, ``observation_end``].
    monetary_holdout : ndarray of float64
        Mean value of those purchase periods (0 when there are none).
    duration_holdout : float
        Length of the holdout period in ``calibration.time_unit``.
    calibration_end, observation_end : numpy.datetime64
        The two cut-offs.
    n_excluded : int
        Customers of the log whose first purchase falls after ``calibration_end``.
    """

    calibration: CustomerSummary
    frequency_holdout: IntArray
    monetary_holdout: FloatArray
    duration_holdout: float
    calibration_end: np.datetime64
    observation_end: np.datetime64
    n_excluded: int = 0

    _pandas_index = "customer_id"

    def __attrs_post_init__(self) -> None:
        check_same_length(
            customer_ids=self.calibration.customer_ids,
            frequency_holdout=self.frequency_holdout,
            monetary_holdout=self.monetary_holdout,
        )
        object.__setattr__(self, "frequency_holdout", frozen_view(self.frequency_holdout))
        object.__setattr__(self, "monetary_holdout", frozen_view(self.monetary_holdout))

    def __len__(self) -> int:
        return self.calibration.n_customers

    def __repr__(self) -> str:
        return (
            f"CalibrationHoldout({len(self)} customers, calibration_end={self.calibration_end},"
            f" observation_end={self.observation_end}, duration_holdout="
            f"{self.duration_holdout:.4g} {self.calibration.time_unit.value}s)"
        )

    def columns(self) -> dict[str, AnyArray]:
        """Calibration columns plus ``frequency_holdout``, ``monetary_holdout`` and duration."""
        out = self.calibration.columns()
        out["frequency_holdout"] = self.frequency_holdout
        out["monetary_holdout"] = self.monetary_holdout
        out["duration_holdout"] = np.full(len(self), self.duration_holdout)
        return out


def _check_dtype(name: str, value: AnyArray | None, dtype: type) -> None:
    if value is not None and (not isinstance(value, np.ndarray) or value.dtype != dtype):
        got = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
        raise invalid(
            name,
            f"<{got}>",
            f"must be a numpy array of {np.dtype(dtype)}",
            "Use CustomerSummary.from_arrays to convert.",
        )


def _check_row_rule(bad: AnyArray, name: str, values: AnyArray, ids: AnyArray, rule: str) -> None:
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(
            f"{name}[{i}]",
            float(values[i]),
            rule,
            f"{int(bad.sum())} row(s) break this rule.",
            where=f" (customer {plain(ids[i])!r})",
        )
