"""Validated per-customer inputs of the BTYD models, and their compression to patterns."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import check_same_length, invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames.summary import CustomerSummary

__all__ = ["RFMArrays", "as_rfm_arrays", "compress"]

ArrayLike = Sequence[float] | AnyArray


@attrs.frozen(eq=False)
class RFMArrays:
    """``x``, ``t_x``, ``T`` as float64 (``x`` whole numbers), with a weight per row."""

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    weights: FloatArray

    def __len__(self) -> int:
        return int(self.x.shape[0])


def as_rfm_arrays(
    data: CustomerSummary | tuple[ArrayLike, ArrayLike, ArrayLike],
    time_unit: TimeUnit | None = None,
    *,
    weights: ArrayLike | None = None,
    allow_empty: bool = False,
) -> RFMArrays:
    """Validate ``(frequency, recency, T)`` for the continuous-time models.

    A :class:`CustomerSummary` is converted to ``time_unit`` when given. Errors name the
    first offending customer: negative or non-integer ``x``, ``t_x`` outside ``[0, T]``,
    ``t_x > 0`` with ``x = 0``, non-positive ``T``, NaN anywhere.
    """
    raw: tuple[ArrayLike, ArrayLike, ArrayLike]
    if isinstance(data, CustomerSummary):
        summary = data if time_unit is None else data.to_unit(time_unit)
        raw = (summary.frequency, summary.recency, summary.T)
    else:
        raw = data
    x, t_x, T = (np.asarray(values, dtype=np.float64) for values in raw)
    n = check_same_length(frequency=x, recency=t_x, T=T)
    if n == 0 and not allow_empty:
        raise EmptyInputError("no customers: frequency, recency and T are empty.")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    check_same_length(frequency=x, weights=w)
    rules = [
        ("frequency", x, ~np.isfinite(x) | (x < 0), "must be a finite number >= 0"),
        ("frequency", x, np.isfinite(x) & (x != np.round(x)), "must be a whole number"),
        ("T", T, ~np.isfinite(T) | (T <= 0), "must be finite and > 0"),
        ("recency", t_x, ~np.isfinite(t_x) | (t_x < 0), "must be finite and >= 0"),
        ("recency", t_x, t_x > T, "must be <= T"),
        ("recency", t_x, (x == 0) & (t_x != 0), "must be 0 when frequency is 0"),
        ("weights", w, ~np.isfinite(w) | (w < 0), "must be finite and >= 0"),
    ]
    for name, values, bad, rule in rules:
        if bad.any():
            i = int(np.argmax(bad))
            raise invalid(
                f"{name}[{i}]", float(values[i]), rule, f"{int(bad.sum())} row(s) break this rule."
            )
    return RFMArrays(x, t_x, T, w)


def compress(data: RFMArrays) -> RFMArrays:
    """Merge identical ``(x, t_x, T)`` rows, adding up their weights.

    Real customer bases repeat patterns (all one-time buyers of a cohort share one), so the
    likelihood needs far fewer evaluations. The log-likelihood is unchanged.
    """
    order = np.lexsort((data.T, data.t_x, data.x))
    x, t_x, T = data.x[order], data.t_x[order], data.T[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (np.diff(x) != 0) | (np.diff(t_x) != 0) | (np.diff(T) != 0)
    first = np.flatnonzero(starts)
    weights = np.add.reduceat(data.weights[order], first) if first.size else np.zeros(0)
    return RFMArrays(x[first], t_x[first], T[first], weights.astype(np.float64))
