"""Per-customer predictions of a purchase model as one table keyed by customer id.

Examples
--------
>>> from ecomstrat.models.bgnbd import BGNBD
>>> model = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
>>> table = model.predictions(([2, 0], [30.43, 0.0], [38.86, 38.86]), t=52)
>>> table
CustomerPredictions(2 customers, t=52 week(s))
>>> list(table.columns())
['customer_id', 'frequency', 'recency', 'T', 'probability_alive', 'expected_purchases']
>>> table.expected_purchases.round(3).tolist()
[1.559, 0.252]
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import as_float_array, check_non_negative
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.frames._export import Tabular
from ecomstrat.frames.discrete import DiscretePatterns
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.models._data import as_rfm_arrays, check_data, table_ids

__all__ = ["CustomerPredictions", "customer_ids", "customer_predictions", "given_customer_ids"]


class _PurchaseModel(Protocol):
    def probability_alive(self, data: Any) -> FloatArray: ...

    def conditional_expected_purchases(self, t: Any, data: Any) -> FloatArray: ...


@attrs.frozen(eq=False, repr=False)
class CustomerPredictions(Tabular):
    """A purchase model's predictions for each customer, keyed by customer id.

    Returned by ``predictions(data, *, t)`` of the fitted purchase models; export it with
    :meth:`to_pandas` (indexed by ``customer_id``), :meth:`to_polars` or :meth:`to_arrow`.

    Attributes
    ----------
    customer_ids : ndarray
        The summary's ids, the table's ``customer_id`` column, or row numbers ``0..n-1``.
    inputs : dict of str to ndarray of float64
        The customers' histories as the model read them: ``frequency``, ``recency`` and
        ``T`` (in ``time_unit``), or ``frequency``, ``recency`` and ``periods`` for BG/BB.
    probability_alive : ndarray of float64
        ``P(alive | history)``.
    expected_purchases : ndarray of float64
        Expected purchases in the next ``t`` time units (BG/BB: opportunities).
    t : float
        The horizon of ``expected_purchases``.
    time_unit : TimeUnit or None
        Unit of ``t`` and of the continuous-time inputs; None for discrete opportunities.
    """

    customer_ids: AnyArray
    inputs: dict[str, FloatArray]
    probability_alive: FloatArray
    expected_purchases: FloatArray
    t: float
    time_unit: TimeUnit | None

    _pandas_index: ClassVar[str | None] = "customer_id"

    def __len__(self) -> int:
        return int(self.probability_alive.shape[0])

    def __repr__(self) -> str:
        unit = "opportunities" if self.time_unit is None else f"{self.time_unit.value}(s)"
        return f"CustomerPredictions({len(self)} customers, t={self.t:g} {unit})"

    def columns(self) -> dict[str, AnyArray]:
        """``customer_id``, the inputs, ``probability_alive`` and ``expected_purchases``."""
        return {
            "customer_id": self.customer_ids,
            **self.inputs,
            "probability_alive": self.probability_alive,
            "expected_purchases": self.expected_purchases,
        }


def given_customer_ids(data: object) -> AnyArray | None:
    """The ids ``data`` carries: a summary's, a table's ``customer_id``, else ``None``."""
    if isinstance(data, CustomerSummary):
        return data.customer_ids
    return table_ids(data)


def customer_ids(data: object, n: int) -> AnyArray:
    """Ids of the ``n`` customers of ``data``: those it carries, else ``0..n-1``."""
    ids = given_customer_ids(data)
    return np.arange(n) if ids is None else ids


_PATTERNS = ("frequency", "recency", "periods")


def customer_predictions(model: _PurchaseModel, data: Any, *, t: float) -> CustomerPredictions:
    """The table behind every ``predictions(data, *, t)`` method (one model, one horizon).

    Continuous-time models (those with a ``time_unit``) read ``data`` as
    :func:`~ecomstrat.models._data.as_rfm_arrays` does; the others read
    :class:`DiscretePatterns` or ``frequency``, ``recency``, ``periods`` columns.
    """
    horizon = check_non_negative("t", t)
    unit: TimeUnit | None = getattr(model, "time_unit", None)
    inputs: dict[str, FloatArray]
    if unit is not None:
        rfm = as_rfm_arrays(data, unit)
        inputs = {"frequency": rfm.x, "recency": rfm.t_x, "T": rfm.T}
    elif isinstance(data, DiscretePatterns):
        inputs = {name: getattr(data, name).astype(np.float64) for name in _PATTERNS}
    else:
        fix = "Build DiscretePatterns.from_histories(...) from 0/1 purchase histories."
        raw = check_data(
            data, "DiscretePatterns or (frequency, recency, periods)", fix, columns=_PATTERNS
        )
        inputs = {
            name: as_float_array(name, values, ndim=1)
            for name, values in zip(_PATTERNS, raw, strict=True)
        }
    arrays = tuple(inputs.values())
    alive = model.probability_alive(arrays)
    expected = model.conditional_expected_purchases(horizon, arrays)
    ids = customer_ids(data, len(alive))
    return CustomerPredictions(ids, inputs, alive, expected, horizon, unit)
